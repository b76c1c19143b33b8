"""Monte Carlo schedule risk against closed forms, the critical path method and hand-made cases.

Dates use the Monday–Friday calendar from Monday 2 March 2026: working-day index 0 = Mon 2,
4 = Fri 6, 5 = Mon 9, 9 = Fri 13, 10 = Mon 16 March. A finish point ``p`` (the end of the work,
in working days from the start) is dated on day ``⌈p⌉ − 1``.

Statistical checks use a fixed seed and a tolerance of four standard errors: for a mean, 4·σ/√N;
for a variance, 4·σ²·√(2/N) (the normal case; the sums tested here have near-normal or lighter tails).
"""

from __future__ import annotations

import doctest
import importlib
import itertools
import json
import math
from datetime import date

import numpy as np
import pytest

from clientpm.scheduling import ConstraintType, CycleError, Dependency, DependencyType, Task, cpm, schedule
from clientpm.scheduling.calendar import china_calendar, monday_to_friday
from clientpm.scheduling.cpm import NO_DAY
from clientpm.scheduling.exceptions import SchedulingError
from clientpm.scheduling.montecarlo import (
    Estimate,
    RiskEvent,
    ScheduleRisk,
    SimulationInputError,
    monte_carlo,
    schedule_risk,
)

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF
MON = date(2026, 3, 2)
N = 20_000


def march(day: int) -> date:
    return date(2026, 3, day)


def simulate(tasks, dependencies=(), **options):
    options.setdefault("calendar", monday_to_friday())
    options.setdefault("project_start", MON)
    options.setdefault("iterations", N)
    options.setdefault("seed", 2026)
    return schedule_risk(tasks, dependencies, **options)


def chain(ids):
    return [Dependency(a, b) for a, b in itertools.pairwise(ids)]


# --- closed forms ----------------------------------------------------------------------------------


def test_a_chain_of_triangular_tasks_has_the_summed_mean_and_variance():
    estimates = {
        "a": Estimate(2, 4, 9),
        "b": Estimate(1, 2, 3),
        "c": Estimate(3, 5, 10),
        "d": Estimate(4, 6, 6),
    }
    risk = simulate([Task(task, 5) for task in "abcd"], chain("abcd"), estimates=estimates)
    # mean (a + m + b) / 3: 15/3 + 6/3 + 18/3 + 16/3 = 5 + 2 + 6 + 5.3333 = 18.3333
    # variance (a² + m² + b² − am − ab − mb) / 18:
    #   a: (4 + 16 + 81 − 8 − 18 − 36) / 18 = 39/18;  b: (1 + 4 + 9 − 2 − 3 − 6) / 18 = 3/18
    #   c: (9 + 25 + 100 − 15 − 30 − 50) / 18 = 39/18; d: (16 + 36 + 36 − 24 − 24 − 36) / 18 = 4/18
    #   total 85/18 = 4.7222, σ = 2.1731
    mean, variance = 55 / 3, 85 / 18
    assert risk.mean_days == pytest.approx(mean, abs=4 * math.sqrt(variance / N))  # ± 0.061
    assert risk.std_days**2 == pytest.approx(variance, abs=4 * variance * math.sqrt(2 / N))  # ± 0.19
    # each task's own mean: a 5 ± 4·√(39/18)/√N = ± 0.042
    assert risk.tasks["a"].mean_duration == pytest.approx(5, abs=4 * math.sqrt(39 / 18 / N))
    assert risk.tasks["d"].mean_duration == pytest.approx(16 / 3, abs=4 * math.sqrt(4 / 18 / N))
    # every task of a chain drives the finish in every iteration
    assert [risk.tasks[task].criticality for task in "abcd"] == [1.0] * 4


def test_finish_dates_are_working_days_and_the_curves_agree():
    risk = simulate([Task("a", 5), Task("b", 5)], chain("ab"), estimates={"a": Estimate(2, 4, 9)})
    # finish point 5 + a ∈ [7, 14]: dated on days 6…13, i.e. Tue 10 … Thu 19 March
    assert risk.earliest_finish >= march(10)
    assert risk.latest_finish <= march(19)
    assert all(day.weekday() < 5 for day, _ in risk.histogram)
    assert sum(count for _, count in risk.histogram) == N
    shares = [share for _, share in risk.cumulative]
    assert shares == sorted(shares)
    assert shares[-1] == 1.0
    assert risk.p50 <= risk.p80 <= risk.p95
    assert risk.finish_at(0.8) == risk.p80
    # P50: a's median m solves (m − 2)² / (7 · 2) = 1/2 → m = 2 + √7 = 4.65; point 9.65 → day 9, Fri 13
    assert risk.p50 == march(13)


def test_pert_beta_has_the_pert_mean_and_variance():
    estimates = {"a": Estimate(2, 4, 9), "b": Estimate(1, 3, 3)}
    risk = simulate([Task("a", 4), Task("b", 3)], chain("ab"), estimates=estimates, distribution="pert")
    # mean (a + 4m + b) / 6: (2 + 16 + 9) / 6 = 4.5 and (1 + 12 + 3) / 6 = 2.6667 → 7.1667
    # variance (μ − a)(b − μ) / 7 (λ = 4): 2.5 · 4.5 / 7 = 1.6071 and 1.6667 · 0.3333 / 7 = 0.0794 → 1.6865
    mean, variance = 27 / 6 + 16 / 6, 2.5 * 4.5 / 7 + (5 / 3) * (1 / 3) / 7
    assert risk.mean_days == pytest.approx(mean, abs=4 * math.sqrt(variance / N))  # ± 0.037
    assert risk.std_days**2 == pytest.approx(variance, abs=4 * variance * math.sqrt(2 / N))  # ± 0.067
    samples = risk.arrays.finish
    assert samples.min() >= 3
    assert samples.max() <= 12


# --- deterministic estimates give the critical path method's finish -------------------------------


def test_deterministic_estimates_give_one_finish_date_equal_to_the_cpm_finish():
    tasks = [Task("a", 5), Task("b", 2), Task("c", 3), Task("d", 4), Task("m", 0)]
    links = [
        Dependency("a", "b", FS, 2),
        Dependency("a", "c", SS, 1),
        Dependency("c", "d", FF, 1),
        Dependency("b", "m"),
        Dependency("d", "m"),
    ]
    estimates = {"a": Estimate(5, 5, 5), "c": Estimate(3, 3, 3)}
    plan = schedule(tasks, links, calendar=monday_to_friday(), project_start=MON)
    risk = simulate(tasks, links, estimates=estimates, iterations=500)
    # a Mon 2–Fri 6, b after a 2-day lag: Wed 11–Thu 12; m at the end of Thursday 12 March
    assert plan.project_finish == march(12)
    assert risk.histogram == ((march(12), 500),)
    assert risk.p50 == risk.p80 == risk.p95 == risk.mean_finish == march(12)
    assert risk.std_days == 0
    assert risk.deadline_probability is None
    assert {task: risk.tasks[task].criticality for task in "abcdm"} == {
        task: float(plan.tasks[task].critical) for task in "abcdm"
    }
    assert {risk.tasks[task].sensitivity for task in "abcdm"} == {0.0}


@pytest.mark.parametrize(
    ("tasks", "links", "finish"),
    [
        # a milestone driven by a start sits at the start of its day: a (2 days) SS lag 5 → Mon 9
        ([Task("a", 2), Task("m", 0)], [Dependency("a", "m", SS, 5)], march(9)),
        # driven by a finish, at the end of the day: a ends Fri 6 (point 5), m FS lag 0 → Fri 6
        ([Task("a", 5), Task("m", 0)], [Dependency("a", "m")], march(6)),
        # a finish-no-earlier-than date that ties with its driver keeps the end of Friday 6
        ([Task("a", 5), Task("m", 0, ConstraintType.FNET, march(6))], [Dependency("a", "m")], march(6)),
        # a start-no-earlier-than date after its driver: the start of Tuesday 10
        ([Task("a", 5), Task("m", 0, ConstraintType.SNET, march(10))], [Dependency("a", "m")], march(10)),
    ],
)
def test_milestones_at_the_end_are_dated_as_the_plan_dates_them(tasks, links, finish):
    plan = schedule(tasks, links, calendar=monday_to_friday(), project_start=MON)
    days = tasks[0].duration  # a deterministic estimate: the plan's duration
    risk = simulate(tasks, links, estimates={"a": Estimate(days, days, days)}, iterations=100)
    assert plan.project_finish == finish
    assert risk.histogram == ((finish, 100),)
    assert risk.mean_finish == risk.p50 == finish


def test_an_empty_project_finishes_on_its_first_working_day():
    risk = simulate([], project_start=march(1), iterations=100)  # Sunday 1 → Monday 2 March
    assert risk.histogram == ((march(2), 100),)
    assert risk.tasks == {}


def _random_network(rng):
    """A random DAG with mixed dependencies, lags, milestones, constraints and progress."""
    n = int(rng.integers(1, 40))
    a, b = rng.integers(0, n, (2, 3 * n))
    pairs = np.unique(np.stack([a[a < b], b[a < b]], axis=1), axis=0)
    shuffle = rng.permutation(n)
    duration = np.where(rng.random(n) < 0.15, 0, rng.integers(1, 9, n))
    constrained = rng.random() < 0.5
    kinds = np.where(constrained & (rng.random(n) < 0.3), rng.integers(0, 8, n), 0)
    options = {
        "constraint_type": kinds,
        "constraint_day": np.where(kinds >= 2, rng.integers(-3, 40, n), NO_DAY),
        "project_start": int(rng.integers(0, 4)),
    }
    if rng.random() < 0.4:
        status = int(rng.integers(0, 10))
        started = rng.random(n) < 0.25
        actual_start = np.where(started, rng.integers(-5, status + 1, n), NO_DAY)
        done = started & (rng.random(n) < 0.5)
        actual_finish = np.where(done, actual_start + duration + rng.integers(0, 3, n), NO_DAY)
        options |= {
            "status_day": status,
            "actual_start_day": actual_start,
            "actual_finish_day": actual_finish,
        }
    m = pairs.shape[0]
    network = (
        duration,
        shuffle[pairs[:, 0]],
        shuffle[pairs[:, 1]],
        rng.integers(0, 4, m),
        rng.integers(-3, 5, m),
    )
    return network, options


def test_random_deterministic_networks_finish_on_the_cpm_date_with_its_critical_tasks():
    rng = np.random.default_rng(11)
    compared = 0
    for _ in range(150):
        network, options = _random_network(rng)
        reference = cpm(*network, **options)
        result = monte_carlo(*network, **options, iterations=100, seed=1)
        # the CPM's project finish date: the latest finish date of any task, never before the start
        finish_day = max(int(reference.finish_day.max()), options["project_start"])
        assert set(result.finish_day.tolist()) == {finish_day}
        assert result.finish == pytest.approx(np.full(100, reference.project_finish))
        if not options["constraint_type"].any():  # without late constraint dates, the same floats
            assert result.criticality.tolist() == reference.critical.astype(float).tolist()
            compared += 1
    assert compared > 20


# --- risk events -----------------------------------------------------------------------------------


def test_a_certain_risk_event_adds_exactly_its_delay_and_several_add_up():
    events = [RiskEvent("a", 1.0, 2), RiskEvent("a", 1.0, 1), RiskEvent("m", 1.0, 2, risk_id="R7")]
    risk = simulate(
        [Task("a", 5), Task("b", 2), Task("m", 0)], chain("abm"), risk_events=events, iterations=200
    )
    # a: 5 + 2 + 1 = 8 days, b: 2, the milestone becomes a 2-day task: point 12 → day 11, Tue 17 March
    assert risk.histogram == ((march(17), 200),)
    assert risk.mean_days == 12
    assert risk.tasks["a"].mean_duration == 8
    assert risk.settings.risk_events == 3


def test_a_risk_event_with_probability_p_adds_p_times_its_delay_on_average():
    risk = simulate([Task("a", 5)], risk_events=[RiskEvent("a", 0.3, 4)], deadline=march(6))
    # mean 5 + 0.3 · 4 = 6.2; variance 0.3 · 0.7 · 4² = 3.36 → 4·σ/√N = 0.052
    assert risk.mean_days == pytest.approx(6.2, abs=4 * math.sqrt(3.36 / N))
    # two outcomes: Fri 6 (no delay) or Thu 12 March; P(deadline Fri 6) = 0.7 ± 4·√(0.21/N) = ± 0.013
    assert [day for day, _ in risk.histogram if _] == [march(6), march(12)]
    assert risk.deadline_probability == pytest.approx(0.7, abs=4 * math.sqrt(0.21 / N))
    assert risk.p50 == march(6)
    assert risk.p80 == risk.p95 == march(12)
    # its two-valued duration decides the finish: tied ranks keep the correlation at exactly 1
    assert risk.tasks["a"].sensitivity == pytest.approx(1.0)


def test_finish_dates_follow_the_working_calendar():
    calendar = china_calendar(2026, 2026)
    risk = simulate(
        [Task("a", 3)],
        risk_events=[RiskEvent("a", 1.0, 1)],
        calendar=calendar,
        project_start=date(2026, 2, 12),
        iterations=100,
    )
    # 4 working days: Thu 12, Fri 13, Sat 14 February (a working Saturday, 调休), then the Spring
    # Festival (15–23 February) is off: the fourth day is Tuesday 24 February
    assert risk.histogram == ((date(2026, 2, 24), 100),)


def test_a_deadline_may_be_given_as_a_working_day_index():
    as_date = simulate(
        [Task("a", 5)], risk_events=[RiskEvent("a", 0.5, 3)], deadline=march(9), iterations=1000
    )
    as_index = simulate([Task("a", 5)], risk_events=[RiskEvent("a", 0.5, 3)], deadline=5, iterations=1000)
    # Mon 9 March is working day 5; a Saturday deadline means the Friday before
    on_saturday = simulate([Task("a", 5)], deadline=march(7), iterations=100)
    assert as_date.deadline_probability == as_index.deadline_probability
    assert as_index.settings.deadline == march(9)
    assert on_saturday.settings.deadline == march(6)
    assert on_saturday.deadline_probability == 1.0


# --- criticality and sensitivity -------------------------------------------------------------------


def test_two_identical_parallel_tasks_share_the_criticality():
    tasks = [Task("start", 1), Task("a", 5), Task("b", 5), Task("quick", 2), Task("fixed", 5), Task("end", 0)]
    links = [Dependency("start", task) for task in ("a", "b", "quick", "fixed")]
    links += [Dependency(task, "end") for task in ("a", "b", "quick", "fixed")]
    estimates = {"a": Estimate(6, 8, 10), "b": Estimate(6, 8, 10), "quick": Estimate(1, 2, 3)}
    risk = simulate(tasks, links, estimates=estimates)
    # a and b: the same distribution, so each is the longer one half the time (± 4·√(0.25/N) = 0.014);
    # exactly one of them drives each finish (a tie has probability ~0)
    assert risk.tasks["a"].criticality == pytest.approx(0.5, abs=0.014)
    assert risk.tasks["a"].criticality + risk.tasks["b"].criticality == pytest.approx(1.0, abs=1e-3)
    # quick (at most 3 days) and fixed (5) never outlast a or b (at least 6)
    assert risk.tasks["quick"].criticality == risk.tasks["fixed"].criticality == 0.0
    assert risk.tasks["start"].criticality == risk.tasks["end"].criticality == 1.0
    # the finish is start + max(a, b): both correlate with it, equally (± 0.03)
    assert risk.tasks["a"].sensitivity == pytest.approx(risk.tasks["b"].sensitivity, abs=0.03)
    assert risk.tasks["a"].sensitivity > 0.5


def test_the_only_uncertain_task_of_a_chain_has_a_sensitivity_of_one():
    risk = simulate(
        [Task("a", 3), Task("b", 4), Task("c", 2)], chain("abc"), estimates={"b": Estimate(2, 4, 9)}
    )
    assert risk.tasks["b"].sensitivity == pytest.approx(1.0)
    assert risk.tasks["a"].sensitivity == risk.tasks["c"].sensitivity == 0.0


def test_a_task_that_never_drives_the_finish_has_little_sensitivity():
    tasks = [Task("long", 20), Task("short", 3)]
    risk = simulate(tasks, estimates={"long": Estimate(18, 20, 25), "short": Estimate(1, 3, 9)})
    assert risk.tasks["long"].sensitivity == pytest.approx(1.0)
    # independent of the finish: |ρ| within 4/√N = 0.028 of 0
    assert abs(risk.tasks["short"].sensitivity) < 4 / math.sqrt(N)
    assert risk.tasks["short"].criticality == 0.0


# --- progress --------------------------------------------------------------------------------------


def test_in_progress_work_draws_only_its_remaining_work_from_the_status_date():
    tasks = [
        Task("done", 3, actual_start=march(2), actual_finish=march(4)),
        Task("doing", 8, actual_start=march(2), percent_complete=50),
    ]
    estimates = {"done": Estimate(1, 5, 30), "doing": Estimate(4, 8, 12)}
    events = [RiskEvent("done", 1.0, 10)]
    risk = simulate(tasks, estimates=estimates, risk_events=events, status_date=march(4))
    # doing: remaining ⌈8 · 50 %⌉ = 4 of 8 days, so its estimate is halved to (2, 4, 6) from the
    # status date (day 2): finish point 2 + (2 + 4 + 6)/3 = 6, variance (4 + 16 + 36 − 8 − 12 − 24)/18 = 2/3
    assert risk.mean_days == pytest.approx(6, abs=4 * math.sqrt(2 / 3 / N))
    assert risk.tasks["doing"].mean_duration == pytest.approx(4, abs=4 * math.sqrt(2 / 3 / N))
    # the finished task stays where it happened (3 days), ignores its estimate and its risk
    assert risk.tasks["done"].mean_duration == 3
    assert risk.tasks["done"].criticality == risk.tasks["done"].sensitivity == 0.0
    assert risk.earliest_finish >= march(5)  # point ≥ 2 + 2 = 4 → day ≥ 3


def test_constraints_and_progress_move_every_iteration_as_they_move_the_plan():
    tasks = [Task("a", 3), Task("b", 2, ConstraintType.SNET, march(11))]
    risk = simulate(tasks, chain("ab"), estimates={"a": Estimate(1, 2, 4)}, iterations=500)
    # a ends by Thursday 5; b cannot start before Wed 11: Wed 11–Thu 12 in every iteration
    assert risk.histogram == ((march(12), 500),)
    assert risk.tasks["a"].criticality == 0.0
    assert risk.tasks["b"].criticality == 1.0


# --- reproducibility and serialisation -------------------------------------------------------------


def test_the_same_seed_reproduces_the_result_and_another_seed_does_not():
    tasks, links = [Task("a", 3), Task("b", 4)], chain("ab")
    options = {"estimates": {"a": Estimate(1, 3, 8), "b": Estimate(2, 4, 5)}, "iterations": 1000}
    events = [RiskEvent("b", 0.2, 3)]
    first = simulate(tasks, links, seed=7, risk_events=events, **options)
    again = simulate(tasks, links, seed=7, risk_events=events, **options)
    other = simulate(tasks, links, seed=8, risk_events=events, **options)
    assert first.to_dict() == again.to_dict()
    assert np.array_equal(first.arrays.finish, again.arrays.finish)
    assert first.mean_days != other.mean_days
    picked = simulate(tasks, links, seed=None, **options)  # a seed is picked and recorded
    assert simulate(tasks, links, seed=picked.settings.seed, **options).to_dict() == picked.to_dict()


def test_the_result_is_json_ready_and_reads_back():
    tasks = [Task(("s", 1), 0), Task(5, 3), Task("x", 2)]
    links = [Dependency(("s", 1), 5), Dependency(5, "x")]
    risk = simulate(tasks, links, estimates={5: Estimate(2, 3, 6)}, deadline=march(6), iterations=300, seed=3)
    data = json.loads(json.dumps(risk.to_dict()))
    assert data["settings"] == {
        "iterations": 300,
        "seed": 3,
        "distribution": "triangular",
        "project_start": "2026-03-02",
        "status_date": None,
        "deadline": "2026-03-06",
        "calendar": "Monday–Friday",
        "tasks": 3,
        "risk_events": 0,
    }
    assert [row["task_id"] for row in data["tasks"]] == [["s", 1], 5, "x"]
    assert sum(row["count"] for row in data["histogram"]) == 300
    back = ScheduleRisk.from_dict(data)
    assert back.to_dict() == risk.to_dict()
    assert back.tasks[("s", 1)] == risk.tasks[("s", 1)]
    with pytest.raises(SchedulingError, match="malformed"):
        ScheduleRisk.from_dict({"settings": {}})


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "task", "field", "message"),
    [
        ({"estimates": {"a": Estimate(5, 3, 8)}}, "a", "most_likely", "below the optimistic"),
        ({"estimates": {"a": Estimate(1, 9, 8)}}, "a", "most_likely", "exceeds the pessimistic"),
        ({"estimates": {"a": Estimate(-1, 2, 3)}}, "a", "optimistic", "≥ 0"),
        ({"estimates": {"a": Estimate(1, 2, math.inf)}}, "a", "pessimistic", "≥ 0"),
        ({"estimates": {"zz": Estimate(1, 2, 3)}}, "zz", "estimate", "no such task"),
        ({"risk_events": [RiskEvent("a", 1.5, 2)]}, "a", "probability", "between 0 and 1"),
        ({"risk_events": [RiskEvent("a", math.nan, 2)]}, "a", "probability", "between 0 and 1"),
        ({"risk_events": [RiskEvent("a", 0.5, -2)]}, "a", "delay", "≥ 0"),
        ({"risk_events": [RiskEvent("zz", 0.5, 2)]}, "zz", "task_id", "unknown task"),
        ({"iterations": 50}, None, "iterations", "between 100 and 100,000"),
        ({"iterations": 100_001}, None, "iterations", "between 100 and 100,000"),
        ({"distribution": "normal"}, None, "distribution", "'triangular' or 'pert'"),
        ({"seed": -1}, None, "seed", "≥ 0"),
    ],
)
def test_bad_input_is_refused_naming_the_task_and_field(options, task, field, message):
    with pytest.raises(SimulationInputError, match=message) as caught:
        simulate([Task("a", 3), Task("b", 2)], **options)
    assert (caught.value.problems[0].task, caught.value.problems[0].field) == (task, field)
    if task is not None:
        assert str(caught.value).startswith(f"Task {task}: ")


def test_every_problem_is_reported_at_once_and_partial_estimates_are_refused():
    with pytest.raises(SimulationInputError) as caught:
        monte_carlo(
            [3, 2],
            [0],
            [1],
            optimistic=[1, 2],
            most_likely=[2, np.nan],
            pessimistic=[1, 4],
            labels=["design", "build"],
        )
    problems = {(problem.task, problem.field) for problem in caught.value.problems}
    assert problems == {("build", "most_likely"), ("design", "most_likely")}


def test_too_many_tasks_times_iterations_are_refused_before_anything_is_drawn():
    # 2,001 tasks × 100,000 iterations = 200.1 million cells > 200 million: at most 99,950 iterations
    with pytest.raises(SimulationInputError, match="With 2,001 tasks the simulation can run at most 99,950"):
        monte_carlo(np.ones(2001), [], [], iterations=100_000)


def test_a_cycle_is_refused_naming_its_tasks():
    with pytest.raises(CycleError) as caught:
        simulate([Task("a", 1), Task("b", 1)], [Dependency("a", "b"), Dependency("b", "a")], iterations=100)
    assert caught.value.cycle == ("a", "b")


# --- the examples in the docstrings run ------------------------------------------------------------


@pytest.mark.parametrize("module", ["inputs", "sampling", "stats", "engine", "risk"])
def test_montecarlo_docstring_examples(module):
    outcome = doctest.testmod(importlib.import_module(f"clientpm.scheduling.montecarlo.{module}"))
    assert outcome.attempted > 0
    assert outcome.failed == 0
