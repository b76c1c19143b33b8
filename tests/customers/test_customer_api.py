"""The customer REST API: every endpoint's success and refusals, filters, paging, auth, error shape."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from clientpm.accounts.models import ApiToken
from clientpm.accounts.services import api_token_create, api_token_revoke
from clientpm.core.models import ChangeRecord
from clientpm.customers.models import Customer
from clientpm.customers.services import customer_create, customer_update

URL = "/api/v1/customers"
INVALID = "The request has invalid fields."
CREDIT = "91350100M000100Y43"
JSON = "application/json"


def make(actor, name, **fields):
    fields.setdefault("owner", actor)
    return customer_create(actor=actor, name=name, allow_duplicates=True, **fields)


def post(client, data, url=URL):
    return client.post(url, data, content_type=JSON)


def patch(client, pk, data):
    return client.patch(f"{URL}/{pk}", data, content_type=JSON)


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def customer_records(pk):
    ct = ContentType.objects.get_for_model(Customer)
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=pk).order_by("id"))


# --- create ---------------------------------------------------------------------------------


def test_create(api, account_manager, other_manager):
    response = post(
        api(account_manager),
        {
            "name": "华东示例科技有限公司",
            "credit_code": CREDIT.lower(),
            "province": "31",
            "phone": "021-12345678",
            "email": "info@example.com",
            "tags": ["VIP", "制造"],
            "team_ids": [other_manager.pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "C-000001"
    assert body["version"] == 1
    assert body["credit_code"] == CREDIT
    assert body["owner"] == {"id": account_manager.pk, "username": "am", "display_name": "Am"}
    assert body["team"] == [{"id": other_manager.pk, "username": "am2", "display_name": "Am2"}]
    assert sorted(body["tags"]) == ["VIP", "制造"]
    assert (body["lifecycle_stage"], body["tier"], body["kind"]) == ("potential", "standard", "company")
    [record] = customer_records(body["id"])
    assert (record.action, record.source, record.actor) == ("create", "api", account_manager)


def test_create_for_another_owner_or_none(api, account_manager, other_manager):
    client = api(account_manager)
    body = post(client, {"name": "甲", "owner_id": other_manager.pk}).json()
    assert body["owner"]["id"] == other_manager.pk
    body = post(client, {"name": "乙", "owner_id": None}).json()
    assert body["owner"] is None


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "甲", "email": "nope"}, {"email": ["Enter a valid email address."]}),
        (
            {"name": "甲", "phone": "call me"},
            {"phone": ["Enter a phone number such as 13812345678, 021-12345678 or +44 20 7946 0000."]},
        ),
        (
            {"name": "甲", "credit_code": "91350100M000100Y44"},
            {
                "credit_code": [
                    "The check digit of this unified social credit code is wrong; please check for a typo."
                ]
            },
        ),
        (
            {"name": "甲", "lifecycle_stage": "bogus"},
            {"lifecycle_stage": ["Value 'bogus' is not a valid choice."]},
        ),
        ({"name": ""}, {"name": ["String should have at least 1 character"]}),
        ({}, {"name": ["Field required"]}),
        ({"name": "甲", "owner_id": 99999}, {"owner_id": ["Unknown or inactive user."]}),
        ({"name": "甲", "team_ids": [99999]}, {"team_ids": ["Unknown or inactive user."]}),
        (
            {"name": "甲", "team_ids": ["x"]},
            {"team_ids": ["Input should be a valid integer, unable to parse string as an integer"]},
        ),
    ],
)
def test_create_refuses_bad_input(api, account_manager, data, errors):
    response = post(api(account_manager), data)
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert Customer.objects.count() == 0


def test_create_refuses_a_taken_credit_code(api, account_manager):
    make(account_manager, "甲", credit_code=CREDIT)
    response = post(api(account_manager), {"name": "乙", "credit_code": CREDIT})
    assert response.status_code == 422
    assert response.json() == {
        "detail": INVALID,
        "errors": {"credit_code": ["Another customer already has this unified social credit code."]},
    }


def test_create_near_duplicate_needs_confirmation(api, account_manager):
    make(account_manager, "示例科技有限公司")
    client = api(account_manager)
    response = post(client, {"name": "示例科技"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This customer looks like one that already exists.",
        "errors": {"__all__": ["C-000001 示例科技有限公司: same name"]},
        "reasons": ["C-000001 示例科技有限公司: same name"],
    }
    response = post(client, {"name": "示例科技"}, url=f"{URL}?allow_duplicates=true")
    assert response.status_code == 201
    assert response.json()["code"] == "C-000002"


def test_duplicates_endpoint(api, account_manager, team_member):
    first = make(account_manager, "示例科技有限公司", phone="13812345678")
    response = api(account_manager).get(f"{URL}/duplicates", {"name": "示例科技", "phone": "138-1234-5678"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": first.pk,
            "code": "C-000001",
            "name": "示例科技有限公司",
            "reasons": ["same name", "same phone"],
            "visible": True,
        }
    ]
    assert api(account_manager).get(f"{URL}/duplicates", {"name": "别的"}).json() == []
    assert api(team_member).get(f"{URL}/duplicates", {"name": "示例科技"}).status_code == 403


# --- read -----------------------------------------------------------------------------------


def test_get(api, account_manager, other_manager):
    customer = make(account_manager, "甲", tags=["VIP"], team=[other_manager])
    response = api(account_manager).get(f"{URL}/{customer.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["code"], body["name"], body["tags"]) == (customer.pk, "C-000001", "甲", ["VIP"])
    assert [u["id"] for u in body["team"]] == [other_manager.pk]


def test_get_missing_is_404(api, account_manager):
    response = api(account_manager).get(f"{URL}/99999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


# --- update ---------------------------------------------------------------------------------


def test_patch(api, account_manager):
    customer = make(account_manager, "甲", tags=["VIP"])
    response = patch(api(account_manager), customer.pk, {"version": 1, "city": "杭州", "tags": ["制造"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["city"], body["tags"], body["version"], body["name"]) == ("杭州", ["制造"], 2, "甲")
    update = customer_records(customer.pk)[-1]
    assert (update.action, update.source) == ("update", "api")
    assert update.changes == {"city": ["", "杭州"], "tags": [["VIP"], ["制造"]]}


def test_patch_can_clear_the_owner(api, account_manager):
    customer = make(account_manager, "甲")
    body = patch(api(account_manager), customer.pk, {"version": 1, "owner_id": None}).json()
    assert body["owner"] is None


def test_patch_stale_version_is_409(api, account_manager):
    customer = make(account_manager, "甲")
    customer_update(actor=account_manager, customer=customer, version=1, city="上海")
    response = patch(api(account_manager), customer.pk, {"version": 1, "city": "北京"})
    assert response.status_code == 409
    message = "This record was changed by someone else. Reload it and apply your change again."
    assert response.json() == {"detail": message, "errors": {"version": [message]}, "current_version": 2}
    customer.refresh_from_db()
    assert customer.city == "上海"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"version": 1, "email": "nope"}, {"email": ["Enter a valid email address."]}),
        ({"version": 1, "name": None}, {"name": ["This field cannot be null."]}),
        (
            {"version": 1, "credit_code": None, "city": None},
            {"city": ["This field cannot be null."], "credit_code": ["This field cannot be null."]},
        ),
        ({"city": "上海"}, {"version": ["Field required"]}),
        ({"version": 0}, {"version": ["Input should be greater than or equal to 1"]}),
        (
            {"version": 1, "credit_code": "91350100M000100Y4"},
            {"credit_code": ["A unified social credit code has exactly 18 characters."]},
        ),
    ],
)
def test_patch_refuses_bad_input(api, account_manager, data, errors):
    customer = make(account_manager, "甲")
    response = patch(api(account_manager), customer.pk, data)
    assert response.status_code == 422, response.content
    assert response.json() == {"detail": INVALID, "errors": errors}
    customer.refresh_from_db()
    assert (customer.version, customer.name) == (1, "甲")


def test_patch_archives_and_restores(api, account_manager):
    customer = make(account_manager, "甲")
    client = api(account_manager)
    body = patch(client, customer.pk, {"version": 1, "is_archived": True}).json()
    assert (body["is_archived"], body["version"]) == (True, 2)
    assert names(client.get(URL)) == []
    assert names(client.get(URL, {"archived": "true"})) == ["甲"]
    body = patch(client, customer.pk, {"version": 2, "is_archived": False, "city": "上海"}).json()
    assert (body["is_archived"], body["city"], body["version"]) == (False, "上海", 4)
    assert patch(client, customer.pk, {"version": 2, "is_archived": True}).status_code == 409


# --- delete ---------------------------------------------------------------------------------


def test_delete(api, account_manager):
    customer = make(account_manager, "甲")
    response = api(account_manager).delete(f"{URL}/{customer.pk}?version=1")
    assert response.status_code == 204
    assert not Customer.objects.exists()
    assert [r.action for r in customer_records(customer.pk)] == ["create", "delete"]
    assert customer_records(customer.pk)[-1].source == "api"


def test_delete_stale_version_is_409(api, account_manager):
    customer = make(account_manager, "甲")
    customer_update(actor=account_manager, customer=customer, version=1, city="上海")
    response = api(account_manager).delete(f"{URL}/{customer.pk}?version=1")
    assert response.status_code == 409
    assert "version" in response.json()["errors"]
    assert Customer.objects.filter(pk=customer.pk).exists()


# --- scope and permissions ------------------------------------------------------------------


@pytest.fixture
def foreign(other_manager):
    return make(other_manager, "丙")


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/{pk}", None),
        ("patch", "/{pk}", {"version": 1, "city": "上海"}),
        ("delete", "/{pk}", None),
    ],
)
def test_out_of_scope_is_404_not_403(api, account_manager, team_member, foreign, method, path, data):
    for user in (account_manager, team_member):
        client = api(user)
        kwargs = {"data": data, "content_type": JSON} if data else {}
        response = getattr(client, method)(URL + path.format(pk=foreign.pk), **kwargs)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": {}}
    foreign.refresh_from_db()
    assert (foreign.city, foreign.version) == ("", 1)


def test_list_shows_only_the_callers_scope(
    api, account_manager, other_manager, team_member, executive, foreign
):
    make(account_manager, "甲")
    make(other_manager, "乙", team=[account_manager, team_member])
    assert sorted(names(api(account_manager).get(URL))) == ["乙", "甲"]
    assert names(api(team_member).get(URL)) == ["乙"]
    assert sorted(names(api(executive).get(URL))) == ["丙", "乙", "甲"]


def test_team_member_cannot_write(api, other_manager, team_member):
    served = make(other_manager, "乙", team=[team_member])
    client = api(team_member)
    forbidden = {"detail": "You do not have permission to do this.", "errors": {}}
    assert client.get(f"{URL}/{served.pk}").status_code == 200
    response = patch(client, served.pk, {"version": 1, "city": "上海"})
    assert (response.status_code, response.json()) == (403, forbidden)
    response = client.delete(f"{URL}/{served.pk}")
    assert (response.status_code, response.json()) == (403, forbidden)
    response = post(client, {"name": "新客户"})
    assert (response.status_code, response.json()) == (403, forbidden)
    served.refresh_from_db()
    assert (served.city, Customer.objects.count()) == ("", 1)


def test_executive_reads_but_cannot_write(api, executive, foreign):
    client = api(executive)
    assert client.get(f"{URL}/{foreign.pk}").status_code == 200
    assert patch(client, foreign.pk, {"version": 1, "city": "上海"}).status_code == 403
    assert post(client, {"name": "新客户"}).status_code == 403


def test_admin_can_do_everything(api, admin_user, foreign):
    client = api(admin_user)
    assert patch(client, foreign.pk, {"version": 1, "city": "上海"}).status_code == 200
    assert client.delete(f"{URL}/{foreign.pk}").status_code == 204


# --- authentication -------------------------------------------------------------------------

UNAUTHENTICATED = {"detail": "Authentication required.", "errors": {}}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "/duplicates"),
        ("get", "/{pk}"),
        ("patch", "/{pk}"),
        ("delete", "/{pk}"),
    ],
)
def test_anonymous_is_401(account_manager, method, path):
    customer = make(account_manager, "甲")
    response = getattr(Client(), method)(URL + path.format(pk=customer.pk), data={}, content_type=JSON)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_bad_revoked_and_expired_tokens_are_401(account_manager):
    make(account_manager, "甲")
    token, raw = api_token_create(actor=account_manager, user=account_manager, name="script")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(URL).status_code == 200
    assert Client(headers={"Authorization": f"Bearer {raw}x"}).get(URL).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(URL)
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    token2, raw2 = api_token_create(actor=account_manager, user=account_manager, name="other")
    client2 = Client(headers={"Authorization": f"Bearer {raw2}"})
    assert client2.get(URL).status_code == 200
    api_token_revoke(actor=account_manager, token=token2)
    assert client2.get(URL).status_code == 401


def test_session_auth_needs_csrf_on_writes(account_manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(account_manager)
    assert client.get(URL).status_code == 200  # safe methods need no token
    response = post(client, {"name": "甲"})
    assert response.status_code == 403
    assert response.json()["errors"] == {}
    assert not Customer.objects.exists()
    # with the token from a page, the same session may write
    client.get("/customers/new/")
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"name": "甲"}, content_type=JSON, headers={"X-CSRFToken": token})
    assert response.status_code == 201


# --- oversized bodies -----------------------------------------------------------------------


def test_oversized_body_is_a_clean_413(api, account_manager, settings):
    customer = make(account_manager, "甲")
    client = api(account_manager)
    big = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(URL, json.dumps({"name": "乙", "notes": big}), content_type=JSON)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large.", "errors": {}}
    response = client.patch(
        f"{URL}/{customer.pk}", json.dumps({"version": 1, "notes": big}), content_type=JSON
    )
    assert response.status_code == 413
    assert Customer.objects.count() == 1


def test_body_at_the_limit_is_parsed(api, account_manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    response = post(api(account_manager), json.dumps({"name": "甲", "notes": "x" * 9_000}))
    assert response.status_code == 201
    response = post(api(account_manager), json.dumps({"name": "乙", "notes": "x" * 20_000}))
    assert response.status_code == 413


# --- list: filters, sorting, paging, errors, query count ------------------------------------


@pytest.fixture
def listing(account_manager, other_manager):
    """Five customers of am (one archived, one on am2's book with am on the team)."""
    make(account_manager, "Alpha Tech", lifecycle_stage="active", tier="key", province="31", tags=["VIP"])
    make(account_manager, "Beta Foods", lifecycle_stage="loyal", province="44", tags=["VIP", "食品"])
    make(account_manager, "Gamma 示例科技", lifecycle_stage="potential", tier="small", credit_code=CREDIT)
    make(other_manager, "Delta", lifecycle_stage="active", province="31", team=[account_manager])
    archived = make(account_manager, "Omega")
    customer_update(actor=account_manager, customer=archived, version=1, tags=["VIP"])
    from clientpm.customers.services import customer_set_archived

    customer_set_archived(actor=account_manager, customer=archived, archived=True)
    # Alpha talked to us yesterday, Beta 40 days ago, the others never
    now = timezone.now()
    Customer.objects.filter(name="Alpha Tech").update(last_interaction_at=now - timedelta(days=1))
    Customer.objects.filter(name="Beta Foods").update(last_interaction_at=now - timedelta(days=40))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Alpha Tech", "Beta Foods", "Gamma 示例科技", "Delta"}),
        ({"stage": "active"}, {"Alpha Tech", "Delta"}),
        ({"stage": ["active", "loyal"]}, {"Alpha Tech", "Beta Foods", "Delta"}),
        ({"tier": "key"}, {"Alpha Tech"}),
        ({"tier": ["small", "key"]}, {"Alpha Tech", "Gamma 示例科技"}),
        ({"province": "31"}, {"Alpha Tech", "Delta"}),
        ({"tag": "VIP"}, {"Alpha Tech", "Beta Foods"}),
        ({"tag": ["食品", "none"]}, {"Beta Foods"}),
        ({"q": "beta"}, {"Beta Foods"}),
        ({"q": "示例"}, {"Gamma 示例科技"}),
        ({"q": CREDIT.lower()}, {"Gamma 示例科技"}),
        ({"q": "C-000002"}, {"Beta Foods"}),
        ({"q": "Alpha Tech Co., Ltd."}, {"Alpha Tech"}),
        ({"no_interaction_days": 30}, {"Beta Foods", "Gamma 示例科技", "Delta"}),
        ({"no_interaction_days": 60}, {"Gamma 示例科技", "Delta"}),
        ({"archived": "true"}, {"Omega"}),
        ({"archived": "true", "tag": "VIP"}, {"Omega"}),
        ({"stage": "active", "province": "44"}, set()),
    ],
)
def test_list_filters(api, account_manager, listing, params, expected):
    response = api(account_manager).get(URL, params)
    assert set(names(response)) == expected
    assert response.json()["count"] == len(expected)


def test_list_filter_by_owner(api, account_manager, other_manager, listing):
    client = api(account_manager)
    assert names(client.get(URL, {"owner": other_manager.pk})) == ["Delta"]
    assert len(names(client.get(URL, {"owner": account_manager.pk}))) == 3


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha Tech", "Beta Foods", "Delta", "Gamma 示例科技"]),
        ("-name", ["Gamma 示例科技", "Delta", "Beta Foods", "Alpha Tech"]),
        ("code", ["Alpha Tech", "Beta Foods", "Gamma 示例科技", "Delta"]),
        ("-code", ["Delta", "Gamma 示例科技", "Beta Foods", "Alpha Tech"]),
        ("created", ["Alpha Tech", "Beta Foods", "Gamma 示例科技", "Delta"]),
    ],
)
def test_list_sorting(api, account_manager, listing, sort, expected):
    assert names(api(account_manager).get(URL, {"sort": sort})) == expected


def test_list_default_sort_is_last_updated_first(api, account_manager, listing):
    gamma = Customer.objects.get(name="Gamma 示例科技")
    customer_update(actor=account_manager, customer=gamma, version=1, city="上海")
    assert names(api(account_manager).get(URL))[0] == "Gamma 示例科技"


def test_list_paging(api, account_manager, listing):
    client = api(account_manager)
    body = client.get(URL, {"sort": "name", "page_size": 3}).json()
    assert (body["count"], body["page"], body["page_size"]) == (4, 1, 3)
    assert [i["name"] for i in body["items"]] == ["Alpha Tech", "Beta Foods", "Delta"]
    body = client.get(URL, {"sort": "name", "page_size": 3, "page": 2}).json()
    assert (body["count"], [i["name"] for i in body["items"]]) == (4, ["Gamma 示例科技"])
    body = client.get(URL, {"sort": "name", "page_size": 3, "page": 9}).json()
    assert (body["count"], body["items"]) == (4, [])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "bogus"}, "stage"),
        ({"stage": ["active", "bogus"]}, "stage"),
        ({"tier": "gold"}, "tier"),
        ({"province": "99"}, "province"),
        ({"sort": "bogus"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 201}, "page_size"),
        ({"owner": "abc"}, "owner"),
        ({"owner": 0}, "owner"),
        ({"no_interaction_days": 0}, "no_interaction_days"),
        ({"archived": "maybe"}, "archived"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_list_refuses_unknown_filter_values(api, account_manager, params, field):
    response = api(account_manager).get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == INVALID
    assert list(body["errors"]) == [field]
    assert all(isinstance(m, str) and m for m in body["errors"][field])


def test_list_query_count_does_not_grow_with_rows(
    api, account_manager, other_manager, django_assert_max_num_queries
):
    for i in range(30):
        make(account_manager, f"客户{i:02d}", tags=["VIP", f"组{i % 3}"], team=[other_manager])
    client = api(account_manager)
    # token, 2 x permissions, rows, tags of the page, count (+1 when the token's last use is stamped)
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"page_size": 50})
    body = response.json()
    assert body["count"] == 30
    assert all(sorted(i["tags"])[0] == "VIP" for i in body["items"])
    assert all(i["owner"]["id"] == account_manager.pk for i in body["items"])


def test_duplicate_lookup_hides_customers_outside_scope(api, account_manager, other_manager):
    from clientpm.customers.services import customer_create

    customer_create(actor=other_manager, name="深圳前海保密科技有限公司", owner=other_manager)
    body = (
        api(account_manager).get("/api/v1/customers/duplicates", {"name": "深圳前海保密科技有限公司"}).json()
    )
    assert body == [{"id": None, "code": "", "name": "", "reasons": ["same name"], "visible": False}]
