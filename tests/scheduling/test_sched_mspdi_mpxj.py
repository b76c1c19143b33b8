"""Interoperability with MPXJ (the reference open-source MS Project library, via JPype):
MPXJ reads clientpm's MSPDI export as clientpm meant it, and clientpm reads MPXJ's MSPDI export
as MPXJ saw the plan. The JVM starts once per test process (JPype cannot restart it)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jpype
import mpxj  # noqa: F401 - registers the bundled MPXJ jars on JPype's class path
import pytest

from clientpm.scheduling.calendar import china_calendar
from clientpm.scheduling.cpm import ConstraintType, DependencyType
from clientpm.scheduling.mspdi import (
    Baseline,
    CalendarException,
    MspdiCalendar,
    MspdiLink,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    ProjectInfo,
    ReportCode,
    ResourceKind,
    read_mspdi,
)
from clientpm.scheduling.mspdi.writer import write_mspdi

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "msproject"
# files whose durations are all working time (MPXJ converts elapsed units with 24-hour days)
FILES = [
    "sample.xml",
    "task-links-project2019-mspdi.xml",
    "mspdinulltasks.xml",
    "caltest.xml",
    "assignment-assignments-project2019-mspdi.xml",
    "resource-type-project2016-mspdi.xml",
]
CONSTRAINTS = {
    "AS_SOON_AS_POSSIBLE": ConstraintType.ASAP,
    "AS_LATE_AS_POSSIBLE": ConstraintType.ALAP,
    "MUST_START_ON": ConstraintType.MSO,
    "MUST_FINISH_ON": ConstraintType.MFO,
    "START_NO_EARLIER_THAN": ConstraintType.SNET,
    "START_NO_LATER_THAN": ConstraintType.SNLT,
    "FINISH_NO_EARLIER_THAN": ConstraintType.FNET,
    "FINISH_NO_LATER_THAN": ConstraintType.FNLT,
}


@pytest.fixture(scope="module")
def java() -> SimpleNamespace:
    if not jpype.isJVMStarted():
        jpype.startJVM()
    file_format = jpype.JClass("org.mpxj.writer.FileFormat")
    return SimpleNamespace(
        reader=jpype.JClass("org.mpxj.reader.UniversalProjectReader")(),
        writer=jpype.JClass("org.mpxj.writer.UniversalProjectWriter")(file_format.MSPDI),
        days=jpype.JClass("org.mpxj.TimeUnit").DAYS,
        hours=jpype.JClass("org.mpxj.TimeUnit").HOURS,
        local_date=jpype.JClass("java.time.LocalDate"),
    )


def when(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def in_units(duration: Any, unit: Any, project: Any) -> float:
    return float(duration.convertUnits(unit, project.getProjectProperties()).getDuration())


def mpxj_tasks(java: SimpleNamespace, project: Any) -> list[tuple]:
    """(uid, name, outline level, parent uid, start, finish, days, constraint) per task, UID 0 left out."""
    rows = []
    for task in project.getTasks():
        uid = int(task.getUniqueID())
        if uid == 0 or bool(task.getNull()):
            continue
        parent = task.getParentTask()
        parent_uid = int(parent.getUniqueID()) if parent is not None else None
        rows.append(
            (
                uid,
                str(task.getName() or ""),
                int(task.getOutlineLevel()),
                parent_uid if parent_uid != 0 else None,
                when(task.getStart()),
                when(task.getFinish()),
                in_units(task.getDuration(), java.days, project),
                CONSTRAINTS[str(task.getConstraintType() or "AS_SOON_AS_POSSIBLE")],
            )
        )
    return rows


def mpxj_links(java: SimpleNamespace, project: Any) -> list[tuple]:
    return sorted(
        (
            int(relation.getPredecessorTask().getUniqueID()),
            int(task.getUniqueID()),
            DependencyType[str(relation.getType())],
            in_units(relation.getLag(), java.days, project),
        )
        for task in project.getTasks()
        for relation in task.getPredecessors()
    )


def mpxj_resources(project: Any) -> list[tuple]:
    kinds = {"WORK": ResourceKind.WORK, "MATERIAL": ResourceKind.MATERIAL, "COST": ResourceKind.COST}
    return [
        (int(resource.getUniqueID()), str(resource.getName()), kinds[str(resource.getType())])
        for resource in project.getResources()
        if int(resource.getUniqueID()) != 0 or resource.getName() is not None
    ]


def mpxj_assignments(java: SimpleNamespace, project: Any) -> list[tuple]:
    return [
        (
            int(assignment.getTaskUniqueID()),
            int(assignment.getResourceUniqueID()),
            float(assignment.getUnits()) / 100,  # MPXJ gives percent
            in_units(assignment.getWork(), java.hours, project),
        )
        for assignment in project.getResourceAssignments()
        if assignment.getResourceUniqueID() is not None and int(assignment.getResourceUniqueID()) >= 0
    ]


def our_tasks(project: MspdiProject) -> list[tuple]:
    return [
        (t.uid, t.name, t.outline_level, t.parent_uid, t.start, t.finish, t.duration_days, t.constraint)
        for t in project.tasks
    ]


def our_links(project: MspdiProject) -> list[tuple]:
    return sorted(
        (link.predecessor_uid, link.successor_uid, link.type, float(link.lag_days)) for link in project.links
    )


@pytest.mark.parametrize("name", FILES)
def test_mpxj_reads_our_export_as_we_meant_it(java, tmp_path, name):
    ours, _ = read_mspdi(FIXTURES / name)
    path = tmp_path / "export.xml"
    write_mspdi(ours, path)
    theirs = java.reader.read(str(path))
    assert mpxj_tasks(java, theirs) == our_tasks(ours)
    assert mpxj_links(java, theirs) == our_links(ours)
    assert mpxj_resources(theirs) == [(r.uid, r.name, r.kind) for r in ours.resources]
    assert mpxj_assignments(java, theirs) == [
        (a.task_uid, a.resource_uid, a.units, a.work_hours) for a in ours.assignments
    ]


def test_sample_lag_and_lead_survive_the_trip_through_mpxj(java, tmp_path):
    ours, _ = read_mspdi(FIXTURES / "sample.xml")
    write_mspdi(ours, tmp_path / "export.xml")
    links = mpxj_links(java, java.reader.read(str(tmp_path / "export.xml")))
    assert (11, 12, DependencyType.FS, 1.0) in links  # +1 day
    assert (13, 14, DependencyType.FS, -1.0) in links  # −1 day (a lead)


def test_mpxj_reads_constraints_baselines_progress_and_calendar_of_a_clientpm_plan(java, tmp_path):
    def at(day: int, hour: int = 8) -> datetime:
        return datetime(2026, 3, day, hour)

    constrained = [
        MspdiTask(
            uid,
            f"T{uid}",
            working_days=2,
            start=at(2 + uid),
            finish=at(3 + uid, 17),
            constraint=constraint,
            constraint_date=None if constraint in (ConstraintType.ASAP, ConstraintType.ALAP) else at(2 + uid),
        )
        for uid, constraint in enumerate(ConstraintType, start=1)
    ]
    tracked_task = MspdiTask(
        9,
        "Tracked",
        working_days=4,
        start=at(2),
        finish=at(5, 17),
        percent_complete=25,
        actual_start=at(2),
        deadline=at(10, 17),
        notes="On site",
        baselines=(
            Baseline(0, at(2), at(5, 17), working_days=4),
            Baseline(10, at(9), at(12, 17), working_days=4),
        ),
    )
    tasks = (*constrained, tracked_task)
    plan = MspdiProject(
        ProjectInfo(name="Constraints", start=at(2), calendar_uid=1),
        (MspdiCalendar.from_working_calendar(1, china_calendar(2026, 2026)),),
        tasks,
        (MspdiLink(1, 9, DependencyType.SS, lag_days=2),),
    )
    write_mspdi(plan, tmp_path / "plan.xml")
    theirs = java.reader.read(str(tmp_path / "plan.xml"))
    seen = {int(t.getUniqueID()): t for t in theirs.getTasks()}
    for task in tasks[:8]:
        assert CONSTRAINTS[str(seen[task.uid].getConstraintType())] is task.constraint
        assert when(seen[task.uid].getConstraintDate()) == task.constraint_date
    tracked = seen[9]
    assert float(tracked.getPercentageComplete()) == 25.0
    assert (when(tracked.getActualStart()), when(tracked.getDeadline())) == (at(2), at(10, 17))
    assert str(tracked.getNotes()) == "On site"
    assert (when(tracked.getBaselineStart()), when(tracked.getBaselineFinish())) == (at(2), at(5, 17))
    assert (when(tracked.getBaselineStart(10)), when(tracked.getBaselineFinish(10))) == (at(9), at(12, 17))
    assert in_units(tracked.getBaselineDuration(), java.days, theirs) == 4.0
    calendar = theirs.getCalendarByUniqueID(jpype.JInt(1))
    # 2026: Spring Festival 15–23 February off; Saturday 14 February and 28 February worked
    days = [date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 16), date(2026, 2, 24), date(2026, 2, 28)]
    assert [bool(calendar.isWorkingDate(java.local_date.of(d.year, d.month, d.day))) for d in days] == [
        True,
        True,
        False,
        True,
        True,
    ]


def test_mpxj_sees_a_derived_calendar_inherit_from_its_base(java, tmp_path):
    base = MspdiCalendar.from_working_calendar(1, china_calendar(2026, 2026))
    inventory = CalendarException("Inventory", date(2026, 3, 9), date(2026, 3, 9), False, (date(2026, 3, 9),))
    site = MspdiCalendar(
        2, "Site", is_base=False, base_uid=1, weekdays=(None,) * 5 + (True, None), exceptions=(inventory,)
    )
    untouched = MspdiCalendar(3, "Ann", is_base=False, base_uid=1)
    plan = MspdiProject(
        ProjectInfo(name="Calendars", start=datetime(2026, 3, 2, 8), calendar_uid=1),
        (base, site, untouched),
        (MspdiTask(1, "Build", working_days=5, calendar_uid=2),),
        resources=(MspdiResource(1, "Ann", calendar_uid=3),),
    )
    write_mspdi(plan, tmp_path / "plan.xml")
    theirs = java.reader.read(str(tmp_path / "plan.xml"))

    def working(uid: int, days: list[date]) -> list[bool]:
        calendar = theirs.getCalendarByUniqueID(jpype.JInt(uid))
        return [bool(calendar.isWorkingDate(java.local_date.of(d.year, d.month, d.day))) for d in days]

    # Fri 13 Feb, Mon 16 Feb (Spring Festival), Sat 7 Mar, Mon 9 Mar (Inventory), Sun 8 Mar
    days = [date(2026, 2, 13), date(2026, 2, 16), date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 8)]
    assert working(2, days) == [True, False, True, False, False]
    assert working(3, days) == [True, False, False, True, False]
    ours, _ = read_mspdi(tmp_path / "plan.xml")
    assert [day in ours.calendar(3).holidays for day in days] == [False, True, False, False, False]


@pytest.mark.parametrize("name", ["sample.xml", "task-links-project2019-mspdi.xml", "caltest.xml"])
def test_we_read_mpxjs_export_as_mpxj_saw_the_plan(java, tmp_path, name):
    theirs = java.reader.read(str(FIXTURES / name))
    path = tmp_path / "mpxj.xml"
    java.writer.write(theirs, str(path))
    ours, report = read_mspdi(path)
    assert our_tasks(ours) == mpxj_tasks(java, theirs)
    assert our_links(ours) == mpxj_links(java, theirs)
    assert [(r.uid, r.name, r.kind) for r in ours.resources] == mpxj_resources(theirs)
    assert [
        (a.task_uid, a.resource_uid, a.units, a.work_hours) for a in ours.assignments
    ] == mpxj_assignments(java, theirs)
    assert not report.find(ReportCode.INVALID_VALUE)


def test_calendar_exceptions_mpxj_writes_are_the_holidays_we_read(java, tmp_path):
    theirs = java.reader.read(str(FIXTURES / "caltest.xml"))
    java.writer.write(theirs, str(tmp_path / "mpxj.xml"))
    ours, _ = read_mspdi(tmp_path / "mpxj.xml")
    calendar = theirs.getCalendarByUniqueID(jpype.JInt(6))
    expected = []
    for exception in calendar.getCalendarExceptions():
        first = date.fromisoformat(str(exception.getFromDate()))
        last = date.fromisoformat(str(exception.getToDate()))
        expected += [
            date.fromordinal(day)
            for day in range(first.toordinal(), last.toordinal() + 1)
            if date.fromordinal(day).weekday() < 5
        ]
    # Resource Three: 1–4 and 21–25 November 2005 off
    assert ours.calendar(6).holidays == tuple(sorted(expected))
    assert len(expected) == 9
