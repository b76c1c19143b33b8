"""Administration pages: users (list, filters, create, edit, deactivate) and the department tree."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from clientpm.accounts import roles
from clientpm.accounts.models import Department, User
from clientpm.accounts.services import department_create, user_create, user_update_profile
from clientpm.core.models import ChangeRecord

pytestmark = pytest.mark.django_db

STALE = "This record was changed by someone else. Reload it and apply your change again."
UNDER_ITSELF = "A department cannot be moved under itself or one of its sub-departments."


def records(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk).order_by("id"))


def usernames(response) -> list[str]:
    """The usernames in the user table, top to bottom."""
    html = response.content.decode()
    return re.findall(r'data-testid="user-row">\s*<td><a href="/accounts/users/\d+/">([^<]+)</a>', html)


def department_rows(response) -> list[tuple[str, str, str]]:
    """(indent, name, direct members) of each row of the department table."""
    html = response.content.decode()
    return re.findall(
        r'data-testid="department-row">\s*<td><span style="padding-left: calc\((\d+) \* 1.5rem\)">'
        r'(?:<i class="bi bi-arrow-return-right text-muted"></i> )?([^<]+)</span>.*?'
        r'data-testid="member-count">(\d+)<',
        html,
        re.S,
    )


@pytest.fixture
def org(admin_user):
    """总部 (HQ) > 销售部 (Sales) > 华东区 (East); 研发部 (R&D) at the top."""
    hq = department_create(actor=admin_user, name="总部", code="HQ")
    sales = department_create(actor=admin_user, name="销售部", code="SALES", parent=hq)
    east = department_create(actor=admin_user, name="华东区", code="EAST", parent=sales)
    rnd = department_create(actor=admin_user, name="研发部", code="RND")
    return {"hq": hq, "sales": sales, "east": east, "rnd": rnd}


def person(username, role, department=None, **extra) -> User:
    return user_create(
        actor=None,
        username=username,
        password="pw-Secret-123",
        roles=[role] if role else [],
        display_name=extra.pop("display_name", username.title()),
        department=department,
        **extra,
    )


# --- users ----------------------------------------------------------------------------------------


def test_create_user_shows_field_errors_then_creates(web, admin_user, account_manager, org):
    client = web(admin_user)
    form = {
        "username": "am",  # taken by the account manager
        "password": "123",
        "display_name": "王小明",
        "email": "wxm@example.cn",
        "department": org["sales"].pk,
        "title": "客户经理",
        "phone": "",
        "language": "",
        "time_zone": "Asia/Shanghai",
        "roles": [roles.ACCOUNT_MANAGER],
        "is_active": "on",
    }
    response = client.post("/accounts/users/new/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "A user with that username already exists." in page
    assert "This password is too short. It must contain at least 8 characters." in page
    assert 'value="王小明"' in page  # what the user typed is kept
    assert User.objects.count() == 2  # root and am

    response = client.post("/accounts/users/new/", {**form, "username": "wxm", "password": "Spring-Tea-2026"})
    new = User.objects.get(username="wxm")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/users/{new.pk}/"
    assert (new.display_name, new.department, new.title, new.is_active) == (
        "王小明",
        org["sales"],
        "客户经理",
        True,
    )
    assert list(new.groups.values_list("name", flat=True)) == [roles.ACCOUNT_MANAGER]
    assert new.check_password("Spring-Tea-2026")
    [created] = records(new)
    assert (created.action, created.source, created.actor_id) == ("create", "ui", admin_user.pk)
    assert created.changes["username"] == [None, "wxm"]
    assert created.changes["groups"] == [None, [roles.ACCOUNT_MANAGER]]
    assert "password" not in created.changes
    assert Client().login(username="wxm", password="Spring-Tea-2026")


def test_edit_with_a_stale_version_saves_nothing(web, admin_user, account_manager, org):
    client = web(admin_user)
    page = client.get(f"/accounts/users/{account_manager.pk}/edit/").content.decode()
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    assert version == User.objects.get(pk=account_manager.pk).version
    # meanwhile the account manager edits their own profile
    user_update_profile(actor=account_manager, user=account_manager, title="大客户经理")
    form = {
        "version": version,
        "username": "am",
        "display_name": "Am",
        "email": "",
        "department": org["east"].pk,
        "title": "销售总监",
        "phone": "",
        "language": "",
        "time_zone": "Asia/Shanghai",
        "roles": [roles.ACCOUNT_MANAGER, roles.PROJECT_MANAGER],
        "is_active": "on",
    }
    response = client.post(f"/accounts/users/{account_manager.pk}/edit/", form)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    account_manager.refresh_from_db()
    assert (account_manager.title, account_manager.department) == ("大客户经理", None)
    assert list(account_manager.groups.values_list("name", flat=True)) == [roles.ACCOUNT_MANAGER]

    fresh = User.objects.get(pk=account_manager.pk).version
    assert fresh == version + 1
    response = client.post(f"/accounts/users/{account_manager.pk}/edit/", {**form, "version": fresh})
    assert response.status_code == 302
    account_manager.refresh_from_db()
    assert (account_manager.title, account_manager.department) == ("销售总监", org["east"])
    assert sorted(account_manager.groups.values_list("name", flat=True)) == [
        roles.ACCOUNT_MANAGER,
        roles.PROJECT_MANAGER,
    ]
    change = records(account_manager)[-1]
    assert change.actor_id == admin_user.pk
    assert change.changes == {
        "department": [None, org["east"].pk],
        "groups": [[roles.ACCOUNT_MANAGER], [roles.ACCOUNT_MANAGER, roles.PROJECT_MANAGER]],
        "title": ["大客户经理", "销售总监"],
    }


def test_deactivate_and_reactivate_from_the_list(web, admin_user, account_manager):
    client = web(admin_user)
    response = client.post(
        f"/accounts/users/{account_manager.pk}/active/", {"active": "0", "next": "/accounts/users/?q=am"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/users/?q=am"
    account_manager.refresh_from_db()
    assert not account_manager.is_active
    assert not Client().login(username="am", password="pw-Secret-123")
    assert records(account_manager)[-1].changes == {"is_active": [True, False]}
    listing = client.get("/accounts/users/?active=false").content.decode()
    assert 'data-testid="reactivate"' in listing

    client.post(f"/accounts/users/{account_manager.pk}/active/", {"active": "1"})
    account_manager.refresh_from_db()
    assert account_manager.is_active
    assert Client().login(username="am", password="pw-Secret-123")


def test_an_administrator_cannot_deactivate_themselves(web, admin_user):
    response = web(admin_user).post(f"/accounts/users/{admin_user.pk}/active/", {"active": "0"}, follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_team_member_may_look_but_not_write(web, admin_user, team_member, account_manager, org):
    client = web(team_member)
    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/departments/").status_code == 200
    assert client.get("/accounts/users/new/").status_code == 403
    assert (
        client.post("/accounts/users/new/", {"username": "x", "password": "Spring-Tea-2026"}).status_code
        == 403
    )
    assert client.post(f"/accounts/users/{account_manager.pk}/edit/", {"title": "x"}).status_code == 403
    assert client.post(f"/accounts/users/{account_manager.pk}/active/", {"active": "0"}).status_code == 403
    assert client.post("/accounts/departments/new/", {"name": "X", "code": "X"}).status_code == 403
    assert client.post(f"/accounts/departments/{org['rnd'].pk}/edit/", {"name": "Y"}).status_code == 403
    assert client.post(f"/accounts/departments/{org['rnd'].pk}/delete/").status_code == 403
    account_manager.refresh_from_db()
    assert account_manager.is_active
    assert User.objects.count() == 3
    assert Department.objects.count() == 4
    assert not Department.objects.filter(name="Y").exists()


def test_user_list_filters(web, admin_user, org):
    person("lilei", roles.ACCOUNT_MANAGER, org["sales"], email="lei@example.cn")
    person("hanmeimei", roles.ACCOUNT_MANAGER, org["east"], display_name="韩梅梅")
    person("zhangwei", roles.PROJECT_MANAGER, org["rnd"])
    person("olduser", roles.ACCOUNT_MANAGER, org["east"], is_active=False)
    client = web(admin_user)

    assert usernames(client.get("/accounts/users/")) == [
        "hanmeimei",
        "lilei",
        "olduser",
        "root",
        "zhangwei",
    ]
    assert usernames(client.get("/accounts/users/?q=梅梅")) == ["hanmeimei"]
    # the filter form's HTMX request gets the table alone
    partial = client.get("/accounts/users/?q=梅梅", headers={"HX-Request": "true"})
    assert usernames(partial) == ["hanmeimei"]
    assert "<html" not in partial.content.decode()
    assert usernames(client.get("/accounts/users/?q=LEI@EXAMPLE")) == ["lilei"]
    # a department includes its sub-departments
    assert usernames(client.get(f"/accounts/users/?department={org['sales'].pk}")) == [
        "hanmeimei",
        "lilei",
        "olduser",
    ]
    assert usernames(client.get(f"/accounts/users/?department={org['east'].pk}")) == ["hanmeimei", "olduser"]
    assert usernames(client.get(f"/accounts/users/?role={roles.PROJECT_MANAGER}")) == ["zhangwei"]
    assert usernames(client.get(f"/accounts/users/?role={roles.ACCOUNT_MANAGER}&active=true")) == [
        "hanmeimei",
        "lilei",
    ]
    assert usernames(client.get("/accounts/users/?active=false")) == ["olduser"]
    assert usernames(client.get("/accounts/users/?sort=-username&active=true")) == [
        "zhangwei",
        "root",
        "lilei",
        "hanmeimei",
    ]
    # an invalid filter is reported and ignored, never a 500
    response = client.get("/accounts/users/?role=king")
    assert response.status_code == 200
    assert "Some filters were invalid and were ignored" in response.content.decode()
    assert len(usernames(response)) == 5


def test_user_list_query_count_does_not_grow_with_rows(web, admin_user, org, django_assert_max_num_queries):
    for i in range(3):
        person(f"a{i}", roles.ACCOUNT_MANAGER, org["east"])
    client = web(admin_user)
    client.get("/accounts/users/")  # warm the session
    # session, user, count, page of users, their roles, departments for the filter
    with django_assert_max_num_queries(6) as few:
        assert len(usernames(client.get("/accounts/users/"))) == 4
    for i in range(3, 40):
        person(f"a{i}", [roles.ACCOUNT_MANAGER, roles.TEAM_MEMBER][i % 2], [org["east"], org["rnd"]][i % 2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(usernames(client.get("/accounts/users/"))) == 41


# --- departments ----------------------------------------------------------------------------------


def test_department_tree_with_member_counts(web, admin_user, org, django_assert_max_num_queries):
    person("lilei", roles.ACCOUNT_MANAGER, org["sales"])
    person("hanmeimei", roles.ACCOUNT_MANAGER, org["east"])
    person("olduser", roles.ACCOUNT_MANAGER, org["east"], is_active=False)
    department_create(actor=admin_user, name="华北区", code="NORTH", parent=org["sales"])
    client = web(admin_user)
    client.get("/accounts/departments/")
    with django_assert_max_num_queries(3):  # session, user, departments with their counts
        response = client.get("/accounts/departments/")
    # children sorted by name under their parent (华东区 before 华北区 in code-point order)
    assert department_rows(response) == [
        ("0", "总部", "0"),
        ("1", "销售部", "1"),
        ("2", "华东区", "2"),
        ("2", "华北区", "0"),
        ("0", "研发部", "0"),
    ]
    html = response.content.decode()
    assert re.findall(r'data-testid="subtree-member-count">(?:<a [^>]+>)?(\d+)<', html) == [
        "3",
        "3",
        "2",
        "0",
        "0",
    ]


def test_create_rename_and_move_a_department(web, admin_user, org):
    client = web(admin_user)
    response = client.post(
        "/accounts/departments/new/", {"name": "华南区", "code": "EAST", "parent": org["sales"].pk}
    )
    assert response.status_code == 200
    assert "Department with this Code already exists." in response.content.decode()
    response = client.post(
        "/accounts/departments/new/", {"name": "华南区", "code": "SOUTH", "parent": org["sales"].pk}
    )
    assert response.status_code == 302
    south = Department.objects.get(code="SOUTH")
    assert south.path == f"/{org['hq'].pk}/{org['sales'].pk}/{south.pk}/"
    assert records(south)[0].action == "create"

    # move 销售部 (with 华东区 and 华南区) under 研发部, renaming it on the way
    sales = org["sales"]
    response = client.post(
        f"/accounts/departments/{sales.pk}/edit/",
        {"version": 1, "name": "市场销售部", "code": "SALES", "parent": org["rnd"].pk, "manager": ""},
    )
    assert response.status_code == 302
    sales.refresh_from_db()
    rnd = org["rnd"].pk
    assert (sales.name, sales.path, sales.version) == ("市场销售部", f"/{rnd}/{sales.pk}/", 2)
    assert Department.objects.get(pk=org["east"].pk).path == f"/{rnd}/{sales.pk}/{org['east'].pk}/"
    assert Department.objects.get(pk=south.pk).path == f"/{rnd}/{sales.pk}/{south.pk}/"
    assert records(sales)[-1].changes == {
        "name": ["销售部", "市场销售部"],
        "parent": [org["hq"].pk, rnd],
        "path": [f"/{org['hq'].pk}/{sales.pk}/", f"/{rnd}/{sales.pk}/"],
    }


def test_moving_under_its_own_subtree_is_refused_with_a_field_error(web, admin_user, org):
    hq = org["hq"]
    paths = dict(Department.objects.values_list("pk", "path"))
    for parent in (org["east"], hq):  # a grandchild, and the department itself
        response = web(admin_user).post(
            f"/accounts/departments/{hq.pk}/edit/",
            {"version": 1, "name": "总部", "code": "HQ", "parent": parent.pk, "manager": ""},
        )
        assert response.status_code == 200
        html = response.content.decode()
        # shown under the parent field, which is marked invalid
        assert re.search(
            r'name="parent" class="form-select is-invalid".*?' + re.escape(UNDER_ITSELF), html, re.S
        )
    assert dict(Department.objects.values_list("pk", "path")) == paths
    assert Department.objects.get(pk=hq.pk).version == 1


def test_department_edit_with_stale_version(web, admin_user, org):
    client = web(admin_user)
    form = {"version": 1, "name": "研发中心", "code": "RND", "parent": "", "manager": ""}
    assert client.post(f"/accounts/departments/{org['rnd'].pk}/edit/", form).status_code == 302
    response = client.post(f"/accounts/departments/{org['rnd'].pk}/edit/", {**form, "name": "研究院"})
    assert STALE in response.content.decode()
    assert Department.objects.get(pk=org["rnd"].pk).name == "研发中心"


def test_only_an_empty_department_can_be_deleted(web, admin_user, org):
    person("lilei", roles.ACCOUNT_MANAGER, org["east"])
    client = web(admin_user)
    page = client.get(f"/accounts/departments/{org['sales'].pk}/delete/").content.decode()
    assert "It has 1 sub-department; move or delete it first." in page
    assert "Delete permanently" not in page

    response = client.post(f"/accounts/departments/{org['east'].pk}/delete/", follow=True)
    assert (
        "The department 华东区 is not empty and cannot be deleted. "
        "It has 1 member; move them to another department first." in response.content.decode()
    )
    assert Department.objects.filter(pk=org["east"].pk).exists()

    rnd = org["rnd"]
    assert "Delete permanently" in client.get(f"/accounts/departments/{rnd.pk}/delete/").content.decode()
    response = client.post(f"/accounts/departments/{rnd.pk}/delete/")
    assert response.status_code == 302
    assert not Department.objects.filter(pk=rnd.pk).exists()
    deleted = records(rnd)[-1]
    assert (deleted.action, deleted.actor_id, deleted.changes["name"]) == (
        "delete",
        admin_user.pk,
        ["研发部", None],
    )
