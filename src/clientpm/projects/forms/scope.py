"""HTML forms of the scope tab: the scope statement, scope items, milestones, deliverables and the
steps of the deliverable acceptance flow. They only parse input; the scope services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.forms import StyledForm, VersionField, style_form
from clientpm.customers.models import Contact
from clientpm.projects.models import (
    Deliverable,
    DeliverableStatus,
    Milestone,
    MilestoneStatus,
    Project,
    ScopeItem,
    ScopeKind,
)
from clientpm.projects.queries.scope import milestone_choices, review_contact_choices
from clientpm.projects.services.scope import DELIVERABLE_FIELDS, MILESTONE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopeStatementForm(StyledForm, forms.Form):
    scope_statement = forms.CharField(
        label=_("Scope statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What the project delivers, its boundaries, assumptions and constraints."),
    )
    version = VersionField()

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"scope_statement": project.scope_statement, "version": project.version})
        super().__init__(*args, **kwargs)
        style_form(self)


class ScopeItemForm(StyledForm, forms.ModelForm):
    class Meta:
        model = ScopeItem
        fields = ["kind", "text"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ScopeKind.choices
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""


class MilestoneForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "status", "achieved_date", "description"]
        widgets = {"due_date": DATE, "achieved_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"achieved_date": _("Leave empty for today when marking it achieved.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = MilestoneStatus.choices
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in MILESTONE_FIELDS}


class DeliverableForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Deliverable
        fields = ["name", "owner", "due_date", "milestone", "acceptance_criteria", "description"]
        widgets = {
            "due_date": DATE,
            "acceptance_criteria": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = user_choices()
        self.fields["milestone"].queryset = milestone_choices(project=project)
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in DELIVERABLE_FIELDS}


REVIEW_STEPS = (DeliverableStatus.SUBMITTED, DeliverableStatus.ACCEPTED, DeliverableStatus.REJECTED)


class DeliverableTransitionForm(StyledForm, forms.Form):
    """One step of the acceptance flow; only the fields the step uses are shown."""

    reviewer_contact = forms.ModelChoiceField(
        label=_("Reviewer (contact)"), queryset=Contact.objects.none(), required=False
    )
    reviewer_name = forms.CharField(
        label=_("Reviewer (name)"),
        max_length=100,
        required=False,
        help_text=_("When the reviewer is not one of the customer's contacts."),
    )
    reviewed_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("Leave empty for now."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    waiver_reason = forms.CharField(
        label=_("Waiver reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()

    def __init__(self, *args: Any, project: Project, to_status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer_contact"].queryset = review_contact_choices(project=project)
        if to_status not in REVIEW_STEPS:
            for name in ("reviewer_contact", "reviewer_name", "reviewed_at"):
                del self.fields[name]
        if to_status == DeliverableStatus.WAIVED:
            self.fields["waiver_reason"].required = True
        else:
            del self.fields["waiver_reason"]
        if to_status == DeliverableStatus.IN_PROGRESS:
            del self.fields["comment"]  # starting work is not a review step: nothing to comment on
        if to_status == DeliverableStatus.REJECTED:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("What must change")
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data
