"""Who may change the plan from the pages: a team member updates tasks but may not add, delete, link,
baseline or change the settings (403, nothing saved); an executive reads every task read-only; a
closed or cancelled project refuses every write with the reason, the way the other project pages do."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.projects.models import Baseline, ProjectMember, Task, TaskDependency
from clientpm.projects.services import plan as services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_update

D = dt.date
HTMX = {"HX-Request": "true"}


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 2 March 2026 (no holiday nearby on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


@pytest.fixture
def chain(planned, pm):
    """1 调研 → 2 方案, and a baseline 批准计划."""
    survey = services.task_create(actor=pm, project=planned, name="调研", duration_days=3)
    design = services.task_create(actor=pm, project=planned, name="方案", duration_days=2)
    dependency = services.dependency_create(actor=pm, predecessor=survey, successor=design)
    baseline = services.baseline_save(actor=pm, project=planned, name="批准计划")
    return {"survey": survey, "design": design, "dependency": dependency, "baseline": baseline}


@pytest.fixture
def member(team_member, planned):
    ProjectMember.objects.create(project=planned, user=team_member, project_role="Developer")
    return team_member


def fresh(task):
    return Task.objects.get(pk=task.pk)


def refused_writes(project, chain):
    """Every write a team member may not make, with the data a permitted user would post."""
    pk, design, survey = project.pk, chain["design"], chain["survey"]
    return [
        (
            f"/projects/{pk}/plan/tasks/add/",
            {
                "name": "新任务",
                "duration_days": "1",
                "percent_complete": "0",
                "status": "not_started",
                "constraint_type": "asap",
            },
        ),
        (f"/projects/{pk}/plan/tasks/{design.pk}/delete/", {}),
        (
            f"/projects/{pk}/plan/tasks/{survey.pk}/dependencies/add/",
            {"predecessor": design.pk, "dependency_type": "FS", "lag_days": "0"},
        ),
        (
            f"/projects/{pk}/plan/dependencies/{chain['dependency'].pk}/edit/",
            {"dependency_type": "SS", "lag_days": "0"},
        ),
        (f"/projects/{pk}/plan/dependencies/{chain['dependency'].pk}/delete/", {}),
        (f"/projects/{pk}/plan/baselines/save/", {"name": "再来一个"}),
        (f"/projects/{pk}/plan/baselines/{chain['baseline'].pk}/delete/", {}),
        (f"/projects/{pk}/plan/settings/", {"status_date": "2026-03-04", "version": str(project.version)}),
    ]


def plan_state(project):
    project.refresh_from_db()
    return (
        list(
            Task.objects.filter(project=project)
            .values_list("wbs_code", "name", "version")
            .order_by("wbs_code")
        ),
        list(TaskDependency.objects.values_list("dependency_type", "lag_days")),
        list(Baseline.objects.values_list("name", flat=True)),
        project.status_date,
    )


# --- a team member -----------------------------------------------------------------------------------------


def test_a_team_member_gets_403_on_the_writes_their_role_does_not_allow(web, member, planned, chain):
    before = plan_state(planned)
    client = web(member)
    for url, data in refused_writes(planned, chain):
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, headers=HTMX).status_code == 403, url
    for url in (f"/projects/{planned.pk}/plan/tasks/add/", f"/projects/{planned.pk}/plan/settings/"):
        assert client.get(url).status_code == 403, url
    assert plan_state(planned) == before


def test_a_team_member_updates_a_tasks_progress_inline_and_on_its_page(web, member, planned, chain):
    client = web(member)
    survey = chain["survey"]
    response = client.post(
        f"/projects/{planned.pk}/plan/tasks/{survey.pk}/inline/",
        {
            "name": "调研",
            "duration_days": "3",
            "percent_complete": "40",
            "status": "in_progress",
            "version": "1",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert fresh(survey).percent_complete == 40
    page = client.get(f"/projects/{planned.pk}/plan/tasks/{survey.pk}/edit/").content.decode()
    assert 'data-testid="save-task"' in page
    assert 'data-testid="dependency-form"' not in page  # linking tasks is the manager's
    assert 'data-testid="remove-dependency"' not in page


# --- a reader ------------------------------------------------------------------------------------------------


def test_an_executive_reads_a_task_page_read_only_and_may_not_post(web, executive, planned, chain):
    client = web(executive)
    design = chain["design"]
    url = f"/projects/{planned.pk}/plan/tasks/{design.pk}/edit/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Task · 2 方案" in html
    assert 'data-testid="save-task"' not in html
    assert (
        '<input type="text" name="name" value="方案" maxlength="200" class="form-control" required disabled'
        in html
    )
    assert html.count('data-testid="predecessor-row"') == 1
    assert "1 调研" in html
    assert 'data-testid="dependency-form"' not in html
    before = plan_state(planned)
    assert client.post(url, {"name": "X", "version": "1"}).status_code == 403
    assert client.post(f"/projects/{planned.pk}/plan/tasks/{design.pk}/inline/", {}).status_code == 403
    assert client.post(f"/projects/{planned.pk}/plan/tasks/{design.pk}/indent/").status_code == 403
    for url, data in refused_writes(planned, chain):
        assert client.post(url, data).status_code == 403, url
    assert plan_state(planned) == before


# --- a closed or cancelled project ----------------------------------------------------------------------------


@pytest.fixture
def cancelled(planned, pm, chain):
    project_transition(
        actor=pm, project=planned, to_phase="cancelled", version=planned.version, reason="客户取消"
    )
    planned.refresh_from_db()
    return planned


REFUSAL = "is cancelled; reopen it before changing it."


def test_a_cancelled_project_refuses_every_form_write_with_the_reason(web, pm, cancelled, chain):
    before = plan_state(cancelled)
    client = web(pm)
    pk, design, survey = cancelled.pk, chain["design"], chain["survey"]
    answers = {
        "add": client.post(f"/projects/{pk}/plan/tasks/add/", refused_writes(cancelled, chain)[0][1]),
        "edit": client.post(
            f"/projects/{pk}/plan/tasks/{design.pk}/edit/",
            {
                "name": "方案X",
                "duration_days": "2",
                "percent_complete": "0",
                "status": "not_started",
                "constraint_type": "asap",
                "version": "1",
            },
        ),
        "link": client.post(
            f"/projects/{pk}/plan/tasks/{survey.pk}/dependencies/add/",
            {"predecessor": design.pk, "dependency_type": "FS", "lag_days": "0"},
        ),
        "settings": client.post(
            f"/projects/{pk}/plan/settings/", {"status_date": "2026-03-04", "version": str(cancelled.version)}
        ),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert f"Project {cancelled.code} {REFUSAL}" in response.content.decode(), name
    assert plan_state(cancelled) == before


def test_a_cancelled_project_refuses_table_and_redirecting_writes_with_the_reason(web, pm, cancelled, chain):
    before = plan_state(cancelled)
    client = web(pm)
    pk, design = cancelled.pk, chain["design"]
    inline = client.post(
        f"/projects/{pk}/plan/tasks/{design.pk}/inline/",
        {
            "name": "方案X",
            "duration_days": "2",
            "percent_complete": "0",
            "status": "not_started",
            "version": "1",
        },
        headers=HTMX,
    )
    assert inline.status_code == 200
    assert REFUSAL in inline.content.decode()
    assert inline.headers["HX-Retarget"] == f"#task-row-{design.pk}"
    action = client.post(f"/projects/{pk}/plan/tasks/{design.pk}/indent/", headers=HTMX)
    assert 'data-testid="table-error"' in action.content.decode()
    assert REFUSAL in action.content.decode()
    for url in (
        f"/projects/{pk}/plan/tasks/{design.pk}/delete/",
        f"/projects/{pk}/plan/dependencies/{chain['dependency'].pk}/delete/",
        f"/projects/{pk}/plan/dependencies/{chain['dependency'].pk}/edit/",
        f"/projects/{pk}/plan/baselines/save/",
        f"/projects/{pk}/plan/baselines/{chain['baseline'].pk}/delete/",
    ):
        data = {"dependency_type": "SS", "lag_days": "0", "name": "再来一个"}
        response = client.post(url, data, follow=True)
        assert REFUSAL in response.content.decode(), url
    assert plan_state(cancelled) == before


def test_a_cancelled_projects_task_page_is_read_only(web, pm, cancelled, chain):
    html = web(pm).get(f"/projects/{cancelled.pk}/plan/tasks/{chain['design'].pk}/edit/").content.decode()
    assert 'data-testid="save-task"' not in html
    assert 'data-testid="dependency-form"' not in html
    assert " disabled" in html
