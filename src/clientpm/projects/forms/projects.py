"""Forms for the project itself, phase moves, checklists and templates; they parse, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.models import User
from clientpm.accounts.queries import user_choices
from clientpm.core.forms import VersionField, style_form
from clientpm.customers.queries import contact_choices, customer_choices
from clientpm.projects.models import ACTIVE_PHASES, Phase, Project, ProjectTemplate
from clientpm.projects.services.projects import PROJECT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    """Create or edit a project. On create the customer is chosen and a template may seed it."""

    template = forms.ModelChoiceField(
        label=_("Start from template"), queryset=ProjectTemplate.objects.all(), required=False
    )

    class Meta:
        model = Project
        fields = [
            "customer",
            "name",
            "project_type",
            "methodology",
            "priority",
            "manager",
            "sponsor",
            "customer_sponsor",
            "planned_start_date",
            "planned_finish_date",
            "health",
            "health_reason",
            "description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "planned_start_date": DATE,
            "planned_finish_date": DATE,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = user_choices()
        self.fields["sponsor"].queryset = user_choices()
        if self.instance.pk:
            del self.fields["customer"]
            del self.fields["template"]
            self.fields["customer_sponsor"].queryset = contact_choices(
                user=user, customer=self.instance.customer
            )
            self.fields["version"] = VersionField(initial=self.instance.version)
        else:
            self.fields["customer"].queryset = customer_choices(user=user)
            self.fields["customer_sponsor"].queryset = contact_choices(user=user)
            self.fields["customer_sponsor"].label_from_instance = lambda c: f"{c.customer.code} · {c.name}"
            del self.fields["health"]
            del self.fields["health_reason"]
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in PROJECT_FIELDS if name in data}


class TransitionForm(forms.Form):
    """A phase move as the project page and the board post it."""

    to_phase = forms.ChoiceField(choices=Phase.choices)
    version = VersionField()
    reason = forms.CharField(required=False, max_length=2000)
    override_reason = forms.CharField(required=False, max_length=2000)


class ChecklistItemForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=[(p, Phase(p).label) for p in ACTIVE_PHASES])
    text = forms.CharField(label=_("Item"), max_length=300)


class TemplateSaveForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)
