"""HTML forms for customers, contacts, interactions and segments; they only parse input, the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.errors import ConflictError
from clientpm.core.forms import VersionField, add_service_error, style_form

from .models import (
    Contact,
    Customer,
    CustomerKind,
    Industry,
    Interaction,
    LifecycleStage,
    Province,
    Segment,
    SegmentKind,
    Tier,
)
from .services import CONTACT_FIELDS, CUSTOMER_FIELDS, INTERACTION_FIELDS, DuplicateContactError
from .validators import validate_credit_code, validate_phone


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
        # The service checks these again; checking here too shows every field's error in one round.
        self.fields["phone"].validators.append(validate_phone)
        self.fields["credit_code"].validators.append(validate_credit_code)
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
            self.initial.setdefault("tags_text", ", ".join(t.name for t in self.instance.tags.all()))
            self.initial.setdefault("team", list(self.instance.team.all()))
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field: str | None, error: Any) -> None:
        """Also mark the fields that got errors, including the ones the service adds after validation."""
        super().add_error(field, error)
        for name in self._errors or {}:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``customer_create``/``customer_update`` (empty choices become "")."""
        data = self.cleaned_data
        fields = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
        fields = {k: ("" if v is None and k != "owner" else v) for k, v in fields.items()}
        tags = [t.strip() for t in re.split(r"[,，]", data.get("tags_text") or "") if t.strip()]
        return {**fields, "tags": tags, "team": list(data["team"])}


class ContactForm(forms.ModelForm):
    """Create or edit a contact; the customer is picked only when the page does not fix it."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    allow_duplicates = forms.BooleanField(
        label=_("Create it anyway: it is a different person"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Contact
        fields = [
            "customer",
            "name",
            "title",
            "department",
            "mobile",
            "phone",
            "email",
            "wechat_id",
            "buying_role",
            "engagement_level",
            "is_primary",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, customers: QuerySet[Customer] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if customers is None:
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = customers
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``contact_create``/``contact_update``."""
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS if name in self.cleaned_data}

    def offer_duplicates(self, exc: DuplicateContactError) -> None:
        """Show the look-alikes and arm the hidden "create anyway" flag for the next submit."""
        self.duplicates = exc.matches
        data = self.data.copy()
        data["allow_duplicates"] = "on"
        self.data = data
        self.add_error(None, exc.detail)


DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class InteractionForm(forms.ModelForm):
    """Log or edit an interaction; the contacts offered are the customer's (or all visible ones)."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    occurred_at = forms.DateTimeField(
        label=_("time"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    follow_up_date = forms.DateField(
        label=_("follow-up date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Interaction
        fields = [
            "customer",
            "kind",
            "occurred_at",
            "contacts",
            "summary",
            "outcome",
            "next_step",
            "follow_up_date",
            "follow_up_done",
            "owner",
            "participants",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self,
        *args: Any,
        contacts: QuerySet[Contact],
        customers: QuerySet[Customer] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if customers is None:
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = customers
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].label_from_instance = (
            (lambda c: c.name) if customers is None else (lambda c: f"{c.customer.code} · {c.name}")
        )
        self.fields["owner"].queryset = user_choices()
        self.fields["participants"].queryset = user_choices()
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        else:
            del self.fields["follow_up_done"]
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``interaction_create``/``interaction_update``."""
        data = self.cleaned_data
        fields = {name: data[name] for name in INTERACTION_FIELDS if name in data}
        return {**fields, "contacts": list(data["contacts"]), "participants": list(data["participants"])}


class SegmentForm(forms.ModelForm):
    """Create or edit a segment; the ``rule_*`` fields are the customer-list filters of a rule-based one."""

    rule_q = forms.CharField(label=_("Search"), required=False, max_length=100)
    rule_stage = forms.MultipleChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, required=False
    )
    rule_tier = forms.MultipleChoiceField(label=_("Tier"), choices=Tier.choices, required=False)
    rule_province = forms.MultipleChoiceField(label=_("Province"), choices=Province.choices, required=False)
    rule_industry = forms.MultipleChoiceField(label=_("Industry"), choices=Industry.choices, required=False)
    rule_kind = forms.ChoiceField(
        label=_("Customer kind"), choices=[("", _("Any")), *CustomerKind.choices], required=False
    )
    rule_owner = forms.ModelChoiceField(label=_("Account manager"), queryset=user_choices(), required=False)
    rule_tag = forms.MultipleChoiceField(label=_("Tags"), required=False)
    rule_no_interaction_days = forms.IntegerField(
        label=_("No interaction for (days)"), required=False, min_value=1, max_value=3650
    )
    rule_archived = forms.BooleanField(label=_("Archived customers instead of current ones"), required=False)

    RULE_FIELDS = (
        "q",
        "stage",
        "tier",
        "province",
        "industry",
        "kind",
        "owner",
        "tag",
        "no_interaction_days",
        "archived",
    )

    class Meta:
        model = Segment
        fields = ["name", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, tag_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule_owner"].queryset = user_choices()
        self.fields["rule_tag"].choices = [(n, n) for n in tag_names]
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
            for name, value in self.instance.rules.items():
                self.initial.setdefault(f"rule_{name}", value)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    @classmethod
    def initial_from_rules(cls, rules: dict[str, Any]) -> dict[str, Any]:
        """Initial values for a new rule-based segment saved from the customer list's filter."""
        return {
            "kind": SegmentKind.DYNAMIC,
            **{f"rule_{k}": v for k, v in rules.items() if k in cls.RULE_FIELDS},
        }

    def rules(self) -> dict[str, Any]:
        """The filled-in rule fields as a ``CustomerFilters`` dict (empty ones left out)."""
        rules: dict[str, Any] = {}
        for name in self.RULE_FIELDS:
            value = self.cleaned_data.get(f"rule_{name}")
            if value in (None, "", [], False):
                continue
            rules[name] = value.pk if name == "owner" else value
        return rules

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``segment_create``/``segment_update``; a static segment has no rules."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "name": data["name"],
            "description": data["description"],
            "kind": kind,
            "rules": {} if kind == SegmentKind.STATIC else self.rules(),
        }

    def add_service_error(self, exc: ValidationError | ConflictError) -> None:
        """Like ``core.forms.add_service_error``, pointing ``rules.<filter>`` errors at ``rule_<filter>``."""
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            exc = ValidationError(
                {key.replace("rules.", "rule_", 1): errs for key, errs in exc.error_dict.items()}
            )
        add_service_error(self, exc)
