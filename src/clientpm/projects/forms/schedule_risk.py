"""HTML forms of schedule risk: the simulation's run settings and a task's risk event. They only
parse what the user typed; the schedule-risk services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.core.forms import StyledForm, VersionField, style_form
from clientpm.projects.models import Project, ScheduleRiskEvent, SimulationDistribution
from clientpm.scheduling.montecarlo import MAX_ITERATIONS, MIN_ITERATIONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_SEED = 2**63 - 1


class SimulationForm(StyledForm, forms.Form):
    """Run a simulation: iterations, distribution, an optional seed and the deadline."""

    iterations = forms.IntegerField(
        label=_("Iterations"),
        min_value=MIN_ITERATIONS,
        max_value=MAX_ITERATIONS,
        initial=10_000,
        help_text=_("More iterations give steadier percentiles and take longer."),
    )
    distribution = forms.ChoiceField(
        label=_("Distribution"),
        choices=SimulationDistribution.choices,
        initial=SimulationDistribution.TRIANGULAR,
        help_text=_("How durations are drawn from the three-point estimates."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("Optional: the same seed on the same plan gives the same result."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE,
        help_text=_("Empty: the project's planned finish."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = project.planned_finish_date
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "iterations": data["iterations"],
            "distribution": data["distribution"],
            "seed": data.get("seed"),
            "deadline": data.get("deadline"),
        }


class RiskEventForm(StyledForm, forms.ModelForm):
    """Add or change a task's risk event."""

    class Meta:
        model = ScheduleRiskEvent
        fields = ["name", "probability", "delay_days", "note"]
        widgets = {
            "probability": forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
            "delay_days": forms.NumberInput(attrs={"min": "1", "max": "999"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def create_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "probability": Decimal(data["probability"]),
            "delay_days": data["delay_days"],
            "note": data.get("note") or "",
        }

    def update_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.changed_data}
