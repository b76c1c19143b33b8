"""The resources endpoints under /api/v1: /resources CRUD, a project's /assignments, /assignments/{id}
and /resource-load — status codes 200/201/204/403/404/409/422, the error shape, query counts on the
lists, and the change records of API writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientpm.core.models import ChangeRecord
from clientpm.projects.models import ProjectMember
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.models import Assignment, Resource

D = dt.date
JSON = "application/json"
INVALID = "The request has invalid fields."


def call(client, method, url, data=None):
    kwargs = {"data": data, "content_type": JSON} if data is not None else {}
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


@pytest.fixture
def member(project, team_member):
    """A team member on the project: sees it and its assignments, may not change them."""
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


@pytest.fixture
def tasks(project, new_task):
    return {"a": new_task(project, "调研", 3), "b": new_task(project, "设计", 2)}


# --- resources -----------------------------------------------------------------------------------------


def test_list_is_paginated_filtered_and_counts_assignments_in_sql(
    api, pm, alice, team, project, tasks, django_assert_max_num_queries
):
    for task in tasks.values():
        services.assignment_create(actor=pm, task=task, resource=alice)
    for i in range(10):
        services.resource_create(actor=pm, name=f"Extra {i:02d}", kind="equipment")
    client = api(pm)
    with django_assert_max_num_queries(8):  # token, user, permissions, the page, the count
        body = call(client, "get", "/resources?page_size=5").json()
    assert (body["count"], len(body["items"]), body["items"][0]["name"]) == (12, 5, "Alice")
    first = body["items"][0]
    assert (first["assignment_count"], first["project_count"], first["capacity_units"]) == (2, 1, 1.0)
    teams = call(client, "get", "/resources?kind=team").json()
    assert [r["name"] for r in teams["items"]] == ["开发团队"]
    found = call(client, "get", "/resources?q=alI&sort=-assignments").json()
    assert [r["name"] for r in found["items"]] == ["Alice"]
    services.resource_update(actor=pm, resource=team, version=1, is_active=False)
    inactive = call(client, "get", "/resources?active=false").json()
    assert [r["name"] for r in inactive["items"]] == ["开发团队"]
    assert call(client, "get", "/resources?kind=robot").status_code == 422


def test_create_returns_201_and_records_an_api_change(api, pm, team_member):
    response = call(
        api(pm),
        "post",
        "/resources",
        {"name": "Member", "kind": "person", "user_id": team_member.pk, "capacity_units": "0.8"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["user"]["id"], body["capacity_units"], body["version"]) == (
        "Member",
        team_member.pk,
        0.8,
        1,
    )
    record = ChangeRecord.objects.get(content_type__model="resource", object_id=body["id"])
    assert (record.action, record.source, record.actor) == ("create", "api", pm)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"name": "Bob", "capacity_units": "0"},
            "capacity_units",
            "The capacity must be more than 0 units per working day.",
        ),
        ({"name": "alice"}, "name", "A resource called “alice” exists already."),
        ({"name": "Bob", "user_id": 999999}, "user_id", "Unknown or inactive user."),
        ({"name": "Bob", "colour": "red"}, "colour", None),
    ],
)
def test_create_refuses_bad_input_with_422_on_the_field(api, pm, alice, payload, field, message):
    response = call(api(pm), "post", "/resources", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == INVALID
    assert field in body["errors"]
    if message:
        assert body["errors"][field] == [message]
    assert Resource.objects.count() == 1


def test_only_administrators_and_project_managers_write_resources(api, team_member, executive, alice):
    for user in (team_member, executive):
        client = api(user)
        assert call(client, "get", f"/resources/{alice.pk}").status_code == 200
        assert call(client, "post", "/resources", {"name": "X"}).status_code == 403
        assert call(client, "patch", f"/resources/{alice.pk}", {"version": 1, "name": "Y"}).status_code == 403
        assert call(client, "delete", f"/resources/{alice.pk}").status_code == 403
    assert Resource.objects.get().name == "Alice"


def test_patch_with_a_stale_version_is_409_and_unknown_ids_404(api, pm, alice):
    client = api(pm)
    ok = call(
        client, "patch", f"/resources/{alice.pk}", {"version": 1, "capacity_units": "0.5", "user_id": None}
    )
    assert (ok.status_code, ok.json()["version"], ok.json()["capacity_units"]) == (200, 2, 0.5)
    stale = call(client, "patch", f"/resources/{alice.pk}", {"version": 1, "name": "Alicia"})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    assert call(client, "patch", f"/resources/{alice.pk}", {"version": 2, "name": None}).status_code == 422
    assert call(client, "get", "/resources/999999").status_code == 404
    assert call(client, "delete", "/resources/999999").status_code == 404


def test_delete_is_204_or_409_naming_the_tasks(api, pm, alice, team, project, tasks):
    services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    client = api(pm)
    refused = call(client, "delete", f"/resources/{alice.pk}")
    assert refused.status_code == 409
    assert refused.json()["reasons"] == [f"{project.code} 1 调研"]
    assert call(client, "delete", f"/resources/{team.pk}?version=1").status_code == 204
    assert list(Resource.objects.values_list("name", flat=True)) == ["Alice"]


# --- assignments -------------------------------------------------------------------------------------


def test_assignment_crud_201_200_204(api, pm, alice, team, project, tasks):
    client = api(pm)
    created = call(
        client,
        "post",
        f"/projects/{project.pk}/assignments",
        {"task_id": tasks["a"].pk, "resource_id": alice.pk, "units": "0.5"},
    )
    assert created.status_code == 201
    body = created.json()
    assert (
        body["task"]["wbs_code"],
        body["task"]["start_date"],
        body["resource"]["name"],
        body["units"],
    ) == (
        "1",
        "2026-03-02",
        "Alice",
        0.5,
    )
    url = f"/assignments/{body['id']}"
    changed = call(client, "patch", url, {"resource_id": team.pk, "units": "2"})
    assert (changed.status_code, changed.json()["resource"]["name"], changed.json()["units"]) == (
        200,
        "开发团队",
        2.0,
    )
    assert call(client, "get", url).json()["resource"]["id"] == team.pk
    assert call(client, "delete", url).status_code == 204
    assert call(client, "get", url).status_code == 404
    sources = set(
        ChangeRecord.objects.filter(content_type__model="assignment").values_list("action", "source")
    )
    assert sources == {("create", "api"), ("update", "api"), ("delete", "api")}


def test_assignment_list_in_wbs_order_in_fixed_queries(
    api, pm, alice, team, project, new_task, django_assert_max_num_queries
):
    """Tasks 1…11: WBS order puts 10 and 11 after 9 (not after 1, as text would)."""
    tasks = [new_task(project, f"T{i}", 1) for i in range(1, 12)]
    for task in tasks:
        services.assignment_create(actor=pm, task=task, resource=alice)
    services.assignment_create(actor=pm, task=tasks[0], resource=team)
    client = api(pm)
    with django_assert_max_num_queries(8):
        body = call(client, "get", f"/projects/{project.pk}/assignments?page_size=200").json()
    assert body["count"] == 12
    assert [(a["task"]["wbs_code"], a["resource"]["name"]) for a in body["items"]][:3] == [
        ("1", "Alice"),
        ("1", "开发团队"),
        ("2", "Alice"),
    ]
    assert [a["task"]["wbs_code"] for a in body["items"]][-3:] == ["9", "10", "11"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"units": "0"}, "units", "The units must be more than 0 (1 = one unit for the whole task)."),
        (
            {"units": "1.5"},
            "units",
            "“Alice” has a capacity of 1 per working day; a task cannot need more (1.5).",
        ),
        ({"resource_id": 999999}, "resource_id", "Unknown resource."),
        ({"task_id": 999999}, "task_id", "Choose a task of this project."),
        ({"units": "0.001"}, "units", None),
    ],
)
def test_assignment_create_refuses_bad_input_with_422(
    api, pm, alice, project, tasks, payload, field, message
):
    data = {"task_id": tasks["a"].pk, "resource_id": alice.pk, **payload}
    response = call(api(pm), "post", f"/projects/{project.pk}/assignments", data)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    if message:
        assert response.json()["errors"][field] == [message]
    assert not Assignment.objects.exists()


def test_a_summary_task_or_a_task_of_another_project_is_422_on_task_id(
    api, pm, alice, project, tasks, new_project, new_task
):
    new_task(project, "调研细节", 1, parent=tasks["a"])  # 1 调研 becomes a summary task
    client = api(pm)
    summary = call(
        client,
        "post",
        f"/projects/{project.pk}/assignments",
        {"task_id": tasks["a"].pk, "resource_id": alice.pk},
    )
    assert summary.status_code == 422
    assert summary.json()["errors"]["task_id"] == [
        "“1 调研” is a summary task: assign resources to its subtasks."
    ]
    elsewhere = new_task(new_project("别的项目"), "其他", 1)
    other = call(
        client,
        "post",
        f"/projects/{project.pk}/assignments",
        {"task_id": elsewhere.pk, "resource_id": alice.pk},
    )
    assert (other.status_code, other.json()["errors"]["task_id"]) == (422, ["Choose a task of this project."])


def test_out_of_scope_is_404_and_team_member_writes_are_403(
    api, pm, alice, project, tasks, member, other_manager
):
    assignment = services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    outsider = api(other_manager)
    for method, url, data in (
        ("get", f"/projects/{project.pk}/assignments", None),
        ("post", f"/projects/{project.pk}/assignments", {"task_id": tasks["b"].pk, "resource_id": alice.pk}),
        ("get", f"/projects/{project.pk}/resource-load", None),
        ("get", f"/assignments/{assignment.pk}", None),
        ("patch", f"/assignments/{assignment.pk}", {"units": "0.5"}),
        ("delete", f"/assignments/{assignment.pk}", None),
    ):
        assert call(outsider, method, url, data).status_code == 404, (method, url)
    client = api(member)
    assert call(client, "get", f"/projects/{project.pk}/assignments").status_code == 200
    assert call(client, "get", f"/assignments/{assignment.pk}").status_code == 200
    post = call(
        client,
        "post",
        f"/projects/{project.pk}/assignments",
        {"task_id": tasks["b"].pk, "resource_id": alice.pk},
    )
    assert post.status_code == 403
    assert call(client, "patch", f"/assignments/{assignment.pk}", {"units": "0.5"}).status_code == 403
    assert call(client, "delete", f"/assignments/{assignment.pk}").status_code == 403
    assert list(Assignment.objects.values_list("units", flat=True)) == [Decimal("1.00")]


def test_a_cancelled_project_answers_409_with_the_reason(api, pm, alice, project, tasks):
    assignment = services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    client = api(pm)
    response = call(client, "patch", f"/assignments/{assignment.pk}", {"units": "0.5"})
    assert response.status_code == 409
    assert response.json()["detail"] == f"Project {project.code} is cancelled; reopen it before changing it."
    assert call(client, "delete", f"/assignments/{assignment.pk}").status_code == 409
    assert Assignment.objects.get().units == Decimal("1.00")


# --- load --------------------------------------------------------------------------------------------


def test_resource_load_endpoint(api, pm, alice, project, tasks, member, django_assert_max_num_queries):
    """1 调研 (Mon 2–Wed 4) needs Alice × 1, 2 设计 (Mon 2–Tue 3) × 0.5: Mon 1.5, Tue 1.5, Wed 1."""
    services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    services.assignment_create(actor=pm, task=tasks["b"], resource=alice, units="0.5")
    client = api(member)
    # token (2), permissions (2), project, calendar, span, assignments, other projects' assignments
    with django_assert_max_num_queries(10):
        response = call(client, "get", f"/projects/{project.pk}/resource-load")
    assert response.status_code == 200
    body = response.json()
    assert body["days"] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    (alice_load,) = body["resources"]
    assert (alice_load["name"], alice_load["demand"], alice_load["over"], alice_load["peak"]) == (
        "Alice",
        [1.5, 1.5, 1.0],
        [True, True, False],
        1.5,
    )
    assert body["over_allocations"] == [
        {
            "resource_id": alice.pk,
            "resource_name": "Alice",
            "first_date": "2026-03-02",
            "last_date": "2026-03-03",
            "working_days": 2,
            "peak": 1.5,
            "capacity": 1.0,
        }
    ]
