"""Stakeholders (利益相关者): a contact of the project's customer xor a user, scores 1–5, the
power-interest grid (high = 4–5) with its boundaries, the engagement gap, versions and the pages."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.errors import StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.models import Stakeholder
from clientpm.projects.queries.team import Quadrant, engagement_gap, stakeholder_quadrant, team_tab
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.team import (
    member_add,
    stakeholder_create,
    stakeholder_delete,
    stakeholder_update,
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


def records(obj):
    qs = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Stakeholder), object_id=obj.pk
    )
    return list(qs.order_by("id"))


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
    return contact_create(actor=account_manager, customer=customer, name="王芳", title="CIO")


# --- the grid ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("influence", "interest", "quadrant"),
    [
        (3, 3, Quadrant.MONITOR),  # 3 is the middle, not high
        (4, 3, Quadrant.KEEP_SATISFIED),  # power crosses at 4
        (3, 4, Quadrant.KEEP_INFORMED),  # interest crosses at 4
        (4, 4, Quadrant.MANAGE_CLOSELY),
        (5, 5, Quadrant.MANAGE_CLOSELY),
        (1, 1, Quadrant.MONITOR),
        (5, 1, Quadrant.KEEP_SATISFIED),
        (1, 5, Quadrant.KEEP_INFORMED),
    ],
)
def test_quadrant_boundaries(influence, interest, quadrant):
    assert stakeholder_quadrant(influence=influence, interest=interest) == quadrant


@pytest.mark.parametrize(
    ("current", "desired", "gap"),
    [
        ("neutral", "supportive", True),
        ("unaware", "resistant", True),
        ("resistant", "leading", True),
        ("supportive", "supportive", False),
        ("leading", "supportive", False),
    ],
)
def test_engagement_gap_when_current_is_below_desired(current, desired, gap):
    assert engagement_gap(current=current, desired=desired) is gap


def test_the_tab_places_stakeholders_in_their_quadrant_and_flags_gaps(
    web, pm, project, wang, customer, account_manager
):
    li = contact_create(actor=account_manager, customer=customer, name="李雷")
    stakeholder_create(
        actor=pm, project=project, contact=wang, influence=5, interest=4, engagement_current="neutral"
    )
    stakeholder_create(
        actor=pm,
        project=project,
        contact=li,
        influence=3,
        interest=3,
        engagement_current="supportive",
        engagement_desired="supportive",
    )
    stakeholder_create(actor=pm, project=project, user=person("zhao"), influence=4, interest=2)
    tab = team_tab(project=project)
    assert {c.quadrant: [str(s) for s in c.stakeholders] for c in tab.grid} == {
        Quadrant.MANAGE_CLOSELY: ["王芳"],
        Quadrant.KEEP_SATISFIED: ["Zhao"],
        Quadrant.KEEP_INFORMED: [],
        Quadrant.MONITOR: ["李雷"],
    }
    html = web(pm).get(f"/projects/{project.pk}/team/").content.decode()
    manage = html.split('data-testid="quadrant-manage_closely"')[1].split('data-testid="quadrant-')[0]
    assert "王芳" in manage
    assert "李雷" not in manage
    monitor = html.split('data-testid="quadrant-monitor"')[1].split('data-testid="quadrant-')[0]
    assert "李雷" in monitor
    # neutral → supportive (王芳) and the default neutral → supportive (Zhao) are gaps; 李雷 is not
    assert html.count('data-testid="engagement-gap"') == 2


# --- services ---------------------------------------------------------------------------------------


def test_a_contact_stakeholder_is_created_and_recorded(pm, project, wang):
    s = stakeholder_create(
        actor=pm,
        project=project,
        contact=wang,
        role=" 甲方 CIO ",
        influence=5,
        interest=4,
        communication="wechat",
    )
    s.refresh_from_db()
    assert (s.contact, s.user, s.role, s.version) == (wang, None, "甲方 CIO", 1)
    [record] = records(s)
    assert record.action == "create"
    assert record.changes["contact"] == [None, wang.pk]


def test_exactly_one_of_contact_or_user(pm, project, wang):
    with pytest.raises(ValidationError) as info:
        stakeholder_create(actor=pm, project=project, contact=wang, user=pm)
    assert info.value.message_dict == {
        "contact": ["Choose either a contact or a user, not both."],
        "user": ["Choose either a contact or a user, not both."],
    }
    with pytest.raises(ValidationError) as info:
        stakeholder_create(actor=pm, project=project, role="Sponsor")
    assert info.value.message_dict == {
        "contact": ["Choose a contact of the customer or a user: a stakeholder is one of them."]
    }
    assert Stakeholder.objects.count() == 0


def test_a_contact_of_another_customer_is_refused(pm, project, other_manager):
    elsewhere = customer_create(actor=other_manager, name="丙公司", owner=other_manager)
    zhao = contact_create(actor=other_manager, customer=elsewhere, name="赵六")
    with pytest.raises(ValidationError) as info:
        stakeholder_create(actor=pm, project=project, contact=zhao)
    assert info.value.message_dict == {
        "contact": ["Choose a contact of the project's customer, 华东医药集团."]
    }
    assert Stakeholder.objects.count() == 0


def test_deactivated_users_and_the_same_person_twice_are_refused(pm, project, wang):
    with pytest.raises(ValidationError) as info:
        stakeholder_create(actor=pm, project=project, user=person("gone", is_active=False))
    assert info.value.message_dict == {"user": ["Gone is deactivated."]}
    stakeholder_create(actor=pm, project=project, contact=wang)
    with pytest.raises(ValidationError) as info:
        stakeholder_create(actor=pm, project=project, contact=wang, role="again")
    assert info.value.message_dict == {"contact": ["王芳 is already a stakeholder of this project."]}
    assert Stakeholder.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"), [("influence", 0), ("influence", 6), ("interest", 0), ("interest", 6)]
)
def test_scores_outside_1_to_5_are_refused(pm, project, wang, field, value):
    with pytest.raises(ValidationError) as info:
        stakeholder_create(actor=pm, project=project, contact=wang, **{field: value})
    assert list(info.value.message_dict) == [field]


def test_update_bumps_the_version_records_and_refuses_stale_writes(pm, project, wang):
    s = stakeholder_create(actor=pm, project=project, contact=wang)
    s = stakeholder_update(actor=pm, stakeholder=s, version=1, influence=5, engagement_current="resistant")
    assert s.version == 2
    assert records(s)[-1].changes == {"engagement_current": ["neutral", "resistant"], "influence": [3, 5]}
    with pytest.raises(StaleVersionError):
        stakeholder_update(actor=pm, stakeholder=s, version=1, influence=1)
    s.refresh_from_db()
    assert s.influence == 5
    # switching from the contact to a user
    s = stakeholder_update(actor=pm, stakeholder=s, version=2, contact=None, user=pm)
    assert (s.contact, s.user) == (None, pm)


def test_delete_is_recorded(pm, project, wang):
    s = stakeholder_create(actor=pm, project=project, contact=wang)
    stakeholder_delete(actor=pm, stakeholder=s, version=1)
    assert not Stakeholder.objects.exists()
    assert records(s)[-1].action == "delete"


# --- pages ------------------------------------------------------------------------------------------


def test_the_add_form_offers_only_the_customers_contacts_and_shows_errors_by_field(
    web, pm, project, wang, other_manager
):
    elsewhere = customer_create(actor=other_manager, name="丙公司", owner=other_manager)
    zhao = contact_create(actor=other_manager, customer=elsewhere, name="赵六")
    client = web(pm)
    url = f"/projects/{project.pk}/team/stakeholders/add/"
    page = client.get(url).content.decode()
    assert "王芳" in page
    assert "赵六" not in page
    base = {"role": "CIO", "influence": 5, "interest": 4, "engagement_current": "neutral"}
    base |= {"engagement_desired": "leading", "communication": "meeting", "notes": ""}
    both = client.post(url, base | {"contact": wang.pk, "user": pm.pk}).content.decode()
    assert both.count("Choose either a contact or a user, not both.") == 2
    assert 'value="CIO"' in both
    foreign = client.post(url, base | {"contact": zhao.pk}).content.decode()
    assert "Select a valid choice" in foreign
    response = client.post(url, base | {"contact": wang.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-team"
    s = Stakeholder.objects.get()
    assert (s.contact, s.influence, s.interest, s.engagement_desired) == (wang, 5, 4, "leading")


def test_the_edit_form_refuses_a_stale_version(web, pm, project, wang):
    s = stakeholder_create(actor=pm, project=project, contact=wang)
    stakeholder_update(actor=pm, stakeholder=s, version=1, role="CIO")
    data = {"contact": wang.pk, "role": "CEO", "influence": 2, "interest": 2, "engagement_current": "neutral"}
    data |= {"engagement_desired": "supportive", "communication": "email", "notes": "", "version": 1}
    response = web(pm).post(f"/projects/{project.pk}/team/stakeholders/{s.pk}/edit/", data)
    assert response.status_code == 200
    assert "This record was changed by someone else" in response.content.decode()
    s.refresh_from_db()
    assert s.role == "CIO"


def test_a_team_member_cannot_add_or_delete_stakeholders(web, pm, project, wang, team_member):
    member_add(actor=pm, project=project, user=team_member, project_role="Consultant")
    s = stakeholder_create(actor=pm, project=project, contact=wang)
    client = web(team_member)
    assert client.get(f"/projects/{project.pk}/team/stakeholders/add/").status_code == 403
    assert client.post(f"/projects/{project.pk}/team/stakeholders/{s.pk}/delete/").status_code == 403
    assert Stakeholder.objects.filter(pk=s.pk).exists()
