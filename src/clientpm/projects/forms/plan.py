"""HTML forms of the Plan tab: a task (full page and the table's inline row), a dependency, a
baseline, the project's plan settings and a company working calendar. They only parse what the
user typed; the plan services decide."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.forms import StyledForm, VersionField, style_form
from clientpm.projects.models import (
    CalendarBase,
    ConstraintType,
    DependencyType,
    Project,
    Recurrence,
    Task,
    TaskDependency,
    TaskStatus,
    WorkCalendar,
)
from clientpm.projects.queries.scope import deliverable_list, milestone_choices

NBSP = "\u00a0"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMALL_DATE = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)

# What the full task form edits; summary tasks roll these up from their children instead.
ROLLED_UP = (
    "duration_days",
    "effort_hours",
    "optimistic_days",
    "most_likely_days",
    "pessimistic_days",
    "percent_complete",
    "actual_start_date",
    "actual_finish_date",
)
TASK_FIELDS = [
    "name",
    "owner",
    "assignees",
    "status",
    "duration_days",
    "percent_complete",
    "effort_hours",
    "optimistic_days",
    "most_likely_days",
    "pessimistic_days",
    "constraint_type",
    "constraint_date",
    "deadline_date",
    "actual_start_date",
    "actual_finish_date",
    "deliverable",
    "milestone",
    "recurrence",
    "recurrence_count",
]


def task_choices(tasks: Any) -> list[tuple[int, str]]:
    """Tasks as picker options, indented by their WBS depth: ``1.2  Design``."""
    return [(t.pk, f"{NBSP * 2 * t.wbs_code.count('.')}{t.wbs_code} {t.name}") for t in tasks]


def changed_fields(form: forms.BaseForm, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The cleaned values the user actually changed, so an edit never re-sends (say) the start date
    and pins the task there by accident. An emptied start is no move: the scheduler places the task
    (un-pinning it is done with the constraint)."""
    changed = {name: form.cleaned_data[name] for name in names if name in form.changed_data}
    if changed.get("start_date", False) is None:
        del changed["start_date"]
    return changed


class TaskForm(StyledForm, forms.ModelForm):
    """Add a task (under ``parent``) or edit one; the start is moved with ``start_date``."""

    parent = forms.TypedChoiceField(
        label=_("Under"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("The summary task this task belongs to."),
    )
    start_date = forms.DateField(
        label=_("Start"),
        required=False,
        widget=DATE,
        help_text=_(
            "Moving the start pins the task there (start no earlier than), as dragging its bar does."
        ),
    )

    class Meta:
        model = Task
        fields = TASK_FIELDS
        widgets = {
            "constraint_date": DATE,
            "deadline_date": DATE,
            "actual_start_date": DATE,
            "actual_finish_date": DATE,
            "assignees": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {
            "duration_days": _("Working days; 0 makes the task a milestone."),
            "recurrence_count": _("How many occurrences to create, e.g. 6 monthly reviews."),
        }

    def __init__(self, *args: Any, project: Project, tasks: list[Task] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task = self.instance if self.instance.pk else None
        self.fields["owner"].queryset = user_choices(include=task.owner_id if task else None)
        self.fields["assignees"].queryset = user_choices()
        self.fields["deliverable"].queryset = deliverable_list(project=project)
        self.fields["milestone"].queryset = milestone_choices(project=project)
        self.fields["constraint_type"].choices = ConstraintType.choices
        self.fields["status"].choices = TaskStatus.choices
        self.fields["recurrence"].choices = Recurrence.choices
        self.tasks = {t.pk: t for t in tasks or []}
        if task is None:
            self.fields["parent"].choices = [("", _("— top level —")), *task_choices(tasks or [])]
            # left empty, the service takes the PERT duration of a three-point estimate (else 1 day)
            self.fields["duration_days"].required = False
            self.fields["duration_days"].help_text = _(
                "Working days; 0 makes the task a milestone. Leave it empty to use the three-point "
                "estimate (PERT)."
            )
            self.fields["start_date"].help_text = _(
                "Optional: the task starts no earlier than this day; a repeating task's first occurrence."
            )
        else:
            del self.fields["parent"]
            del self.fields["recurrence"]
            del self.fields["recurrence_count"]
            self.fields["start_date"].initial = task.start_date
            self.fields["version"] = VersionField(initial=task.version)
            if task.is_summary:
                for name in ROLLED_UP:
                    del self.fields[name]
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    GROUPS = (
        (_("Task"), ("name", "parent", "owner", "assignees", "status")),
        (
            _("Schedule"),
            ("start_date", "duration_days", "constraint_type", "constraint_date", "deadline_date"),
        ),
        (_("Progress"), ("percent_complete", "actual_start_date", "actual_finish_date")),
        (_("Estimates"), ("effort_hours", "optimistic_days", "most_likely_days", "pessimistic_days")),
        (_("Links and repetition"), ("deliverable", "milestone", "recurrence", "recurrence_count")),
    )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The visible fields in titled groups (a group whose fields are all absent is left out)."""
        out = []
        for title, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                out.append((title, fields))
        return out

    def parent_task(self) -> Task | None:
        pk = self.cleaned_data.get("parent")
        return self.tasks.get(pk) if pk else None

    def create_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in TASK_FIELDS}
        if data.get("duration_days") is None:
            data.pop("duration_days", None)
        if self.cleaned_data.get("start_date"):
            data["start_date"] = self.cleaned_data["start_date"]
        if not data.get("recurrence"):
            data.pop("recurrence", None)
            data.pop("recurrence_count", None)
        return data

    def update_kwargs(self) -> dict[str, Any]:
        return changed_fields(self, [*TASK_FIELDS, "start_date"])


class TaskInlineForm(StyledForm, forms.ModelForm):
    """One row of the task table, edited in place."""

    start_date = forms.DateField(label=_("Start"), required=False, widget=SMALL_DATE)
    version = VersionField()

    class Meta:
        model = Task
        fields = ["name", "owner", "duration_days", "percent_complete", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task = self.instance
        self.fields["owner"].queryset = user_choices(include=task.owner_id)
        self.fields["status"].choices = TaskStatus.choices
        self.fields["start_date"].initial = task.start_date
        self.fields["version"].initial = task.version
        if task.is_summary:
            for name in ("duration_days", "percent_complete", "start_date"):
                del self.fields[name]
        style_form(self)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if css and "-sm" not in css:
                field.widget.attrs["class"] = css.replace(
                    "form-control", "form-control form-control-sm"
                ).replace("form-select", "form-select form-select-sm")

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def update_kwargs(self) -> dict[str, Any]:
        return changed_fields(
            self, ["name", "owner", "duration_days", "percent_complete", "status", "start_date"]
        )


class DependencyForm(StyledForm, forms.Form):
    """A predecessor of the task, with the link type and a lag (negative: a lead)."""

    predecessor = forms.TypedChoiceField(label=_("Predecessor"), coerce=int)
    dependency_type = forms.ChoiceField(
        label=_("Type"), choices=DependencyType.choices, initial=DependencyType.FS
    )
    lag_days = forms.IntegerField(
        label=_("Lag (working days)"),
        initial=0,
        min_value=-999,
        max_value=999,
        help_text=_("Negative for a lead."),
    )

    def __init__(
        self, *args: Any, task: Task, tasks: list[Task], linked: set[int] | None = None, **kwargs: Any
    ) -> None:
        """``linked``: the task's current predecessors, left out of the choices."""
        super().__init__(*args, **kwargs)
        skip = {task.pk, *(linked or ())}
        self.tasks = {t.pk: t for t in tasks if t.pk not in skip}
        self.fields["predecessor"].choices = [("", "—"), *task_choices(self.tasks.values())]
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "predecessor": self.tasks[self.cleaned_data["predecessor"]],
            "dependency_type": self.cleaned_data["dependency_type"],
            "lag_days": self.cleaned_data["lag_days"],
        }


class DependencyEditForm(StyledForm, forms.Form):
    dependency_type = forms.ChoiceField(label=_("Type"), choices=DependencyType.choices)
    lag_days = forms.IntegerField(label=_("Lag (working days)"), min_value=-999, max_value=999)

    def __init__(self, *args: Any, dependency: TaskDependency | None = None, **kwargs: Any) -> None:
        if dependency is not None:
            kwargs.setdefault(
                "initial", {"dependency_type": dependency.dependency_type, "lag_days": dependency.lag_days}
            )
        super().__init__(*args, **kwargs)
        style_form(self)


class BaselineForm(StyledForm, forms.Form):
    name = forms.CharField(
        label=_("Baseline name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Baseline name, e.g. Approved plan")}),
        help_text=_("e.g. “Approved plan” or “Re-plan after change request 3”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class PlanSettingsForm(StyledForm, forms.Form):
    """The project's working calendar and status date."""

    calendar = forms.ModelChoiceField(
        label=_("Working calendar"),
        queryset=WorkCalendar.objects.none(),
        required=False,
        empty_label=_("— built-in China calendar —"),
    )
    status_date = forms.DateField(
        label=_("Status date"),
        required=False,
        widget=DATE,
        help_text=_(
            "The data date: remaining work is scheduled from this day on, and work not started yet "
            "cannot start before it."
        ),
    )
    version = VersionField()

    def __init__(self, *args: Any, project: Project, calendars: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"calendar": project.calendar_id, "status_date": project.status_date, "version": project.version},
        )
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = calendars
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {"calendar": self.cleaned_data["calendar"], "status_date": self.cleaned_data["status_date"]}


WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
_DATE_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


class DateListField(forms.CharField):
    """Dates typed one per line (or separated by commas), ``YYYY-MM-DD``; anything after the date on
    a line is a comment (``2026-10-09 company day``)."""

    widget = forms.Textarea(attrs={"rows": 5, "placeholder": "2026-10-09"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(day) for day in value)
        return value

    def to_python(self, value: Any) -> list[date]:  # type: ignore[override]
        text = super().to_python(value)
        days: list[date] = []
        bad: list[str] = []
        for line in re.split(r"[\n,;]+", text):
            line = line.strip()
            if not line:
                continue
            token = line.split()[0]
            try:
                if not _DATE_TOKEN.fullmatch(token):
                    raise ValueError
                year, month, day = (int(part) for part in token.split("-"))
                days.append(date(year, month, day))
            except ValueError:
                bad.append(token)
        if bad:
            raise ValidationError(
                _("Not a date (use YYYY-MM-DD): %(values)s"),
                params={"values": ", ".join(bad)},
                code="invalid",
            )
        return sorted(set(days))


class CalendarForm(StyledForm, forms.Form):
    """A company working calendar: a base, the weekdays worked, holidays and extra working days."""

    name = forms.CharField(label=_("Name"), max_length=100)
    base = forms.ChoiceField(
        label=_("Based on"),
        choices=CalendarBase.choices,
        help_text=_("China adds the statutory holidays and adjusted working weekends (调休) year by year."),
    )
    working_weekdays = forms.MultipleChoiceField(
        label=_("Working weekdays"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    holidays = DateListField(
        label=_("Company holidays"),
        help_text=_("One date per line, YYYY-MM-DD; text after the date is ignored."),
    )
    extra_working_days = DateListField(
        label=_("Extra working days"), help_text=_("Days worked although their weekday is not, one per line.")
    )

    def __init__(self, *args: Any, calendar: WorkCalendar | None = None, **kwargs: Any) -> None:
        if calendar is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": calendar.name,
                    "base": calendar.base,
                    "working_weekdays": [
                        str(i) for i, flag in enumerate(calendar.working_weekdays) if flag == "1"
                    ],
                    "holidays": calendar.holidays,
                    "extra_working_days": calendar.extra_working_days,
                },
            )
        else:
            kwargs.setdefault("initial", {"working_weekdays": ["0", "1", "2", "3", "4"]})
        super().__init__(*args, **kwargs)
        if calendar is not None:
            self.fields["version"] = VersionField(initial=calendar.version)
        style_form(self)
        self.fields["working_weekdays"].widget.attrs.pop("class", None)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = set(data["working_weekdays"])
        return {
            "name": data["name"],
            "base": data["base"],
            "working_weekdays": "".join("1" if str(i) in chosen else "0" for i in range(7)),
            "holidays": [day.isoformat() for day in data["holidays"]],
            "extra_working_days": [day.isoformat() for day in data["extra_working_days"]],
        }
