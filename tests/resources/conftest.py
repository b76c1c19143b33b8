"""Fixtures for resources tests: a project manager, a customer and a project on the Monday–Friday
calendar starting Monday 2 March 2026, built through the services, and a few resources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import customer_create
from clientpm.projects.models import WorkCalendar
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.projects import project_create, project_update
from clientpm.resources import services

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def pm(db):
    return user_create(
        actor=None, username="pm", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER], display_name="Pm"
    )


@pytest.fixture
def customer(db, account_manager):
    return customer_create(actor=account_manager, name="华东医药集团", owner=account_manager)


@pytest.fixture
def new_project(pm, customer):
    """A factory: ``new_project(name, calendar=None)`` — a project managed by ``pm`` starting Monday
    2 March 2026 on ``calendar`` (default: the built-in Monday–Friday one)."""

    def _make(name: str, calendar: WorkCalendar | None = None):
        project = project_create(actor=pm, customer=customer, name=name, manager=pm)
        project = project_update(
            actor=pm, project=project, version=project.version, planned_start_date=MONDAY
        )
        return plan_services.project_plan_update(
            actor=pm,
            project=project,
            version=project.version,
            calendar=calendar or WorkCalendar.objects.get(name="Monday–Friday"),
        )

    return _make


@pytest.fixture
def project(new_project):
    return new_project("华东区域实施项目")


@pytest.fixture
def alice(pm):
    """A person with a capacity of 1 unit per working day."""
    return services.resource_create(actor=pm, name="Alice", capacity_units=Decimal("1"))


@pytest.fixture
def team(pm):
    """A team of two."""
    return services.resource_create(actor=pm, name="开发团队", kind="team", capacity_units=Decimal("2"))


@pytest.fixture
def new_task(pm):
    """A factory: ``new_task(project, name, days, start=None, **fields)`` — a task of ``days`` working
    days, starting no earlier than ``start`` when given."""

    def _make(project, name: str, days: int, start: dt.date | None = None, **fields):
        if start is not None:
            fields["start_date"] = start
        return plan_services.task_create(actor=pm, project=project, name=name, duration_days=days, **fields)

    return _make
