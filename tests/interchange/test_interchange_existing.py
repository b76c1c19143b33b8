"""Importing into an existing project: the file's tasks are appended after the project's own, the
calendar is taken only by a project without tasks, closed projects refuse, and what the
project's state or the caller's permissions keep out is reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from clientpm.core.errors import ConflictError
from clientpm.interchange.services import plan_import
from clientpm.projects.models import MAX_BASELINES, Baseline, Phase, Project, Task, WorkCalendar
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.projects import project_update
from clientpm.resources.models import Assignment, Resource
from clientpm.resources.services import resource_create, resource_update

MON_FRI = "Monday–Friday"


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 6 January 2003 on Monday–Friday, with two tasks of its own."""
    project = project_update(
        actor=pm, project=project, version=project.version, planned_start_date=date(2003, 1, 6)
    )
    project = plan_services.project_plan_update(
        actor=pm, project=project, version=project.version, calendar=WorkCalendar.objects.get(name=MON_FRI)
    )
    plan_services.task_create(actor=pm, project=project, name="Kick-off", duration_days=0)
    plan_services.task_create(actor=pm, project=project, name="Discovery", duration_days=3)
    return Project.objects.get(pk=project.pk)


def items(result, code):
    return [item for item in result.report if item["code"] == code]


def test_the_files_tasks_come_after_the_projects_own(planned, pm, upload):
    result = plan_import(actor=pm, source=upload("mspdinulltasks.xml"), project=planned)
    rows = list(Task.objects.filter(project=planned).order_by("wbs_code").values_list("wbs_code", "name"))
    assert rows == [
        ("1", "Kick-off"),
        ("2", "Discovery"),
        ("3", "Task 1"),
        ("3.1", "Task 2"),
        ("3.2", "Task 3"),
        ("4", "Task 4"),
        ("4.1", "Task 5"),
    ]
    assert not result.created_project
    assert result.counts["tasks"] == 5
    # scheduled from the project's start, Monday 6 January 2003: 10 working days → Friday 17 January
    task_2 = Task.objects.get(project=planned, name="Task 2")
    assert (task_2.start_date, task_2.finish_date) == (date(2003, 1, 6), date(2003, 1, 17))
    start = items(result, "project_start_kept")[0]
    assert start["params"] == {"project_start": "2003-01-06", "file_start": "2008-11-03"}


def test_a_project_with_tasks_keeps_its_calendar(planned, pm, upload):
    calendars = WorkCalendar.objects.count()
    result = plan_import(
        actor=pm, source=upload("calendar-recurring-exceptions-project2016-mspdi.xml"), project=planned
    )
    planned.refresh_from_db()
    assert planned.calendar.name == MON_FRI
    assert WorkCalendar.objects.count() == calendars
    assert items(result, "calendar_kept")[0]["params"] == {"calendar": MON_FRI}
    assert result.counts["calendar"] == MON_FRI


def test_a_project_without_tasks_takes_the_files_calendar(project, pm, upload):
    result = plan_import(
        actor=pm, source=upload("calendar-recurring-exceptions-project2016-mspdi.xml"), project=project
    )
    project.refresh_from_db()
    assert project.calendar.name == "calendar-recurring-exceptions-project2016-mspdi · Standard"
    assert result.counts["calendars"] == 1
    assert not items(result, "calendar_kept")


def test_a_second_import_appends_again(planned, pm, upload):
    plan_import(actor=pm, source=upload("task-links-project2019-mspdi.xml"), project=planned)
    plan_import(actor=pm, source=upload("task-links-project2019-mspdi.xml"), project=planned)
    # 2 own + 16 + 16 top-level tasks, numbered 1 … 34
    codes = sorted(
        int(code) for code in Task.objects.filter(project=planned).values_list("wbs_code", flat=True)
    )
    assert codes == list(range(1, 35))


@pytest.mark.parametrize("phase", [Phase.CLOSED, Phase.CANCELLED])
def test_a_closed_or_cancelled_project_refuses_and_nothing_is_written(planned, pm, upload, phase):
    Project.objects.filter(pk=planned.pk).update(phase=phase)
    before = (Task.objects.count(), Resource.objects.count())
    with pytest.raises(ConflictError):
        plan_import(actor=pm, source=upload("sample.xml"), project=Project.objects.get(pk=planned.pk))
    assert (Task.objects.count(), Resource.objects.count()) == before


def test_baselines_beyond_the_limit_are_reported(planned, pm, upload):
    for number in range(MAX_BASELINES - 3):
        plan_services.baseline_save(actor=pm, project=planned, name=f"Own {number}")
    plan_services.baseline_save(actor=pm, project=planned, name="Baseline 1")
    result = plan_import(actor=pm, source=upload("baselines.xml"), project=planned)
    # 8 own baselines leave 2 slots: the file's Baseline1 and Baseline2; 3–10 are reported
    assert Baseline.objects.filter(project=planned).count() == MAX_BASELINES
    assert result.counts["baselines"] == 2
    assert items(result, "baseline_limit")[0]["detail"] == "3, 4, 5, 6, 7, 8, 9, 10"
    assert items(result, "baseline_renamed")[0]["detail"] == "Baseline 1 → Baseline 1 (baselines)"
    assert Baseline.objects.filter(project=planned, name="Baseline 2").exists()


def test_an_inactive_resource_takes_no_assignments(project, pm, upload):
    second = resource_create(actor=pm, name="second resource", capacity_units=Decimal("2"))
    resource_update(actor=pm, resource=second, version=second.version, is_active=False)
    result = plan_import(actor=pm, source=upload("sample.xml"), project=project)
    assert list(
        Assignment.objects.filter(task__project=project).values_list("resource__name", flat=True)
    ) == ["First Resource"]
    assert items(result, "resource_inactive")[0]["uids"] == [2]
    assert items(result, "assignment_resource_not_imported")[0]["uids"] == [1]  # assignment UID 1


def test_units_above_an_existing_resources_capacity_are_limited(project, pm, upload):
    resource_create(actor=pm, name="Second Resource", capacity_units=Decimal("0.5"))
    result = plan_import(actor=pm, source=upload("sample.xml"), project=project)
    units = Assignment.objects.get(task__project=project, resource__name="Second Resource").units
    assert units == Decimal("0.50")  # the file asks 0.75 of a resource with 0.5 per day
    assert items(result, "assignment_units_capped")[0]["detail"] == "0.75 → 0.5"


def test_without_resource_permissions_resources_and_assignments_are_reported(project, pm, upload):
    for codename in ("add_resource", "add_assignment"):
        pm.user_permissions.remove(Permission.objects.get(codename=codename))
        for group in pm.groups.all():
            group.permissions.remove(Permission.objects.get(codename=codename))
    pm = type(pm).objects.get(pk=pm.pk)  # fresh permission cache
    result = plan_import(actor=pm, source=upload("sample.xml"), project=project)
    assert Resource.objects.count() == 0
    assert Assignment.objects.count() == 0
    assert items(result, "resource_not_permitted")[0]["uids"] == [1, 2]
    assert items(result, "assignment_not_permitted")[0]["uids"] == [0, 1]
    assert result.counts["tasks"] == 19
