"""The forward and backward pass of :mod:`clientpm.scheduling.cpm`, for many iterations at once.

A :class:`Network` renumbers the tasks in topological order, so that the tasks of one level are
a contiguous block of rows: a pass then handles a level with a few whole-array operations on
``(tasks of the level) × (iterations)`` blocks, whatever the number of iterations. The arrays
stack the start and the finish of every task — row ``t`` is task ``t``'s start, row ``n + t``
its finish — so that each dependency reads one row and writes one row whatever its type:

- forward, a dependency ``i → j`` with lag ``L`` raises a *bound* of ``j`` to (``i``'s start for
  SS/SF, its finish for FS/FF) ``+ L``; the bound is on ``j``'s start (FS, SS) or its finish (FF,
  SF); the bounds of a level's dependencies are combined in a few vectorised rounds;
- backward, it lowers ``i``'s late start (SS, SF) or late finish (FS, FF) to ``j``'s late start
  (FS, SS) or late finish (FF, SF) ``− L``.

The semantics are those of :func:`~clientpm.scheduling.cpm.cpm`'s passes — project start, status
date, SNET/FNET lower bounds, SNLT/FNLT/MSO/MFO winning over dependencies, started tasks fixed
and not waiting for their predecessors — on real-valued durations. The backward pass starts from
each iteration's own finish and follows dependencies only (no deadlines, no late constraint
dates): a task with zero total float then drives that iteration's finish.
"""

from __future__ import annotations

import itertools
from typing import Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

from clientpm.scheduling.cpm import ConstraintType
from clientpm.scheduling.dag import topological_levels

__all__ = ["EPSILON", "Network", "backward_pass", "build_network", "forward_pass", "milestone_days"]

EPSILON: Final = 1e-7
"""Working days below which a difference is rounding (float totals, day boundaries)."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

C = ConstraintType


class Links(NamedTuple):
    """The dependencies leaving one level, laid out to combine those that write the same bound.

    ``candidate = times[source] + lag`` gives one value per dependency: first one for each
    target (in ``target`` order), then the second ones, … — each later round ``(start, stop,
    slots)`` folds ``candidate[start:stop]`` into the first round's ``slots``. That is several
    times faster than ``ufunc.reduceat`` along the first axis.
    """

    source: IntArray
    lag: FloatArray  # a column
    target: IntArray  # unique
    rounds: tuple[tuple[int, int, IntArray], ...]


class Clamp(NamedTuple):
    """Hard constraints and the status date of some tasks of a level (rows relative to the level)."""

    rows: IntArray
    hi_start: FloatArray  # start ≤ hi_start
    hi_finish: FloatArray  # finish ≤ hi_finish
    floor: FloatArray  # start ≥ floor, applied last


class Fixed(NamedTuple):
    """Started tasks of a level and their fixed start (rows relative to the level)."""

    rows: IntArray
    start: FloatArray


class Milestones(NamedTuple):
    """Planned milestones (by position) and what dates them (see "Milestones" in cpm)."""

    rows: IntArray
    kind: IntArray
    wanted: FloatArray  # the start point their constraint asks for


class Network(NamedTuple):
    """A network laid out for the passes; rows are positions, ``order[position]`` the task number."""

    order: IntArray
    position: IntArray
    level_ptr: IntArray
    forward: tuple[Links | None, ...]
    backward: tuple[Links | None, ...]
    lo_start: FloatArray  # a column: project start, SNET, FNET of milestones, MSO, status date
    lo_finish: FloatArray  # a column: FNET/MFO of other tasks, else −∞
    clamps: tuple[Clamp | None, ...]
    fixed: tuple[Fixed | None, ...]
    finished: BoolArray
    milestones: Milestones
    project_start: int
    status_day: int | None


def _links(source: IntArray, target: IntArray, lag: FloatArray) -> Links | None:
    if source.size == 0:
        return None
    by_target = np.argsort(target, kind="stable")
    ordered = target[by_target]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    slot = np.cumsum(new) - 1
    rank = np.arange(ordered.size) - np.flatnonzero(new)[slot]
    layout = np.lexsort((slot, rank))  # by rank, then by target
    edges, slots = by_target[layout], slot[layout]
    ends = np.cumsum(np.bincount(rank))
    rounds = tuple((int(start), int(stop), slots[start:stop]) for start, stop in itertools.pairwise(ends))
    return Links(source[edges], lag[edges][:, None], ordered[new], rounds)


def _bounds(
    kinds: IntArray,
    constraint_day: IntArray,
    started: BoolArray,
    milestone: BoolArray,
    project_start: int,
    status_day: int | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """Per task (by number): the lowest start and finish, the highest start and finish, the status
    floor, and which tasks have a hard (SNLT, FNLT, MSO, MFO) constraint — as in ``cpm``.

    A finish constraint on day ``c`` means finishing at point ``c + 1``; on a milestone (no span)
    it bounds the start directly. Hard constraints are applied after the dependencies (they win).
    """
    n = kinds.size
    not_started = ~started
    finish_kind = (kinds == C.FNET) | (kinds == C.FNLT) | (kinds == C.MFO)
    day = constraint_day.astype(np.float64)
    lower = not_started & ((kinds == C.SNET) | (kinds == C.FNET) | (kinds == C.MSO) | (kinds == C.MFO))
    upper = not_started & ((kinds == C.SNLT) | (kinds == C.FNLT) | (kinds == C.MSO) | (kinds == C.MFO))
    start_lower = lower & (~finish_kind | milestone)
    lo_start = np.full(n, float(project_start))
    lo_start[start_lower] = np.maximum(lo_start[start_lower], day[start_lower] + finish_kind[start_lower])
    lo_finish = np.full(n, -np.inf)
    finish_lower = lower & finish_kind & ~milestone
    lo_finish[finish_lower] = day[finish_lower] + 1
    hi_start = np.where(upper & ~finish_kind, day, np.inf)
    hi_finish = np.where(upper & finish_kind, day + 1, np.inf)
    floor = np.full(n, -np.inf)
    if status_day is not None:  # work not started waits for the status date (hard ones: after the clamp)
        floor[not_started] = status_day
        soft = not_started & ~upper
        lo_start[soft] = np.maximum(lo_start[soft], status_day)
    return lo_start, lo_finish, hi_start, hi_finish, floor, upper


def build_network(
    n: int,
    pred: IntArray,
    succ: IntArray,
    dep_type: IntArray,
    lag: FloatArray,
    *,
    kinds: IntArray,
    constraint_day: IntArray,
    finished: BoolArray,
    in_progress: BoolArray,
    fixed_start: IntArray,
    milestone: BoolArray,
    project_start: int,
    status_day: int | None,
) -> Network:
    """Lay out a validated network (task-number order arrays) for :func:`forward_pass` and friends.

    ``milestone`` marks tasks whose duration is 0 in every iteration. Raises ``CycleError``.
    """
    levels = topological_levels(n, pred, succ)
    order = levels.order
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n, dtype=np.int64)
    started = finished | in_progress
    from_finish = (dep_type & 1) == 0  # FS, FF
    to_finish = dep_type >= 2  # FF, SF
    p, s = position[pred], position[succ]
    ms = milestone[succ]
    forward_source = p + n * from_finish
    # a milestone's bounds are kept apart by what drives them (start or finish), to date it
    forward_target = s + n * np.where(ms, from_finish, to_finish)
    backward_source = s + n * to_finish
    backward_target = p + n * from_finish
    forward: list[Links | None] = []
    backward: list[Links | None] = []
    for level in range(levels.depth):
        edges = levels.edge_order[levels.edge_ptr[level] : levels.edge_ptr[level + 1]]
        edges = edges[~started[succ[edges]]]  # progress override: started tasks wait for nothing
        forward.append(_links(forward_source[edges], forward_target[edges], lag[edges]))
        backward.append(_links(backward_source[edges], backward_target[edges], -lag[edges]))

    lo_start, lo_finish, hi_start, hi_finish, floor, upper = _bounds(
        kinds, constraint_day, started, milestone, project_start, status_day
    )
    clamps: list[Clamp | None] = []
    fixed: list[Fixed | None] = []
    upper_pos, started_pos = upper[order], started[order]
    for level in range(levels.depth):
        a, b = int(levels.level_ptr[level]), int(levels.level_ptr[level + 1])
        rows = np.flatnonzero(upper_pos[a:b])
        tasks = order[a + rows]
        clamps.append(
            Clamp(rows, hi_start[tasks][:, None], hi_finish[tasks][:, None], floor[tasks][:, None])
            if rows.size
            else None
        )
        rows = np.flatnonzero(started_pos[a:b])
        fixed.append(
            Fixed(rows, fixed_start[order[a + rows]].astype(np.float64)[:, None]) if rows.size else None
        )
    planned = np.flatnonzero((milestone & ~started)[order])
    tasks = order[planned]
    finish_kind = (kinds == C.FNET) | (kinds == C.FNLT) | (kinds == C.MFO)
    wanted = constraint_day[tasks].astype(np.float64) + finish_kind[tasks]
    return Network(
        order=order,
        position=position,
        level_ptr=levels.level_ptr,
        forward=tuple(forward),
        backward=tuple(backward),
        lo_start=lo_start[order][:, None],
        lo_finish=lo_finish[order][:, None],
        clamps=tuple(clamps),
        fixed=tuple(fixed),
        finished=finished[order],
        milestones=Milestones(planned, kinds[tasks], wanted[:, None]),
        project_start=project_start,
        status_day=status_day,
    )


def forward_pass(net: Network, span: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Early dates for a ``(tasks, iterations)`` block of spans (rows by position).

    Returns ``times`` (rows ``0…n−1`` early starts, ``n…2n−1`` early finishes, as points) and the
    dependency ``bounds`` in the same layout (read by :func:`milestone_days`).
    """
    n, iterations = span.shape
    times = np.empty((2 * n, iterations))
    bounds = np.full((2 * n, iterations), -np.inf)
    bounds[n:] = net.lo_finish
    ptr = net.level_ptr
    for level in range(ptr.size - 1):
        a, b = int(ptr[level]), int(ptr[level + 1])
        days, start = span[a:b], times[a:b]
        np.subtract(bounds[n + a : n + b], days, out=start)
        np.maximum(start, bounds[a:b], out=start)
        np.maximum(start, net.lo_start[a:b], out=start)
        clamp = net.clamps[level]
        if clamp is not None:
            rows = clamp.rows
            latest = np.minimum(clamp.hi_start, clamp.hi_finish - days[rows])
            start[rows] = np.maximum(np.minimum(start[rows], latest), clamp.floor)
        fixed = net.fixed[level]
        if fixed is not None:
            start[fixed.rows] = fixed.start
        np.add(start, days, out=times[n + a : n + b])
        links = net.forward[level]
        if links is not None:
            candidate = times[links.source]
            candidate += links.lag
            best = candidate[: links.target.size]
            for lo, hi, slots in links.rounds:
                best[slots] = np.maximum(best[slots], candidate[lo:hi])
            bounds[links.target] = np.maximum(bounds[links.target], best)
    return times, bounds


def backward_pass(net: Network, span: FloatArray, finish: FloatArray, scratch: FloatArray) -> FloatArray:
    """Late starts (rows by position) back from each iteration's ``finish`` along the dependencies.

    ``scratch`` is a ``(2n, iterations)`` array the pass may overwrite (the forward bounds).
    """
    n = span.shape[0]
    late = np.empty_like(scratch)
    bounds = scratch
    bounds.fill(np.inf)
    ptr = net.level_ptr
    for level in range(ptr.size - 2, -1, -1):
        a, b = int(ptr[level]), int(ptr[level + 1])
        links = net.backward[level]
        if links is not None:
            candidate = late[links.source]
            candidate += links.lag
            best = candidate[: links.target.size]
            for lo, hi, slots in links.rounds:
                best[slots] = np.minimum(best[slots], candidate[lo:hi])
            bounds[links.target] = np.minimum(bounds[links.target], best)
        days, start = span[a:b], late[a:b]
        np.subtract(bounds[n + a : n + b], days, out=start)
        np.minimum(start, bounds[a:b], out=start)
        np.minimum(start, finish - days, out=start)
        np.add(start, days, out=late[n + a : n + b])
    return late[:n]


def milestone_days(net: Network, times: FloatArray, bounds: FloatArray) -> FloatArray:
    """The latest working-day index of a planned milestone's date, per iteration (−∞ without any).

    A milestone driven by a finish (FS, FF, a finish constraint) is dated by the day that ends at
    its point, one driven by a start by the day that begins there — as :mod:`cpm` reads it.
    """
    ms = net.milestones
    iterations = times.shape[1]
    if ms.rows.size == 0:
        return np.full(iterations, -np.inf)
    n = times.shape[0] // 2
    point = times[ms.rows]
    from_start = np.maximum(bounds[ms.rows], float(net.project_start))
    from_end = bounds[n + ms.rows]
    driven = np.maximum(from_start, from_end)
    anchored = from_end > from_start
    kind = ms.kind[:, None]
    finish_kind = (kind == C.FNET) | (kind == C.FNLT) | (kind == C.MFO)
    later = ((kind == C.SNET) | (kind == C.FNET)) & (ms.wanted > driven)
    earlier = ((kind == C.SNLT) | (kind == C.FNLT)) & (ms.wanted < driven)
    tie = (kind >= C.SNET) & (ms.wanted == driven)
    anchored = np.where(later | earlier, finish_kind, anchored)
    anchored &= ~tie | finish_kind
    anchored = np.where((kind == C.MSO) | (kind == C.MFO), kind == C.MFO, anchored)
    if net.status_day is not None:
        anchored &= point != net.status_day
    days = np.where(anchored, np.ceil(point - EPSILON) - 1, np.floor(point + EPSILON))
    result: FloatArray = days.max(axis=0)
    return result
