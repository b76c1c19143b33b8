"""A project's rows as the engine's leveling problem (see the package docstring for the rules)."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from clientpm.projects import planning
from clientpm.projects.models import Project, Task
from clientpm.resources.models import Assignment
from clientpm.scheduling import ConstraintType, CycleError, SchedulingError, WorkingCalendar, schedule
from clientpm.scheduling.calendar import working_day_date
from clientpm.scheduling.cpm import NO_DAY
from clientpm.scheduling.leveling import InfeasibleDemandError, LevelingProblem, leveling_problem

__all__ = ["FAST_SECONDS", "MAX_OPTIMAL_SECONDS", "MODES", "LevelingInput", "leveling_input", "units_text"]

MODES = ("fast", "optimal")
MAX_OPTIMAL_SECONDS = 30
"""The longest an optimising preview may run: it runs inside the request."""
FAST_SECONDS = 5.0
"""A ceiling on the heuristic's search (500 schedules take far less on usual projects)."""
_HARD = frozenset({ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO})
_HUNDRED = Decimal(100)

Int64Array = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class LevelingInput:
    """A project's leveling problem with what is needed to read its result as dates and rows.

    ``start``/``finish`` are the current schedule's points per node, ``start_day``/``finish_day``
    the working-day indices of its start and finish dates (they differ from the points only for
    milestones, dated by the day they sit in); ``fixed`` says why a node keeps its dates
    (``started``, ``constraint``, ``external``, ``load``: a block of committed load, below);
    ``notes`` say where such tasks already overload a resource; ``problem`` is None for a plan
    without tasks."""

    project_id: int
    calendar: WorkingCalendar
    origin: date
    nodes: tuple[Hashable, ...]
    index: dict[Hashable, int]
    rows: dict[int, tuple[str, str]]
    problem: LevelingProblem | None
    start: Int64Array
    finish: Int64Array
    start_day: Int64Array
    finish_day: Int64Array
    fixed: dict[int, str]
    alap: frozenset[int]
    resources: tuple[tuple[int, str, Decimal], ...]
    token: str
    notes: list[str]

    def dates(self, days: Any) -> list[date]:
        values: list[date] = working_day_date(
            self.calendar, np.asarray(days, dtype=np.int64), origin=self.origin
        ).tolist()
        return values

    def task_id(self, i: int) -> int:
        """The task behind node ``i`` (a summary's for its start and finish nodes; 0 for a block of
        committed load)."""
        node = self.nodes[i]
        if isinstance(node, tuple):
            return 0 if node[0] == "load" else int(node[1])
        return int(node)  # type: ignore[call-overload]

    def label(self, i: int) -> str:
        """``1.2 接口开发``: the WBS code and name of the task behind node ``i``."""
        task_id = self.task_id(i)
        wbs_code, name = self.rows.get(task_id, ("", str(task_id)))
        return f"{wbs_code} {name}".strip()


def _wbs(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def _node_key(node: Hashable, codes: Mapping[int, str]) -> tuple[Any, ...]:
    """WBS order: other projects' tasks first, a summary's start before its subtasks, its finish
    after them."""
    if isinstance(node, tuple):
        kind, task_id = node
        if kind == "x":
            return (0, (), task_id)
        wbs = _wbs(codes.get(task_id, ""))
        return (1, (*wbs, -1) if kind == "s" else (*wbs, 10**9), task_id)
    return (1, _wbs(codes.get(node, "")), node)  # type: ignore[call-overload]


def _cents(value: Decimal) -> int:
    return int((Decimal(value) * _HUNDRED).to_integral_value())


def units_text(cents: int) -> str:
    return f"{(Decimal(int(cents)) / _HUNDRED).normalize():f}"


def _token(parts: list[Any]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()[:32]


def leveling_input(project: Project) -> LevelingInput:
    """The project's leveling problem (see the package docstring), in three queries plus the
    network's. Raises ``ValidationError`` with a translated message naming the tasks when the plan
    cannot be scheduled or a demand can never fit a capacity."""
    network = planning.project_network(project)
    rows = Task.objects.filter(project_id=project.pk).order_by().values_list("id", "wbs_code", "name")
    names = {task_id: (wbs_code, name) for task_id, wbs_code, name in rows}
    codes = {task_id: wbs_code for task_id, (wbs_code, _name) in names.items()}
    tasks = sorted(network.tasks, key=lambda task: _node_key(task.id, codes))
    nodes = tuple(task.id for task in tasks)
    index = {node: i for i, node in enumerate(nodes)}
    links = network.dependencies
    try:
        plan = schedule(
            tasks,
            links,
            calendar=network.calendar,
            project_start=network.start,
            project_deadline=network.deadline,
            status_date=network.status_date,
        )
    except CycleError:
        planning.project_check(project)  # raises the plan's own message naming the circle
        raise ValidationError(_("The plan's dependencies form a circle."), code="cycle") from None
    except SchedulingError as error:
        raise ValidationError(str(error), code="schedule") from None
    arrays = plan.arrays
    start, finish = arrays.start.astype(np.int64), arrays.finish.astype(np.int64)
    start_day, finish_day = arrays.start_day.astype(np.int64), arrays.finish_day.astype(np.int64)

    assignments = (
        Assignment.objects.filter(task__project_id=project.pk)
        .order_by()
        .values_list("task_id", "resource_id", "units", "resource__name", "resource__capacity_units")
    )
    resources: dict[int, tuple[int, str, Decimal]] = {}
    needs: list[tuple[int, int, int]] = []
    for task_id, resource_id, units, name, capacity in assignments:
        resources[resource_id] = (resource_id, name, capacity)
        if task_id in index:  # a summary task's own assignments do not count
            needs.append((index[task_id], resource_id, _cents(units)))
    ordered = tuple(sorted(resources.values(), key=lambda r: (r[1], r[0])))
    column = {resource[0]: k for k, resource in enumerate(ordered)}

    n = len(tasks)
    duration = np.array([task.duration for task in tasks], dtype=np.int64)
    fixed_start = np.full(n, NO_DAY, dtype=np.int64)
    fixed: dict[int, str] = {}
    alap: set[int] = set()
    no_demand = np.zeros(n, dtype=bool)
    for i, task in enumerate(tasks):
        external = isinstance(task.id, tuple) and task.id[0] == "x"
        if external or task.actual_start or task.actual_finish:
            fixed[i] = "external" if external else "started"
            no_demand[i] = external or task.actual_finish is not None
        elif task.constraint in _HARD:
            fixed[i] = "constraint"
        elif task.constraint == ConstraintType.ALAP:
            alap.add(i)
    for i in fixed:
        fixed_start[i] = start[i]
        duration[i] = finish[i] - start[i]
    demand = np.zeros((n, len(ordered)), dtype=np.int64)
    for i, resource_id, cents in needs:
        if not no_demand[i] and duration[i] > 0:
            demand[i, column[resource_id]] += cents
    capacity = np.array([_cents(resource[2]) for resource in ordered], dtype=np.int64)
    committed = _committed(sorted(fixed), start, duration, demand, capacity)
    notes: list[str] = []
    if committed is not None:
        # Tasks that cannot move already ask more than a capacity: the engine would refuse the
        # whole problem, so their load — clipped to the capacity — becomes fixed blocks of their
        # own (nodes ("load", k) after the tasks), and leveling plans the other tasks around them.
        notes = _overload_notes(committed, demand, ordered, capacity, names, nodes, network)
        demand[committed.busy] = 0
        blocks = committed.blocks
        m = len(blocks)
        begin = np.array([block[0] for block in blocks], dtype=np.int64)
        length = np.array([block[1] for block in blocks], dtype=np.int64)
        index |= {("load", k): n + k for k in range(m)}
        fixed |= {n + k: "load" for k in range(m)}
        nodes = (*nodes, *(("load", k) for k in range(m)))
        start, fixed_start = np.concatenate([start, begin]), np.concatenate([fixed_start, begin])
        finish, duration = np.concatenate([finish, begin + length]), np.concatenate([duration, length])
        start_day = np.concatenate([start_day, begin])
        finish_day = np.concatenate([finish_day, begin + length - 1])
        demand = np.vstack([demand, *(block[2] for block in blocks)])
        n += m
    pred = np.array([index[link.predecessor] for link in links], dtype=np.int64)
    succ = np.array([index[link.successor] for link in links], dtype=np.int64)
    dep_type = np.array([int(link.type) for link in links], dtype=np.int64)
    lag = np.array([link.lag for link in links], dtype=np.int64)
    resource_ids = [resource[0] for resource in ordered]
    inputs = [nodes, network.start, network.status_date, duration, demand, capacity, resource_ids]
    token = _token([*inputs, pred, succ, dep_type, lag, fixed_start, start])
    data = LevelingInput(
        project_id=project.pk,
        calendar=network.calendar,
        origin=network.start,
        nodes=nodes,
        index=index,
        rows=names,
        problem=None,
        start=start,
        finish=finish,
        start_day=start_day,
        finish_day=finish_day,
        fixed=fixed,
        alap=frozenset(alap),
        resources=ordered,
        token=token,
        notes=notes,
    )
    if not n:
        return data
    try:
        problem = leveling_problem(
            duration,
            demand,
            capacity,
            pred,
            succ,
            dep_type,
            lag,
            fixed_start=fixed_start,
            release=start,
            task_names=list(range(n)),
            resource_names=list(range(len(ordered))),
        )
    except InfeasibleDemandError as error:
        raise _infeasible(data, error, demand, capacity) from None
    return dataclasses.replace(data, problem=problem)


@dataclass(frozen=True)
class _Committed:
    """The load of tasks that cannot move, where it exceeds a capacity: ``busy`` are those tasks,
    ``blocks`` their load clipped to the capacities as (start, length, units per resource) runs,
    ``usage`` the unclipped load per point from ``first``, ``over`` where it exceeds a capacity."""

    busy: list[int]
    blocks: list[tuple[int, int, Int64Array]]
    first: int
    usage: Int64Array
    over: NDArray[np.bool_]


def _committed(
    fixed: list[int], start: Int64Array, duration: Int64Array, demand: Int64Array, capacity: Int64Array
) -> _Committed | None:
    """Whether tasks that cannot move overload a resource on some day (None if not)."""
    busy = [i for i in fixed if duration[i] > 0 and demand[i].any()]
    if len(busy) < 2:
        return None
    begin, end = start[busy], start[busy] + duration[busy]
    first = int(begin.min())
    usage = np.zeros((int(end.max()) - first + 1, capacity.size), dtype=np.int64)
    np.add.at(usage, begin - first, demand[busy])
    np.subtract.at(usage, end - first, demand[busy])
    usage = usage.cumsum(axis=0)[:-1]
    over = usage > capacity[None, :]
    if not over.any():
        return None
    clipped = np.minimum(usage, capacity[None, :])
    cuts = [0, *(np.flatnonzero((np.diff(clipped, axis=0) != 0).any(axis=1)) + 1).tolist(), len(clipped)]
    blocks = [(first + a, b - a, clipped[a]) for a, b in itertools.pairwise(cuts) if clipped[a].any()]
    return _Committed(busy, blocks, first, usage, over)


def _overload_notes(
    committed: _Committed,
    demand: Int64Array,
    resources: tuple[tuple[int, str, Decimal], ...],
    capacity: Int64Array,
    names: Mapping[int, tuple[str, str]],
    nodes: tuple[Hashable, ...],
    network: planning.ProjectNetwork,
) -> list[str]:
    notes = []
    for k in np.flatnonzero(committed.over.any(axis=0)).tolist():
        days = np.flatnonzero(committed.over[:, k])
        first, last = committed.first + int(days[0]), committed.first + int(days[-1])
        tasks = [
            " ".join(names.get(nodes[i], ("", str(nodes[i])))).strip()  # type: ignore[call-overload]
            for i in committed.busy
            if demand[i, k] > 0
        ]
        on = working_day_date(network.calendar, [first, last], origin=network.start).tolist()
        notes.append(
            _(
                "Tasks that cannot move (started, or held by a date) already ask up to %(peak)s units of "
                "%(resource)s between %(first)s and %(last)s, more than its capacity of %(capacity)s: "
                "leveling plans the other tasks around them (%(tasks)s)."
            )
            % {
                "peak": units_text(int(committed.usage[:, k].max())),
                "resource": resources[k][1],
                "first": on[0].isoformat(),
                "last": on[1].isoformat(),
                "capacity": units_text(int(capacity[k])),
                "tasks": "; ".join(tasks[:5]) + ("; …" if len(tasks) > 5 else ""),
            }
        )
    return notes


def _infeasible(
    data: LevelingInput, error: InfeasibleDemandError, demand: Int64Array, capacity: Int64Array
) -> ValidationError:
    """The engine's refusal (a task needs more than a capacity) as a translated message naming
    the task and the resource. (Tasks that cannot move overloading a resource together are planned
    around, see ``_committed``, so that refusal cannot come from here.)"""
    k = int(error.resource)  # type: ignore[call-overload]
    task = int(error.tasks[0])  # type: ignore[call-overload]
    message = _(
        "Task %(task)s needs %(units)s units of %(resource)s per day, more than its capacity of %(capacity)s."
    )
    values = {
        "task": data.label(task),
        "units": units_text(int(demand[task, k])),
        "resource": data.resources[k][1],
        "capacity": units_text(int(capacity[k])),
    }
    return ValidationError(message % values, code="infeasible")
