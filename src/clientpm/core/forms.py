"""Form helpers shared by every app's views: service errors shown next to the right field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .errors import ConflictError


def add_service_error(form: forms.BaseForm, exc: ValidationError | ConflictError) -> None:
    """Attach a service's refusal to ``form``: field errors to their fields, the rest on top."""
    if isinstance(exc, ConflictError):
        form.add_error(None, exc.detail)
        for reason in exc.reasons:
            form.add_error(None, reason)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class VersionField(forms.IntegerField):
    """The version the user loaded, sent back with the edit so stale saves are refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: object) -> None:
        super().__init__(min_value=1, required=True, **kwargs)  # type: ignore[arg-type]
