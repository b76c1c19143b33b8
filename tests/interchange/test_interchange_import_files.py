"""Each small MSPDI fixture imported into a new project through the service: counts checked by hand
against the file (manifest counts include MS Project's placeholder rows, which are not imported),
and dates, lags, constraints, hierarchy, progress, resources, calendars and baselines against what
the file says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clientpm.core.models import AuditSource, ChangeRecord
from clientpm.interchange.models import PlanImport
from clientpm.interchange.services import plan_import
from clientpm.projects.models import Baseline, BaselineTask, Task, TaskDependency, WorkCalendar
from clientpm.resources.models import Assignment, Resource


def imported(pm, customer, upload, name: str) -> PlanImport:
    return plan_import(actor=pm, source=upload(name), customer=customer)


def tasks_by_name(result: PlanImport) -> dict[str, Task]:
    return {task.name: task for task in Task.objects.filter(project=result.project)}


def codes(result: PlanImport) -> set[str]:
    return {item["code"] for item in result.report}


def test_sample_counts_and_the_new_project(pm, customer, upload):
    result = imported(pm, customer, upload, "sample.xml")
    project = result.project
    # manifest: 20 tasks incl. the project summary UID 0 → 19; 6 links; 3 resources incl. blank 0 → 2;
    # 17 assignments of which 15 are placeholders without a resource → 2; no baselines
    assert {
        key: result.counts[key] for key in ("tasks", "dependencies", "resources", "assignments", "baselines")
    } == {
        "tasks": 19,
        "dependencies": 6,
        "resources": 2,
        "assignments": 2,
        "baselines": 0,
    }
    # the file's Standard calendar is plain Monday–Friday: the built-in calendar is reused
    assert (result.counts["calendars"], result.counts["calendar"]) == (0, "Monday–Friday")
    assert project.calendar == WorkCalendar.objects.get(name="Monday–Friday")
    assert (project.name, project.customer, project.manager) == (
        "sample",
        customer,
        pm,
    )  # <Title>sample</Title>
    assert project.planned_start_date == date(2003, 1, 7)  # <StartDate>2003-01-07T08:00:00</StartDate>
    assert result.created_project
    assert result.imported_by == pm
    assert result.file_name == "sample.xml"


def test_sample_dependencies_keep_their_type_and_lag(pm, customer, upload):
    result = imported(pm, customer, upload, "sample.xml")
    links = {
        (link.predecessor.name, link.successor.name): (link.dependency_type, link.lag_days)
        for link in TaskDependency.objects.filter(successor__project=result.project).select_related(
            "predecessor", "successor"
        )
    }
    # LinkLag 4800 tenths of a minute = 480 min = 1 day at 480 MinutesPerDay; -4800 = a 1-day lead
    assert links == {
        ("Related Task 1a", "Related Task 1b"): ("FS", 0),
        ("Related Task 2a", "Related Task 2b"): ("FS", 1),
        ("Related Task 3a", "Related Task 3b"): ("FS", -1),
        ("Related Task 4a", "Related Task 4b"): ("SS", 0),
        ("Related Task 5a", "Related Task 5b"): ("FF", 0),
        ("Related Task 6a", "Related Task 6b"): ("SF", 0),
    }


def test_sample_tasks_are_scheduled_on_the_files_dates(pm, customer, upload):
    tasks = tasks_by_name(imported(pm, customer, upload, "sample.xml"))
    jan = lambda day: date(2003, 1, day)  # noqa: E731
    # project start Tue 7 Jan 2003; FS → next working day; FS+1 leaves Wed 8 free; FS-1 → same day;
    # 6a starts no earlier than Wed 8; 6b's SNET Mon 6 is before the project start
    expected = {
        "Related Task 1a": jan(7),
        "Related Task 1b": jan(8),
        "Related Task 2a": jan(7),
        "Related Task 2b": jan(9),
        "Related Task 3a": jan(7),
        "Related Task 3b": jan(7),
        "Related Task 4b": jan(7),
        "Related Task 5b": jan(7),
        "Related Task 6a": jan(8),
        "Related Task 6b": jan(7),
        # SNET Sat 1 Feb and Sat 1 Mar → the Mondays after, as in the file
        "Recurring Task 1": date(2003, 2, 3),
        "Recurring Task 2": date(2003, 3, 3),
    }
    assert {name: (tasks[name].start_date, tasks[name].finish_date) for name in expected} == {
        name: (day, day)
        for name, day in expected.items()  # all 1-day tasks
    }
    assert (tasks["Related Task 6a"].constraint_type, tasks["Related Task 6a"].constraint_date) == (
        "snet",
        jan(8),
    )
    assert (tasks["Recurring Task 1"].constraint_type, tasks["Recurring Task 1"].constraint_date) == (
        "snet",
        date(2003, 2, 1),
    )
    third = tasks["Third task"]  # <Milestone>1</Milestone>, duration 0
    assert (third.duration_days, third.start_date) == (0, jan(7))


def test_sample_outline_becomes_the_wbs(pm, customer, upload):
    tasks = tasks_by_name(imported(pm, customer, upload, "sample.xml"))
    recurring = tasks["Recurring Task"]
    # OutlineNumber 2 with custom WBS 1.3 in the file: clientpm numbers the outline
    assert (recurring.wbs_code, recurring.is_summary, recurring.parent) == ("2", True, None)
    assert [(t.wbs_code, t.parent_id) for t in (tasks["Recurring Task 1"], tasks["Recurring Task 2"])] == [
        ("2.1", recurring.pk),
        ("2.2", recurring.pk),
    ]
    assert tasks["Related Task 6b"].wbs_code == "3.12"
    # the summary rolls up: 3 Feb … 3 Mar is 21 working days (20 in February + Monday 3 March)
    assert (recurring.start_date, recurring.finish_date, recurring.duration_days) == (
        date(2003, 2, 3),
        date(2003, 3, 3),
        21,
    )


def test_sample_resources_and_assignments(pm, customer, upload):
    result = imported(pm, customer, upload, "sample.xml")
    second = Resource.objects.get(name="Second Resource")
    assert (second.kind, second.capacity_units, second.notes) == (
        "person",
        Decimal("1.00"),
        "Test Resource Notes",
    )
    assert sorted(
        Assignment.objects.filter(task__project=result.project).values_list(
            "task__name", "resource__name", "units"
        )
    ) == [
        ("Second Task", "First Resource", Decimal("0.50")),
        ("Second Task", "Second Resource", Decimal("0.75")),
    ]


def test_sample_report_names_what_was_not_carried_over(pm, customer, upload):
    result = imported(pm, customer, upload, "sample.xml")
    by_code = {(item["code"], item["element"]): item for item in result.report}
    assert by_code[("task_notes_not_imported", "Task/Notes")]["uids"] == [1]  # "Test Task Notes"
    assert by_code[("task_notes_not_imported", "Task/Notes")]["detail"] == "Test Task Notes"
    assert by_code[("wbs_renumbered", "Task/WBS")]["uids"] == [6, 7, 8]  # WBS 1.3, 1.3.1, 1.3.2
    assert by_code[("calendar_not_imported", "Calendar")]["uids"] == [
        2,
        3,
        4,
    ]  # Night Shift + 2 resource calendars
    assert by_code[("assignment_without_resource", "Assignment")]["count"] == 15
    assert by_code[("unsupported_element", "Resource/StandardRate")]["detail"] == "10; 5"


def test_links_file_dates_and_lags_match_the_file(pm, customer, upload):
    result = imported(pm, customer, upload, "task-links-project2019-mspdi.xml")
    assert (result.counts["tasks"], result.counts["dependencies"]) == (16, 8)
    links = sorted(
        TaskDependency.objects.filter(successor__project=result.project).values_list(
            "successor__wbs_code", "dependency_type", "lag_days"
        ),
        key=lambda row: int(row[0]),
    )
    # LagFormat 7 (days) and 9 (weeks: 1 w = 5 working days, 2 w = 10)
    assert links == [
        ("2", "FS", 0),
        ("4", "FS", 1),
        ("6", "FS", 2),
        ("8", "FS", 5),
        ("10", "FS", 10),
        ("12", "SF", 2),
        ("14", "SS", 2),
        ("16", "FF", 2),
    ]
    got = {task.wbs_code: task.start_date for task in Task.objects.filter(project=result.project)}
    # from Thu 18 Oct 2018: FS+1 → Mon 22, FS+2 → Tue 23, FS+5 → Fri 26, FS+10 → Fri 2 Nov,
    # SF+2: finish ≥ start + 2 working days → Fri 19, SS+2 → Mon 22, FF+2 → Mon 22
    oct_ = lambda day: date(2018, 10, day)  # noqa: E731
    assert [got[str(n)] for n in range(2, 17, 2)] == [
        oct_(19),
        oct_(22),
        oct_(23),
        oct_(26),
        date(2018, 11, 2),
        oct_(19),
        oct_(22),
        oct_(22),
    ]
    assert {got[str(n)] for n in range(1, 16, 2)} == {oct_(18)}
    manual = next(item for item in result.report if item["code"] == "manual_task")
    assert manual["count"] == 16  # every task is manually scheduled in this file


def test_blank_rows_are_skipped_and_the_outline_kept(pm, customer, upload):
    result = imported(pm, customer, upload, "mspdinulltasks.xml")
    rows = list(
        Task.objects.filter(project=result.project).order_by("wbs_code").values_list("wbs_code", "name")
    )
    # UIDs 2, 5 and 7 are IsNull rows between Task 1 … Task 5
    assert rows == [("1", "Task 1"), ("1.1", "Task 2"), ("1.2", "Task 3"), ("2", "Task 4"), ("2.1", "Task 5")]
    blank = next(item for item in result.report if item["code"] == "blank_task_skipped")
    assert blank["uids"] == [2, 5, 7]
    task_2 = Task.objects.get(project=result.project, name="Task 2")
    # 10 working days from Monday 3 November 2008: 3–7 and 10–14 November
    assert (task_2.start_date, task_2.finish_date) == (date(2008, 11, 3), date(2008, 11, 14))


def test_durations_in_every_unit(pm, customer, upload):
    result = imported(pm, customer, upload, "mspdiduration.xml")
    days = list(
        Task.objects.filter(project=result.project).order_by("pk").values_list("name", "duration_days")
    )
    # 1 minute and 1 hour round up to 1 day; 8 h = 1 d; 5 d; 1 month = 20 d (DaysPerMonth 20);
    # elapsed: 1 emin, 1 eh, 1 ed round up to 1 d; 1 ew = 7 calendar days from Wed 25 March 2009 = 5 working
    # days; 1 emo = 30 calendar days = 22 working days
    assert [d for _name, d in days] == [1, 1, 1, 5, 20, 1, 1, 1, 5, 22]
    assert {"duration_rounded", "elapsed_duration"} <= codes(result)


def test_progress_effort_and_assignments(pm, customer, upload):
    result = imported(pm, customer, upload, "assignment-assignments-project2019-mspdi.xml")
    rows = {
        task.name: (task.percent_complete, task.status, task.actual_start_date, task.effort_hours)
        for task in Task.objects.filter(project=result.project)
    }
    # Work PT80H0M0S = 80 h; PercentComplete 25 / 50 with ActualStart 2016-01-04 → in progress
    assert rows == {
        "Task 1": (0, "not_started", None, Decimal("80.00")),
        "Task 2": (25, "in_progress", date(2016, 1, 4), Decimal("80.00")),
        "Task 3": (50, "in_progress", date(2016, 1, 4), Decimal("80.00")),
    }
    assert sorted(
        Assignment.objects.filter(task__project=result.project).values_list(
            "task__name", "resource__name", "units"
        )
    ) == [
        ("Task 1", "Resource 1", Decimal("1.00")),
        ("Task 2", "Resource 2", Decimal("1.00")),
        ("Task 3", "Resource 3", Decimal("1.00")),
    ]


def test_recurring_calendar_exceptions_become_a_company_calendar(pm, customer, upload):
    result = imported(pm, customer, upload, "calendar-recurring-exceptions-project2016-mspdi.xml")
    calendar = result.project.calendar
    assert result.counts["calendars"] == 1
    assert calendar.name == "calendar-recurring-exceptions-project2016-mspdi · Standard"
    assert (calendar.base, calendar.working_weekdays, calendar.is_builtin) == ("mon_fri", "1111100", False)
    # "Weekly 1 Monday": every Monday from 1 January 2001, 3 occurrences
    assert {"2001-01-01", "2001-01-08", "2001-01-15"} <= set(calendar.holidays)
    # "Daily 1" covers Sat 1 – Mon 3 January 2000: only the Monday was a working day to take off
    assert "2000-01-03" in calendar.holidays
    assert "2000-01-01" not in calendar.holidays
    # "Recurring Working": the first Saturday of January, February and March 2010 are worked
    assert calendar.extra_working_days == ["2010-01-02", "2010-02-06", "2010-03-06"]
    assert len(calendar.holidays) == 89
    again = imported(pm, customer, upload, "calendar-recurring-exceptions-project2016-mspdi.xml")
    assert (again.project.calendar, again.counts["calendars"]) == (calendar, 0)  # same days: reused


def test_material_and_cost_resources_are_reported_not_imported(pm, customer, upload):
    result = imported(pm, customer, upload, "resource-type-project2016-mspdi.xml")
    assert result.counts["resources"] == 5
    assert sorted(Resource.objects.values_list("name", flat=True)) == [
        f"Work Resource {n}" for n in range(1, 6)
    ]
    unsupported = next(item for item in result.report if item["code"] == "resource_kind_unsupported")
    assert (unsupported["count"], unsupported["detail"]) == (10, "cost; material")


def test_baselines_become_named_baselines(pm, customer, upload):
    result = imported(pm, customer, upload, "baselines.xml")
    baselines = {b.name: b for b in Baseline.objects.filter(project=result.project)}
    # Baseline1 … Baseline10 in the file (no Baseline 0)
    assert sorted(baselines) == sorted(f"Baseline {n}" for n in range(1, 11))
    assert (result.counts["baselines"], result.counts["baseline_tasks"]) == (10, 10)
    third = BaselineTask.objects.get(baseline=baselines["Baseline 3"])
    # <Baseline><Number>3</Number><Start>2001-01-03T09:00:00</Start><Finish>2000-01-03T17:30:00</Finish>
    # <Duration>PT24H0M0S</Duration> → 3 days
    assert (third.name, third.start_date, third.finish_date, third.duration_days) == (
        "Task One",
        date(2001, 1, 3),
        date(2000, 1, 3),
        3,
    )
    assert baselines["Baseline 3"].saved_by == pm


def test_existing_resources_are_matched_by_name(pm, customer, upload):
    imported(pm, customer, upload, "baselines.xml")  # creates "Resource One"
    result = imported(pm, customer, upload, "caltest.xml")  # Resource One, Two, Three
    assert (result.counts["resources"], result.counts["resources_matched"]) == (2, 1)
    assert Resource.objects.filter(name__iexact="resource one").count() == 1
    matched = next(item for item in result.report if item["code"] == "resource_matched")
    assert (matched["uids"], matched["detail"]) == ([1], "Resource One")


def test_every_write_leaves_a_change_record_labelled_import(pm, customer, upload):
    result = imported(pm, customer, upload, "sample.xml")
    records = ChangeRecord.objects.filter(source=AuditSource.IMPORT)
    by_model = {
        model: records.filter(content_type__model=model).count() for model in ("task", "taskdependency")
    }
    assert by_model == {"task": 19, "taskdependency": 6}
    assert records.filter(content_type__model="resource").count() == 2
    assert records.filter(content_type__model="assignment").count() == 2
    assert records.filter(content_type__model="project", action="create").count() == 1
    plan_record = records.get(content_type__model="planimport")
    assert plan_record.object_id == result.pk
    assert plan_record.actor == pm


@pytest.mark.parametrize(
    ("name", "tasks"),
    [("caltest.xml", 3), ("mspdiduration.xml", 10), ("resource-type-project2016-mspdi.xml", 0)],
)
def test_counts_match_the_file(pm, customer, upload, name, tasks):
    result = imported(pm, customer, upload, name)
    assert result.counts["tasks"] == Task.objects.filter(project=result.project).count() == tasks
