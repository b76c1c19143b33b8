"""Reads of a project's plan: the WBS task tree, one task, the Gantt data, the computed schedule,
baseline variance, "my tasks" across projects, dependencies, calendars and baselines — each in a
fixed number of queries, whatever the number of tasks.

Every object is reached through the reader's project scope (``project_scope``): outside it, a
``DoesNotExist`` (404) that never reveals whether the object exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.projects import planning
from clientpm.projects.models import (
    Baseline,
    BaselineTask,
    Deliverable,
    Milestone,
    Phase,
    Project,
    Task,
    TaskDependency,
    TaskStatus,
    WorkCalendar,
)
from clientpm.projects.queries.projects import project_scope

USER_FIELDS = ("id", "username", "display_name", "first_name", "last_name")


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    return project_scope(user=user).values("pk")


def _users() -> QuerySet[User]:
    return User.objects.only(*USER_FIELDS)


def _task_rows(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("owner").prefetch_related(Prefetch("assignees", queryset=_users()))


class Rows(list[Any]):
    """Rows in a computed order (WBS) as a list ``PagePagination`` can page (``count()`` = length)."""

    def count(self, *args: Any) -> int:  # type: ignore[override]
        return super().count(*args) if args else len(self)


# Tasks -------------------------------------------------------------------------------------------------


def task_tree(*, project: Project) -> Rows:
    """Every task of ``project`` in WBS order (depth first: 1, 1.1, 1.1.1, 1.2, 2…) with ``depth``
    (0 = top level) set on each, owner and assignees loaded — three queries."""
    tasks = {task.pk: task for task in _task_rows(Task.objects.filter(project=project))}
    rows = Rows()
    for node in planning.tree_order((task.pk, task.parent_id, task.position) for task in tasks.values()):
        task = tasks[node.id]
        task.depth = node.depth  # type: ignore[attr-defined]
        rows.append(task)
    return rows


def task_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> Task:
    """A task of a project the user may see (of ``project`` when given), with its project, owner and
    assignees; else ``Task.DoesNotExist``."""
    qs = _task_rows(Task.objects.filter(project__in=_visible(user))).select_related("project__customer")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.get(pk=pk)


def task_by_id(*, project: Project, pk: int, field: str) -> Task:
    """A task of ``project`` named by id in a request (parent, after…); unknown → 422 on ``field``."""
    task = Task.objects.filter(project=project, pk=pk).first()
    if task is None:
        raise ValidationError({field: [_("Choose a task of this project.")]})
    return task


def task_for_link(*, user: User | AnonymousUser, pk: int, field: str) -> Task:
    """A task the user may see, named by id in a dependency; unknown or invisible → 422 on ``field``."""
    task = Task.objects.filter(project__in=_visible(user)).select_related("project").filter(pk=pk).first()
    if task is None:
        raise ValidationError({field: [_("Unknown task.")]})
    return task


def my_tasks(*, user: User | AnonymousUser) -> QuerySet[Task]:
    """Open tasks (not done, not summaries) that ``user`` owns or is assigned to, in the open
    projects they may see, with project, customer and owner loaded, earliest finish first (tasks
    not scheduled yet last, on SQLite as on PostgreSQL)."""
    if not user.is_authenticated:
        return Task.objects.none()
    assigned = Task.assignees.through.objects.filter(task_id=OuterRef("pk"), user_id=user.pk)
    return (
        Task.objects.filter(project__in=_visible(user))
        .filter(Q(owner_id=user.pk) | Exists(assigned))
        .exclude(status=TaskStatus.DONE)
        .exclude(is_summary=True)
        .exclude(project__phase__in=[Phase.CLOSED, Phase.CANCELLED])
        .select_related("project__customer", "owner")
        .order_by(F("finish_date").asc(nulls_last=True), "project_id", "wbs_code", "id")
    )


def task_board(*, project: Project) -> dict[str, list[Task]]:
    """The project's leaf tasks by status (not started, in progress, blocked, done), WBS order."""
    columns: dict[str, list[Task]] = {status: [] for status in TaskStatus.values}
    for task in task_tree(project=project):
        if not task.is_summary:
            columns[task.status].append(task)
    return columns


# Dependencies ------------------------------------------------------------------------------------------


def dependency_list(
    *, project: Project, user: User | AnonymousUser | None = None
) -> QuerySet[TaskDependency]:
    """Dependencies into or out of ``project``'s tasks (cross-project ones included), with both
    tasks and their projects loaded, ordered by successor then predecessor. With ``user``, only
    those whose successor's project the user may see: a dependency belongs to its successor's
    project (``dependency_get``), so a link out to another project does not reveal its tasks."""
    qs = TaskDependency.objects.filter(Q(successor__project=project) | Q(predecessor__project=project))
    if user is not None:
        qs = qs.filter(successor__project__in=_visible(user))
    return qs.select_related("predecessor__project", "successor__project").order_by(
        "successor__wbs_code", "predecessor__wbs_code", "id"
    )


def dependency_get(*, user: User | AnonymousUser, pk: int) -> TaskDependency:
    """A dependency whose successor is in a project the user may see, else ``DoesNotExist``."""
    return (
        TaskDependency.objects.filter(successor__project__in=_visible(user))
        .select_related("predecessor__project", "successor__project")
        .get(pk=pk)
    )


# Calendars ---------------------------------------------------------------------------------------------


def calendar_list() -> QuerySet[WorkCalendar]:
    """Every working calendar, built-in first, with ``project_count`` (projects using it)."""
    return WorkCalendar.objects.annotate(project_count=Count("projects")).order_by("-is_builtin", "name")


def calendar_get(*, pk: int) -> WorkCalendar:
    """One calendar with ``project_count``, else ``WorkCalendar.DoesNotExist``."""
    return calendar_list().get(pk=pk)


def calendar_by_id(*, pk: int, field: str) -> WorkCalendar:
    """A calendar named by id in a request; unknown → 422 on ``field``."""
    calendar = WorkCalendar.objects.filter(pk=pk).first()
    if calendar is None:
        raise ValidationError({field: [_("Unknown calendar.")]})
    return calendar


# Baselines ---------------------------------------------------------------------------------------------


def baseline_list(*, project: Project) -> QuerySet[Baseline]:
    """The project's baselines, newest first, with who saved them and ``task_count``."""
    return (
        Baseline.objects.filter(project=project)
        .select_related("saved_by")
        .annotate(task_count=Count("tasks"))
        .order_by("-created_at", "-id")
    )


def baseline_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> Baseline:
    """A baseline of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = Baseline.objects.filter(project__in=_visible(user)).select_related("project", "saved_by")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.annotate(task_count=Count("tasks")).get(pk=pk)


@dataclass
class VarianceRow:
    """One task compared with a baseline. Variances are in working days on the project's calendar,
    positive = later than the baseline; ``None`` when either side has no date. A task added after
    the baseline has no baseline values; a task deleted since has no current ones (``task`` None)."""

    task: Task | None
    wbs_code: str
    name: str
    baseline_start: date | None
    baseline_finish: date | None
    baseline_duration: int | None
    current_start: date | None
    current_finish: date | None
    current_duration: int | None
    start_variance_days: int | None
    finish_variance_days: int | None
    slipped: bool

    @property
    def duration_variance_days(self) -> int | None:
        if self.baseline_duration is None or self.current_duration is None:
            return None
        return self.current_duration - self.baseline_duration


def baseline_variance(*, baseline: Baseline) -> list[VarianceRow]:
    """Start, finish and duration variance of every task against ``baseline``, in WBS order (tasks
    deleted since the baseline last); ``slipped`` = finishing later than the baseline."""
    project = Project.objects.select_related("calendar").get(pk=baseline.project_id)
    calendar = planning.project_calendar(project)
    origin = planning.project_start(project)
    saved = {row.task_id: row for row in BaselineTask.objects.filter(baseline=baseline)}
    pairs: list[tuple[Task | None, BaselineTask | None]] = [
        (task, saved.pop(task.pk, None)) for task in task_tree(project=project)
    ]
    pairs += [(None, row) for row in sorted(saved.values(), key=lambda row: (row.wbs_code, row.pk))]

    def offsets(values: list[date | None], *, finish: bool) -> list[int | None]:
        return planning.working_day_offsets(calendar, origin, values, finish=finish)

    base_start = offsets([row.start_date if row else None for _task, row in pairs], finish=False)
    base_finish = offsets([row.finish_date if row else None for _task, row in pairs], finish=True)
    now_start = offsets([task.start_date if task else None for task, _row in pairs], finish=False)
    now_finish = offsets([task.finish_date if task else None for task, _row in pairs], finish=True)
    result = []
    for i, (task, row) in enumerate(pairs):
        start_var = None if now_start[i] is None or base_start[i] is None else now_start[i] - base_start[i]
        finish_var = (
            None if now_finish[i] is None or base_finish[i] is None else now_finish[i] - base_finish[i]
        )
        source: Any = task or row
        result.append(
            VarianceRow(
                task=task,
                wbs_code=source.wbs_code,
                name=source.name,
                baseline_start=row.start_date if row else None,
                baseline_finish=row.finish_date if row else None,
                baseline_duration=row.duration_days if row else None,
                current_start=task.start_date if task else None,
                current_finish=task.finish_date if task else None,
                current_duration=task.duration_days if task else None,
                start_variance_days=start_var,
                finish_variance_days=finish_var,
                slipped=bool(finish_var and finish_var > 0),
            )
        )
    return result


# Gantt and schedule ------------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def gantt_data(*, project: Project, baseline: Baseline | None = None) -> dict[str, Any]:
    """The Gantt chart's data, JSON-ready (dates as ISO strings, ``end`` = the finish date):
    ``{"tasks": [{"id", "wbs", "name", "start", "end", "progress", "dependencies" (ids of
    predecessors in this project, as strings), "is_summary", "is_milestone", "is_critical",
    "parent", "depth", "baseline_start", "baseline_end", "total_float"}], "today", "status_date",
    "finish"}`` — tasks in WBS order; three queries (four with a baseline)."""
    rows = list(
        Task.objects.filter(project=project)
        .order_by()
        .values_list(
            "id",
            "parent_id",
            "position",
            "wbs_code",
            "name",
            "start_date",
            "finish_date",
            "percent_complete",
            "is_summary",
            "duration_days",
            "is_critical",
            "total_float_days",
            named=True,
        )
    )
    predecessors: dict[int, list[str]] = {}
    for pred, succ in TaskDependency.objects.filter(
        successor__project=project, predecessor__project=project
    ).values_list("predecessor_id", "successor_id"):
        predecessors.setdefault(succ, []).append(str(pred))
    saved: dict[int | None, tuple[date | None, date | None]] = {}
    if baseline is not None:
        saved = {
            task_id: (start, finish)
            for task_id, start, finish in BaselineTask.objects.filter(baseline=baseline).values_list(
                "task_id", "start_date", "finish_date"
            )
        }
    by_id = {row.id: row for row in rows}
    tasks = []
    for node in planning.tree_order((row.id, row.parent_id, row.position) for row in rows):
        row = by_id[node.id]
        base = saved.get(row.id, (None, None))
        tasks.append(
            {
                "id": row.id,
                "wbs": node.wbs_code,
                "name": row.name,
                "start": _iso(row.start_date),
                "end": _iso(row.finish_date),
                "progress": row.percent_complete,
                "dependencies": sorted(predecessors.get(row.id, []), key=int),
                "is_summary": node.has_children,
                "is_milestone": not node.has_children and row.duration_days == 0,
                "is_critical": row.is_critical,
                "parent": node.parent_id,
                "depth": node.depth,
                "baseline_start": _iso(base[0]),
                "baseline_end": _iso(base[1]),
                "total_float": row.total_float_days,
            }
        )
    return {
        "tasks": tasks,
        "today": timezone.localdate().isoformat(),
        "status_date": _iso(project.status_date),
        "finish": _iso(project.scheduled_finish_date),
    }


def schedule_data(*, project: Project) -> dict[str, Any]:
    """The project's schedule computed now from its rows (nothing stored): per task its dates, early
    and late dates, total and free float and flags; the critical path(s) (task ids, first to last),
    the tasks with negative float, the dependencies broken by hard constraints, the calendar years
    without holiday data, the start, finish and duration in working days. JSON-ready."""
    project = Project.objects.select_related("calendar").get(pk=project.pk)
    plan = planning.project_plan(project)
    names = {
        row[0]: row[1:]
        for row in Task.objects.filter(project=project).values_list(
            "id", "wbs_code", "name", "parent_id", "position"
        )
    }
    order = planning.tree_order(
        (pk, parent, position) for pk, (_wbs, _name, parent, position) in names.items()
    )
    tasks = []
    for node in order:
        item = plan.tasks.get(node.id)
        if item is None:
            continue
        tasks.append(
            {
                "id": node.id,
                "wbs": node.wbs_code,
                "name": names[node.id][1],
                "start": _iso(item.start_date),
                "finish": _iso(item.finish_date),
                "early_start": _iso(item.early_start_date),
                "early_finish": _iso(item.early_finish_date),
                "late_start": _iso(item.late_start_date),
                "late_finish": _iso(item.late_finish_date),
                "duration_days": item.duration_days,
                "total_float": item.total_float_days,
                "free_float": item.free_float_days,
                "is_critical": item.is_critical,
                "is_near_critical": item.is_near_critical,
                "is_summary": item.is_summary,
                "is_milestone": item.is_milestone,
            }
        )
    return {
        "project_id": project.pk,
        "calendar": plan.calendar.name,
        "start": _iso(plan.start),
        "finish": _iso(plan.finish),
        "duration_days": plan.duration_days,
        "status_date": _iso(plan.status_date),
        "scheduled_at": project.scheduled_at,
        "critical_path": plan.critical_path,
        "critical_paths": plan.critical_paths,
        "negative_float": plan.negative_float,
        "violated_dependencies": [
            {
                "predecessor_id": link.predecessor_id,
                "successor_id": link.successor_id,
                "dependency_type": link.dependency_type,
                "lag_days": link.lag_days,
                "message": link.message,
            }
            for link in plan.violated
        ],
        "uncovered_years": plan.uncovered_years,
        "tasks": tasks,
    }


def task_deliverable(*, project: Project, pk: int, field: str) -> Deliverable:
    """A deliverable of ``project`` named by id in a task write; unknown → 422 on ``field``."""
    deliverable = Deliverable.objects.filter(project=project, pk=pk).first()
    if deliverable is None:
        raise ValidationError({field: [_("Choose a deliverable of this project.")]})
    return deliverable


def task_milestone(*, project: Project, pk: int, field: str) -> Milestone:
    """A milestone of ``project`` named by id in a task write; unknown → 422 on ``field``."""
    milestone = Milestone.objects.filter(project=project, pk=pk).first()
    if milestone is None:
        raise ValidationError({field: [_("Choose a milestone of this project.")]})
    return milestone
