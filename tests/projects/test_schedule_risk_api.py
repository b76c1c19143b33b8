"""The schedule-risk endpoints under /api/v1: simulations are run (201 with the result, 202 while
the background job runs a big one), listed and read; risk events on tasks are created, read,
changed and deleted. Outside the caller's project scope everything is a 404; inside it, writes
need the permission (403): project managers run simulations and edit risk events, team members
and executives read them.

The project starts Monday 2 March 2026 (China calendar, no holiday in March)."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.projects.models import ScheduleRiskEvent, ScheduleSimulation
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services import schedule_risk as services
from clientpm.projects.services.projects import project_update
from clientpm.projects.services.team import member_add

D = dt.date
JSON = "application/json"
FORBIDDEN = {"detail": "You do not have permission to do this.", "errors": {}}
NOT_FOUND = {"detail": "Not found.", "errors": {}}


def call(client, method, url, data=None):
    kwargs = {"data": data, "content_type": JSON} if data is not None else {}
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


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
    """1 设计 (2/4/12 days) → 2 开发 (5 days) → 3 验收 (milestone)."""
    design = plan_services.task_create(
        actor=pm, project=planned, name="设计", optimistic_days=2, most_likely_days=4, pessimistic_days=12
    )
    build = plan_services.task_create(actor=pm, project=planned, name="开发", duration_days=5)
    accept = plan_services.task_create(actor=pm, project=planned, name="验收", duration_days=0)
    plan_services.dependency_create(actor=pm, predecessor=design, successor=build)
    plan_services.dependency_create(actor=pm, predecessor=build, successor=accept)
    return {"design": design, "build": build, "accept": accept}


@pytest.fixture
def member(planned, pm, team_member):
    member_add(actor=pm, project=planned, user=team_member, project_role="Consultant")
    return team_member


# --- simulations ---------------------------------------------------------------------------------------


def test_a_run_returns_201_with_the_result_and_the_ranked_tasks(api, pm, planned, plan):
    response = call(api(pm), "post", f"/projects/{planned.pk}/simulations", {"iterations": 2000, "seed": 1})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "done"
    # the deadline defaults to the planned finish; the status date is the project's (none)
    assert body["settings"] == {
        "iterations": 2000,
        "distribution": "triangular",
        "seed": 1,
        "deadline": "2026-03-13",
        "status_date": None,
    }
    assert body["created_by"]["username"] == "pm"
    assert body["finish_p50_date"] == body["results"]["finish"]["p50"]
    # 设计 takes 2–12 days, then 5 days of 开发: the earliest finish is day 2 + 5 − 1 = 6 (Tue 10 March)
    assert body["results"]["finish"]["earliest"] >= "2026-03-10"
    assert 0 < body["deadline_probability"] < 1
    # every iteration runs through all three tasks: each is always critical; only 设计 varies
    assert [(t["wbs_code"], t["name"], t["criticality"]) for t in body["tasks"]] == [
        ("1", "设计", 1.0),
        ("2", "开发", 1.0),
        ("3", "验收", 1.0),
    ]
    assert body["tasks"][0]["sensitivity"] > 0.99
    assert body["tasks"][1]["sensitivity"] == 0.0


def test_a_big_run_is_accepted_with_202_and_read_later(api, pm, planned, plan, settings):
    settings.CLIENTPM_SIMULATION_INLINE_MAX = 100
    response = call(api(pm), "post", f"/projects/{planned.pk}/simulations", {"iterations": 1000})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["results"], body["finish_p50_date"], body["tasks"]) == (
        "running",
        None,
        None,
        [],
    )
    assert isinstance(body["settings"]["seed"], int)  # chosen now, so the job's run is reproducible
    again = call(api(pm), "get", f"/simulations/{body['id']}")
    assert again.status_code == 200
    assert again.json()["status"] == "running"


def test_bad_input_is_422_naming_the_task_and_nothing_is_stored(api, pm, planned, plan):
    plan_services.task_update(actor=pm, task=plan["build"], version=None, pessimistic_days=8)
    response = call(api(pm), "post", f"/projects/{planned.pk}/simulations", {"iterations": 1000})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "optimistic_days": [
            "“2 开发” has an incomplete three-point estimate: give its optimistic, most likely and "
            "pessimistic durations, or none of them."
        ]
    }
    too_few = call(api(pm), "post", f"/projects/{planned.pk}/simulations", {"iterations": 10})
    assert too_few.status_code == 422
    assert list(too_few.json()["errors"]) == ["iterations"]
    unknown = call(api(pm), "post", f"/projects/{planned.pk}/simulations", {"distribution": "normal"})
    assert unknown.status_code == 422
    assert not ScheduleSimulation.objects.exists()


def test_the_list_is_newest_first_without_results_in_fixed_queries(
    api, pm, planned, plan, django_assert_max_num_queries
):
    client = api(pm)
    call(client, "get", f"/projects/{planned.pk}/simulations")  # the token's first use is recorded
    counts = []
    for runs in (1, 6):
        while ScheduleSimulation.objects.filter(project=planned).count() < runs:
            services.simulation_run(actor=pm, project=planned, iterations=100, seed=runs)
        # token (+ user), 2 × permissions, the project, the page (+ who ran each), the count
        with django_assert_max_num_queries(6) as listing:
            body = call(client, "get", f"/projects/{planned.pk}/simulations").json()
        assert body["count"] == runs
        assert "results" not in body["items"][0]
        ids = [item["id"] for item in body["items"]]
        assert ids == sorted(ids, reverse=True)
        counts.append(len(listing))
    assert counts[0] == counts[1]


def test_scope_and_permissions(api, pm, planned, plan, member, executive, other_manager):
    simulation = services.simulation_run(actor=pm, project=planned, iterations=100, seed=1)
    run_url = f"/projects/{planned.pk}/simulations"
    # another customer's manager cannot see the project: 404 everywhere, never 403
    outsider = api(other_manager)
    assert call(outsider, "post", run_url, {"iterations": 100}).json() == NOT_FOUND
    assert call(outsider, "get", run_url).status_code == 404
    assert call(outsider, "get", f"/simulations/{simulation.pk}").status_code == 404
    assert call(outsider, "get", "/simulations/999999").json() == NOT_FOUND
    # a team member and an executive read, but may not run
    for reader in (member, executive):
        client = api(reader)
        assert call(client, "get", run_url).json()["count"] == 1
        assert call(client, "get", f"/simulations/{simulation.pk}").status_code == 200
        refused = call(client, "post", run_url, {"iterations": 100})
        assert (refused.status_code, refused.json()) == (403, FORBIDDEN)
    assert ScheduleSimulation.objects.count() == 1


# --- risk events -----------------------------------------------------------------------------------------


def test_risk_event_lifecycle(api, pm, planned, plan):
    client = api(pm)
    url = f"/tasks/{plan['build'].pk}/risk-events"
    created = call(client, "post", url, {"name": "接口延期", "probability": "0.25", "delay_days": 3})
    assert created.status_code == 201
    event = created.json()
    assert (event["task_id"], event["probability"], event["delay_days"], event["version"]) == (
        plan["build"].pk,
        0.25,
        3,
        1,
    )
    assert [row["name"] for row in call(client, "get", url).json()] == ["接口延期"]
    patched = call(client, "patch", f"/risk-events/{event['id']}", {"version": 1, "probability": 0.5})
    assert (patched.status_code, patched.json()["probability"], patched.json()["version"]) == (200, 0.5, 2)
    stale = call(client, "patch", f"/risk-events/{event['id']}", {"version": 1, "delay_days": 9})
    assert stale.status_code == 409
    assert call(client, "delete", f"/risk-events/{event['id']}?version=2").status_code == 204
    assert not ScheduleRiskEvent.objects.exists()


def test_risk_event_bad_input_is_422(api, pm, planned, plan):
    client = api(pm)
    url = f"/tasks/{plan['build'].pk}/risk-events"
    too_likely = call(client, "post", url, {"name": "x", "probability": 1.5, "delay_days": 3})
    assert (too_likely.status_code, list(too_likely.json()["errors"])) == (422, ["probability"])
    no_delay = call(client, "post", url, {"name": "x", "probability": 0.5, "delay_days": 0})
    assert (no_delay.status_code, list(no_delay.json()["errors"])) == (422, ["delay_days"])
    blank = call(client, "post", url, {"name": "   ", "probability": 0.5, "delay_days": 1})
    assert blank.json()["errors"] == {"name": ["Give the risk event a name."]}
    sub = plan_services.task_create(actor=pm, project=planned, name="子任务", parent=plan["design"])
    summary = call(
        client,
        "post",
        f"/tasks/{sub.parent_id}/risk-events",
        {"name": "x", "probability": 0.5, "delay_days": 1},
    )
    assert summary.status_code == 422
    assert summary.json()["errors"] == {
        "task": [
            "“1 设计” is a summary task: its dates come from the tasks under it. Put the risk event on "
            "the task it would delay."
        ]
    }
    assert not ScheduleRiskEvent.objects.exists()


def test_risk_event_scope_and_permissions(api, pm, planned, plan, member, other_manager):
    event = services.risk_event_create(
        actor=pm, task=plan["build"], name="接口延期", probability=0.2, delay_days=2
    )
    url = f"/tasks/{plan['build'].pk}/risk-events"
    outsider = api(other_manager)
    assert call(outsider, "get", url).json() == NOT_FOUND
    assert call(outsider, "post", url, {"name": "x", "probability": 0.5, "delay_days": 1}).status_code == 404
    assert call(outsider, "get", f"/risk-events/{event.pk}").status_code == 404
    assert call(outsider, "delete", f"/risk-events/{event.pk}").status_code == 404
    client = api(member)  # reads; may change tasks but not their risk events
    assert call(client, "get", f"/risk-events/{event.pk}").json()["name"] == "接口延期"
    assert call(client, "post", url, {"name": "x", "probability": 0.5, "delay_days": 1}).json() == FORBIDDEN
    assert call(client, "patch", f"/risk-events/{event.pk}", {"version": 1, "name": "y"}).status_code == 403
    assert call(client, "delete", f"/risk-events/{event.pk}").status_code == 403
    assert ScheduleRiskEvent.objects.get().name == "接口延期"
