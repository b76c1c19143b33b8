"""Reads of resources and assignments: the filtered resource list with assignment counts, one
resource, a project's assignments, the project's resource load — each in a fixed number of
queries — and the preview of leveling the project's resources.

Resources are company-wide (every holder of ``resources.view_resource`` sees them all); a project's
assignments are reached through the reader's project scope (``project_scope``): outside it, a
``DoesNotExist`` (404) that never reveals whether the object exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.projects import planning
from clientpm.projects.models import Phase, Project, Task
from clientpm.projects.queries.plan import Rows
from clientpm.projects.queries.projects import project_scope
from clientpm.projects.services.projects import project_ensure_editable
from clientpm.resources import leveling
from clientpm.resources.filters import RESOURCE_SORTS, ResourceFilters
from clientpm.resources.load import over_runs, spread_demand
from clientpm.resources.models import Assignment, Resource
from clientpm.scheduling.calendar import WorkingCalendar, is_working_day

HUNDRED = Decimal(100)

# Resources --------------------------------------------------------------------------------------------


def _with_counts(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    """Resources with their user and ``assignment_count`` / ``project_count`` (SQL aggregates)."""
    return qs.select_related("user").annotate(
        assignment_count=Count("assignments", distinct=True),
        project_count=Count("assignments__task__project", distinct=True),
    )


def resource_list(*, filters: ResourceFilters) -> QuerySet[Resource]:
    """The resource list: filtered, sorted, with user and counts in one query."""
    qs = Resource.objects.all()
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(name__icontains=q) | Q(user__display_name__icontains=q) | Q(user__username__icontains=q)
        )
    if filters.kind:
        qs = qs.filter(kind__in=filters.kind)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return _with_counts(qs).order_by(RESOURCE_SORTS[filters.sort], "name", "id")


def resource_get(*, pk: int) -> Resource:
    """One resource with its counts, else ``Resource.DoesNotExist``."""
    return _with_counts(Resource.objects.all()).get(pk=pk)


def resource_by_id(*, pk: int, field: str) -> Resource:
    """A resource named by id in a request; unknown → 422 on ``field``."""
    resource = Resource.objects.filter(pk=pk).first()
    if resource is None:
        raise ValidationError({field: [_("Unknown resource.")]})
    return resource


def resource_choices(*, include: int | None = None) -> QuerySet[Resource]:
    """Active resources for pickers; ``include`` keeps the current choice even if inactive since."""
    condition = Q(is_active=True) | Q(pk=include) if include else Q(is_active=True)
    return Resource.objects.filter(condition).order_by("name")


def resource_assignments(*, resource: Resource, limit: int = 50) -> list[Assignment]:
    """The resource's first ``limit`` assignments with task and project (for the delete page)."""
    return list(
        Assignment.objects.filter(resource=resource)
        .select_related("task__project")
        .order_by("task__project__code", "task__wbs_code", "id")[:limit]
    )


# Assignments ------------------------------------------------------------------------------------------


def _wbs_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def task_rows(*, project: Project) -> list[Task]:
    """The project's tasks in WBS order with ``depth`` set, for the assignments table — one query."""
    tasks = {
        task.pk: task
        for task in Task.objects.filter(project=project).only(
            "id",
            "project_id",
            "parent_id",
            "position",
            "wbs_code",
            "name",
            "is_summary",
            "duration_days",
            "start_date",
            "finish_date",
        )
    }
    rows = []
    for node in planning.tree_order((t.pk, t.parent_id, t.position) for t in tasks.values()):
        task = tasks[node.id]
        task.depth = node.depth  # type: ignore[attr-defined]
        rows.append(task)
    return rows


def assignment_list(*, project: Project) -> Rows:
    """The project's assignments in WBS order of their tasks, then by resource name, with task and
    resource loaded — one query."""
    rows = Assignment.objects.filter(task__project=project).select_related("task", "resource")
    return Rows(sorted(rows, key=lambda a: (_wbs_key(a.task.wbs_code), a.task_id, a.resource.name)))


def task_assignments(*, task: Task) -> list[Assignment]:
    """One task's assignments with their resources, by resource name."""
    return list(Assignment.objects.filter(task=task).select_related("resource").order_by("resource__name"))


def assignment_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> Assignment:
    """An assignment on a task of a project the user may see (of ``project`` when given), with task,
    project and resource; else ``Assignment.DoesNotExist``."""
    qs = Assignment.objects.filter(task__project__in=project_scope(user=user).values("pk"))
    if project is not None:
        qs = qs.filter(task__project=project)
    return qs.select_related("task__project", "resource").get(pk=pk)


# Resource load ----------------------------------------------------------------------------------------


@dataclass
class OverAllocation:
    """Consecutive working days (of the project's calendar) on which a resource is asked for more than
    its capacity, counting every project; ``peak`` is the highest daily demand in the run."""

    resource_id: int
    resource_name: str
    first_date: date
    last_date: date
    working_days: int
    peak: Decimal
    capacity: Decimal


@dataclass
class ResourceLoad:
    """One resource's demand per working day of the project's span: from this project (``demand``)
    and from its other projects (``other_demand``), in units; ``over`` marks the days over capacity."""

    resource: Resource
    capacity: Decimal
    demand: list[float] = field(default_factory=list)
    other_demand: list[float] = field(default_factory=list)
    over: list[bool] = field(default_factory=list)
    periods: list[OverAllocation] = field(default_factory=list)

    @property
    def over_days(self) -> int:
        return sum(self.over)

    @property
    def peak(self) -> Decimal:
        totals = [a + b for a, b in zip(self.demand, self.other_demand, strict=True)]
        return Decimal(str(round(max(totals, default=0.0), 2))).normalize()


@dataclass
class ProjectLoad:
    """The load of every resource the project uses, over the project's scheduled span (its first task
    start to its last task finish), one column per working day of the project's calendar."""

    project_id: int
    calendar: str
    start: date | None
    finish: date | None
    days: list[date]
    resources: list[ResourceLoad]

    @property
    def over_allocations(self) -> list[OverAllocation]:
        return [period for load in self.resources for period in load.periods]


def _cents(value: Decimal) -> int:
    return int((Decimal(value) * HUNDRED).to_integral_value())


def _counted(task: Task) -> bool:
    """Whether a task loads its resources: a scheduled leaf task with working days (a summary task
    takes its work from its subtasks; a milestone has none)."""
    return not task.is_summary and task.duration_days > 0 and bool(task.start_date and task.finish_date)


def project_resource_load(*, project: Project) -> ProjectLoad:
    """The project's resource load (see ``ProjectLoad``), computed with NumPy in five queries.

    Each assignment needs its units on every working day of its task, on the calendar of the task's
    project. Other projects' tasks (not cancelled ones) count where they overlap this project's
    span, shown separately and added to this project's demand before comparing with the capacity.
    A day that is not a working day of this project's calendar has no column."""
    calendar = planning.project_calendar(project)
    span = Task.objects.filter(project=project).aggregate(first=Min("start_date"), last=Max("finish_date"))
    first, last = span["first"], span["last"]
    own = list(Assignment.objects.filter(task__project=project).select_related("task", "resource"))
    resources = sorted({a.resource_id: a.resource for a in own}.values(), key=lambda r: (r.name, r.pk))
    loads = [ResourceLoad(resource=r, capacity=r.capacity_units) for r in resources]
    if first is None or last is None or last < first or not resources:
        return ProjectLoad(project.pk, calendar.name, first, last, [], loads)

    index = {r.pk: i for i, r in enumerate(resources)}
    other = list(
        Assignment.objects.filter(
            resource_id__in=index,
            task__is_summary=False,
            task__duration_days__gt=0,
            task__start_date__lte=last,
            task__finish_date__gte=first,
        )
        .exclude(task__project=project)
        .exclude(task__project__phase=Phase.CANCELLED)
        .values_list("resource_id", "units", "task__start_date", "task__finish_date", "task__project_id")
    )
    calendars: dict[WorkingCalendar, int] = {calendar: 0}
    project_calendar_index: dict[int, int] = {}
    for other_project in Project.objects.filter(pk__in={row[4] for row in other}).select_related("calendar"):
        cal = planning.project_calendar(other_project)
        project_calendar_index[other_project.pk] = calendars.setdefault(cal, len(calendars))

    dates = np.arange(np.datetime64(first, "D"), np.datetime64(last + timedelta(days=1), "D"))
    working = np.stack([is_working_day(cal, dates) for cal in calendars])
    counted = [a for a in own if _counted(a.task)]

    def spread(rows: list[tuple[int, Decimal, date, date, int]]) -> np.ndarray[Any, Any]:
        return spread_demand(
            first=first,
            n_days=len(dates),
            n_resources=len(resources),
            resource=np.array([index[row[0]] for row in rows], dtype=np.int64),
            calendar=np.array([row[4] for row in rows], dtype=np.int64),
            starts=np.array([row[2] for row in rows], dtype="datetime64[D]"),
            finishes=np.array([row[3] for row in rows], dtype="datetime64[D]"),
            units=np.array([_cents(row[1]) for row in rows], dtype=np.int64),
            working=working,
        )

    mine = spread([(a.resource_id, a.units, a.task.start_date, a.task.finish_date, 0) for a in counted])
    theirs = spread([(r, u, s, f, project_calendar_index[p]) for r, u, s, f, p in other])
    columns = np.flatnonzero(working[0])
    mine, theirs = mine[:, columns], theirs[:, columns]
    days = [day.item() for day in dates[columns]]
    capacity = np.array([_cents(r.capacity_units) for r in resources], dtype=np.int64)
    total = mine + theirs
    over = total > capacity[:, None]
    for i, load in enumerate(loads):
        load.demand = (mine[i] / 100).tolist()
        load.other_demand = (theirs[i] / 100).tolist()
        load.over = over[i].tolist()
    for run in over_runs(total, capacity):
        resource = resources[run.resource]
        loads[run.resource].periods.append(
            OverAllocation(
                resource_id=resource.pk,
                resource_name=resource.name,
                first_date=days[run.first],
                last_date=days[run.last],
                working_days=run.last - run.first + 1,
                peak=(Decimal(run.peak) / HUNDRED).normalize(),
                capacity=resource.capacity_units,
            )
        )
    return ProjectLoad(project.pk, calendar.name, first, last, days, loads)


# Resource leveling ------------------------------------------------------------------------------------


def leveling_preview(
    *, project: Project, mode: str = "fast", time_limit: int = 5
) -> leveling.LevelingPreview:
    """What leveling the project's resources would move, without storing anything (the rules are in
    ``resources/leveling``): ``fast`` runs the heuristic, ``optimal`` CP-SAT for up to
    ``time_limit`` seconds (1 – ``MAX_OPTIMAL_SECONDS``) and reports its lower bound and gap.

    Like the write it prepares, it refuses a closed or cancelled project (``ConflictError``, 409);
    bad settings and demands that can never fit a capacity are ``ValidationError`` (422). Five
    queries plus the engine's time."""
    errors: dict[str, list[str]] = {}
    if mode not in leveling.MODES:
        errors["mode"] = [_("Choose “fast” or “optimal”.")]
    if not isinstance(time_limit, int) or not 1 <= time_limit <= leveling.MAX_OPTIMAL_SECONDS:
        errors["time_limit"] = [
            _("Give a time limit of 1 to %(max)d seconds.") % {"max": leveling.MAX_OPTIMAL_SECONDS}
        ]
    if errors:
        raise ValidationError(errors)
    project_ensure_editable(project)
    return leveling.leveling_preview(leveling.leveling_input(project), mode=mode, time_limit=time_limit)
