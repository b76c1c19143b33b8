"""Export an :class:`~clientpm.scheduling.mspdi.model.MspdiProject` as Microsoft Project XML (MSPDI).

A project with duplicate UIDs or references to missing tasks, resources or calendars is refused
with ``SchedulingError`` before anything is written.

Elements are written in the order of the MSPDI schema (``mspdi_pj12.xsd`` for Project 2007, plus
the Project 2010 task elements ``Active``/``Manual`` after ``Name``), because Microsoft Project
reads the file sequentially; ``SaveVersion`` 14 marks Project 2010 format. What is written:

* project properties, with ``MinutesPerDay`` so that readers convert durations and lags back to
  the same working days;
* calendars: the working week (every day for a base calendar, only the days it sets for a derived
  one), and exceptions twice, as MS Project itself does — in the Project 2007 ``Exceptions``
  element (sorted, non-overlapping date runs) and as old-style ``WeekDay``/``DayType 0`` entries
  for older readers;
* tasks in outline order with ``OutlineLevel``/``OutlineNumber``/``WBS``, duration (ISO-8601
  working time, format days), dates, constraint, deadline, progress, notes, predecessor links
  (``Type`` 0 FF, 1 FS, 2 SF, 3 SS; ``LinkLag`` in tenths of minutes) and baselines 0–10;
* resources (work, material, cost) and assignments with units and work.

Tasks are written as fixed-duration (``Type`` 1), so MS Project keeps clientpm's durations
whatever the assignments' work.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import IO, Final
from xml.etree.ElementTree import Element, ElementTree, SubElement, indent

from clientpm.scheduling.cpm import ConstraintType
from clientpm.scheduling.exceptions import SchedulingError
from clientpm.scheduling.mspdi.calendars import day_end
from clientpm.scheduling.mspdi.durations import FORMAT_DAYS, format_iso_duration
from clientpm.scheduling.mspdi.model import (
    CONSTRAINT_TO_MSPDI,
    LINK_TYPE_TO_MSPDI,
    MSPDI_NAMESPACE,
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
    WorkingTimes,
)

__all__ = ["SAVE_VERSION", "mspdi_bytes", "write_mspdi"]

SAVE_VERSION: Final = 14
"""Project 2010 format: the oldest that has every element written here."""

_DATED: Final = frozenset(
    {ConstraintType.MSO, ConstraintType.MFO, ConstraintType.SNET, ConstraintType.SNLT}
    | {ConstraintType.FNET, ConstraintType.FNLT}
)


def write_mspdi(project: MspdiProject, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``project`` as MSPDI to a path or a binary file object."""
    data = mspdi_bytes(project)
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as stream:
            stream.write(data)
    else:
        target.write(data)


def mspdi_bytes(project: MspdiProject) -> bytes:
    """The MSPDI document for ``project``, UTF-8 encoded.

    >>> from clientpm.scheduling.mspdi.model import MspdiTask
    >>> xml = mspdi_bytes(MspdiProject(tasks=(MspdiTask(uid=1, name="Design", working_days=3),)))
    >>> b"<Duration>PT24H0M0S</Duration>" in xml
    True
    """
    _check(project)
    root = Element("Project", {"xmlns": MSPDI_NAMESPACE})
    info = project.info
    _project(root, project)
    if project.calendars:
        calendars = SubElement(root, "Calendars")
        for calendar in project.calendars:
            _calendar(SubElement(calendars, "Calendar"), calendar, info)
    tasks = SubElement(root, "Tasks")
    links: dict[int, list[MspdiLink]] = {}
    for link in project.links:
        links.setdefault(link.successor_uid, []).append(link)
    for position, task in enumerate(project.tasks, start=1):
        _task(SubElement(tasks, "Task"), task, position, links.get(task.uid, []), info)
    if project.resources:
        resources = SubElement(root, "Resources")
        for position, resource in enumerate(project.resources, start=1):
            _resource(SubElement(resources, "Resource"), resource, position)
    if project.assignments:
        assignments = SubElement(root, "Assignments")
        for assignment in project.assignments:
            _assignment(SubElement(assignments, "Assignment"), assignment)
    indent(root, space=" ")
    buffer = io.BytesIO()
    ElementTree(root).write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue()


def _check(project: MspdiProject) -> None:
    """Refuse what Microsoft Project would reject: duplicate UIDs and references to nothing."""
    problems: list[str] = []
    for kind, uids in (
        ("task", [task.uid for task in project.tasks]),
        ("calendar", [calendar.uid for calendar in project.calendars]),
        ("resource", [resource.uid for resource in project.resources]),
        ("assignment", [assignment.uid for assignment in project.assignments]),
    ):
        duplicates = sorted({uid for uid in uids if uids.count(uid) > 1})
        if duplicates:
            problems.append(f"duplicate {kind} UIDs {duplicates}")
    tasks = {task.uid for task in project.tasks}
    calendars = {calendar.uid for calendar in project.calendars}
    resources = {resource.uid for resource in project.resources}
    problems += [
        f"link {link.predecessor_uid}→{link.successor_uid} names a missing task"
        for link in project.links
        if not {link.predecessor_uid, link.successor_uid} <= tasks
    ]
    problems += [
        f"assignment {a.uid} names a missing task or resource"
        for a in project.assignments
        if a.task_uid not in tasks or a.resource_uid not in resources
    ]
    used = [project.info.calendar_uid, *(task.calendar_uid for task in project.tasks)]
    used += [resource.calendar_uid for resource in project.resources]
    used += [calendar.base_uid for calendar in project.calendars if not calendar.is_base]
    missing = sorted({uid for uid in used if uid is not None and uid not in calendars})
    if missing:
        problems.append(f"calendars {missing} are referred to but missing")
    if problems:
        raise SchedulingError("Cannot export to MSPDI: " + "; ".join(problems) + ".")


def _add(parent: Element, name: str, value: object) -> None:
    """Append ``<name>value</name>``; ``None`` and ``""`` are left out."""
    if value is None or value == "":
        return
    SubElement(parent, name).text = _text(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _project(root: Element, project: MspdiProject) -> None:
    info = project.info
    starts = [task.start for task in project.tasks if task.start is not None]
    start = info.start or (min(starts) if starts else None)
    _add(root, "SaveVersion", SAVE_VERSION)
    _add(root, "Name", info.name or info.title or "Project")
    _add(root, "Title", info.title)
    _add(root, "Company", info.company)
    _add(root, "Author", info.author)
    _add(root, "CreationDate", info.creation_date)
    _add(root, "ScheduleFromStart", True)
    _add(root, "StartDate", start)
    _add(root, "FinishDate", info.finish)
    _add(root, "CurrencyCode", info.currency_code)
    _add(root, "CalendarUID", info.calendar_uid)
    _add(root, "DefaultStartTime", info.default_start_time)
    _add(root, "DefaultFinishTime", info.default_finish_time)
    _add(root, "MinutesPerDay", info.minutes_per_day)
    _add(root, "MinutesPerWeek", info.minutes_per_week)
    _add(root, "DaysPerMonth", info.days_per_month)
    _add(root, "DurationFormat", FORMAT_DAYS)
    _add(root, "WorkFormat", 2)  # hours
    _add(root, "WeekStartDay", info.week_start_day)
    _add(root, "StatusDate", info.status_date)


def _default_times(info: ProjectInfo) -> WorkingTimes:
    """A working day of ``MinutesPerDay``: 08:00–12:00 and 13:00–17:00 for the usual 480."""
    start = datetime.combine(date(2000, 1, 1), info.default_start_time)
    minutes = min(info.minutes_per_day, 24 * 60 - (start.hour * 60 + start.minute))
    if minutes == 480 and info.default_start_time <= time(11):
        morning = start + timedelta(hours=4)
        return (
            (start.time(), morning.time()),
            ((morning + timedelta(hours=1)).time(), (start + timedelta(hours=9)).time()),
        )
    return ((start.time(), (start + timedelta(minutes=minutes)).time()),)


def _working_times(parent: Element, times: WorkingTimes) -> None:
    container = SubElement(parent, "WorkingTimes")
    for start, end in times:
        period = SubElement(container, "WorkingTime")
        _add(period, "FromTime", start)
        _add(period, "ToTime", end)


def _exception_days(calendar: MspdiCalendar) -> list[tuple[date, date, CalendarException]]:
    """Non-overlapping, sorted runs of exception dates (a later exception wins on a shared date)."""
    if calendar.exceptions:
        by_day = {day: exception for exception in calendar.exceptions for day in exception.dates}
    elif calendar.is_base:
        by_day = {day: CalendarException("", day, day, False, (day,)) for day in calendar.holidays}
        by_day |= {day: CalendarException("", day, day, True, (day,)) for day in calendar.extra_working_days}
    else:
        return []
    runs: list[tuple[date, date, CalendarException]] = []
    for day in sorted(by_day):
        exception = by_day[day]
        if runs and runs[-1][1] + timedelta(days=1) == day and _same(runs[-1][2], exception):
            runs[-1] = (runs[-1][0], day, runs[-1][2])
        else:
            runs.append((day, day, exception))
    return runs


def _same(left: CalendarException, right: CalendarException) -> bool:
    return (left.name, left.working, left.working_times) == (right.name, right.working, right.working_times)


def _calendar(element: Element, calendar: MspdiCalendar, info: ProjectInfo) -> None:
    _add(element, "UID", calendar.uid)
    _add(element, "Name", calendar.name)
    _add(element, "IsBaseCalendar", calendar.is_base)
    _add(
        element, "BaseCalendarUID", -1 if calendar.is_base or calendar.base_uid is None else calendar.base_uid
    )
    runs = _exception_days(calendar)
    # a derived calendar that sets no weekday and has no exception has no WeekDays element: an
    # empty one would tell readers such as MPXJ that its days are not inherited
    weekdays = Element("WeekDays")
    for day_type in range(1, 8):  # Sunday … Saturday
        index = (day_type - 2) % 7
        own = calendar.weekdays[index]
        working = (calendar.weekmask[index] == "1") if own is None and calendar.is_base else own
        if working is None:
            continue
        day = SubElement(weekdays, "WeekDay")
        _add(day, "DayType", day_type)
        _add(day, "DayWorking", working)
        if working:
            _working_times(day, calendar.working_times[index] or _default_times(info))
    for first, last, exception in runs:  # old-style exceptions, for readers before Project 2007
        day = SubElement(weekdays, "WeekDay")
        _add(day, "DayType", 0)
        _add(day, "DayWorking", exception.working)
        _period(day, first, last)
        if exception.working:
            _working_times(day, exception.working_times or _default_times(info))
    if len(weekdays):
        element.append(weekdays)
    if runs:
        exceptions = SubElement(element, "Exceptions")
        for first, last, exception in runs:
            item = SubElement(exceptions, "Exception")
            _add(item, "EnteredByOccurrences", False)
            _period(item, first, last)
            _add(item, "Occurrences", 1)
            _add(item, "Name", exception.name)
            _add(item, "Type", 1)
            _add(item, "DayWorking", exception.working)
            if exception.working:
                _working_times(item, exception.working_times or _default_times(info))


def _period(parent: Element, first: date, last: date) -> None:
    period = SubElement(parent, "TimePeriod")
    _add(period, "FromDate", datetime.combine(first, time(0)))
    _add(period, "ToDate", day_end(last))


def _duration_minutes(days: int, minutes: float | None, info: ProjectInfo) -> float:
    return minutes if minutes is not None else days * info.minutes_per_day


def _task(
    element: Element, task: MspdiTask, position: int, links: Sequence[MspdiLink], info: ProjectInfo
) -> None:
    fmt = task.duration_format if task.duration_minutes is not None else FORMAT_DAYS
    _add(element, "UID", task.uid)
    _add(element, "ID", task.id if task.id is not None else position)
    _add(element, "Name", task.name)
    _add(element, "Active", task.active)
    _add(element, "Manual", task.manual)
    _add(element, "Type", 1)  # fixed duration
    _add(element, "IsNull", False)
    _add(element, "WBS", task.wbs or task.outline_number)
    _add(element, "OutlineNumber", task.outline_number)
    _add(element, "OutlineLevel", task.outline_level)
    _add(element, "Start", task.start)
    _add(element, "Finish", task.finish)
    _add(
        element,
        "Duration",
        format_iso_duration(_duration_minutes(task.working_days, task.duration_minutes, info)),
    )
    _add(element, "DurationFormat", fmt)
    if task.work_minutes is not None:
        _add(element, "Work", format_iso_duration(task.work_minutes))
    _add(element, "Estimated", task.estimated)
    _add(element, "Milestone", task.milestone)
    _add(element, "Summary", task.summary)
    _add(element, "PercentComplete", task.percent_complete)
    _add(element, "ActualStart", task.actual_start)
    _add(element, "ActualFinish", task.actual_finish)
    dated = task.constraint in _DATED and task.constraint_date is not None
    _add(
        element,
        "ConstraintType",
        CONSTRAINT_TO_MSPDI[task.constraint] if dated or task.constraint not in _DATED else 0,
    )
    _add(element, "CalendarUID", task.calendar_uid)
    _add(element, "ConstraintDate", task.constraint_date if dated else None)
    _add(element, "Deadline", task.deadline)
    _add(element, "Notes", task.notes)
    for link in links:
        _link(SubElement(element, "PredecessorLink"), link, info)
    for baseline in sorted(task.baselines, key=lambda item: item.number):
        _baseline(SubElement(element, "Baseline"), baseline, info)


def _link(element: Element, link: MspdiLink, info: ProjectInfo) -> None:
    link_lag = link.link_lag if link.link_lag is not None else link.lag_days * info.minutes_per_day * 10
    _add(element, "PredecessorUID", link.predecessor_uid)
    _add(element, "Type", LINK_TYPE_TO_MSPDI[link.type])
    _add(element, "CrossProject", False)
    _add(element, "LinkLag", link_lag)
    _add(element, "LagFormat", link.lag_format if link.link_lag is not None else FORMAT_DAYS)


def _baseline(element: Element, baseline: Baseline, info: ProjectInfo) -> None:
    _add(element, "Number", baseline.number)
    _add(element, "Start", baseline.start)
    _add(element, "Finish", baseline.finish)
    if baseline.duration_minutes is not None or baseline.working_days is not None:
        minutes = _duration_minutes(baseline.working_days or 0, baseline.duration_minutes, info)
        _add(element, "Duration", format_iso_duration(minutes))
        _add(element, "DurationFormat", FORMAT_DAYS)
        _add(element, "EstimatedDuration", baseline.estimated)
    if baseline.work_minutes is not None:
        _add(element, "Work", format_iso_duration(baseline.work_minutes))


def _resource(element: Element, resource: MspdiResource, position: int) -> None:
    _add(element, "UID", resource.uid)
    _add(element, "ID", resource.id if resource.id is not None else position)
    _add(element, "Name", resource.name)
    _add(element, "Type", 1 if resource.kind is ResourceKind.WORK else 0)
    _add(element, "IsNull", False)
    _add(element, "Initials", resource.initials)
    if resource.kind is ResourceKind.MATERIAL:
        _add(element, "MaterialLabel", resource.material_label)
    _add(element, "Group", resource.group)
    _add(element, "EmailAddress", resource.email)
    if resource.kind is ResourceKind.WORK:
        _add(element, "MaxUnits", float(resource.max_units if resource.max_units is not None else 1.0))
    _add(element, "CalendarUID", resource.calendar_uid)
    _add(element, "Notes", resource.notes)
    if resource.kind is ResourceKind.COST:
        _add(element, "IsCostResource", True)


def _assignment(element: Element, assignment: MspdiAssignment) -> None:
    _add(element, "UID", assignment.uid)
    _add(element, "TaskUID", assignment.task_uid)
    _add(element, "ResourceUID", assignment.resource_uid)
    _add(element, "PercentWorkComplete", assignment.percent_work_complete)
    if assignment.actual_work_minutes is not None:
        _add(element, "ActualWork", format_iso_duration(assignment.actual_work_minutes))
    _add(element, "Finish", assignment.finish)
    _add(element, "Start", assignment.start)
    _add(element, "Units", float(assignment.units))
    if assignment.work_minutes is not None:
        _add(element, "Work", format_iso_duration(assignment.work_minutes))
