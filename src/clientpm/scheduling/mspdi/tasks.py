"""Reading MSPDI tasks: outline, durations in working days, constraints, progress, baselines, links.

Rows that are not tasks are skipped and reported: UID 0 (MS Project's project summary row) and
blank rows (``IsNull``). The outline comes from ``OutlineLevel`` in file order (a task's parent is
the nearest earlier task one level up); ``summary`` follows the outline.

Durations are converted to working days with the project's ``MinutesPerDay``; a fraction is
rounded up (reported); an elapsed duration (``ed``, ``eh``…) is calendar time and is converted
by counting working days on the task's calendar from its start (reported as approximate). Link
lags are converted by :func:`~clientpm.scheduling.mspdi.durations.lag_in_days` and rounded to
whole days (reported when not exact).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from clientpm.scheduling.calendar import WorkingCalendar, count_working_days, is_working_day
from clientpm.scheduling.cpm import ConstraintType, DependencyType
from clientpm.scheduling.mspdi.durations import (
    DurationFormat,
    LagKind,
    TimeUnit,
    lag_in_days,
    round_lag_days,
    whole_working_days,
)
from clientpm.scheduling.mspdi.fields import Leftovers
from clientpm.scheduling.mspdi.model import (
    CONSTRAINT_FROM_MSPDI,
    LINK_TYPE_FROM_MSPDI,
    Baseline,
    MspdiLink,
    MspdiTask,
    ProjectInfo,
)
from clientpm.scheduling.mspdi.parsing import Record
from clientpm.scheduling.mspdi.report import ReportCode
from clientpm.scheduling.mspdi.values import FieldReader

__all__ = ["read_links", "read_tasks"]

_TASK = "Task"
_LINK = "Task/PredecessorLink"
_BASELINE = "Task/Baseline"
_EPSILON = 1e-6


@dataclass(frozen=True)
class TaskRows:
    """The tasks read, their links still as records, and the project summary row's notes."""

    tasks: tuple[MspdiTask, ...]
    links: tuple[tuple[int, Record], ...]
    project_notes: str


def _elapsed_working_days(calendar: WorkingCalendar, start: date | None, calendar_days: float) -> float:
    """Working days in ``calendar_days`` of calendar time from ``start`` (a fraction counts on a
    working day only)."""
    if start is None:
        return calendar_days * calendar.weekmask.count("1") / 7
    whole = math.floor(calendar_days + _EPSILON)
    fraction = max(calendar_days - whole, 0.0)
    days = float(count_working_days(calendar, start, start + timedelta(days=whole - 1))) if whole else 0.0
    if fraction > _EPSILON and bool(is_working_day(calendar, start + timedelta(days=whole))[0]):
        days += fraction
    return days


class _TaskReader:
    def __init__(
        self,
        values: FieldReader,
        leftovers: Leftovers,
        info: ProjectInfo,
        calendars: Mapping[int, WorkingCalendar],
    ) -> None:
        self.values = values
        self.report = values.report
        self.leftovers = leftovers
        self.info = info
        self.calendars = calendars
        default = calendars.get(info.calendar_uid) if info.calendar_uid is not None else None
        self.default_calendar = default or WorkingCalendar("Monday–Friday")

    def calendar_uid(self, record: Record, element: str, uid: int) -> int | None:
        calendar_uid = self.values.integer(record, "CalendarUID", element, uid)
        if calendar_uid is None or calendar_uid < 0:
            return None
        if calendar_uid not in self.calendars:
            self.report.add(
                ReportCode.CALENDAR_UNKNOWN, f"{element}/CalendarUID", uid=uid, detail=str(calendar_uid)
            )
            return None
        return calendar_uid

    def duration(
        self,
        minutes: float,
        fmt: DurationFormat,
        start: datetime | None,
        calendar: WorkingCalendar,
        element: str,
        uid: int,
    ) -> tuple[float, int]:
        """Exact and whole working days of a duration, reporting approximations."""
        if minutes < 0:
            self.report.add(
                ReportCode.INVALID_VALUE, f"{element}/Duration", uid=uid, detail=f"{minutes:g} min"
            )
            minutes = 0.0
        if fmt.elapsed:
            calendar_days = minutes / 1440
            days = _elapsed_working_days(calendar, start.date() if start else None, calendar_days)
            whole = whole_working_days(days)
            self.report.add(
                ReportCode.ELAPSED_DURATION,
                element,
                uid=uid,
                detail=f"{calendar_days:g} elapsed days ≈ {days:g} working days → {whole}",
            )
            return days, whole
        days = minutes / self.info.minutes_per_day
        whole = whole_working_days(days)
        if abs(days - whole) > _EPSILON:
            self.report.add(ReportCode.DURATION_ROUNDED, element, uid=uid, detail=f"{days:g} → {whole}")
        return days, whole

    def constraint(self, record: Record, uid: int) -> tuple[ConstraintType, datetime | None]:
        code = self.values.integer(record, "ConstraintType", _TASK, uid) or 0
        constraint = CONSTRAINT_FROM_MSPDI.get(code)
        if constraint is None:
            self.report.add(ReportCode.CONSTRAINT_UNKNOWN, "Task/ConstraintType", uid=uid, detail=str(code))
            constraint = ConstraintType.ASAP
        when = self.values.timestamp(record, "ConstraintDate", _TASK, uid)
        if constraint in (ConstraintType.ASAP, ConstraintType.ALAP):
            if when is not None:
                self.report.add(ReportCode.CONSTRAINT_DATE_IGNORED, "Task/ConstraintDate", uid=uid)
            return constraint, None
        if when is None:
            self.report.add(
                ReportCode.CONSTRAINT_DATE_MISSING, "Task/ConstraintDate", uid=uid, detail=constraint.name
            )
            return ConstraintType.ASAP, None
        return constraint, when

    def baseline(
        self, record: Record, uid: int, task_format: int, calendar: WorkingCalendar
    ) -> Baseline | None:
        self.leftovers.check(_BASELINE, record, uid)
        number = self.values.integer(record, "Number", _BASELINE, uid)
        if number is None or not 0 <= number <= 10:
            self.report.add(ReportCode.BASELINE_NUMBER_INVALID, _BASELINE, uid=uid, detail=str(number))
            return None
        start = self.values.timestamp(record, "Start", _BASELINE, uid)
        minutes = self.values.minutes(record, "Duration", _BASELINE, uid)
        fmt = DurationFormat(self.values.integer(record, "DurationFormat", _BASELINE, uid) or task_format)
        days, whole = (None, None)
        if minutes is not None:
            days, whole = self.duration(minutes, fmt, start, calendar, _BASELINE, uid)
        return Baseline(
            number=number,
            start=start,
            finish=self.values.timestamp(record, "Finish", _BASELINE, uid),
            working_days=whole,
            duration_days=days,
            duration_minutes=minutes,
            work_minutes=self.values.minutes(record, "Work", _BASELINE, uid),
            estimated=bool(self.values.flag(record, "EstimatedDuration", _BASELINE, uid)),
        )

    def task(self, record: Record, uid: int) -> MspdiTask:
        values = self.values
        self.leftovers.check(_TASK, record, uid)
        calendar_uid = self.calendar_uid(record, _TASK, uid)
        calendar = self.calendars[calendar_uid] if calendar_uid is not None else self.default_calendar
        start = values.timestamp(record, "Start", _TASK, uid)
        fmt_code = values.integer(record, "DurationFormat", _TASK, uid) or 7
        fmt = DurationFormat(fmt_code)
        summary_flag = bool(values.flag(record, "Summary", _TASK, uid))
        milestone = bool(values.flag(record, "Milestone", _TASK, uid))
        minutes = values.minutes(record, "Duration", _TASK, uid)
        if "Duration" not in record.fields and not (milestone or summary_flag):
            self.report.add(ReportCode.INVALID_VALUE, "Task/Duration", uid=uid, detail="missing")
        days, whole = self.duration(minutes or 0.0, fmt, start, calendar, _TASK, uid)
        estimated = bool(values.flag(record, "Estimated", _TASK, uid)) or (
            fmt.estimated and fmt.unit is not TimeUnit.UNSPECIFIED
        )
        if estimated:
            self.report.add(ReportCode.ESTIMATED_DURATION, _TASK, uid=uid)
        if milestone and (minutes or 0) > 0:
            self.report.add(ReportCode.MILESTONE_WITH_DURATION, _TASK, uid=uid)
        manual = bool(values.flag(record, "Manual", _TASK, uid))
        if manual:
            self.report.add(ReportCode.MANUAL_TASK, _TASK, uid=uid)
        active = values.flag(record, "Active", _TASK, uid) is not False
        if not active:
            self.report.add(ReportCode.INACTIVE_TASK, _TASK, uid=uid)
        percent = values.integer(record, "PercentComplete", _TASK, uid) or 0
        if not 0 <= percent <= 100:
            self.report.add(ReportCode.INVALID_VALUE, "Task/PercentComplete", uid=uid, detail=str(percent))
            percent = min(max(percent, 0), 100)
        level = values.integer(record, "OutlineLevel", _TASK, uid)
        outline_number = values.text(record, "OutlineNumber")
        if level is None:
            level = outline_number.count(".") + 1 if outline_number else 1
        constraint, constraint_date = self.constraint(record, uid)
        baselines = tuple(
            found
            for item in record.records("Baseline")
            if (found := self.baseline(item, uid, fmt_code, calendar)) is not None
        )
        return MspdiTask(
            uid=uid,
            name=values.text(record, "Name"),
            id=values.integer(record, "ID", _TASK, uid),
            wbs=values.text(record, "WBS"),
            outline_number=outline_number,
            outline_level=max(level, 1),
            summary=summary_flag,
            milestone=milestone,
            working_days=whole,
            duration_days=days,
            duration_minutes=minutes,
            duration_format=fmt_code,
            estimated=estimated,
            start=start,
            finish=values.timestamp(record, "Finish", _TASK, uid),
            constraint=constraint,
            constraint_date=constraint_date,
            deadline=values.timestamp(record, "Deadline", _TASK, uid),
            percent_complete=percent,
            actual_start=values.timestamp(record, "ActualStart", _TASK, uid),
            actual_finish=values.timestamp(record, "ActualFinish", _TASK, uid),
            work_minutes=values.minutes(record, "Work", _TASK, uid),
            notes=values.text(record, "Notes"),
            calendar_uid=calendar_uid,
            manual=manual,
            active=active,
            baselines=baselines,
        )


def read_tasks(
    records: Sequence[Record],
    values: FieldReader,
    leftovers: Leftovers,
    info: ProjectInfo,
    calendars: Mapping[int, WorkingCalendar],
) -> TaskRows:
    """The file's tasks in file order with parents and summary flags from the outline."""
    reader = _TaskReader(values, leftovers, info, calendars)
    tasks: dict[int, MspdiTask] = {}
    links: list[tuple[int, Record]] = []
    seen: set[int] = set()
    notes = ""
    for record in records:
        uid = values.integer(record, "UID", _TASK)
        if uid is None:
            if "UID" not in record.fields:  # an unreadable UID is reported already
                values.report.add(ReportCode.INVALID_VALUE, "Task/UID", detail="missing")
            continue
        if uid in seen:
            values.report.add(ReportCode.DUPLICATE_UID, _TASK, uid=uid)
            continue
        seen.add(uid)
        if values.flag(record, "IsNull", _TASK, uid):
            values.report.add(ReportCode.BLANK_TASK_SKIPPED, _TASK, uid=uid)
            continue
        if uid == 0:
            values.report.add(ReportCode.PROJECT_SUMMARY_SKIPPED, _TASK, uid=0)
            notes = values.text(record, "Notes")
            continue
        tasks[uid] = reader.task(record, uid)
        for link in record.records("PredecessorLink"):
            leftovers.check(_LINK, link, uid)
            links.append((uid, link))
    return TaskRows(_outline(tuple(tasks.values()), values), tuple(links), notes)


def _outline(tasks: tuple[MspdiTask, ...], values: FieldReader) -> tuple[MspdiTask, ...]:
    stack: list[MspdiTask] = []
    parents: dict[int, int | None] = {}
    for task in tasks:
        while stack and stack[-1].outline_level >= task.outline_level:
            stack.pop()
        expected = stack[-1].outline_level + 1 if stack else 1
        if task.outline_level > expected:
            values.report.add(
                ReportCode.OUTLINE_LEVEL_GAP, _TASK, uid=task.uid, detail=f"{task.outline_level} > {expected}"
            )
        parents[task.uid] = stack[-1].uid if stack else None
        stack.append(task)
    with_children = {parent for parent in parents.values() if parent is not None}
    result = []
    for task in tasks:
        summary = task.uid in with_children
        if summary != task.summary:
            values.report.add(ReportCode.SUMMARY_FLAG_MISMATCH, _TASK, uid=task.uid)
        result.append(replace(task, parent_uid=parents[task.uid], summary=summary))
    return tuple(result)


def read_links(
    links: Sequence[tuple[int, Record]],
    tasks: Mapping[int, MspdiTask],
    values: FieldReader,
    info: ProjectInfo,
    working_days_per_week: int,
) -> tuple[MspdiLink, ...]:
    """The predecessor links between imported tasks, lags in working days."""
    report = values.report
    result: list[MspdiLink] = []
    pairs: set[tuple[int, int]] = set()
    for successor, record in links:
        predecessor = values.integer(record, "PredecessorUID", _LINK, successor)
        if values.flag(record, "CrossProject", _LINK, successor):
            detail = values.text(record, "CrossProjectName") or str(predecessor)
            report.add(ReportCode.LINK_CROSS_PROJECT, _LINK, uid=successor, detail=detail)
            continue
        if predecessor is None or predecessor not in tasks:
            report.add(ReportCode.LINK_UNKNOWN_TASK, _LINK, uid=successor, detail=str(predecessor))
            continue
        if predecessor == successor:
            report.add(ReportCode.LINK_SELF, _LINK, uid=successor)
            continue
        if (predecessor, successor) in pairs:
            report.add(ReportCode.LINK_DUPLICATE, _LINK, uid=successor, detail=str(predecessor))
            continue
        pairs.add((predecessor, successor))
        code = values.integer(record, "Type", _LINK, successor)
        link_type = LINK_TYPE_FROM_MSPDI.get(1 if code is None else code)
        if link_type is None:
            report.add(ReportCode.LINK_TYPE_UNKNOWN, _LINK, uid=successor, detail=str(code))
            link_type = DependencyType.FS
        link_lag = values.integer(record, "LinkLag", _LINK, successor) or 0
        lag_format = values.integer(record, "LagFormat", _LINK, successor) or 7
        lag = lag_in_days(
            link_lag,
            lag_format,
            minutes_per_day=info.minutes_per_day,
            working_days_per_week=working_days_per_week,
            predecessor_days=tasks[predecessor].duration_days or 0.0,
        )
        lag_days = round_lag_days(lag.days)
        detail = f"{predecessor}→{successor}: {lag.days:g} → {lag_days}"
        if lag.kind is LagKind.ELAPSED:
            report.add(ReportCode.LAG_ELAPSED, _LINK, uid=successor, detail=detail)
        elif lag.kind is LagKind.PERCENT:
            report.add(ReportCode.LAG_PERCENT, _LINK, uid=successor, detail=detail)
        elif lag.kind is LagKind.UNKNOWN:
            report.add(ReportCode.LAG_FORMAT_UNKNOWN, _LINK, uid=successor, detail=str(lag_format))
        elif abs(lag.days - lag_days) > _EPSILON:
            report.add(ReportCode.LAG_ROUNDED, _LINK, uid=successor, detail=detail)
        result.append(
            MspdiLink(
                predecessor_uid=predecessor,
                successor_uid=successor,
                type=link_type,
                lag_days=lag_days,
                exact_lag_days=lag.days,
                link_lag=link_lag,
                lag_format=lag_format,
            )
        )
    return tuple(result)
