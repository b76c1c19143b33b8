"""Shared fixtures: users in each built-in role, API clients with a session or a token."""

from __future__ import annotations

import pytest
from django.test import Client

from clientpm.accounts import roles
from clientpm.accounts.models import User
from clientpm.accounts.services import api_token_create, user_create


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English unless they switch language on purpose."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Every test user has a password; the production hasher would make each one cost ~0.2 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str | None, **extra) -> User:
    return user_create(
        actor=None,
        username=username,
        password="pw-Secret-123",
        roles=[role] if role else [],
        display_name=username.title(),
        **extra,
    )


@pytest.fixture
def admin_user(db) -> User:
    return make_user("root", roles.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def executive(db) -> User:
    return make_user("exec", roles.EXECUTIVE)


@pytest.fixture
def account_manager(db) -> User:
    return make_user("am", roles.ACCOUNT_MANAGER)


@pytest.fixture
def other_manager(db) -> User:
    return make_user("am2", roles.ACCOUNT_MANAGER)


@pytest.fixture
def team_member(db) -> User:
    return make_user("member", roles.TEAM_MEMBER)


@pytest.fixture
def api(db):
    """A factory: ``api(user)`` gives a test client that sends that user's fresh API token."""

    def _client(user: User) -> Client:
        _token, raw = api_token_create(actor=user, user=user, name="tests")
        return Client(headers={"Authorization": f"Bearer {raw}"}, HTTP_ACCEPT_LANGUAGE="en")

    return _client


@pytest.fixture
def web(db):
    """A factory: ``web(user)`` gives a logged-in browser-like test client (CSRF not enforced)."""

    def _client(user: User) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return _client


@pytest.fixture(scope="session", autouse=True)
def _close_pools(django_db_setup, django_db_blocker):
    """Close PostgreSQL connection pools before the test database is dropped (else it is "in use")."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for conn in connections.all(initialized_only=True):
            if hasattr(conn, "close_pool"):
                conn.close_pool()
