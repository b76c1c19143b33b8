"""Import a Microsoft Project XML (MSPDI) file into :class:`~clientpm.scheduling.mspdi.model.MspdiProject`.

:func:`read_mspdi` parses securely (size limit, no DTD, no entities, no external references —
see :mod:`~clientpm.scheduling.mspdi.parsing`), then reads the project properties, calendars,
tasks, links, resources and assignments. Whatever the file holds that the model cannot carry —
an unsupported element, a blank row, an approximated duration or lag, a link to a missing task —
goes into the :class:`~clientpm.scheduling.mspdi.report.ImportReport` returned alongside; nothing
is dropped silently. A file that cannot be read at all raises ``MspdiError``.

>>> xml = b'''<Project xmlns="http://schemas.microsoft.com/project"><Name>Demo</Name>
... <MinutesPerDay>480</MinutesPerDay><Tasks>
... <Task><UID>1</UID><ID>1</ID><Name>Design</Name><OutlineLevel>1</OutlineLevel>
...   <Duration>PT24H0M0S</Duration></Task>
... <Task><UID>2</UID><ID>2</ID><Name>Build</Name><OutlineLevel>1</OutlineLevel>
...   <Duration>PT16H0M0S</Duration>
...   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type>
...   <LinkLag>-4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
... </Tasks></Project>'''
>>> project, report = read_mspdi(xml)
>>> [(task.name, task.working_days) for task in project.tasks]
[('Design', 3), ('Build', 2)]
>>> project.links[0].type.name, project.links[0].lag_days
('FS', -1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, time

from clientpm.scheduling.calendar import WorkingCalendar
from clientpm.scheduling.mspdi.calendars import read_calendars
from clientpm.scheduling.mspdi.fields import Leftovers
from clientpm.scheduling.mspdi.model import (
    MspdiAssignment,
    MspdiImport,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    ProjectInfo,
    ResourceKind,
)
from clientpm.scheduling.mspdi.parsing import DEFAULT_MAX_BYTES, Document, Record, Source, parse_document
from clientpm.scheduling.mspdi.recurrence import DEFAULT_HORIZON
from clientpm.scheduling.mspdi.report import ImportReport, ReportCode
from clientpm.scheduling.mspdi.tasks import read_links, read_tasks
from clientpm.scheduling.mspdi.values import FieldReader

__all__ = ["DEFAULT_MAX_BYTES", "read_mspdi"]


def read_mspdi(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    horizon: tuple[date, date] = DEFAULT_HORIZON,
) -> MspdiImport:
    """Read an MSPDI file (path, bytes or binary file object) into a project and a report.

    ``max_bytes`` refuses larger files before parsing; ``horizon`` bounds the dates that
    calendar exceptions, recurrences and work weeks are expanded to (reported when cut).
    Raises :class:`~clientpm.scheduling.mspdi.report.MspdiError` if the file is refused.
    """
    document = parse_document(source, max_bytes=max_bytes)
    report = ImportReport()
    values = FieldReader(report)
    leftovers = Leftovers(report)
    info = _project_info(document, values, leftovers)
    calendars = read_calendars(document.calendars, values, leftovers, info, horizon)
    engine_calendars: dict[int, WorkingCalendar] = {
        calendar.uid: calendar.working_calendar() for calendar in calendars
    }
    if info.calendar_uid is not None and info.calendar_uid not in engine_calendars:
        report.add(ReportCode.CALENDAR_UNKNOWN, "Project/CalendarUID", detail=str(info.calendar_uid))
    rows = read_tasks(document.tasks, values, leftovers, info, engine_calendars)
    if rows.project_notes:
        info = replace(info, notes=rows.project_notes)
    tasks = {task.uid: task for task in rows.tasks}
    project_calendar = engine_calendars.get(info.calendar_uid) if info.calendar_uid is not None else None
    per_week = project_calendar.weekmask.count("1") if project_calendar else 5
    links = read_links(rows.links, tasks, values, info, per_week)
    resources = _resources(document.resources, values, leftovers, engine_calendars)
    assignments = _assignments(document.assignments, values, leftovers, tasks, {r.uid for r in resources})
    leftovers.flush()
    project = MspdiProject(
        info=info,
        calendars=calendars,
        tasks=rows.tasks,
        links=links,
        resources=resources,
        assignments=assignments,
    )
    return MspdiImport(project, report)


def _project_info(document: Document, values: FieldReader, leftovers: Leftovers) -> ProjectInfo:
    record = document.properties
    report = values.report
    leftovers.check("Project", record)
    for name, count in document.containers.items():
        leftovers.container("Project", name, count)
    for name, count in document.stray.items():
        report.add(ReportCode.UNSUPPORTED_ELEMENT, name, count=count)

    def positive(name: str, default: int) -> int:
        value = values.integer(record, name, "Project")
        if value is None:
            return default
        if value <= 0:
            report.add(ReportCode.INVALID_VALUE, f"Project/{name}", detail=str(value))
            return default
        return value

    from_start = values.flag(record, "ScheduleFromStart", "Project") is not False
    if not from_start:
        report.add(ReportCode.SCHEDULED_FROM_FINISH, "Project/ScheduleFromStart")
    week_start = values.integer(record, "WeekStartDay", "Project")
    return ProjectInfo(
        name=values.text(record, "Name"),
        title=values.text(record, "Title"),
        author=values.text(record, "Author"),
        company=values.text(record, "Company"),
        start=values.timestamp(record, "StartDate", "Project"),
        finish=values.timestamp(record, "FinishDate", "Project"),
        status_date=values.timestamp(record, "StatusDate", "Project"),
        creation_date=values.timestamp(record, "CreationDate", "Project"),
        calendar_uid=values.integer(record, "CalendarUID", "Project"),
        minutes_per_day=positive("MinutesPerDay", 480),
        minutes_per_week=positive("MinutesPerWeek", 2400),
        days_per_month=positive("DaysPerMonth", 20),
        default_start_time=values.clock(record, "DefaultStartTime", "Project") or time(8),
        default_finish_time=values.clock(record, "DefaultFinishTime", "Project") or time(17),
        schedule_from_start=from_start,
        week_start_day=week_start if week_start is not None and 0 <= week_start <= 6 else 0,
        currency_code=values.text(record, "CurrencyCode"),
        save_version=values.integer(record, "SaveVersion", "Project"),
    )


def _resource_kind(record: Record, values: FieldReader, uid: int) -> ResourceKind:
    code = values.integer(record, "Type", "Resource", uid)
    if values.flag(record, "IsCostResource", "Resource", uid) or code == 2:
        return ResourceKind.COST
    if code is None or code == 1:
        return ResourceKind.WORK
    if code == 0:
        return ResourceKind.MATERIAL
    values.report.add(ReportCode.RESOURCE_TYPE_UNKNOWN, "Resource/Type", uid=uid, detail=str(code))
    return ResourceKind.WORK


def _resources(
    records: Sequence[Record],
    values: FieldReader,
    leftovers: Leftovers,
    calendars: Mapping[int, WorkingCalendar],
) -> tuple[MspdiResource, ...]:
    report = values.report
    resources: dict[int, MspdiResource] = {}
    for record in records:
        uid = values.integer(record, "UID", "Resource")
        if uid is None:
            if "UID" not in record.fields:  # an unreadable UID is reported already
                report.add(ReportCode.INVALID_VALUE, "Resource/UID", detail="missing")
            continue
        if uid in resources:
            report.add(ReportCode.DUPLICATE_UID, "Resource", uid=uid)
            continue
        name = values.text(record, "Name")
        if values.flag(record, "IsNull", "Resource", uid) or (uid == 0 and not name):
            report.add(ReportCode.BLANK_RESOURCE_SKIPPED, "Resource", uid=uid)
            continue
        leftovers.check("Resource", record, uid)
        kind = _resource_kind(record, values, uid)
        max_units = values.number(record, "MaxUnits", "Resource", uid)
        if max_units is not None and max_units < 0:
            report.add(ReportCode.INVALID_VALUE, "Resource/MaxUnits", uid=uid, detail=f"{max_units:g}")
            max_units = None
        if kind is not ResourceKind.WORK:
            max_units = None  # material and cost resources have no capacity
        elif max_units is None:
            max_units = 1.0
        calendar_uid = values.integer(record, "CalendarUID", "Resource", uid)
        if calendar_uid is not None and calendar_uid >= 0 and calendar_uid not in calendars:
            report.add(ReportCode.CALENDAR_UNKNOWN, "Resource/CalendarUID", uid=uid, detail=str(calendar_uid))
            calendar_uid = None
        resources[uid] = MspdiResource(
            uid=uid,
            name=name,
            id=values.integer(record, "ID", "Resource", uid),
            kind=kind,
            max_units=max_units,
            initials=values.text(record, "Initials"),
            material_label=values.text(record, "MaterialLabel"),
            group=values.text(record, "Group"),
            email=values.text(record, "EmailAddress"),
            calendar_uid=calendar_uid if calendar_uid is not None and calendar_uid >= 0 else None,
            notes=values.text(record, "Notes"),
        )
    return tuple(resources.values())


def _assignments(
    records: Sequence[Record],
    values: FieldReader,
    leftovers: Leftovers,
    tasks: Mapping[int, MspdiTask],
    resources: set[int],
) -> tuple[MspdiAssignment, ...]:
    report = values.report
    result: dict[int, MspdiAssignment] = {}
    for record in records:
        uid = values.integer(record, "UID", "Assignment")
        if uid is None:
            if "UID" not in record.fields:  # an unreadable UID is reported already
                report.add(ReportCode.INVALID_VALUE, "Assignment/UID", detail="missing")
            continue
        if uid in result:
            report.add(ReportCode.DUPLICATE_UID, "Assignment", uid=uid)
            continue
        task_uid = values.integer(record, "TaskUID", "Assignment", uid)
        resource_uid = values.integer(record, "ResourceUID", "Assignment", uid)
        if resource_uid is None or resource_uid < 0:  # MS Project writes -65535 for "no resource"
            report.add(ReportCode.ASSIGNMENT_WITHOUT_RESOURCE, "Assignment", uid=uid)
            continue
        if task_uid is None or task_uid not in tasks:
            report.add(ReportCode.ASSIGNMENT_UNKNOWN_TASK, "Assignment", uid=uid, detail=str(task_uid))
            continue
        if resource_uid not in resources:
            report.add(
                ReportCode.ASSIGNMENT_UNKNOWN_RESOURCE, "Assignment", uid=uid, detail=str(resource_uid)
            )
            continue
        leftovers.check("Assignment", record, uid)
        units = values.number(record, "Units", "Assignment", uid)
        percent = values.integer(record, "PercentWorkComplete", "Assignment", uid) or 0
        result[uid] = MspdiAssignment(
            uid=uid,
            task_uid=task_uid,
            resource_uid=resource_uid,
            units=1.0 if units is None else units,
            work_minutes=values.minutes(record, "Work", "Assignment", uid),
            actual_work_minutes=values.minutes(record, "ActualWork", "Assignment", uid),
            percent_work_complete=min(max(percent, 0), 100),
            start=values.timestamp(record, "Start", "Assignment", uid),
            finish=values.timestamp(record, "Finish", "Assignment", uid),
        )
    return tuple(result.values())
