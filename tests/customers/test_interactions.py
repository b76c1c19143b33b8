"""Interactions and follow-ups: services (contacts of the same customer, owner default, the derived
last-interaction time, follow-up completion, versions, audit, atomicity), the REST API and pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers import services
from clientpm.customers.models import Customer, Interaction
from clientpm.customers.queries import follow_up_list
from clientpm.customers.services import (
    contact_create,
    customer_create,
    customer_update,
    interaction_complete_follow_up,
    interaction_create,
    interaction_delete,
    interaction_update,
)

T1 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)
T0 = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)


def records(model, obj_id=None):
    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id")
    return list(qs if obj_id is None else qs.filter(object_id=obj_id))


def make_customer(actor, name, **fields):
    fields.setdefault("owner", actor)
    return customer_create(actor=actor, name=name, allow_duplicates=True, **fields)


def last_interaction(customer):
    return Customer.objects.values_list("last_interaction_at", flat=True).get(pk=customer.pk)


@pytest.fixture
def own(account_manager):
    return make_customer(account_manager, "甲公司")


@pytest.fixture
def foreign(other_manager):
    return make_customer(other_manager, "丙公司")


def log(actor, customer, **fields):
    fields.setdefault("kind", "call")
    fields.setdefault("summary", "谈了需求")
    return interaction_create(actor=actor, customer=customer, **fields)


# --- services -------------------------------------------------------------------------------------


def test_create_defaults_owner_and_sets_last_interaction(account_manager, team_member, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    interaction = log(account_manager, own, occurred_at=T1, contacts=[contact], participants=[team_member])
    assert interaction.owner == account_manager
    assert list(interaction.contacts.all()) == [contact]
    assert last_interaction(own) == T1
    [record] = records(Interaction, interaction.pk)
    assert record.action == "create"
    assert record.changes["contacts"] == [None, [contact.pk]]
    assert record.changes["participants"] == [None, [team_member.pk]]
    assert record.changes["owner"] == [None, account_manager.pk]
    # the derived field is neither a customer edit nor audited
    own.refresh_from_db()
    assert own.version == 1
    assert [r.action for r in records(Customer, own.pk)] == ["create"]


def test_occurred_at_defaults_to_now(account_manager, own):
    before = timezone.now()
    interaction = log(account_manager, own)
    assert before <= interaction.occurred_at <= timezone.now()


def test_contacts_of_another_customer_are_a_field_error(account_manager, own, other_manager, foreign):
    stranger = contact_create(actor=other_manager, customer=foreign, name="赵六")
    with pytest.raises(ValidationError) as info:
        log(account_manager, own, contacts=[stranger])
    assert info.value.message_dict == {"contacts": ["These contacts do not belong to this customer: 赵六"]}
    assert Interaction.objects.count() == 0
    assert last_interaction(own) is None


def test_bad_kind_is_a_field_error(account_manager, own):
    with pytest.raises(ValidationError) as info:
        log(account_manager, own, kind="telepathy")
    assert list(info.value.message_dict) == ["kind"]


def test_last_interaction_follows_updates_and_deletes(account_manager, own):
    first = log(account_manager, own, occurred_at=T1)
    second = log(account_manager, own, occurred_at=T2)
    assert last_interaction(own) == T2
    interaction_update(actor=account_manager, interaction=second, version=1, occurred_at=T0)
    assert last_interaction(own) == T1
    interaction_delete(actor=account_manager, interaction=first)
    assert last_interaction(own) == T0
    interaction_delete(actor=account_manager, interaction=second)
    assert last_interaction(own) is None
    own.refresh_from_db()
    assert own.version == 1


def test_update_records_changes_and_refuses_stale_version(account_manager, own):
    a = contact_create(actor=account_manager, customer=own, name="王敏")
    b = contact_create(actor=account_manager, customer=own, name="李雷")
    interaction = log(account_manager, own, occurred_at=T1, contacts=[a])
    updated = interaction_update(
        actor=account_manager, interaction=interaction, version=1, summary="新的摘要", contacts=[b]
    )
    assert updated.version == 2
    assert records(Interaction, interaction.pk)[-1].changes == {
        "contacts": [[a.pk], [b.pk]],
        "summary": ["谈了需求", "新的摘要"],
    }
    with pytest.raises(StaleVersionError):
        interaction_update(actor=account_manager, interaction=interaction, version=1, summary="x")
    interaction.refresh_from_db()
    assert interaction.summary == "新的摘要"


def test_complete_follow_up(account_manager, own):
    interaction = log(account_manager, own, next_step="发报价", follow_up_date=date(2025, 3, 10))
    done = interaction_complete_follow_up(actor=account_manager, interaction=interaction)
    assert (done.follow_up_done, done.version) == (True, 2)
    assert records(Interaction, interaction.pk)[-1].changes == {"follow_up_done": [False, True]}
    again = interaction_complete_follow_up(actor=account_manager, interaction=interaction)
    assert again.version == 2  # nothing changed the second time
    assert len(records(Interaction, interaction.pk)) == 2
    without = log(account_manager, own)
    with pytest.raises(ConflictError):
        interaction_complete_follow_up(actor=account_manager, interaction=without)


def test_a_failing_write_leaves_nothing_behind(account_manager, own, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services.interactions, "record_create", broken)
    with pytest.raises(RuntimeError):
        log(account_manager, own, occurred_at=T1)
    assert Interaction.objects.count() == 0
    assert last_interaction(own) is None


def test_my_follow_ups_are_mine_open_and_overdue_first(
    account_manager, other_manager, own, foreign, django_assert_num_queries
):
    today = timezone.localdate()
    later = log(account_manager, own, follow_up_date=today + timedelta(days=3), next_step="later")
    overdue = log(account_manager, own, follow_up_date=today - timedelta(days=2), next_step="overdue")
    due_today = log(account_manager, own, follow_up_date=today, next_step="today")
    done = log(account_manager, own, follow_up_date=today - timedelta(days=5))
    interaction_complete_follow_up(actor=account_manager, interaction=done)
    log(account_manager, own)  # no follow-up
    log(other_manager, foreign, follow_up_date=today - timedelta(days=9))  # someone else's
    # assigned to the account manager but on a customer they cannot see: invisible
    log(other_manager, foreign, follow_up_date=today - timedelta(days=9), owner=account_manager)
    with django_assert_num_queries(5):  # perms (2), scope+rows, contacts, participants
        rows = [(i.pk, i.is_overdue, i.customer.code) for i in follow_up_list(user=account_manager)]
    assert rows == [
        (overdue.pk, True, own.code),
        (due_today.pk, False, own.code),
        (later.pk, False, own.code),
    ]


# --- API ------------------------------------------------------------------------------------------


def test_api_list_filters_and_query_count(
    api, account_manager, team_member, own, foreign, other_manager, django_assert_max_num_queries
):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    for i in range(6):
        log(
            account_manager,
            own,
            kind="visit" if i % 2 else "call",
            occurred_at=T1 + timedelta(days=i),
            contacts=[contact],
            participants=[team_member],
            follow_up_date=date(2025, 4, 1 + i),
        )
    second = make_customer(account_manager, "乙公司")
    log(account_manager, second, occurred_at=T0, owner=team_member)
    log(other_manager, foreign, occurred_at=T2)
    client = api(account_manager)
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/interactions?page_size=5").json()
    assert body["count"] == 7
    first = body["items"][0]
    assert first["occurred_at"].startswith("2025-03-06T")
    assert first["contacts"] == [{"id": contact.pk, "name": "王敏"}]
    assert [p["id"] for p in first["participants"]] == [team_member.pk]
    assert first["customer"]["code"] == own.code

    def count(query):
        return client.get(f"/api/v1/interactions?{query}").json()["count"]

    assert count(f"customer={second.pk}") == 1
    assert count("kind=visit") == 3
    assert count(f"owner={team_member.pk}") == 1
    assert count("follow_up_before=2025-04-02") == 2
    assert count("open_only=true") == 6
    bad = client.get("/api/v1/interactions?follow_up_before=tomorrow")
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["follow_up_before"]


def test_api_my_follow_ups(api, account_manager, own):
    today = timezone.localdate()
    later = log(account_manager, own, follow_up_date=today + timedelta(days=1))
    overdue = log(account_manager, own, follow_up_date=today - timedelta(days=1))
    body = api(account_manager).get("/api/v1/me/follow-ups").json()
    assert [i["id"] for i in body["items"]] == [overdue.pk, later.pk]


def test_api_create_nested_and_flat(api, account_manager, team_member, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    client = api(account_manager)
    nested = client.post(
        f"/api/v1/customers/{own.pk}/interactions",
        {
            "kind": "meeting",
            "occurred_at": "2025-03-01T09:00:00Z",
            "summary": "启动会",
            "contact_ids": [contact.pk],
            "participant_ids": [team_member.pk],
            "follow_up_date": "2025-03-08",
        },
        content_type="application/json",
    )
    assert nested.status_code == 201, nested.content
    body = nested.json()
    assert body["owner"]["id"] == account_manager.pk
    assert body["contacts"] == [{"id": contact.pk, "name": "王敏"}]
    assert last_interaction(own) == T1
    flat = client.post(
        "/api/v1/interactions",
        {"customer_id": own.pk, "kind": "note", "summary": "备注", "owner_id": team_member.pk},
        content_type="application/json",
    )
    assert flat.status_code == 201, flat.content
    assert flat.json()["owner"]["id"] == team_member.pk


def test_api_create_bad_input_is_422(api, account_manager, own, other_manager, foreign):
    stranger = contact_create(actor=other_manager, customer=foreign, name="赵六")
    mine_elsewhere = contact_create(
        actor=account_manager, customer=make_customer(account_manager, "乙公司"), name="李雷"
    )
    client = api(account_manager)
    url = f"/api/v1/customers/{own.pk}/interactions"
    cases = [
        ({"kind": "telepathy", "summary": "x"}, ["kind"]),
        ({"kind": "call"}, ["summary"]),
        ({"kind": "call", "summary": "x", "contact_ids": [stranger.pk]}, ["contact_ids"]),
        ({"kind": "call", "summary": "x", "contact_ids": [mine_elsewhere.pk]}, ["contacts"]),
        ({"kind": "call", "summary": "x", "participant_ids": [99999]}, ["participant_ids"]),
    ]
    for payload, fields in cases:
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert response.json()["detail"] == "The request has invalid fields."
        assert list(response.json()["errors"]) == fields, payload
    assert Interaction.objects.count() == 0


def test_api_statuses_401_403_404_409(api, account_manager, team_member, own, foreign, other_manager):
    customer_update(actor=account_manager, customer=own, version=1, team=[team_member])
    mine = log(account_manager, own, follow_up_date=date(2025, 3, 1))
    hidden = log(other_manager, foreign)
    assert Client().get("/api/v1/interactions").status_code == 401
    assert Client().get("/api/v1/me/follow-ups").status_code == 401
    member = api(team_member)
    assert member.get(f"/api/v1/interactions/{mine.pk}").status_code == 200
    body = {"kind": "call", "summary": "x"}
    assert (
        member.post(
            f"/api/v1/customers/{own.pk}/interactions", body, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        member.patch(
            f"/api/v1/interactions/{mine.pk}", {"version": 1}, content_type="application/json"
        ).status_code
        == 403
    )
    assert member.post(f"/api/v1/interactions/{mine.pk}/complete-follow-up").status_code == 403
    assert member.delete(f"/api/v1/interactions/{mine.pk}").status_code == 403
    manager = api(account_manager)
    for response in (
        manager.get(f"/api/v1/interactions/{hidden.pk}"),
        manager.patch(
            f"/api/v1/interactions/{hidden.pk}",
            {"version": 1, "summary": "y"},
            content_type="application/json",
        ),
        manager.post(f"/api/v1/interactions/{hidden.pk}/complete-follow-up"),
        manager.delete(f"/api/v1/interactions/{hidden.pk}"),
        manager.post(f"/api/v1/customers/{foreign.pk}/interactions", body, content_type="application/json"),
    ):
        assert response.status_code == 404
    url = f"/api/v1/interactions/{mine.pk}"
    ok = manager.patch(
        url, {"version": 1, "summary": "改了", "follow_up_date": None}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert (ok.json()["summary"], ok.json()["follow_up_date"], ok.json()["version"]) == ("改了", None, 2)
    stale = manager.patch(url, {"version": 1, "summary": "又改"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert (
        manager.patch(url, {"version": 2, "summary": None}, content_type="application/json").status_code
        == 422
    )
    # no follow-up any more: completing it is a forbidden transition
    no_follow_up = manager.post(f"{url}/complete-follow-up")
    assert no_follow_up.status_code == 409
    assert no_follow_up.json()["detail"] == "This interaction has no follow-up to complete."
    hidden.refresh_from_db()
    assert hidden.summary == "谈了需求"


def test_api_complete_and_delete(api, account_manager, own):
    interaction = log(account_manager, own, occurred_at=T1, follow_up_date=date(2025, 3, 2))
    client = api(account_manager)
    done = client.post(f"/api/v1/interactions/{interaction.pk}/complete-follow-up")
    assert done.status_code == 200
    assert done.json()["follow_up_done"] is True
    assert client.get("/api/v1/me/follow-ups").json()["count"] == 0
    assert client.delete(f"/api/v1/interactions/{interaction.pk}?version=1").status_code == 409
    assert client.delete(f"/api/v1/interactions/{interaction.pk}?version=2").status_code == 204
    assert last_interaction(own) is None


# --- pages ----------------------------------------------------------------------------------------


def test_interaction_list_page(
    web, account_manager, own, foreign, other_manager, django_assert_max_num_queries
):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    for i in range(5):
        log(account_manager, own, summary=f"摘要{i}", contacts=[contact], occurred_at=T1 + timedelta(hours=i))
    log(other_manager, foreign, summary="别人的")
    client = web(account_manager)
    with django_assert_max_num_queries(14):
        page = client.get("/customers/interactions/").content.decode()
    assert "摘要4" in page
    assert "别人的" not in page
    assert 'href="/customers/interactions/"' in page
    filtered = client.get("/customers/interactions/?q=摘要2", headers={"HX-Request": "true"}).content.decode()
    assert "摘要2" in filtered
    assert "摘要3" not in filtered


def test_log_interaction_from_the_customer_page(web, account_manager, own, other_manager, foreign):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    other_contact = contact_create(
        actor=account_manager, customer=make_customer(account_manager, "乙公司"), name="李雷"
    )
    client = web(account_manager)
    assert (
        f'href="/customers/{own.pk}/interactions/new/"'
        in client.get(f"/customers/{own.pk}/").content.decode()
    )
    form = client.get(f"/customers/{own.pk}/interactions/new/").content.decode()
    assert "王敏" in form
    assert "李雷" not in form  # only this customer's contacts are offered
    response = client.post(
        f"/customers/{own.pk}/interactions/new/",
        {
            "kind": "visit",
            "occurred_at": "2025-03-01T17:00",
            "summary": "拜访",
            "contacts": [contact.pk],
            "owner": account_manager.pk,
            "follow_up_date": "2025-03-09",
            "next_step": "发方案",
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.occurred_at == T1  # 17:00 in Asia/Shanghai
    assert list(interaction.contacts.all()) == [contact]
    assert other_contact.pk not in interaction.contacts.values_list("pk", flat=True)
    detail = client.get(f"/customers/{own.pk}/").content.decode()
    assert "发方案" in detail


def test_interaction_form_shows_field_errors_and_keeps_input(web, account_manager, own):
    response = web(account_manager).post(
        f"/customers/{own.pk}/interactions/new/",
        {"kind": "visit", "occurred_at": "2025-03-01T17:00", "summary": "", "next_step": "记得回电"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert 'value="记得回电"' in page
    assert Interaction.objects.count() == 0


def test_global_log_refuses_contacts_of_another_customer(web, account_manager, own):
    second = make_customer(account_manager, "乙公司")
    stranger = contact_create(actor=account_manager, customer=second, name="李雷")
    response = web(account_manager).post(
        "/customers/interactions/new/",
        {
            "customer": own.pk,
            "kind": "call",
            "occurred_at": "2025-03-01T17:00",
            "summary": "x",
            "contacts": [stranger.pk],
        },
    )
    assert response.status_code == 200
    assert "These contacts do not belong to this customer: 李雷" in response.content.decode()
    assert Interaction.objects.count() == 0


def test_edit_and_delete_pages(web, account_manager, own):
    interaction = log(account_manager, own, occurred_at=T1)
    client = web(account_manager)
    assert client.get(f"/customers/interactions/{interaction.pk}/edit/").status_code == 200
    data = {"kind": "call", "occurred_at": "2025-03-05T22:30", "summary": "改了", "version": 1}
    assert client.post(f"/customers/interactions/{interaction.pk}/edit/", data).status_code == 302
    assert last_interaction(own) == T2
    assert (
        "changed by someone else"
        in client.post(f"/customers/interactions/{interaction.pk}/edit/", data).content.decode()
    )
    assert client.get(f"/customers/interactions/{interaction.pk}/delete/").status_code == 200
    assert client.post(f"/customers/interactions/{interaction.pk}/delete/").status_code == 302
    assert not Interaction.objects.exists()


def test_my_follow_ups_page_and_htmx_done(web, account_manager, own, team_member):
    today = timezone.localdate()
    later = log(account_manager, own, follow_up_date=today + timedelta(days=2), next_step="第二件事")
    overdue = log(account_manager, own, follow_up_date=today - timedelta(days=2), next_step="第一件事")
    client = web(account_manager)
    page = client.get("/customers/follow-ups/").content.decode()
    assert page.index("第一件事") < page.index("第二件事")
    assert "Overdue" in page
    response = client.post(f"/customers/interactions/{overdue.pk}/done/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<tr id="follow-up-{overdue.pk}"')
    assert 'data-testid="follow-up-done"' in fragment
    overdue.refresh_from_db()
    assert overdue.follow_up_done is True
    page = client.get("/customers/follow-ups/").content.decode()
    assert "第一件事" not in page
    assert "第二件事" in page
    plain = client.post(f"/customers/interactions/{later.pk}/done/")
    assert plain.status_code == 302
    assert "Nothing to follow up" in client.get("/customers/follow-ups/").content.decode()
    customer_update(actor=account_manager, customer=own, version=1, team=[team_member])
    assert web(team_member).post(f"/customers/interactions/{later.pk}/done/").status_code == 403
