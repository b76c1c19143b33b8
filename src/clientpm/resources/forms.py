"""HTML forms of the resources pages and the project's Resources tab: a resource, an assignment of a
resource to a task, and the leveling preview and its acceptance. They only parse what the user
typed; the resources queries and services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.forms import StyledForm, VersionField, style_form
from clientpm.resources import leveling
from clientpm.resources.models import Assignment, Resource, ResourceKind

RESOURCE_FORM_FIELDS = ["name", "kind", "user", "capacity_units", "is_active", "notes"]


class ResourceForm(StyledForm, forms.ModelForm):
    """Add or edit a resource; an edit carries the version it was loaded with."""

    class Meta:
        model = Resource
        fields = RESOURCE_FORM_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "capacity_units": _(
                "Units available per working day: 1 for one full-time person, 5 for a team of five."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        resource = self.instance if self.instance.pk else None
        self.fields["user"].queryset = user_choices(include=resource.user_id if resource else None)
        self.fields["kind"].choices = ResourceKind.choices
        if resource is not None:
            self.fields["version"] = VersionField(initial=resource.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def create_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in RESOURCE_FORM_FIELDS}

    def update_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in RESOURCE_FORM_FIELDS if name in self.changed_data}


class AssignmentForm(StyledForm, forms.Form):
    """A resource a task needs, and how many units of it per working day."""

    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int)
    units = forms.DecimalField(
        label=_("Units per working day"),
        max_digits=7,
        decimal_places=2,
        initial=1,
        help_text=_("1 = one unit for the whole task; 0.5 = half of it."),
    )

    def __init__(
        self, *args: Any, resources: Any, assignment: Assignment | None = None, **kwargs: Any
    ) -> None:
        if assignment is not None:
            kwargs.setdefault("initial", {"resource": assignment.resource_id, "units": assignment.units})
        super().__init__(*args, **kwargs)
        self.resources = {r.pk: r for r in resources}
        self.fields["resource"].choices = [
            ("", "—"),
            *(
                (r.pk, f"{r.name} ({r.get_kind_display()}, {r.capacity_units.normalize():f})")
                for r in resources
            ),
        ]
        style_form(self)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("form-control", "form-control form-control-sm").replace(
                "form-select", "form-select form-select-sm"
            )

    def chosen_resource(self) -> Resource:
        return self.resources[self.cleaned_data["resource"]]

    def create_kwargs(self) -> dict[str, Any]:
        return {"resource": self.chosen_resource(), "units": self.cleaned_data["units"]}

    def update_kwargs(self) -> dict[str, Any]:
        return {name: value for name, value in self.create_kwargs().items() if name in self.changed_data}


class LevelingForm(StyledForm, forms.Form):
    """How to level: the fast heuristic, or the optimiser for up to a number of seconds."""

    mode = forms.ChoiceField(
        label=_("Leveling"),
        choices=[("fast", _("Fast (heuristic)")), ("optimal", _("Optimise (CP-SAT)"))],
        initial="fast",
    )
    time_limit = forms.IntegerField(
        label=_("Optimise for up to (seconds)"),
        min_value=1,
        max_value=leveling.MAX_OPTIMAL_SECONDS,
        initial=5,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("form-control", "form-control form-control-sm").replace(
                "form-select", "form-select form-select-sm"
            )

    def service_kwargs(self) -> dict[str, Any]:
        return {"mode": self.cleaned_data["mode"], "time_limit": self.cleaned_data["time_limit"] or 5}


class LevelingApplyForm(forms.Form):
    """A preview accepted: its token and the leveled starts, as ``task id:YYYY-MM-DD`` values."""

    token = forms.CharField(max_length=100, widget=forms.HiddenInput)
    starts = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def clean_starts(self) -> dict[int, date]:
        starts: dict[int, date] = {}
        for value in self.cleaned_data.get("starts") or []:
            task, _sep, day = str(value).partition(":")
            try:
                task_id, start = int(task), date.fromisoformat(day)
            except ValueError:
                raise forms.ValidationError(_("The leveled starts are damaged; preview again.")) from None
            starts[task_id] = start
        return starts
