"""The leveling endpoints: POST /projects/{id}/leveling/preview and /leveling/apply — the preview's
JSON against hand-computed dates, status codes 200/403/404/409/422 with the error shape, and the
query count of the preview.

The project (Monday–Friday calendar from Monday 2 March 2026) has 1 调研 and 2 设计, 3 days each
from Mon 2 (Mon 2 – Wed 4), both needing Alice × 1 (capacity 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientpm.projects.models import ProjectMember, Task
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.models import Resource

D = dt.date
JSON = "application/json"


def post(client, url, data):
    return client.post(f"/api/v1{url}", data=data, content_type=JSON)


@pytest.fixture
def tasks(pm, project, alice, new_task):
    a, b = new_task(project, "调研", 3), new_task(project, "设计", 3)
    for task in (a, b):
        services.assignment_create(actor=pm, task=task, resource=alice, units=Decimal("1"))
    return a, b


@pytest.fixture
def member(project, team_member):
    """On the project's team: sees the project, may change tasks but not assignments."""
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


def test_preview_then_apply(api, pm, project, tasks, django_assert_max_num_queries):
    _a, b = tasks
    client = api(pm)
    post(client, f"/projects/{project.pk}/leveling/preview", {})  # the token's first use is recorded
    # token and permissions (3), project and calendar (2), tasks, dependencies, names, assignments (4)
    with django_assert_max_num_queries(9):
        response = post(client, f"/projects/{project.pk}/leveling/preview", {"mode": "fast"})
    assert response.status_code == 200
    body = response.json()
    # 2 waits for Alice: Thu 5, Fri 6, Mon 9; the plan ends on Mon 9 instead of Wed 4
    assert body["moves"] == [
        {
            "task_id": b.pk,
            "wbs_code": "2",
            "name": "设计",
            "start_date": "2026-03-02",
            "finish_date": "2026-03-04",
            "leveled_start_date": "2026-03-05",
            "leveled_finish_date": "2026-03-09",
            "delay_days": 3,
            "by_resource": True,
        }
    ]
    assert {
        k: body[k] for k in ("finish_date", "leveled_finish_date", "finish_delay_days", "method", "status")
    } == {
        "finish_date": "2026-03-04",
        "leveled_finish_date": "2026-03-09",
        "finish_delay_days": 3,
        "method": "heuristic",
        "status": "optimal",
    }
    assert (body["makespan_days"], body["lower_bound_days"], body["gap"], body["conflicts"]) == (
        6,
        6,
        0.0,
        [],
    )
    starts = [{"task_id": m["task_id"], "start_date": m["leveled_start_date"]} for m in body["moves"]]
    applied = post(
        client, f"/projects/{project.pk}/leveling/apply", {"starts": starts, "token": body["token"]}
    )
    assert applied.status_code == 200
    assert applied.json() == {
        "project_id": project.pk,
        "finish_date": "2026-03-09",
        "tasks_moved": 1,
        "constraints_set": 1,
    }
    b.refresh_from_db()
    assert (b.start_date, b.finish_date, b.constraint_type) == (D(2026, 3, 5), D(2026, 3, 9), "snet")
    load = client.get(f"/api/v1/projects/{project.pk}/resource-load").json()
    assert load["over_allocations"] == []
    # the same token again: the plan changed (it was just saved)
    again = post(client, f"/projects/{project.pk}/leveling/apply", {"starts": starts, "token": body["token"]})
    assert again.status_code == 409
    assert again.json()["detail"] == "The plan changed since the preview; preview again."


def test_optimal_mode_reports_the_bound_and_gap(api, pm, project, tasks):
    response = post(api(pm), f"/projects/{project.pk}/leveling/preview", {"mode": "optimal", "time_limit": 3})
    assert response.status_code == 200
    body = response.json()
    # 6 working days of Alice's work: the bound is met, proven optimal
    assert (body["method"], body["status"], body["gap"], body["lower_bound_days"]) == (
        "cp-sat",
        "optimal",
        0.0,
        6,
    )


def test_outside_the_scope_is_404_and_without_permission_403(api, project, tasks, member, other_manager):
    url = f"/projects/{project.pk}/leveling/preview"
    assert post(api(other_manager), url, {}).status_code == 404
    assert (
        post(
            api(other_manager), f"/projects/{project.pk}/leveling/apply", {"starts": [], "token": "x"}
        ).status_code
        == 404
    )
    response = post(api(member), url, {})
    assert response.status_code == 403
    apply = post(api(member), f"/projects/{project.pk}/leveling/apply", {"starts": [], "token": "x"})
    assert apply.status_code == 403
    assert Task.objects.filter(constraint_type="snet").count() == 0


def test_bad_input_is_422_with_the_fields(api, pm, project, tasks, team, new_task):
    _a, b = tasks
    client = api(pm)
    url = f"/projects/{project.pk}/leveling/preview"
    bad = post(client, url, {"mode": "magic", "time_limit": 99})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"mode", "time_limit"}
    assert post(client, url, {"surprise": 1}).status_code == 422
    token = post(client, url, {}).json()["token"]
    apply_url = f"/projects/{project.pk}/leveling/apply"
    twice = post(
        client,
        apply_url,
        {
            "starts": [
                {"task_id": b.pk, "start_date": "2026-03-05"},
                {"task_id": b.pk, "start_date": "2026-03-06"},
            ],
            "token": token,
        },
    )
    assert twice.status_code == 422
    assert twice.json()["errors"] == {"starts": [f"Task {b.pk} is listed twice with different dates."]}
    overlap = post(
        client, apply_url, {"starts": [{"task_id": b.pk, "start_date": "2026-03-04"}], "token": token}
    )
    assert overlap.status_code == 422
    # 2 from Wed 4 (Wed 4 – Fri 6) overlaps 1 on Wed 4
    assert overlap.json()["errors"] == {
        "starts": ["Alice would be asked for 2 units on 2026-03-04, more than its capacity of 1."]
    }
    # a demand above the capacity (capacity lowered behind the services' back: they refuse it)
    big = new_task(project, "迁移", 2)
    services.assignment_create(actor=pm, task=big, resource=team, units=Decimal("2"))
    Resource.objects.filter(pk=team.pk).update(capacity_units=Decimal("1.5"))
    infeasible = post(client, url, {})
    assert infeasible.status_code == 422
    assert infeasible.json()["errors"] == {
        "__all__": ["Task 3 迁移 needs 2 units of 开发团队 per day, more than its capacity of 1.5."]
    }


def test_a_closed_project_is_409(api, pm, project, tasks):
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    response = post(api(pm), f"/projects/{project.pk}/leveling/preview", {})
    assert response.status_code == 409
    assert response.json()["detail"] == f"Project {project.code} is cancelled; reopen it before changing it."


def test_a_plan_changed_after_the_preview_is_409(api, pm, project, tasks):
    a, _b = tasks
    client = api(pm)
    body = post(client, f"/projects/{project.pk}/leveling/preview", {}).json()
    plan_services.task_update(actor=pm, task=a, version=None, duration_days=4)
    starts = [{"task_id": m["task_id"], "start_date": m["leveled_start_date"]} for m in body["moves"]]
    response = post(
        client, f"/projects/{project.pk}/leveling/apply", {"starts": starts, "token": body["token"]}
    )
    assert response.status_code == 409
    assert Task.objects.filter(constraint_type="snet").count() == 0
