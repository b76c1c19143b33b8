"""Reading MSPDI calendars: working weekdays, exceptions old and new, work weeks, base calendars.

An MSPDI calendar has a working week (``WeekDays/WeekDay`` with ``DayType`` 1 = Sunday … 7 =
Saturday), exceptions — in files before Project 2007 as ``WeekDay`` entries with ``DayType`` 0
and a ``TimePeriod``, from Project 2007 on as ``Exceptions/Exception`` (possibly recurring; MS
Project then still writes the expanded old form too, which is ignored as MS Project does) — and
``WorkWeeks``, working patterns for date ranges. A derived (resource) calendar names its base
calendar and inherits every weekday it does not set.

clientpm's :class:`~clientpm.scheduling.calendar.WorkingCalendar` knows whole working days only,
so each calendar is resolved into a weekmask plus dated holidays and extra working days:
precedence is own exception > base calendar's exceptions > own work week > weekmask. Working
hours that differ from the project's day length are reported, not kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from clientpm.scheduling.mspdi.fields import Leftovers
from clientpm.scheduling.mspdi.model import CalendarException, MspdiCalendar, ProjectInfo, WorkingTimes
from clientpm.scheduling.mspdi.parsing import Record
from clientpm.scheduling.mspdi.recurrence import RECURRENCE_TYPES, Recurrence, expand
from clientpm.scheduling.mspdi.report import ReportCode
from clientpm.scheduling.mspdi.values import FieldReader

__all__ = ["day_end", "exception_runs", "read_calendars"]

_ELEMENT = "Calendar"
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class _WorkWeek:
    name: str
    first: date
    last: date
    weekdays: tuple[bool | None, ...]


@dataclass(frozen=True)
class _Raw:
    calendar: MspdiCalendar
    work_weeks: tuple[_WorkWeek, ...]


def _monday_index(day_type: int) -> int:
    return (day_type - 2) % 7  # DayType 1 = Sunday … 7 = Saturday → Monday 0 … Sunday 6


def _minutes(times: WorkingTimes) -> int:
    total = 0
    for start, end in times:
        begin = start.hour * 60 + start.minute
        finish = end.hour * 60 + end.minute or 24 * 60  # 00:00 as an end is midnight
        total += max(finish - begin, 0)
    return total


class _CalendarReader:
    def __init__(
        self, values: FieldReader, leftovers: Leftovers, info: ProjectInfo, horizon: tuple[date, date]
    ) -> None:
        self.values = values
        self.report = values.report
        self.leftovers = leftovers
        self.info = info
        self.horizon = horizon

    def times(self, record: Record, uid: int) -> WorkingTimes:
        periods: list[tuple[time, time]] = []
        for period in record.records("WorkingTimes", "WorkingTime"):
            start = self.values.clock(period, "FromTime", "Calendar/WorkingTime", uid)
            end = self.values.clock(period, "ToTime", "Calendar/WorkingTime", uid)
            if start is not None and end is not None:
                periods.append((start, end))
        return tuple(periods)

    def check_hours(self, uid: int, name: str, label: str, times: WorkingTimes) -> None:
        minutes = _minutes(times)
        if times and minutes != self.info.minutes_per_day:
            self.report.add(
                ReportCode.CALENDAR_HOURS_IGNORED,
                "Calendar/WorkingTimes",
                uid=uid,
                detail=f"{name}: {label} {minutes} min",
            )

    def period(self, record: Record, element: str, uid: int) -> tuple[date, date] | None:
        periods = record.records("TimePeriod")
        if not periods:
            return None
        first = self.values.timestamp(periods[0], "FromDate", element, uid)
        last = self.values.timestamp(periods[0], "ToDate", element, uid)
        if first is None or last is None:
            return None
        last_day = (
            (last - timedelta(minutes=1)).date() if last.time() == time(0) and last > first else last.date()
        )
        return first.date(), max(last_day, first.date())

    def clip(self, first: date, last: date) -> tuple[date, date, bool]:
        low, high = max(first, self.horizon[0]), min(last, self.horizon[1])
        return low, high, (low, high) != (first, last)

    def date_range(self, first: date, last: date) -> tuple[date, ...]:
        return tuple(first + timedelta(days=offset) for offset in range((last - first).days + 1))

    def legacy_exception(self, record: Record, uid: int, name: str) -> CalendarException | None:
        span = self.period(record, "Calendar/WeekDay", uid)
        if span is None:
            self.report.add(ReportCode.CALENDAR_EXCEPTION_INVALID, "Calendar/WeekDay", uid=uid, detail=name)
            return None
        first, last, clipped = self.clip(*span)
        if clipped:
            self.report.add(
                ReportCode.CALENDAR_EXCEPTION_TRUNCATED,
                "Calendar/WeekDay",
                uid=uid,
                detail=f"{span[0]}…{span[1]}",
            )
        working = bool(self.values.flag(record, "DayWorking", "Calendar/WeekDay", uid))
        times = self.times(record, uid)
        if working:
            self.check_hours(uid, name, f"{span[0]}…{span[1]}", times)
        return CalendarException("", span[0], span[1], working, self.date_range(first, last), "", times)

    def exception(self, record: Record, uid: int, name: str) -> CalendarException | None:
        element = "Calendar/Exception"
        label = self.values.text(record, "Name")
        span = self.period(record, element, uid)
        kind = self.values.integer(record, "Type", element, uid)
        if kind in (None, 0, 9):  # absent or "no exception type": a plain date range
            kind = 1
        if span is None or kind not in RECURRENCE_TYPES:
            self.report.add(
                ReportCode.CALENDAR_EXCEPTION_INVALID, element, uid=uid, detail=label or f"type {kind}"
            )
            return None
        rule = Recurrence(
            type=kind,
            first=span[0],
            last=span[1],
            period=self.values.integer(record, "Period", element, uid) or 1,
            occurrences=(
                self.values.integer(record, "Occurrences", element, uid)
                if self.values.flag(record, "EnteredByOccurrences", element, uid)
                else None
            ),
            days_of_week=self.values.integer(record, "DaysOfWeek", element, uid) or 0,
            month_item=self.values.integer(record, "MonthItem", element, uid) or 0,
            month_position=self.values.integer(record, "MonthPosition", element, uid) or 0,
            month=self.values.integer(record, "Month", element, uid) or 0,
            month_day=self.values.integer(record, "MonthDay", element, uid) or 1,
        )
        expansion = expand(rule, horizon=self.horizon)
        recurring = not (kind == 1 and rule.period <= 1)
        if expansion.truncated:
            self.report.add(ReportCode.CALENDAR_EXCEPTION_TRUNCATED, element, uid=uid, detail=label)
        if recurring:
            self.report.add(
                ReportCode.CALENDAR_RECURRENCE_EXPANDED,
                element,
                uid=uid,
                detail=f"{label}: {rule.describe()}, {len(expansion.dates)} dates",
            )
        working = bool(self.values.flag(record, "DayWorking", element, uid))
        times = self.times(record, uid)
        if working:
            self.check_hours(uid, name, label, times)
        return CalendarException(
            label, span[0], span[1], working, expansion.dates, rule.describe() if recurring else "", times
        )

    def work_week(self, record: Record, uid: int) -> _WorkWeek | None:
        span = self.period(record, "Calendar/WorkWeek", uid)
        if span is None:
            self.report.add(ReportCode.CALENDAR_EXCEPTION_INVALID, "Calendar/WorkWeek", uid=uid)
            return None
        weekdays: list[bool | None] = [None] * 7
        for day in record.records("WeekDays", "WeekDay"):
            day_type = self.values.integer(day, "DayType", "Calendar/WorkWeek", uid)
            if day_type is not None and 1 <= day_type <= 7:
                weekdays[_monday_index(day_type)] = bool(
                    self.values.flag(day, "DayWorking", "Calendar/WorkWeek", uid)
                )
        return _WorkWeek(self.values.text(record, "Name"), span[0], span[1], tuple(weekdays))

    def read(self, record: Record) -> _Raw | None:
        uid = self.values.integer(record, "UID", _ELEMENT)
        if uid is None:
            if "UID" not in record.fields:  # an unreadable UID is reported already
                self.report.add(ReportCode.INVALID_VALUE, "Calendar/UID", detail="missing")
            return None
        self.leftovers.check(_ELEMENT, record, uid)
        name = self.values.text(record, "Name")
        base_uid = self.values.integer(record, "BaseCalendarUID", _ELEMENT, uid)
        is_base = self.values.flag(record, "IsBaseCalendar", _ELEMENT, uid)
        if is_base is None:
            is_base = base_uid is None or base_uid < 0
        weekdays: list[bool | None] = [None] * 7
        times: list[WorkingTimes] = [()] * 7
        legacy: list[CalendarException] = []
        for day in record.records("WeekDays", "WeekDay"):
            day_type = self.values.integer(day, "DayType", "Calendar/WeekDay", uid)
            if day_type == 0:
                found = self.legacy_exception(day, uid, name)
                if found is not None:
                    legacy.append(found)
            elif day_type is not None and 1 <= day_type <= 7:
                index = _monday_index(day_type)
                working = self.values.flag(day, "DayWorking", "Calendar/WeekDay", uid)
                weekdays[index] = working
                times[index] = self.times(day, uid)
                if working:
                    self.check_hours(uid, name, _WEEKDAY_NAMES[index], times[index])
        exceptions = [
            found
            for item in record.records("Exceptions", "Exception")
            if (found := self.exception(item, uid, name)) is not None
        ]
        if exceptions and legacy:
            self.report.add(ReportCode.CALENDAR_LEGACY_EXCEPTIONS_SUPERSEDED, "Calendar/WeekDay", uid=uid)
        weeks = tuple(
            week for item in record.records("WorkWeeks", "WorkWeek") if (week := self.work_week(item, uid))
        )
        calendar = MspdiCalendar(
            uid=uid,
            name=name,
            is_base=is_base,
            base_uid=None if is_base or base_uid is None or base_uid < 0 else base_uid,
            weekdays=tuple(weekdays),
            working_times=tuple(times),
            exceptions=tuple(exceptions or legacy),
        )
        return _Raw(calendar, weeks)


def read_calendars(
    records: Sequence[Record],
    values: FieldReader,
    leftovers: Leftovers,
    info: ProjectInfo,
    horizon: tuple[date, date],
) -> tuple[MspdiCalendar, ...]:
    """The file's calendars, each resolved against its base calendar (file order kept)."""
    reader = _CalendarReader(values, leftovers, info, horizon)
    raws: dict[int, _Raw] = {}
    for record in records:
        raw = reader.read(record)
        if raw is None:
            continue
        if raw.calendar.uid in raws:
            values.report.add(ReportCode.DUPLICATE_UID, _ELEMENT, uid=raw.calendar.uid)
            continue
        raws[raw.calendar.uid] = raw
    resolved: dict[int, MspdiCalendar] = {}
    for uid in raws:
        _resolve(uid, raws, resolved, reader, set())
    return tuple(resolved[uid] for uid in raws)


def _resolve(
    uid: int,
    raws: dict[int, _Raw],
    resolved: dict[int, MspdiCalendar],
    reader: _CalendarReader,
    seen: set[int],
) -> MspdiCalendar:
    if uid in resolved:
        return resolved[uid]
    raw = raws[uid]
    calendar = raw.calendar
    base: MspdiCalendar | None = None
    if calendar.base_uid is not None:
        if calendar.base_uid in raws and calendar.base_uid not in seen | {uid}:
            base = _resolve(calendar.base_uid, raws, resolved, reader, seen | {uid})
        else:
            reader.report.add(
                ReportCode.CALENDAR_BASE_MISSING, _ELEMENT, uid=uid, detail=str(calendar.base_uid)
            )
    base_mask = base.weekmask if base else "1111100"
    mask = "".join(
        ("1" if own else "0") if own is not None else base_bit
        for own, base_bit in zip(calendar.weekdays, base_mask, strict=True)
    )
    if "1" not in mask:
        reader.report.add(ReportCode.CALENDAR_NO_WORKING_DAYS, _ELEMENT, uid=uid, detail=calendar.name)
        mask = "1111100"
    overrides: dict[date, bool] = {}
    for week in raw.work_weeks:
        first, last, _ = reader.clip(week.first, week.last)
        days = reader.date_range(first, last) if first <= last else ()
        for day in days:
            setting = week.weekdays[day.weekday()]
            if setting is not None:
                overrides[day] = setting
        reader.report.add(
            ReportCode.CALENDAR_WORK_WEEK_EXPANDED,
            "Calendar/WorkWeek",
            uid=uid,
            detail=f"{week.name}: {first}…{last}",
        )
    if base is not None:
        overrides.update(dict.fromkeys(base.holidays, False))
        overrides.update(dict.fromkeys(base.extra_working_days, True))
    for exception in calendar.exceptions:
        overrides.update(dict.fromkeys(exception.dates, exception.working))
    holidays = tuple(
        sorted(day for day, working in overrides.items() if not working and mask[day.weekday()] == "1")
    )
    extra = tuple(sorted(day for day, working in overrides.items() if working and mask[day.weekday()] == "0"))
    result = replace(calendar, weekmask=mask, holidays=holidays, extra_working_days=extra)
    resolved[uid] = result
    return result


def exception_runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Contiguous runs of sorted dates, for writing (``[(first, last), …]``)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def day_end(day: date) -> datetime:
    """MSPDI's end-of-day timestamp for a date (``23:59:00``)."""
    return datetime.combine(day, time(23, 59))
