"""Resource leveling, optimising mode (OR-Tools CP-SAT) and its large neighbourhood search, on
hand-made projects whose optimal finish is computed by hand. Every schedule goes through the
independent validator. Time limits are generous ceilings: these models close in milliseconds.
"""

from __future__ import annotations

import time

import pytest

from clientpm.scheduling.cpm import NO_DAY, DependencyType
from clientpm.scheduling.leveling import level_heuristic, leveling_problem
from clientpm.scheduling.leveling.cpsat import build_model, level_optimal
from clientpm.scheduling.leveling.lns import improve, partial_order
from clientpm.scheduling.leveling.model import Incumbent
from clientpm.scheduling.validator import validate_schedule

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF


def check(problem, result_start):
    fixed = [None if day == NO_DAY else int(day) for day in problem.fixed_start.tolist()]
    return validate_schedule(
        result_start,
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


def test_cp_sat_proves_what_the_heuristic_cannot():
    # three 2-day tasks each needing 2 of 3 units: no two overlap, so 6 days. The heuristic's
    # bound is the energy ⌈12 / 3⌉ = 4; CP-SAT proves 6 (gap 0).
    problem = leveling_problem([2, 2, 2], demand=[[2], [2], [2]], capacity=[3])
    assert level_heuristic(problem).status == "feasible"
    result = level_optimal(problem, time_limit=10)
    assert result.project_finish == 6
    assert result.lower_bound == 6
    assert result.status == "optimal"
    assert result.gap == 0
    assert result.method == "cp-sat"
    assert check(problem, result.start).valid


def test_started_tasks_and_release_under_cp_sat():
    # as in test_sched_leveling: survey (started on day 0) holds both crew units on days 0–2;
    # design (1 unit) and permit (2 units) cannot overlap → 3 + 2 + 2 = 7, proven optimal
    problem = leveling_problem(
        [3, 2, 2, 1],
        demand=[[2], [1], [2], [0]],
        capacity=[2],
        pred=[0, 3],
        succ=[1, 0],
        fixed_start=[0, NO_DAY, NO_DAY, NO_DAY],
        release=1,
    )
    result = level_optimal(problem, time_limit=10)
    assert result.start[0] == 0
    assert result.start[3] >= 1
    assert result.project_finish == 7
    assert result.lower_bound == 7
    assert check(problem, result.start).valid


def test_mixed_dependency_types_reach_the_hand_computed_optimum():
    # crew of 2. A (3 d, 2 units), B (2 d, 1 unit), C (2 d, 1 unit), D (1 d, 2 units).
    # A →SS+1→ B, B →FF+0→ C, A →FS−1→ D. D starts ≥ 3 − 1 = 2 but A holds both units until 3,
    # and B cannot start before A ends either (A uses both units). Best: A 0–3, B 3–5 with C 3–5
    # beside it (finish_C 5 ≥ finish_B 5), D 5–6 → 6. Energy (6 + 2 + 2 + 2) / 2 = 6 proves it.
    problem = leveling_problem(
        [3, 2, 2, 1],
        demand=[[2], [1], [1], [2]],
        capacity=[2],
        pred=[0, 1, 0],
        succ=[1, 2, 3],
        dep_type=[SS, FF, FS],
        lag=[1, 0, -1],
    )
    result = level_optimal(problem, time_limit=10)
    assert result.project_finish == 6
    assert result.status == "optimal"
    assert check(problem, result.start).valid


def test_heuristic_at_the_lower_bound_needs_no_solver():
    # A then C is the critical path (6 days) and the heuristic reaches it
    problem = leveling_problem([2, 2, 4], demand=[[1], [1], [0]], capacity=[1], pred=[0], succ=[2])
    result = level_optimal(problem, time_limit=10)
    assert result.solver_status == "NOT_RUN"
    assert result.project_finish == 6
    assert result.status == "optimal"


def test_the_hint_is_feasible_and_bounds_come_from_the_critical_path():
    # A (2 d) → B (3 d), C (1 d) alone; the model for a finish by point 7 gives B the window
    # [2, 7 − 3 = 4] and C [0, 6]
    problem = leveling_problem([2, 3, 1], demand=[[1], [1], [1]], capacity=[2], pred=[0], succ=[1])
    model, _starts, _finish = build_model(problem, [0, 2, 0], 7)
    proto = model.proto
    assert [list(proto.variables[i].domain) for i in range(3)] == [[0, 2], [2, 4], [0, 6]]
    assert list(proto.solution_hint.values) == [0, 2, 0, 5]


def test_partial_order_keeps_only_immediate_pairs_sharing_a_resource():
    # one resource, tasks 0 (0–2), 1 (2–4), 2 (4–6) in a chain, 3 (0–6) on another resource
    problem = leveling_problem([2, 2, 2, 6], demand=[[1, 0], [1, 0], [1, 0], [0, 1]], capacity=[1, 1])
    start = [0, 2, 4, 0]
    assert partial_order(problem, start, [True] * 4) == [(0, 1), (1, 2)]  # (0, 2) follows
    assert partial_order(problem, start, [True, False, True, True]) == [(0, 2)]


def test_large_neighbourhood_search_repairs_a_bad_order():
    # crew of 1: A (2 d) and B (2 d), C (4 d, no crew) after A. Starting from B first (finish
    # 8), re-sequencing finds A first: A 0–2, B 2–4, C 2–6 → 6 (the critical path).
    problem = leveling_problem([2, 2, 4], demand=[[1], [1], [0]], capacity=[1], pred=[0], succ=[2])
    incumbent = Incumbent([2, 0, 4], 8, bound=6)
    steps = improve(problem, incumbent, build_model, deadline=time.perf_counter() + 10, size=3)
    start, finish = incumbent.snapshot()
    assert finish == 6
    assert start[0] == 0
    assert start[2] == 2  # B may sit on days 2–3 or 4–5, both finish at 6
    assert check(problem, start).valid
    assert steps >= 1
    assert incumbent.settled()


@pytest.mark.parametrize("seed", [0, 1])
def test_any_seed_gives_a_valid_schedule(seed):
    problem = leveling_problem(
        [3, 2, 2, 4, 1],
        demand=[[1, 1], [1, 0], [0, 1], [1, 1], [1, 1]],
        capacity=[1, 1],
        pred=[0, 1],
        succ=[2, 4],
        dep_type=[SF, FS],
        lag=[2, 0],
    )
    result = level_optimal(problem, time_limit=10, seed=seed)
    # A, B, D, E all need the one unit of resource 0: 3 + 2 + 4 + 1 = 10 days at least (the
    # energy bound). It is reached with A 0–3, B and C side by side 3–5 (finish_C 5 ≥ start_A
    # 0 + 2), D 5–9, E 9–10 (after B).
    assert result.project_finish == 10
    assert result.status == "optimal"
    assert check(problem, result.start).valid
