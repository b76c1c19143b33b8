"""Fast resource leveling for interactive use: priority rules, sampling and a genetic search.

Every schedule comes from a schedule generation scheme and is improved by double justification
(:mod:`clientpm.scheduling.leveling.sgs`). The search runs in three stages, within a budget of
schedules (the usual measure of a heuristic's effort) and optionally of seconds:

1. one order per classic priority rule (latest finish, latest start, minimum slack, most total
   successors, greatest rank positional weight) — a single latest-finish pass is the textbook
   leveling heuristic;
2. regret-based biased random sampling around the rules (Kolisch, 1996), decoded by the
   parallel scheme (better starting points when resources are scarce), fills a population;
3. a genetic search on task orders (Hartmann, 1998): two-point crossover, adjacent-swap mutation,
   each child justified and its justified order kept; the best distinct orders survive.

It stops early when the project finish reaches a lower bound. The result depends only on the
problem, the budget and the seed — unless the time limit cuts the search short.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

import numpy as np

from clientpm.scheduling.leveling.model import Incumbent, LevelingProblem, LevelingResult
from clientpm.scheduling.leveling.sgs import Leveler, Network, Search

__all__ = ["level_heuristic", "priority_rules"]

Order = tuple[int, ...]


def priority_rules(problem: LevelingProblem) -> dict[str, list[float]]:
    """Classic priority values (smaller goes first), from the schedule without resource limits.

    LFT latest finish, LST latest start, MSLK minimum slack, MTS most total successors, GRPW
    greatest rank positional weight (own plus direct successors' durations). Ties go to the
    earlier early start, then the lower task number, so every value is distinct.
    """
    n = problem.n_tasks
    early = problem.early_start
    late = problem.late_start(problem.project_finish(early))
    duration = problem.duration
    ties = (early - early.min()) * (n + 1) + np.arange(n) if n else early
    scale = float(ties.max() + 1) if n else 1.0
    out: list[list[int]] = [[] for _ in range(n)]
    for p, s in zip(problem.pred.tolist(), problem.succ.tolist(), strict=True):
        out[p].append(s)
    descendants: list[set[int]] = [set() for _ in range(n)]
    for task in problem.levels.order[::-1].tolist():
        for nxt in out[task]:
            descendants[task].add(nxt)
            descendants[task] |= descendants[nxt]
    successors = np.array([len(found) for found in descendants], dtype=np.float64)
    weight = duration.astype(np.float64)
    np.add.at(weight, problem.pred, duration[problem.succ])
    values = {
        "LFT": late + duration,
        "LST": late,
        "MSLK": late - early,
        "MTS": -successors,
        "GRPW": -weight,
    }
    return {name: (value * scale + ties).astype(np.float64).tolist() for name, value in values.items()}


def _rank(value: Sequence[float]) -> list[float]:
    """Priority values replaced by their ranks 0 … n−1, so that regrets are comparable."""
    rank = [0.0] * len(value)
    for position, task in enumerate(sorted(range(len(value)), key=value.__getitem__)):
        rank[task] = float(position)
    return rank


def _sample_key(network: Network, rank: Sequence[float], rng: random.Random) -> list[float]:
    """A random order biased towards high priority: regret-based sampling with squared regrets."""
    n_pred = network.n_pred[:]
    eligible = [task for task in network.free if n_pred[task] == 0]
    key = [0.0] * len(n_pred)
    for step in range(len(network.free)):
        worst = max(rank[task] for task in eligible)
        weights = [(worst - rank[task] + 1.0) ** 2 for task in eligible]
        pick = rng.random() * sum(weights)
        index = 0
        while index < len(eligible) - 1 and pick >= weights[index]:
            pick -= weights[index]
            index += 1
        task = eligible[index]
        eligible[index] = eligible[-1]
        eligible.pop()
        key[task] = float(step)
        for nxt, _ in network.out[task]:
            n_pred[nxt] -= 1
            if n_pred[nxt] == 0:
                eligible.append(nxt)
    return key


def _order(start: Sequence[int]) -> Order:
    """A schedule as a task order: by start, then task number."""
    return tuple(sorted(range(len(start)), key=lambda task: (start[task], task)))


def _key(order: Sequence[int]) -> list[float]:
    key = [0.0] * len(order)
    for position, task in enumerate(order):
        key[task] = float(position)
    return key


def _crossover(mother: Order, father: Order, rng: random.Random, mutation: float) -> list[int]:
    """Two-point crossover of task orders (Hartmann, 1998) and adjacent-swap mutation."""
    n = len(mother)
    first, second = sorted(rng.sample(range(n + 1), 2))
    child = list(mother[:first])
    seen = set(child)
    middle = [task for task in father if task not in seen][: second - first]
    child += middle
    seen.update(middle)
    child += [task for task in mother if task not in seen]
    for i in range(n - 1):
        if rng.random() < mutation:
            child[i], child[i + 1] = child[i + 1], child[i]
    return child


def _population(search: Search, schedules: int, time_limit: float | None, elapsed: float) -> int:
    """About one member per 150 schedules the search can afford, between 20 and 100: a larger
    population keeps a long search diverse (on hard j60 instances, 12,000 schedules with 80
    members end about 1 % closer to the best known than with 20)."""
    expected = float(schedules)
    if time_limit is not None and search.schedules and elapsed > 0:
        expected = min(expected, search.schedules / elapsed * time_limit)
    return max(20, min(100, int(expected) // 150))


def level_heuristic(
    problem: LevelingProblem,
    *,
    schedules: int = 500,
    time_limit: float | None = None,
    seed: int = 0,
    population: int | None = None,
    mutation: float = 0.1,
    initial: Sequence[int] | None = None,
    incumbent: Incumbent | None = None,
) -> LevelingResult:
    """Level ``problem``: the best schedule of the search described in the module docstring.

    ``schedules`` caps the passes of the generation schemes (forward and mirrored passes count
    alike); ``time_limit`` (seconds) can stop the search earlier, at the cost of determinism.
    ``population`` defaults to about one member per 150 affordable schedules (20 to 100);
    ``mutation`` is the probability of swapping each pair of neighbours in a child's order.
    ``initial`` (the start points of a feasible schedule) is the first order tried: with
    ``schedules=1`` the result is that schedule with every task moved as early as the others
    allow (never a later finish). With an ``incumbent`` shared with other searches, its schedule joins the population first
    and again whenever another search improves it, every improvement is offered to it, and the
    search stops once it is proven optimal. A pass takes about 0.1 ms for 30 tasks and 0.4 ms
    for 120 tasks with 4 resources.
    """
    began = time.perf_counter()
    leveler = Leveler(problem)
    origin = leveler.origin
    deadline = None if time_limit is None else began + time_limit
    search = Search(leveler, max(schedules, 1), deadline, problem.lower_bound - origin, incumbent)
    members: dict[Order, int] = {}

    def keep(start: list[int], finish: int) -> None:
        members.setdefault(_order(start), finish)

    def shared() -> tuple[list[int], int] | None:
        """The incumbent's schedule (on the search's time axis) when it beats the search's best."""
        if incumbent is None:
            return None
        start, finish = incumbent.snapshot()
        if finish - origin >= search.best_finish:
            return None
        return search.justify(*search.forward(_key(_order([point - origin for point in start]))))

    if initial is not None:
        keep(*search.justify(*search.forward(_key(_order([point - origin for point in initial])))))
    if (found := shared()) is not None:
        keep(*found)
    rules = priority_rules(problem)
    for value in rules.values():
        if search.done():
            break
        keep(*search.justify(*search.forward(value)))
    if population is None:
        population = _population(search, schedules, time_limit, time.perf_counter() - began)
    rng = random.Random(seed)
    ranks = [_rank(rules[name]) for name in ("LFT", "LFT", "MSLK", "LST", "GRPW")]
    turn = 0
    while len(members) < population and not search.done():
        rank = ranks[turn % len(ranks)]
        turn += 1
        keep(*search.justify(*search.forward(_sample_key(leveler.forward, rank, rng), "parallel")))
    pool = sorted(members.items(), key=lambda item: item[1])[:population]
    while not search.done() and len(pool) > 1:
        rng.shuffle(pool)
        children: dict[Order, int] = {}
        for a in range(0, len(pool) - 1, 2):
            for mother, father in ((pool[a][0], pool[a + 1][0]), (pool[a + 1][0], pool[a][0])):
                if search.done():
                    break
                child = _crossover(mother, father, rng, mutation)
                start, finish = search.justify(*search.forward(_key(child)))
                children.setdefault(_order(start), finish)
        merged = dict(pool)
        if (found := shared()) is not None:
            merged.setdefault(_order(found[0]), found[1])
        for order, finish in children.items():
            merged.setdefault(order, finish)
        pool = sorted(merged.items(), key=lambda item: item[1])[:population]

    best = np.asarray(search.best, dtype=np.int64) + origin
    project_finish = search.best_finish + origin
    lower = problem.lower_bound
    return LevelingResult(
        start=best,
        finish=best + problem.duration,
        project_finish=project_finish,
        lower_bound=lower,
        status="optimal" if project_finish <= lower else "feasible",
        method="heuristic",
        origin=origin,
        early_start=problem.early_start,
        seconds=time.perf_counter() - began,
        schedules=search.schedules,
    )
