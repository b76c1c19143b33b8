"""The scope endpoints under /api/v1: scope items, milestones, deliverables and the acceptance flow —
every endpoint, bad input (422 naming the field), 403 for writes without the permission, 404
outside the caller's scope, 409 for stale versions and illegal steps, and query counts of lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.models import Deliverable, DeliverableReview, Milestone, ProjectMember, ScopeItem
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.scope import (
    deliverable_create,
    deliverable_transition,
    milestone_create,
    scope_item_create,
)

JSON = "application/json"
FORBIDDEN = {"detail": "You do not have permission to do this.", "errors": {}}
NOT_FOUND = {"detail": "Not found.", "errors": {}}


def post(client, url, data):
    return client.post(f"/api/v1{url}", data, content_type=JSON)


def patch(client, url, data):
    return client.patch(f"/api/v1{url}", data, content_type=JSON)


def get(client, url):
    return client.get(f"/api/v1{url}")


@pytest.fixture
def member(project, team_member):
    """The team member on the project's team: they see the project and may only change deliverables."""
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


@pytest.fixture
def deliverable(project, pm):
    return deliverable_create(actor=pm, project=project, name="需求规格说明书", due_date=dt.date(2026, 6, 30))


def run(client, deliverable_id, to_status, version, **extra):
    return post(
        client,
        f"/deliverables/{deliverable_id}/transition",
        {"to_status": to_status, "version": version, **extra},
    )


# --- scope items -------------------------------------------------------------------------------------


def test_scope_items_add_list_edit_reorder_delete(api, pm, project):
    client = api(pm)
    url = f"/projects/{project.pk}/scope-items"
    first = post(client, url, {"kind": "in", "text": "需求调研"})
    assert first.status_code == 201
    body = first.json()
    assert (body["kind"], body["text"], body["position"], body["project_id"]) == (
        "in",
        "需求调研",
        0,
        project.pk,
    )
    post(client, url, {"kind": "in", "text": "系统配置"})
    top = post(client, url, {"kind": "in", "text": "项目启动", "position": 0}).json()
    post(client, url, {"kind": "out", "text": "硬件采购"})
    listing = get(client, url).json()
    assert listing["count"] == 4
    assert [(i["kind"], i["text"], i["position"]) for i in listing["items"]] == [
        ("in", "项目启动", 0),
        ("in", "需求调研", 1),
        ("in", "系统配置", 2),
        ("out", "硬件采购", 0),
    ]
    assert [i["text"] for i in get(client, url + "?kind=out").json()["items"]] == ["硬件采购"]

    moved = patch(client, f"/scope-items/{top['id']}", {"position": 2, "text": "项目启动会"})
    assert (moved.status_code, moved.json()["position"], moved.json()["text"]) == (200, 2, "项目启动会")
    assert [i["text"] for i in get(client, url + "?kind=in").json()["items"]] == [
        "需求调研",
        "系统配置",
        "项目启动会",
    ]

    assert client.delete(f"/api/v1/scope-items/{body['id']}").status_code == 204
    assert [(i["text"], i["position"]) for i in get(client, url + "?kind=in").json()["items"]] == [
        ("系统配置", 0),
        ("项目启动会", 1),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "maybe", "text": "x"}, "kind"),
        ({"kind": "in", "text": ""}, "text"),
        ({"kind": "in", "text": "   "}, "text"),
        ({"kind": "in"}, "text"),
        ({"kind": "in", "text": "x", "position": -1}, "position"),
    ],
)
def test_scope_item_bad_input_is_422_naming_the_field(api, pm, project, data, field):
    response = post(api(pm), f"/projects/{project.pk}/scope-items", data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert ScopeItem.objects.count() == 0


def test_scope_item_patch_refuses_nulls(api, pm, project):
    item = scope_item_create(actor=pm, project=project, kind="in", text="需求调研")
    response = patch(api(pm), f"/scope-items/{item.pk}", {"text": None})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["text"]


# --- milestones --------------------------------------------------------------------------------------


def test_milestones_create_read_achieve_delete(api, pm, project):
    client = api(pm)
    created = post(
        client, f"/projects/{project.pk}/milestones", {"name": "蓝图确认", "due_date": "2025-01-10"}
    )
    assert created.status_code == 201
    m = created.json()
    assert (m["status"], m["achieved_date"], m["is_late"], m["version"]) == ("planned", None, True, 1)
    deliverable_create(
        actor=pm, project=project, name="蓝图文档", milestone=Milestone.objects.get(pk=m["id"])
    )
    fetched = get(client, f"/milestones/{m['id']}").json()
    assert [d["name"] for d in fetched["deliverables"]] == ["蓝图文档"]

    achieved = patch(client, f"/milestones/{m['id']}", {"version": 1, "status": "achieved"})
    assert achieved.status_code == 200
    today = timezone.localdate().isoformat()
    assert (achieved.json()["status"], achieved.json()["achieved_date"], achieved.json()["version"]) == (
        "achieved",
        today,
        2,
    )
    assert achieved.json()["is_late"] is True  # achieved after its date

    stale = patch(client, f"/milestones/{m['id']}", {"version": 1, "name": "改名"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert list(stale.json()["errors"]) == ["version"]

    assert client.delete(f"/api/v1/milestones/{m['id']}?version=2").status_code == 204
    assert Milestone.objects.count() == 0
    assert Deliverable.objects.get().milestone is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "上线"}, "due_date"),
        ({"name": "上线", "due_date": "tomorrow"}, "due_date"),
        ({"name": "", "due_date": "2026-01-01"}, "name"),
        ({"name": "上线", "due_date": "2026-01-01", "status": "done"}, "status"),
        (
            {"name": "上线", "due_date": "2026-01-01", "status": "achieved", "achieved_date": "2999-01-01"},
            "achieved_date",
        ),
        ({"name": "上线", "due_date": "2999-01-01", "status": "missed"}, "status"),
    ],
)
def test_milestone_bad_input_is_422_naming_the_field(api, pm, project, data, field):
    response = post(api(pm), f"/projects/{project.pk}/milestones", data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Milestone.objects.count() == 0


# --- deliverables ------------------------------------------------------------------------------------


def test_deliverables_create_read_update_delete(api, pm, project, admin_user):
    client = api(pm)
    m = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2030, 7, 1))
    created = post(
        client,
        f"/projects/{project.pk}/deliverables",
        {
            "name": "蓝图文档",
            "owner_id": pm.pk,
            "due_date": "2030-06-30",
            "milestone_id": m.pk,
            "acceptance_criteria": "客户签字",
        },
    )
    assert created.status_code == 201
    d = created.json()
    assert d["owner"] == {"id": pm.pk, "username": "pm", "display_name": "Pm"}
    assert d["milestone"] == {"id": m.pk, "name": "蓝图确认"}
    assert (d["status"], d["next_statuses"], d["version"], d["is_late"]) == (
        "planned",
        ["in_progress", "waived"],
        1,
        False,
    )
    assert get(client, f"/deliverables/{d['id']}").json()["acceptance_criteria"] == "客户签字"

    changed = patch(
        client,
        f"/deliverables/{d['id']}",
        {"version": 1, "owner_id": None, "milestone_id": None, "name": "蓝图"},
    )
    assert changed.status_code == 200
    assert (changed.json()["owner"], changed.json()["milestone"], changed.json()["name"]) == (
        None,
        None,
        "蓝图",
    )

    assert client.delete(f"/api/v1/deliverables/{d['id']}?version=1").status_code == 409  # stale
    assert client.delete(f"/api/v1/deliverables/{d['id']}?version=2").status_code == 204
    assert Deliverable.objects.count() == 0


def test_deliverable_bad_input_is_422_naming_the_field(api, pm, project, customer):
    elsewhere = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    foreign = milestone_create(actor=pm, project=elsewhere, name="上线", due_date=dt.date(2026, 9, 1))
    client = api(pm)
    url = f"/projects/{project.pk}/deliverables"
    cases = [
        ({"name": "x", "milestone_id": foreign.pk}, "milestone_id", "Choose a milestone of this project."),
        ({"name": "x", "owner_id": 99999}, "owner_id", "Unknown or inactive user."),
        ({"name": ""}, "name", None),
        ({"name": "x", "due_date": "2026-02-30"}, "due_date", None),
        ({}, "name", None),
    ]
    for data, field, message in cases:
        response = post(client, url, data)
        assert response.status_code == 422, data
        errors = response.json()["errors"]
        assert list(errors) == [field], data
        if message:
            assert errors[field] == [message]
    assert Deliverable.objects.count() == 0


def test_deliverable_patch_cannot_set_the_status_and_refuses_nulls(api, pm, deliverable):
    client = api(pm)
    response = patch(client, f"/deliverables/{deliverable.pk}", {"version": 1, "name": None})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["name"])
    response = patch(client, f"/deliverables/{deliverable.pk}", {"version": 1, "status": "accepted"})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["status"])
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.version) == ("planned", 1)
    stale = patch(client, f"/deliverables/{deliverable.pk}", {"version": 9, "name": "x"})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 1)


# --- the acceptance flow -----------------------------------------------------------------------------


def test_acceptance_flow_over_the_api(api, member, deliverable, contact):
    client = api(member)  # a team member runs the flow
    url = deliverable.pk
    assert run(client, url, "in_progress", 1).status_code == 200
    submitted = run(client, url, "submitted", 2, reviewer_contact_id=contact.pk)
    assert submitted.json()["submitted_at"] is not None
    rejected = run(client, url, "rejected", 3, reviewer_contact_id=contact.pk, comment="缺少接口清单")
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    assert rejected.json()["next_statuses"] == ["in_progress", "submitted", "waived"]
    assert run(client, url, "in_progress", 4).json()["submitted_at"] is None
    run(client, url, "submitted", 5, comment="已补充")
    accepted = run(client, url, "accepted", 6, reviewer_name="李总")
    body = accepted.json()
    assert (body["status"], body["version"], body["next_statuses"]) == ("accepted", 7, [])
    assert body["accepted_at"] is not None

    reviews = get(client, f"/deliverables/{url}/reviews").json()
    assert reviews["count"] == 4
    assert [(r["outcome"], r["reviewer_name"], r["comment"]) for r in reviews["items"]] == [
        ("accepted", "李总", ""),
        ("submitted", "", "已补充"),
        ("rejected", "王芳", "缺少接口清单"),
        ("submitted", "王芳", ""),
    ]
    assert reviews["items"][2]["reviewer_contact"] == {"id": contact.pk, "name": "王芳"}
    assert reviews["items"][0]["recorded_by"]["id"] == member.pk


def test_accepting_a_planned_deliverable_is_409_naming_both_statuses(api, pm, deliverable):
    response = run(api(pm), deliverable.pk, "accepted", 1, reviewer_name="李总")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "Deliverable “需求规格说明书” cannot go from planned to accepted."
    assert body["reasons"] == ["From planned it can go to: in progress, waived."]
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.version) == ("planned", 1)


def test_waiving_without_a_reason_is_422(api, pm, deliverable):
    response = run(api(pm), deliverable.pk, "waived", 1)
    assert response.status_code == 422
    assert response.json()["errors"] == {"waiver_reason": ["Give the reason the deliverable is waived."]}
    waived = run(api(pm), deliverable.pk, "waived", 1, waiver_reason="客户取消")
    assert (waived.json()["status"], waived.json()["waiver_reason"]) == ("waived", "客户取消")


def test_reviewer_contact_of_another_customer_is_422(api, pm, account_manager, deliverable):
    other = customer_create(actor=account_manager, name="别家公司", owner=account_manager)
    stranger = contact_create(actor=account_manager, customer=other, name="赵六")
    client = api(pm)
    run(client, deliverable.pk, "in_progress", 1)
    run(client, deliverable.pk, "submitted", 2)
    response = run(client, deliverable.pk, "accepted", 3, reviewer_contact_id=stranger.pk)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "reviewer_contact_id": ["Choose a contact of the project's customer."]
    }
    assert DeliverableReview.objects.filter(outcome="accepted").count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"to_status": "done", "version": 1}, "to_status"),
        ({"to_status": "in_progress"}, "version"),
        ({"to_status": "in_progress", "version": 0}, "version"),
        ({"to_status": "in_progress", "version": 1, "reviewer_name": "x" * 101}, "reviewer_name"),
        (
            {"to_status": "in_progress", "version": 1, "reviewed_at": "2999-01-01T00:00:00+08:00"},
            "reviewed_at",
        ),
    ],
)
def test_transition_bad_input_is_422_naming_the_field(api, pm, deliverable, data, field):
    response = post(api(pm), f"/deliverables/{deliverable.pk}/transition", data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_transition_with_a_stale_version_is_409(api, pm, deliverable):
    client = api(pm)
    run(client, deliverable.pk, "in_progress", 1)
    response = run(client, deliverable.pk, "submitted", 1)
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    deliverable.refresh_from_db()
    assert deliverable.status == "in_progress"


# --- permissions and scope ---------------------------------------------------------------------------


def test_team_member_may_run_the_flow_but_not_create_or_delete(api, member, project, deliverable):
    client = api(member)
    assert get(client, f"/projects/{project.pk}/deliverables").status_code == 200
    response = post(client, f"/projects/{project.pk}/deliverables", {"name": "新交付物"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert (
        post(
            client, f"/projects/{project.pk}/milestones", {"name": "x", "due_date": "2026-01-01"}
        ).status_code
        == 403
    )
    assert post(client, f"/projects/{project.pk}/scope-items", {"kind": "in", "text": "x"}).status_code == 403
    assert client.delete(f"/api/v1/deliverables/{deliverable.pk}").status_code == 403
    assert patch(client, f"/deliverables/{deliverable.pk}", {"version": 1, "name": "改名"}).status_code == 200
    assert Deliverable.objects.count() == 1


def test_executive_reads_but_cannot_write(api, executive, project, deliverable):
    client = api(executive)
    assert get(client, f"/deliverables/{deliverable.pk}").status_code == 200
    assert run(client, deliverable.pk, "in_progress", 1).status_code == 403


def test_everything_outside_the_callers_scope_is_404(api, pm, other_manager, project, deliverable):
    item = scope_item_create(actor=pm, project=project, kind="in", text="需求调研")
    m = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    client = api(other_manager)
    requests = [
        ("get", f"/projects/{project.pk}/scope-items", None),
        ("post", f"/projects/{project.pk}/scope-items", {"kind": "in", "text": "x"}),
        ("patch", f"/scope-items/{item.pk}", {"text": "x"}),
        ("delete", f"/scope-items/{item.pk}", None),
        ("get", f"/projects/{project.pk}/milestones", None),
        ("post", f"/projects/{project.pk}/milestones", {"name": "x", "due_date": "2026-01-01"}),
        ("get", f"/milestones/{m.pk}", None),
        ("patch", f"/milestones/{m.pk}", {"version": 1, "name": "x"}),
        ("delete", f"/milestones/{m.pk}", None),
        ("get", f"/projects/{project.pk}/deliverables", None),
        ("post", f"/projects/{project.pk}/deliverables", {"name": "x"}),
        ("get", f"/deliverables/{deliverable.pk}", None),
        ("patch", f"/deliverables/{deliverable.pk}", {"version": 1, "name": "x"}),
        ("delete", f"/deliverables/{deliverable.pk}", None),
        ("post", f"/deliverables/{deliverable.pk}/transition", {"to_status": "in_progress", "version": 1}),
        ("get", f"/deliverables/{deliverable.pk}/reviews", None),
    ]
    for method, url, data in requests:
        kwargs = {"data": data, "content_type": JSON} if data else {}
        response = getattr(client, method)(f"/api/v1{url}", **kwargs)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, url)
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.name, ScopeItem.objects.count(), Milestone.objects.count()) == (
        "planned",
        "需求规格说明书",
        1,
        1,
    )


# --- query counts ------------------------------------------------------------------------------------


def test_list_endpoints_query_counts_do_not_grow_with_rows(
    api, pm, project, contact, django_assert_max_num_queries
):
    milestones = [
        milestone_create(actor=pm, project=project, name=f"里程碑{i}", due_date=dt.date(2026, 7, i + 1))
        for i in range(5)
    ]
    for i in range(20):
        scope_item_create(actor=pm, project=project, kind="in" if i % 2 else "out", text=f"范围{i}")
        d = deliverable_create(
            actor=pm, project=project, name=f"交付物{i}", owner=pm, milestone=milestones[i % 5]
        )
    for status in ("in_progress", "submitted"):
        d.refresh_from_db()
        deliverable_transition(
            actor=pm, deliverable=d, to_status=status, version=d.version, reviewer_contact=contact
        )
    client = api(pm)
    get(client, f"/projects/{project.pk}/scope-items")  # the token's last use is stamped once
    # token, 2 x permissions, project, rows (+ prefetched deliverables for milestones), count
    expected = {
        f"/projects/{project.pk}/scope-items": (20, 6),
        f"/projects/{project.pk}/milestones": (5, 7),
        f"/projects/{project.pk}/deliverables": (20, 6),
        f"/deliverables/{d.pk}/reviews": (1, 6),
    }
    for url, (count, queries) in expected.items():
        with django_assert_max_num_queries(queries):
            body = get(client, url + "?page_size=50").json()
        assert body["count"] == count, url
    milestone_rows = get(client, f"/projects/{project.pk}/milestones").json()["items"]
    assert [len(m["deliverables"]) for m in milestone_rows] == [4, 4, 4, 4, 4]
