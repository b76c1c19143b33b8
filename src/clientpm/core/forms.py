"""Form helpers shared by every app's views: service errors shown next to the right field."""

from __future__ import annotations

from typing import Any

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


def style_form(form: forms.BaseForm) -> None:
    """Bootstrap classes on every visible widget, marking fields with errors as invalid."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and form.errors.get(name):
            css += " is-invalid"
        widget.attrs.setdefault("class", css)


class StyledForm:
    """Form mixin: Bootstrap classes on the widgets, and fields marked invalid also when a service
    adds the error after validation (``add_service_error``)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        style_form(self)  # type: ignore[arg-type]
        for name in self._errors or {}:  # type: ignore[attr-defined]
            widget = self.fields[name].widget if name in self.fields else None  # type: ignore[attr-defined]
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
