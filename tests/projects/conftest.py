"""Fixtures for project tests: a project manager, a customer and a project built through services."""

from __future__ import annotations

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.services.projects import project_create


@pytest.fixture
def pm(db):
    return user_create(
        actor=None, username="pm", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER], display_name="Pm"
    )


@pytest.fixture
def customer(db, account_manager):
    return customer_create(actor=account_manager, name="华东医药集团", owner=account_manager)


@pytest.fixture
def contact(customer, account_manager):
    return contact_create(actor=account_manager, customer=customer, name="王芳", email="wang@example.com")


@pytest.fixture
def project(customer, pm):
    return project_create(actor=pm, customer=customer, name="华东区域实施项目", manager=pm)
