"""HTML forms for customers; they only parse input, the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.forms import VersionField

from .models import Customer
from .services import CUSTOMER_FIELDS


class CustomerForm(forms.ModelForm):
    """Create or edit a customer; tags are typed as a comma-separated list."""

    tags_text = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas.")
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https", max_length=200)
    team = forms.ModelMultipleChoiceField(label=_("Team"), queryset=user_choices(), required=False)
    allow_duplicates = forms.BooleanField(
        label=_("Create it anyway: it is a different customer"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Customer
        fields = [
            "kind",
            "name",
            "short_name",
            "credit_code",
            "lifecycle_stage",
            "tier",
            "owner",
            "industry",
            "size_band",
            "source",
            "province",
            "city",
            "address",
            "website",
            "phone",
            "email",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = user_choices()
        self.fields["team"].queryset = user_choices()
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
            self.initial.setdefault("tags_text", ", ".join(t.name for t in self.instance.tags.all()))
            self.initial.setdefault("team", list(self.instance.team.all()))
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if self.errors.get(name):
                css += " is-invalid"
            widget.attrs.setdefault("class", css)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``customer_create``/``customer_update`` (empty choices become "")."""
        data = self.cleaned_data
        fields = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
        fields = {k: ("" if v is None and k != "owner" else v) for k, v in fields.items()}
        tags = [t.strip() for t in re.split(r"[,，]", data.get("tags_text") or "") if t.strip()]
        return {**fields, "tags": tags, "team": list(data["team"])}
