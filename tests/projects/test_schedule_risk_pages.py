"""The Plan tab's Schedule risk view and the task page's risk events: the run form, the result
with its server-drawn SVG histogram and S-curve, the tasks ranked by criticality, the settings, the
previous runs; refusals next to the fields; who may run and edit; fixed query counts.

The project starts Monday 2 March 2026 on the China calendar (no holiday in March)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clientpm.projects.models import (
    Phase,
    Project,
    ProjectMember,
    ScheduleRiskEvent,
    ScheduleSimulation,
    SimulationStatus,
)
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services import schedule_risk as services
from clientpm.projects.services.projects import project_update

D = dt.date
HX = {"HX-Request": "true"}


@pytest.fixture
def planned(project, pm):
    return project_update(
        actor=pm,
        project=project,
        version=project.version,
        planned_start_date=D(2026, 3, 2),
        planned_finish_date=D(2026, 3, 13),
    )


@pytest.fixture
def plan(pm, planned):
    """1 设计 (summary) › 1.1 调研 (2/4/12 days), 1.2 访谈 (1 day); 2 开发 (5 days, after 设计)."""
    design = plan_services.task_create(actor=pm, project=planned, name="设计")
    survey = plan_services.task_create(
        actor=pm,
        project=planned,
        name="调研",
        parent=design,
        optimistic_days=2,
        most_likely_days=4,
        pessimistic_days=12,
    )
    talks = plan_services.task_create(actor=pm, project=planned, name="访谈", parent=design, duration_days=1)
    build = plan_services.task_create(actor=pm, project=planned, name="开发", duration_days=5)
    plan_services.dependency_create(actor=pm, predecessor=design, successor=build)
    return {"design": design, "survey": survey, "talks": talks, "build": build}


@pytest.fixture
def member(team_member, planned):
    ProjectMember.objects.create(project=planned, user=team_member, project_role="Developer")
    return team_member


def tab(client, project, **params):
    query = "&".join(f"{k}={v}" for k, v in {"view": "risk", **params}.items())
    return client.get(f"/projects/{project.pk}/plan/?{query}", headers=HX)


def post_run(client, project, **data):
    data = {"iterations": 1000, "distribution": "triangular", "seed": "", "deadline": "", **data}
    return client.post(f"/projects/{project.pk}/plan/risk/run/", data, headers=HX)


def count(html: str, testid: str) -> int:
    return html.count(f'data-testid="{testid}"')


# --- the view -------------------------------------------------------------------------------------------


def test_the_tab_offers_the_view_and_an_empty_state(web, pm, planned, plan):
    html = tab(web(pm), planned).content.decode()
    assert 'data-testid="plan-view-risk"' in html
    assert "Schedule risk" in html
    assert count(html, "simulation-form") == 1
    assert count(html, "no-simulation") == 1
    # 调研 has the only estimate among the three leaves; no risk event yet
    assert "1 of 3 tasks have a three-point estimate; 0 risk events." in html


def test_a_run_shows_percentiles_charts_ranking_and_settings(web, pm, planned, plan):
    services.risk_event_create(actor=pm, task=plan["build"], name="设备晚到", probability=1, delay_days=2)
    response = post_run(web(pm), planned, seed=42)
    assert response.status_code == 200
    html = response.content.decode()
    simulation = ScheduleSimulation.objects.get()
    assert f'data-testid="finish-p50">{simulation.finish_p50_date:%Y-%m-%d}<' in html
    assert f'data-testid="finish-p95">{simulation.finish_p95_date:%Y-%m-%d}<' in html
    # the deadline is the planned finish, Friday 13 March = day 9: after 调研 come 5 + 2 days of 开发,
    # so 调研 must take at most 3 days: P = (3 − 2)² / ((12 − 2)(4 − 2)) = 0.05
    assert simulation.deadline_probability == pytest.approx(0.05, abs=0.025)
    shown = round(simulation.deadline_probability * 100)
    assert f'data-testid="deadline-probability">{shown} %<' in html
    # both charts are inline SVG drawn on the server, one bar per simulated finish date
    assert '<svg viewBox="0 0 640 220"' in html
    assert count(html, "histogram") == 1
    assert count(html, "cumulative") == 1
    assert count(html, "histogram-bar") == len(simulation.results["histogram"])
    assert count(html, "cumulative-curve") == 1
    assert count(html, "marker-p50") == 2  # on both charts
    assert count(html, "marker-deadline") == 2
    # the S-curve starts at the axis and ends at 100 % (y = the top of the plot, 12)
    points = re.search(r'<polyline points="([^"]+)"', html).group(1).split()
    assert points[0] == "48,186"
    assert points[-1].endswith(",12.0")
    # the ranking: leaves only (no summary), the always-critical ones first, by sensitivity
    ranked = re.findall(r'data-testid="ranked-task"><td class="wbs">([\d.]+)</td><td>([^<]+)</td>', html)
    assert ranked == [("1.1", "调研"), ("2", "开发"), ("1.2", "访谈")]
    assert 'data-testid="simulation-seed">42 ' in html
    assert count(html, "simulation-run") == 1
    assert count(html, "rerun-form") == 1


def test_the_reader_opens_a_previous_run(web, pm, planned, plan):
    first = services.simulation_run(actor=pm, project=planned, iterations=500, seed=1)
    services.simulation_run(actor=pm, project=planned, iterations=500, seed=2)
    client = web(pm)
    latest = tab(client, planned).content.decode()
    assert 'data-testid="simulation-seed">2 ' in latest
    assert count(latest, "open-run") == 1
    opened = client.get(f"/projects/{planned.pk}/plan/risk/?simulation={first.pk}", headers=HX)
    assert 'data-testid="simulation-seed">1 ' in opened.content.decode()
    # without HTMX the fragment's URL sends the reader to the project page
    assert client.get(f"/projects/{planned.pk}/plan/risk/").status_code == 302


def test_a_running_simulation_polls_until_done(web, pm, planned, plan, settings):
    settings.CLIENTPM_SIMULATION_INLINE_MAX = 10
    html = post_run(web(pm), planned).content.decode()
    simulation = ScheduleSimulation.objects.get()
    assert simulation.status == SimulationStatus.RUNNING
    assert count(html, "simulation-running") == 1
    assert f'?simulation={simulation.pk}" hx-trigger="every 3s"' in html
    ScheduleSimulation.objects.filter(pk=simulation.pk).update(status=SimulationStatus.FAILED, error="Boom.")
    again = tab(web(pm), planned).content.decode()
    assert "hx-trigger" not in again.split('data-testid="schedule-risk"')[1].split(">")[0]
    assert count(again, "simulation-failed") == 1


def test_refusals_come_back_next_to_the_fields(web, pm, planned, plan):
    client = web(pm)
    html = post_run(client, planned, iterations=10).content.decode()
    assert "Ensure this value is greater than or equal to 100." in html
    assert 'value="10"' in html  # what was typed is kept
    plan_services.task_update(actor=pm, task=plan["build"], version=None, optimistic_days=3)
    html = post_run(client, planned).content.decode()
    assert count(html, "simulation-errors") == 1
    assert "“2 开发” has an incomplete three-point estimate" in html
    Project.objects.filter(pk=planned.pk).update(phase=Phase.CLOSED)  # a stale page posts anyway
    html = post_run(client, planned).content.decode()
    assert count(html, "simulation-form") == 0
    assert f"Project {planned.code} is closed; reopen it before changing it." in html
    assert not ScheduleSimulation.objects.exists()


def test_who_may_run(web, pm, planned, plan, member, other_manager):
    services.simulation_run(actor=pm, project=planned, iterations=100, seed=1)
    html = tab(web(member), planned).content.decode()
    assert count(html, "simulation-result") == 1  # a team member reads the result
    assert count(html, "simulation-form") == 0
    assert count(html, "rerun-form") == 0
    assert post_run(web(member), planned).status_code == 403
    assert tab(web(other_manager), planned).status_code == 404
    assert post_run(web(other_manager), planned).status_code == 404
    assert ScheduleSimulation.objects.count() == 1


def test_the_view_costs_the_same_queries_for_a_big_plan_and_many_runs(
    web, pm, planned, plan, django_assert_max_num_queries
):
    services.simulation_run(actor=pm, project=planned, iterations=100, seed=1)
    client = web(pm)
    tab(client, planned)  # session and permission caches warm
    with django_assert_max_num_queries(12) as small:
        assert count(tab(client, planned).content.decode(), "ranked-task") == 3
    previous = plan["build"]
    for i in range(25):
        task = plan_services.task_create(
            actor=pm,
            project=planned,
            name=f"任务{i}",
            optimistic_days=1,
            most_likely_days=2,
            pessimistic_days=4,
        )
        plan_services.dependency_create(actor=pm, predecessor=previous, successor=task)
        previous = task
    for seed in range(2, 8):
        services.simulation_run(actor=pm, project=planned, iterations=100, seed=seed)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = tab(client, planned).content.decode()
    assert count(html, "ranked-task") == 20  # the top 20 of 28 leaves
    assert count(html, "simulation-run") == 7


def test_the_view_renders_for_a_chinese_browser(web, pm, planned, plan):
    services.simulation_run(actor=pm, project=planned, iterations=100, seed=1)
    client = web(pm)
    response = client.get(
        f"/projects/{planned.pk}/plan/?view=risk", headers={**HX, "Accept-Language": "zh-hans"}
    )
    assert response.status_code == 200
    assert count(response.content.decode(), "histogram") == 1


# --- risk events on the task page -----------------------------------------------------------------------


def test_the_task_page_lists_risk_events_and_links_their_pages(web, pm, planned, plan):
    services.risk_event_create(actor=pm, task=plan["build"], name="设备晚到", probability=0.25, delay_days=3)
    html = web(pm).get(f"/projects/{planned.pk}/plan/tasks/{plan['build'].pk}/edit/").content.decode()
    assert count(html, "risk-events") == 1
    assert count(html, "risk-event-row") == 1
    assert "设备晚到" in html
    assert "25 %" in html
    assert count(html, "add-risk-event") == 1
    summary = web(pm).get(f"/projects/{planned.pk}/plan/tasks/{plan['design'].pk}/edit/").content.decode()
    assert count(summary, "add-risk-event") == 0  # a summary takes its dates from its subtasks


def test_a_risk_event_is_added_changed_and_deleted_through_its_pages(web, pm, planned, plan):
    client = web(pm)
    add_url = f"/projects/{planned.pk}/plan/tasks/{plan['build'].pk}/risk-events/add/"
    assert client.get(add_url).status_code == 200
    refused = client.post(add_url, {"name": "设备晚到", "probability": "2", "delay_days": "3"})
    assert refused.status_code == 200
    assert "The probability must be between 0 and 1." in refused.content.decode()
    assert not ScheduleRiskEvent.objects.exists()
    saved = client.post(
        add_url, {"name": "设备晚到", "probability": "0.4", "delay_days": "3", "note": "海运"}
    )
    assert saved.status_code == 302
    assert saved.url.endswith(f"/plan/tasks/{plan['build'].pk}/edit/#risk-events")
    event = ScheduleRiskEvent.objects.get()
    assert (event.task_id, str(event.probability), event.delay_days, event.note) == (
        plan["build"].pk,
        "0.400",
        3,
        "海运",
    )
    edit_url = f"/projects/{planned.pk}/plan/risk-events/{event.pk}/edit/"
    changed = client.post(
        edit_url, {"name": "设备晚到", "probability": "0.5", "delay_days": "4", "version": "1"}
    )
    assert changed.status_code == 302
    stale = client.post(edit_url, {"name": "x", "probability": "0.5", "delay_days": "4", "version": "1"})
    assert "changed by someone else" in stale.content.decode()
    event.refresh_from_db()
    assert (event.name, event.delay_days, event.version) == ("设备晚到", 4, 2)
    delete_url = f"/projects/{planned.pk}/plan/risk-events/{event.pk}/delete/"
    assert count(client.get(delete_url).content.decode(), "confirm-delete") == 1
    assert client.post(delete_url).status_code == 302
    assert not ScheduleRiskEvent.objects.exists()


def test_risk_event_pages_check_scope_and_permission(web, pm, planned, plan, member, other_manager):
    event = services.risk_event_create(
        actor=pm, task=plan["build"], name="设备晚到", probability=0.2, delay_days=1
    )
    urls = [
        f"/projects/{planned.pk}/plan/tasks/{plan['build'].pk}/risk-events/add/",
        f"/projects/{planned.pk}/plan/risk-events/{event.pk}/edit/",
        f"/projects/{planned.pk}/plan/risk-events/{event.pk}/delete/",
    ]
    for url in urls:
        assert web(other_manager).get(url).status_code == 404
        assert web(member).get(url).status_code == 403
    html = web(member).get(f"/projects/{planned.pk}/plan/tasks/{plan['build'].pk}/edit/").content.decode()
    assert count(html, "risk-event-row") == 1  # read-only for a team member
    assert count(html, "add-risk-event") == 0
    assert "/delete/" not in html.split('id="risk-events"')[1]
