"""Customer services and scoping: codes, validation, duplicates, versions, archive, delete, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientpm.core.audit import audit_source
from clientpm.core.errors import StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers.filters import CustomerFilters
from clientpm.customers.models import Contact, Customer, Interaction, Tag
from clientpm.customers.queries import customer_duplicates, customer_get, customer_list, customer_scope
from clientpm.customers.services import (
    DuplicateCustomerError,
    customer_create,
    customer_delete,
    customer_set_archived,
    customer_update,
)

CREDIT = "91350100M000100Y43"
DUPLICATE_CREDIT = "Another customer already has this unified social credit code."


def records(model, obj_id=None):
    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id")
    return list(qs if obj_id is None else qs.filter(object_id=obj_id))


def make(actor, name, **fields):
    fields.setdefault("owner", actor)
    return customer_create(actor=actor, name=name, allow_duplicates=True, **fields)


# --- create ---------------------------------------------------------------------------------


def test_codes_are_allocated_in_sequence(account_manager):
    codes = [make(account_manager, f"客户{i}").code for i in range(3)]
    assert codes == ["C-000001", "C-000002", "C-000003"]


def test_create_records_every_field(account_manager):
    with audit_source("api"):
        customer = customer_create(
            actor=account_manager,
            name="  华东示例科技有限公司 ",
            credit_code="91350100m000100y43",
            phone="021-12345678",
            province="31",
            owner=account_manager,
            tags=["VIP", " 制造 ", ""],
        )
    customer.refresh_from_db()
    assert customer.name == "华东示例科技有限公司"
    assert customer.credit_code == CREDIT
    assert customer.version == 1
    assert sorted(t.name for t in customer.tags.all()) == ["VIP", "制造"]
    [record] = records(Customer)
    assert record.action == "create"
    assert record.source == "api"
    assert record.actor == account_manager
    assert record.object_id == customer.pk
    assert record.object_repr == "C-000001 华东示例科技有限公司"
    assert record.changes == {
        "address": [None, ""],
        "city": [None, ""],
        "code": [None, "C-000001"],
        "credit_code": [None, CREDIT],
        "email": [None, ""],
        "industry": [None, ""],
        "is_archived": [None, False],
        "kind": [None, "company"],
        "lifecycle_stage": [None, "potential"],
        "name": [None, "华东示例科技有限公司"],
        "name_normalized": [None, "华东示例科技"],
        "notes": [None, ""],
        "owner": [None, account_manager.pk],
        "phone": [None, "021-12345678"],
        "province": [None, "31"],
        "short_name": [None, ""],
        "size_band": [None, ""],
        "source": [None, ""],
        "tags": [None, ["VIP", "制造"]],
        "team": [None, []],
        "tier": [None, "standard"],
        "website": [None, ""],
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        (
            {"phone": "12345678901"},
            "phone",
            "Enter a phone number such as 13812345678, 021-12345678 or +44 20 7946 0000.",
        ),
        (
            {"credit_code": "91350100M000100Y44"},
            "credit_code",
            "The check digit of this unified social credit code is wrong; please check for a typo.",
        ),
        ({"lifecycle_stage": "bogus"}, "lifecycle_stage", "Value 'bogus' is not a valid choice."),
        ({"name": "   "}, "name", "This field cannot be blank."),
        ({"website": "not a url"}, "website", "Enter a valid URL."),
    ],
)
def test_invalid_create_leaves_nothing(account_manager, fields, field, message):
    fields = {"name": "示例", **fields}
    with pytest.raises(ValidationError) as info:
        customer_create(actor=account_manager, tags=["VIP"], **fields)
    assert info.value.message_dict == {field: [message]}
    assert Customer.objects.count() == 0
    assert records(Customer) == []
    assert Tag.objects.count() == 0
    # the failed attempt did not use up a code
    assert make(account_manager, "示例").code == "C-000001"


def test_unknown_field_is_refused(account_manager):
    with pytest.raises(ValidationError) as info:
        customer_create(actor=account_manager, name="示例", code="C-999999")
    assert info.value.message_dict == {"code": ["Unknown field."]}


def test_credit_code_must_be_unique(account_manager):
    make(account_manager, "甲公司", credit_code=CREDIT)
    with pytest.raises(ValidationError) as info:
        make(account_manager, "乙公司", credit_code=CREDIT.lower())
    assert info.value.message_dict == {"credit_code": [DUPLICATE_CREDIT]}
    assert Customer.objects.count() == 1


def test_update_to_a_taken_credit_code_is_refused(account_manager):
    make(account_manager, "甲公司", credit_code=CREDIT)
    other = make(account_manager, "乙公司")
    with pytest.raises(ValidationError) as info:
        customer_update(actor=account_manager, customer=other, version=1, credit_code=CREDIT)
    assert info.value.message_dict == {"credit_code": [DUPLICATE_CREDIT]}
    other.refresh_from_db()
    assert (other.credit_code, other.version) == ("", 1)
    # keeping its own code is fine
    first = Customer.objects.get(name="甲公司")
    customer_update(actor=account_manager, customer=first, version=1, credit_code=CREDIT, city="福州")


def test_empty_credit_codes_do_not_collide(account_manager):
    make(account_manager, "甲公司")
    make(account_manager, "乙公司")
    assert Customer.objects.filter(credit_code="").count() == 2


# --- duplicates -----------------------------------------------------------------------------


def test_same_normalised_name_is_a_duplicate(account_manager):
    first = make(account_manager, "上海（浦东）示例科技有限公司")
    with pytest.raises(DuplicateCustomerError) as info:
        customer_create(actor=account_manager, name="上海(浦东)示例科技")
    assert [(m.customer.pk, m.reasons) for m in info.value.matches] == [(first.pk, ["same name"])]
    assert info.value.reasons == ["C-000001 上海（浦东）示例科技有限公司: same name"]
    assert Customer.objects.count() == 1
    assert len(records(Customer)) == 1


def test_same_phone_written_differently_is_a_duplicate(account_manager):
    first = make(account_manager, "甲公司", phone="138-1234-5678")
    with pytest.raises(DuplicateCustomerError) as info:
        customer_create(actor=account_manager, name="乙公司", phone="+86 13812345678")
    assert [(m.customer.pk, m.reasons) for m in info.value.matches] == [(first.pk, ["same phone"])]


def test_same_email_is_a_duplicate_ignoring_case(account_manager):
    first = make(account_manager, "甲公司", email="info@example.com")
    with pytest.raises(DuplicateCustomerError) as info:
        customer_create(actor=account_manager, name="乙公司", email="INFO@Example.com")
    assert [(m.customer.pk, m.reasons) for m in info.value.matches] == [(first.pk, ["same e-mail"])]


def test_contacts_email_and_mobile_count_as_duplicates(account_manager):
    first = make(account_manager, "甲公司")
    Contact.objects.create(customer=first, name="张三", email="zhang@example.com", mobile="139 1234 5678")
    with pytest.raises(DuplicateCustomerError) as info:
        customer_create(actor=account_manager, name="乙公司", email="zhang@example.com")
    assert [m.reasons for m in info.value.matches] == [["same e-mail"]]
    with pytest.raises(DuplicateCustomerError) as info:
        customer_create(actor=account_manager, name="丙公司", phone="13912345678")
    assert [(m.customer.pk, m.reasons) for m in info.value.matches] == [(first.pk, ["same phone"])]


def test_all_reasons_are_listed(account_manager):
    make(account_manager, "示例科技有限公司", phone="021-12345678", email="a@example.com")
    with pytest.raises(DuplicateCustomerError) as info:
        customer_create(actor=account_manager, name="示例科技", phone="02112345678", email="a@example.com")
    assert [m.reasons for m in info.value.matches] == [["same name", "same phone", "same e-mail"]]


def test_allow_duplicates_creates_anyway(account_manager):
    make(account_manager, "示例科技")
    second = customer_create(actor=account_manager, name="示例科技有限公司", allow_duplicates=True)
    assert second.code == "C-000002"


def test_different_customers_are_not_duplicates(account_manager):
    make(account_manager, "Costco", phone="021-12345678", email="a@example.com")
    assert customer_duplicates(name="Cost", phone="021-87654321", email="b@example.com") == []
    customer_create(actor=account_manager, name="Cost")


def test_punctuation_only_search_does_not_match_everything(account_manager):
    make(account_manager, "甲公司")
    assert list(customer_list(user=account_manager, filters=CustomerFilters(q="()"))) == []
    assert customer_duplicates(name="()") == []


# --- update, versions -----------------------------------------------------------------------


def test_update_records_old_and_new_values(account_manager, other_manager):
    customer = make(account_manager, "甲公司", tags=["VIP"])
    updated = customer_update(
        actor=account_manager,
        customer=customer,
        version=1,
        name="乙公司",
        lifecycle_stage="active",
        tags=["VIP", "制造"],
        team=[other_manager],
    )
    assert updated.version == 2
    _create, update = records(Customer, customer.pk)
    assert update.action == "update"
    assert update.actor == account_manager
    assert update.changes == {
        "lifecycle_stage": ["potential", "active"],
        "name": ["甲公司", "乙公司"],
        "name_normalized": ["甲", "乙"],
        "tags": [["VIP"], ["VIP", "制造"]],
        "team": [[], [other_manager.pk]],
    }
    customer.refresh_from_db()
    assert customer.name == "乙公司"
    assert list(customer.team.all()) == [other_manager]


def test_update_with_stale_version_is_refused(account_manager):
    customer = make(account_manager, "甲公司")
    customer_update(actor=account_manager, customer=customer, version=1, city="上海")
    with pytest.raises(StaleVersionError) as info:
        customer_update(actor=account_manager, customer=customer, version=1, city="北京")
    assert info.value.current_version == 2
    customer.refresh_from_db()
    assert customer.city == "上海"
    assert len(records(Customer, customer.pk)) == 2


def test_update_leaves_tags_and_team_alone_unless_given(account_manager, other_manager):
    customer = make(account_manager, "甲公司", tags=["VIP"], team=[other_manager])
    customer_update(actor=account_manager, customer=customer, version=1, city="上海")
    assert [t.name for t in customer.tags.all()] == ["VIP"]
    assert list(customer.team.all()) == [other_manager]
    assert records(Customer, customer.pk)[-1].changes == {"city": ["", "上海"]}


def test_invalid_update_changes_nothing(account_manager):
    customer = make(account_manager, "甲公司")
    with pytest.raises(ValidationError) as info:
        customer_update(actor=account_manager, customer=customer, version=1, email="bad", city="上海")
    assert info.value.message_dict == {"email": ["Enter a valid email address."]}
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("", 1)
    assert len(records(Customer, customer.pk)) == 1


# --- archive, delete ------------------------------------------------------------------------


def test_archive_and_restore(account_manager):
    customer = make(account_manager, "甲公司")
    customer = customer_set_archived(actor=account_manager, customer=customer, archived=True, version=1)
    assert (customer.is_archived, customer.version) == (True, 2)
    current = CustomerFilters()
    assert list(customer_list(user=account_manager, filters=current)) == []
    assert list(customer_list(user=account_manager, filters=CustomerFilters(archived=True))) == [customer]
    # archiving twice is a no-op without a record
    customer_set_archived(actor=account_manager, customer=customer, archived=True)
    customer = customer_set_archived(actor=account_manager, customer=customer, archived=False, version=2)
    assert (customer.is_archived, customer.version) == (False, 3)
    assert [(r.action, r.changes) for r in records(Customer, customer.pk)[1:]] == [
        ("update", {"is_archived": [False, True]}),
        ("update", {"is_archived": [True, False]}),
    ]
    with pytest.raises(StaleVersionError):
        customer_set_archived(actor=account_manager, customer=customer, archived=True, version=2)


def test_delete_records_the_customer_its_contacts_and_interactions(account_manager):
    customer = make(account_manager, "甲公司", tags=["VIP"])
    contact = Contact.objects.create(customer=customer, name="张三", mobile="13912345678")
    interaction = Interaction.objects.create(
        customer=customer, kind="call", occurred_at=datetime(2026, 3, 1, 2, 30, tzinfo=UTC), summary="电话"
    )
    other = make(account_manager, "乙公司")
    Contact.objects.create(customer=other, name="李四")
    customer_delete(actor=account_manager, customer=customer, version=1)

    assert list(Customer.objects.all()) == [other]
    assert list(Contact.objects.values_list("name", flat=True)) == ["李四"]
    assert Interaction.objects.count() == 0
    [contact_record] = records(Contact)
    assert (contact_record.action, contact_record.object_id) == ("delete", contact.pk)
    assert contact_record.changes == {
        "buying_role": ["", None],
        "customer": [customer.pk, None],
        "department": ["", None],
        "email": ["", None],
        "engagement_level": ["medium", None],
        "is_primary": [False, None],
        "mobile": ["13912345678", None],
        "name": ["张三", None],
        "notes": ["", None],
        "phone": ["", None],
        "title": ["", None],
        "wechat_id": ["", None],
    }
    [interaction_record] = records(Interaction)
    assert (interaction_record.action, interaction_record.object_id) == ("delete", interaction.pk)
    assert interaction_record.changes["summary"] == ["电话", None]
    assert interaction_record.changes["occurred_at"] == ["2026-03-01T02:30:00+00:00", None]
    delete_record = records(Customer, customer.pk)[-1]
    assert delete_record.action == "delete"
    assert delete_record.object_repr == "C-000001 甲公司"
    assert delete_record.changes == {
        "address": ["", None],
        "city": ["", None],
        "code": ["C-000001", None],
        "credit_code": ["", None],
        "email": ["", None],
        "industry": ["", None],
        "is_archived": [False, None],
        "kind": ["company", None],
        "lifecycle_stage": ["potential", None],
        "name": ["甲公司", None],
        "name_normalized": ["甲", None],
        "notes": ["", None],
        "owner": [account_manager.pk, None],
        "phone": ["", None],
        "province": ["", None],
        "short_name": ["", None],
        "size_band": ["", None],
        "source": ["", None],
        "tags": [["VIP"], None],
        "team": [[], None],
        "tier": ["standard", None],
        "website": ["", None],
    }


def test_delete_with_stale_version_deletes_nothing(account_manager):
    customer = make(account_manager, "甲公司")
    customer_update(actor=account_manager, customer=customer, version=1, city="上海")
    with pytest.raises(StaleVersionError):
        customer_delete(actor=account_manager, customer=customer, version=1)
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert [r.action for r in records(Customer)] == ["create", "update"]


# --- scoping --------------------------------------------------------------------------------


@pytest.fixture
def book(account_manager, other_manager, team_member):
    """am owns 甲; am2 owns 乙 with am on its team; am2 owns 丙 alone; member is on 丙's team only."""
    own = make(account_manager, "甲公司")
    shared = make(other_manager, "乙公司", team=[account_manager])
    foreign = make(other_manager, "丙公司", team=[team_member])
    return own, shared, foreign


def visible(user):
    return set(customer_scope(user=user).values_list("name", flat=True))


def test_account_manager_sees_own_and_team_customers(book, account_manager, other_manager):
    assert visible(account_manager) == {"甲公司", "乙公司"}
    assert visible(other_manager) == {"乙公司", "丙公司"}
    _own, shared, foreign = book
    assert customer_get(user=account_manager, pk=shared.pk) == shared
    with pytest.raises(Customer.DoesNotExist):
        customer_get(user=account_manager, pk=foreign.pk)


def test_executive_and_admin_see_everything(book, executive, admin_user):
    assert visible(executive) == {"甲公司", "乙公司", "丙公司"}
    assert visible(admin_user) == {"甲公司", "乙公司", "丙公司"}


def test_team_member_sees_only_customers_they_serve(book, team_member):
    assert visible(team_member) == {"丙公司"}
    _own, _shared, foreign = book
    customer_update(actor=None, customer=foreign, version=None, team=[])
    assert visible(team_member) == set()


def test_scope_lists_each_customer_once(account_manager, other_manager, executive):
    make(other_manager, "甲公司", team=[account_manager, executive])
    assert customer_list(user=account_manager, filters=CustomerFilters()).count() == 1


def test_a_duplicate_outside_the_callers_scope_is_reported_without_its_name(account_manager, other_manager):
    from clientpm.customers.services import DuplicateCustomerError, customer_create

    customer_create(actor=other_manager, name="深圳前海保密科技有限公司", owner=other_manager)
    with pytest.raises(DuplicateCustomerError) as refused:
        customer_create(actor=account_manager, name="深圳前海保密科技有限公司", owner=account_manager)
    assert refused.value.reasons == ["a customer you cannot see (ask an administrator): same name"]
    assert refused.value.matches[0].visible is False
