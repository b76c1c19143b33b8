"""Optimising resource leveling with OR-Tools CP-SAT: a proven lower bound and, often, the optimum.

The model is the textbook one — a fixed-size interval per task, one cumulative constraint per
resource, one linear inequality per dependency, minimise the project finish — tightened with what
the heuristic already knows, which is what makes CP-SAT fast on it:

- the heuristic's schedule is the hint (warm start) and its finish the upper bound, so every start
  lies between its early start and its late start for that finish (the critical path method);
- every task's *tail* (the longest chain from its start to the end) bounds the finish from below:
  ``finish ≥ start_j + tail_j``, which lets the solver raise its lower bound early;
- the tasks that use more than half of a resource can never overlap, which a redundant
  no-overlap constraint states directly.

Fixed tasks are constants; dependencies into them are not enforced (progress override).

On hard instances CP-SAT alone improves slowly within seconds, so :func:`level_optimal` runs it in
a second thread (CP-SAT releases the GIL) while the main thread keeps improving the schedule with
the genetic search; both then turn to the large neighbourhood search
(:mod:`clientpm.scheduling.leveling.lns`). They share their best schedule and stop as soon as it
meets CP-SAT's bound.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from clientpm.scheduling.leveling.heuristic import level_heuristic
from clientpm.scheduling.leveling.lns import improve
from clientpm.scheduling.leveling.model import Incumbent, LevelingProblem, LevelingResult

__all__ = ["build_model", "level_optimal", "value_of"]


def value_of(
    solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback, start: cp_model.IntVar | int
) -> int:
    """A task's start in a solution (fixed tasks are plain numbers)."""
    return start if isinstance(start, int) else int(solver.value(start))


def build_model(
    problem: LevelingProblem,
    hint: Sequence[int],
    upper: int,
    precedences: Sequence[tuple[int, int]] = (),
    compact: Sequence[int] = (),
) -> tuple[cp_model.CpModel, list[cp_model.IntVar | int], cp_model.IntVar]:
    """The tightened model of schedules finishing by ``upper``, hinted with ``hint``.

    ``precedences`` adds finish-to-start pairs (the large neighbourhood search's partial order);
    ``compact`` lists tasks whose starts to minimise too, after the finish (which leaves room
    for the next steps). Returns the model, the start of every task (a variable, or the constant
    of a fixed task) and the project finish variable.
    """
    model = cp_model.CpModel()
    n = problem.n_tasks
    early = problem.early_start.tolist()
    late = problem.late_start(upper).tolist()
    duration = problem.duration.tolist()
    fixed = problem.fixed.tolist()
    starts: list[cp_model.IntVar | int] = []
    for j in range(n):
        if fixed[j]:
            starts.append(int(problem.fixed_start[j]))
        else:
            var = model.new_int_var(early[j], max(late[j], early[j]), f"s{j}")
            model.add_hint(var, int(hint[j]))
            starts.append(var)
    finish = model.new_int_var(min(problem.lower_bound, upper), upper, "finish")
    model.add_hint(finish, max(int(hint[j]) + duration[j] for j in range(n)) if n else upper)
    for j in range(n):
        # the tail: from a free task's start, at least upper − late_j days remain
        model.add(finish >= starts[j] + (duration[j] if fixed[j] else max(upper - late[j], duration[j])))
    pairs = zip(problem.pred.tolist(), problem.succ.tolist(), problem.distance.tolist(), strict=True)
    for p, s, dist in pairs:
        if not fixed[s] and not fixed[p]:
            model.add(starts[s] >= starts[p] + dist)
    for p, s in precedences:
        model.add(starts[s] >= starts[p] + duration[p])
    intervals = {
        j: model.new_fixed_size_interval_var(starts[j], duration[j], f"i{j}")
        for j in range(n)
        if duration[j] > 0
    }
    demand = problem.demand.tolist()
    for k, capacity in enumerate(problem.capacity.tolist()):
        users = [j for j in intervals if demand[j][k] > 0]
        if sum(demand[j][k] for j in users) <= capacity:
            continue
        model.add_cumulative([intervals[j] for j in users], [demand[j][k] for j in users], capacity)
        heavy = [intervals[j] for j in users if 2 * demand[j][k] > capacity]
        if len(heavy) > 1:
            model.add_no_overlap(heavy)
    movable = [j for j in compact if not fixed[j]]
    if movable:
        # the finish first: one day earlier outweighs any total of start delays
        weight = sum(max(late[j], early[j]) - early[j] for j in movable) + 1
        model.minimize(finish * weight + sum(starts[j] - early[j] for j in movable))
    else:
        model.minimize(finish)
    return model, starts, finish


class _Collector(cp_model.CpSolverSolutionCallback):
    """Offers every solution of the whole-model solver to the shared incumbent."""

    def __init__(
        self, incumbent: Incumbent, starts: list[cp_model.IntVar | int], finish: cp_model.IntVar
    ) -> None:
        super().__init__()
        self._incumbent, self._starts, self._finish = incumbent, starts, finish

    def on_solution_callback(self) -> None:
        self._incumbent.offer([value_of(self, var) for var in self._starts], int(self.value(self._finish)))


class _Background(threading.Thread):
    """The second thread: CP-SAT on the whole model, then (unless it closed the problem) the
    large neighbourhood search, both sharing the incumbent with the main thread."""

    def __init__(
        self,
        problem: LevelingProblem,
        incumbent: Incumbent,
        *,
        full_seconds: float,
        deadline: float,
        num_workers: int,
        seed: int,
        log: bool,
    ) -> None:
        super().__init__(name="leveling-cp-sat", daemon=True)
        self.problem, self.incumbent = problem, incumbent
        self.full_seconds, self.deadline = full_seconds, deadline
        self.num_workers, self.seed, self.log = num_workers, seed, log
        self.solver = cp_model.CpSolver()
        self.stopping = threading.Event()
        self.status = "NOT_RUN"
        self.steps = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._search()
        except BaseException as error:  # handed to the main thread by stop()
            self.error = error

    def _search(self) -> None:
        hint, upper = self.incumbent.snapshot()
        model, starts, finish = build_model(self.problem, hint, upper)
        parameters = self.solver.parameters
        parameters.max_time_in_seconds = max(0.01, self.full_seconds)
        parameters.num_workers = max(1, self.num_workers)
        parameters.random_seed = self.seed
        parameters.log_search_progress = self.log
        self.solver.best_bound_callback = lambda bound: self.incumbent.raise_bound(math.ceil(bound - 1e-6))
        if self.stopping.is_set():
            return
        status = self.solver.solve(model, _Collector(self.incumbent, starts, finish))
        self.status = self.solver.status_name(status)
        if status == cp_model.OPTIMAL:
            self.incumbent.raise_bound(int(self.solver.objective_value))
        elif status == cp_model.INFEASIBLE:
            self.incumbent.raise_bound(upper)  # nothing beats the hint
        elif status == cp_model.FEASIBLE:
            self.incumbent.raise_bound(math.ceil(self.solver.best_objective_bound - 1e-6))
        if not self.stopping.is_set() and time.perf_counter() < self.deadline - 0.05:
            self.steps = improve(
                self.problem, self.incumbent, build_model, deadline=self.deadline, seed=self.seed + 1
            )

    def stop(self) -> None:
        """Stop the search, wait for the thread, and raise what went wrong in it, if anything."""
        self.stopping.set()
        self.solver.stop_search()
        self.join()
        if self.error is not None:
            raise self.error


def level_optimal(
    problem: LevelingProblem,
    *,
    time_limit: float = 2.0,
    num_workers: int = 2,
    seed: int = 0,
    start: LevelingResult | None = None,
    full_share: float = 0.3,
    search_share: float = 0.5,
    log: bool = False,
) -> LevelingResult:
    """Level ``problem`` within ``time_limit`` seconds, everything included.

    A quick heuristic (500 schedules, unless ``start`` gives a result to improve) gives the hint.
    Two threads then share the best schedule: a second thread runs CP-SAT on the whole model
    (``num_workers − 1`` workers, at least one) for ``full_share`` of the time, which proves most
    small instances optimal, then the large neighbourhood search; this thread runs the genetic
    search, seeded with the hint, for ``search_share`` of the time, then the large neighbourhood
    search. So ``num_workers`` is the number of cores kept busy. Everything stops as soon as the
    best finish meets CP-SAT's bound, which is the result's ``lower_bound``.
    """
    began = time.perf_counter()
    deadline = began + time_limit
    if start is None:
        start = level_heuristic(problem, schedules=500, time_limit=time_limit * 0.1, seed=seed)
    incumbent = Incumbent(
        start.start.tolist(), start.project_finish, max(start.lower_bound, problem.lower_bound)
    )
    schedules = start.schedules
    if incumbent.settled() or deadline - time.perf_counter() <= 0.01:
        return _result(problem, incumbent, began, schedules, "NOT_RUN")

    background = _Background(
        problem,
        incumbent,
        full_seconds=min(time_limit * full_share, deadline - time.perf_counter()),
        deadline=deadline,
        num_workers=num_workers - 1,
        seed=seed,
        log=log,
    )
    background.start()
    phases = []
    try:
        if not incumbent.settled() and deadline - time.perf_counter() > 0.05:
            seconds = min(time_limit * search_share, deadline - time.perf_counter())
            found = level_heuristic(
                problem, schedules=10**9, time_limit=seconds, seed=seed + 1, incumbent=incumbent
            )
            schedules += found.schedules
            phases.append(f"GA({found.schedules}) {found.project_finish}")
        if not incumbent.settled() and deadline - time.perf_counter() > 0.05:
            steps = improve(problem, incumbent, build_model, deadline=deadline, seed=seed)
            phases.append(f"LNS({steps}) {incumbent.snapshot()[1]}")
    finally:
        background.stop()
    phases.insert(
        0, f"CP-SAT {background.status}" + (f" + LNS({background.steps})" if background.steps else "")
    )
    return _result(problem, incumbent, began, schedules, " | ".join(phases))


def _result(
    problem: LevelingProblem, incumbent: Incumbent, began: float, schedules: int, solver_status: str
) -> LevelingResult:
    start, finish = incumbent.snapshot()
    starts = np.asarray(start, dtype=np.int64)
    lower = min(incumbent.bound, finish)
    return LevelingResult(
        start=starts,
        finish=starts + problem.duration,
        project_finish=finish,
        lower_bound=lower,
        status="optimal" if finish <= lower else "feasible",
        method="cp-sat",
        origin=problem.origin,
        early_start=problem.early_start,
        seconds=time.perf_counter() - began,
        schedules=schedules,
        solver_status=solver_status,
    )
