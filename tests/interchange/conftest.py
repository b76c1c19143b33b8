"""Fixtures for interchange tests: a project manager, a customer, an empty project, a small plan
built through the services (for exports), and a helper that wraps a fixture file as an upload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import customer_create
from clientpm.projects.models import Project, Task
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.projects import project_create, project_update
from clientpm.resources.services import assignment_create, resource_create

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "msproject"


@pytest.fixture
def pm(db):
    return user_create(
        actor=None, username="pm", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER], display_name="Pm"
    )


@pytest.fixture
def customer(db, account_manager):
    return customer_create(actor=account_manager, name="华东医药集团", owner=account_manager)


@pytest.fixture
def project(customer, pm):
    return project_create(actor=pm, customer=customer, name="华东区域实施项目", manager=pm)


@pytest.fixture
def upload():
    """A factory: ``upload("sample.xml")`` — a fixture file as an uploaded file; ``upload(name,
    data=b"...")`` — any bytes under that name."""

    def _make(name: str, data: bytes | None = None) -> SimpleUploadedFile:
        content = (FIXTURES / name).read_bytes() if data is None else data
        return SimpleUploadedFile(name, content, content_type="text/xml")

    return _make


@pytest.fixture
def built(project, pm):
    """Tue 1 April 2025 on the built-in China calendar (Qingming: Fri 4 April off)."""
    project = project_update(
        actor=pm, project=project, version=project.version, planned_start_date=date(2025, 4, 1)
    )
    add = lambda name, **fields: plan_services.task_create(actor=pm, project=project, name=name, **fields)  # noqa: E731
    design = add("Design", duration_days=1)
    spec = add("Spec", parent=design, duration_days=3)
    review = add("Review", parent=design, duration_days=0)
    build = add(
        "Build",
        duration_days=5,
        effort_hours=Decimal("40"),
        constraint_type="snet",
        constraint_date=date(2025, 4, 10),
        deadline_date=date(2025, 4, 30),
    )
    test = add("Test", duration_days=2)
    docs = add("Docs", duration_days=2)
    handover = add("Handover", duration_days=1)
    link = lambda a, b, kind="FS", lag=0: plan_services.dependency_create(  # noqa: E731
        actor=pm, predecessor=a, successor=b, dependency_type=kind, lag_days=lag
    )
    link(spec, review)
    link(design, build, lag=1)
    link(build, test, "SS", 2)
    link(build, docs, "FF")
    link(test, handover, "SF", -1)
    spec = Task.objects.get(pk=spec.pk)
    plan_services.task_update(actor=pm, task=spec, version=spec.version, percent_complete=100)
    alice = resource_create(actor=pm, name="Alice", capacity_units=Decimal("1"))
    assignment_create(actor=pm, task=build, resource=alice, units=Decimal("0.5"))
    plan_services.baseline_save(actor=pm, project=project, name="Agreed")
    return Project.objects.get(pk=project.pk)
