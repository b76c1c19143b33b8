"""Baselines (基线): saving (at most ten, unique names), variance per task in working days on the
project's calendar with the slipped tasks, and the planning gate's "a baseline is saved"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clientpm.core.errors import ConflictError
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import Baseline, BaselineTask, Task
from clientpm.projects.queries.plan import baseline_variance
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_update

D = dt.date


@pytest.fixture
def festival(project, pm):
    """Starting Monday 9 February 2026, the week before the Spring Festival (15–23 February off)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 2, 9)
    )


def add(pm, project, name, duration, **fields):
    return services.task_create(actor=pm, project=project, name=name, duration_days=duration, **fields)


def test_a_baseline_copies_every_tasks_dates(pm, festival):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 3)
    services.dependency_create(actor=pm, predecessor=a, successor=b)
    baseline = services.baseline_save(actor=pm, project=festival, name="  计划 v1 ")
    assert (baseline.name, baseline.saved_by) == ("计划 v1", pm)
    saved = {
        row.name: (row.wbs_code, row.start_date, row.finish_date, row.duration_days)
        for row in baseline.tasks.all()
    }
    assert saved == {
        "A": ("1", D(2026, 2, 9), D(2026, 2, 13), 5),
        "B": ("2", D(2026, 2, 14), D(2026, 2, 25), 3),
    }


def test_variance_in_working_days_and_the_slipped_tasks(pm, festival):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 3)
    early = add(pm, festival, "E", 4, start_date=D(2026, 2, 10))
    gone = add(pm, festival, "G", 1)
    services.dependency_create(actor=pm, predecessor=a, successor=b)
    baseline = services.baseline_save(actor=pm, project=festival, name="v1")
    a = Task.objects.get(pk=a.pk)
    services.task_update(actor=pm, task=a, version=a.version, duration_days=6)
    early = Task.objects.get(pk=early.pk)
    services.task_update(actor=pm, task=early, version=early.version, start_date=D(2026, 2, 9))
    services.task_delete(actor=pm, task=Task.objects.get(pk=gone.pk))
    add(pm, festival, "N", 2)
    rows = {row.name: row for row in baseline_variance(baseline=baseline)}
    assert list(rows) == ["A", "B", "E", "N", "G"]  # WBS order, the deleted task last
    # A now ends on Saturday the 14th (worked): one working day later than Friday the 13th
    assert (
        rows["A"].start_variance_days,
        rows["A"].finish_variance_days,
        rows["A"].duration_variance_days,
    ) == (
        0,
        1,
        1,
    )
    # B moves from 14–25 to 24–26 February: one working day later at both ends (the festival is not counted)
    assert (rows["B"].baseline_start, rows["B"].current_start) == (D(2026, 2, 14), D(2026, 2, 24))
    assert (rows["B"].start_variance_days, rows["B"].finish_variance_days) == (1, 1)
    # E moved a day earlier: negative variance, not slipped
    assert (rows["E"].start_variance_days, rows["E"].finish_variance_days, rows["E"].slipped) == (
        -1,
        -1,
        False,
    )
    assert [name for name, row in rows.items() if row.slipped] == ["A", "B"]
    assert (rows["N"].baseline_start, rows["N"].finish_variance_days, rows["N"].slipped) == (
        None,
        None,
        False,
    )
    assert (rows["G"].task, rows["G"].baseline_finish, rows["G"].current_finish) == (
        None,
        D(2026, 2, 9),
        None,
    )


def test_at_most_ten_baselines_and_names_are_unique(pm, festival):
    add(pm, festival, "A", 1)
    for i in range(10):
        services.baseline_save(actor=pm, project=festival, name=f"v{i}")
    with pytest.raises(ConflictError) as full:
        services.baseline_save(actor=pm, project=festival, name="v10")
    assert full.value.detail == "A project keeps at most 10 baselines; delete one before saving another."
    services.baseline_delete(actor=pm, baseline=Baseline.objects.get(name="v0"))
    with pytest.raises(ValidationError) as taken:
        services.baseline_save(actor=pm, project=festival, name="v1")
    assert taken.value.message_dict == {"name": ["A baseline called “v1” exists already."]}
    services.baseline_save(actor=pm, project=festival, name="v10")
    assert Baseline.objects.filter(project=festival).count() == 10


def test_an_empty_plan_has_nothing_to_baseline(pm, festival):
    with pytest.raises(ValidationError) as refused:
        services.baseline_save(actor=pm, project=festival, name="v1")
    assert refused.value.messages == ["The plan has no tasks to save in a baseline."]
    assert not Baseline.objects.exists()


def test_a_deleted_baseline_takes_its_task_copies_along(pm, festival):
    add(pm, festival, "A", 1)
    baseline = services.baseline_save(actor=pm, project=festival, name="v1")
    services.baseline_delete(actor=pm, baseline=baseline)
    assert not BaselineTask.objects.exists()


def test_the_planning_gate_needs_a_saved_baseline(pm, festival):
    def reasons():
        return next(r for r in gate_evaluate(festival, "planning") if r.key == "baseline_saved")

    condition = reasons()
    assert (condition.label, condition.reasons) == (
        "A baseline is saved",
        ["No baseline of the plan has been saved."],
    )
    add(pm, festival, "A", 1)
    services.baseline_save(actor=pm, project=festival, name="v1")
    assert reasons().reasons == []
