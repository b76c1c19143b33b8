"""HTML forms of the Goals tab: the feasibility assessment, a goal and a KPI measurement. They only
parse input; the goals services decide (and their refusals come back next to the fields)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.forms import VersionField, style_form
from clientpm.projects.models import Direction, FeasibilityAssessment, FeasibilityDecision, Goal
from clientpm.projects.services.goals import FEASIBILITY_FIELDS, GOAL_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

SCORE_CHOICES = [
    ("", "—"),
    (1, _("1 · poor")),
    (2, _("2 · weak")),
    (3, _("3 · adequate")),
    (4, _("4 · good")),
    (5, _("5 · excellent")),
]

SCORE_FIELDS = ("market_score", "technical_score", "financial_score", "resource_score")


class _Styled:
    """Bootstrap classes on the widgets, refreshed when a service adds an error after validation."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self._errors or {}:  # type: ignore[attr-defined]
            widget = self.fields[name].widget if name in self.fields else None  # type: ignore[attr-defined]
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""


class FeasibilityForm(_Styled, forms.ModelForm):
    """An assessment: four scored dimensions, the financial figures, recommendation and decision."""

    class Meta:
        model = FeasibilityAssessment
        fields = [
            "market_score",
            "market_notes",
            "technical_score",
            "technical_notes",
            "financial_score",
            "cost_estimate_amount",
            "expected_benefit_amount",
            "currency",
            "benefit_period_months",
            "financial_notes",
            "resource_score",
            "resource_notes",
            "recommendation",
            "decision",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("market_notes", "technical_notes", "financial_notes", "resource_notes")
        } | {"recommendation": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "market_notes": _("Demand, competition, the customer's readiness."),
            "technical_notes": _("Technology fit, integration, known unknowns."),
            "financial_notes": _("Assumptions behind the cost and benefit."),
            "resource_notes": _("People, skills and availability."),
            "decision": _("Deciding records you as the decider, now."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SCORE_FIELDS:
            model_field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=model_field.label,
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
        self.fields["decision"].choices = FeasibilityDecision.choices
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in FEASIBILITY_FIELDS}

    @staticmethod
    def initial_from(assessment: FeasibilityAssessment | None) -> dict[str, Any]:
        """A reassessment starts from the latest assessment's values, decision pending again."""
        if assessment is None:
            return {}
        initial = {name: getattr(assessment, name) for name in FEASIBILITY_FIELDS}
        initial["decision"] = FeasibilityDecision.PENDING
        return initial


class GoalForm(_Styled, forms.ModelForm):
    class Meta:
        model = Goal
        fields = [
            "statement",
            "metric",
            "unit",
            "direction",
            "baseline_value",
            "target_value",
            "deadline_date",
            "owner",
            "rationale",
        ]
        widgets = {
            "deadline_date": DATE,
            "statement": forms.TextInput(),
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "statement": _(
                "Specific: what will change, e.g. “Raise the satisfaction score by 20% within 12 months”."
            ),
            "metric": _("Measurable: the indicator that is measured, e.g. “customer satisfaction score”."),
            "unit": _("e.g. points, %, days."),
            "baseline_value": _("The metric's value today."),
            "target_value": _("The value to reach by the deadline."),
            "owner": _("Achievable: who is answerable for it."),
            "rationale": _("Relevant: why it matters to the customer."),
            "deadline_date": _("Time-bound: when the target must be reached."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = user_choices()
        self.fields["direction"].choices = Direction.choices
        for name in ("baseline_value", "target_value"):
            value = self.initial.get(name)
            if isinstance(value, Decimal):  # 80, not 80.0000
                self.initial[name] = f"{value.normalize():f}"
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in GOAL_FIELDS}


class MeasurementForm(_Styled, forms.Form):
    """The inline "add measurement" form of a goal card (ids made unique per goal)."""

    measured_on = forms.DateField(label=_("Date"), widget=DATE)
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=4)
    source = forms.CharField(label=_("Source"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_goal{goal.pk}_%s")
        kwargs.setdefault("initial", {"measured_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.fields["value"].widget.attrs["step"] = "any"
        style_form(self)
