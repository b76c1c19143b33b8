"""A resource leveling problem (an RCPSP instance) and its result, as plain arrays.

Tasks ``0 … n−1`` have integer durations in working days and sit on the engine's working-day axis
(points, see :mod:`clientpm.scheduling.cpm`): a task starting at point ``s`` works on days
``s … s+d−1``. Renewable resources (people, teams, equipment) have a capacity in units per working
day, and each task demands a number of units of each resource on every day it works.

Dependencies are those of the engine — FS, SS, FF and SF with lags in working days — and are
turned into one *minimum start distance* each (``start_succ ≥ start_pred + distance``), exactly as
:func:`clientpm.scheduling.cpm.cpm` does; a task with a fixed start (already started) keeps it,
and dependencies into it are considered satisfied (the engine's progress override). Free tasks
start no earlier than their ``release`` point: the project start, the status date, or a
start-no-earlier-than date. Milestones (duration 0) use no capacity.

What leveling does not model is the caller's to check afterwards with the critical path method:
late constraints and deadlines (SNLT, FNLT, MSO, MFO) may be pushed past, which shows as
negative float. A capacity is the same on every working day; an absence can be entered as a
fixed task that holds the units.

>>> problem = leveling_problem([2, 3], demand=[[1], [1]], capacity=[1], pred=[], succ=[])
>>> problem.distance.tolist(), problem.n_tasks, problem.n_resources
([], 2, 1)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clientpm.scheduling.cpm import NO_DAY, DependencyType
from clientpm.scheduling.dag import TopologicalLevels, topological_levels
from clientpm.scheduling.exceptions import InfeasibleError, SchedulingError

__all__ = [
    "Incumbent",
    "InfeasibleDemandError",
    "LevelingProblem",
    "LevelingResult",
    "LevelingStatus",
    "leveling_problem",
]

Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
LevelingStatus = Literal["optimal", "feasible"]


class InfeasibleDemandError(InfeasibleError):
    """No schedule can respect a resource's capacity: a task demands more than it, or tasks that
    already started overload it. ``tasks`` are the tasks involved and ``resource`` the resource.
    """

    resource: Hashable

    def __init__(self, tasks: Sequence[Hashable], resource: Hashable, message: str) -> None:
        self.resource = resource
        super().__init__(tasks, message)


@dataclass(frozen=True, eq=False)
class LevelingProblem:
    """An RCPSP instance: build it with :func:`leveling_problem`, which checks it.

    ``demand[j, k]`` is the number of units of resource ``k`` task ``j`` uses on each of its
    working days; ``fixed_start[j]`` is the start of a task that must not move (:data:`NO_DAY`
    for a free task). ``task_names``/``resource_names`` only serve error messages.
    """

    duration: Int64Array
    demand: Int64Array
    capacity: Int64Array
    pred: Int64Array
    succ: Int64Array
    dep_type: Int64Array
    lag: Int64Array
    fixed_start: Int64Array
    release: Int64Array
    task_names: tuple[Hashable, ...]
    resource_names: tuple[Hashable, ...]
    levels: TopologicalLevels

    @property
    def n_tasks(self) -> int:
        return int(self.duration.size)

    @property
    def n_resources(self) -> int:
        return int(self.capacity.size)

    @functools.cached_property
    def fixed(self) -> BoolArray:
        """The tasks whose start is fixed (already started)."""
        result: BoolArray = self.fixed_start != NO_DAY
        return result

    @functools.cached_property
    def distance(self) -> Int64Array:
        """Per dependency, the minimum distance between starts: ``start_succ ≥ start_pred + distance``.

        FS: ``d_pred + lag``; SS: ``lag``; FF: ``d_pred − d_succ + lag``; SF: ``lag − d_succ``.
        """
        from_finish = (self.dep_type & 1) == 0
        to_finish = self.dep_type >= DependencyType.FF
        result: Int64Array = (
            self.duration[self.pred] * from_finish - self.duration[self.succ] * to_finish + self.lag
        )
        return result

    @functools.cached_property
    def enforced(self) -> BoolArray:
        """The dependencies a leveled schedule must honour: all but those into fixed tasks."""
        result: BoolArray = ~self.fixed[self.succ]
        return result

    @functools.cached_property
    def origin(self) -> int:
        """The earliest point any task can occupy: the first release or fixed start."""
        points = np.concatenate([self.release[~self.fixed], self.fixed_start[self.fixed]])
        return int(points.min()) if points.size else 0

    @functools.cached_property
    def early_start(self) -> Int64Array:
        """Early starts without resource limits: releases, fixed starts and enforced dependencies."""
        start = np.where(self.fixed, self.fixed_start, self.release)
        distance, enforced = self.distance, self.enforced
        pred, succ = self.levels.edge_pred, self.levels.edge_succ
        dist, keep = distance[self.levels.edge_order], enforced[self.levels.edge_order]
        for level in range(self.levels.depth):
            a, b = self.levels.edge_ptr[level], self.levels.edge_ptr[level + 1]
            if b > a:
                sel = np.flatnonzero(keep[a:b]) + a
                np.maximum.at(start, succ[sel], start[pred[sel]] + dist[sel])
        result: Int64Array = start
        return result

    def late_start(self, finish: int) -> Int64Array:
        """Latest starts of the tasks for the whole project to end by point ``finish``.

        Without resource limits; fixed tasks keep their start (a fixed task ending after
        ``finish`` makes the bound unreachable, which callers see as ``late < early``).
        """
        start = np.where(self.fixed, self.fixed_start, finish - self.duration)
        dist, keep = self.distance[self.levels.edge_order], self.enforced[self.levels.edge_order]
        pred, succ = self.levels.edge_pred, self.levels.edge_succ
        for level in range(self.levels.depth - 1, -1, -1):
            a, b = self.levels.edge_ptr[level], self.levels.edge_ptr[level + 1]
            if b > a:
                sel = np.flatnonzero(keep[a:b]) + a
                np.minimum.at(start, pred[sel], start[succ[sel]] - dist[sel])
        start[self.fixed] = self.fixed_start[self.fixed]
        result: Int64Array = start
        return result

    @functools.cached_property
    def lower_bound(self) -> int:
        """A finish point no schedule can beat: the critical path, or the resource energy when no
        task is fixed (all work then lies between the first release and the finish)."""
        bound = int((self.early_start + self.duration).max()) if self.n_tasks else self.origin
        if self.n_tasks and not self.fixed.any() and self.n_resources:
            energy = (self.duration[:, None] * self.demand).sum(axis=0)
            days = -(-energy // np.maximum(self.capacity, 1))
            bound = max(bound, self.origin + int(days.max()))
        return bound

    def project_finish(self, start: ArrayLike) -> int:
        """The finish point of the last task of a schedule given by its starts."""
        starts = np.asarray(start, dtype=np.int64)
        return int((starts + self.duration).max()) if self.n_tasks else self.origin


@dataclass(frozen=True, eq=False)
class LevelingResult:
    """A leveled schedule: start points per task, the project finish and how good it is.

    ``lower_bound`` is a finish point no schedule can beat (the solver's best bound in optimising
    mode); ``gap`` is ``(finish − lower_bound) / (finish − origin)``, 0 when proven optimal.
    ``early_start`` is the unleveled schedule, so ``delay`` shows what leveling moves.
    """

    start: Int64Array
    finish: Int64Array
    project_finish: int
    lower_bound: int
    status: LevelingStatus
    method: str
    origin: int
    early_start: Int64Array
    seconds: float
    schedules: int = 0
    """The number of schedules the heuristic generated (each pass of the generation scheme)."""
    solver_status: str = ""
    """Optimising mode: what each phase did and reached, for logs (e.g. ``CP-SAT OPTIMAL``)."""

    @property
    def makespan(self) -> int:
        """The project's length in working days, from ``origin`` to its last finish."""
        return self.project_finish - self.origin

    @property
    def gap(self) -> float:
        return (self.project_finish - self.lower_bound) / max(self.makespan, 1)

    @property
    def delay(self) -> Int64Array:
        """Working days each task moves later than its unleveled early start."""
        result: Int64Array = self.start - self.early_start
        return result


class Incumbent:
    """The best schedule known to cooperating searches (threads), with the best proven bound.

    Searches *offer* schedules and read the best back; ``closed`` is set by a solver that proved
    the optimum. All access goes through one lock.
    """

    def __init__(self, start: Sequence[int], finish: int, bound: int) -> None:
        self.lock = threading.Lock()
        self.start, self.finish, self.bound = list(start), finish, bound
        self.closed = False

    def offer(self, start: Sequence[int], finish: int) -> None:
        with self.lock:
            if finish < self.finish:
                self.start, self.finish = list(start), finish

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            self.bound = max(self.bound, bound)

    def snapshot(self) -> tuple[list[int], int]:
        with self.lock:
            return self.start, self.finish

    def settled(self, finish: int | None = None) -> bool:
        """Whether the best schedule (or one finishing at ``finish``) is proven optimal."""
        with self.lock:
            best = self.finish if finish is None else min(finish, self.finish)
            return self.closed or best <= self.bound


def _array(values: ArrayLike | None, size: int, default: int, what: str) -> Int64Array:
    if values is None:
        return np.full(size, default, dtype=np.int64)
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if array.size != size:
        raise SchedulingError(f"{what} must have one value per item ({size}), not {array.size}.")
    return array


def leveling_problem(
    duration: ArrayLike,
    demand: ArrayLike,
    capacity: ArrayLike,
    pred: ArrayLike = (),
    succ: ArrayLike = (),
    dep_type: ArrayLike | None = None,
    lag: ArrayLike | None = None,
    *,
    fixed_start: ArrayLike | None = None,
    release: ArrayLike | int = 0,
    task_names: Sequence[Hashable] | None = None,
    resource_names: Sequence[Hashable] | None = None,
) -> LevelingProblem:
    """Check and assemble a leveling problem (arrays as in :func:`clientpm.scheduling.cpm.cpm`).

    ``demand`` has one row per task and one column per resource. Raises
    :class:`~clientpm.scheduling.exceptions.CycleError` for a dependency cycle,
    :class:`InfeasibleDemandError` when a task needs more than a resource's capacity or fixed
    tasks already overload it, and :class:`~clientpm.scheduling.exceptions.SchedulingError` for
    malformed input.

    >>> leveling_problem([3], demand=[[5]], capacity=[4], task_names=["pour"], resource_names=["crew"])
    Traceback (most recent call last):
    ...
    clientpm.scheduling.leveling.model.InfeasibleDemandError: Task pour needs 5 units of crew per day, more than its capacity of 4.
    """
    durations = np.asarray(duration, dtype=np.int64).reshape(-1)
    n = durations.size
    capacities = np.asarray(capacity, dtype=np.int64).reshape(-1)
    r = capacities.size
    demands = np.asarray(demand, dtype=np.int64)
    if demands.size == 0:
        demands = demands.reshape(n, r)
    if demands.shape != (n, r):
        raise SchedulingError(
            f"demand must have {n} rows (tasks) of {r} values (resources), not {demands.shape}."
        )
    if (durations < 0).any():
        raise SchedulingError("Durations cannot be negative.")
    if (demands < 0).any() or (capacities < 0).any():
        raise SchedulingError("Demands and capacities cannot be negative.")
    preds = np.asarray(pred, dtype=np.int64).reshape(-1)
    succs = np.asarray(succ, dtype=np.int64).reshape(-1)
    m = preds.size
    types = _array(dep_type, m, DependencyType.FS, "dep_type")
    if types.size and (types.min() < 0 or types.max() > 3):
        raise SchedulingError("dep_type codes must be 0 (FS), 1 (SS), 2 (FF) or 3 (SF).")
    lags = _array(lag, m, 0, "lag")
    fixed = _array(fixed_start, n, NO_DAY, "fixed_start")
    releases = (
        np.full(n, int(release), dtype=np.int64)
        if isinstance(release, int)
        else _array(release, n, 0, "release")
    )
    tasks = tuple(task_names) if task_names is not None else tuple(range(n))
    resources = tuple(resource_names) if resource_names is not None else tuple(range(r))
    if len(tasks) != n or len(resources) != r:
        raise SchedulingError("task_names and resource_names must name every task and resource.")
    levels = topological_levels(n, preds, succs)
    problem = LevelingProblem(
        duration=durations,
        demand=demands,
        capacity=capacities,
        pred=preds,
        succ=succs,
        dep_type=types,
        lag=lags,
        fixed_start=fixed,
        release=releases,
        task_names=tasks,
        resource_names=resources,
        levels=levels,
    )
    _check_capacity(problem)
    return problem


def _check_capacity(problem: LevelingProblem) -> None:
    """Refuse demands above capacity, and fixed tasks that overload a resource on some day."""
    working = problem.duration > 0
    over = (problem.demand > problem.capacity[None, :]) & working[:, None]
    if over.any():
        task, resource = (int(i) for i in np.argwhere(over)[0])
        raise InfeasibleDemandError(
            [problem.task_names[task]],
            problem.resource_names[resource],
            f"Task {problem.task_names[task]} needs {problem.demand[task, resource]} units of "
            f"{problem.resource_names[resource]} per day, more than its capacity of "
            f"{problem.capacity[resource]}.",
        )
    fixed = np.flatnonzero(problem.fixed & working)
    if fixed.size < 2:
        return
    starts, ends = problem.fixed_start[fixed], problem.fixed_start[fixed] + problem.duration[fixed]
    first = int(starts.min())
    usage = np.zeros((int(ends.max()) - first + 1, problem.n_resources), dtype=np.int64)
    np.add.at(usage, starts - first, problem.demand[fixed])
    np.subtract.at(usage, ends - first, problem.demand[fixed])
    usage = usage.cumsum(axis=0)
    excess = usage > problem.capacity[None, :]
    if excess.any():
        day, resource = (int(i) for i in np.argwhere(excess)[0])
        point = first + day
        busy = fixed[(starts <= point) & (ends > point) & (problem.demand[fixed, resource] > 0)]
        names = [problem.task_names[int(task)] for task in busy]
        raise InfeasibleDemandError(
            names,
            problem.resource_names[resource],
            f"Tasks already started ({', '.join(str(name) for name in names)}) need "
            f"{usage[day, resource]} units of {problem.resource_names[resource]} on working day "
            f"{point}, more than its capacity of {problem.capacity[resource]}.",
        )
