"""The demo data's resources: every demo user a person with a capacity of 1, the shared teams,
assignments only on leaf tasks within each resource's capacity, recorded in the change log, the
same for the same seed (and reused, not duplicated, when demo data is appended)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F

from clientpm.accounts.models import User
from clientpm.core.models import ChangeRecord, CodeSequence
from clientpm.customers.models import Customer
from clientpm.projects.models import Project
from clientpm.resources.models import Assignment, Resource

ANCHOR = dt.date(2026, 6, 30)


def load(append: bool = False) -> None:
    call_command("demo", seed=7, customers=40, users=8, anchor=ANCHOR, no_progress=True, append=append)


def fingerprint() -> list[tuple]:
    """Each assignment as (project, WBS, who — a person by username, a team by name —, units)."""
    rows = Assignment.objects.values_list(
        "task__project__code", "task__wbs_code", "resource__user__username", "resource__name", "units"
    )
    return sorted((code, wbs, username or name, units) for code, wbs, username, name, units in rows)


@pytest.mark.django_db
def test_demo_generates_resources_and_assignments_deterministically():
    load()
    demo_users = User.objects.filter(username__startswith="demo7_", is_active=True)
    people = Resource.objects.filter(kind="person")
    assert people.count() == demo_users.count() == 8
    assert set(people.values_list("user_id", flat=True)) == set(demo_users.values_list("pk", flat=True))
    assert set(people.values_list("capacity_units", flat=True)) == {1}
    assert set(Resource.objects.exclude(kind="person").values_list("name", flat=True)) == {
        "实施顾问团队",
        "开发团队",
        "测试团队",
        "UAT 测试环境",
    }
    assignments = Assignment.objects.all()
    assert assignments.count() > 0
    assert not assignments.filter(task__is_summary=True).exists()
    assert not assignments.filter(task__duration_days=0).exists()
    assert not assignments.filter(units__gt=F("resource__capacity_units")).exists()
    assert not assignments.filter(task__project__phase="initiation").exists()
    # every scheduled leaf task with working days has a person on it
    assert (
        assignments.filter(resource__kind="person").values("task").distinct().count()
        == assignments.values("task").distinct().count()
    )
    assert ChangeRecord.objects.filter(content_type__model="assignment").count() == assignments.count()
    assert ChangeRecord.objects.filter(content_type__model="resource").count() == Resource.objects.count()

    first = fingerprint()
    Project.objects.all().delete()  # takes the tasks and their assignments with it
    Customer.objects.all().delete()
    User.objects.filter(username__startswith="demo7_").delete()
    CodeSequence.objects.all().delete()
    load(append=True)
    assert fingerprint() == first
    # the teams were reused, not duplicated; the deleted users' person rows stay, unlinked, and the
    # new users' rows are told apart by username
    assert Resource.objects.exclude(kind="person").count() == 4
    assert Resource.objects.filter(kind="person", user__isnull=True).count() == 8
    assert all(
        "（demo7_" in name
        for name in Resource.objects.filter(user__isnull=False).values_list("name", flat=True)
    )
