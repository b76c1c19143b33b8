"""The Plan tab (an HTMX fragment of the project page) in its four views — Gantt, task table, board,
baselines — and the Gantt chart's JSON: what each shows, in a fixed number of queries, in English and
Chinese, and who sees which buttons. Every plan URL is a 404 for a user who cannot see the project."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.projects.models import ProjectMember
from clientpm.projects.services import plan as services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_update

D = dt.date


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 2 March 2026 (no holiday nearby on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


@pytest.fixture
def outline(planned, pm):
    """1 设计 (summary) › 1.1 调研 (3 d), then 2 开发 (5 d) after 1.1 with a 2-day lag, 3 验收 (milestone)."""
    design = services.task_create(actor=pm, project=planned, name="设计")
    survey = services.task_create(actor=pm, project=planned, name="调研", parent=design, duration_days=3)
    build = services.task_create(actor=pm, project=planned, name="开发", duration_days=5)
    accept = services.task_create(actor=pm, project=planned, name="验收", duration_days=0)
    services.dependency_create(actor=pm, predecessor=survey, successor=build, lag_days=2)
    services.dependency_create(actor=pm, predecessor=build, successor=accept)
    return {"design": design, "survey": survey, "build": build, "accept": accept}


@pytest.fixture
def member(team_member, planned):
    ProjectMember.objects.create(project=planned, user=team_member, project_role="Developer")
    return team_member


def tab(client, project, view=None, **headers):
    url = f"/projects/{project.pk}/plan/" + (f"?view={view}" if view else "")
    return client.get(url, headers={"HX-Request": "true", **headers})


def rows(html: str, testid: str = "task-row") -> int:
    return html.count(f'data-testid="{testid}"')


# --- the four views ------------------------------------------------------------------------------------


def test_table_view_lists_tasks_in_wbs_order_with_dates_and_predecessors(web, pm, planned, outline):
    response = tab(web(pm), planned, "table")
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html) == 4
    # WBS codes in tree order: 1 设计, 1.1 调研, 2 开发, 3 验收
    positions = [html.index(f'<td class="wbs">{code}</td>') for code in ("1", "1.1", "2", "3")]
    assert positions == sorted(positions)
    assert html.index("设计") < html.index("调研") < html.index("开发") < html.index("验收")
    # 调研 Mon 2 – Wed 4 March; 开发 FS+2 skips Thu 5 and Fri 6: Mon 9 – Fri 13; 验收 FS on Fri 13
    assert '<td class="text-nowrap" data-testid="task-start">2026-03-09</td>' in html
    assert '<td class="text-nowrap" data-testid="task-finish">2026-03-13</td>' in html
    assert "1.1FS+2" in html  # 开发's predecessor as Microsoft Project writes it
    assert "2FS" in html  # 验收 after 开发, no lag
    assert 'data-testid="plan-finish">2026-03-13<' in html
    assert 'class="bi bi-diamond-fill gt-diamond"' in html  # the milestone 验收


def test_gantt_view_loads_its_data_from_the_json_url(web, pm, planned, outline):
    html = tab(web(pm), planned, "gantt").content.decode()
    assert 'data-testid="gantt"' in html
    assert f'data-url="/projects/{planned.pk}/plan/gantt.json"' in html
    assert 'data-editable="1"' in html
    data = web(pm).get(f"/projects/{planned.pk}/plan/gantt.json").json()
    assert [(t["wbs"], t["name"]) for t in data["tasks"]] == [
        ("1", "设计"),
        ("1.1", "调研"),
        ("2", "开发"),
        ("3", "验收"),
    ]
    by_name = {t["name"]: t for t in data["tasks"]}
    assert (by_name["开发"]["start"], by_name["开发"]["end"]) == ("2026-03-09", "2026-03-13")
    assert by_name["开发"]["dependencies"] == [str(outline["survey"].pk)]
    assert by_name["设计"]["is_summary"]
    assert by_name["验收"]["is_milestone"]
    assert by_name["开发"]["version"] == 1  # what the chart sends back when a bar is dragged
    assert data["calendar"]["weekmask"] == "1111100"
    assert "2026-04-06" in data["calendar"]["holidays"]  # Qingming on the built-in China calendar


def test_gantt_json_overlays_a_baseline_and_refuses_one_of_another_project(
    web, pm, planned, outline, customer
):
    from clientpm.projects.services.projects import project_create

    baseline = services.baseline_save(actor=pm, project=planned, name="批准计划")
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    services.task_create(actor=pm, project=other, name="X")
    foreign = services.baseline_save(actor=pm, project=other, name="其他")
    client = web(pm)
    data = client.get(f"/projects/{planned.pk}/plan/gantt.json?baseline={baseline.pk}").json()
    build = next(t for t in data["tasks"] if t["name"] == "开发")
    assert (build["baseline_start"], build["baseline_end"]) == ("2026-03-09", "2026-03-13")
    assert client.get(f"/projects/{planned.pk}/plan/gantt.json?baseline={foreign.pk}").status_code == 404
    assert client.get(f"/projects/{planned.pk}/plan/gantt.json?baseline=x").status_code == 404


def test_board_view_shows_leaf_tasks_by_status(web, pm, planned, outline):
    services.task_update(actor=pm, task=outline["survey"], version=None, status="in_progress")
    html = tab(web(pm), planned, "board").content.decode()
    assert rows(html, "task-card") == 3  # the summary 设计 is not a card
    in_progress = html.split('data-testid="board-column-in_progress"')[1].split("</section>")[0]
    not_started = html.split('data-testid="board-column-not_started"')[1].split("</section>")[0]
    assert "调研" in in_progress
    assert "1.1" in in_progress
    assert "开发" in not_started
    assert "验收" in not_started
    assert 'data-editable="1"' in html


def test_baselines_view_compares_the_plan_with_the_chosen_baseline(web, pm, planned, outline):
    first = services.baseline_save(actor=pm, project=planned, name="批准计划")
    services.task_update(actor=pm, task=outline["survey"], version=None, duration_days=5)
    services.baseline_save(actor=pm, project=planned, name="变更后")
    client = web(pm)
    html = tab(client, planned, "baselines").content.decode()
    assert "Variance against “变更后”" in html  # the newest is shown first
    assert "No task finishes later than in this baseline." in html
    html = client.get(
        f"/projects/{planned.pk}/plan/?view=baselines&baseline={first.pk}", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Variance against “批准计划”" in html
    # 调研 went from 3 to 5 days: it and everything after it finish 2 working days later
    # (调研 1.1, its summary 1, 开发 2, 验收 3 — four slipped rows)
    assert rows(html, "variance-row") == 4
    assert "4 slipped tasks" in html
    assert html.count('data-testid="finish-variance">+2<') == 4


def test_empty_plan_says_what_to_do(web, pm, planned):
    html = tab(web(pm), planned, "table").content.decode()
    assert 'data-testid="no-tasks"' in html
    assert f'href="/projects/{planned.pk}/plan/tasks/add/"' in html
    html = tab(web(pm), planned, "baselines").content.decode()
    assert 'data-testid="no-baselines"' in html


def test_the_tab_remembers_the_last_view_and_ignores_unknown_ones(web, pm, planned, outline):
    client = web(pm)
    tab(client, planned, "board")
    assert 'data-testid="task-board"' in tab(client, planned).content.decode()
    assert 'data-testid="gantt"' in tab(client, planned, "bogus").content.decode()


def test_table_view_costs_the_same_queries_for_30_tasks_as_for_3(
    web, pm, planned, django_assert_max_num_queries
):
    previous = None
    for i in range(3):
        previous = services.task_create(actor=pm, project=planned, name=f"任务{i + 1}", owner=pm)
    client = web(pm)
    tab(client, planned, "table")  # session and permission caches warm
    with django_assert_max_num_queries(12) as small:
        assert rows(tab(client, planned, "table").content.decode()) == 3
    phase = services.task_create(actor=pm, project=planned, name="阶段")
    for i in range(26):
        task = services.task_create(actor=pm, project=planned, name=f"子任务{i + 1}", parent=phase, owner=pm)
        services.dependency_create(actor=pm, predecessor=previous, successor=task)
        previous = task
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert rows(tab(client, planned, "table").content.decode()) == 30


@pytest.mark.parametrize("view", ["gantt", "board", "baselines"])
def test_other_views_cost_a_fixed_number_of_queries(web, pm, planned, view, django_assert_max_num_queries):
    for i in range(20):
        services.task_create(actor=pm, project=planned, name=f"任务{i + 1}", owner=pm)
    services.baseline_save(actor=pm, project=planned, name="基线")
    client = web(pm)
    tab(client, planned, view)
    with django_assert_max_num_queries(14):
        assert tab(client, planned, view).status_code == 200
    with django_assert_max_num_queries(10):
        assert len(client.get(f"/projects/{planned.pk}/plan/gantt.json").json()["tasks"]) == 20


# --- languages -------------------------------------------------------------------------------------------


def test_the_tab_renders_for_a_chinese_browser(web, pm, planned, outline):
    for view in ("gantt", "table", "board", "baselines"):
        response = tab(web(pm), planned, view, **{"Accept-Language": "zh-hans"})
        assert response.status_code == 200, view
        assert response.headers["Content-Language"] == "zh-hans"
        assert 'data-testid="plan-tab"' in response.content.decode()


def test_the_tab_and_forms_render_for_a_user_who_prefers_chinese(web, planned, outline, pm):
    pm.language = "zh-hans"
    pm.save(update_fields=["language"])
    client = web(pm)
    for url in (
        f"/projects/{planned.pk}/plan/?view=table",
        f"/projects/{planned.pk}/plan/tasks/add/",
        f"/projects/{planned.pk}/plan/tasks/{outline['build'].pk}/edit/",
        f"/projects/{planned.pk}/plan/settings/",
        "/projects/my-tasks/",
        "/projects/calendars/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == "zh-hans", url
    html = tab(client, planned, "table").content.decode()
    assert rows(html) == 4
    assert "1.1FS+2" in html


# --- who sees what ---------------------------------------------------------------------------------------


def test_a_team_member_sees_the_plan_but_no_add_delete_or_settings(web, member, planned, outline):
    client = web(member)
    html = tab(client, planned, "table").content.decode()
    assert rows(html) == 4
    for testid in ("add-task", "plan-settings", "delete-task", "add-subtask"):
        assert f'data-testid="{testid}"' not in html, testid
    assert 'data-testid="inline-edit"' in html  # team members may update their tasks' progress
    html = tab(client, planned, "baselines").content.decode()
    assert 'data-testid="baseline-form"' not in html


def test_an_executive_reads_the_plan_without_any_write_control(web, executive, planned, outline):
    client = web(executive)
    html = tab(client, planned, "table").content.decode()
    assert rows(html) == 4
    for testid in ("add-task", "plan-settings", "inline-edit", "task-actions"):
        assert f'data-testid="{testid}"' not in html, testid
    assert 'data-editable="0"' in tab(client, planned, "gantt").content.decode()
    board = tab(client, planned, "board").content.decode()
    assert "data-editable" not in board
    assert board.count("data-locked") == 3


def plan_urls(project, outline, baseline, dependency):
    pk, build = project.pk, outline["build"].pk
    return [
        ("get", f"/projects/{pk}/plan/"),
        ("get", f"/projects/{pk}/plan/?view=table"),
        ("get", f"/projects/{pk}/plan/gantt.json"),
        ("get", f"/projects/{pk}/plan/settings/"),
        ("post", f"/projects/{pk}/plan/settings/"),
        ("get", f"/projects/{pk}/plan/tasks/add/"),
        ("post", f"/projects/{pk}/plan/tasks/add/"),
        ("get", f"/projects/{pk}/plan/tasks/{build}/edit/"),
        ("post", f"/projects/{pk}/plan/tasks/{build}/edit/"),
        ("get", f"/projects/{pk}/plan/tasks/{build}/delete/"),
        ("post", f"/projects/{pk}/plan/tasks/{build}/delete/"),
        ("get", f"/projects/{pk}/plan/tasks/{build}/row/"),
        ("get", f"/projects/{pk}/plan/tasks/{build}/inline/"),
        ("post", f"/projects/{pk}/plan/tasks/{build}/inline/"),
        ("post", f"/projects/{pk}/plan/tasks/{build}/indent/"),
        ("post", f"/projects/{pk}/plan/tasks/{build}/up/"),
        ("post", f"/projects/{pk}/plan/tasks/{build}/dependencies/add/"),
        ("post", f"/projects/{pk}/plan/dependencies/{dependency}/edit/"),
        ("post", f"/projects/{pk}/plan/dependencies/{dependency}/delete/"),
        ("post", f"/projects/{pk}/plan/baselines/save/"),
        ("get", f"/projects/{pk}/plan/baselines/{baseline}/delete/"),
        ("post", f"/projects/{pk}/plan/baselines/{baseline}/delete/"),
    ]


def test_every_plan_url_is_404_for_someone_who_cannot_see_the_project(web, pm, planned, outline):
    from clientpm.projects.models import Task, TaskDependency

    outsider = user_create(
        actor=None, username="pm9", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER]
    )
    baseline = services.baseline_save(actor=pm, project=planned, name="基线")
    dependency = TaskDependency.objects.get(successor=outline["build"])
    client = web(outsider)
    for method, url in plan_urls(planned, outline, baseline.pk, dependency.pk):
        assert getattr(client, method)(url, {}).status_code == 404, (method, url)
    assert Task.objects.filter(project=planned).count() == 4
    assert TaskDependency.objects.filter(pk=dependency.pk).exists()


def test_a_task_or_baseline_under_another_projects_url_is_404(web, pm, planned, outline, customer):
    from clientpm.projects.services.projects import project_create

    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    services.task_create(actor=pm, project=other, name="X")
    baseline = services.baseline_save(actor=pm, project=planned, name="基线")
    client = web(pm)
    build = outline["build"].pk
    assert client.get(f"/projects/{other.pk}/plan/tasks/{build}/edit/").status_code == 404
    assert client.get(f"/projects/{other.pk}/plan/tasks/{build}/inline/").status_code == 404
    assert client.get(f"/projects/{other.pk}/plan/baselines/{baseline.pk}/delete/").status_code == 404
    assert client.post(f"/projects/{planned.pk}/plan/tasks/{build}/sideways/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, planned, outline):
    response = client.get(f"/projects/{planned.pk}/plan/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert client.get("/projects/my-tasks/").status_code == 302


# --- a closed or cancelled project ---------------------------------------------------------------------


def test_a_cancelled_project_shows_its_plan_read_only(web, pm, planned, outline):
    project_transition(
        actor=pm, project=planned, to_phase="cancelled", version=planned.version, reason="客户取消"
    )
    client = web(pm)
    html = tab(client, planned, "table").content.decode()
    assert rows(html) == 4
    for testid in ("add-task", "plan-settings", "inline-edit", "task-actions"):
        assert f'data-testid="{testid}"' not in html, testid
    assert 'data-editable="0"' in tab(client, planned, "gantt").content.decode()
    assert 'data-testid="baseline-form"' not in tab(client, planned, "baselines").content.decode()
    assert json.loads(client.get(f"/projects/{planned.pk}/plan/gantt.json").content)["tasks"]
