"""Customer pages and admin: list with filters and HTMX fragment, create/edit/archive/delete, scope."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from clientpm.core.models import ChangeRecord
from clientpm.customers.models import Contact, Customer, Interaction, Tag
from clientpm.customers.services import customer_create, customer_update

CREDIT = "91350100M000100Y43"


def make(actor, name, **fields):
    fields.setdefault("owner", actor)
    return customer_create(actor=actor, name=name, allow_duplicates=True, **fields)


def form_data(**fields):
    """What the browser sends from a fresh customer form, with ``fields`` typed in."""
    return {
        "kind": "company",
        "lifecycle_stage": "potential",
        "tier": "standard",
        "allow_duplicates": "False",
        **fields,
    }


def field_block(html: str, name: str) -> str:
    """The markup of one form field: from its label to the start of the next field."""
    start = html.index(f'for="id_{name}"')
    end = html.find('<div class="mb-3">', start)
    return html[start : end if end != -1 else len(html)]


def customer_records(pk):
    ct = ContentType.objects.get_for_model(Customer)
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=pk).order_by("id"))


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- list -----------------------------------------------------------------------------------


@pytest.fixture
def book(account_manager, other_manager):
    make(account_manager, "Alpha Tech", lifecycle_stage="active", tags=["VIP"])
    make(account_manager, "Beta Foods", lifecycle_stage="loyal", province="44")
    make(other_manager, "Foreign Ltd")


def test_list_shows_the_users_customers(web, account_manager, book):
    html = text(web(account_manager).get("/customers/"))
    assert "<html" in html
    assert 'id="customer-filters"' in html
    assert "Alpha Tech" in html
    assert "Beta Foods" in html
    assert "Foreign Ltd" not in html
    assert "2 results" in html


def test_list_filters(web, account_manager, book):
    client = web(account_manager)
    html = text(client.get("/customers/", {"stage": "active"}))
    assert "Alpha Tech" in html
    assert "Beta Foods" not in html
    html = text(client.get("/customers/", {"q": "beta", "province": "44"}))
    assert ("Alpha Tech" in html, "Beta Foods" in html) == (False, True)
    html = text(client.get("/customers/", {"tag": "VIP"}))
    assert ("Alpha Tech" in html, "Beta Foods" in html) == (True, False)
    html = text(client.get("/customers/", {"q": "nothing like it"}))
    assert "No customer matches these filters." in html


def test_htmx_request_gets_only_the_table(web, account_manager, book):
    response = web(account_manager).get("/customers/", {"stage": "loyal"}, headers={"HX-Request": "true"})
    html = text(response)
    assert "<html" not in html
    assert 'id="customer-filters"' not in html
    assert 'data-testid="customer-table"' in html
    assert "Beta Foods" in html
    assert "Alpha Tech" not in html


def test_invalid_filters_show_a_message_not_a_500(web, account_manager, book):
    client = web(account_manager)
    for params in ({"stage": "bogus"}, {"sort": "bogus"}, {"owner": "abc"}, {"no_interaction_days": "-3"}):
        html = text(client.get("/customers/", params))
        assert "Some filters were invalid and were ignored:" in html
        # the invalid filter was dropped, the rest of the page works
        assert "Alpha Tech" in html
        assert "Beta Foods" in html
    html = text(client.get("/customers/", {"stage": ["bogus", "active"], "page": "x"}))
    assert "Some filters were invalid and were ignored:" in html
    html = text(client.get("/customers/", {"stage": "bogus"}, headers={"HX-Request": "true"}))
    assert "Some filters were invalid and were ignored:" in html


def test_empty_list_invites_the_first_customer(web, account_manager):
    html = text(web(account_manager).get("/customers/"))
    assert "Add your first customer" in html


def test_list_query_count_is_bounded(web, account_manager, other_manager, django_assert_max_num_queries):
    for i in range(30):
        make(account_manager, f"客户{i:02d}", tags=["VIP", f"组{i % 3}"], team=[other_manager])
    client = web(account_manager)
    # session, user, 2 x permissions, count, owner choices, tag choices, rows, tags of the page
    with django_assert_max_num_queries(9):
        html = text(client.get("/customers/"))
    assert html.count('class="badge rounded-pill text-bg-light border">VIP<') == 30
    assert "30 results" in html


# --- create ---------------------------------------------------------------------------------


def test_create(web, account_manager):
    client = web(account_manager)
    assert 'data-testid="customer-form"' in text(client.get("/customers/new/"))
    response = client.post(
        "/customers/new/",
        form_data(
            name="华东示例科技有限公司",
            credit_code=CREDIT.lower(),
            tags_text="VIP， 制造, ",
            owner=account_manager.pk,
        ),
    )
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert (customer.code, customer.credit_code, customer.owner) == ("C-000001", CREDIT, account_manager)
    assert sorted(t.name for t in customer.tags.all()) == ["VIP", "制造"]
    html = text(client.get(response["Location"]))
    assert "Customer C-000001 was created." in html
    assert "C-000001" in html
    [record] = customer_records(customer.pk)
    assert (record.action, record.source, record.actor) == ("create", "ui", account_manager)


def test_create_shows_field_errors_and_keeps_what_was_typed(web, account_manager):
    response = web(account_manager).post(
        "/customers/new/",
        form_data(
            name="示例客户", phone="call me", credit_code="91350100M000100Y44", email="nope", city="杭州"
        ),
    )
    html = text(response)
    assert Customer.objects.count() == 0
    phone = field_block(html, "phone")
    assert "Enter a phone number such as 13812345678" in phone
    assert 'value="call me"' in phone
    assert "is-invalid" in phone
    credit = field_block(html, "credit_code")
    assert "The check digit of this unified social credit code is wrong" in credit
    assert 'value="91350100M000100Y44"' in credit
    assert "is-invalid" in credit
    assert "Enter a valid email address." in field_block(html, "email")
    assert 'value="杭州"' in field_block(html, "city")
    assert "is-invalid" not in field_block(html, "city")
    assert 'value="示例客户"' in field_block(html, "name")


def test_create_taken_credit_code_is_a_field_error(web, account_manager):
    make(account_manager, "甲", credit_code=CREDIT)
    html = text(web(account_manager).post("/customers/new/", form_data(name="乙", credit_code=CREDIT)))
    assert "Another customer already has this unified social credit code." in field_block(html, "credit_code")
    assert Customer.objects.count() == 1


def test_duplicate_warning_then_confirm(web, account_manager):
    first = make(account_manager, "示例科技有限公司")
    client = web(account_manager)
    html = text(client.post("/customers/new/", form_data(name="示例科技", city="杭州")))
    assert 'data-testid="duplicate-warning"' in html
    assert f'href="/customers/{first.pk}/"' in html
    assert "C-000001 示例科技有限公司" in html
    assert re.search(r'<input type="hidden" name="allow_duplicates" value="on"', html)
    assert Customer.objects.count() == 1
    # the browser sends the form back as rendered
    response = client.post("/customers/new/", form_data(name="示例科技", city="杭州", allow_duplicates="on"))
    assert response.status_code == 302
    second = Customer.objects.get(code="C-000002")
    assert (second.name, second.city) == ("示例科技", "杭州")


def test_team_member_cannot_create(web, team_member):
    client = web(team_member)
    assert client.get("/customers/new/").status_code == 403
    assert client.post("/customers/new/", form_data(name="甲")).status_code == 403
    assert Customer.objects.count() == 0


def test_creating_for_a_colleague_lands_on_the_list(web, account_manager, other_manager):
    response = web(account_manager).post("/customers/new/", form_data(name="甲", owner=other_manager.pk))
    assert (response.status_code, response["Location"]) == (302, "/customers/")
    assert Customer.objects.get().owner == other_manager


# --- edit -----------------------------------------------------------------------------------


def test_edit(web, account_manager):
    customer = make(account_manager, "甲", tags=["VIP"])
    client = web(account_manager)
    html = text(client.get(f"/customers/{customer.pk}/edit/"))
    assert 'name="version" value="1"' in html
    assert 'value="VIP"' in field_block(html, "tags_text")
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        form_data(name="甲", city="杭州", tags_text="VIP, 制造", owner=account_manager.pk, version="1"),
    )
    assert (response.status_code, response["Location"]) == (302, f"/customers/{customer.pk}/")
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("杭州", 2)
    update = customer_records(customer.pk)[-1]
    assert (update.action, update.source) == ("update", "ui")
    assert update.changes == {"city": ["", "杭州"], "tags": [["VIP"], ["VIP", "制造"]]}


def test_edit_with_stale_version_shows_the_conflict(web, account_manager):
    customer = make(account_manager, "甲")
    customer_update(actor=account_manager, customer=customer, version=1, city="上海")
    html = text(
        web(account_manager).post(
            f"/customers/{customer.pk}/edit/",
            form_data(name="甲", city="北京", owner=account_manager.pk, version="1"),
        )
    )
    assert "This record was changed by someone else. Reload it and apply your change again." in html
    assert 'value="北京"' in field_block(html, "city")  # what the user typed is still there
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("上海", 2)


def test_edit_without_version_says_so(web, account_manager):
    customer = make(account_manager, "甲")
    html = text(web(account_manager).post(f"/customers/{customer.pk}/edit/", form_data(name="乙")))
    assert "This field is required." in html
    customer.refresh_from_db()
    assert customer.name == "甲"


def test_team_member_cannot_edit(web, other_manager, team_member):
    customer = make(other_manager, "甲", team=[team_member])
    client = web(team_member)
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403
    response = client.post(f"/customers/{customer.pk}/edit/", form_data(name="乙", version="1"))
    assert response.status_code == 403
    assert client.post(f"/customers/{customer.pk}/archive/", {"archived": "1"}).status_code == 403
    assert client.post(f"/customers/{customer.pk}/delete/").status_code == 403
    customer.refresh_from_db()
    assert (customer.name, customer.is_archived) == ("甲", False)


# --- detail, archive, delete ----------------------------------------------------------------


def test_detail_shows_the_customer(web, account_manager, other_manager):
    customer = make(account_manager, "甲", credit_code=CREDIT, tags=["VIP"], team=[other_manager])
    html = text(web(account_manager).get(f"/customers/{customer.pk}/"))
    assert 'data-testid="customer-name">甲<' in html
    assert CREDIT in html
    assert "Am2" in html
    customer_update(actor=account_manager, customer=customer, version=1, city="杭州")
    history = text(web(account_manager).get(f"/customers/{customer.pk}/history/"))
    assert "<html" not in history  # an HTMX fragment for the History tab
    assert history.count("<tbody>") == 1
    assert history.index("Updated") < history.index("Created")  # newest first
    assert "杭州" in history


def test_archive_and_restore(web, account_manager):
    customer = make(account_manager, "甲")
    client = web(account_manager)
    response = client.post(f"/customers/{customer.pk}/archive/", {"archived": "1"})
    assert (response.status_code, response["Location"]) == (302, f"/customers/{customer.pk}/")
    customer.refresh_from_db()
    assert customer.is_archived
    html = text(client.get(response["Location"]))
    assert "The customer was archived." in html
    assert "Restore" in html
    assert "甲" not in text(client.get("/customers/", headers={"HX-Request": "true"}))
    assert "甲" in text(client.get("/customers/", {"archived": "true"}, headers={"HX-Request": "true"}))
    assert client.get(f"/customers/{customer.pk}/archive/").status_code == 405
    client.post(f"/customers/{customer.pk}/archive/", {"archived": "0"})
    customer.refresh_from_db()
    assert not customer.is_archived
    assert [r.changes for r in customer_records(customer.pk)[1:]] == [
        {"is_archived": [False, True]},
        {"is_archived": [True, False]},
    ]


def test_delete_asks_first_saying_what_is_lost(web, account_manager):
    customer = make(account_manager, "甲")
    Contact.objects.create(customer=customer, name="张三")
    Contact.objects.create(customer=customer, name="李四")
    Interaction.objects.create(
        customer=customer, kind="call", occurred_at=datetime(2026, 3, 1, tzinfo=UTC), summary="电话"
    )
    client = web(account_manager)
    html = text(client.get(f"/customers/{customer.pk}/delete/"))
    assert "Delete 甲?" in html
    assert "with its 2 contacts and 1 interactions" in html
    assert Customer.objects.filter(pk=customer.pk).exists()
    response = client.post(f"/customers/{customer.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, "/customers/")
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()
    assert "Customer C-000001 was deleted." in text(client.get("/customers/"))
    assert customer_records(customer.pk)[-1].action == "delete"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/customers/{pk}/"),
        ("get", "/customers/{pk}/edit/"),
        ("post", "/customers/{pk}/edit/"),
        ("get", "/customers/{pk}/history/"),
        ("post", "/customers/{pk}/archive/"),
        ("get", "/customers/{pk}/delete/"),
        ("post", "/customers/{pk}/delete/"),
    ],
)
def test_out_of_scope_pages_are_404(web, account_manager, team_member, other_manager, method, path):
    customer = make(other_manager, "丙")
    for user in (account_manager, team_member):
        response = getattr(web(user), method)(path.format(pk=customer.pk))
        assert response.status_code == 404
    customer.refresh_from_db()
    assert (customer.is_archived, customer.version) == (False, 1)


def test_anonymous_is_sent_to_log_in(client, account_manager):
    customer = make(account_manager, "甲")
    for path in ("/customers/", f"/customers/{customer.pk}/", "/customers/new/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- admin ----------------------------------------------------------------------------------


def admin_form(**fields):
    return {
        "kind": "company",
        "lifecycle_stage": "potential",
        "tier": "standard",
        "name": "",
        "notes": "",
        **fields,
    }


def test_admin_add_goes_through_the_service(web, admin_user, account_manager):
    vip = Tag.objects.create(name="VIP")
    make(account_manager, "示例科技有限公司")  # a near-duplicate is fine for an operator
    client = web(admin_user)
    assert client.get("/admin/customers/customer/add/").status_code == 200
    response = client.post(
        "/admin/customers/customer/add/",
        admin_form(
            name="示例科技", owner=account_manager.pk, tags=[vip.pk], team=[account_manager.pk], city="杭州"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get(name="示例科技")
    assert customer.code == "C-000002"
    assert customer.name_normalized == "示例科技"
    assert [t.name for t in customer.tags.all()] == ["VIP"]
    assert list(customer.team.all()) == [account_manager]
    [record] = customer_records(customer.pk)
    assert (record.action, record.source, record.actor) == ("create", "admin", admin_user)
    assert record.changes["code"] == [None, "C-000002"]
    assert record.changes["tags"] == [None, ["VIP"]]
    assert record.changes["team"] == [None, [account_manager.pk]]


def test_admin_change_goes_through_the_service(web, admin_user, account_manager):
    customer = make(account_manager, "甲", tags=["VIP"])
    client = web(admin_user)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, admin_form(name="乙", owner=account_manager.pk, is_archived="on", tags=[], city="上海")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    assert (customer.name, customer.name_normalized, customer.city, customer.code) == (
        "乙",
        "乙",
        "上海",
        "C-000001",
    )
    assert customer.is_archived
    assert customer.version == 3
    assert list(customer.tags.all()) == []
    update, archive = customer_records(customer.pk)[1:]
    assert (update.source, update.actor, archive.source) == ("admin", admin_user, "admin")
    assert update.changes == {
        "city": ["", "上海"],
        "name": ["甲", "乙"],
        "name_normalized": ["甲", "乙"],
        "tags": [["VIP"], []],
    }
    assert archive.changes == {"is_archived": [False, True]}


def test_admin_rejects_invalid_input_without_saving(web, admin_user):
    response = web(admin_user).post("/admin/customers/customer/add/", admin_form(name="甲", phone="call me"))
    assert response.status_code == 200
    assert "Enter a phone number such as 13812345678" in response.content.decode()
    assert Customer.objects.count() == 0


def test_admin_delete_goes_through_the_service(web, admin_user, account_manager):
    customer = make(account_manager, "甲")
    contact = Contact.objects.create(customer=customer, name="张三")
    response = web(admin_user).post(f"/admin/customers/customer/{customer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Customer.objects.exists()
    assert customer_records(customer.pk)[-1].source == "admin"
    ct = ContentType.objects.get_for_model(Contact)
    assert ChangeRecord.objects.filter(content_type=ct, object_id=contact.pk, action="delete").count() == 1
