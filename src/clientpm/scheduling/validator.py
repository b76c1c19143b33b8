"""One independent check of any schedule: dependencies honoured, capacities never exceeded.

Tests and benchmarks judge every leveled schedule with this module, so it deliberately shares no
code with :mod:`clientpm.scheduling.leveling` (nor with :mod:`clientpm.scheduling.cpm`): each
dependency type is checked from its own definition, and resource usage is counted day by day.

Times are the engine's working-day points: a task of duration ``d`` starting at ``s`` works on
days ``s … s+d−1`` and finishes at point ``s + d``. With lag ``L`` from predecessor ``i`` to
successor ``j``: FS ``start_j ≥ finish_i + L``; SS ``start_j ≥ start_i + L``; FF ``finish_j ≥
finish_i + L``; SF ``finish_j ≥ start_i + L``.

>>> check = validate_schedule([0, 1], [2, 2], pred=[0], succ=[1], demand=[[1], [1]], capacity=[1])
>>> check.valid, [str(problem) for problem in check.problems]  # B starts before A finishes
(False, ['dependency 0 (FS 0 → 1, lag 0) needs start ≥ 2, got 1', 'resource 0 on day 1: 2 units used, capacity 1'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CapacityViolation", "DependencyViolation", "ScheduleCheck", "StartViolation", "validate_schedule"]

_TYPES = ("FS", "SS", "FF", "SF")


@dataclass(frozen=True, slots=True)
class DependencyViolation:
    """Dependency ``index`` is not honoured: the successor's start needed ``required``, got ``actual``."""

    index: int
    pred: int
    succ: int
    type: str
    lag: int
    required: int
    actual: int

    def __str__(self) -> str:
        side = "start" if self.type in ("FS", "SS") else "finish"
        return (
            f"dependency {self.index} ({self.type} {self.pred} → {self.succ}, lag {self.lag}) "
            f"needs {side} ≥ {self.required}, got {self.actual}"
        )


@dataclass(frozen=True, slots=True)
class CapacityViolation:
    """On working day ``day``, ``used`` units of resource ``resource`` are busy, above ``capacity``."""

    resource: int
    day: int
    used: int
    capacity: int

    def __str__(self) -> str:
        return f"resource {self.resource} on day {self.day}: {self.used} units used, capacity {self.capacity}"


@dataclass(frozen=True, slots=True)
class StartViolation:
    """Task ``task`` starts at ``actual``: a fixed task moved (``rule`` "fixed", it had to start at
    ``required``), or a free task starts before its release (``rule`` "release")."""

    task: int
    rule: str
    required: int
    actual: int

    def __str__(self) -> str:
        if self.rule == "fixed":
            return f"task {self.task} must start at {self.required}, got {self.actual}"
        return f"task {self.task} cannot start before {self.required}, got {self.actual}"


@dataclass(frozen=True)
class ScheduleCheck:
    """What :func:`validate_schedule` found; ``valid`` when nothing."""

    dependencies: tuple[DependencyViolation, ...] = ()
    capacity: tuple[CapacityViolation, ...] = ()
    starts: tuple[StartViolation, ...] = ()
    project_finish: int = 0
    problems: tuple[DependencyViolation | CapacityViolation | StartViolation, ...] = field(
        init=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "problems", (*self.dependencies, *self.capacity, *self.starts))

    @property
    def valid(self) -> bool:
        return not self.problems


def _ints(values: ArrayLike, what: str, size: int | None = None) -> NDArray[np.int64]:
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if size is not None and array.size != size:
        raise ValueError(f"{what} must have {size} values, not {array.size}.")
    return array


def validate_schedule(
    start: ArrayLike,
    duration: ArrayLike,
    *,
    pred: ArrayLike = (),
    succ: ArrayLike = (),
    dep_type: ArrayLike | None = None,
    lag: ArrayLike | None = None,
    demand: ArrayLike | None = None,
    capacity: ArrayLike | None = None,
    fixed_start: Sequence[int | None] | None = None,
    release: ArrayLike | None = None,
) -> ScheduleCheck:
    """Check a schedule given by its start points and durations.

    ``dep_type`` holds the codes 0 FS, 1 SS, 2 FF, 3 SF (default FS) and ``lag`` working days
    (default 0). ``demand`` (tasks × resources) and ``capacity`` (per resource) are units per
    working day. ``fixed_start`` gives, per task, the start it must keep (``None`` for a free
    task); as in the engine, dependencies into such a task are satisfied by its progress and
    not checked. ``release`` gives per task the earliest start of a free task.
    """
    starts = _ints(start, "start")
    n = starts.size
    durations = _ints(duration, "duration", n)
    finishes = starts + durations
    preds, succs = _ints(pred, "pred"), _ints(succ, "succ")
    m = preds.size
    types = np.zeros(m, dtype=np.int64) if dep_type is None else _ints(dep_type, "dep_type", m)
    lags = np.zeros(m, dtype=np.int64) if lag is None else _ints(lag, "lag", m)
    pinned = [None] * n if fixed_start is None else list(fixed_start)
    if len(pinned) != n:
        raise ValueError(f"fixed_start must have {n} values, not {len(pinned)}.")

    dependency_problems: list[DependencyViolation] = []
    for index in range(m):
        i, j, kind, gap = int(preds[index]), int(succs[index]), int(types[index]), int(lags[index])
        if pinned[j] is not None:
            continue
        if kind == 0:
            required, actual = int(finishes[i]) + gap, int(starts[j])
        elif kind == 1:
            required, actual = int(starts[i]) + gap, int(starts[j])
        elif kind == 2:
            required, actual = int(finishes[i]) + gap, int(finishes[j])
        elif kind == 3:
            required, actual = int(starts[i]) + gap, int(finishes[j])
        else:
            raise ValueError(f"Unknown dependency type code {kind}.")
        if actual < required:
            dependency_problems.append(DependencyViolation(index, i, j, _TYPES[kind], gap, required, actual))

    capacity_problems: list[CapacityViolation] = []
    if demand is not None and capacity is not None:
        capacities = _ints(capacity, "capacity")
        demands = np.asarray(demand, dtype=np.int64).reshape(n, capacities.size)
        busy = durations > 0
        if busy.any():
            first, last = int(starts[busy].min()), int(finishes[busy].max())
            usage = np.zeros((last - first, capacities.size), dtype=np.int64)
            for task in np.flatnonzero(busy).tolist():
                usage[starts[task] - first : finishes[task] - first] += demands[task]
            for day, resource in np.argwhere(usage > capacities[None, :]).tolist():
                capacity_problems.append(
                    CapacityViolation(
                        resource, first + day, int(usage[day, resource]), int(capacities[resource])
                    )
                )

    start_problems = [
        StartViolation(task, "fixed", int(expected), int(starts[task]))
        for task, expected in enumerate(pinned)
        if expected is not None and int(starts[task]) != expected
    ]
    if release is not None:
        releases = _ints(release, "release", n)
        start_problems += [
            StartViolation(task, "release", int(releases[task]), int(starts[task]))
            for task in range(n)
            if pinned[task] is None and starts[task] < releases[task]
        ]
    return ScheduleCheck(
        dependencies=tuple(dependency_problems),
        capacity=tuple(capacity_problems),
        starts=tuple(start_problems),
        project_finish=int(finishes.max()) if n else 0,
    )
