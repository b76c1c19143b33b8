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
a background thread (it releases the GIL) while the main thread keeps improving the schedule with
the genetic search and then the large neighbourhood search (:mod:`clientpm.scheduling.leveling.lns`);
the two share their best schedule and stop as soon as it meets CP-SAT's bound.
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
from clientpm.scheduling.leveling.model import LevelingProblem, LevelingResult

__all__ = ["FullSolve", "build_model", "level_optimal", "value_of"]


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
) -> tuple[cp_model.CpModel, list[cp_model.IntVar | int], cp_model.IntVar]:
    """The tightened model of schedules finishing by ``upper``, hinted with ``hint``.

    ``precedences`` adds finish-to-start pairs (the large neighbourhood search's partial order).
    Returns the model, the start of every task (a variable, or the constant of a fixed task) and
    the project finish variable.
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
    model.minimize(finish)
    return model, starts, finish


class _Collector(cp_model.CpSolverSolutionCallback):
    """Hands every improving solution of the background solver to its :class:`FullSolve`."""

    def __init__(self, owner: FullSolve) -> None:
        super().__init__()
        self._owner = owner

    def on_solution_callback(self) -> None:
        owner = self._owner
        finish = int(self.value(owner.finish_var))
        starts = [value_of(self, var) for var in owner.start_vars]
        with owner.lock:
            if finish < owner.best_finish:
                owner.best, owner.best_finish = starts, finish


class FullSolve:
    """CP-SAT on the whole model in a background thread, with its best schedule and bound.

    ``best``/``best_finish`` hold the best schedule known to it (the hint at first) and ``bound``
    its best lower bound; ``closed`` turns true when it has proven the optimum.
    """

    def __init__(
        self,
        problem: LevelingProblem,
        hint: Sequence[int],
        upper: int,
        *,
        seconds: float,
        num_workers: int,
        seed: int,
        log: bool = False,
    ) -> None:
        self.lock = threading.Lock()
        self.best, self.best_finish = list(hint), upper
        self.bound = problem.lower_bound
        self.closed = False
        self.status = "UNKNOWN"
        self.model, self.start_vars, self.finish_var = build_model(problem, hint, upper)
        self.solver = cp_model.CpSolver()
        parameters = self.solver.parameters
        parameters.max_time_in_seconds = max(0.01, seconds)
        parameters.num_workers = max(1, num_workers)
        parameters.random_seed = seed
        parameters.log_search_progress = log
        self.solver.best_bound_callback = self._on_bound
        self._thread = threading.Thread(target=self._run, name="leveling-cp-sat", daemon=True)

    def _on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = max(self.bound, math.ceil(bound - 1e-6))

    def _run(self) -> None:
        status = self.solver.solve(self.model, _Collector(self))
        with self.lock:
            self.status = self.solver.status_name(status)
            if status == cp_model.OPTIMAL:
                self.bound = max(self.bound, self.best_finish)
            elif status == cp_model.INFEASIBLE:
                self.bound = self.best_finish  # nothing beats the hint
            elif status == cp_model.FEASIBLE:
                self.bound = max(self.bound, math.ceil(self.solver.best_objective_bound - 1e-6))
            self.closed = self.bound >= self.best_finish

    def start(self) -> FullSolve:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the search (if still running) and wait for the thread."""
        self.solver.stop_search()
        self._thread.join()

    def snapshot(self) -> tuple[int, list[int], int]:
        """Its best finish, that schedule's starts, and its bound."""
        with self.lock:
            return self.best_finish, self.best, self.bound


def level_optimal(
    problem: LevelingProblem,
    *,
    time_limit: float = 2.0,
    num_workers: int = 2,
    seed: int = 0,
    start: LevelingResult | None = None,
    search_share: float = 0.3,
    log: bool = False,
) -> LevelingResult:
    """Level ``problem`` within ``time_limit`` seconds, everything included.

    A quick heuristic (500 schedules, unless ``start`` gives a result to improve) gives the hint.
    Then CP-SAT works on the whole model in the background with ``num_workers − 1`` workers (at
    least one) while this thread runs the genetic search, seeded with the hint, for
    ``search_share`` of the time and the large neighbourhood search for the rest; so
    ``num_workers`` is the number of cores kept busy. Everything stops once the best finish meets
    CP-SAT's bound, which is the result's ``lower_bound``.
    """
    began = time.perf_counter()
    deadline = began + time_limit
    if start is None:
        start = level_heuristic(problem, schedules=500, time_limit=time_limit * 0.1, seed=seed)
    best, best_finish = start.start.tolist(), start.project_finish
    lower = max(start.lower_bound, problem.lower_bound)
    schedules = start.schedules
    if best_finish <= lower or deadline - time.perf_counter() <= 0.01:
        return _result(problem, best, best_finish, lower, began, schedules, "NOT_RUN")

    full = FullSolve(
        problem,
        best,
        best_finish,
        seconds=deadline - time.perf_counter(),
        num_workers=num_workers - 1,
        seed=seed,
        log=log,
    ).start()
    phases = []

    def settled(finish: int) -> bool:
        """Whether a schedule finishing at ``finish`` (or CP-SAT's own) is proven optimal."""
        found, _, bound = full.snapshot()
        return full.closed or min(finish, found) <= max(lower, bound)

    try:
        if not settled(best_finish) and deadline - time.perf_counter() > 0.05:
            seconds = min(time_limit * search_share, deadline - time.perf_counter())
            found = level_heuristic(
                problem, schedules=10**9, time_limit=seconds, seed=seed + 1, initial=best, stop=settled
            )
            schedules += found.schedules
            if found.project_finish < best_finish:
                best, best_finish = found.start.tolist(), found.project_finish
            phases.append(f"GA({found.schedules}) {best_finish}")
        if not settled(best_finish) and deadline - time.perf_counter() > 0.05:
            best, best_finish, steps = improve(
                problem,
                best,
                build_model,
                deadline=deadline,
                lower_bound=lower,
                seed=seed,
                stop=settled,
                external=lambda: full.snapshot()[:2],
            )
            phases.append(f"LNS({steps}) {best_finish}")
    finally:
        full.stop()
    finish, starts, bound = full.snapshot()
    if finish < best_finish:
        best, best_finish = starts, finish
    phases.insert(0, f"CP-SAT {full.status} {finish}")
    return _result(problem, best, best_finish, max(lower, bound), began, schedules, " | ".join(phases))


def _result(
    problem: LevelingProblem,
    start: Sequence[int],
    project_finish: int,
    lower: int,
    began: float,
    schedules: int,
    solver_status: str,
) -> LevelingResult:
    starts = np.asarray(start, dtype=np.int64)
    return LevelingResult(
        start=starts,
        finish=starts + problem.duration,
        project_finish=project_finish,
        lower_bound=min(lower, project_finish),
        status="optimal" if project_finish <= lower else "feasible",
        method="cp-sat",
        origin=problem.origin,
        early_start=problem.early_start,
        seconds=time.perf_counter() - began,
        schedules=schedules,
        solver_status=solver_status,
    )
