"""The schedule-risk service: a Monte Carlo simulation of a project's plan, checked against values
worked out by hand, reproducible with its seed; bad input refused naming the task with nothing
stored; big runs left to the background job; a project keeps its latest 20 runs.

The project starts Monday 2 March 2026 on the China calendar; March 2026 has no holiday, so the
working days are Mon–Fri: day 0 = Mon 2, day 4 = Fri 6, day 5 = Mon 9, day 9 = Fri 13 March."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY

from clientpm.core.errors import ConflictError
from clientpm.core.models import AuditSource, ChangeRecord
from clientpm.projects.models import Phase, Project, ScheduleSimulation, SimulationStatus, Task
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services import schedule_risk as services
from clientpm.projects.services.projects import project_create, project_update

D = dt.date


@pytest.fixture
def planned(project, pm):
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


@pytest.fixture
def immediate_huey():
    """Huey runs jobs as they are enqueued (in memory) for the test."""
    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before


def add(pm, project, name, duration=None, **fields):
    if duration is not None:
        fields["duration_days"] = duration
    return plan_services.task_create(actor=pm, project=project, name=name, **fields)


def estimate(low, mode, high):
    return {"optimistic_days": low, "most_likely_days": mode, "pessimistic_days": high}


def run(pm, project, **settings):
    settings.setdefault("iterations", 10_000)
    settings.setdefault("seed", 7)
    return services.simulation_run(actor=pm, project=project, **settings)


def records(simulation):
    kind = ContentType.objects.get_for_model(ScheduleSimulation)
    return ChangeRecord.objects.filter(content_type=kind, object_id=simulation.pk)


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` moved by working days, Monday to Friday (no holiday in March 2026)."""
    return np.busday_offset(np.datetime64(day), days, roll="forward").astype(dt.date)


# --- values worked out by hand ----------------------------------------------------------------------


def test_a_single_triangular_task_matches_the_closed_form(pm, planned):
    add(pm, planned, "设计", **estimate(2, 4, 12))
    simulation = run(pm, planned, deadline=D(2026, 3, 6))
    assert simulation.status == SimulationStatus.DONE
    stored = ScheduleSimulation.objects.get(pk=simulation.pk)
    finish = stored.results["finish"]
    # mean of triangular(2, 4, 12) = (2 + 4 + 12) / 3 = 6 working days; its standard deviation is
    # √((4 + 16 + 144 − 8 − 24 − 48) / 18) = √(84 / 18) ≈ 2.16, so the mean of 10,000 draws is
    # within 0.1 (≈ 4.6 standard errors of 0.0216)
    assert finish["mean_days"] == pytest.approx(6, abs=0.1)
    assert finish["std_days"] == pytest.approx((84 / 18) ** 0.5, abs=0.1)
    # the median x: 1 − (12 − x)² / ((12 − 2)(12 − 4)) = 0.5 → x = 12 − √40 ≈ 5.68 days, so the work
    # ends during day 5 (P(X ≤ 5) = 0.39, P(X ≤ 6) = 0.55): Monday 9 March
    assert stored.finish_p50_date == D(2026, 3, 9)
    # the deadline Friday 6 March is day 4: finishing by then means X ≤ 5 → 1 − 7² / 80 = 0.3875
    assert stored.deadline_probability == pytest.approx(0.3875, abs=0.02)
    assert stored.settings == {
        "iterations": 10_000,
        "distribution": "triangular",
        "seed": 7,
        "deadline": "2026-03-06",
        "status_date": None,
    }
    assert list(stored.task_labels.values()) == [["1", "设计"]]


def test_pert_uses_the_beta_mean(pm, planned):
    add(pm, planned, "设计", **estimate(2, 4, 12))
    simulation = run(pm, planned, distribution="pert")
    # PERT-beta mean (2 + 4·4 + 12) / 6 = 5 working days
    assert simulation.results["finish"]["mean_days"] == pytest.approx(5, abs=0.1)


def test_deterministic_estimates_give_the_scheduled_finish_at_every_percentile(pm, planned, other_manager):
    """1 设计 (summary) › 1.1 调研 (3/3/3 days), 1.2 访谈 (2 days, SS+1 after 调研); 2 开发 (5 days,
    FS+2 after the summary 设计); 3 验收 (milestone after 开发)."""
    design = add(pm, planned, "设计")
    survey = add(pm, planned, "调研", parent=design, **estimate(3, 3, 3))
    interviews = add(pm, planned, "访谈", 2, parent=design)
    build = add(pm, planned, "开发", 5)
    accept = add(pm, planned, "验收", 0)
    plan_services.dependency_create(
        actor=pm, predecessor=survey, successor=interviews, dependency_type="SS", lag_days=1
    )
    plan_services.dependency_create(actor=pm, predecessor=design, successor=build, lag_days=2)
    plan_services.dependency_create(actor=pm, predecessor=build, successor=accept)
    finish = Project.objects.get(pk=planned.pk).scheduled_finish_date
    # 调研 Mon 2 – Wed 4; 访谈 Tue 3 – Wed 4; 设计 ends Wed 4; 开发 after 2 days' lag: Mon 9 – Fri 13
    assert finish == D(2026, 3, 13)
    simulation = run(pm, planned, iterations=500)
    assert simulation.finish_p50_date == simulation.finish_p80_date == simulation.finish_p95_date == finish
    assert simulation.results["histogram"] == [{"date": "2026-03-13", "count": 500}]
    ranked = {row["task_id"]: row for row in simulation.results["tasks"] if isinstance(row["task_id"], int)}
    assert ranked[survey.pk]["criticality"] == 1.0  # on the only path to the finish
    assert ranked[interviews.pk]["criticality"] == 1.0  # finishes with 调研 and drives 设计's end too
    assert ranked[survey.pk]["sensitivity"] == 0.0  # never varies


def test_a_predecessor_in_another_project_holds_the_simulated_finish_as_it_holds_the_schedule(
    pm, planned, customer
):
    other = project_create(
        actor=pm, customer=customer, name="二期", manager=pm, planned_start_date=D(2026, 3, 2)
    )
    hardware = add(pm, other, "硬件到货", 8)  # Mon 2 – Wed 11 March in the other project
    install = add(pm, planned, "安装", 2)
    plan_services.dependency_create(actor=pm, predecessor=hardware, successor=install)
    # 安装 follows the other project's task: Thu 12 – Fri 13 March
    assert Project.objects.get(pk=planned.pk).scheduled_finish_date == D(2026, 3, 13)
    simulation = run(pm, planned, iterations=200)
    assert simulation.finish_p50_date == simulation.finish_p95_date == D(2026, 3, 13)
    ranked = [row["task_id"] for row in simulation.results["tasks"]]
    assert ["x", hardware.pk] in ranked  # the fixed node is in the network, not in the task labels
    assert list(simulation.task_labels) == [str(install.pk)]


def test_a_certain_risk_event_shifts_every_percentile_by_its_delay(pm, planned):
    a = add(pm, planned, "设计", **estimate(2, 4, 12))
    b = add(pm, planned, "开发", 3)
    plan_services.dependency_create(actor=pm, predecessor=a, successor=b)
    before = run(pm, planned, seed=11)
    services.risk_event_create(actor=pm, task=b, name="接口延期", probability=1, delay_days=2)
    after = run(pm, planned, seed=11)
    # the event happens in every iteration and adds 2 whole working days to the last task: each
    # iteration finishes exactly 2 working days later (the same draws for 设计: same seed)
    for field in ("finish_p50_date", "finish_p80_date", "finish_p95_date"):
        assert getattr(after, field) == shift(getattr(before, field), 2)
    assert after.results["finish"]["mean_days"] == pytest.approx(before.results["finish"]["mean_days"] + 2)
    assert after.results["settings"]["risk_events"] == 1


def test_a_certain_risk_event_on_a_fixed_plan_moves_the_finish_by_hand(pm, planned):
    task = add(pm, planned, "开发", 5)  # Mon 2 – Fri 6 March
    services.risk_event_create(actor=pm, task=task, name="设备晚到", probability=1, delay_days=2)
    simulation = run(pm, planned, iterations=200)
    # 5 + 2 = 7 working days: Mon 2 – Tue 10 March
    assert simulation.finish_p50_date == simulation.finish_p95_date == D(2026, 3, 10)


# --- reproducibility ---------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_result_and_a_chosen_seed_is_stored(pm, planned):
    a = add(pm, planned, "设计", **estimate(2, 4, 12))
    b = add(pm, planned, "开发", **estimate(1, 3, 8))
    plan_services.dependency_create(actor=pm, predecessor=a, successor=b)
    services.risk_event_create(actor=pm, task=a, name="需求变更", probability=0.3, delay_days=3)
    first = run(pm, planned, iterations=2000, seed=123)
    second = run(pm, planned, iterations=2000, seed=123)
    assert first.results == second.results
    other = run(pm, planned, iterations=2000, seed=124)
    assert other.results["histogram"] != first.results["histogram"]
    unseeded = run(pm, planned, iterations=2000, seed=None)
    seed = unseeded.settings["seed"]
    assert isinstance(seed, int)
    assert seed >= 0
    assert unseeded.results["settings"]["seed"] == seed
    assert run(pm, planned, iterations=2000, seed=seed).results == unseeded.results


# --- bad input -----------------------------------------------------------------------------------------


def test_an_incomplete_estimate_is_refused_naming_the_task_and_nothing_is_stored(pm, planned):
    add(pm, planned, "设计", 3)
    add(pm, planned, "开发", 2, optimistic_days=1)
    with pytest.raises(ValidationError) as refused:
        run(pm, planned)
    assert refused.value.message_dict == {
        "most_likely_days": [
            "“2 开发” has an incomplete three-point estimate: give its optimistic, most likely and "
            "pessimistic durations, or none of them."
        ]
    }
    assert not ScheduleSimulation.objects.exists()


def test_a_disordered_estimate_and_bad_settings_are_all_reported(pm, planned):
    task = add(pm, planned, "开发", **estimate(1, 3, 8))
    Task.objects.filter(pk=task.pk).update(most_likely_days=9)  # as an import might leave it
    with pytest.raises(ValidationError) as refused:
        run(pm, planned, iterations=50, distribution="normal")
    assert refused.value.message_dict == {
        "iterations": ["Run between 100 and 100000 iterations."],
        "distribution": ["Choose the triangular or the PERT distribution."],
        "most_likely_days": [
            "“1 开发”: the three-point estimate must be in order, optimistic ≤ most likely ≤ pessimistic."
        ],
    }
    assert not ScheduleSimulation.objects.exists()


def test_risk_events_left_on_a_task_that_became_a_summary_are_refused(pm, planned):
    design = add(pm, planned, "设计", 3)
    services.risk_event_create(actor=pm, task=design, name="专家请假", probability=0.5, delay_days=2)
    add(pm, planned, "调研", 2, parent=design)  # 设计 is a summary now
    with pytest.raises(ValidationError) as refused:
        run(pm, planned)
    assert refused.value.message_dict == {
        "risk_events": [
            "“1 设计” is a summary task now: its risk events would delay nothing. Move them to the "
            "tasks under it."
        ]
    }
    assert not ScheduleSimulation.objects.exists()


def test_an_empty_plan_is_refused(pm, planned):
    with pytest.raises(ValidationError) as refused:
        run(pm, planned)
    assert refused.value.messages == ["The plan has no tasks to simulate; add some first."]
    assert not ScheduleSimulation.objects.exists()


def test_a_closed_project_refuses_a_simulation(pm, planned):
    add(pm, planned, "设计", 3)
    Project.objects.filter(pk=planned.pk).update(phase=Phase.CLOSED)
    with pytest.raises(ConflictError):
        run(pm, Project.objects.get(pk=planned.pk))
    assert not ScheduleSimulation.objects.exists()


# --- the background job, housekeeping, audit -------------------------------------------------------------


def test_a_big_simulation_runs_in_the_job_after_commit(
    pm, planned, settings, immediate_huey, django_capture_on_commit_callbacks
):
    add(pm, planned, "设计", **estimate(2, 4, 12))
    inline = run(pm, planned, iterations=1000, seed=5)
    settings.CLIENTPM_SIMULATION_INLINE_MAX = 999  # 1 task × 1,000 iterations: the job
    with django_capture_on_commit_callbacks(execute=False) as pending:
        queued = run(pm, planned, iterations=1000, seed=5)
    assert queued.status == SimulationStatus.RUNNING
    assert queued.results is None
    assert len(pending) == 1
    pending[0]()  # the transaction committed: the job runs (immediate mode)
    done = ScheduleSimulation.objects.get(pk=queued.pk)
    assert done.status == SimulationStatus.DONE
    assert done.results == inline.results  # same plan, same settings
    assert done.finish_p50_date == inline.finish_p50_date
    # idempotent: running the job again changes nothing
    assert services.simulation_complete(queued.pk) is None
    assert ScheduleSimulation.objects.get(pk=queued.pk).updated_at == done.updated_at


def test_the_job_marks_a_run_failed_when_the_plan_went_bad_meanwhile(
    pm, planned, settings, immediate_huey, django_capture_on_commit_callbacks
):
    task = add(pm, planned, "设计", **estimate(2, 4, 12))
    settings.CLIENTPM_SIMULATION_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=False) as pending:
        queued = run(pm, planned, iterations=1000)
    Task.objects.filter(pk=task.pk).update(pessimistic_days=None)
    pending[0]()
    failed = ScheduleSimulation.objects.get(pk=queued.pk)
    assert failed.status == SimulationStatus.FAILED
    assert "“1 设计” has an incomplete three-point estimate" in failed.error
    assert failed.results is None


def test_a_project_keeps_its_latest_twenty_runs(pm, planned):
    add(pm, planned, "设计", 3)
    runs = [run(pm, planned, iterations=100, seed=i) for i in range(21)]
    kept = list(ScheduleSimulation.objects.filter(project=planned).values_list("pk", flat=True))
    assert sorted(kept) == sorted(sim.pk for sim in runs[1:])
    deleted = records(runs[0]).filter(action="delete")
    assert deleted.count() == 1


def test_a_run_is_recorded_without_its_results(pm, planned):
    add(pm, planned, "设计", 3)
    simulation = run(pm, planned, iterations=100, seed=3)
    record = records(simulation).get(action="create")
    assert record.actor == pm
    assert record.source == AuditSource.SYSTEM
    assert record.changes["settings"][1]["seed"] == 3
    assert "results" not in record.changes
