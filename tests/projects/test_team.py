"""The project team (项目成员): members and open roles, a person once per project, deactivated users
refused, removal taking the RACI cells along, the initiation gate's team condition, and the Team tab
with its member pages."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.errors import ConflictError
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import ProjectMember, RaciAssignment
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.scope import deliverable_create
from clientpm.projects.services.team import (
    member_add,
    member_remove,
    member_staff,
    member_update,
    raci_set,
    stakeholder_create,
)


def person(username, role=roles.TEAM_MEMBER, **extra):
    return user_create(
        actor=None,
        username=username,
        password="pw-Secret-123",
        roles=[role],
        display_name=username.title(),
        **extra,
    )


def records(model, obj_id=None):
    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id")
    return list(qs if obj_id is None else qs.filter(object_id=obj_id))


def team_condition(project):
    [result] = [r for r in gate_evaluate(project, "initiation") if r.key == "team"]
    return result.reasons


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
def alice(db):
    return person("alice")


# --- services -------------------------------------------------------------------------------------


def test_adding_a_member_records_it(pm, project, alice):
    member = member_add(actor=pm, project=project, user=alice, project_role=" Developer ")
    member.refresh_from_db()
    assert (member.user, member.project_role, member.allocation_percent) == (alice, "Developer", 100)
    [record] = records(ProjectMember, member.pk)
    assert record.action == "create"
    assert record.changes["user"] == [None, alice.pk]
    assert record.changes["project_role"] == [None, "Developer"]


def test_a_person_is_on_a_project_team_only_once(pm, project, customer, alice):
    member_add(actor=pm, project=project, user=alice, project_role="Developer")
    with pytest.raises(ValidationError) as info:
        member_add(actor=pm, project=project, user=alice, project_role="Tester")
    assert info.value.message_dict == {"user": ["Alice is already on the project team."]}
    assert ProjectMember.objects.filter(project=project).count() == 1
    # another project may have her
    other = project_create(actor=pm, customer=customer, name="二期")
    member_add(actor=pm, project=other, user=alice, project_role="Tester")
    # and staffing an open role with her on the first project is refused the same way
    open_role = member_add(actor=pm, project=project, project_role="Tester")
    with pytest.raises(ValidationError) as info:
        member_staff(actor=pm, member=open_role, user=alice)
    assert info.value.message_dict == {"user": ["Alice is already on the project team."]}
    open_role.refresh_from_db()
    assert open_role.user is None


def test_open_roles_are_planned_without_a_person_and_staffed_later(pm, project, alice):
    trainer = member_add(actor=pm, project=project, project_role="Trainer", allocation_percent=50)
    second = member_add(actor=pm, project=project, project_role="Trainer")  # two open roles may coexist
    assert (trainer.user, second.user) == (None, None)
    staffed = member_staff(actor=pm, member=trainer, user=alice)
    staffed.refresh_from_db()
    assert (staffed.user, staffed.project_role, staffed.allocation_percent) == (alice, "Trainer", 50)
    assert records(ProjectMember, trainer.pk)[-1].changes == {"user": [None, alice.pk]}


def test_deactivated_users_are_refused(pm, project):
    gone = person("dave", is_active=False)
    with pytest.raises(ValidationError) as info:
        member_add(actor=pm, project=project, user=gone, project_role="Developer")
    assert info.value.message_dict == {"user": ["Dave is deactivated."]}
    open_role = member_add(actor=pm, project=project, project_role="Developer")
    with pytest.raises(ValidationError):
        member_staff(actor=pm, member=open_role, user=gone)
    assert ProjectMember.objects.filter(user=gone).count() == 0


def test_allocation_must_be_between_0_and_100(pm, project, alice):
    with pytest.raises(ValidationError) as info:
        member_add(actor=pm, project=project, user=alice, project_role="Developer", allocation_percent=120)
    assert list(info.value.message_dict) == ["allocation_percent"]
    with pytest.raises(ValidationError) as info:
        member_add(actor=pm, project=project, user=alice, project_role="  ")
    assert list(info.value.message_dict) == ["project_role"]
    assert ProjectMember.objects.count() == 0


def test_member_update_changes_role_and_allocation(pm, project, alice):
    member = member_add(actor=pm, project=project, user=alice, project_role="Developer")
    member_update(actor=pm, member=member, project_role="Business analyst", allocation_percent=40)
    member.refresh_from_db()
    assert (member.project_role, member.allocation_percent) == ("Business analyst", 40)
    assert records(ProjectMember, member.pk)[-1].changes == {
        "allocation_percent": [100, 40],
        "project_role": ["Developer", "Business analyst"],
    }


def test_removing_a_member_removes_their_raci_cells_with_a_record_each(pm, project, alice):
    d1 = deliverable_create(actor=pm, project=project, name="需求说明书")
    d2 = deliverable_create(actor=pm, project=project, name="Design")
    a = member_add(actor=pm, project=project, user=alice, project_role="Developer")
    b = member_add(actor=pm, project=project, user=person("bob"), project_role="Tester")
    raci_set(
        actor=pm,
        project=project,
        cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R", (d2.pk, a.pk): "R", (d2.pk, b.pk): "A"},
    )
    assert member_remove(actor=pm, member=a) == 2
    assert not ProjectMember.objects.filter(pk=a.pk).exists()
    assert set(RaciAssignment.objects.values_list("member_id", flat=True)) == {b.pk}
    deletes = [r for r in records(RaciAssignment) if r.action == "delete"]
    assert sorted(r.changes["role"][0] for r in deletes) == ["A", "R"]
    assert records(ProjectMember, a.pk)[-1].action == "delete"


def test_a_closed_project_refuses_team_changes(pm, project, alice):
    member = member_add(actor=pm, project=project, user=alice, project_role="Developer")
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    with pytest.raises(ConflictError):
        member_add(actor=pm, project=project, project_role="Tester")
    with pytest.raises(ConflictError):
        member_remove(actor=pm, member=member)
    assert ProjectMember.objects.filter(project=project).count() == 1


# --- the initiation gate ----------------------------------------------------------------------------


def test_the_team_gate_needs_a_staffed_member_not_an_open_role(pm, project, alice):
    assert team_condition(project) == ["No team member."]
    trainer = member_add(actor=pm, project=project, project_role="Trainer")
    assert team_condition(project) == ["No team member."]
    member_staff(actor=pm, member=trainer, user=alice)
    assert team_condition(project) == []


# --- pages ------------------------------------------------------------------------------------------


def test_the_tab_lists_members_and_open_roles_with_actions_for_the_manager(web, pm, project, alice):
    member_add(actor=pm, project=project, user=alice, project_role="Developer", allocation_percent=60)
    trainer = member_add(actor=pm, project=project, project_role="Trainer")
    html = web(pm).get(f"/projects/{project.pk}/team/").content.decode()
    assert html.count('data-testid="member-row"') == 2
    assert "Alice" in html
    assert "60%" in html
    assert "1 open role" in html
    assert f"/projects/{project.pk}/team/members/{trainer.pk}/edit/" in html
    assert 'data-testid="staff-member"' in html
    assert 'data-testid="add-member"' in html


def test_a_team_member_sees_the_team_without_buttons(web, pm, project, team_member):
    member_add(actor=pm, project=project, user=team_member, project_role="Consultant")
    member_add(actor=pm, project=project, project_role="Trainer")
    client = web(team_member)
    html = client.get(f"/projects/{project.pk}/team/").content.decode()
    assert 'data-testid="member-row"' in html
    assert 'data-testid="add-member"' not in html
    assert 'data-testid="staff-member"' not in html
    assert 'data-testid="add-stakeholder"' not in html
    assert client.get(f"/projects/{project.pk}/team/members/add/").status_code == 403


def test_the_tab_is_404_outside_the_scope(web, project, other_manager):
    assert web(other_manager).get(f"/projects/{project.pk}/team/").status_code == 404


def test_the_add_page_suggests_roles_and_shows_the_duplicate_next_to_the_person(web, pm, project, alice):
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/team/members/add/").content.decode()
    assert 'list="project-role-suggestions"' in page
    for role in ("Project manager", "Business analyst", "Customer liaison", "Tester"):
        assert f'<option value="{role}">' in page
    response = client.post(
        f"/projects/{project.pk}/team/members/add/",
        {"user": alice.pk, "project_role": "顾问", "allocation_percent": 80},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-team"
    again = client.post(
        f"/projects/{project.pk}/team/members/add/",
        {"user": alice.pk, "project_role": "测试", "allocation_percent": 30},
    )
    html = again.content.decode()
    assert again.status_code == 200
    assert 'class="invalid-feedback d-block">Alice is already on the project team.' in html
    assert 'value="测试"' in html  # what the user typed is kept
    assert ProjectMember.objects.filter(project=project).count() == 1


def test_staffing_an_open_role_from_its_page(web, pm, project, alice):
    trainer = member_add(actor=pm, project=project, project_role="Trainer", allocation_percent=50)
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/team/members/{trainer.pk}/edit/").content.decode()
    assert "Staff the open role “Trainer”" in page
    response = client.post(
        f"/projects/{project.pk}/team/members/{trainer.pk}/edit/",
        {"user": alice.pk, "project_role": "Trainer", "allocation_percent": 50},
    )
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.user == alice


def test_a_member_is_only_reached_through_its_own_project(web, pm, project, customer, alice):
    other = project_create(actor=pm, customer=customer, name="二期")
    member = member_add(actor=pm, project=other, user=alice, project_role="Developer")
    client = web(pm)
    assert client.get(f"/projects/{project.pk}/team/members/{member.pk}/edit/").status_code == 404
    assert client.post(f"/projects/{project.pk}/team/members/{member.pk}/remove/").status_code == 404
    assert ProjectMember.objects.filter(pk=member.pk).exists()


def test_the_remove_confirmation_says_the_raci_cells_go_too(web, pm, project, alice):
    d = deliverable_create(actor=pm, project=project, name="Design")
    a = member_add(actor=pm, project=project, user=alice, project_role="Developer")
    b = member_add(actor=pm, project=project, user=person("bob"), project_role="Tester")
    raci_set(actor=pm, project=project, cells={(d.pk, a.pk): "A", (d.pk, b.pk): "R"})
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/team/members/{a.pk}/remove/").content.decode()
    assert "Their 1 RACI cell is removed with them" in page
    response = client.post(f"/projects/{project.pk}/team/members/{a.pk}/remove/")
    assert response.status_code == 302
    assert list(RaciAssignment.objects.values_list("member_id", "role")) == [(b.pk, "R")]


def test_the_whole_tab_takes_a_fixed_number_of_queries(
    web, pm, project, customer, account_manager, django_assert_max_num_queries
):
    deliverables = [deliverable_create(actor=pm, project=project, name=f"D{i}") for i in range(6)]
    members = [
        member_add(actor=pm, project=project, user=person(f"u{i}"), project_role="Developer")
        for i in range(4)
    ]
    members.append(member_add(actor=pm, project=project, project_role="Trainer"))
    raci_set(
        actor=pm,
        project=project,
        cells={(d.pk, members[0].pk): "A" for d in deliverables}
        | {(d.pk, m.pk): "R" for d in deliverables for m in members[1:]},
    )
    for i in range(5):
        contact = contact_create(actor=account_manager, customer=customer, name=f"联系人{i}")
        stakeholder_create(actor=pm, project=project, contact=contact, influence=i + 1, interest=5 - i)
    stakeholder_create(actor=pm, project=project, user=members[1].user)
    client = web(pm)
    # session, user, project in scope, 2 x permissions, members, stakeholders, deliverables, cells
    with django_assert_max_num_queries(9):
        response = client.get(f"/projects/{project.pk}/team/")
    html = response.content.decode()
    assert html.count('data-testid="member-row"') == 5
    assert html.count('data-testid="stakeholder-row"') == 6
    assert html.count('<select name="cell-') == 30


def test_the_full_pages_render_for_the_manager(web, pm, project, customer, account_manager, alice):
    d = deliverable_create(actor=pm, project=project, name="Design")
    a = member_add(actor=pm, project=project, user=alice, project_role="Developer")
    contact = contact_create(actor=account_manager, customer=customer, name="王芳")
    s = stakeholder_create(actor=pm, project=project, contact=contact)
    client = web(pm)
    raci_page = client.get(f"/projects/{project.pk}/team/raci/").content.decode()
    assert f'name="cell-{d.pk}-{a.pk}"' in raci_page
    assert "hx-post" not in raci_page  # a full page posts normally: there is no tab to swap
    edit = client.get(f"/projects/{project.pk}/team/stakeholders/{s.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in edit
    confirm = client.get(f"/projects/{project.pk}/team/stakeholders/{s.pk}/delete/").content.decode()
    assert "Delete the stakeholder 王芳?" in confirm
    assert client.post(f"/projects/{project.pk}/team/stakeholders/{s.pk}/delete/").status_code == 302
    assert not project.stakeholders.exists()
