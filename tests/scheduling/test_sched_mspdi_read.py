"""MSPDI import of real Microsoft Project files: counts, outline, durations, links, calendars,
resources, assignments, baselines — each fact checked by hand against the XML."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from clientpm.scheduling import Dependency, Task, schedule
from clientpm.scheduling.calendar import is_working_day
from clientpm.scheduling.cpm import ConstraintType, DependencyType
from clientpm.scheduling.mspdi import ReportCode, ResourceKind, Severity, read_mspdi
from clientpm.scheduling.mspdi.fields import SECTION_FIELDS, FieldClass, holds_value
from clientpm.scheduling.mspdi.model import finish_date_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "msproject"
NS = "{http://schemas.microsoft.com/project}"

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF


def manifest() -> dict[str, dict[str, str]]:
    with open(FIXTURES / "manifest.csv", newline="", encoding="utf-8") as stream:
        return {row["file"].removeprefix("mspdi/"): row for row in csv.DictReader(stream)}


def skipped(report, code: ReportCode) -> int:
    return sum(item.count for item in report.find(code))


# file: (tasks, links, resources, assignments, calendars) as clientpm imports them
EXPECTED = {
    "sample.xml": (19, 6, 2, 2, 4),
    "task-links-project2019-mspdi.xml": (16, 8, 0, 0, 1),
    "mspdinulltasks.xml": (5, 0, 0, 0, 1),
    "calendar-recurring-exceptions-project2016-mspdi.xml": (0, 0, 0, 0, 1),
    "caltest.xml": (3, 0, 3, 0, 5),
    "mspdiduration.xml": (10, 0, 0, 0, 1),
    "resource-type-project2016-mspdi.xml": (0, 0, 15, 0, 16),
    "baselines.xml": (1, 0, 1, 0, 3),
    "assignment-assignments-project2019-mspdi.xml": (3, 0, 3, 3, 4),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_match_the_manifest_once_placeholder_rows_are_added_back(name):
    row = manifest()[name]
    project, report = read_mspdi(FIXTURES / name)
    tasks, links, resources, assignments, calendars = EXPECTED[name]
    assert (len(project.tasks), len(project.links), len(project.resources)) == (tasks, links, resources)
    assert (len(project.assignments), len(project.calendars)) == (assignments, calendars)
    # MPXJ counts the project summary row (UID 0) and blank rows as tasks, resource 0 as a
    # resource and MS Project's "no resource" placeholder assignments as assignments; clientpm
    # skips them and says so in the report — adding them back gives MPXJ's numbers.
    summary_rows = skipped(report, ReportCode.PROJECT_SUMMARY_SKIPPED)
    blank_rows = skipped(report, ReportCode.BLANK_TASK_SKIPPED)
    assert tasks + summary_rows + blank_rows == int(row["tasks"])
    assert resources + skipped(report, ReportCode.BLANK_RESOURCE_SKIPPED) == int(row["resources"])
    placeholders = skipped(report, ReportCode.ASSIGNMENT_WITHOUT_RESOURCE)
    assert assignments + placeholders == int(row["assignments"])
    assert calendars == int(row["calendars"])
    assert links == int(row["links"])
    assert sum(1 for link in project.links if link.lag_days) == int(row["lagged_links"])


def test_sample_outline_wbs_and_summary_tasks():
    project, _ = read_mspdi(FIXTURES / "sample.xml")
    parents = {task.uid: task.parent_uid for task in project.tasks}
    # Outline levels in file order: 1 First Task, 2 Second, 2 Third, 1 Recurring Task (UID 6),
    # 2 its two occurrences (7, 8), 1 Task Relationships (19), 2 its twelve tasks.
    assert parents[1] is None
    assert parents[2] == parents[3] == 1
    assert parents[6] is None
    assert parents[7] == parents[8] == 6
    assert parents[19] is None
    assert [uid for uid, parent in parents.items() if parent == 19] == [
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        20,
        21,
    ]
    assert {task.uid for task in project.tasks if task.summary} == {1, 6, 19}
    related_6b = project.task(21)
    assert (related_6b.id, related_6b.wbs, related_6b.outline_number, related_6b.outline_level) == (
        19,
        "3.12",
        "3.12",
        2,
    )
    # the file's WBS codes are custom (1.3.x under outline number 2): both are kept
    assert (project.task(6).wbs, project.task(6).outline_number) == ("1.3", "2")
    assert (project.task(7).wbs, project.task(7).outline_number, project.task(7).wbs_code) == (
        "1.3.1",
        "2.1",
        "1.3.1",
    )


def test_sample_links_keep_type_and_lag_including_a_lead():
    project, _ = read_mspdi(FIXTURES / "sample.xml")
    links = [(link.predecessor_uid, link.successor_uid, link.type, link.lag_days) for link in project.links]
    # LinkLag 4800 tenths of minutes = 480 min = 1 day at 480 min/day; −4800 = a 1-day lead.
    assert links == [
        (9, 10, FS, 0),
        (11, 12, FS, 1),
        (13, 14, FS, -1),
        (15, 16, SS, 0),
        (17, 18, FF, 0),
        (20, 21, SF, 0),
    ]
    assert project.links[1].link_lag == 4800
    assert project.links[2].exact_lag_days == -1.0


def test_sample_durations_milestone_constraints_notes_and_project_properties():
    project, _ = read_mspdi(FIXTURES / "sample.xml")
    info = project.info
    assert (info.name, info.title, info.minutes_per_day, info.calendar_uid) == (
        "sample.xml",
        "sample",
        480,
        1,
    )
    assert info.start == datetime(2003, 1, 7, 8)
    second, third, first = project.task(2), project.task(3), project.task(1)
    assert (second.duration_minutes, second.working_days) == (
        48000.0,
        100,
    )  # PT800H = 48000 min / 480 = 100 d
    assert (third.milestone, third.working_days) == (True, 0)
    assert first.notes == "Test Task Notes"
    occurrence = project.task(7)
    assert (occurrence.constraint, occurrence.constraint_date) == (
        ConstraintType.SNET,
        datetime(2003, 2, 1, 8),
    )
    assert project.task(9).constraint is ConstraintType.ASAP
    assert project.task(9).constraint_date is None


def test_week_lags_become_working_days():
    project, _ = read_mspdi(FIXTURES / "task-links-project2019-mspdi.xml")
    lags = {
        (link.predecessor_uid, link.successor_uid): (link.type, link.lag_days, link.lag_format)
        for link in project.links
    }
    # LagFormat 9 = weeks: 24000 tenths = 2400 min = 5 days; 48000 = 10 days.
    assert lags[(7, 8)] == (FS, 5, 9)
    assert lags[(9, 10)] == (FS, 10, 9)
    assert lags[(11, 12)] == (SF, 2, 7)
    assert lags[(13, 14)] == (SS, 2, 7)
    assert lags[(15, 16)] == (FF, 2, 7)


@pytest.mark.parametrize(
    ("name", "parent_uid"), [("sample.xml", 19), ("task-links-project2019-mspdi.xml", None)]
)
def test_the_engine_reproduces_ms_project_dates_from_the_imported_plan(name, parent_uid):
    project, _ = read_mspdi(FIXTURES / name)
    leaves = [task for task in project.tasks if task.parent_uid == parent_uid and not task.summary]
    uids = {task.uid for task in leaves}
    tasks = [
        Task(t.uid, t.working_days, t.constraint, t.constraint_date.date() if t.constraint_date else None)
        for t in leaves
    ]
    links = [
        Dependency(link.predecessor_uid, link.successor_uid, link.type, link.lag_days)
        for link in project.links
        if link.successor_uid in uids
    ]
    calendar = project.project_calendar
    assert calendar is not None
    plan = schedule(
        tasks, links, calendar=calendar.working_calendar(), project_start=project.info.start.date()
    )
    for task in leaves:
        # MS Project dates a finish at the start of the next day (08:00) when a task ends at the
        # end of a working day (Related Task 6b); finish_date_of maps it back to the day worked.
        finish = finish_date_of(task.finish, task.start, project.info.default_start_time)
        assert (plan.tasks[task.uid].start, plan.tasks[task.uid].finish) == (task.start.date(), finish), (
            task.uid
        )


def test_durations_in_every_unit_working_and_elapsed():
    project, report = read_mspdi(FIXTURES / "mspdiduration.xml")
    days = {task.uid: (task.duration_format, task.working_days) for task in project.tasks}
    # working time at 480 min/day: 1 min and 1 h round up to 1 day, 8 h = 1, 40 h = 5, 160 h = 20
    assert [days[uid] for uid in (1, 2, 3, 4, 5)] == [(3, 1), (5, 1), (7, 1), (9, 5), (11, 20)]
    assert project.task(2).duration_days == 0.125  # 60 / 480
    # elapsed time from Wed 2009-03-25: 1 em, 1 eh → part of one day → 1; 24 eh = 1 day → 1;
    # 168 eh = 7 calendar days, Wed 25 … Tue 31 March → 5 working days; 720 eh = 30 days,
    # 25 March … 23 April → 5 (Mar 25–31) + 17 (Apr 1–23) = 22 working days.
    assert [days[uid] for uid in (6, 7, 8, 9, 10)] == [(4, 1), (6, 1), (8, 1), (10, 5), (12, 22)]
    assert report.find(ReportCode.DURATION_ROUNDED)[0].uids == (1, 2)
    elapsed = report.find(ReportCode.ELAPSED_DURATION)[0]
    assert (elapsed.uids, elapsed.severity) == ((6, 7, 8, 9, 10), Severity.WARNING)


def test_blank_rows_are_skipped_and_reported_without_breaking_the_outline():
    project, report = read_mspdi(FIXTURES / "mspdinulltasks.xml")
    assert [(task.uid, task.parent_uid) for task in project.tasks] == [
        (1, None),
        (3, 1),
        (4, 1),
        (6, None),
        (8, 6),
    ]
    assert report.find(ReportCode.BLANK_TASK_SKIPPED)[0].uids == (2, 5, 7)
    # MinutesPerDay is 450 here: PT75H0M0S = 4500 min = 10 days
    assert project.task(3).working_days == 10


def _legacy_exception_days(path: Path) -> dict[date, bool]:
    """The old-style WeekDay/DayType 0 exceptions Project 2016 wrote next to the new ones."""
    days: dict[date, bool] = {}
    for weekday in ET.parse(path).getroot().iter(f"{NS}WeekDay"):
        if weekday.findtext(f"{NS}DayType") != "0":
            continue
        first = datetime.fromisoformat(weekday.findtext(f"{NS}TimePeriod/{NS}FromDate")).date()
        last = datetime.fromisoformat(weekday.findtext(f"{NS}TimePeriod/{NS}ToDate")).date()
        for offset in range((last - first).days + 1):
            days[first + timedelta(days=offset)] = weekday.findtext(f"{NS}DayWorking") == "1"
    return days


def test_recurring_exceptions_expand_to_the_dates_ms_project_itself_expanded():
    path = FIXTURES / "calendar-recurring-exceptions-project2016-mspdi.xml"
    project, report = read_mspdi(path)
    calendar = project.calendars[0]
    ours = {day: exception.working for exception in calendar.exceptions for day in exception.dates}
    assert len(calendar.exceptions) == 27
    assert ours == _legacy_exception_days(path)  # 140 dates, every one equal
    by_name = {exception.name: exception for exception in calendar.exceptions}
    # first Monday of every 2nd month from January 2002, 3 occurrences
    assert by_name["Monthly Relative 1"].dates == (date(2002, 1, 7), date(2002, 3, 4), date(2002, 5, 6))
    # every 7th week on Sunday from Mon 2001-01-01: weeks run Sunday–Saturday, so Sun 2000-12-31
    # (before the start) is week 0 and the first occurrence is 49 days later, 2001-02-18
    assert by_name["Weekly 7 Sunday"].dates[0] == date(2001, 2, 18)
    # yearly, Month 1 = February (0-based), day 1, three times from 2005
    assert by_name["Yearly Absolute 1"].dates == (date(2005, 2, 1), date(2006, 2, 1), date(2007, 2, 1))
    # a working exception on the first Saturday of Jan–Mar 2010 → extra working days
    assert calendar.extra_working_days == (date(2010, 1, 2), date(2010, 2, 6), date(2010, 3, 6))
    assert report.find(ReportCode.CALENDAR_LEGACY_EXCEPTIONS_SUPERSEDED)
    assert report.find(ReportCode.CALENDAR_RECURRENCE_EXPANDED)[0].count == 26  # all but "Daily 1"


def test_old_style_exceptions_and_derived_calendars():
    project, _ = read_mspdi(FIXTURES / "caltest.xml")
    resource_three = project.calendar(6)
    assert (resource_three.is_base, resource_three.base_uid, resource_three.weekmask) == (False, 3, "1111100")
    # DayType 0 exceptions 2005-11-01…04 (Tue–Fri) and 11-21…25 (Mon–Fri): 4 + 5 holidays
    assert len(resource_three.holidays) == 9
    engine = resource_three.working_calendar()
    assert is_working_day(engine, [date(2005, 11, 4), date(2005, 11, 7)]).tolist() == [False, True]
    assert project.calendar(5).holidays == ()  # same base calendar, no exceptions of its own
    assert [task.calendar_uid for task in project.tasks] == [None, 1, 3]
    assert project.resource(3).calendar_uid == 6


def test_resource_kinds_and_capacity():
    project, _ = read_mspdi(FIXTURES / "resource-type-project2016-mspdi.xml")
    kinds = [resource.kind for resource in project.resources]
    assert kinds == [ResourceKind.COST] * 5 + [ResourceKind.MATERIAL] * 5 + [ResourceKind.WORK] * 5
    work = project.resource(11)
    assert (work.name, work.max_units, work.capacity) == ("Work Resource 1", 1.0, 1.0)
    assert project.resource(1).capacity is None
    assert project.resource(6).max_units is None


def test_baselines_one_to_ten():
    project, report = read_mspdi(FIXTURES / "baselines.xml")
    baselines = project.task(1).baselines
    assert [baseline.number for baseline in baselines] == list(range(1, 11))
    # Baseline n: duration n × 450 min at 450 min/day = n days; work n × 60 min
    assert [(b.working_days, b.work_minutes) for b in baselines] == [(n, n * 60.0) for n in range(1, 11)]
    assert baselines[2].start == datetime(2001, 1, 3, 9)
    assert baselines[2].finish == datetime(2000, 1, 3, 17, 30)
    cost = report.find(ReportCode.UNSUPPORTED_ELEMENT, "Task/Baseline/Cost")[0]
    assert (cost.uids, cost.count) == ((1,), 10)


def test_assignments_units_work_and_progress():
    project, _ = read_mspdi(FIXTURES / "assignment-assignments-project2019-mspdi.xml")
    summary = [
        (a.task_uid, a.resource_uid, a.units, a.work_hours, a.percent_work_complete)
        for a in project.assignments
    ]
    assert summary == [(1, 1, 1.0, 80.0, 0), (2, 2, 1.0, 80.0, 25), (3, 3, 1.0, 80.0, 50)]  # PT80H0M0S
    assert project.task(3).percent_complete == 50
    assert project.task(3).actual_start == datetime(2016, 1, 4, 8)


def test_sample_report_names_what_was_not_imported():
    _, report = read_mspdi(FIXTURES / "sample.xml")
    recurring = report.find(ReportCode.UNSUPPORTED_ELEMENT, "Task/Recurring")[0]
    assert (recurring.uids, recurring.severity) == ((6, 7, 8), Severity.WARNING)
    assert report.find(ReportCode.UNSUPPORTED_ELEMENT, "Task/Priority")[0].detail == "1000"
    assert report.find(ReportCode.UNSUPPORTED_ELEMENT, "Resource/StandardRate")[0].uids == (1, 2)
    timephased = report.find(ReportCode.UNSUPPORTED_ELEMENT, "Assignment/TimephasedData")[0]
    assert timephased.count == 148
    recalculated = report.find(ReportCode.RECALCULATED_IGNORED, "Task")[0]
    assert "TotalSlack" in recalculated.detail
    assert recalculated.severity is Severity.INFO
    hours = report.find(ReportCode.CALENDAR_HOURS_IGNORED)[0]
    assert hours.detail == "Night Shift: Monday 60 min; Night Shift: Saturday 420 min"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_task_and_resource_field_with_a_value_is_read_or_reported(name):
    """Nothing is dropped silently: each child element of a task or resource that holds a value
    is mapped, or named in the report (unsupported per element, recalculated/settings listed)."""
    _, report = read_mspdi(FIXTURES / name)
    listed = {
        (item.element, field.strip())
        for item in report
        if item.code in (ReportCode.RECALCULATED_IGNORED, ReportCode.SETTING_IGNORED)
        for field in item.detail.split(",")
    }
    unsupported = {item.element for item in report.find(ReportCode.UNSUPPORTED_ELEMENT)}
    root = ET.parse(FIXTURES / name).getroot()
    for section, tag in (("Task", "Tasks/{ns}Task"), ("Resource", "Resources/{ns}Resource")):
        fields = SECTION_FIELDS[section]
        for element in root.iterfind(f"{NS}{tag.format(ns=NS)}"):
            if element.findtext(f"{NS}UID") == "0" or element.findtext(f"{NS}IsNull") == "1":
                continue  # skipped rows are reported as a whole
            for child in element:
                field = child.tag.removeprefix(NS)
                kind = fields.classify(field)
                if kind is FieldClass.MAPPED:
                    continue
                if kind is FieldClass.UNSUPPORTED:
                    if len(child) or holds_value(fields, field, (child.text or "").strip()):
                        assert f"{section}/{field}" in unsupported, (section, field)
                else:
                    assert (section, field) in listed, (section, field)


def test_a_file_without_namespace_reads_the_same():
    data = (
        (FIXTURES / "sample.xml").read_bytes().replace(b' xmlns="http://schemas.microsoft.com/project"', b"")
    )
    plain, _ = read_mspdi(data)
    namespaced, _ = read_mspdi(FIXTURES / "sample.xml")
    assert plain == namespaced


def test_a_binary_stream_reads_the_same_as_a_path():
    with open(FIXTURES / "caltest.xml", "rb") as stream:
        from_stream, _ = read_mspdi(stream)
    assert from_stream == read_mspdi(str(FIXTURES / "caltest.xml")).project
