"""The task pages of the Plan tab: the add and edit forms (errors next to the fields, what was typed
kept, nothing saved on a refusal, a stale version refused) and the delete confirmation."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.projects.models import ConstraintType, Task, TaskStatus
from clientpm.projects.queries.plan import task_tree
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_update

D = dt.date


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 2 March 2026 (no holiday nearby on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


def add(pm, project, name, **fields):
    return services.task_create(actor=pm, project=project, name=name, **fields)


def outline(project):
    """The task tree as (WBS code, name), straight from the database."""
    return [(t.wbs_code, t.name) for t in task_tree(project=project)]


def fresh(task):
    return Task.objects.get(pk=task.pk)


def task_data(**fields):
    """What the add form posts when the user fills in only the name (the rest keeps its default)."""
    data = {
        "name": "需求调研",
        "status": TaskStatus.NOT_STARTED,
        "duration_days": "3",
        "percent_complete": "0",
        "constraint_type": ConstraintType.ASAP,
        "recurrence": "",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(task, **fields):
    """What the edit form posts back unchanged for ``task``, with ``fields`` changed."""
    data = {
        "name": task.name,
        "status": task.status,
        "duration_days": str(task.duration_days),
        "percent_complete": str(task.percent_complete),
        "constraint_type": task.constraint_type,
        "constraint_date": task.constraint_date.isoformat() if task.constraint_date else "",
        "start_date": task.start_date.isoformat() if task.start_date else "",
        "version": str(task.version),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def field_html(html: str, name: str) -> str:
    """The markup of one form field: its label, widget, help text and errors."""
    for block in html.split('<div class="mb-3">')[1:]:
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name}")


# --- adding ------------------------------------------------------------------------------------------


def test_add_task_creates_it_and_goes_back_to_the_plan_tab(web, pm, planned):
    client = web(pm)
    form = client.get(f"/projects/{planned.pk}/plan/tasks/add/").content.decode()
    assert 'data-testid="task-form"' in form
    assert 'name="add_another"' in form
    response = client.post(f"/projects/{planned.pk}/plan/tasks/add/", task_data(owner=pm.pk))
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    task = Task.objects.get()
    assert (task.wbs_code, task.name, task.owner, task.duration_days) == ("1", "需求调研", pm, 3)
    # 3 working days from Monday 2 March: Mon 2 – Wed 4
    assert (task.start_date, task.finish_date) == (D(2026, 3, 2), D(2026, 3, 4))
    page = client.get(response["Location"]).content.decode()
    assert "Task 1 需求调研 was added." in page


def test_add_a_subtask_under_the_parent_from_the_query_string(web, pm, planned):
    phase = add(pm, planned, "设计")
    add(pm, planned, "开发")
    client = web(pm)
    form = client.get(f"/projects/{planned.pk}/plan/tasks/add/?parent={phase.pk}").content.decode()
    assert f'<option value="{phase.pk}" selected>' in form
    client.post(f"/projects/{planned.pk}/plan/tasks/add/", task_data(name="概要设计", parent=phase.pk))
    assert outline(planned) == [("1", "设计"), ("1.1", "概要设计"), ("2", "开发")]
    assert fresh(phase).is_summary


def test_save_and_add_another_returns_to_the_form_under_the_same_parent(web, pm, planned):
    phase = add(pm, planned, "设计")
    client = web(pm)
    url = f"/projects/{planned.pk}/plan/tasks/add/"
    response = client.post(url, task_data(name="概要设计", parent=phase.pk, add_another="1"))
    assert response.status_code == 302
    assert response["Location"] == f"{url}?parent={phase.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Task 1.1 概要设计 was added." in page
    assert f'<option value="{phase.pk}" selected>' in page
    assert 'value="概要设计"' not in page  # an empty form for the next task
    response = client.post(url, task_data(name="详细设计", parent=phase.pk, add_another="1"))
    assert outline(planned) == [("1", "设计"), ("1.1", "概要设计"), ("1.2", "详细设计")]
    top = client.post(url, task_data(name="开发", add_another="1"))
    assert top["Location"] == f"{url}?parent="


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"duration_days": "-2"}, "duration_days", "Ensure this value is greater than or equal to 0."),
        (
            {"optimistic_days": "5", "most_likely_days": "", "pessimistic_days": "3"},
            "optimistic_days",
            "The optimistic estimate must not exceed the pessimistic one.",
        ),
        (
            {"constraint_type": ConstraintType.SNET, "constraint_date": ""},
            "constraint_date",
            "The constraint “Start no earlier than” needs a date.",
        ),
        ({"percent_complete": "150"}, "percent_complete", "The percent complete must be between 0 and 100."),
        ({"name": "   "}, "name", "This field is required."),
        ({"recurrence": "weekly", "recurrence_count": ""}, "recurrence_count", "Say how many times"),
    ],
)
def test_add_task_errors_show_next_to_the_field_and_nothing_is_saved(
    web, pm, planned, fields, field, message
):
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/add/", {**task_data(name="方案评审"), **fields}
    )
    html = response.content.decode()
    assert response.status_code == 200
    block = field_html(html, field)
    assert message in block
    assert "is-invalid" in block
    if field != "name":
        assert 'value="方案评审"' in html  # what the user typed is kept
    assert not Task.objects.exists()


def test_three_point_estimate_without_a_duration_gives_the_pert_duration(web, pm, planned):
    web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/add/",
        task_data(duration_days="", optimistic_days="2", most_likely_days="4", pessimistic_days="9"),
    )
    # (2 + 4 × 4 + 9) / 6 = 27 / 6 = 4.5 → 5 working days (rounded up)
    task = Task.objects.get()
    assert task.duration_days == 5
    assert (task.start_date, task.finish_date) == (D(2026, 3, 2), D(2026, 3, 6))


def test_add_with_a_start_date_pins_the_task(web, pm, planned):
    web(pm).post(f"/projects/{planned.pk}/plan/tasks/add/", task_data(start_date="2026-03-11"))
    task = Task.objects.get()
    assert (task.constraint_type, task.constraint_date) == (ConstraintType.SNET, D(2026, 3, 11))
    assert (task.start_date, task.finish_date) == (D(2026, 3, 11), D(2026, 3, 13))


def test_add_a_repeating_task_creates_its_occurrences(web, pm, planned):
    web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/add/",
        task_data(name="周例会", duration_days="1", recurrence="weekly", recurrence_count="3"),
    )
    # a summary 周例会 with one subtask per week from the project start: 2, 9 and 16 March
    assert outline(planned) == [
        ("1", "周例会"),
        ("1.1", "周例会 1"),
        ("1.2", "周例会 2"),
        ("1.3", "周例会 3"),
    ]
    starts = [t.start_date for t in task_tree(project=planned)[1:]]
    assert starts == [D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)]


# --- editing -------------------------------------------------------------------------------------------


def test_edit_task_saves_the_changes_and_reschedules(web, pm, planned):
    first = add(pm, planned, "调研", duration_days=3)
    second = add(pm, planned, "方案", duration_days=2)
    services.dependency_create(actor=pm, predecessor=first, successor=second)
    client = web(pm)
    form = client.get(f"/projects/{planned.pk}/plan/tasks/{first.pk}/edit/").content.decode()
    assert 'data-testid="dependencies"' in form
    assert "Scheduled: 2026-03-02 → 2026-03-04" in form
    response = client.post(
        f"/projects/{planned.pk}/plan/tasks/{first.pk}/edit/",
        edit_data(fresh(first), name="现状调研", duration_days="5"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    first, second = fresh(first), fresh(second)
    assert (first.name, first.duration_days, first.version) == ("现状调研", 5, 2)
    # 5 days Mon 2 – Fri 6 March; 方案 follows on Mon 9 – Tue 10
    assert (second.start_date, second.finish_date) == (D(2026, 3, 9), D(2026, 3, 10))
    assert first.constraint_type == ConstraintType.ASAP  # the unchanged start did not pin the task


def test_edit_with_a_stale_version_shows_the_conflict_and_keeps_the_other_change(web, pm, planned):
    task = add(pm, planned, "调研", duration_days=3)
    stale = edit_data(fresh(task), duration_days="7")
    services.task_update(actor=pm, task=task, version=task.version, name="调研（已改）")
    response = web(pm).post(f"/projects/{planned.pk}/plan/tasks/{task.pk}/edit/", stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This record was changed by someone else. Reload it and apply your change again." in html
    task = fresh(task)
    assert (task.name, task.duration_days, task.version) == ("调研（已改）", 3, 2)


def test_edit_errors_show_next_to_the_field(web, pm, planned):
    task = add(pm, planned, "调研")
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/{task.pk}/edit/",
        edit_data(fresh(task), constraint_type=ConstraintType.MFO, constraint_date=""),
    )
    assert "The constraint “Must finish on” needs a date." in field_html(
        response.content.decode(), "constraint_date"
    )
    assert fresh(task).constraint_type == ConstraintType.ASAP


def test_a_summary_task_form_has_no_rolled_up_fields(web, pm, planned):
    phase = add(pm, planned, "设计")
    add(pm, planned, "调研", parent=phase)
    html = web(pm).get(f"/projects/{planned.pk}/plan/tasks/{phase.pk}/edit/").content.decode()
    for name in ("duration_days", "percent_complete", "effort_hours", "actual_start_date"):
        assert f'name="{name}"' not in html, name
    assert "A summary task: its dates, effort and progress come from the tasks under it." in html


def test_moving_the_start_in_the_form_is_refused_when_the_predecessor_does_not_allow_it(web, pm, planned):
    first = add(pm, planned, "调研", duration_days=3)
    second = add(pm, planned, "方案", duration_days=2)
    services.dependency_create(actor=pm, predecessor=first, successor=second)
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/{second.pk}/edit/",
        edit_data(fresh(second), start_date="2026-03-03"),
    )
    # 方案 follows 调研 (Mon 2 – Wed 4): Thursday 5 March at the earliest
    assert "allow 2026-03-05 at the earliest" in field_html(response.content.decode(), "start_date")
    assert fresh(second).constraint_type == ConstraintType.ASAP


# --- deleting -------------------------------------------------------------------------------------------


def test_delete_asks_first_naming_the_subtasks_then_deletes_and_renumbers(web, pm, planned):
    phase = add(pm, planned, "设计")
    add(pm, planned, "概要设计", parent=phase)
    add(pm, planned, "详细设计", parent=phase)
    add(pm, planned, "开发")
    client = web(pm)
    url = f"/projects/{planned.pk}/plan/tasks/{phase.pk}/delete/"
    html = client.get(url).content.decode()
    assert "Delete task 1 设计?" in html
    assert "The 2 tasks under it are deleted too:" in html
    assert "1.1 概要设计" in html
    assert "1.2 详细设计" in html
    assert outline(planned) == [("1", "设计"), ("1.1", "概要设计"), ("1.2", "详细设计"), ("2", "开发")]
    response = client.post(url)
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    assert outline(planned) == [("1", "开发")]
    assert "Task 1 设计 was deleted." in client.get(response["Location"]).content.decode()
