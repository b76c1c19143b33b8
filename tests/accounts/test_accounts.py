"""Roles, API tokens, profile, language preference and the change log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from clientpm.accounts import roles
from clientpm.accounts.models import ApiToken
from clientpm.accounts.services import api_token_create, api_token_revoke, roles_sync
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import customer_create

pytestmark = pytest.mark.django_db


def test_roles_carry_exactly_the_role_table(account_manager, executive, team_member):
    roles_sync()
    roles_sync()  # idempotent
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_PERMISSIONS)
    assert account_manager.has_perm("customers.add_customer")
    assert not account_manager.has_perm("customers.view_all_customers")
    assert executive.has_perm("customers.view_customer")
    assert not executive.has_perm("customers.add_customer")
    assert not team_member.has_perm("customers.change_customer")


def test_token_secret_is_not_stored_and_authenticates(client, account_manager):
    token, raw = api_token_create(actor=account_manager, user=account_manager, name="ERP")
    row = ApiToken.objects.get(pk=token.pk)
    assert raw.split("_", 2)[2] not in row.key_hash
    assert row.last_used_at is None
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "am"
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize("mangle", ["revoke", "expire", "garbage", "inactive"])
def test_unusable_tokens_are_refused(client, account_manager, mangle):
    token, raw = api_token_create(actor=account_manager, user=account_manager, name="x")
    if mangle == "revoke":
        api_token_revoke(actor=account_manager, token=token)
    elif mangle == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif mangle == "garbage":
        raw = raw[:-3] + "zzz"
    else:
        account_manager.is_active = False
        account_manager.save()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "errors": {}}


def test_cannot_revoke_someone_elses_token(api, account_manager, other_manager):
    token, _raw = api_token_create(actor=other_manager, user=other_manager, name="theirs")
    response = api(account_manager).delete(f"/api/v1/me/tokens/{token.pk}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_tokens_page_shows_the_secret_once(web, account_manager):
    client = web(account_manager)
    page = client.post("/accounts/tokens/", {"name": "BI export"}).content.decode()
    assert 'data-testid="new-token"' in page
    assert 'data-testid="new-token"' not in client.get("/accounts/tokens/").content.decode()


def test_profile_language_wins_over_browser(web, account_manager):
    client = web(account_manager)
    assert client.get("/customers/").headers["Content-Language"] == "en"
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/customers/"})
    account_manager.refresh_from_db()
    assert account_manager.language == "zh-hans"
    response = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "zh-hans"
    assert ChangeRecord.objects.filter(
        object_id=account_manager.pk, action="update", changes__language=["", "zh-hans"]
    ).exists()


def test_anonymous_gets_the_default_chinese_login(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the product default (tests otherwise run in English)
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"


def test_change_log_is_for_executives_and_filters(web, api, executive, account_manager):
    customer_create(actor=account_manager, name="甲公司", owner=account_manager)
    customer_create(actor=executive, name="乙公司", owner=account_manager)
    assert web(account_manager).get("/changes/").status_code == 403
    assert api(account_manager).get("/api/v1/changes").status_code == 403
    body = (
        api(executive)
        .get(f"/api/v1/changes?actor={account_manager.pk}&object_type=customers.customer")
        .json()
    )
    assert body["count"] == 1
    assert body["items"][0]["object_repr"] == "C-000001 甲公司"
    assert body["items"][0]["changes"]["name"] == [None, "甲公司"]
    assert "乙公司" in web(executive).get("/changes/?q=乙").content.decode()
