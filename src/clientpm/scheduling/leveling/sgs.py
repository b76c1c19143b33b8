"""Schedule generation schemes and double justification, the heuristic's building blocks.

The *serial scheme* takes the tasks one at a time — among those whose predecessors are placed,
the one with the smallest key — and starts each at the earliest point where its dependencies are
met and every resource it needs has enough free units on all its working days. Any key order
gives a feasible schedule (the eligibility rule repairs orders that contradict a dependency), and
some order gives an optimal one, so searching over orders is enough. The *parallel scheme*
instead advances in time and starts, at each point, whatever ready tasks fit.

*Double justification* (Valls, Ballestín & Quintanilla, 2005) improves a schedule: shift every
task as late as possible in decreasing order of finish (a serial pass on the mirrored network),
then as early as possible in increasing order of that start (a forward pass). It never breaks a
dependency and often closes gaps; it is repeated while the project gets shorter.

Plain Python lists rather than NumPy: each step touches a few days of a few resources, where
NumPy's per-call overhead would dominate (one pass over 30 tasks takes about 0.1 ms).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence
from dataclasses import dataclass

from clientpm.scheduling.leveling.model import Incumbent, LevelingProblem

__all__ = ["Leveler", "Network", "Search", "parallel", "serial"]

Demand = tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False)
class Network:
    """One direction (forward or mirrored) of a problem, on a time axis starting at 0."""

    duration: list[int]
    demand: list[Demand]
    out: list[list[tuple[int, int]]]
    """Per task, its enforced successors among the free tasks with the minimum start distance."""
    n_pred: list[int]
    """Per task, its enforced predecessors among the free tasks."""
    base: list[int]
    """Per task, the earliest start its release and fixed predecessors allow."""
    free: list[int]
    fixed: dict[int, int]
    profile: list[list[int]]
    """Per resource and point, the units left by the fixed tasks; long enough for any schedule."""


def _profile(
    capacity: list[int], length: int, intervals: Sequence[tuple[int, int, Demand]]
) -> list[list[int]]:
    rows = [[units] * length for units in capacity]
    for start, end, needs in intervals:
        for k, units in needs:
            row = rows[k]
            for t in range(start, end):
                row[t] -= units
    return rows


def _horizon(
    base: Sequence[int],
    fixed_end: int,
    duration: Sequence[int],
    out: Sequence[Sequence[tuple[int, int]]],
    free: Sequence[int],
) -> int:
    """A point no serial schedule passes: each task ends at most its duration plus its largest
    incoming distance after everything placed before it."""
    reach = [0] * len(duration)
    for task in free:
        for nxt, dist in out[task]:
            reach[nxt] = max(reach[nxt], dist)
    begin = max([fixed_end, *(base[task] for task in free)], default=0)
    return begin + sum(duration[task] + reach[task] for task in free) + 1


class Leveler:
    """The forward network of a problem and its mirrored networks (built once per project finish)."""

    def __init__(self, problem: LevelingProblem) -> None:
        self.origin = origin = problem.origin
        n = problem.n_tasks
        duration = problem.duration.tolist()
        demand: list[Demand] = [
            tuple((k, units) for k, units in enumerate(row) if units > 0) if duration[j] > 0 else ()
            for j, row in enumerate(problem.demand.tolist())
        ]
        fixed_mask = problem.fixed.tolist()
        fixed = {j: int(problem.fixed_start[j]) - origin for j in range(n) if fixed_mask[j]}
        free = [j for j in range(n) if not fixed_mask[j]]
        base = (problem.release - origin).tolist()
        out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        back: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        n_pred, n_succ = [0] * n, [0] * n
        for p, s, dist in zip(
            problem.pred.tolist(), problem.succ.tolist(), problem.distance.tolist(), strict=True
        ):
            if s in fixed:
                continue  # progress override: a started task no longer waits
            if p in fixed:
                base[s] = max(base[s], fixed[p] + dist)
                continue
            out[p].append((s, dist))
            # start_s ≥ start_p + dist  ⇔  mirrored: start'_p ≥ start'_s + d_s − d_p + dist
            back[s].append((p, duration[s] - duration[p] + dist))
            n_pred[s] += 1
            n_succ[p] += 1
        self.capacity = capacity = problem.capacity.tolist()
        self._intervals = [(start, start + duration[j], demand[j]) for j, start in fixed.items()]
        fixed_end = max((end for _, end, _ in self._intervals), default=0)
        length = _horizon(base, fixed_end, duration, out, free)
        self.forward = Network(
            duration, demand, out, n_pred, base, free, fixed, _profile(capacity, length, self._intervals)
        )
        self._back_out, self._back_n_pred = back, n_succ
        self._backward: dict[int, Network] = {}

    def backward(self, finish: int) -> Network:
        """The mirrored network for a schedule ending at ``finish``: a task starting at ``s``
        maps to ``finish − s − d``, dependencies reverse, releases are dropped (the mirrored
        schedule only orders the next forward pass, which honours them)."""
        network = self._backward.get(finish)
        if network is None:
            f = self.forward
            fixed = {j: finish - start - f.duration[j] for j, start in f.fixed.items()}
            intervals = [(finish - end, finish - start, needs) for start, end, needs in self._intervals]
            base = [0] * len(f.duration)
            length = _horizon(base, finish, f.duration, self._back_out, f.free)
            profile = _profile(self.capacity, length, intervals)
            network = Network(
                f.duration, f.demand, self._back_out, self._back_n_pred, base, f.free, fixed, profile
            )
            self._backward[finish] = network
        return network


def serial(network: Network, key: Sequence[float]) -> list[int]:
    """The serial schedule generation scheme: the start point of every task (see the module doc)."""
    duration, demand, out = network.duration, network.demand, network.out
    earliest = network.base[:]
    n_pred = network.n_pred[:]
    free_units = [row[:] for row in network.profile]
    start = [0] * len(duration)
    for task, point in network.fixed.items():
        start[task] = point
    heap = [(key[task], task) for task in network.free if n_pred[task] == 0]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        task = pop(heap)[1]
        t = earliest[task]
        needs = demand[task]
        if needs:
            d = duration[task]
            end = t + d
            checked = 0  # resources known to fit from t; a jump restarts the count
            if d == 1:
                while checked < len(needs):
                    k, units = needs[checked]
                    if free_units[k][t] < units:
                        t += 1
                        checked = 0
                    else:
                        checked += 1
                end = t + 1
                for k, units in needs:
                    free_units[k][t] -= units
            else:
                while checked < len(needs):
                    k, units = needs[checked]
                    window = free_units[k][t:end]
                    if min(window) < units:
                        # jump past the last day in the window that lacks units
                        i = d - 1
                        while window[i] >= units:
                            i -= 1
                        t += i + 1
                        end = t + d
                        checked = 0
                    else:
                        checked += 1
                for k, units in needs:
                    row = free_units[k]
                    row[t:end] = [value - units for value in row[t:end]]
        start[task] = t
        for nxt, dist in out[task]:
            if t + dist > earliest[nxt]:
                earliest[nxt] = t + dist
            n_pred[nxt] -= 1
            if not n_pred[nxt]:
                push(heap, (key[nxt], nxt))
    return start


def parallel(network: Network, key: Sequence[float]) -> list[int]:
    """The parallel schedule generation scheme: the start point of every task.

    Time advances from event to event (a finish, or a dependency becoming due); at each point the
    ready tasks start in order of ``key`` while the free capacity lasts. Its schedules keep no
    resource idle that a ready task could use, which suits scarce resources (Kolisch, 1996).
    """
    duration, demand, out = network.duration, network.demand, network.out
    earliest = network.base[:]
    n_pred = network.n_pred[:]
    free_units = [row[:] for row in network.profile]
    start = [0] * len(duration)
    ends = []
    for task, point in network.fixed.items():
        start[task] = point
        ends.append(point + duration[task])
    heapq.heapify(ends)
    pop, push = heapq.heappop, heapq.heappush
    waiting = [task for task in network.free if n_pred[task] == 0]
    ready: list[tuple[float, int]] = []
    left = len(network.free)
    t = min((earliest[task] for task in waiting), default=0)
    while left:
        still = []
        for task in waiting:
            if earliest[task] <= t:
                push(ready, (key[task], task))
            else:
                still.append(task)
        waiting = still
        skipped = []
        while ready:
            entry = pop(ready)
            task = entry[1]
            end = t + duration[task]
            needs = demand[task]
            if any(min(free_units[k][t:end]) < units for k, units in needs):
                skipped.append(entry)
                continue
            for k, units in needs:
                row = free_units[k]
                row[t:end] = [value - units for value in row[t:end]]
            start[task] = t
            left -= 1
            if end > t:
                push(ends, end)
            for nxt, dist in out[task]:
                if t + dist > earliest[nxt]:
                    earliest[nxt] = t + dist
                n_pred[nxt] -= 1
                if not n_pred[nxt]:
                    if earliest[nxt] <= t:
                        push(ready, (key[nxt], nxt))
                    else:
                        waiting.append(nxt)
        for entry in skipped:
            push(ready, entry)
        while ends and ends[0] <= t:
            pop(ends)
        due = min((earliest[task] for task in waiting), default=t + 1 if not ends else ends[0])
        t = min(due, ends[0]) if ends else due
    return start


class Search:
    """Runs passes within a budget of schedules and seconds, and keeps the best schedule."""

    def __init__(
        self,
        leveler: Leveler,
        budget: int,
        deadline: float | None,
        target: int,
        incumbent: Incumbent | None = None,
    ) -> None:
        self.leveler = leveler
        self.budget = budget
        self.deadline = deadline
        self.target = target
        self.incumbent = incumbent
        self.schedules = 0
        self.best: list[int] = []
        self.best_finish = 2**62

    def done(self) -> bool:
        """Whether to stop: the budget is spent, time is up, the lower bound is reached, or the
        shared incumbent is proven optimal."""
        if self.best_finish <= self.target or self.schedules >= self.budget:
            return True
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return True
        return self.incumbent is not None and self.incumbent.settled(self.best_finish + self.leveler.origin)

    def forward(self, key: Sequence[float], scheme: str = "serial") -> tuple[list[int], int]:
        """One forward pass (serial or parallel scheme); returns the starts and the project finish."""
        network = self.leveler.forward
        start = parallel(network, key) if scheme == "parallel" else serial(network, key)
        self.schedules += 1
        duration = network.duration
        finish = max([start[j] + duration[j] for j in range(len(start))], default=0)
        if finish < self.best_finish:
            self.best, self.best_finish = start, finish
            if self.incumbent is not None:
                origin = self.leveler.origin
                self.incumbent.offer([point + origin for point in start], finish + origin)
        return start, finish

    def justify(self, start: list[int], finish: int) -> tuple[list[int], int]:
        """Double justification of a forward schedule, repeated while it shortens the project."""
        n = len(start)
        duration = self.leveler.forward.duration
        while not self.done():
            backward = self.leveler.backward(finish)
            # right-justify: latest finish first (later start first among equal finishes)
            mirrored = serial(backward, [-((start[j] + duration[j]) * (n + 1) + start[j]) for j in range(n)])
            self.schedules += 1
            # left-justify: by the right-justified starts (mirrored finishes, decreasing)
            new_start, new_finish = self.forward(
                [start[j] - (mirrored[j] + duration[j]) * (n + 1) for j in range(n)]
            )
            improved = new_finish < finish
            if new_finish <= finish:
                start, finish = new_start, new_finish
            if not improved:
                break
        return start, finish
