"""Scheduling with dates: tasks and dependencies as dataclasses, a working calendar, one call.

This is the engine's friendly face for the Django adapter: :func:`schedule` takes
:class:`Task` and :class:`Dependency` values keyed by any hashable task id, turns their dates into
working-day indices on the project's calendar, runs :func:`clientpm.scheduling.cpm.cpm` and turns
the result back into dates — a :class:`Schedule`. The conventions (what a finish date means, how
lags, constraints, milestones and progress behave) are those of :mod:`clientpm.scheduling.cpm`.

>>> from datetime import date
>>> from clientpm.scheduling.calendar import china_calendar
>>> plan = schedule(
...     [Task("design", 3), Task("build", 2), Task("go-live", 0)],
...     [Dependency("design", "build"), Dependency("build", "go-live")],
...     calendar=china_calendar(2026, 2026),
...     project_start=date(2026, 2, 12),
... )
>>> plan.tasks["design"].finish  # Thu 12, Fri 13, Sat 14 (a working Saturday)
datetime.date(2026, 2, 14)
>>> plan.tasks["build"].start, plan.tasks["go-live"].finish  # after the Spring Festival
(datetime.date(2026, 2, 24), datetime.date(2026, 2, 25))
>>> plan.critical_path
('design', 'build', 'go-live')
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
from numpy.typing import NDArray

from clientpm.scheduling.calendar import WorkingCalendar, working_day_date, working_day_index
from clientpm.scheduling.cpm import NO_DAY, ConstraintType, CpmResult, DependencyType, cpm, critical_paths
from clientpm.scheduling.exceptions import CycleError, InfeasibleError, SchedulingError

__all__ = [
    "Dependency",
    "Schedule",
    "Task",
    "TaskSchedule",
    "require_feasible",
    "schedule",
]

TaskId = Hashable


@dataclass(frozen=True, slots=True)
class Task:
    """A task to schedule: its duration in working days (0 = milestone), constraint and progress.

    ``constraint_date`` is required for every constraint but ASAP and ALAP. ``actual_finish``
    marks the task finished; ``actual_start`` alone marks it in progress, with
    ``remaining_duration`` working days left (default: worked out from ``percent_complete``).
    """

    id: TaskId
    duration: int
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: date | None = None
    deadline: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    percent_complete: float = 0.0
    remaining_duration: int | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """``successor`` depends on ``predecessor`` by ``type``, with ``lag`` working days (< 0: lead)."""

    predecessor: TaskId
    successor: TaskId
    type: DependencyType = DependencyType.FS
    lag: int = 0


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    """The computed dates of one task; ``start``/``finish`` are the dates to show and store."""

    task_id: TaskId
    start: date
    finish: date
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float: int
    free_float: int
    critical: bool
    near_critical: bool
    milestone: bool
    finished: bool
    in_progress: bool


@dataclass(frozen=True, eq=False)
class Schedule:
    """A computed schedule: per-task dates, the critical path(s) and what could not be met.

    ``negative_float`` lists the tasks that cannot meet a constraint or deadline, and
    ``violated_dependencies`` the dependencies overridden by a hard constraint (MSO, MFO, SNLT,
    FNLT) — both empty for a feasible plan. ``uncovered_years`` are the years of the schedule for
    which the calendar had no holiday data. ``arrays`` holds the raw result, in task order.
    """

    tasks: Mapping[TaskId, TaskSchedule]
    project_start: date
    project_finish: date
    critical_path: tuple[TaskId, ...]
    critical_paths: tuple[tuple[TaskId, ...], ...]
    negative_float: tuple[TaskId, ...]
    violated_dependencies: tuple[Dependency, ...]
    uncovered_years: tuple[int, ...]
    arrays: CpmResult

    @property
    def duration(self) -> int:
        """The project's length in working days, from its start to its last finish."""
        return self.arrays.project_finish - self.arrays.project_start


def _days(
    calendar: WorkingCalendar, values: Sequence[date | None], origin: date, *, finish: bool
) -> NDArray[np.int64]:
    """Working-day indices of optional dates (NO_DAY where missing); finishes roll backward."""
    days = np.full(len(values), NO_DAY, dtype=np.int64)
    present = [(i, value) for i, value in enumerate(values) if value is not None]
    if present:
        days[[i for i, _ in present]] = working_day_index(
            calendar, [value for _, value in present], origin=origin, roll="backward" if finish else "forward"
        )
    return days


def _validate(tasks: Sequence[Task]) -> None:
    problems: list[str] = []
    for task in tasks:
        if task.duration < 0:
            problems.append(f"{task.id}: the duration cannot be negative.")
        if task.constraint not in (ConstraintType.ASAP, ConstraintType.ALAP) and task.constraint_date is None:
            problems.append(f"{task.id}: the constraint {task.constraint.name} needs a date.")
        if not 0 <= task.percent_complete <= 100:
            problems.append(f"{task.id}: the percent complete must be between 0 and 100.")
        if task.remaining_duration is not None and task.remaining_duration < 0:
            problems.append(f"{task.id}: the remaining duration cannot be negative.")
        if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
            problems.append(f"{task.id}: the actual finish is before the actual start.")
    if problems:
        raise SchedulingError(" ".join(problems))


def schedule(
    tasks: Iterable[Task],
    dependencies: Iterable[Dependency] = (),
    *,
    calendar: WorkingCalendar,
    project_start: date,
    project_deadline: date | None = None,
    status_date: date | None = None,
    critical_threshold: int = 0,
    near_critical_threshold: int = 5,
    critical_path_limit: int = 10,
) -> Schedule:
    """Schedule ``tasks`` linked by ``dependencies`` on ``calendar`` from ``project_start``.

    ``project_deadline`` limits the late dates (a plan that cannot make it shows negative float);
    ``status_date`` is the first working day on which remaining work can be done. Raises
    :class:`~clientpm.scheduling.exceptions.CycleError` naming the tasks of a cycle, and
    :class:`~clientpm.scheduling.exceptions.SchedulingError` for invalid tasks or dependencies.
    """
    task_list = list(tasks)
    links = list(dependencies)
    _validate(task_list)
    number: dict[TaskId, int] = {}
    for i, task in enumerate(task_list):
        if number.setdefault(task.id, i) != i:
            raise SchedulingError(f"Task {task.id} appears twice.")
    unknown = [task for link in links for task in (link.predecessor, link.successor) if task not in number]
    if unknown:
        names = ", ".join(dict.fromkeys(str(task) for task in unknown))
        raise SchedulingError(f"Dependencies refer to unknown tasks: {names}.")

    origin = project_start
    kinds = np.array([task.constraint for task in task_list], dtype=np.int64)
    start_days = _days(calendar, [task.constraint_date for task in task_list], origin, finish=False)
    finish_days = _days(calendar, [task.constraint_date for task in task_list], origin, finish=True)
    finish_kind = np.isin(kinds, (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO))
    remaining = [
        task.remaining_duration
        if task.remaining_duration is not None
        else math.ceil(task.duration * (100 - task.percent_complete) / 100)
        for task in task_list
    ]

    def one_day(value: date | None, *, finish: bool) -> int | None:
        return None if value is None else int(_days(calendar, [value], origin, finish=finish)[0])

    try:
        result = cpm(
            [task.duration for task in task_list],
            [number[link.predecessor] for link in links],
            [number[link.successor] for link in links],
            [link.type for link in links],
            [link.lag for link in links],
            constraint_type=kinds,
            constraint_day=np.where(finish_kind, finish_days, start_days),
            deadline_day=_days(calendar, [task.deadline for task in task_list], origin, finish=True),
            actual_start_day=_days(calendar, [task.actual_start for task in task_list], origin, finish=False),
            actual_finish_day=_days(
                calendar, [task.actual_finish for task in task_list], origin, finish=True
            ),
            remaining_duration=remaining,
            status_day=one_day(status_date, finish=False),
            project_deadline_day=one_day(project_deadline, finish=True),
            critical_threshold=critical_threshold,
            near_critical_threshold=near_critical_threshold,
        )
    except CycleError as error:
        raise CycleError([task_list[cast(int, i)].id for i in error.cycle]) from None

    n = len(task_list)
    day_rows = np.concatenate(
        [
            result.start_day,
            result.finish_day,
            result.early_start_day,
            result.early_finish_day,
            result.late_start_day,
            result.late_finish_day,
        ]
    )
    dates: list[date] = working_day_date(calendar, day_rows, origin=origin).tolist()
    start, finish, early_start, early_finish, late_start, late_finish = (
        dates[row * n : (row + 1) * n] for row in range(6)
    )
    total_float = result.total_float.tolist()
    free_float = result.free_float.tolist()
    critical = result.critical.tolist()
    near = result.near_critical.tolist()
    milestone = result.milestone.tolist()
    finished = result.finished.tolist()
    in_progress = result.in_progress.tolist()
    schedules = {
        task.id: TaskSchedule(
            task.id,
            start[i],
            finish[i],
            early_start[i],
            early_finish[i],
            late_start[i],
            late_finish[i],
            total_float[i],
            free_float[i],
            critical[i],
            near[i],
            milestone[i],
            finished[i],
            in_progress[i],
        )
        for i, task in enumerate(task_list)
    }
    last_day = int(result.finish_day.max()) if n else 0
    project_finish: date = working_day_date(calendar, [max(last_day, 0)], origin=origin)[0].item()
    paths = critical_paths(
        result,
        [number[link.predecessor] for link in links],
        [number[link.successor] for link in links],
        limit=critical_path_limit,
    )
    years = set(range(project_start.year, project_finish.year + 1))
    return Schedule(
        tasks=schedules,
        project_start=working_day_date(calendar, [0], origin=origin)[0].item(),
        project_finish=project_finish,
        critical_path=tuple(task_list[i].id for i in result.critical_path.tolist()),
        critical_paths=tuple(tuple(task_list[i].id for i in path) for path in paths),
        negative_float=tuple(task_list[i].id for i in np.flatnonzero(result.negative_float).tolist()),
        violated_dependencies=tuple(links[e] for e in result.violated_dependencies.tolist()),
        uncovered_years=tuple(year for year in calendar.uncovered_years if year in years),
        arrays=result,
    )


def require_feasible(plan: Schedule) -> None:
    """Raise :class:`~clientpm.scheduling.exceptions.InfeasibleError` if the plan has negative float.

    For callers that must refuse a plan whose constraints or deadlines cannot all be met; the
    error names the late tasks.

    >>> from clientpm.scheduling.calendar import monday_to_friday
    >>> plan = schedule([Task("a", 5)], calendar=monday_to_friday(), project_start=date(2026, 3, 2),
    ...                 project_deadline=date(2026, 3, 4))
    >>> plan.negative_float, plan.tasks["a"].total_float
    (('a',), -2)
    >>> require_feasible(plan)
    Traceback (most recent call last):
    ...
    clientpm.scheduling.exceptions.InfeasibleError: The constraints and deadlines cannot all be met; tasks late: a
    """
    if plan.negative_float:
        raise InfeasibleError(plan.negative_float)
