"""The Plan tab's task table: a row edited in place (HTMX: the row becomes a form, saving redraws the
table, a refusal redraws only the row with the reason) and the indent/outdent/up/down actions, with
the WBS codes checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.projects.models import Task
from clientpm.projects.queries.plan import task_tree
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_update

D = dt.date
HTMX = {"HX-Request": "true"}


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


# --- the table: inline edit -------------------------------------------------------------------------------


def test_inline_edit_shows_the_row_as_a_form_and_saving_redraws_the_table(web, pm, planned):
    first = add(pm, planned, "调研", duration_days=3)
    second = add(pm, planned, "方案", duration_days=2)
    services.dependency_create(actor=pm, predecessor=first, successor=second)
    client = web(pm)
    url = f"/projects/{planned.pk}/plan/tasks/{first.pk}/inline/"
    row = client.get(url, headers=HTMX).content.decode()
    assert 'data-testid="task-row-edit"' in row
    assert 'name="version" value="1"' in row
    response = client.post(
        url,
        {
            "name": "调研",
            "duration_days": "4",
            "percent_complete": "25",
            "status": "not_started",
            "start_date": "2026-03-02",
            "owner": pm.pk,
            "version": "1",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="plan-table"')
    first = fresh(first)
    # 25 % done means started: the status follows, the actual start is the scheduled start
    assert (first.duration_days, first.percent_complete, first.status, first.owner) == (
        4,
        25,
        "in_progress",
        pm,
    )
    assert first.actual_start_date == D(2026, 3, 2)
    # 调研 Mon 2 – Thu 5; 方案 Fri 6 – Mon 9
    assert f'<tr id="task-row-{first.pk}" class=" critical table-success"' in html
    assert '<td class="text-nowrap" data-testid="task-finish">2026-03-09</td>' in html
    # the tab's header learns the new project finish too (swapped out of band)
    assert '<strong id="plan-finish" data-testid="plan-finish" hx-swap-oob="true">2026-03-09</strong>' in html
    cancel = client.get(f"/projects/{planned.pk}/plan/tasks/{first.pk}/row/", headers=HTMX).content.decode()
    assert cancel.startswith(f'<tr id="task-row-{first.pk}"')
    assert "调研" in cancel


def test_an_inline_refusal_redraws_only_the_row_with_the_reason(web, pm, planned):
    task = add(pm, planned, "调研", duration_days=3)
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/{task.pk}/inline/",
        {
            "name": "调研X",
            "duration_days": "3",
            "percent_complete": "100",
            "status": "in_progress",
            "start_date": "2026-03-02",
            "version": "1",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == f"#task-row-{task.pk}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "A task 100 percent complete is done; set its status to done." in html
    assert 'value="调研X"' in html
    assert fresh(task).name == "调研"


def test_an_inline_save_with_a_stale_version_is_refused(web, pm, planned):
    task = add(pm, planned, "调研")
    services.task_update(actor=pm, task=task, version=1, name="调研（已改）")
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/tasks/{task.pk}/inline/",
        {
            "name": "我的改动",
            "duration_days": "1",
            "percent_complete": "0",
            "status": "not_started",
            "version": "1",
        },
        headers=HTMX,
    )
    assert "This record was changed by someone else." in response.content.decode()
    assert fresh(task).name == "调研（已改）"


def test_inline_edit_without_htmx_goes_back_to_the_table(web, pm, planned):
    task = add(pm, planned, "调研")
    client = web(pm)
    response = client.post(
        f"/projects/{planned.pk}/plan/tasks/{task.pk}/inline/",
        {
            "name": "调研",
            "duration_days": "2",
            "percent_complete": "0",
            "status": "not_started",
            "version": "1",
        },
    )
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    assert fresh(task).duration_days == 2
    assert 'data-testid="plan-table"' in client.get(f"/projects/{planned.pk}/plan/").content.decode()


# --- the table: indent, outdent, up, down ---------------------------------------------------------------


def act(client, task, action, htmx=True):
    url = f"/projects/{task.project_id}/plan/tasks/{task.pk}/{action}/"
    return client.post(url, headers=HTMX if htmx else {})


def test_indent_outdent_up_and_down_renumber_the_wbs(web, pm, planned):
    a, b, c = add(pm, planned, "A"), add(pm, planned, "B"), add(pm, planned, "C")
    client = web(pm)
    html = act(client, b, "indent").content.decode()
    assert outline(planned) == [("1", "A"), ("1.1", "B"), ("2", "C")]
    assert html.startswith('<div id="plan-table"')
    assert '<td class="wbs">1.1</td>' in html
    act(client, c, "indent")  # C goes under A, after B
    assert outline(planned) == [("1", "A"), ("1.1", "B"), ("1.2", "C")]
    act(client, c, "up")
    assert outline(planned) == [("1", "A"), ("1.1", "C"), ("1.2", "B")]
    act(client, c, "down")
    assert outline(planned) == [("1", "A"), ("1.1", "B"), ("1.2", "C")]
    act(client, b, "outdent")  # B goes right after A; C stays under A
    assert outline(planned) == [("1", "A"), ("1.1", "C"), ("2", "B")]
    act(client, fresh(b), "up")  # B moves above A (with C)
    assert outline(planned) == [("1", "B"), ("2", "A"), ("2.1", "C")]
    assert fresh(a).is_summary
    assert not fresh(b).is_summary


def test_a_new_task_moves_up_past_its_sibling(web, pm, planned):
    add(pm, planned, "A")
    add(pm, planned, "B")
    c = add(pm, planned, "C")
    html = act(web(pm), c, "up").content.decode()
    assert outline(planned) == [("1", "A"), ("2", "C"), ("3", "B")]
    # the table comes back renumbered, the moved row marked
    row = html.split(f'<tr id="task-row-{c.pk}"')[1].split("</tr>")[0]
    assert "table-success" in row.split(">")[0]
    assert '<td class="wbs">2</td>' in row


def test_actions_at_the_edges_are_refused_with_the_reason_in_the_table(web, pm, planned):
    a = add(pm, planned, "A")
    add(pm, planned, "B")
    client = web(pm)
    html = act(client, a, "indent").content.decode()
    assert 'data-testid="table-error"' in html
    assert "“1 A” has no task above it at its level to go under." in html
    html = act(client, a, "outdent").content.decode()
    assert "“1 A” is already at the top level." in html
    assert outline(planned) == [("1", "A"), ("2", "B")]
    # without HTMX the reason comes back as a message on the project page
    response = act(client, a, "outdent", htmx=False)
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    assert "is already at the top level." in client.get(response["Location"]).content.decode()


def test_move_up_on_the_first_and_down_on_the_last_task_change_nothing(web, pm, planned):
    from clientpm.core.models import ChangeRecord

    a, b = add(pm, planned, "A"), add(pm, planned, "B")
    client = web(pm)
    before = ChangeRecord.objects.count()
    act(client, a, "up")
    act(client, b, "down")
    assert outline(planned) == [("1", "A"), ("2", "B")]
    assert ChangeRecord.objects.count() == before  # nothing moved, nothing recorded
    assert fresh(a).version == 1


def test_task_actions_need_a_post(web, pm, planned):
    a = add(pm, planned, "A")
    assert web(pm).get(f"/projects/{planned.pk}/plan/tasks/{a.pk}/indent/").status_code == 405


# --- what a row says ----------------------------------------------------------------------------------------


def test_a_pinned_task_shows_its_constraint_in_the_row(web, pm, planned):
    add(pm, planned, "上线", start_date=D(2026, 3, 11))
    html = web(pm).get(f"/projects/{planned.pk}/plan/?view=table", headers=HTMX).content.decode()
    assert 'data-testid="task-constraint"' in html
    assert "Start no earlier than 2026-03-11" in html


def inline(client, task, **fields):
    data = {
        "name": task.name,
        "duration_days": str(task.duration_days),
        "percent_complete": str(task.percent_complete),
        "status": task.status,
        "version": str(task.version),
    }
    data.update(fields)
    url = f"/projects/{task.project_id}/plan/tasks/{task.pk}/inline/"
    return client.post(url, data, headers=HTMX)


def test_lowering_the_progress_of_a_done_task_is_either_saved_or_refused(web, pm, planned):
    task = add(pm, planned, "调研", duration_days=4)
    services.task_update(actor=pm, task=task, version=None, status="done")
    response = inline(web(pm), fresh(task), percent_complete="50")
    # the user typed 50 %: the row must not come back "saved" with 100 % and no word about it
    refused = "invalid-feedback" in response.content.decode()
    assert refused or fresh(task).percent_complete == 50


def test_a_summary_whose_subtasks_are_all_done_shows_done(web, pm, planned):
    phase = add(pm, planned, "设计")
    first = add(pm, planned, "调研", parent=phase)
    second = add(pm, planned, "方案", parent=phase)
    for task in (first, second):
        services.task_update(actor=pm, task=task, version=None, status="done")
    html = web(pm).get(f"/projects/{planned.pk}/plan/?view=table", headers=HTMX).content.decode()
    row = html.split(f'id="task-row-{phase.pk}"')[1].split("</tr>")[0]
    assert ">100%<" in row
    assert 'data-testid="task-status">Done<' in row
