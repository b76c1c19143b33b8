"""Resource leveling, fast heuristic: hand-made projects with hand-computed optimal finishes,
every dependency type, started tasks, releases, and the refusals (infeasible demand, overload).

Each leveled schedule is checked by the independent validator (clientpm.scheduling.validator).
Times are working-day points: a task of duration d starting at s works on days s … s+d−1 and
finishes at point s+d.
"""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from clientpm.scheduling.cpm import NO_DAY, DependencyType
from clientpm.scheduling.exceptions import CycleError, InfeasibleError, SchedulingError
from clientpm.scheduling.leveling import (
    InfeasibleDemandError,
    level_heuristic,
    leveling_problem,
    priority_rules,
)
from clientpm.scheduling.leveling.sgs import Leveler, parallel, serial
from clientpm.scheduling.validator import validate_schedule

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF


def check(problem, result):
    """The validator's verdict on a leveled schedule, with the problem's own inputs."""
    return check_starts(problem, result.start)


def check_starts(problem, start):
    fixed = [None if day == NO_DAY else int(day) for day in problem.fixed_start.tolist()]
    return validate_schedule(
        start,
        problem.duration,
        pred=problem.pred,
        succ=problem.succ,
        dep_type=problem.dep_type,
        lag=problem.lag,
        demand=problem.demand,
        capacity=problem.capacity,
        fixed_start=fixed,
        release=problem.release,
    )


def test_tasks_competing_for_one_crew_are_sequenced_by_latest_finish():
    # crew capacity 1: A (2 d) and B (2 d) both need it; C (4 d, no crew) follows A (FS).
    # A first: A 0–2, B 2–4, C 2–6 → 6 (= the critical path A + C, so optimal);
    # B first would give B 0–2, A 2–4, C 4–8 → 8.
    problem = leveling_problem(
        [2, 2, 4], demand=[[1], [1], [0]], capacity=[1], pred=[0], succ=[2], task_names=["A", "B", "C"]
    )
    result = level_heuristic(problem)
    assert result.start.tolist() == [0, 2, 2]
    assert result.project_finish == 6
    assert result.status == "optimal"
    assert result.lower_bound == 6
    assert check(problem, result).valid


def test_pairwise_conflicting_tasks_run_one_after_another():
    # three 2-day tasks each needing 2 of 3 units: no two overlap (4 > 3), so 3 × 2 = 6 days;
    # the heuristic only knows the energy bound ⌈3 × 2 × 2 / 3⌉ = 4, so it cannot claim optimality
    problem = leveling_problem([2, 2, 2], demand=[[2], [2], [2]], capacity=[3])
    result = level_heuristic(problem)
    assert result.project_finish == 6
    assert sorted(result.start.tolist()) == [0, 2, 4]
    assert result.lower_bound == 4
    assert result.status == "feasible"
    assert result.gap == pytest.approx((6 - 4) / 6)
    assert check(problem, result).valid


@pytest.mark.parametrize(
    ("kind", "lag", "capacity", "starts", "finish"),
    [
        # A 3 d, B 2 d, one unit each. FF +1 with capacity 1: B after A (0–3, 3–5),
        # finish_B 5 ≥ 3 + 1; B first would need finish_B 2 ≥ 5 + 1 — impossible.
        (FF, 1, 1, [0, 3], 5),
        # SS +2 with room for both: B starts at 0 + 2 = 2 beside A → finish 4
        (SS, 2, 2, [0, 2], 4),
        # SF +4 with capacity 1: finish_B ≥ start_A + 4 and no overlap → A 0–3, B 3–5
        (SF, 4, 1, [0, 3], 5),
        # FS with a 1-day lead and room for both: B starts at 3 − 1 = 2 → finish 4
        (FS, -1, 2, [0, 2], 4),
        # FS +2 with capacity 1: B waits two days after A finishes → 3 + 2 + 2 = 7
        (FS, 2, 1, [0, 5], 7),
    ],
)
def test_every_dependency_type_with_lag_is_honoured(kind, lag, capacity, starts, finish):
    problem = leveling_problem(
        [3, 2], demand=[[1], [1]], capacity=[capacity], pred=[0], succ=[1], dep_type=[kind], lag=[lag]
    )
    result = level_heuristic(problem)
    assert result.start.tolist() == starts
    assert result.project_finish == finish
    assert check(problem, result).valid


def started_project():
    """Crew capacity 2, status day 1. "survey" started on day 0 (3 d, both units); "design" (2 d,
    1 unit) follows it; "permit" (2 d, 2 units) is free; "prep" (1 d, no crew) was planned
    before "survey", a dependency that progress has overridden."""
    return leveling_problem(
        [3, 2, 2, 1],
        demand=[[2], [1], [2], [0]],
        capacity=[2],
        pred=[0, 3],
        succ=[1, 0],
        fixed_start=[0, NO_DAY, NO_DAY, NO_DAY],
        release=1,
        task_names=["survey", "design", "permit", "prep"],
        resource_names=["crew"],
    )


def test_started_tasks_keep_their_start_and_the_rest_levels_around_them():
    # survey holds the crew on days 0–2; design (1 unit) and permit (2 units) cannot share the
    # 2-unit crew (3 > 2), so one runs on days 3–4 and the other on days 5–6 → finish 7.
    # prep starts on the status day 1: its dependency into the started survey is not enforced.
    problem = started_project()
    result = level_heuristic(problem)
    assert result.start[0] == 0
    assert result.start[3] == 1
    assert sorted(result.start[1:3].tolist()) == [3, 5]
    assert result.project_finish == 7
    assert check(problem, result).valid


def test_release_keeps_free_tasks_after_the_status_day():
    # two free 1-unit tasks without dependencies, released on day 4, one unit: 4–6 then 6–9
    problem = leveling_problem([2, 3], demand=[[1], [1]], capacity=[1], release=[4, 4])
    result = level_heuristic(problem)
    assert result.start.tolist() == [4, 6]
    assert result.project_finish == 4 + 2 + 3
    assert result.origin == 4
    assert result.makespan == 5
    assert check(problem, result).valid


def test_delay_shows_what_leveling_moves():
    # B (2 units) waits for A (2 units) on a 2-unit resource: B moves from day 0 to day 3
    problem = leveling_problem([3, 2], demand=[[2], [2]], capacity=[2])
    result = level_heuristic(problem)
    assert result.early_start.tolist() == [0, 0]
    assert result.delay.tolist() == [0, 3]


def test_milestones_demanding_too_much_are_accepted_and_use_nothing():
    # a milestone (0 d) occupies no day, so its demand is irrelevant; it follows A (FS)
    problem = leveling_problem([2, 0], demand=[[1], [5]], capacity=[1], pred=[0], succ=[1])
    result = level_heuristic(problem)
    assert result.start.tolist() == [0, 2]
    assert check(problem, result).valid


def test_a_task_needing_more_than_the_capacity_is_refused_by_name():
    with pytest.raises(InfeasibleDemandError) as caught:
        leveling_problem(
            [2, 3],
            demand=[[1, 0], [0, 4]],
            capacity=[2, 3],
            task_names=["wiring", "pour concrete"],
            resource_names=["electricians", "crane"],
        )
    error = caught.value
    assert str(error) == "Task pour concrete needs 4 units of crane per day, more than its capacity of 3."
    assert error.tasks == ("pour concrete",)
    assert error.resource == "crane"
    assert isinstance(error, InfeasibleError)


def test_started_tasks_overloading_a_resource_are_refused_by_name():
    # both already started on day 0 with 2 units each of a 3-unit team
    with pytest.raises(InfeasibleDemandError) as caught:
        leveling_problem(
            [2, 2],
            demand=[[2], [2]],
            capacity=[3],
            fixed_start=[0, 1],
            task_names=["audit", "migration"],
            resource_names=["team"],
        )
    assert caught.value.tasks == ("audit", "migration")
    assert caught.value.resource == "team"
    assert "4 units of team on working day 1, more than its capacity of 3" in str(caught.value)


def test_cycles_and_malformed_input_are_refused():
    with pytest.raises(CycleError):
        leveling_problem([1, 1], demand=[[0], [0]], capacity=[1], pred=[0, 1], succ=[1, 0])
    with pytest.raises(SchedulingError, match="demand must have 2 rows"):
        leveling_problem([1, 1], demand=[[0]], capacity=[1])
    with pytest.raises(SchedulingError, match="cannot be negative"):
        leveling_problem([1, -1], demand=[[0], [0]], capacity=[1])
    with pytest.raises(SchedulingError, match="dep_type codes"):
        leveling_problem([1, 1], demand=[[0], [0]], capacity=[1], pred=[0], succ=[1], dep_type=[5])


def test_same_seed_same_schedule_other_seeds_stay_valid():
    rng = np.random.default_rng(7)
    n = 25
    duration = rng.integers(1, 6, n)
    demand = rng.integers(0, 4, (n, 2))
    pred = np.array([i for i in range(n) for _ in range(2)][: n * 2 - 10])
    succ = np.minimum(pred + rng.integers(1, 6, pred.size), n - 1)
    keep = pred != succ
    problem = leveling_problem(duration, demand, [4, 3], pred[keep], succ[keep])
    first = level_heuristic(problem, seed=3, schedules=200)
    again = level_heuristic(problem, seed=3, schedules=200)
    assert first.start.tolist() == again.start.tolist()
    for seed in (0, 1, 2):
        assert check(problem, level_heuristic(problem, seed=seed, schedules=200)).valid


def test_more_schedules_never_give_a_later_finish():
    problem = started_project()
    assert level_heuristic(problem, schedules=1).project_finish >= level_heuristic(problem).project_finish


def test_priority_rules_follow_their_definitions():
    # A (2 d) → C (4 d); B (2 d) alone. Critical path 6: LFT A = 2, B = 6, C = 6;
    # slack A = 0, B = 4, C = 0; A has one successor, B and C none
    problem = leveling_problem([2, 2, 4], demand=[[0], [0], [0]], capacity=[1], pred=[0], succ=[2])
    rules = priority_rules(problem)
    assert np.argsort(rules["LFT"]).tolist() == [0, 1, 2]  # 2 < 6 = 6, the tie to B's early start 0 < 2
    assert np.argsort(rules["MSLK"]).tolist()[2] == 1
    assert np.argsort(rules["MTS"]).tolist()[0] == 0


@pytest.mark.parametrize("module", ["model", "heuristic"])
def test_docstring_examples(module):
    outcome = doctest.testmod(importlib.import_module(f"clientpm.scheduling.leveling.{module}"))
    assert outcome.failed == 0


def random_problem(rng, n):
    """A random project: mixed dependency types and lags, some started tasks, releases."""
    duration = rng.integers(0, 6, n)
    demand = rng.integers(0, 3, (n, 2))
    a, b = rng.integers(0, n, 2 * n), rng.integers(0, n, 2 * n)
    forward = a < b
    pred, succ = a[forward], b[forward]
    started = rng.random(n) < 0.15
    fixed_start = np.where(started, rng.integers(0, 6, n), NO_DAY)
    demand[np.flatnonzero(started)[1:]] = 0  # one started task holds units; more could overload
    return leveling_problem(
        duration,
        demand,
        [3, 2],
        pred,
        succ,
        rng.integers(0, 4, pred.size),
        rng.integers(-2, 4, pred.size),
        fixed_start=fixed_start,
        release=rng.integers(0, 4, n),
    )


@pytest.mark.parametrize("case", range(40))
def test_random_projects_are_leveled_validly_by_both_schemes(case):
    rng = np.random.default_rng(case)
    problem = random_problem(rng, int(rng.integers(2, 25)))
    leveler = Leveler(problem)
    for _ in range(3):
        key = rng.random(problem.n_tasks).tolist()
        for scheme in (serial, parallel):
            start = np.asarray(scheme(leveler.forward, key)) + leveler.origin
            assert check_starts(problem, start).valid
    result = level_heuristic(problem, schedules=100, seed=case)
    assert check(problem, result).valid
    assert result.project_finish >= result.lower_bound


def test_one_pass_from_a_given_schedule_moves_tasks_as_early_as_the_others_allow():
    # one unit: A (2 d) on days 0–1, B (3 d) left idle until day 5; in the order of those starts,
    # one pass of the generation scheme starts B right after A, on day 2 → finish 5 instead of 8
    problem = leveling_problem([2, 3], demand=[[1], [1]], capacity=[1])
    result = level_heuristic(problem, schedules=1, initial=[0, 5])
    assert result.schedules == 1
    assert result.start.tolist() == [0, 2]
    assert result.project_finish == 5
