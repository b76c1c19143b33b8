"""The Django admin saves contacts, interactions and segments through the customers services: their
cross-row rules apply, their refusals show on the form, and every write leaves one change record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clientpm.core.models import ChangeRecord
from clientpm.customers.models import Contact, Customer, Interaction, Segment
from clientpm.customers.services import (
    contact_create,
    customer_create,
    interaction_create,
    segment_create,
)

pytestmark = pytest.mark.django_db

CONTACT_FORM = {
    "name": "",
    "title": "",
    "department": "",
    "phone": "",
    "mobile": "",
    "email": "",
    "wechat_id": "",
    "buying_role": "",
    "engagement_level": "medium",
    "notes": "",
}


def records(obj_or_model, obj_id=None):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id")
    if obj_id is None and not isinstance(obj_or_model, type):
        obj_id = obj_or_model.pk
    return list(qs if obj_id is None else qs.filter(object_id=obj_id))


@pytest.fixture
def customer(admin_user):
    return customer_create(actor=admin_user, name="甲公司", owner=admin_user, allow_duplicates=True)


@pytest.fixture
def other_customer(admin_user):
    return customer_create(actor=admin_user, name="乙公司", owner=admin_user, allow_duplicates=True)


def test_adding_a_primary_contact_moves_the_flag_like_the_service(web, admin_user, customer):
    first = contact_create(actor=admin_user, customer=customer, name="王敏", is_primary=True)
    response = web(admin_user).post(
        "/admin/customers/contact/add/",
        {**CONTACT_FORM, "customer": customer.pk, "name": "李雷", "is_primary": "on"},
    )
    assert response.status_code == 302
    new = Contact.objects.get(name="李雷")
    first.refresh_from_db()
    assert new.is_primary
    assert not first.is_primary
    # one contact and one creation record: the validation's trial save was rolled back
    assert Contact.objects.filter(customer=customer).count() == 2
    [created] = records(new)
    assert (created.action, created.source, created.actor_id) == ("create", "admin", admin_user.pk)
    assert records(first)[-1].changes == {"is_primary": [True, False]}


def test_making_another_contact_primary_in_the_change_form(web, admin_user, customer):
    first = contact_create(actor=admin_user, customer=customer, name="王敏", is_primary=True)
    second = contact_create(actor=admin_user, customer=customer, name="李雷")
    response = web(admin_user).post(
        f"/admin/customers/contact/{second.pk}/change/",
        {**CONTACT_FORM, "name": "李雷", "title": "CIO", "is_primary": "on"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.is_primary, second.title, second.version) == (True, "CIO", 2)
    assert not first.is_primary
    assert records(second)[-1].changes == {"is_primary": [False, True], "title": ["", "CIO"]}


def test_interaction_with_another_customers_contact_is_refused_on_the_form(
    web, admin_user, customer, other_customer
):
    stranger = contact_create(actor=admin_user, customer=other_customer, name="张三")
    form = {
        "customer": customer.pk,
        "kind": "call",
        "occurred_at_0": "2026-03-02",
        "occurred_at_1": "10:30:00",
        "contacts": str(stranger.pk),
        "owner": admin_user.pk,
        "summary": "Kick-off call",
        "outcome": "",
        "next_step": "",
        "follow_up_date": "",
    }
    client = web(admin_user)
    response = client.post("/admin/customers/interaction/add/", form)
    assert response.status_code == 200
    assert "These contacts do not belong to this customer: 张三" in response.content.decode()
    assert not Interaction.objects.exists()
    assert records(Interaction) == []

    own = contact_create(actor=admin_user, customer=customer, name="王敏")
    response = client.post("/admin/customers/interaction/add/", {**form, "contacts": str(own.pk)})
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert list(interaction.contacts.all()) == [own]
    customer.refresh_from_db()
    # the service keeps the derived "last interaction" of the customer up to date
    assert customer.last_interaction_at == interaction.occurred_at
    assert [r.action for r in records(interaction)] == ["create"]


def test_deleting_interactions_in_the_admin_recomputes_the_last_interaction(web, admin_user, customer):
    earlier = timezone.now() - dt.timedelta(days=10)
    older = interaction_create(
        actor=admin_user, customer=customer, kind="call", summary="a", occurred_at=earlier
    )
    newer = interaction_create(actor=admin_user, customer=customer, kind="visit", summary="b")
    client = web(admin_user)
    response = client.post(f"/admin/customers/interaction/{newer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.last_interaction_at == older.occurred_at
    assert records(Interaction, newer.pk)[-1].action == "delete"

    response = client.post(
        "/admin/customers/interaction/",
        {"action": "delete_selected", "_selected_action": [older.pk], "post": "yes"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.last_interaction_at is None
    assert records(Interaction, older.pk)[-1].action == "delete"


def test_segment_rules_are_checked_by_the_service(web, admin_user):
    form = {
        "name": "华东重点",
        "description": "",
        "kind": "dynamic",
        "rules": '{"stage": ["nope"]}',
        "owner": "",
    }
    client = web(admin_user)
    response = client.post("/admin/customers/segment/add/", form)
    assert response.status_code == 200
    assert "stage: " in response.content.decode()
    assert not Segment.objects.exists()

    response = client.post(
        "/admin/customers/segment/add/", {**form, "rules": '{"tier": ["key"], "sort": "name"}'}
    )
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert segment.rules == {"tier": ["key"]}  # normalised by the service: defaults and sort dropped
    assert segment.owner_id is None


def test_static_segment_members_are_edited_through_the_membership_services(
    web, admin_user, customer, other_customer
):
    segment = segment_create(actor=admin_user, name="名单", kind="static", rules={}, members=[customer])
    form = {"name": "重点名单", "description": "", "kind": "static", "rules": "{}", "owner": admin_user.pk}
    response = web(admin_user).post(
        f"/admin/customers/segment/{segment.pk}/change/", {**form, "members": str(other_customer.pk)}
    )
    assert response.status_code == 302
    assert list(segment.members.all()) == [other_customer]
    changes = [r.changes for r in records(segment)[1:]]
    assert {"name": ["名单", "重点名单"]} in changes
    assert {"members": [[customer.pk], sorted([customer.pk, other_customer.pk])]} in changes
    assert {"members": [sorted([customer.pk, other_customer.pk]), [other_customer.pk]]} in changes


def test_a_rule_based_segment_refuses_picked_members(web, admin_user, customer):
    segment = segment_create(actor=admin_user, name="重点", kind="dynamic", rules={"tier": ["key"]})
    form = {"name": "重点", "description": "", "kind": "dynamic", "rules": '{"tier": ["key"]}', "owner": ""}
    response = web(admin_user).post(
        f"/admin/customers/segment/{segment.pk}/change/", {**form, "members": str(customer.pk)}
    )
    assert response.status_code == 200
    assert "The members of a rule-based segment follow its rules" in response.content.decode()
    segment.refresh_from_db()
    assert segment.version == 1
    assert len(records(segment)) == 1
    assert Customer.objects.count() == 1
