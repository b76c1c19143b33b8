"""The critical path method on arrays: forward and backward pass, floats, critical path, progress.

This is the engine's core. It works on a *working-day axis* (see
:mod:`clientpm.scheduling.calendar`) with tasks numbered ``0 … n−1`` and dependencies given as
arrays ``pred[e] → succ[e]`` of type ``dep_type[e]`` with ``lag[e]`` working days; every pass is
vectorised per topological level, so the cost is linear in tasks + dependencies.
:mod:`clientpm.scheduling.schedule` wraps it in dataclasses and dates.

Conventions (Microsoft Project semantics where they differ from the textbook)
----------------------------------------------------------------------------
*Points.* Results are *points* on the working-day axis: point ``p`` is the start of working day
``p``, the same instant as the end of working day ``p − 1`` (non-working time is skipped). A task
of duration ``d ≥ 1`` days starting at point ``s`` works on days ``s … s+d−1`` and finishes at
point ``s + d``: its start date is day ``s`` and its finish date day ``s+d−1`` (the end of that
day). So a 1-day task starts and finishes on the same date.

*Dependencies.* With lag ``L`` working days (negative = lead) from predecessor ``i`` to successor
``j``: FS ``start_j ≥ finish_i + L``; SS ``start_j ≥ start_i + L``; FF ``finish_j ≥ finish_i +
L``; SF ``finish_j ≥ start_i + L``. FS with lag 0 therefore starts the successor on the working
day after the predecessor's finish date; FS lag 2 leaves two working days between them; FS lag −1
starts it on the predecessor's finish date.

*Milestones* (duration 0) are instants, dated by the day they sit in. As in MS Project, a
milestone driven by a predecessor's finish (FS, FF) or by a finish constraint sits at the *end* of
that day, and one driven by a start (project start, status date, SS, SF, start constraints) at the
*start* of its day — the later of the two wins (``finish_anchored``). So a milestone after a task
finishing on Friday is dated Friday, and a kick-off milestone at the project start is dated on the
project's first day. Its late date is read the same way when its total float is 0 (a critical
milestone shows one date); otherwise it is the end of the last day on which it can be reached
without delaying anything, unless an SNLT/MSO date binds it (``late_finish_anchored``). An ALAP
milestone moved later is dated like its late date. The ``*_day`` properties apply all this.

*Constraints* (``constraint_day`` is the working-day index of the constraint date):
ASAP — early dates; ALAP — as late as possible without delaying any successor's scheduled start
or the project finish (Primavera's definition: it uses free float, so its successors stay put);
SNET/FNET — start/finish no earlier than (raise the early dates); SNLT/FNLT — start/finish no
later than; MSO/MFO — must start/finish on. A start constraint on day ``c`` means point ``c``; a
finish constraint on day ``c`` means finishing at point ``c + 1``. As with MS Project's default
"tasks always honor their constraint dates", SNLT, FNLT, MSO and MFO win over dependencies in the
forward pass: the task is placed on its date even if a predecessor then overlaps it. Nothing is
refused: the conflict shows as *negative total float* on the tasks that cannot make it (and as a
violated dependency). A per-task ``deadline_day`` and the project deadline only limit late dates.

*Passes.* Early dates come from the project start (point ``project_start``), dependencies and
constraints; late dates from the early project finish — or the project deadline if it is earlier
(a later deadline adds no float, as with MS Project deadlines) — then backwards through
dependencies, SNLT/FNLT/MSO/MFO and task deadlines. Total float = late start − early start
(= late finish − early finish), in working days; free float = how far a task can slip
without moving any successor's early start or the project finish, never negative nor above total
float. Critical: total float ≤ ``critical_threshold`` (default 0); near-critical: above it and ≤
``near_critical_threshold``. The critical path follows critical dependencies that drive the late
dates back from the latest-finishing critical task.

*Progress* (``status_day`` is the first working day on which remaining work can be done — P6's
"data date"). A task with an actual finish is *finished*: it stays where it happened (from its
actual start, or ``finish − duration + 1`` if none was recorded), has zero float and is never
critical. A task with only an actual start is *in progress*: it keeps its actual start and its
``remaining_duration`` (default: the whole duration) is scheduled from the status date; without a
status date it keeps its planned duration from the actual start. A milestone with an actual start
is finished. Work not started cannot start before the status date. Dependencies into a started
task are considered satisfied (progress override) and are not enforced any more; constraints of
started tasks are ignored. Actual dates on non-working days are rolled to working days by the
caller (start forward, finish backward).

*Cost.* Kahn's algorithm, both passes and the floats are vectorised per topological level: the
work is linear in tasks + dependencies, plus a constant of a few tens of microseconds per level
(the network's depth). A cycle raises ``CycleError`` with its tasks in order.

>>> result = cpm([3, 2, 0], pred=[0, 1], succ=[1, 2])  # FS: A (3 d) → B (2 d) → milestone
>>> result.early_start.tolist(), result.early_finish.tolist()
([0, 3, 5], [3, 5, 5])
>>> result.finish_day.tolist(), result.critical_path.tolist()
([2, 4, 4], [0, 1, 2])
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clientpm.scheduling.dag import TopologicalLevels, topological_levels
from clientpm.scheduling.exceptions import SchedulingError

__all__ = [
    "NO_DAY",
    "ConstraintType",
    "CpmResult",
    "DependencyType",
    "cpm",
    "critical_paths",
]

NO_DAY: Final = int(np.iinfo(np.int64).min)
"""Marks a missing day in the optional per-task arrays (no constraint date, no actual start, …)."""

_BIG: Final = 2**40  # beyond any real working-day index, small enough never to overflow int64

Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


class DependencyType(IntEnum):
    """How a successor depends on its predecessor (the numbers are the array codes).

    Bit 0 of the code is set when the link starts from the predecessor's start (SS, SF), bit 1
    when it ends at the successor's finish (FF, SF).
    """

    FS = 0
    """Finish-to-start: the successor starts after the predecessor finishes."""
    SS = 1
    """Start-to-start: the successor starts after the predecessor starts."""
    FF = 2
    """Finish-to-finish: the successor finishes after the predecessor finishes."""
    SF = 3
    """Start-to-finish: the successor finishes after the predecessor starts."""


class ConstraintType(IntEnum):
    """A task's date constraint (the numbers are the array codes)."""

    ASAP = 0
    """As soon as possible."""
    ALAP = 1
    """As late as possible."""
    SNET = 2
    """Start no earlier than."""
    SNLT = 3
    """Start no later than."""
    FNET = 4
    """Finish no earlier than."""
    FNLT = 5
    """Finish no later than."""
    MSO = 6
    """Must start on."""
    MFO = 7
    """Must finish on."""


@dataclass(frozen=True, eq=False)
class CpmResult:
    """The computed schedule, as arrays indexed by task number (points, see the module docstring).

    ``start``/``finish`` are the scheduled dates: the early dates, except for ALAP tasks. Floats
    are in working days. Per-dependency arrays follow the input order of the dependencies.
    """

    early_start: Int64Array
    early_finish: Int64Array
    late_start: Int64Array
    late_finish: Int64Array
    start: Int64Array
    finish: Int64Array
    total_float: Int64Array
    free_float: Int64Array
    critical: BoolArray
    near_critical: BoolArray
    milestone: BoolArray
    finish_anchored: BoolArray
    late_finish_anchored: BoolArray
    finished: BoolArray
    in_progress: BoolArray
    critical_dependency: BoolArray
    critical_path: Int64Array
    project_start: int
    project_finish: int
    """The point at which the last task finishes (the end of the project's last working day)."""
    project_late_finish: int
    """The point the backward pass starts from: ``project_finish``, or the deadline's end if earlier."""
    levels: TopologicalLevels
    slack_by_level: Int64Array = field(repr=False)
    """``dependency_slack`` in the order of ``levels.edge_order`` (huge for overridden ones)."""

    @functools.cached_property
    def dependency_slack(self) -> Int64Array:
        """Working days between what each dependency requires and the scheduled dates (< 0: violated).

        Dependencies into started tasks are satisfied by progress override and report 0.
        """
        slack = np.zeros(self.slack_by_level.size, dtype=np.int64)
        overridden = self.slack_by_level > _BIG // 2
        slack[self.levels.edge_order] = np.where(overridden, 0, self.slack_by_level)
        return slack

    @property
    def negative_float(self) -> BoolArray:
        """Tasks that cannot meet a constraint or deadline (total float < 0)."""
        result: BoolArray = self.total_float < 0
        return result

    @property
    def violated_dependencies(self) -> Int64Array:
        """The numbers of the dependencies the scheduled dates do not honour (hard constraints)."""
        return np.flatnonzero(self.dependency_slack < 0).astype(np.int64)

    def _start_day(self, points: Int64Array, anchored: BoolArray) -> Int64Array:
        return points - (self.milestone & anchored)

    def _finish_day(self, points: Int64Array, anchored: BoolArray) -> Int64Array:
        return points - (~self.milestone | anchored)

    @property
    def _scheduled_anchored(self) -> BoolArray:
        moved: BoolArray = self.start != self.early_start  # ALAP
        return np.where(moved, self.late_finish_anchored, self.finish_anchored)

    @property
    def start_day(self) -> Int64Array:
        """The working-day index of each task's scheduled start date."""
        return self._start_day(self.start, self._scheduled_anchored)

    @property
    def finish_day(self) -> Int64Array:
        """The working-day index of each task's scheduled finish date."""
        return self._finish_day(self.finish, self._scheduled_anchored)

    @property
    def early_start_day(self) -> Int64Array:
        """The working-day index of each task's early start date."""
        return self._start_day(self.early_start, self.finish_anchored)

    @property
    def early_finish_day(self) -> Int64Array:
        """The working-day index of each task's early finish date."""
        return self._finish_day(self.early_finish, self.finish_anchored)

    @property
    def late_start_day(self) -> Int64Array:
        """The working-day index of each task's late start date."""
        return self._start_day(self.late_start, self.late_finish_anchored)

    @property
    def late_finish_day(self) -> Int64Array:
        """The working-day index of each task's late finish date."""
        return self._finish_day(self.late_finish, self.late_finish_anchored)


def _optional(values: ArrayLike | None, n: int, default: int, what: str) -> Int64Array:
    if values is None:
        return np.full(n, default, dtype=np.int64)
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if array.size != n:
        raise SchedulingError(f"{what} must have one value per item ({n}), not {array.size}.")
    return array


def _tasks(mask: BoolArray) -> str:
    found = np.flatnonzero(mask)
    listed = ", ".join(str(task) for task in found[:10].tolist())
    return listed + (f" and {found.size - 10} more" if found.size > 10 else "")


def cpm(
    duration: ArrayLike,
    pred: ArrayLike,
    succ: ArrayLike,
    dep_type: ArrayLike | None = None,
    lag: ArrayLike | None = None,
    *,
    constraint_type: ArrayLike | None = None,
    constraint_day: ArrayLike | None = None,
    deadline_day: ArrayLike | None = None,
    actual_start_day: ArrayLike | None = None,
    actual_finish_day: ArrayLike | None = None,
    remaining_duration: ArrayLike | None = None,
    status_day: int | None = None,
    project_start: int = 0,
    project_deadline_day: int | None = None,
    critical_threshold: int = 0,
    near_critical_threshold: int = 5,
) -> CpmResult:
    """Schedule a network of ``len(duration)`` tasks by the critical path method.

    ``duration`` is in working days (0 for a milestone); ``dep_type`` holds
    :class:`DependencyType` codes (default FS) and ``lag`` working days (default 0). The optional
    per-task arrays hold working-day indices, with :data:`NO_DAY` where there is no value;
    ``constraint_type`` holds :class:`ConstraintType` codes (default ASAP). Raises
    :class:`~clientpm.scheduling.exceptions.CycleError` for a cycle and
    :class:`~clientpm.scheduling.exceptions.SchedulingError` for invalid input; unmeetable
    constraints are reported as negative float, not raised.

    >>> SS, FF = DependencyType.SS, DependencyType.FF
    >>> result = cpm([4, 2, 3], pred=[0, 0], succ=[1, 2], dep_type=[SS, FF], lag=[1, 0])
    >>> result.early_start.tolist(), result.total_float.tolist()
    ([0, 1, 1], [0, 1, 0])
    >>> MSO = ConstraintType.MSO
    >>> late = cpm([4, 2], [0], [1], constraint_type=[0, MSO], constraint_day=[NO_DAY, 2])
    >>> late.total_float.tolist(), late.violated_dependencies.tolist()
    ([-2, 0], [0])
    """
    durations = np.asarray(duration, dtype=np.int64).reshape(-1)
    n = durations.size
    if (durations < 0).any():
        raise SchedulingError(f"Durations cannot be negative (tasks {_tasks(durations < 0)}).")
    preds = np.asarray(pred, dtype=np.int64).reshape(-1)
    succs = np.asarray(succ, dtype=np.int64).reshape(-1)
    m = preds.size
    types = None if dep_type is None else _optional(dep_type, m, DependencyType.FS, "dep_type")
    if types is not None and types.size and (types.min() < 0 or types.max() > 3):
        raise SchedulingError("dep_type codes must be 0 (FS), 1 (SS), 2 (FF) or 3 (SF).")
    lags = None if lag is None else _optional(lag, m, 0, "lag")
    levels = topological_levels(n, preds, succs)
    edges, p_lv, s_lv = levels.edge_order, levels.edge_pred, levels.edge_succ  # grouped by level

    kinds = _optional(constraint_type, n, ConstraintType.ASAP, "constraint_type")
    if kinds.size and (kinds.min() < 0 or kinds.max() > 7):
        raise SchedulingError("constraint_type codes must be between 0 (ASAP) and 7 (MFO).")
    constrained = constraint_type is not None and bool(kinds.any())
    c_day = _optional(constraint_day, n, NO_DAY, "constraint_day")
    dated = kinds >= ConstraintType.SNET
    if constrained and (dated & (c_day == NO_DAY)).any():
        raise SchedulingError(f"A constraint needs its date (tasks {_tasks(dated & (c_day == NO_DAY))}).")

    milestone = durations == 0
    finished, in_progress, fixed_start, span = _progress(
        durations, actual_start_day, actual_finish_day, remaining_duration, status_day
    )
    started = finished | in_progress
    not_started = ~started
    any_started = bool(started.any())

    # early bounds: lo (project start, SNET/FNET), hi (SNLT/FNLT), lo = hi (MSO/MFO, started)
    lo = np.full(n, project_start, dtype=np.int64)
    hi = np.full(n, _BIG, dtype=np.int64)
    late_hi = np.full(n, _BIG, dtype=np.int64)
    finish_kind = (
        (kinds == ConstraintType.FNET) | (kinds == ConstraintType.FNLT) | (kinds == ConstraintType.MFO)
    )
    c_start = c_day
    if constrained:
        c_start = np.where(finish_kind, c_day + 1 - span, c_day)  # the start point the date asks for
        lower = not_started & ((kinds == ConstraintType.SNET) | (kinds == ConstraintType.FNET))
        lo[lower] = np.maximum(lo[lower], c_start[lower])
        upper = not_started & ((kinds == ConstraintType.SNLT) | (kinds == ConstraintType.FNLT))
        hi[upper] = c_start[upper]
        must = not_started & ((kinds == ConstraintType.MSO) | (kinds == ConstraintType.MFO))
        lo[must] = hi[must] = c_start[must]
        late_bound = upper | must
        late_hi[late_bound] = c_start[late_bound]
    if any_started:
        lo[started] = hi[started] = fixed_start[started]
    if deadline_day is not None:
        deadlines = _optional(deadline_day, n, NO_DAY, "deadline_day")
        has_deadline = ~finished & (deadlines != NO_DAY)
        late_hi[has_deadline] = np.minimum(
            late_hi[has_deadline], deadlines[has_deadline] + 1 - span[has_deadline]
        )
    hard = hi < _BIG
    floor = np.full(n, -_BIG, dtype=np.int64)
    if status_day is not None:
        floor[not_started] = status_day
        lo = np.where(hard, lo, np.maximum(lo, floor))

    # one number per dependency: start_j ≥ start_i + k  (forward)  ⇔  start_i ≤ start_j − k  (backward)
    # (computed in input order, where the per-dependency arrays are read in sequence)
    k = span[preds]
    if types is None:
        from_finish = np.ones(m, dtype=bool)
    else:
        from_finish = (types & 1) == 0  # FS, FF
        k *= from_finish
        to_finish = np.flatnonzero(types >= DependencyType.FF)  # FF, SF
        k[to_finish] -= span[succs[to_finish]]
    if lags is not None:
        k += lags
    k = k[edges]
    if any_started:
        k[started[s_lv]] = -_BIG  # progress override: a started task no longer waits
    order, level_ptr, edge_ptr, depth = levels.order, levels.level_ptr, levels.edge_ptr, levels.depth

    # forward pass, one level at a time
    early_start = lo
    hard_levels = (np.add.reduceat(hard[order], level_ptr[:-1]) > 0) if n else np.zeros(0, dtype=bool)
    for level in range(depth):
        if hard_levels[level]:
            nodes = order[level_ptr[level] : level_ptr[level + 1]]
            early_start[nodes] = np.maximum(np.minimum(early_start[nodes], hi[nodes]), floor[nodes])
        a, b = edge_ptr[level], edge_ptr[level + 1]
        if b > a:
            np.maximum.at(early_start, s_lv[a:b], early_start[p_lv[a:b]] + k[a:b])
    early_finish = early_start + span
    project_finish = max(int(early_finish.max()), project_start) if n else project_start
    end = project_finish if project_deadline_day is None else min(project_finish, project_deadline_day + 1)

    # backward pass: late bounds (end, SNLT/FNLT/MSO/MFO, deadlines), then dependencies
    late_start = np.minimum(end - span, late_hi)
    for level in range(depth - 1, -1, -1):
        a, b = edge_ptr[level], edge_ptr[level + 1]
        if b > a:
            np.minimum.at(late_start, p_lv[a:b], late_start[s_lv[a:b]] - k[a:b])
    late_start[finished] = early_start[finished]
    late_finish = late_start + span

    # floats and criticality
    total_float = late_start - early_start
    slack = early_start[s_lv] - early_start[p_lv] - k  # huge for overridden dependencies
    free = end - early_finish
    np.minimum.at(free, p_lv, slack)
    free_float = np.maximum(np.minimum(free, total_float), 0)
    free_float[finished] = 0
    critical = (total_float <= critical_threshold) & ~finished
    near_critical = ~critical & ~finished & (total_float <= near_critical_threshold)
    candidates = np.flatnonzero(critical[p_lv])
    tail = s_lv[candidates]
    driving = candidates[critical[tail] & (late_start[tail] - k[candidates] == late_start[p_lv[candidates]])]
    critical_dependency = np.zeros(m, dtype=bool)
    critical_dependency[edges[driving]] = True

    # ALAP: as late as possible without moving a successor's scheduled start or the project finish
    start = early_start.copy()
    alap = not_started & (kinds == ConstraintType.ALAP) if constrained else np.zeros(n, dtype=bool)
    if alap.any():
        _schedule_alap(start, alap, np.minimum(project_finish - span, late_hi), levels, k)
        slack = start[s_lv] - start[p_lv] - k
    finish = start + span

    anchored = finished & milestone
    planned_milestones = milestone & not_started
    if planned_milestones.any():
        anchored |= _finish_anchored(
            planned_milestones, early_start, levels, k, from_finish, kinds, c_start, project_start, status_day
        )
    late_anchored = anchored | (milestone & (total_float != 0))
    if constrained:
        start_bound = (kinds == ConstraintType.SNLT) | (kinds == ConstraintType.MSO)
        late_anchored &= ~(start_bound & (late_start == c_start))

    return CpmResult(
        early_start=early_start,
        early_finish=early_finish,
        late_start=late_start,
        late_finish=late_finish,
        start=start,
        finish=finish,
        total_float=total_float,
        free_float=free_float,
        critical=critical,
        near_critical=near_critical,
        milestone=milestone,
        finish_anchored=anchored,
        late_finish_anchored=late_anchored,
        finished=finished,
        in_progress=in_progress,
        slack_by_level=slack,
        critical_dependency=critical_dependency,
        critical_path=_critical_chain(
            critical, early_finish, levels.level, preds, succs, critical_dependency
        ),
        project_start=project_start,
        project_finish=project_finish,
        project_late_finish=end,
        levels=levels,
    )


def _progress(
    durations: Int64Array,
    actual_start_day: ArrayLike | None,
    actual_finish_day: ArrayLike | None,
    remaining_duration: ArrayLike | None,
    status_day: int | None,
) -> tuple[BoolArray, BoolArray, Int64Array, Int64Array]:
    """Finished and in-progress tasks, their fixed start points, and every task's span in days."""
    n = durations.size
    nobody = np.zeros(n, dtype=bool)
    if actual_start_day is None and actual_finish_day is None:
        return nobody, nobody.copy(), np.zeros(n, dtype=np.int64), durations
    actual_start = _optional(actual_start_day, n, NO_DAY, "actual_start_day")
    actual_finish = _optional(actual_finish_day, n, NO_DAY, "actual_finish_day")
    milestone = durations == 0
    finished = (actual_finish != NO_DAY) | (milestone & (actual_start != NO_DAY))
    actual_finish = np.where(actual_finish == NO_DAY, actual_start, actual_finish)
    in_progress = (actual_start != NO_DAY) & ~finished
    no_start = finished & (actual_start == NO_DAY)
    actual_start = np.where(no_start, actual_finish - np.maximum(durations - 1, 0), actual_start)
    backwards = finished & (actual_finish < actual_start)
    if backwards.any():
        raise SchedulingError(f"An actual finish precedes its actual start (tasks {_tasks(backwards)}).")
    remaining = _optional(remaining_duration, n, NO_DAY, "remaining_duration")
    remaining = np.where(remaining == NO_DAY, durations, remaining)
    if (in_progress & (remaining < 0)).any():
        raise SchedulingError(
            f"Remaining durations cannot be negative (tasks {_tasks(in_progress & (remaining < 0))})."
        )
    fixed_start = np.where(finished & milestone, actual_finish + 1, actual_start)
    fixed_finish = np.where(finished, actual_finish + 1, actual_start + durations)
    if status_day is not None:
        remaining_finish = np.maximum(status_day, actual_start) + remaining
        fixed_finish = np.where(in_progress, np.maximum(remaining_finish, actual_start + 1), fixed_finish)
    span = np.where(finished | in_progress, fixed_finish - fixed_start, durations)
    return finished, in_progress, fixed_start, span


def _schedule_alap(
    start: Int64Array, alap: BoolArray, late: Int64Array, levels: TopologicalLevels, k: Int64Array
) -> None:
    """Move ALAP tasks (in ``start``) as late as their successors' scheduled starts allow."""
    p_lv, s_lv = levels.edge_pred, levels.edge_succ
    picked = np.flatnonzero(alap[p_lv])
    picked_level = levels.level[p_lv[picked]]
    nodes_by_level = levels.order[alap[levels.order]]
    node_level = levels.level[nodes_by_level]
    for level in np.unique(node_level)[::-1].tolist():
        a, b = np.searchsorted(picked_level, [level, level + 1])
        if b > a:
            edges = picked[a:b]
            np.minimum.at(late, p_lv[edges], start[s_lv[edges]] - k[edges])
        c, d = np.searchsorted(node_level, [level, level + 1])
        nodes = nodes_by_level[c:d]
        start[nodes] = np.maximum(late[nodes], start[nodes])


def _finish_anchored(
    milestones: BoolArray,
    early_start: Int64Array,
    levels: TopologicalLevels,
    k: Int64Array,
    from_finish: BoolArray,
    kinds: Int64Array,
    c_start: Int64Array,
    project_start: int,
    status_day: int | None,
) -> BoolArray:
    """Which planned milestones sit at the end of their day (see "Milestones" in the module doc)."""
    n = milestones.size
    p_lv, s_lv = levels.edge_pred, levels.edge_succ
    into = np.flatnonzero(milestones[s_lv])
    bound = early_start[p_lv[into]] + k[into]
    by_finish = from_finish[levels.edge_order[into]]
    by_start_max = np.full(n, project_start, dtype=np.int64)
    by_finish_max = np.full(n, -_BIG, dtype=np.int64)
    np.maximum.at(by_start_max, s_lv[into[~by_finish]], bound[~by_finish])
    np.maximum.at(by_finish_max, s_lv[into[by_finish]], bound[by_finish])
    tasks = np.flatnonzero(milestones)
    from_start, from_end = by_start_max[tasks], by_finish_max[tasks]
    dependencies = np.maximum(from_start, from_end)
    anchored = from_end > from_start
    kind, wanted = kinds[tasks], c_start[tasks]
    finish_kind = (kind == ConstraintType.FNET) | (kind == ConstraintType.FNLT) | (kind == ConstraintType.MFO)
    later = ((kind == ConstraintType.SNET) | (kind == ConstraintType.FNET)) & (wanted > dependencies)
    earlier = ((kind == ConstraintType.SNLT) | (kind == ConstraintType.FNLT)) & (wanted < dependencies)
    tie = (kind >= ConstraintType.SNET) & (wanted == dependencies)
    anchored = np.where(later | earlier, finish_kind, anchored)
    anchored &= ~tie | finish_kind
    must = (kind == ConstraintType.MSO) | (kind == ConstraintType.MFO)
    anchored = np.where(must, kind == ConstraintType.MFO, anchored)
    if status_day is not None:
        anchored &= early_start[tasks] != status_day
    result = np.zeros(n, dtype=bool)
    result[tasks] = anchored
    return result


def _critical_chain(
    critical: BoolArray,
    early_finish: Int64Array,
    level: Int64Array,
    preds: Int64Array,
    succs: Int64Array,
    driving: BoolArray,
) -> Int64Array:
    """One critical path: from the latest-finishing critical task back along critical dependencies.

    Among the tasks finishing last, the one deepest in the network ends the path (so a closing
    milestone is on it); going back, the first critical dependency (in input order) is followed.
    """
    if not critical.any():
        return np.zeros(0, dtype=np.int64)
    candidates = np.flatnonzero(critical)
    last = candidates[early_finish[candidates] == early_finish[candidates].max()]
    node = int(last[np.argmax(level[last])])
    links = np.flatnonzero(driving)[::-1]  # assigned last to first, so the first one wins
    back = np.full(critical.size, -1, dtype=np.int64)
    back[succs[links]] = preds[links]
    chain = [node]
    while (node := int(back[node])) >= 0:
        chain.append(node)
    chain.reverse()
    return np.asarray(chain, dtype=np.int64)


def critical_paths(
    result: CpmResult, pred: ArrayLike, succ: ArrayLike, *, limit: int = 10
) -> list[list[int]]:
    """Up to ``limit`` critical paths, each a list of task numbers from start to finish.

    A path runs along ``result.critical_dependency`` from a critical task with no critical
    predecessor to one with no critical successor; ``result.critical_path`` comes first.

    >>> result = cpm([2, 3, 3, 1], pred=[0, 0, 1, 2], succ=[1, 2, 3, 3])
    >>> critical_paths(result, [0, 0, 1, 2], [1, 2, 3, 3])
    [[0, 1, 3], [0, 2, 3]]
    """
    preds = np.asarray(pred, dtype=np.int64).reshape(-1)
    succs = np.asarray(succ, dtype=np.int64).reshape(-1)
    driving = result.critical_dependency
    following: dict[int, list[int]] = {}
    has_pred = np.zeros(result.critical.size, dtype=bool)
    has_pred[succs[driving]] = True
    for p, s in zip(preds[driving].tolist(), succs[driving].tolist(), strict=True):
        following.setdefault(p, []).append(s)
    main = result.critical_path.tolist()
    paths: list[list[int]] = [main] if main else []
    sources = [int(task) for task in np.flatnonzero(result.critical & ~has_pred)]
    stack: list[list[int]] = [[source] for source in reversed(sources)]
    while stack and len(paths) < limit:
        path = stack.pop()
        nexts = following.get(path[-1], [])
        if not nexts:
            if path != main:
                paths.append(path)
            continue
        stack.extend([*path, task] for task in reversed(nexts))
    return paths[:limit]
