"""The project endpoints: CRUD, scoping, phase moves with 409 reasons, bad input and query counts."""

from __future__ import annotations

import json

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.projects.models import Project
from clientpm.projects.services.projects import project_create


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_create_gives_a_yearly_code_and_the_creator_manages(api, pm, customer, account_manager):
    client = api(account_manager)
    response = post(client, "/api/v1/projects", {"customer_id": customer.pk, "name": "ERP 实施"})
    assert response.status_code == 201, response.content
    body = response.json()
    year = Project.objects.get(pk=body["id"]).created_at.year
    assert body["code"] == f"P-{year}-0001"
    assert body["phase"] == "initiation"
    assert body["manager_id"] == account_manager.pk
    second = post(client, "/api/v1/projects", {"customer_id": customer.pk, "name": "二期"}).json()
    assert second["code"] == f"P-{year}-0002"


def test_bad_input_names_the_field(api, account_manager, customer):
    client = api(account_manager)
    response = post(
        client, "/api/v1/projects", {"customer_id": customer.pk, "name": "X", "priority": "urgent"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["priority"]
    response = post(
        client,
        "/api/v1/projects",
        {
            "customer_id": customer.pk,
            "name": "X",
            "planned_start_date": "2026-05-01",
            "planned_finish_date": "2026-04-01",
        },
    )
    assert response.status_code == 422
    assert "The planned finish must not be before the planned start." in json.dumps(
        response.json(), ensure_ascii=False
    )
    response = post(client, "/api/v1/projects", {"customer_id": 999999, "name": "X"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["customer_id"]


def test_not_green_needs_a_reason(api, pm, project):
    response = patch(api(pm), f"/api/v1/projects/{project.pk}", {"version": project.version, "health": "red"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["health_reason"]


def test_gate_refusal_is_a_409_with_every_reason(api, pm, project):
    response = post(
        api(pm), f"/api/v1/projects/{project.pk}/transition", {"to_phase": "planning", "version": 1}
    )
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        "No goal has been set.",
        "No feasibility assessment.",
        "No scope statement.",
        "No team member.",
    ]
    gate = api(pm).get(f"/api/v1/projects/{project.pk}/gate").json()
    assert [c["key"] for c in gate if c["met"]] == ["manager", "checklist"]


def test_unknown_phase_backwards_without_permission_and_stale_version(api, pm, admin_user, project):
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/transition"
    response = post(client, url, {"to_phase": "finished", "version": 1})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["to_phase"])
    moved = post(api(admin_user), url, {"to_phase": "planning", "version": 1, "override_reason": "pilot"})
    assert moved.status_code == 200
    assert moved.json()["version"] == 2
    response = post(client, url, {"to_phase": "initiation", "version": 2, "reason": "rethink"})
    assert response.status_code == 403
    response = post(client, url, {"to_phase": "on_hold", "version": 1, "reason": "freeze"})
    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_projects_outside_scope_are_404_and_unlisted(api, project, db):
    outsider = user_create(
        actor=None, username="am3", roles=[roles.ACCOUNT_MANAGER], password="pw-Secret-123"
    )
    client = api(outsider)
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert client.get("/api/v1/projects").json()["count"] == 0
    assert patch(client, f"/api/v1/projects/{project.pk}", {"version": 1, "name": "x"}).status_code == 404


def test_team_member_reads_but_cannot_write(api, team_member, project, pm):
    from clientpm.projects.models import ProjectMember

    ProjectMember.objects.create(project=project, user=team_member, project_role="Developer")
    client = api(team_member)
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 200
    assert patch(client, f"/api/v1/projects/{project.pk}", {"version": 1, "name": "x"}).status_code == 403


def test_list_filters_and_query_count(api, executive, customer, pm, django_assert_max_num_queries):
    for n in range(12):
        project_create(
            actor=pm, customer=customer, name=f"Rollout {n}", manager=pm, priority="high" if n % 3 else "low"
        )
    client = api(executive)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/projects?priority=low&page_size=5").json()
    assert body["count"] == 4  # n = 0, 3, 6, 9
    assert all(p["priority"] == "low" for p in body["items"])
    assert client.get("/api/v1/projects?phase=closed").json()["count"] == 0
    assert client.get("/api/v1/projects?q=Rollout 1").json()["count"] == 3  # 1, 10, 11


def test_checklist_and_template_endpoints(api, pm, account_manager, project):
    client = api(pm)
    item = post(
        client, f"/api/v1/projects/{project.pk}/checklist", {"phase": "initiation", "text": "Charter signed"}
    )
    assert item.status_code == 201
    done = patch(client, f"/api/v1/checklist/{item.json()['id']}", {"is_done": True}).json()
    assert done["is_done"] is True
    assert done["done_by_id"] == pm.pk
    bad = post(client, f"/api/v1/projects/{project.pk}/checklist", {"phase": "closed", "text": "x"})
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["phase"])
    template = post(client, f"/api/v1/projects/{project.pk}/save-as-template", {"name": "Standard rollout"})
    assert template.status_code == 201
    assert template.json()["content"]["checklist"] == [{"phase": "initiation", "text": "Charter signed"}]
    made = post(  # the account manager opens it: the customer is theirs
        api(account_manager),
        "/api/v1/projects",
        {"customer_id": project.customer_id, "name": "From template", "template_id": template.json()["id"]},
    )
    assert made.status_code == 201, made.content


@pytest.mark.parametrize("phase", ["execution", "closing"])
def test_delete_only_in_initiation(api, admin_user, project, phase):
    client = api(admin_user)
    for step in ["planning", "execution", "closing"][: ["planning", "execution", "closing"].index(phase) + 1]:
        project.refresh_from_db()
        post(
            client,
            f"/api/v1/projects/{project.pk}/transition",
            {"to_phase": step, "version": project.version, "override_reason": "set-up"},
        )
    response = client.delete(f"/api/v1/projects/{project.pk}")
    assert response.status_code == 409
    assert Project.objects.filter(pk=project.pk).exists()
