"""Contacts: services (primary flag, validation, duplicates, versions, audit, atomicity), the REST
API (every endpoint and error status) and the HTML pages."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client

from clientpm.core.errors import StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers import services
from clientpm.customers.filters import ContactFilters
from clientpm.customers.models import Contact, Interaction
from clientpm.customers.queries import contact_list
from clientpm.customers.services import (
    DuplicateContactError,
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    interaction_create,
)

BAD_PHONE = "Enter a phone number such as 13812345678, 021-12345678 or +44 20 7946 0000."


def records(obj_or_model, obj_id=None):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    obj_id = obj_id if obj_id is not None or isinstance(obj_or_model, type) else obj_or_model.pk
    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id")
    return list(qs if obj_id is None else qs.filter(object_id=obj_id))


def make_customer(actor, name, **fields):
    fields.setdefault("owner", actor)
    return customer_create(actor=actor, name=name, allow_duplicates=True, **fields)


@pytest.fixture
def own(account_manager):
    """A customer of the account manager, with the team member on its team."""
    return make_customer(account_manager, "甲公司")


@pytest.fixture
def foreign(other_manager):
    """A customer the account manager cannot see."""
    return make_customer(other_manager, "丙公司")


# --- services -------------------------------------------------------------------------------------


def test_create_records_every_field(account_manager, own):
    contact = contact_create(
        actor=account_manager, customer=own, name=" 王敏 ", title="CIO", mobile="13812345678", email="wm@a.cn"
    )
    contact.refresh_from_db()
    assert (contact.name, contact.version, contact.customer_id) == ("王敏", 1, own.pk)
    [record] = records(contact)
    assert record.action == "create"
    assert record.actor == account_manager
    assert record.changes["name"] == [None, "王敏"]
    assert record.changes["mobile"] == [None, "13812345678"]
    assert record.changes["customer"] == [None, own.pk]


def test_update_records_old_and_new_values_and_bumps_version(account_manager, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏", title="CIO")
    updated = contact_update(actor=account_manager, contact=contact, version=1, title="CTO", department="IT")
    assert updated.version == 2
    update = records(contact)[-1]
    assert update.action == "update"
    assert update.changes == {"title": ["CIO", "CTO"], "department": ["", "IT"]}


def test_stale_version_is_refused_and_nothing_changes(account_manager, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    contact_update(actor=account_manager, contact=contact, version=1, title="CTO")
    with pytest.raises(StaleVersionError) as info:
        contact_update(actor=account_manager, contact=contact, version=1, title="CEO")
    assert info.value.current_version == 2
    contact.refresh_from_db()
    assert contact.title == "CTO"


def test_making_a_contact_primary_clears_the_previous_primary(account_manager, own, foreign, other_manager):
    first = contact_create(actor=account_manager, customer=own, name="王敏", is_primary=True)
    elsewhere = contact_create(actor=other_manager, customer=foreign, name="赵六", is_primary=True)
    second = contact_create(actor=account_manager, customer=own, name="李雷", is_primary=True)
    first.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (first.is_primary, first.version) == (False, 2)
    assert second.is_primary is True
    assert elsewhere.is_primary is True  # another customer's primary is untouched
    assert records(first)[-1].changes == {"is_primary": [True, False]}
    # and back again through an update
    contact_update(actor=account_manager, contact=first, version=2, is_primary=True)
    second.refresh_from_db()
    assert second.is_primary is False
    assert Contact.objects.filter(customer=own, is_primary=True).get() == first


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", BAD_PHONE),
        ("phone", "call me", BAD_PHONE),
        ("email", "not-an-email", "Enter a valid email address."),
    ],
)
def test_invalid_fields_are_field_errors_and_nothing_is_saved(account_manager, own, field, value, message):
    with pytest.raises(ValidationError) as info:
        contact_create(actor=account_manager, customer=own, name="王敏", **{field: value})
    assert info.value.message_dict == {field: [message]}
    assert Contact.objects.count() == 0
    assert records(Contact) == []


def test_unknown_fields_are_refused(account_manager, own):
    with pytest.raises(ValidationError) as info:
        contact_create(actor=account_manager, customer=own, name="王敏", customer_id=3)
    assert info.value.message_dict == {"customer_id": ["Unknown field."]}


def test_same_email_or_mobile_warns_until_confirmed(account_manager, own, foreign, other_manager):
    contact_create(
        actor=other_manager, customer=foreign, name="赵六", email="Zl@Example.cn", mobile="13812345678"
    )
    with pytest.raises(DuplicateContactError) as info:
        contact_create(actor=account_manager, customer=own, name="赵 六", email="zl@example.cn")
    assert info.value.reasons == [f"{foreign.code} 赵六: same e-mail"]
    with pytest.raises(DuplicateContactError) as info:
        contact_create(actor=account_manager, customer=own, name="Z", mobile="+86 138 1234 5678")
    assert info.value.reasons == [f"{foreign.code} 赵六: same mobile"]
    assert Contact.objects.count() == 1
    confirmed = contact_create(
        actor=account_manager, customer=own, name="赵 六", email="zl@example.cn", allow_duplicates=True
    )
    assert confirmed.pk is not None
    assert Contact.objects.count() == 2


def test_a_failing_write_leaves_nothing_behind(account_manager, own, monkeypatch):
    """The previous primary was already cleared when the audit write fails: the rollback restores it."""
    first = contact_create(actor=account_manager, customer=own, name="王敏", is_primary=True)

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services.contacts, "record_create", broken)
    with pytest.raises(RuntimeError):
        contact_create(actor=account_manager, customer=own, name="李雷", is_primary=True)
    first.refresh_from_db()
    assert (first.is_primary, first.version) == (True, 1)
    assert list(Contact.objects.values_list("name", flat=True)) == ["王敏"]
    assert len(records(Contact)) == 1


def test_delete_records_last_values_and_keeps_interactions(account_manager, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏", title="CIO")
    other = contact_create(actor=account_manager, customer=own, name="李雷")
    interaction = interaction_create(
        actor=account_manager, customer=own, kind="call", summary="s", contacts=[contact, other]
    )
    contact_delete(actor=account_manager, contact=contact, version=1)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    deleted = records(Contact, contact.pk)[-1]
    assert deleted.action == "delete"
    assert deleted.changes["title"] == ["CIO", None]
    assert list(Interaction.objects.get(pk=interaction.pk).contacts.all()) == [other]


def test_delete_with_stale_version_is_refused(account_manager, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    contact_update(actor=account_manager, contact=contact, version=1, title="x")
    with pytest.raises(StaleVersionError):
        contact_delete(actor=account_manager, contact=contact, version=1)
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_contact_list_is_scoped_and_filtered(
    account_manager, executive, team_member, own, foreign, other_manager
):
    a = contact_create(
        actor=account_manager, customer=own, name="王敏", buying_role="decision_maker", is_primary=True
    )
    b = contact_create(actor=account_manager, customer=own, name="李雷", email="lilei@a.cn")
    c = contact_create(actor=other_manager, customer=foreign, name="赵六")

    def names(user, **filters):
        return [x.name for x in contact_list(user=user, filters=ContactFilters(**filters))]

    assert names(account_manager) == ["李雷", "王敏"]
    assert names(executive) == ["李雷", "王敏", "赵六"]
    assert names(team_member) == []  # not on the team of any customer
    assert names(account_manager, q="lilei") == ["李雷"]
    assert names(account_manager, buying_role="decision_maker") == ["王敏"]
    assert names(account_manager, is_primary=False) == ["李雷"]
    assert names(executive, customer=foreign.pk) == ["赵六"]
    assert names(account_manager, customer=foreign.pk) == []
    assert {a.pk, b.pk, c.pk} == set(Contact.objects.values_list("pk", flat=True))


# --- API ------------------------------------------------------------------------------------------


def test_api_list_filters_scope_and_query_count(
    api, account_manager, own, foreign, other_manager, django_assert_max_num_queries
):
    for i in range(6):
        contact_create(
            actor=account_manager, customer=own, name=f"联系人{i}", buying_role="user" if i % 2 else ""
        )
    contact_create(actor=other_manager, customer=foreign, name="赵六")
    client = api(account_manager)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/contacts?page_size=4").json()
    assert body["count"] == 6
    assert [c["name"] for c in body["items"]] == ["联系人0", "联系人1", "联系人2", "联系人3"]
    assert body["items"][0]["customer"] == {"id": own.pk, "code": own.code, "name": own.name}
    assert client.get("/api/v1/contacts?buying_role=user").json()["count"] == 3
    assert client.get("/api/v1/contacts?q=联系人5").json()["count"] == 1
    assert client.get(f"/api/v1/contacts?customer={foreign.pk}").json()["count"] == 0
    assert client.get("/api/v1/contacts?is_primary=true").json()["count"] == 0
    bad = client.get("/api/v1/contacts?buying_role=boss")
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["buying_role"]


def test_api_create_nested_and_flat(api, account_manager, own):
    client = api(account_manager)
    nested = client.post(
        f"/api/v1/customers/{own.pk}/contacts",
        {"name": "王敏", "mobile": "13812345678", "is_primary": True},
        content_type="application/json",
    )
    assert nested.status_code == 201, nested.content
    assert nested.json()["customer"]["id"] == own.pk
    assert nested.json()["is_primary"] is True
    flat = client.post(
        "/api/v1/contacts",
        {"customer_id": own.pk, "name": "李雷", "is_primary": True},
        content_type="application/json",
    )
    assert flat.status_code == 201, flat.content
    assert Contact.objects.get(name="王敏").is_primary is False
    assert records(Contact, flat.json()["id"])[0].source == "api"


def test_api_create_bad_input_is_422(api, account_manager, own):
    client = api(account_manager)
    response = client.post(
        f"/api/v1/customers/{own.pk}/contacts",
        {"name": "王敏", "mobile": "12"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "The request has invalid fields.", "errors": {"mobile": [BAD_PHONE]}}
    missing = client.post("/api/v1/contacts", {"name": "王敏"}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"customer_id": ["This field is required."]}
    empty = client.post(f"/api/v1/customers/{own.pk}/contacts", {"name": ""}, content_type="application/json")
    assert empty.status_code == 422
    assert list(empty.json()["errors"]) == ["name"]
    assert Contact.objects.count() == 0


def test_api_create_duplicate_is_409_until_confirmed(api, account_manager, own):
    contact_create(actor=account_manager, customer=own, name="王敏", email="wm@a.cn")
    client = api(account_manager)
    url = f"/api/v1/customers/{own.pk}/contacts"
    response = client.post(url, {"name": "王敏二", "email": "WM@a.cn"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["reasons"] == [f"{own.code} 王敏: same e-mail"]
    again = client.post(
        url + "?allow_duplicates=true",
        {"name": "王敏二", "email": "WM@a.cn"},
        content_type="application/json",
    )
    assert again.status_code == 201


def test_api_unauthenticated_is_401(db, own):
    client = Client()
    assert client.get("/api/v1/contacts").status_code == 401
    response = client.post(
        f"/api/v1/customers/{own.pk}/contacts", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication required."


def test_api_forbidden_is_403_and_out_of_scope_is_404(
    api, account_manager, team_member, own, foreign, other_manager
):
    services.customer_update(actor=account_manager, customer=own, version=1, team=[team_member])
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    hidden = contact_create(actor=other_manager, customer=foreign, name="赵六")
    member = api(team_member)
    assert member.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    body = {"name": "x"}
    assert (
        member.post(f"/api/v1/customers/{own.pk}/contacts", body, content_type="application/json").status_code
        == 403
    )
    assert (
        member.patch(
            f"/api/v1/contacts/{contact.pk}", {"version": 1, "title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert member.delete(f"/api/v1/contacts/{contact.pk}").status_code == 403
    manager = api(account_manager)
    for response in (
        manager.get(f"/api/v1/contacts/{hidden.pk}"),
        manager.patch(
            f"/api/v1/contacts/{hidden.pk}", {"version": 1, "title": "x"}, content_type="application/json"
        ),
        manager.delete(f"/api/v1/contacts/{hidden.pk}"),
        manager.post(f"/api/v1/customers/{foreign.pk}/contacts", body, content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": {}}
    flat = manager.post(
        "/api/v1/contacts", {"customer_id": foreign.pk, "name": "x"}, content_type="application/json"
    )
    assert flat.status_code == 422
    assert flat.json()["errors"] == {"customer_id": ["Unknown customer."]}
    hidden.refresh_from_db()
    assert hidden.title == ""
    assert Contact.objects.count() == 2


def test_api_update_and_stale_version(api, account_manager, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    client = api(account_manager)
    url = f"/api/v1/contacts/{contact.pk}"
    ok = client.patch(url, {"version": 1, "title": "CTO"}, content_type="application/json")
    assert ok.status_code == 200
    assert (ok.json()["title"], ok.json()["version"]) == ("CTO", 2)
    stale = client.patch(url, {"version": 1, "title": "CEO"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert list(stale.json()["errors"]) == ["version"]
    null = client.patch(url, {"version": 2, "name": None}, content_type="application/json")
    assert null.status_code == 422
    assert list(null.json()["errors"]) == ["name"]
    bad = client.patch(url, {"version": 2, "email": "nope"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"email": ["Enter a valid email address."]}
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("CTO", 2)


def test_api_delete(api, account_manager, own):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    contact_update(actor=account_manager, contact=contact, version=1, title="x")
    client = api(account_manager)
    assert client.delete(f"/api/v1/contacts/{contact.pk}?version=1").status_code == 409
    assert client.delete(f"/api/v1/contacts/{contact.pk}?version=2").status_code == 204
    assert not Contact.objects.exists()
    assert client.get(f"/api/v1/contacts/{contact.pk}").status_code == 404


# --- pages ----------------------------------------------------------------------------------------


def test_contact_list_page(web, account_manager, own, foreign, other_manager, django_assert_max_num_queries):
    for i in range(5):
        contact_create(actor=account_manager, customer=own, name=f"联系人{i}", email=f"c{i}@a.cn")
    contact_create(actor=other_manager, customer=foreign, name="赵六")
    client = web(account_manager)
    with django_assert_max_num_queries(12):
        page = client.get("/customers/contacts/").content.decode()
    assert "联系人4" in page
    assert "赵六" not in page
    assert 'href="/customers/contacts/"' in page  # the sidebar link
    filtered = client.get("/customers/contacts/?q=c3@", headers={"HX-Request": "true"}).content.decode()
    assert "联系人3" in filtered
    assert "联系人2" not in filtered
    assert "<html" not in filtered  # HTMX gets only the table


def test_empty_contact_list_offers_the_first_action(web, account_manager):
    page = web(account_manager).get("/customers/contacts/").content.decode()
    assert "Add your first contact" in page


def test_add_contact_from_the_customer_page(web, account_manager, own):
    client = web(account_manager)
    detail = client.get(f"/customers/{own.pk}/").content.decode()
    assert f'href="/customers/{own.pk}/contacts/new/"' in detail
    response = client.post(
        f"/customers/{own.pk}/contacts/new/",
        {"name": "王敏", "mobile": "13812345678", "engagement_level": "high", "is_primary": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{own.pk}/"
    contact = Contact.objects.get()
    assert (contact.customer_id, contact.is_primary, contact.engagement_level) == (own.pk, True, "high")
    assert records(contact)[0].source == "ui"
    detail = client.get(f"/customers/{own.pk}/").content.decode()
    assert "13812345678" in detail
    assert f"/customers/contacts/{contact.pk}/edit/" in detail


def test_contact_form_shows_field_errors_and_keeps_input(web, account_manager, own):
    response = web(account_manager).post(
        f"/customers/{own.pk}/contacts/new/", {"name": "王敏", "mobile": "12", "engagement_level": "high"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert BAD_PHONE in page
    assert 'value="王敏"' in page
    assert 'value="12"' in page
    assert Contact.objects.count() == 0


def test_global_create_picks_only_visible_customers(web, account_manager, own, foreign):
    client = web(account_manager)
    page = client.get("/customers/contacts/new/").content.decode()
    assert own.name in page
    assert foreign.name not in page
    refused = client.post(
        "/customers/contacts/new/", {"customer": foreign.pk, "name": "x", "engagement_level": "low"}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    ok = client.post("/customers/contacts/new/", {"customer": own.pk, "name": "x", "engagement_level": "low"})
    assert ok.status_code == 302
    assert Contact.objects.get().customer == own


def test_duplicate_warning_then_confirm(web, account_manager, own):
    contact_create(actor=account_manager, customer=own, name="王敏", email="wm@a.cn")
    client = web(account_manager)
    data = {"name": "王敏", "email": "wm@a.cn", "engagement_level": "medium"}
    first = client.post(f"/customers/{own.pk}/contacts/new/", data)
    assert first.status_code == 200
    assert 'data-testid="duplicate-warning"' in first.content.decode()
    assert Contact.objects.count() == 1
    second = client.post(f"/customers/{own.pk}/contacts/new/", {**data, "allow_duplicates": "on"})
    assert second.status_code == 302
    assert Contact.objects.count() == 2


def test_edit_and_delete_pages(web, account_manager, own, team_member):
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    client = web(account_manager)
    assert client.get(f"/customers/contacts/{contact.pk}/edit/").status_code == 200
    stale = client.post(
        f"/customers/contacts/{contact.pk}/edit/",
        {"name": "王敏", "title": "CTO", "engagement_level": "low", "version": 7},
    )
    assert "changed by someone else" in stale.content.decode()
    ok = client.post(
        f"/customers/contacts/{contact.pk}/edit/",
        {"name": "王敏", "title": "CTO", "engagement_level": "low", "version": 1},
    )
    assert ok.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("CTO", 2)
    confirm = client.get(f"/customers/contacts/{contact.pk}/delete/").content.decode()
    assert "Delete the contact 王敏" in confirm
    assert client.post(f"/customers/contacts/{contact.pk}/delete/").status_code == 302
    assert not Contact.objects.exists()


def test_pages_refuse_out_of_scope_and_forbidden(
    web, account_manager, team_member, own, foreign, other_manager
):
    services.customer_update(actor=account_manager, customer=own, version=1, team=[team_member])
    contact = contact_create(actor=account_manager, customer=own, name="王敏")
    hidden = contact_create(actor=other_manager, customer=foreign, name="赵六")
    assert web(account_manager).get(f"/customers/contacts/{hidden.pk}/edit/").status_code == 404
    assert web(account_manager).get(f"/customers/{foreign.pk}/contacts/new/").status_code == 404
    member = web(team_member)
    assert "王敏" in member.get("/customers/contacts/").content.decode()
    assert member.get(f"/customers/contacts/{contact.pk}/edit/").status_code == 403
    assert member.post(f"/customers/contacts/{contact.pk}/delete/").status_code == 403
    assert member.get(f"/customers/{own.pk}/contacts/new/").status_code == 403
    assert "Add contact" not in member.get(f"/customers/{own.pk}/").content.decode()
