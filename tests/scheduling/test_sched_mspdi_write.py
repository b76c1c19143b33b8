"""MSPDI export: schema element order, MSPDI units and codes, and a hand-built plan read back."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta

import pytest

from clientpm.scheduling.calendar import china_calendar, is_working_day
from clientpm.scheduling.cpm import ConstraintType, DependencyType
from clientpm.scheduling.exceptions import SchedulingError
from clientpm.scheduling.mspdi import (
    Baseline,
    CalendarException,
    MspdiAssignment,
    MspdiCalendar,
    MspdiLink,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    ProjectInfo,
    ResourceKind,
    read_mspdi,
)
from clientpm.scheduling.mspdi.model import day_finish, day_start
from clientpm.scheduling.mspdi.writer import mspdi_bytes, write_mspdi

NS = "{http://schemas.microsoft.com/project}"
C = ConstraintType

# Element order of the MSPDI schema (Microsoft's mspdi_pj12.xsd, Project 2007; "Active" and
# "Manual" are the Project 2010 task additions after "Name"), for the elements the writer uses.
PROJECT_ORDER = """SaveVersion UID Name Title Subject Category Company Manager Author CreationDate
Revision LastSaved ScheduleFromStart StartDate FinishDate FYStartDate CriticalSlackLimit CurrencyDigits
CurrencySymbol CurrencyCode CurrencySymbolPosition CalendarUID DefaultStartTime DefaultFinishTime
MinutesPerDay MinutesPerWeek DaysPerMonth DefaultTaskType DefaultFixedCostAccrual DefaultStandardRate
DefaultOvertimeRate DurationFormat WorkFormat EditableActualCosts HonorConstraints EarnedValueMethod
InsertedProjectsLikeSummary MultipleCriticalPaths NewTasksEffortDriven NewTasksEstimated
SplitsInProgressTasks SpreadActualCost SpreadPercentComplete TaskUpdatesResource FiscalYearStart
WeekStartDay MoveCompletedEndsBack MoveRemainingStartsBack MoveRemainingStartsForward
MoveCompletedEndsForward BaselineForEarnedValue AutoAddNewResourcesAndTasks StatusDate CurrentDate
OutlineCodes WBSMasks ExtendedAttributes Calendars Tasks Resources Assignments""".split()  # noqa: SIM905
CALENDAR_ORDER = "UID Name IsBaseCalendar BaseCalendarUID WeekDays Exceptions WorkWeeks".split()  # noqa: SIM905
WEEKDAY_ORDER = "DayType DayWorking TimePeriod WorkingTimes".split()  # noqa: SIM905
EXCEPTION_ORDER = """EnteredByOccurrences TimePeriod Occurrences Name Type Period DaysOfWeek MonthItem
MonthPosition Month MonthDay DayWorking WorkingTimes""".split()  # noqa: SIM905
TASK_ORDER = """UID ID Name Active Manual Type IsNull CreateDate Contact WBS WBSLevel OutlineNumber
OutlineLevel Priority Start Finish Duration DurationFormat Work Stop Resume ResumeValid EffortDriven
Recurring OverAllocated Estimated Milestone Summary Critical IsSubproject IsSubprojectReadOnly
SubprojectName ExternalTask ExternalTaskProject EarlyStart EarlyFinish LateStart LateFinish
StartVariance FinishVariance WorkVariance FreeSlack TotalSlack FixedCost FixedCostAccrual
PercentComplete PercentWorkComplete Cost OvertimeCost OvertimeWork ActualStart ActualFinish
ActualDuration ActualCost ActualOvertimeCost ActualWork ActualOvertimeWork RegularWork
RemainingDuration RemainingCost RemainingWork RemainingOvertimeCost RemainingOvertimeWork ACWP CV
ConstraintType CalendarUID ConstraintDate Deadline LevelAssignments LevelingCanSplit LevelingDelay
LevelingDelayFormat PreLeveledStart PreLeveledFinish Hyperlink HyperlinkAddress HyperlinkSubAddress
IgnoreResourceCalendar Notes HideBar Rollup BCWS BCWP PhysicalPercentComplete EarnedValueMethod
PredecessorLink ActualWorkProtected ActualOvertimeWorkProtected ExtendedAttribute Baseline
OutlineCode""".split()  # noqa: SIM905
LINK_ORDER = "PredecessorUID Type CrossProject CrossProjectName LinkLag LagFormat".split()  # noqa: SIM905
BASELINE_ORDER = """TimephasedData Number Interim Start Finish Duration DurationFormat EstimatedDuration
Work Cost""".split()  # noqa: SIM905
RESOURCE_ORDER = """UID ID Name Type IsNull Initials Phonetics NTAccount MaterialLabel Code Group
WorkGroup EmailAddress Hyperlink MaxUnits PeakUnits CalendarUID Notes IsCostResource""".split()  # noqa: SIM905
ASSIGNMENT_ORDER = """UID TaskUID ResourceUID PercentWorkComplete ActualCost ActualFinish
ActualOvertimeCost ActualOvertimeWork ActualStart ActualWork ACWP Confirmed Cost CostRateTable
CostVariance CV Delay Finish FinishVariance Start Stop Resume StartVariance Units UpdateNeeded VAC
Work""".split()  # noqa: SIM905

INFO = ProjectInfo(name="Office move", start=datetime(2026, 3, 2, 8), calendar_uid=1, currency_code="CNY")


def at(day: int, hour: int = 8) -> datetime:
    return datetime(2026, 3, day, hour)


def plan() -> MspdiProject:
    """A small plan using every feature the writer supports."""
    china = MspdiCalendar.from_working_calendar(1, china_calendar(2026, 2026))
    team = MspdiCalendar(
        uid=2,
        name="Site team",
        is_base=False,
        base_uid=1,
        weekdays=(None,) * 5 + (True, None),  # Saturdays worked
        exceptions=(
            CalendarException(
                "Inventory", date(2026, 3, 9), date(2026, 3, 10), False, (date(2026, 3, 9), date(2026, 3, 10))
            ),
        ),
    )
    baselines = (
        Baseline(0, at(2), at(4, 17), working_days=3),
        Baseline(10, at(3), at(5, 17), working_days=3),
    )
    tasks = (
        MspdiTask(
            1,
            "Move",
            outline_number="1",
            outline_level=1,
            summary=True,
            working_days=9,
            start=at(2),
            finish=at(12, 17),
        ),
        MspdiTask(
            2,
            "Plan",
            outline_number="1.1",
            outline_level=2,
            parent_uid=1,
            working_days=3,
            start=at(2),
            finish=at(4, 17),
            constraint=C.SNET,
            constraint_date=at(2),
            percent_complete=40,
            actual_start=at(2),
            notes="Floor plan first",
            work_minutes=1440.0,
            baselines=baselines,
        ),
        MspdiTask(
            3,
            "Pack",
            outline_number="1.2",
            outline_level=2,
            parent_uid=1,
            working_days=2,
            constraint=C.ALAP,
            calendar_uid=2,
        ),
        MspdiTask(
            4,
            "Go live",
            outline_number="1.3",
            outline_level=2,
            parent_uid=1,
            milestone=True,
            constraint=C.MFO,
            constraint_date=at(12, 17),
            deadline=at(13, 17),
        ),
        MspdiTask(
            5,
            "Permit",
            outline_number="2",
            wbs="P-2",
            working_days=1,
            constraint=C.MSO,
            constraint_date=at(3),
        ),
        MspdiTask(6, "Movers", outline_number="3", working_days=1, constraint=C.SNLT, constraint_date=at(6)),
        MspdiTask(
            7, "Clean", outline_number="4", working_days=1, constraint=C.FNET, constraint_date=at(6, 17)
        ),
        MspdiTask(
            8,
            "Handover",
            outline_number="5",
            working_days=1,
            constraint=C.FNLT,
            constraint_date=at(13, 17),
            estimated=True,
        ),
    )
    links = (
        MspdiLink(2, 3, DependencyType.FS, lag_days=-1),
        MspdiLink(3, 4, DependencyType.FF, lag_days=0),
        MspdiLink(5, 6, DependencyType.SS, lag_days=2),
        MspdiLink(6, 7, DependencyType.SF, lag_days=3),
    )
    resources = (
        MspdiResource(
            1,
            "Ann",
            id=1,
            kind=ResourceKind.WORK,
            max_units=0.5,
            initials="A",
            calendar_uid=2,
            email="ann@example.com",
        ),
        MspdiResource(2, "Boxes", id=2, kind=ResourceKind.MATERIAL, max_units=None, material_label="box"),
        MspdiResource(3, "Travel", id=3, kind=ResourceKind.COST, max_units=None, notes="Taxis"),
    )
    assignments = (
        MspdiAssignment(
            1, task_uid=2, resource_uid=1, units=0.5, work_minutes=720.0, start=at(2), finish=at(4, 17)
        ),
    )
    return MspdiProject(INFO, (china, team), tasks, links, resources, assignments)


def children(element: ET.Element) -> list[str]:
    return [child.tag.removeprefix(NS) for child in element]


def assert_in_order(tags: list[str], order: list[str]) -> None:
    unknown = [tag for tag in tags if tag not in order]
    assert not unknown, unknown
    positions = [order.index(tag) for tag in tags]
    assert positions == sorted(positions), tags


def test_elements_follow_the_schema_order():
    root = ET.fromstring(mspdi_bytes(plan()))
    assert root.tag == f"{NS}Project"
    assert_in_order(children(root), PROJECT_ORDER)
    for calendar in root.iter(f"{NS}Calendar"):
        assert_in_order(children(calendar), CALENDAR_ORDER)
        for weekday in calendar.iter(f"{NS}WeekDay"):
            assert_in_order(children(weekday), WEEKDAY_ORDER)
        for exception in calendar.iter(f"{NS}Exception"):
            assert_in_order(children(exception), EXCEPTION_ORDER)
    for task in root.iter(f"{NS}Task"):
        assert_in_order(children(task), TASK_ORDER)
        for link in task.iter(f"{NS}PredecessorLink"):
            assert_in_order(children(link), LINK_ORDER)
        for baseline in task.iter(f"{NS}Baseline"):
            assert_in_order(children(baseline), BASELINE_ORDER)
    for resource in root.iter(f"{NS}Resource"):
        assert_in_order(children(resource), RESOURCE_ORDER)
    for assignment in root.iter(f"{NS}Assignment"):
        assert_in_order(children(assignment), ASSIGNMENT_ORDER)


def test_values_are_written_in_mspdi_units_and_codes():
    root = ET.fromstring(mspdi_bytes(plan()))
    tasks = {task.findtext(f"{NS}UID"): task for task in root.iter(f"{NS}Task")}
    assert tasks["2"].findtext(f"{NS}Duration") == "PT24H0M0S"  # 3 days × 480 min = 1440 min = 24 h
    assert tasks["4"].findtext(f"{NS}Duration") == "PT0H0M0S"
    assert tasks["4"].findtext(f"{NS}Milestone") == "1"
    # MSPDI constraint codes: 0 ASAP, 1 ALAP, 2 MSO, 3 MFO, 4 SNET, 5 SNLT, 6 FNET, 7 FNLT
    codes = {uid: tasks[uid].findtext(f"{NS}ConstraintType") for uid in "2345678"}
    assert codes == {"2": "4", "3": "1", "4": "3", "5": "2", "6": "5", "7": "6", "8": "7"}
    assert tasks["3"].findtext(f"{NS}ConstraintDate") is None
    # link types 0 FF, 1 FS, 2 SF, 3 SS; lag in tenths of minutes: −1 day = −480 min = −4800
    links = [
        (link.findtext(f"{NS}PredecessorUID"), link.findtext(f"{NS}Type"), link.findtext(f"{NS}LinkLag"))
        for link in root.iter(f"{NS}PredecessorLink")
    ]
    assert links == [("2", "1", "-4800"), ("3", "0", "0"), ("5", "3", "9600"), ("6", "2", "14400")]
    assert {link.findtext(f"{NS}LagFormat") for link in root.iter(f"{NS}PredecessorLink")} == {"7"}
    resources = {resource.findtext(f"{NS}Name"): resource for resource in root.iter(f"{NS}Resource")}
    assert (resources["Ann"].findtext(f"{NS}Type"), resources["Ann"].findtext(f"{NS}MaxUnits")) == (
        "1",
        "0.5",
    )
    assert resources["Boxes"].findtext(f"{NS}Type") == "0"
    assert resources["Boxes"].findtext(f"{NS}IsCostResource") is None
    assert (
        resources["Travel"].findtext(f"{NS}Type"),
        resources["Travel"].findtext(f"{NS}IsCostResource"),
    ) == ("0", "1")
    assert root.findtext(f"{NS}Assignments/{NS}Assignment/{NS}Work") == "PT12H0M0S"


def test_calendar_exceptions_are_written_in_both_forms_sorted_and_without_overlap():
    root = ET.fromstring(mspdi_bytes(plan()))
    china = next(c for c in root.iter(f"{NS}Calendar") if c.findtext(f"{NS}UID") == "1")
    exceptions = china.findall(f"{NS}Exceptions/{NS}Exception")
    legacy = [
        day for day in china.findall(f"{NS}WeekDays/{NS}WeekDay") if day.findtext(f"{NS}DayType") == "0"
    ]
    assert len(exceptions) == len(legacy) > 0
    starts = [e.findtext(f"{NS}TimePeriod/{NS}FromDate") for e in exceptions]
    ends = [e.findtext(f"{NS}TimePeriod/{NS}ToDate") for e in exceptions]
    assert starts == sorted(starts)
    assert all(end < start for end, start in zip(ends, starts[1:], strict=False))
    # Spring Festival 2026: 15–23 February off, one run; Saturday 14 February worked
    assert ("2026-02-15T00:00:00", "2026-02-23T23:59:00") in list(zip(starts, ends, strict=True))
    worked = [e for e in exceptions if e.findtext(f"{NS}TimePeriod/{NS}FromDate") == "2026-02-14T00:00:00"]
    assert worked[0].findtext(f"{NS}DayWorking") == "1"
    assert worked[0].find(f"{NS}WorkingTimes") is not None


def test_a_hand_built_plan_reads_back_the_same():
    original = plan()
    project, report = read_mspdi(mspdi_bytes(original))
    assert not report.warnings
    keys = (
        "uid",
        "name",
        "outline_level",
        "parent_uid",
        "summary",
        "milestone",
        "working_days",
        "start",
        "finish",
        "constraint",
        "constraint_date",
        "deadline",
        "percent_complete",
        "actual_start",
        "notes",
        "calendar_uid",
        "estimated",
    )
    assert [tuple(getattr(t, k) for k in keys) for t in project.tasks] == [
        tuple(getattr(t, k) for k in keys) for t in original.tasks
    ]
    assert project.task(5).wbs == "P-2"
    assert project.task(2).work_minutes == 1440.0
    assert [(b.number, b.start, b.finish, b.working_days) for b in project.task(2).baselines] == [
        (0, at(2), at(4, 17), 3),
        (10, at(3), at(5, 17), 3),
    ]
    assert [
        (link.predecessor_uid, link.successor_uid, link.type, link.lag_days) for link in project.links
    ] == [(link.predecessor_uid, link.successor_uid, link.type, link.lag_days) for link in original.links]
    assert project.resources == original.resources
    assert project.assignments == original.assignments
    assert (project.info.name, project.info.start, project.info.calendar_uid, project.info.currency_code) == (
        "Office move",
        at(2),
        1,
        "CNY",
    )


def test_calendars_read_back_the_same_working_days():
    china = china_calendar(2026, 2026)
    project, _ = read_mspdi(mspdi_bytes(plan()))
    base, team = project.calendar(1), project.calendar(2)
    # holidays falling on a weekend change nothing and are not kept; every working day is the same
    weekday_holidays = tuple(day for day in china.holidays if day.weekday() < 5)
    assert (base.weekmask, base.holidays, base.extra_working_days) == (
        china.weekmask,
        weekday_holidays,
        china.extra_working_days,
    )
    year = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(365)]
    assert is_working_day(base.working_calendar(), year).tolist() == is_working_day(china, year).tolist()
    assert (team.is_base, team.base_uid, team.weekmask) == (False, 1, "1111110")
    days = [date(2026, 2, 16), date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 8)]
    # Spring Festival off (from the base); Saturday worked; 9 March "Inventory" off; Wednesday worked; Sunday off
    assert is_working_day(team.working_calendar(), days).tolist() == [False, True, False, True, False]


def test_write_mspdi_to_a_path_or_a_stream(tmp_path):
    path = tmp_path / "plan.xml"
    write_mspdi(plan(), path)
    stream = io.BytesIO()
    write_mspdi(plan(), stream)
    assert path.read_bytes() == stream.getvalue()
    assert stream.getvalue().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_a_plan_with_dangling_references_is_refused_before_writing():
    broken = MspdiProject(
        ProjectInfo(calendar_uid=7),
        (),
        (MspdiTask(1, "A"), MspdiTask(1, "B")),
        (MspdiLink(1, 9),),
        (),
        (MspdiAssignment(1, task_uid=1, resource_uid=5),),
    )
    with pytest.raises(SchedulingError) as caught:
        mspdi_bytes(broken)
    assert str(caught.value) == (
        "Cannot export to MSPDI: duplicate task UIDs [1]; link 1→9 names a missing task; "
        "assignment 1 names a missing task or resource; calendars [7] are referred to but missing."
    )


def test_day_helpers_use_the_project_working_hours():
    info = ProjectInfo(default_start_time=time(9), default_finish_time=time(18))
    assert day_start(date(2026, 3, 2), info) == datetime(2026, 3, 2, 9)
    assert day_finish(date(2026, 3, 2), info) == datetime(2026, 3, 2, 18)
