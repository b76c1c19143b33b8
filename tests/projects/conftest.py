"""Fixtures for project tests: a project manager, a customer and a project built through services."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.services.projects import project_create, project_update
from clientpm.projects.services.team import member_add


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


@pytest.fixture
def autumn(project, pm):
    """The project starting Monday 21 September 2026, the week before Mid-Autumn and National Day
    (the plan API tests count its working days on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=dt.date(2026, 9, 21)
    )


@pytest.fixture
def member(autumn, pm, team_member):
    """A team member on the project: reads the plan, changes tasks, may not add or delete them."""
    member_add(actor=pm, project=autumn, user=team_member, project_role="Consultant")
    return team_member
