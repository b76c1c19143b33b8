"""The bridge between the plan's rows and the schedule engine (``clientpm.scheduling``).

This is the only module that turns ``WorkCalendar``/``Task``/``TaskDependency`` rows into the
engine's plain data and writes the engine's results back. Services call
:func:`project_reschedule` after every write (in the same transaction), the Huey job
(``projects/tasks.py``) calls it for big projects, and the queries call :func:`project_plan` for a
read-only computation (the schedule endpoint) and :func:`project_calendar` for working-day maths;
the schedule-risk service takes the same network from :func:`project_network` to simulate it.

How rows become an engine network
---------------------------------
- **Leaf tasks** are engine tasks with their duration, constraint, deadline and progress (actual
  start/finish, percent complete).
- **Summary tasks** (tasks with children) have no duration of their own. Each is two milestones
  in the network: a *start* node that every child follows (start-to-start, lag 0) and a *finish*
  node that follows every child (finish-to-finish, lag 0). A dependency on a summary acts on the
  node its type reads or drives (FS/FF from the summary's finish, SS/SF from its start; FS/SS into
  its start, so the whole summary moves), which is how Microsoft Project links summaries. A
  summary's start constraint (SNET, SNLT, MSO) sits on its start node, a finish constraint (FNET,
  FNLT, MFO) and its deadline on its finish node; "as late as possible" is treated as ASAP.
  Its dates, late dates, float, critical flag, effort and percent complete are rolled up from its
  leaves (``scheduling.rollup``); its stored duration is the working days from start to finish.
- **Cross-project dependencies** (projects of the same customer): a predecessor in another project
  enters the network as a fixed task at its stored dates (finished, so it never moves, has no
  float and is never critical). After a project is rescheduled, the projects holding successors of
  its moved tasks are rescheduled too (``RescheduleResult.dependents``).
- **Project**: the schedule starts at the planned start (else the actual start, else the creation
  date), the planned finish is the project deadline (missing it shows as negative float), and the
  status date is the progress "data date". The calendar is the project's, else the built-in China
  calendar.

Computed values are derived data: they are written with plain ``UPDATE`` statements for the rows
that changed, without bumping versions or writing change records.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.projects.models import CalendarBase, Project, Task, TaskDependency, TaskStatus, WorkCalendar
from clientpm.projects.models import ConstraintType as ConstraintChoice
from clientpm.projects.models import DependencyType as DependencyChoice
from clientpm.scheduling import (
    ConstraintType,
    CycleError,
    Dependency,
    DependencyType,
    Leaf,
    Schedule,
    SchedulingError,
    WorkingCalendar,
    china_calendar,
    monday_to_friday,
    schedule,
    summary_rollup,
)
from clientpm.scheduling import Task as EngineTask
from clientpm.scheduling.calendar import add_working_days, calendar_extend, working_day_index
from clientpm.scheduling.dag import topological_levels

__all__ = [
    "CALENDAR_SPAN_YEARS",
    "PlanTask",
    "ProjectNetwork",
    "ProjectPlan",
    "RescheduleResult",
    "engine_calendar",
    "inline_max_tasks",
    "next_working_day",
    "project_calendar",
    "project_check",
    "project_network",
    "project_plan",
    "project_renumber",
    "project_reschedule",
    "project_start",
    "tree_order",
    "working_day_offsets",
    "working_days",
]

CALENDAR_SPAN_YEARS = 30
"""A project's calendar covers the year before its start to this many years after (uncovered years
of China's holiday data are reported by the schedule)."""

_CONSTRAINTS = {choice.value: ConstraintType[choice.name] for choice in ConstraintChoice}
_DEPENDENCIES = {choice.value: DependencyType[choice.name] for choice in DependencyChoice}
_START_CONSTRAINTS = (ConstraintType.SNET, ConstraintType.SNLT, ConstraintType.MSO)
_FINISH_CONSTRAINTS = (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO)
_HARD_CONSTRAINTS = (ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO)


def inline_max_tasks() -> int:
    """Projects with more tasks than this are rescheduled by the background job, not in the request."""
    return int(getattr(settings, "CLIENTPM_SCHEDULE_INLINE_MAX_TASKS", 2000))


# Calendars ------------------------------------------------------------------------------------------


def _iso_dates(values: Iterable[Any]) -> tuple[date, ...]:
    return tuple(value if isinstance(value, date) else date.fromisoformat(value) for value in values or ())


@functools.lru_cache(maxsize=128)
def _engine_calendar(
    name: str,
    base: str,
    weekmask: str,
    holidays: tuple[date, ...],
    extra: tuple[date, ...],
    first_year: int,
    last_year: int,
) -> WorkingCalendar:
    core = china_calendar(first_year, last_year) if base == CalendarBase.CHINA else monday_to_friday()
    if not holidays and not extra and weekmask == core.weekmask:
        # same days as the base, but the schedule must still show the company calendar's name
        return core if core.name == name else dataclasses.replace(core, name=name)
    extended = calendar_extend(core, name=name, holidays=holidays, extra_working_days=extra)
    return dataclasses.replace(extended, weekmask=weekmask)


def engine_calendar(
    work_calendar: WorkCalendar | None, *, first_year: int, last_year: int
) -> WorkingCalendar:
    """The engine's calendar for a ``WorkCalendar`` row (``None``: the built-in China calendar),
    covering ``first_year``…``last_year`` with China's holidays when the base is China.

    Raises ``SchedulingError`` for inconsistent data (a date both a holiday and a working day,
    a weekmask without working days)."""
    if work_calendar is None:
        return china_calendar(first_year, last_year)
    return _engine_calendar(
        work_calendar.name,
        work_calendar.base,
        work_calendar.working_weekdays,
        _iso_dates(work_calendar.holidays),
        _iso_dates(work_calendar.extra_working_days),
        first_year,
        last_year,
    )


def project_start(project: Project) -> date:
    """The date the project's schedule starts from: planned start, else actual start, else creation."""
    return (
        project.planned_start_date
        or project.actual_start_date
        or timezone.localdate(project.created_at or timezone.now())
    )


def project_calendar(project: Project) -> WorkingCalendar:
    """The engine calendar the project is scheduled on (loads ``project.calendar`` if not cached)."""
    year = project_start(project).year
    return engine_calendar(project.calendar, first_year=year - 1, last_year=year + CALENDAR_SPAN_YEARS)


def working_day_offsets(
    calendar: WorkingCalendar, origin: date, dates: Sequence[date | None], *, finish: bool
) -> list[int | None]:
    """Working-day index of each date counted from ``origin`` (``None`` stays ``None``); finishes on
    non-working days count as the working day before, starts as the working day after. The
    difference of two offsets is a variance in working days."""
    present = [value for value in dates if value is not None]
    if not present:
        return [None] * len(dates)
    indices = iter(
        working_day_index(calendar, present, origin=origin, roll="backward" if finish else "forward").tolist()
    )
    return [None if value is None else next(indices) for value in dates]


# The WBS tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One task's place in the WBS: its depth (0 = top level), code and position among siblings."""

    id: int
    parent_id: int | None
    depth: int
    wbs_code: str
    position: int
    has_children: bool


def tree_order(rows: Iterable[tuple[int, int | None, int]]) -> list[TreeNode]:
    """The tasks ``(id, parent_id, position)`` in WBS order (depth first, siblings by position then
    id), with positions renumbered 0, 1, 2… and WBS codes 1, 1.2, 1.2.3. Children of a missing
    parent are treated as top-level. Linear in the number of tasks."""
    rows = list(rows)
    known = {row[0] for row in rows}
    children: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for task_id, parent_id, position in rows:
        children[parent_id if parent_id in known else None].append((position, task_id))
    for siblings in children.values():
        siblings.sort()
    result: list[TreeNode] = []
    stack: list[tuple[int, int | None, int, str]] = [
        (task_id, None, 0, str(i + 1)) for i, (_, task_id) in reversed(list(enumerate(children[None])))
    ]
    while stack:
        task_id, parent_id, depth, code = stack.pop()
        below = children.get(task_id, [])
        result.append(
            TreeNode(task_id, parent_id, depth, code, int(code.rsplit(".", 1)[-1]) - 1, bool(below))
        )
        stack.extend(
            (child, task_id, depth + 1, f"{code}.{i + 1}")
            for i, (_, child) in reversed(list(enumerate(below)))
        )
    return result


def _update_rows(fields: Sequence[str], rows: list[list[Any]]) -> None:
    """Set ``fields`` of many task rows, each row ``[*values, id]`` (values adapted for the database).

    PostgreSQL gets one ``UPDATE … FROM unnest(<one array per column>)`` (a statement per row would
    cost a round trip each); SQLite, in-process, runs one prepared ``UPDATE`` per row."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(Task._meta.db_table)
    pk = ops.quote_name(Task._meta.pk.column)
    model_fields = [Task._meta.get_field(name) for name in fields]
    columns = [ops.quote_name(field.column) for field in model_fields]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)
            return
        types = [field.db_type(connection) for field in model_fields] + ["bigint"]
        names = [f"c{i}" for i in range(len(fields))]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        sets = ", ".join(f"{column} = v.{name}" for column, name in zip(columns, names, strict=True))
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({', '.join(names)}, id) "
            f"WHERE {table}.{pk} = v.id",
            [list(column) for column in zip(*rows, strict=True)],
        )


def project_renumber(project_id: int) -> list[TreeNode]:
    """Renumber the project's WBS: positions 0, 1, 2… among siblings, codes 1, 1.2, 1.2.3 and the
    summary flag (a task with children), written for the rows that changed (derived data: no
    version bump, no change record). Returns the tree in WBS order."""
    rows = list(
        Task.objects.filter(project_id=project_id)
        .order_by()
        .values_list("id", "parent_id", "position", "wbs_code", "is_summary")
    )
    nodes = tree_order((task_id, parent_id, position) for task_id, parent_id, position, _c, _s in rows)
    old = {row[0]: row[2:] for row in rows}
    changed = [
        [node.position, node.wbs_code, node.has_children, node.id]
        for node in nodes
        if old[node.id] != (node.position, node.wbs_code, node.has_children)
    ]
    _update_rows(("position", "wbs_code", "is_summary"), changed)
    return nodes


# Computing a plan -----------------------------------------------------------------------------------

_TASK_FIELDS = (
    "id",
    "parent_id",
    "position",
    "wbs_code",
    "name",
    "duration_days",
    "effort_hours",
    "constraint_type",
    "constraint_date",
    "deadline_date",
    "percent_complete",
    "actual_start_date",
    "actual_finish_date",
    "status",
)
_COMPUTED = (
    "is_summary",
    "start_date",
    "finish_date",
    "late_start_date",
    "late_finish_date",
    "total_float_days",
    "free_float_days",
    "is_critical",
)
_ROLLED_UP = ("duration_days", "effort_hours", "percent_complete", "status")


@dataclass(frozen=True, slots=True)
class PlanTask:
    """The computed schedule of one task (leaf or summary), ready to store or show."""

    id: int
    is_summary: bool
    start_date: date
    finish_date: date
    early_start_date: date
    early_finish_date: date
    late_start_date: date
    late_finish_date: date
    total_float_days: int
    free_float_days: int | None
    is_critical: bool
    is_near_critical: bool
    is_milestone: bool
    duration_days: int
    effort_hours: Decimal | None
    percent_complete: int
    status: str


@dataclass(frozen=True)
class ViolatedLink:
    """A dependency the scheduled dates break because a hard constraint won (names for messages)."""

    predecessor_id: int
    successor_id: int
    dependency_type: str
    lag_days: int
    message: str


@dataclass(frozen=True)
class ProjectPlan:
    """A computed schedule of one project, keyed by task id (ghost nodes removed)."""

    project_id: int
    calendar: WorkingCalendar
    start: date
    finish: date | None
    status_date: date | None
    tasks: dict[int, PlanTask]
    critical_path: list[int]
    critical_paths: list[list[int]]
    negative_float: list[int]
    violated: list[ViolatedLink]
    uncovered_years: list[int]
    duration_days: int
    stored: dict[int, tuple[Any, ...]] = field(repr=False, default_factory=dict)
    """The computed columns as stored before this computation (``_COMPUTED + _ROLLED_UP``)."""
    stored_float: dict[int, int | None] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class RescheduleResult:
    """What :func:`project_reschedule` did: the plan, how many task rows changed, and the other
    projects whose tasks depend on tasks that moved (to reschedule next)."""

    plan: ProjectPlan
    changed: int
    dependents: set[int]


def _label(name: str, wbs: str) -> str:
    return f"{wbs} {name}".strip()


def _node_task(node: Hashable) -> int:
    """The task id behind an engine node (a task id, or ("s"|"f"|"x", task id))."""
    return node[1] if isinstance(node, tuple) else int(node)  # type: ignore[arg-type]


@dataclass
class _Network:
    tasks: list[EngineTask]
    links: list[Dependency]
    rows: dict[int, Any]
    summaries: set[int]
    parents: dict[int, int | None]
    external: dict[int, Any]
    link_rows: list[Any]


def _load(project: Project) -> tuple[list[Any], list[Any], dict[int, Any]]:
    rows = list(
        Task.objects.filter(project_id=project.pk)
        .order_by()
        .values_list(*_TASK_FIELDS, *_COMPUTED, named=True)
    )
    links = list(
        TaskDependency.objects.filter(successor__project_id=project.pk)
        .order_by()
        .values_list(
            "predecessor_id",
            "successor_id",
            "dependency_type",
            "lag_days",
            "predecessor__project_id",
            named=True,
        )
    )
    outside = {link.predecessor_id for link in links if link.predecessor__project_id != project.pk}
    external = {}
    if outside:
        external = {
            row.id: row
            for row in Task.objects.filter(pk__in=outside)
            .order_by()
            .values_list("id", "name", "wbs_code", "start_date", "finish_date", "project__code", named=True)
        }
    return rows, links, external


def _network(project: Project, calendar: WorkingCalendar) -> _Network:
    rows, links, external = _load(project)
    by_id = {row.id: row for row in rows}
    parents = {row.id: (row.parent_id if row.parent_id in by_id else None) for row in rows}
    summaries = {parent for parent in parents.values() if parent is not None}
    tasks: list[EngineTask] = []
    engine_links: list[Dependency] = []
    for row in rows:
        constraint = _CONSTRAINTS.get(row.constraint_type, ConstraintType.ASAP)
        constraint_date = (
            row.constraint_date if constraint not in (ConstraintType.ASAP, ConstraintType.ALAP) else None
        )
        if constraint_date is None:
            constraint = ConstraintType.ALAP if constraint == ConstraintType.ALAP else ConstraintType.ASAP
        if row.id in summaries:
            on_start = constraint in _START_CONSTRAINTS
            on_finish = constraint in _FINISH_CONSTRAINTS
            tasks.append(
                EngineTask(
                    ("s", row.id),
                    0,
                    constraint if on_start else ConstraintType.ASAP,
                    constraint_date if on_start else None,
                )
            )
            tasks.append(
                EngineTask(
                    ("f", row.id),
                    0,
                    constraint if on_finish else ConstraintType.ASAP,
                    constraint_date if on_finish else None,
                    deadline=row.deadline_date,
                )
            )
        else:
            actual_start, actual_finish = row.actual_start_date, row.actual_finish_date
            if actual_start and actual_finish and actual_finish < actual_start:
                actual_start = None
            tasks.append(
                EngineTask(
                    row.id,
                    row.duration_days,
                    constraint,
                    constraint_date,
                    deadline=row.deadline_date,
                    actual_start=actual_start,
                    actual_finish=actual_finish,
                    percent_complete=float(row.percent_complete),
                )
            )
        parent = parents[row.id]
        if parent is not None:
            first = ("s", row.id) if row.id in summaries else row.id
            last = ("f", row.id) if row.id in summaries else row.id
            engine_links.append(Dependency(("s", parent), first, DependencyType.SS, 0))
            engine_links.append(Dependency(last, ("f", parent), DependencyType.FF, 0))
    used_external: set[int] = set()
    kept_links = []
    for link in links:
        kind = _DEPENDENCIES.get(link.dependency_type, DependencyType.FS)
        from_start = kind in (DependencyType.SS, DependencyType.SF)
        to_start = kind in (DependencyType.FS, DependencyType.SS)
        if link.predecessor_id in by_id:
            pred: Hashable = link.predecessor_id
            if pred in summaries:
                pred = ("s" if from_start else "f", pred)
        else:
            ext = external.get(link.predecessor_id)
            if ext is None or ext.start_date is None or ext.finish_date is None:
                continue  # not scheduled yet: nothing to follow
            pred = ("x", link.predecessor_id)
            used_external.add(link.predecessor_id)
        succ: Hashable = link.successor_id
        if succ in summaries:
            succ = ("s" if to_start else "f", succ)
        engine_links.append(Dependency(pred, succ, kind, link.lag_days))
        kept_links.append(link)
    for task_id in sorted(used_external):
        ext = external[task_id]
        span = working_days(calendar, ext.start_date, ext.finish_date)
        tasks.append(
            EngineTask(
                ("x", task_id),
                span,
                actual_start=ext.start_date if span else None,
                actual_finish=ext.finish_date,
            )
        )
    return _Network(tasks, engine_links, by_id, summaries, parents, external, kept_links)


def _names(network: _Network, node: Hashable) -> str:
    task_id = _node_task(node)
    row = network.rows.get(task_id)
    if row is not None:
        return _label(row.name, row.wbs_code)
    ext = network.external.get(task_id)
    return f"{ext.project__code} {_label(ext.name, ext.wbs_code)}" if ext else str(task_id)


def _wbs_key(network: _Network, task_id: int) -> tuple[int, tuple[int, ...], int]:
    """Sorts the project's tasks in WBS order (1, 1.2, 1.10, 2), other projects' tasks after them."""
    row = network.rows.get(task_id)
    code = row.wbs_code if row is not None else ""
    return (
        0 if row is not None else 1,
        tuple(int(part) for part in code.split(".") if part.isdigit()),
        task_id,
    )


def _cycle_error(network: _Network, error: CycleError) -> ValidationError:
    tasks: list[int] = []
    for node in error.cycle:
        task_id = _node_task(node)
        if not tasks or tasks[-1] != task_id:
            tasks.append(task_id)
    if len(tasks) > 1 and tasks[0] == tasks[-1]:
        tasks.pop()
    # The engine may enter the circle anywhere (row order differs between databases): start it at
    # its first task in WBS order so the message is always the same.
    first = min(range(len(tasks)), key=lambda i: _wbs_key(network, tasks[i]))
    names = [_names(network, task_id) for task_id in tasks[first:] + tasks[:first]]
    return ValidationError(
        _("These tasks depend on each other in a circle: %(tasks)s.")
        % {"tasks": " → ".join([*names, names[0]])},
        code="cycle",
    )


def _run(project: Project, network: _Network, calendar: WorkingCalendar, start: date) -> Schedule:
    try:
        return schedule(
            network.tasks,
            network.links,
            calendar=calendar,
            project_start=start,
            project_deadline=project.planned_finish_date,
            status_date=project.status_date,
        )
    except CycleError as error:
        raise _cycle_error(network, error) from None
    except SchedulingError as error:
        raise ValidationError(str(error), code="schedule") from None


def _ancestor_links(network: _Network) -> list[str]:
    """Dependencies between a task and one of its own summary tasks (they cannot be scheduled)."""
    problems = []
    for link in network.link_rows:
        pred, succ = link.predecessor_id, link.successor_id
        if pred not in network.rows:
            continue
        for low, high in ((pred, succ), (succ, pred)):
            parent = network.parents.get(low)
            while parent is not None:
                if parent == high:
                    problems.append(
                        _(
                            "“%(task)s” cannot depend on or be a predecessor of its own summary task “%(summary)s”."
                        )
                        % {"task": _names(network, low), "summary": _names(network, high)}
                    )
                    break
                parent = network.parents.get(parent)
    return problems


def project_check(project: Project) -> None:
    """Refuse (``ValidationError`` naming the tasks) a plan whose dependencies form a cycle or link a
    task with its own summary — without computing or storing dates (the big-project path)."""
    calendar = project_calendar(project)
    network = _network(project, calendar)
    problems = _ancestor_links(network)
    if problems:
        raise ValidationError(problems, code="summary_link")
    number = {task.id: i for i, task in enumerate(network.tasks)}
    try:
        topological_levels(
            len(network.tasks),
            [number[link.predecessor] for link in network.links],
            [number[link.successor] for link in network.links],
        )
    except CycleError as error:
        raise _cycle_error(network, CycleError([network.tasks[int(i)].id for i in error.cycle])) from None


def _violations(network: _Network, result: Schedule) -> list[ViolatedLink]:
    out = []
    for link in result.violated_dependencies:
        pred, succ = _node_task(link.predecessor), _node_task(link.successor)
        row = network.rows.get(succ)
        constraint = ConstraintChoice(row.constraint_type).label if row else ""
        out.append(
            ViolatedLink(
                pred,
                succ,
                DependencyType(link.type).name,
                link.lag,
                _(
                    "“%(task)s” cannot keep its constraint “%(constraint)s %(date)s”: it conflicts with “%(other)s”."
                )
                % {
                    "task": _names(network, link.successor),
                    "constraint": str(constraint).lower(),
                    "date": row.constraint_date.isoformat() if row and row.constraint_date else "",
                    "other": _names(network, link.predecessor),
                },
            )
        )
    return out


@dataclass(frozen=True)
class ProjectNetwork:
    """The engine's network of a project, exactly as :func:`project_plan` schedules it: leaf tasks
    keyed by task id, each summary as its ``("s", id)`` and ``("f", id)`` milestones, other
    projects' predecessors as fixed ``("x", id)`` tasks; with the calendar, start, deadline
    (planned finish) and status date. The schedule-risk simulation draws durations on it."""

    tasks: list[EngineTask]
    dependencies: list[Dependency]
    calendar: WorkingCalendar
    start: date
    deadline: date | None
    status_date: date | None
    summaries: frozenset[int]


def project_network(project: Project) -> ProjectNetwork:
    """The project's engine network without scheduling it (see :class:`ProjectNetwork`).

    Raises ``ValidationError`` naming the tasks when a task is linked with its own summary task."""
    calendar = project_calendar(project)
    network = _network(project, calendar)
    problems = _ancestor_links(network)
    if problems:
        raise ValidationError(problems, code="summary_link")
    return ProjectNetwork(
        tasks=network.tasks,
        dependencies=network.links,
        calendar=calendar,
        start=project_start(project),
        deadline=project.planned_finish_date,
        status_date=project.status_date,
        summaries=frozenset(network.summaries),
    )


def project_plan(project: Project) -> ProjectPlan:
    """Compute the project's schedule from its rows without storing anything.

    Raises ``ValidationError`` naming the tasks when the dependencies form a cycle or a task is
    linked with its own summary task."""
    calendar = project_calendar(project)
    start = project_start(project)
    network = _network(project, calendar)
    problems = _ancestor_links(network)
    if problems:
        raise ValidationError(problems, code="summary_link")
    result = _run(project, network, calendar, start)
    rows = network.rows
    plan_tasks: dict[int, PlanTask] = {}
    leaves: dict[Hashable, Leaf] = {}
    for task_id, row in rows.items():
        if task_id in network.summaries:
            continue
        item = result.tasks[task_id]
        plan_tasks[task_id] = PlanTask(
            id=task_id,
            is_summary=False,
            start_date=item.start,
            finish_date=item.finish,
            early_start_date=item.early_start,
            early_finish_date=item.early_finish,
            late_start_date=item.late_start,
            late_finish_date=item.late_finish,
            total_float_days=item.total_float,
            free_float_days=item.free_float,
            is_critical=item.critical,
            is_near_critical=item.near_critical,
            is_milestone=item.milestone,
            duration_days=row.duration_days,
            effort_hours=row.effort_hours,
            percent_complete=row.percent_complete,
            status=row.status,
        )
        leaves[task_id] = Leaf(item.start, item.finish, row.duration_days, float(row.percent_complete))
    if network.summaries:
        _roll_up(network, result, calendar, leaves, plan_tasks)
    stored = {
        task_id: tuple(getattr(row, name) for name in (*_COMPUTED, *_ROLLED_UP))
        for task_id, row in rows.items()
    }
    real = [node for node in result.critical_path if not isinstance(node, tuple)]
    return ProjectPlan(
        project_id=project.pk,
        calendar=calendar,
        start=result.project_start,
        finish=result.project_finish if rows else None,
        status_date=project.status_date,
        tasks=plan_tasks,
        critical_path=[int(node) for node in real],  # type: ignore[call-overload]
        critical_paths=[
            [int(node) for node in path if not isinstance(node, tuple)]  # type: ignore[call-overload]
            for path in result.critical_paths
        ],
        negative_float=sorted(
            {_node_task(node) for node in result.negative_float if _node_task(node) in rows}
        ),
        violated=_violations(network, result),
        uncovered_years=list(result.uncovered_years),
        duration_days=result.duration if rows else 0,
        stored=stored,
        stored_float={task_id: row.total_float_days for task_id, row in rows.items()},
    )


def _roll_up(
    network: _Network,
    result: Schedule,
    calendar: WorkingCalendar,
    leaves: dict[Hashable, Leaf],
    plan_tasks: dict[int, PlanTask],
) -> None:
    """Give every summary the dates, late dates, float, critical flag, effort and progress of its
    leaves (one walk up the tree per leaf)."""
    rolled = summary_rollup(network.parents, leaves)
    late_start: dict[int, date] = {}
    late_finish: dict[int, date] = {}
    early_start: dict[int, date] = {}
    early_finish: dict[int, date] = {}
    total_float: dict[int, int] = {}
    critical: dict[int, bool] = {}
    near: dict[int, bool] = {}
    effort: dict[int, Decimal | None] = {}
    statuses: dict[int, set[str]] = defaultdict(set)
    for task_id, leaf in plan_tasks.items():
        parent = network.parents.get(task_id)
        hours = leaf.effort_hours
        while parent is not None:
            statuses[parent].add(leaf.status)
            if parent in late_start:
                late_start[parent] = min(late_start[parent], leaf.late_start_date)
                late_finish[parent] = max(late_finish[parent], leaf.late_finish_date)
                early_start[parent] = min(early_start[parent], leaf.early_start_date)
                early_finish[parent] = max(early_finish[parent], leaf.early_finish_date)
                total_float[parent] = min(total_float[parent], leaf.total_float_days)
                critical[parent] = critical[parent] or leaf.is_critical
                near[parent] = near[parent] or leaf.is_near_critical
                if hours is not None:
                    effort[parent] = (effort[parent] or Decimal(0)) + hours
            else:
                late_start[parent], late_finish[parent] = leaf.late_start_date, leaf.late_finish_date
                early_start[parent], early_finish[parent] = leaf.early_start_date, leaf.early_finish_date
                total_float[parent] = leaf.total_float_days
                critical[parent], near[parent] = leaf.is_critical, leaf.is_near_critical
                effort[parent] = hours
            parent = network.parents.get(parent)
    summaries = [task_id for task_id in network.summaries if task_id in rolled]
    starts = [rolled[task_id].start for task_id in summaries]
    finishes = [rolled[task_id].finish for task_id in summaries]
    origin = min(starts) if starts else result.project_start
    first = working_day_offsets(calendar, origin, starts, finish=False)
    last = working_day_offsets(calendar, origin, finishes, finish=True)
    for task_id, begin, end in zip(summaries, first, last, strict=True):
        rollup = rolled[task_id]
        plan_tasks[task_id] = PlanTask(
            id=task_id,
            is_summary=True,
            start_date=rollup.start,
            finish_date=rollup.finish,
            early_start_date=early_start[task_id],
            early_finish_date=early_finish[task_id],
            late_start_date=late_start[task_id],
            late_finish_date=late_finish[task_id],
            total_float_days=total_float[task_id],
            free_float_days=None,
            is_critical=critical[task_id],
            is_near_critical=near[task_id],
            is_milestone=False,
            duration_days=max(0, (end or 0) - (begin or 0) + 1),
            effort_hours=effort[task_id],
            percent_complete=round(rollup.percent_complete),
            status=_summary_status(statuses[task_id]),
        )


def _summary_status(statuses: set[str]) -> str:
    """Done when every task under the summary is done, not started when none has started, else in
    progress (a blocked task counts as under way)."""
    if statuses == {TaskStatus.DONE}:
        return TaskStatus.DONE
    if statuses <= {TaskStatus.NOT_STARTED}:
        return TaskStatus.NOT_STARTED
    return TaskStatus.IN_PROGRESS


def _new_values(task: PlanTask) -> tuple[Any, ...]:
    return (
        task.is_summary,
        task.start_date,
        task.finish_date,
        task.late_start_date,
        task.late_finish_date,
        task.total_float_days,
        task.free_float_days,
        task.is_critical,
    )


def _same_decimal(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is new
    return Decimal(old) == Decimal(new)


def _store(plan: ProjectPlan) -> tuple[int, set[int]]:
    """Write the computed columns of the tasks whose values changed; returns how many changed and
    the ids of the tasks whose dates moved."""
    ops = connection.ops
    plain: list[list[Any]] = []
    summary_rows: list[list[Any]] = []
    moved: set[int] = set()
    for task_id, task in plan.tasks.items():
        old = plan.stored.get(task_id)
        new = _new_values(task)
        changed_core = old is None or old[: len(new)] != new
        rolled_changed = task.is_summary and (
            old is None
            or old[len(new)] != task.duration_days
            or not _same_decimal(old[len(new) + 1], task.effort_hours)
            or old[len(new) + 2] != task.percent_complete
            or old[len(new) + 3] != task.status
        )
        if old is None or old[1:3] != new[1:3]:
            moved.add(task_id)
        if not changed_core and not rolled_changed:
            continue
        values = [
            task.is_summary,
            ops.adapt_datefield_value(task.start_date),
            ops.adapt_datefield_value(task.finish_date),
            ops.adapt_datefield_value(task.late_start_date),
            ops.adapt_datefield_value(task.late_finish_date),
            task.total_float_days,
            task.free_float_days,
            task.is_critical,
        ]
        if task.is_summary:
            summary_rows.append(
                [
                    *values,
                    task.duration_days,
                    ops.adapt_decimalfield_value(task.effort_hours, 10, 2),
                    task.percent_complete,
                    task.status,
                    task_id,
                ]
            )
        else:
            plain.append([*values, task_id])
    _update_rows(_COMPUTED, plain)
    _update_rows(_COMPUTED + _ROLLED_UP, summary_rows)
    return len(plain) + len(summary_rows), moved


def _refuse_new_conflicts(plan: ProjectPlan) -> None:
    """Refuse a write that makes a hard constraint unmeetable: a dependency the dates now break whose
    predecessor was not already late (negative float) before the write."""
    new = [
        link
        for link in plan.violated
        if (plan.stored_float.get(link.predecessor_id) or 0) >= 0
        or link.predecessor_id not in plan.stored_float
    ]
    if new:
        raise ValidationError(list(dict.fromkeys(link.message for link in new)), code="constraint")


def project_reschedule(project: Project | int, *, strict: bool = False) -> RescheduleResult:
    """Compute the project's schedule and store it: every task's computed dates, floats and
    critical flag, summaries' rolled-up duration, effort and progress, and the project's
    ``scheduled_finish_date``/``scheduled_at``. Call it inside the write's transaction.

    ``strict`` (the services' task and dependency writes) refuses, with ``ValidationError`` naming
    the tasks, a change that makes a hard constraint (must start/finish on, start/finish no later
    than) conflict with a dependency; a cycle or a link to an own summary task is always refused.
    Idempotent: running it twice changes nothing the second time."""
    if not isinstance(project, Project):
        project = Project.objects.select_related("calendar").get(pk=project)
    plan = project_plan(project)
    if strict:
        _refuse_new_conflicts(plan)
    changed, moved = _store(plan)
    Project.objects.filter(pk=project.pk).update(
        scheduled_finish_date=plan.finish, scheduled_at=timezone.now()
    )
    dependents: set[int] = set()
    if moved:
        outward = (
            TaskDependency.objects.filter(predecessor__project_id=project.pk)
            .exclude(successor__project_id=project.pk)
            .values_list("predecessor_id", "successor__project_id")
        )
        dependents = {project_id for task_id, project_id in outward if task_id in moved}
    return RescheduleResult(plan=plan, changed=changed, dependents=dependents)


def next_working_day(calendar: WorkingCalendar, day: date) -> date:
    """``day`` if it is a working day of ``calendar``, else the next working day."""
    return add_working_days(calendar, day, 0)


def working_days(calendar: WorkingCalendar, first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``)."""
    offsets = working_day_offsets(calendar, first, [last], finish=True)
    return max(0, int(offsets[0] or 0) + 1)
