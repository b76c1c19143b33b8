"""REST API of users and departments: CRUD, validation (422), stale versions (409), permissions
(403/404), the audit trail and query counts."""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from clientpm.accounts import roles
from clientpm.accounts.models import Department, User
from clientpm.accounts.services import department_create, user_create, user_update_profile
from clientpm.core.models import ChangeRecord

pytestmark = pytest.mark.django_db

STALE = "This record was changed by someone else. Reload it and apply your change again."


def records(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk).order_by("id"))


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def org(admin_user):
    hq = department_create(actor=admin_user, name="总部", code="HQ")
    sales = department_create(actor=admin_user, name="销售部", code="SALES", parent=hq)
    east = department_create(actor=admin_user, name="华东区", code="EAST", parent=sales)
    return {"hq": hq, "sales": sales, "east": east}


def person(username, role, department=None, **extra) -> User:
    return user_create(
        actor=None,
        username=username,
        password="pw-Secret-123",
        roles=[role] if role else [],
        display_name=username.title(),
        department=department,
        **extra,
    )


# --- users ----------------------------------------------------------------------------------------


def test_create_user_422_then_201_without_secrets(api, admin_user, account_manager, org):
    client = api(admin_user)
    body = {
        "username": "am",
        "password": "123",
        "display_name": "王小明",
        "department_id": org["east"].pk,
        "roles": [roles.ACCOUNT_MANAGER],
    }
    response = post(client, "/api/v1/users", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["username"] == ["A user with that username already exists."]
    assert errors["password"] == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert post(client, "/api/v1/users", {**body, "roles": ["king"]}).status_code == 422
    response = post(client, "/api/v1/users", {**body, "username": "wxm", "department_id": 999_999})
    assert response.status_code == 422
    assert response.json()["errors"] == {"department_id": ["Unknown department."]}
    assert User.objects.count() == 2

    response = post(client, "/api/v1/users", {**body, "username": "wxm", "password": "Spring-Tea-2026"})
    assert response.status_code == 201
    data = response.json()
    new = User.objects.get(username="wxm")
    assert data["id"] == new.pk
    assert data["department"] == {"id": org["east"].pk, "code": "EAST", "name": "华东区"}
    assert (data["display_name"], data["roles"], data["is_active"]) == (
        "王小明",
        [roles.ACCOUNT_MANAGER],
        True,
    )
    assert "password" not in data
    assert new.password not in response.content.decode()
    assert new.check_password("Spring-Tea-2026")
    [created] = records(new)
    assert (created.action, created.source, created.actor_id) == ("create", "api", admin_user.pk)


def test_patch_user_refuses_a_stale_version(api, admin_user, account_manager, org):
    client = api(admin_user)
    url = f"/api/v1/users/{account_manager.pk}"
    version = client.get(url).json()["version"]
    user_update_profile(actor=account_manager, user=account_manager, title="大客户经理")

    response = patch(client, url, {"version": version, "title": "销售总监", "is_active": False})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == STALE
    assert body["current_version"] != version
    account_manager.refresh_from_db()
    assert (account_manager.title, account_manager.is_active) == ("大客户经理", True)

    fresh = client.get(url).json()["version"]
    assert fresh == body["current_version"]
    response = patch(
        client,
        url,
        {"version": fresh, "title": "销售总监", "department_id": org["sales"].pk, "roles": [roles.EXECUTIVE]},
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["department"]["code"], data["roles"]) == (
        "销售总监",
        "SALES",
        [roles.EXECUTIVE],
    )
    assert data["version"] != fresh
    assert records(account_manager)[-1].changes == {
        "department": [None, org["sales"].pk],
        "groups": [[roles.ACCOUNT_MANAGER], [roles.EXECUTIVE]],
        "title": ["大客户经理", "销售总监"],
    }
    # the version just returned works; null clears the department; other nulls are refused
    response = patch(client, url, {"version": data["version"], "department_id": None})
    assert (response.status_code, response.json()["department"]) == (200, None)
    response = patch(client, url, {"version": response.json()["version"], "username": None})
    assert response.status_code == 422


def test_deactivation_rules(api, admin_user, account_manager):
    client = api(admin_user)
    me = client.get(f"/api/v1/users/{admin_user.pk}").json()
    response = patch(client, f"/api/v1/users/{admin_user.pk}", {"version": me["version"], "is_active": False})
    assert response.status_code == 422
    assert response.json()["errors"] == {"is_active": ["You cannot deactivate your own account."]}
    response = patch(client, f"/api/v1/users/{admin_user.pk}", {"version": me["version"], "roles": []})
    assert response.status_code == 422
    assert response.json()["errors"] == {"roles": ["At least one active administrator must remain."]}
    assert list(admin_user.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]

    am = client.get(f"/api/v1/users/{account_manager.pk}").json()
    response = patch(
        client, f"/api/v1/users/{account_manager.pk}", {"version": am["version"], "is_active": False}
    )
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    # a deactivated user's API tokens stop working
    assert api(account_manager).get("/api/v1/me").status_code == 401


def test_list_users_filters(api, admin_user, org):
    person("lilei", roles.ACCOUNT_MANAGER, org["sales"])
    person("hanmeimei", roles.ACCOUNT_MANAGER, org["east"])
    person("olduser", roles.ACCOUNT_MANAGER, org["east"], is_active=False)
    person("zhangwei", roles.PROJECT_MANAGER)
    client = api(admin_user)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/users?{query}")
        assert response.status_code == 200, response.content
        return [u["username"] for u in response.json()["items"]]

    assert names("") == ["hanmeimei", "lilei", "olduser", "root", "zhangwei"]
    assert names(f"department={org['sales'].pk}") == ["hanmeimei", "lilei", "olduser"]
    assert names(f"department={org['east'].pk}&active=true") == ["hanmeimei"]
    assert names(f"role={roles.ACCOUNT_MANAGER}&active=false") == ["olduser"]
    assert names("q=ZHANG") == ["zhangwei"]
    assert names("sort=-username&page_size=2") == ["zhangwei", "root"]
    assert client.get("/api/v1/users?page_size=2").json()["count"] == 5
    response = client.get("/api/v1/users?role=king")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["role"]


def test_list_users_query_count(api, admin_user, org, django_assert_max_num_queries):
    client = api(admin_user)
    for i in range(30):
        person(
            f"u{i:02d}", [roles.ACCOUNT_MANAGER, roles.TEAM_MEMBER][i % 2], [org["sales"], org["east"]][i % 2]
        )
    # token, touch of the token, count, page of users, their roles
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/users?page_size=50")
    data = response.json()
    assert data["count"] == 31
    root, u00, u01 = data["items"][:3]
    assert (root["username"], root["department"], root["roles"]) == ("root", None, [roles.ADMINISTRATOR])
    assert (u00["department"]["code"], u00["roles"]) == ("SALES", [roles.ACCOUNT_MANAGER])
    assert (u01["department"]["code"], u01["roles"]) == ("EAST", [roles.TEAM_MEMBER])


def test_user_permissions(api, admin_user, team_member, account_manager):
    client = api(team_member)
    assert client.get("/api/v1/users").status_code == 200
    assert client.get(f"/api/v1/users/{account_manager.pk}").status_code == 200
    response = post(client, "/api/v1/users", {"username": "x", "password": "Spring-Tea-2026"})
    assert response.status_code == 403
    version = client.get(f"/api/v1/users/{account_manager.pk}").json()["version"]
    response = patch(client, f"/api/v1/users/{account_manager.pk}", {"version": version, "is_active": False})
    assert response.status_code == 403
    account_manager.refresh_from_db()
    assert account_manager.is_active
    assert not User.objects.filter(username="x").exists()

    # without any role: no user list, only oneself, and others do not exist
    nobody = person("nobody", None)
    client = api(nobody)
    assert client.get("/api/v1/users").status_code == 403
    assert client.get(f"/api/v1/users/{nobody.pk}").json()["username"] == "nobody"
    assert client.get(f"/api/v1/users/{account_manager.pk}").status_code == 404
    assert client.get(f"/api/v1/users/{account_manager.pk + 1000}").status_code == 404
    assert api(admin_user).get("/api/v1/users/999999").status_code == 404


# --- departments ----------------------------------------------------------------------------------


def test_department_crud_and_move(api, admin_user, org):
    client = api(admin_user)
    response = post(
        client, "/api/v1/departments", {"name": "华南区", "code": "EAST", "parent_id": org["sales"].pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"code": ["Department with this Code already exists."]}
    response = post(client, "/api/v1/departments", {"name": "华南区", "code": "SOUTH", "parent_id": 999_999})
    assert response.json()["errors"] == {"parent_id": ["Unknown department."]}

    response = post(
        client,
        "/api/v1/departments",
        {"name": "华南区", "code": "SOUTH", "parent_id": org["sales"].pk, "manager_id": admin_user.pk},
    )
    assert response.status_code == 201
    south = response.json()
    assert (south["parent_id"], south["depth"], south["version"]) == (org["sales"].pk, 2, 1)
    assert south["manager"] == {"id": admin_user.pk, "username": "root", "display_name": "Root"}
    assert (south["member_count"], south["child_count"]) == (0, 0)

    # move 销售部 to the top: its subtree follows
    sales = org["sales"].pk
    response = patch(client, f"/api/v1/departments/{sales}", {"version": 1, "parent_id": None})
    assert response.status_code == 200
    assert (response.json()["parent_id"], response.json()["depth"], response.json()["version"]) == (
        None,
        0,
        2,
    )
    assert client.get(f"/api/v1/departments/{south['id']}").json()["depth"] == 1
    assert Department.objects.get(pk=org["east"].pk).path == f"/{sales}/{org['east'].pk}/"

    response = patch(client, f"/api/v1/departments/{sales}", {"version": 1, "name": "市场部"})
    assert response.status_code == 409
    assert Department.objects.get(pk=sales).name == "销售部"

    response = client.get("/api/v1/departments?parent=" + str(sales))
    assert [d["code"] for d in response.json()["items"]] == ["EAST", "SOUTH"]  # 华东区 < 华南区 by name


def test_moving_under_its_own_subtree_is_422(api, admin_user, org):
    client = api(admin_user)
    hq = org["hq"].pk
    for parent in (org["east"].pk, hq):
        response = patch(client, f"/api/v1/departments/{hq}", {"version": 1, "parent_id": parent})
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "parent_id": ["A department cannot be moved under itself or one of its sub-departments."]
        }
    assert Department.objects.get(pk=hq).parent_id is None
    assert Department.objects.get(pk=hq).version == 1


def test_delete_only_empty_departments(api, admin_user, org):
    person("lilei", roles.ACCOUNT_MANAGER, org["east"])
    client = api(admin_user)
    response = client.delete(f"/api/v1/departments/{org['sales'].pk}")
    assert response.status_code == 409
    assert response.json()["reasons"] == ["It has 1 sub-department; move or delete it first."]
    response = client.delete(f"/api/v1/departments/{org['east'].pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == "The department 华东区 is not empty and cannot be deleted."
    assert response.json()["reasons"] == ["It has 1 member; move them to another department first."]
    assert Department.objects.count() == 3

    empty = department_create(actor=admin_user, name="临时组", code="TMP")
    assert client.delete(f"/api/v1/departments/{empty.pk}?version=2").status_code == 409
    assert client.delete(f"/api/v1/departments/{empty.pk}?version=1").status_code == 204
    assert not Department.objects.filter(pk=empty.pk).exists()
    deleted = records(empty)[-1]
    assert (deleted.action, deleted.source, deleted.changes["code"]) == ("delete", "api", ["TMP", None])


def test_department_permissions_and_counts(api, admin_user, team_member, org, django_assert_max_num_queries):
    for i in range(12):
        person(f"u{i}", roles.TEAM_MEMBER, [org["hq"], org["east"]][i % 2])
    client = api(team_member)
    with django_assert_max_num_queries(6):  # token, touch, permissions (2), count, departments
        response = client.get("/api/v1/departments")
    counts = {d["code"]: (d["member_count"], d["child_count"]) for d in response.json()["items"]}
    assert counts == {"HQ": (6, 1), "SALES": (0, 1), "EAST": (6, 0)}
    assert post(client, "/api/v1/departments", {"name": "X", "code": "X"}).status_code == 403
    assert (
        patch(client, f"/api/v1/departments/{org['hq'].pk}", {"version": 1, "name": "Y"}).status_code == 403
    )
    assert client.delete(f"/api/v1/departments/{org['sales'].pk}").status_code == 403
    assert Department.objects.count() == 3
    assert Department.objects.get(pk=org["hq"].pk).name == "总部"
