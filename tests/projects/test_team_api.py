"""The team endpoints under /api/v1: members, the RACI matrix and stakeholders — bad input (422 naming
the field), 403 for a team member writing, 404 outside the scope, 409 for a stale version, and
query counts on the lists."""

from __future__ import annotations

import json

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.models import ProjectMember, RaciAssignment, Stakeholder
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.scope import deliverable_create
from clientpm.projects.services.team import member_add, raci_set, stakeholder_create


def person(username, role=roles.TEAM_MEMBER, **extra):
    return user_create(
        actor=None,
        username=username,
        password="pw-Secret-123",
        roles=[role],
        display_name=username.title(),
        **extra,
    )


def send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def pm(db):
    return person("pm", roles.PROJECT_MANAGER)


@pytest.fixture
def customer(account_manager):
    return customer_create(actor=account_manager, name="华东医药集团", owner=account_manager)


@pytest.fixture
def project(pm, customer):
    return project_create(actor=pm, customer=customer, name="华东区域实施项目", manager=pm)


@pytest.fixture
def wang(customer, account_manager):
    return contact_create(actor=account_manager, customer=customer, name="王芳")


@pytest.fixture
def alice(db):
    return person("alice")


@pytest.fixture
def insider(pm, project, team_member):
    """A team member on the project: may read it, may not change its team."""
    member_add(actor=pm, project=project, user=team_member, project_role="Consultant")
    return team_member


# --- members ----------------------------------------------------------------------------------------


def test_members_are_added_listed_staffed_and_removed(api, pm, project, alice):
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/members"
    created = send(
        client, "post", url, {"user_id": alice.pk, "project_role": "Developer", "allocation_percent": 60}
    )
    assert created.status_code == 201, created.content
    assert created.json()["user"]["id"] == alice.pk
    assert created.json()["is_open_role"] is False
    open_role = send(client, "post", url, {"project_role": "Trainer"}).json()
    assert (open_role["user"], open_role["is_open_role"], open_role["allocation_percent"]) == (
        None,
        True,
        100,
    )
    listing = client.get(url).json()
    assert listing["count"] == 2
    assert [m["project_role"] for m in listing["items"]] == ["Developer", "Trainer"]
    bob = person("bob")
    staffed = send(client, "patch", f"/api/v1/members/{open_role['id']}", {"user_id": bob.pk})
    assert staffed.status_code == 200
    assert (staffed.json()["user"]["id"], staffed.json()["is_open_role"]) == (bob.pk, False)
    assert client.delete(f"/api/v1/members/{created.json()['id']}").status_code == 204
    assert list(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True)) == [bob.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project_role": "Developer", "allocation_percent": 150}, "allocation_percent"),
        ({"allocation_percent": 50}, "project_role"),
        ({"project_role": "Developer", "user_id": 999999}, "user_id"),
    ],
)
def test_bad_member_input_names_the_field(api, pm, project, body, field):
    response = send(api(pm), "post", f"/api/v1/projects/{project.pk}/members", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert ProjectMember.objects.count() == 0


def test_a_person_twice_or_a_deactivated_user_is_422_on_user_id(api, pm, project, alice):
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/members"
    send(client, "post", url, {"user_id": alice.pk, "project_role": "Developer"})
    twice = send(client, "post", url, {"user_id": alice.pk, "project_role": "Tester"})
    assert twice.status_code == 422
    assert twice.json()["errors"] == {"user_id": ["Alice is already on the project team."]}
    gone = person("gone", is_active=False)
    inactive = send(client, "post", url, {"user_id": gone.pk, "project_role": "Tester"})
    assert inactive.json()["errors"] == {"user_id": ["Gone is deactivated."]}
    null_role = send(
        client, "patch", f"/api/v1/members/{ProjectMember.objects.get().pk}", {"project_role": None}
    )
    assert null_role.status_code == 422
    assert list(null_role.json()["errors"]) == ["project_role"]


def test_a_team_member_may_read_but_not_change_the_team(api, pm, project, insider, alice):
    client = api(insider)
    member = ProjectMember.objects.get(user=insider)
    assert client.get(f"/api/v1/projects/{project.pk}/members").status_code == 200
    url = f"/api/v1/projects/{project.pk}/members"
    assert send(client, "post", url, {"user_id": alice.pk, "project_role": "Developer"}).status_code == 403
    assert (
        send(client, "patch", f"/api/v1/members/{member.pk}", {"allocation_percent": 10}).status_code == 403
    )
    assert client.delete(f"/api/v1/members/{member.pk}").status_code == 403
    assert ProjectMember.objects.get().allocation_percent == 100


def test_members_outside_the_scope_are_404(api, pm, project, other_manager, alice):
    member = member_add(actor=pm, project=project, user=alice, project_role="Developer")
    client = api(other_manager)
    assert client.get(f"/api/v1/projects/{project.pk}/members").status_code == 404
    assert (
        send(client, "post", f"/api/v1/projects/{project.pk}/members", {"project_role": "X"}).status_code
        == 404
    )
    assert send(client, "patch", f"/api/v1/members/{member.pk}", {"allocation_percent": 1}).status_code == 404
    assert client.delete(f"/api/v1/members/{member.pk}").status_code == 404
    assert ProjectMember.objects.filter(pk=member.pk, allocation_percent=100).exists()


def test_the_member_list_takes_a_fixed_number_of_queries(api, pm, project, django_assert_max_num_queries):
    for i in range(12):
        member_add(actor=pm, project=project, user=person(f"u{i}"), project_role="Developer")
    client = api(pm)
    # token (+ its last-use stamp), 2 x permissions, project in scope, rows, count
    with django_assert_max_num_queries(7):
        body = client.get(f"/api/v1/projects/{project.pk}/members").json()
    assert body["count"] == 12
    assert {m["user"]["username"] for m in body["items"]} == {f"u{i}" for i in range(12)}


# --- RACI -------------------------------------------------------------------------------------------


@pytest.fixture
def grid(pm, project, alice):
    d = [deliverable_create(actor=pm, project=project, name=n) for n in ("需求说明书", "Design")]
    m = [
        member_add(actor=pm, project=project, user=alice, project_role="Developer"),
        member_add(actor=pm, project=project, project_role="Tester"),
    ]
    return d, m


def test_raci_is_read_as_rows_with_cells_and_written_cell_by_cell(api, pm, project, grid):
    (d1, d2), (a, t) = grid
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/raci"
    response = send(
        client,
        "put",
        url,
        {
            "cells": [
                {"deliverable_id": d1.pk, "member_id": a.pk, "role": "A"},
                {"deliverable_id": d1.pk, "member_id": t.pk, "role": "R"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    body = client.get(url).json()
    assert [m["id"] for m in body["members"]] == [a.pk, t.pk]
    assert body["rows"] == [
        {
            "deliverable_id": d1.pk,
            "name": "需求说明书",
            "assigned": True,
            "problems": [],
            "cells": [{"member_id": a.pk, "role": "A"}, {"member_id": t.pk, "role": "R"}],
        },
        {
            "deliverable_id": d2.pk,
            "name": "Design",
            "assigned": False,
            "problems": [],
            "cells": [{"member_id": a.pk, "role": None}, {"member_id": t.pk, "role": None}],
        },
    ]
    # only the changed cell: the tester becomes accountable too → refused
    bad = send(client, "put", url, {"cells": [{"deliverable_id": d1.pk, "member_id": t.pk, "role": "A"}]})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "raci": [
            "Deliverable “需求说明书”: 2 Accountable (A); exactly one is allowed; "
            "no Responsible (R); at least one is needed."
        ]
    }
    assert RaciAssignment.objects.get(member=t).role == "R"


def test_a_refused_raci_put_lists_every_bad_row_and_writes_nothing(api, pm, project, grid):
    (d1, d2), (a, t) = grid
    cells = [
        {"deliverable_id": d1.pk, "member_id": a.pk, "role": "R"},
        {"deliverable_id": d2.pk, "member_id": a.pk, "role": "A"},
        {"deliverable_id": d2.pk, "member_id": t.pk, "role": "C"},
    ]
    response = send(api(pm), "put", f"/api/v1/projects/{project.pk}/raci", {"cells": cells})
    assert response.status_code == 422
    assert response.json()["errors"]["raci"] == [
        "Deliverable “需求说明书”: no Accountable (A); exactly one is needed.",
        "Deliverable “Design”: no Responsible (R); at least one is needed.",
    ]
    assert RaciAssignment.objects.count() == 0


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ([{"deliverable_id": 1, "member_id": 1, "role": "X"}], "cells.role"),
        ([{"member_id": 1, "role": "A"}], "cells.deliverable_id"),
        ("not a list", "cells"),
    ],
)
def test_bad_raci_input_names_the_field(api, pm, project, grid, cells, field):
    response = send(api(pm), "put", f"/api/v1/projects/{project.pk}/raci", {"cells": cells})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_raci_cells_of_another_project_or_listed_twice_are_refused(api, pm, project, customer, grid):
    (d1, _d2), (a, _t) = grid
    other = project_create(actor=pm, customer=customer, name="二期")
    foreign = deliverable_create(actor=pm, project=other, name="外部")
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/raci"
    response = send(
        client, "put", url, {"cells": [{"deliverable_id": foreign.pk, "member_id": a.pk, "role": "R"}]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"cells": [f"Not a deliverable of this project: {foreign.pk}"]}
    twice = [{"deliverable_id": d1.pk, "member_id": a.pk, "role": r} for r in ("A", "R")]
    response = send(client, "put", url, {"cells": twice})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["cells"]
    assert RaciAssignment.objects.count() == 0


def test_raci_is_403_for_a_team_member_and_404_outside_the_scope(
    api, pm, project, grid, insider, other_manager
):
    (d1, _d2), (a, t) = grid
    body = {
        "cells": [
            {"deliverable_id": d1.pk, "member_id": a.pk, "role": "A"},
            {"deliverable_id": d1.pk, "member_id": t.pk, "role": "R"},
        ]
    }
    url = f"/api/v1/projects/{project.pk}/raci"
    assert api(insider).get(url).status_code == 200
    assert send(api(insider), "put", url, body).status_code == 403
    assert api(other_manager).get(url).status_code == 404
    assert send(api(other_manager), "put", url, body).status_code == 404
    assert RaciAssignment.objects.count() == 0


def test_the_raci_read_takes_a_fixed_number_of_queries(api, pm, project, django_assert_max_num_queries):
    ds = [deliverable_create(actor=pm, project=project, name=f"D{i}") for i in range(8)]
    ms = [member_add(actor=pm, project=project, user=person(f"u{i}"), project_role="Dev") for i in range(5)]
    raci_set(
        actor=pm,
        project=project,
        cells={(d.pk, ms[0].pk): "A" for d in ds} | {(d.pk, m.pk): "R" for d in ds for m in ms[1:]},
    )
    client = api(pm)
    # token (+ its last-use stamp), 2 x permissions, project in scope, members, deliverables, cells
    with django_assert_max_num_queries(8):
        body = client.get(f"/api/v1/projects/{project.pk}/raci").json()
    assert sum(1 for r in body["rows"] for c in r["cells"] if c["role"]) == 40


# --- stakeholders -----------------------------------------------------------------------------------


def test_stakeholders_are_created_with_their_quadrant_and_gap(api, pm, project, wang):
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/stakeholders"
    response = send(
        client, "post", url, {"contact_id": wang.pk, "role": "CIO", "influence": 4, "interest": 3}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["contact"]["id"], body["user"]) == ("王芳", wang.pk, None)
    assert (body["quadrant"], body["engagement_gap"], body["version"]) == ("keep_satisfied", True, 1)
    got = client.get(f"/api/v1/stakeholders/{body['id']}").json()
    assert got["quadrant"] == "keep_satisfied"
    changed = send(client, "patch", f"/api/v1/stakeholders/{body['id']}", {"version": 1, "interest": 4})
    assert (changed.json()["quadrant"], changed.json()["version"]) == ("manage_closely", 2)
    assert client.delete(f"/api/v1/stakeholders/{body['id']}?version=2").status_code == 204
    assert not Stakeholder.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"influence": 6, "user_id": 1}, ["influence"]),
        ({"engagement_current": "hostile", "user_id": 1}, ["engagement_current"]),
        ({"role": "Sponsor"}, ["contact_id"]),
        ({"contact_id": "CONTACT", "user_id": "PM"}, ["contact_id", "user_id"]),
    ],
)
def test_bad_stakeholder_input_names_the_field(api, pm, project, wang, body, fields):
    body = {k: (wang.pk if v == "CONTACT" else pm.pk if v == "PM" else v) for k, v in body.items()}
    response = send(api(pm), "post", f"/api/v1/projects/{project.pk}/stakeholders", body)
    assert response.status_code == 422
    assert sorted(response.json()["errors"]) == fields
    assert Stakeholder.objects.count() == 0


def test_a_contact_of_another_customer_is_422(api, pm, project, other_manager):
    elsewhere = customer_create(actor=other_manager, name="丙公司", owner=other_manager)
    zhao = contact_create(actor=other_manager, customer=elsewhere, name="赵六")
    response = send(api(pm), "post", f"/api/v1/projects/{project.pk}/stakeholders", {"contact_id": zhao.pk})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "contact_id": ["Choose a contact of the project's customer, 华东医药集团."]
    }


def test_a_stale_stakeholder_patch_is_409(api, pm, project, wang):
    s = stakeholder_create(actor=pm, project=project, contact=wang)
    client = api(pm)
    assert (
        send(client, "patch", f"/api/v1/stakeholders/{s.pk}", {"version": 1, "role": "CIO"}).status_code
        == 200
    )
    stale = send(client, "patch", f"/api/v1/stakeholders/{s.pk}", {"version": 1, "role": "CEO"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert client.delete(f"/api/v1/stakeholders/{s.pk}?version=1").status_code == 409
    s.refresh_from_db()
    assert s.role == "CIO"
    missing_version = send(client, "patch", f"/api/v1/stakeholders/{s.pk}", {"role": "CEO"})
    assert missing_version.status_code == 422
    assert list(missing_version.json()["errors"]) == ["version"]


def test_stakeholders_are_403_for_a_team_member_and_404_outside_the_scope(
    api, pm, project, wang, insider, other_manager
):
    s = stakeholder_create(actor=pm, project=project, contact=wang)
    inside, outside = api(insider), api(other_manager)
    url = f"/api/v1/projects/{project.pk}/stakeholders"
    assert inside.get(url).status_code == 200
    assert inside.get(f"/api/v1/stakeholders/{s.pk}").status_code == 200
    assert send(inside, "post", url, {"user_id": pm.pk}).status_code == 403
    assert (
        send(inside, "patch", f"/api/v1/stakeholders/{s.pk}", {"version": 1, "role": "x"}).status_code == 403
    )
    assert inside.delete(f"/api/v1/stakeholders/{s.pk}").status_code == 403
    assert outside.get(url).status_code == 404
    assert outside.get(f"/api/v1/stakeholders/{s.pk}").status_code == 404
    assert (
        send(outside, "patch", f"/api/v1/stakeholders/{s.pk}", {"version": 1, "role": "x"}).status_code == 404
    )
    assert outside.delete(f"/api/v1/stakeholders/{s.pk}").status_code == 404
    assert Stakeholder.objects.get().version == 1


def test_the_stakeholder_list_takes_a_fixed_number_of_queries(
    api, pm, project, customer, account_manager, django_assert_max_num_queries
):
    for i in range(6):
        contact = contact_create(actor=account_manager, customer=customer, name=f"联系人{i}")
        stakeholder_create(
            actor=pm, project=project, contact=contact, influence=i % 5 + 1, interest=5 - i % 5
        )
    for i in range(4):
        stakeholder_create(actor=pm, project=project, user=person(f"s{i}"))
    client = api(pm)
    # token (+ stamp), 2 x permissions, project in scope, rows with contact and user, count
    with django_assert_max_num_queries(7):
        body = client.get(f"/api/v1/projects/{project.pk}/stakeholders").json()
    assert body["count"] == 10
    assert body["items"][0]["influence"] == 5  # most influential first
    assert sum(1 for s in body["items"] if s["contact"]) == 6
