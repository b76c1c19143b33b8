"""Large neighbourhood search with CP-SAT: re-optimise a few tasks at a time around a schedule.

On the hardest instances neither the genetic search nor CP-SAT on the whole model improves much
within seconds, but CP-SAT solves *small* subproblems to optimality in milliseconds. Each step
keeps the current schedule's order between the tasks it does not free — as precedences between
tasks that use a common resource (a partial-order schedule, Godard, Laborie & Nuijten, 2005), so
those tasks may still move earlier together — and lets CP-SAT re-sequence the freed tasks to
shorten the project. A step is accepted when the project does not get longer (plateau moves keep
the search moving) and the freed tasks start as early as that finish allows, which leaves room
for the next steps; the number of freed tasks adapts to how easily the subproblems are solved.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from clientpm.scheduling.leveling.model import Incumbent, LevelingProblem

__all__ = ["improve", "partial_order"]


def partial_order(
    problem: LevelingProblem, start: Sequence[int], frozen: Sequence[bool]
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``: ``j`` starts after ``i`` finishes in ``start``, both frozen, sharing a resource.

    Only the immediate pairs per resource are listed — the others follow by transitivity.
    """
    duration = problem.duration.tolist()
    demand = problem.demand
    pairs: set[tuple[int, int]] = set()
    for k in range(problem.n_resources):
        users = [j for j in (demand[:, k] > 0).nonzero()[0].tolist() if frozen[j] and duration[j] > 0]
        users.sort(key=lambda j: start[j])
        starts = [start[j] for j in users]
        # suffix minimum of the finishes, in start order
        earliest_end = [0] * (len(users) + 1)
        earliest_end[-1] = 2**62
        for position in range(len(users) - 1, -1, -1):
            j = users[position]
            earliest_end[position] = min(earliest_end[position + 1], start[j] + duration[j])
        for i in users:
            first = bisect.bisect_left(starts, start[i] + duration[i])
            bound = earliest_end[first]
            for position in range(first, len(users)):
                if starts[position] >= bound:
                    break
                pairs.add((i, users[position]))
    return sorted(pairs)


def _neighbourhood(problem: LevelingProblem, start: Sequence[int], size: int, rng: random.Random) -> set[int]:
    """Tasks to free: consecutive in start order, random, or consecutive among one resource's users."""
    free = [j for j in range(problem.n_tasks) if not problem.fixed[j] and problem.duration[j] > 0]
    size = min(size, len(free))
    kind = rng.randrange(3)
    if kind == 1:
        return set(rng.sample(free, size))
    if kind == 2:
        k = rng.randrange(problem.n_resources) if problem.n_resources else 0
        users = [j for j in free if problem.n_resources and problem.demand[j, k] > 0]
        if len(users) > size:
            free = users
    free.sort(key=lambda j: (start[j], j))
    first = rng.randrange(len(free) - size + 1)
    return set(free[first : first + size])


Builder = Callable[
    [LevelingProblem, Sequence[int], int, Sequence[tuple[int, int]], Sequence[int]],
    tuple[cp_model.CpModel, list[cp_model.IntVar | int], cp_model.IntVar],
]


def improve(
    problem: LevelingProblem,
    incumbent: Incumbent,
    build: Builder,
    *,
    deadline: float,
    seed: int = 0,
    step_limit: float = 0.1,
    size: int = 10,
) -> int:
    """Improve ``incumbent`` until ``deadline`` (a ``time.perf_counter()`` value) or it is settled.

    ``build`` makes the CP-SAT model with extra precedences (see
    :func:`clientpm.scheduling.leveling.cpsat.build_model`). Each step starts from the
    incumbent when another search has improved it, and offers its own result. Returns the
    number of steps.
    """
    rng = random.Random(seed)
    current, finish = incumbent.snapshot()
    n_free = int((~problem.fixed & (problem.duration > 0)).sum())
    size = max(2, min(size, n_free))
    steps = 0
    while n_free > 1 and not incumbent.settled(finish):
        left = deadline - time.perf_counter()
        if left <= 0.005:
            break
        best, best_finish = incumbent.snapshot()
        if best_finish < finish:
            current, finish = list(best), best_finish
        steps += 1
        freed = _neighbourhood(problem, current, size, rng)
        frozen = [j not in freed for j in range(problem.n_tasks)]
        pairs = partial_order(problem, current, frozen)
        model, starts, project_finish = build(problem, current, finish, pairs, sorted(freed))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(step_limit, left)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed + steps
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and int(solver.value(project_finish)) <= finish:
            current = [int(solver.value(var)) if not isinstance(var, int) else var for var in starts]
            finish = problem.project_finish(current)
            incumbent.offer(current, finish)
        # solved to optimality: free more tasks next time; cut short: fewer
        size = min(n_free, size + 1) if status == cp_model.OPTIMAL else max(2, size - 1)
    return steps
