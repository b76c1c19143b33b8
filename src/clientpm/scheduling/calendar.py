"""Working calendars: which dates are working days, and the working-day axis the engine computes on.

A :class:`WorkingCalendar` is plain, immutable data — working weekdays, holidays and extra working
days (weekend days that are worked, such as China's adjusted working weekends, 调休) — so it is
hashable, cheap to build and serialisable to JSON with :func:`calendar_to_dict`.

The engine does its arithmetic on a *working-day axis*: given an origin date, working days are
numbered 0, 1, 2, … from the first working day on or after the origin, and −1, −2, … before it.
:func:`working_day_index` and :func:`working_day_date` convert between dates and this axis, for
whole NumPy arrays at once. A date that is not a working day maps to the next working day
(``roll="forward"``, for starts) or to the previous one (``roll="backward"``, for finishes).

NumPy's ``busdaycalendar`` knows weekmasks and holidays but not extra working days on weekends, so
each calendar is compiled (once, cached) into a cumulative count of working days over the span of
dates its holidays and extra days cover; outside that span only the weekmask applies and NumPy's
``busday_count``/``busday_offset`` extend the axis exactly, to any date.

>>> from datetime import date
>>> china = china_calendar(2026, 2026)
>>> add_working_days(china, date(2026, 2, 12), 2)  # Thu 12, Fri 13, Sat 14 is worked (调休)
datetime.date(2026, 2, 14)
>>> add_working_days(china, date(2026, 2, 14), 1)  # Spring Festival 15–23 February is off
datetime.date(2026, 2, 24)
>>> working_day_index(china, [date(2026, 2, 13), date(2026, 2, 15)], origin=date(2026, 2, 12)).tolist()
[1, 3]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, NamedTuple

import chinese_calendar  # type: ignore[import-untyped]
import numpy as np
from numpy.typing import NDArray

from clientpm.scheduling.exceptions import SchedulingError

__all__ = [
    "DateArray",
    "Roll",
    "WorkingCalendar",
    "add_working_days",
    "calendar_extend",
    "calendar_from_dict",
    "calendar_to_dict",
    "china_calendar",
    "china_calendar_years",
    "count_working_days",
    "is_working_day",
    "monday_to_friday",
    "working_day_date",
    "working_day_index",
]

DateArray = NDArray[np.datetime64]
Roll = Literal["forward", "backward"]
Dates = date | Iterable[date] | DateArray

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Outside the compiled span only the weekmask applies; the padding keeps a clean week on each side.
_PADDING = np.timedelta64(14, "D")
_DEFAULT_ANCHOR = np.datetime64("2000-01-03", "D")


@dataclass(frozen=True)
class WorkingCalendar:
    """Which dates are working days.

    ``weekmask`` holds seven ``0``/``1`` characters for Monday…Sunday; ``holidays`` are dates off
    even if their weekday is worked; ``extra_working_days`` are dates worked even if their weekday
    is not. ``uncovered_years`` records the years for which the calendar's source had no holiday
    data (only the weekmask applies there), so that a user can be warned. The date tuples are
    sorted and de-duplicated on construction; a date may not be both a holiday and a working day.

    >>> calendar = WorkingCalendar("Site", holidays=(date(2026, 5, 1),))
    >>> is_working_day(calendar, [date(2026, 4, 30), date(2026, 5, 1)]).tolist()
    [True, False]
    """

    name: str
    weekmask: str = "1111100"
    holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()
    uncovered_years: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if len(self.weekmask) != 7 or set(self.weekmask) - {"0", "1"} or "1" not in self.weekmask:
            raise SchedulingError(
                f"Calendar {self.name!r}: the weekmask must be seven 0/1 characters (Monday to Sunday) "
                f"with at least one working day, not {self.weekmask!r}."
            )
        holidays = tuple(sorted(set(self.holidays)))
        extra = tuple(sorted(set(self.extra_working_days)))
        clash = sorted(set(holidays) & set(extra))
        if clash:
            days = ", ".join(day.isoformat() for day in clash)
            raise SchedulingError(
                f"Calendar {self.name!r}: {days} cannot be both a holiday and a working day."
            )
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "extra_working_days", extra)
        object.__setattr__(self, "uncovered_years", tuple(sorted(set(self.uncovered_years))))

    def __repr__(self) -> str:
        working = "-".join(day for day, bit in zip(_WEEKDAYS, self.weekmask, strict=True) if bit == "1")
        return (
            f"WorkingCalendar({self.name!r}, {working}, {len(self.holidays)} holidays, "
            f"{len(self.extra_working_days)} extra working days)"
        )


def monday_to_friday() -> WorkingCalendar:
    """The plain calendar: Monday to Friday, no holidays.

    >>> monday_to_friday()
    WorkingCalendar('Monday–Friday', Mon-Tue-Wed-Thu-Fri, 0 holidays, 0 extra working days)
    """
    return WorkingCalendar("Monday–Friday")


def china_calendar_years() -> tuple[int, int]:
    """The first and last year for which the ``chinesecalendar`` package has China's holiday data.

    >>> first, last = china_calendar_years()
    >>> first <= 2026 <= last
    True
    """
    known: Mapping[date, object] = chinese_calendar.holidays
    return min(known).year, max(known).year


@functools.lru_cache(maxsize=16)
def china_calendar(first_year: int, last_year: int) -> WorkingCalendar:
    """China's working calendar for ``first_year``…``last_year``: statutory holidays and 调休 days.

    Holidays (法定节假日) and the adjusted working weekends (调休上班日) come from the maintained
    ``chinesecalendar`` package. Years it has no data for fall back to Monday–Friday and are listed
    in ``uncovered_years``.

    >>> calendar = china_calendar(2026, 2099)
    >>> date(2026, 2, 14) in calendar.extra_working_days, date(2026, 2, 16) in calendar.holidays
    (True, True)
    >>> 2099 in calendar.uncovered_years
    True
    """
    if first_year > last_year:
        raise SchedulingError(f"The first year ({first_year}) is after the last year ({last_year}).")
    covered_first, covered_last = china_calendar_years()
    holidays: Mapping[date, object] = chinese_calendar.holidays
    workdays: Mapping[date, object] = chinese_calendar.workdays
    return WorkingCalendar(
        "China",
        holidays=tuple(day for day in holidays if first_year <= day.year <= last_year),
        extra_working_days=tuple(day for day in workdays if first_year <= day.year <= last_year),
        uncovered_years=tuple(
            year for year in range(first_year, last_year + 1) if not covered_first <= year <= covered_last
        ),
    )


def calendar_extend(
    base: WorkingCalendar,
    *,
    name: str | None = None,
    holidays: Iterable[date] = (),
    extra_working_days: Iterable[date] = (),
) -> WorkingCalendar:
    """A copy of ``base`` with more holidays and extra working days (a company calendar, say).

    A date added as a holiday stops being an extra working day of ``base`` and vice versa.

    >>> company = calendar_extend(monday_to_friday(), name="Company", holidays=[date(2026, 3, 2)])
    >>> company.holidays
    (datetime.date(2026, 3, 2),)
    """
    new_holidays = set(holidays)
    new_extra = set(extra_working_days)
    return WorkingCalendar(
        name or base.name,
        base.weekmask,
        holidays=tuple((set(base.holidays) - new_extra) | new_holidays),
        extra_working_days=tuple((set(base.extra_working_days) - new_holidays) | new_extra),
        uncovered_years=base.uncovered_years,
    )


def calendar_to_dict(calendar: WorkingCalendar) -> dict[str, object]:
    """The calendar as JSON-ready plain data (dates as ISO strings).

    >>> calendar_to_dict(WorkingCalendar("Site", "1111110", holidays=(date(2026, 5, 1),)))
    {'name': 'Site', 'weekmask': '1111110', 'holidays': ['2026-05-01'], 'extra_working_days': [], 'uncovered_years': []}
    """
    return {
        "name": calendar.name,
        "weekmask": calendar.weekmask,
        "holidays": [day.isoformat() for day in calendar.holidays],
        "extra_working_days": [day.isoformat() for day in calendar.extra_working_days],
        "uncovered_years": list(calendar.uncovered_years),
    }


def calendar_from_dict(data: Mapping[str, object]) -> WorkingCalendar:
    """The calendar that :func:`calendar_to_dict` serialised; bad data raises ``SchedulingError``.

    >>> calendar = china_calendar(2025, 2026)
    >>> calendar_from_dict(calendar_to_dict(calendar)) == calendar
    True
    """

    def dates(key: str) -> tuple[date, ...]:
        values = data.get(key, [])
        if not isinstance(values, list | tuple) or not all(isinstance(value, str) for value in values):
            raise SchedulingError(f"Calendar data: {key!r} must be a list of ISO dates.")
        try:
            return tuple(date.fromisoformat(value) for value in values)
        except ValueError as error:
            raise SchedulingError(f"Calendar data: {key!r} holds an invalid date ({error}).") from None

    name, weekmask, years = data.get("name"), data.get("weekmask", "1111100"), data.get("uncovered_years", [])
    if not isinstance(name, str) or not isinstance(weekmask, str):
        raise SchedulingError("Calendar data: 'name' and 'weekmask' must be strings.")
    if not isinstance(years, list | tuple) or not all(isinstance(year, int) for year in years):
        raise SchedulingError("Calendar data: 'uncovered_years' must be a list of years.")
    return WorkingCalendar(
        name,
        weekmask,
        holidays=dates("holidays"),
        extra_working_days=dates("extra_working_days"),
        uncovered_years=tuple(years),
    )


class _Compiled(NamedTuple):
    """A calendar compiled for vectorised lookups over the span of its special dates."""

    weekmask: str
    first: np.datetime64  # first date of the span
    last: np.datetime64  # date after the span
    cumulative: NDArray[np.int64]  # working days in [first, first + k), k = 0…len(span)
    working_dates: DateArray  # the working days of the span, in order


@functools.lru_cache(maxsize=64)
def _compile(calendar: WorkingCalendar) -> _Compiled:
    special = calendar.holidays + calendar.extra_working_days
    if not special:
        empty = np.zeros(1, dtype=np.int64)
        return _Compiled(
            calendar.weekmask, _DEFAULT_ANCHOR, _DEFAULT_ANCHOR, empty, np.array([], "datetime64[D]")
        )
    first = np.datetime64(min(special), "D") - _PADDING
    last = np.datetime64(max(special), "D") + _PADDING
    days = np.arange(first, last, dtype="datetime64[D]")
    working = np.is_busday(days, weekmask=calendar.weekmask)
    working[_offsets(calendar.holidays, first)] = False
    working[_offsets(calendar.extra_working_days, first)] = True
    cumulative = np.zeros(days.size + 1, dtype=np.int64)
    np.cumsum(working, out=cumulative[1:])
    return _Compiled(calendar.weekmask, first, last, cumulative, days[working])


def _offsets(days: Sequence[date], first: np.datetime64) -> NDArray[np.int64]:
    return (np.array(days, dtype="datetime64[D]") - first).astype(np.int64)


def _as_dates(dates: Dates) -> DateArray:
    if isinstance(dates, date):
        return np.array([dates], dtype="datetime64[D]")
    if isinstance(dates, np.ndarray):
        return dates.astype("datetime64[D]")
    return np.array(list(dates), dtype="datetime64[D]")


def _working_days_before(compiled: _Compiled, days: DateArray) -> NDArray[np.int64]:
    """Working days in [compiled.first, day) for each day (negative before the span)."""
    weekmask = compiled.weekmask
    inside = np.clip((days - compiled.first).astype(np.int64), 0, compiled.cumulative.size - 1)
    result: NDArray[np.int64] = compiled.cumulative[inside]
    before = days < compiled.first
    if before.any():
        result[before] = -np.busday_count(days[before], compiled.first, weekmask=weekmask)
    after = days > compiled.last
    if after.any():
        result[after] = compiled.cumulative[-1] + np.busday_count(
            compiled.last, days[after], weekmask=weekmask
        )
    return result


def is_working_day(calendar: WorkingCalendar, dates: Dates) -> NDArray[np.bool_]:
    """For each date, whether it is a working day of ``calendar``.

    >>> is_working_day(china_calendar(2026, 2026), [date(2026, 2, 14), date(2026, 2, 16)]).tolist()
    [True, False]
    """
    days = _as_dates(dates)
    compiled = _compile(calendar)
    return _working_days_before(compiled, days + np.timedelta64(1, "D")) > _working_days_before(
        compiled, days
    )


def working_day_index(
    calendar: WorkingCalendar, dates: Dates, *, origin: date, roll: Roll = "forward"
) -> NDArray[np.int64]:
    """The working-day index of each date; index 0 is the first working day on or after ``origin``.

    A non-working date takes the index of the next working day (``roll="forward"``) or of the
    previous one (``roll="backward"``).

    >>> calendar = monday_to_friday()
    >>> saturday = date(2026, 3, 7)
    >>> working_day_index(calendar, [saturday], origin=date(2026, 3, 2)).tolist()
    [5]
    >>> working_day_index(calendar, [saturday], origin=date(2026, 3, 2), roll="backward").tolist()
    [4]
    """
    days = _as_dates(dates)
    compiled = _compile(calendar)
    zero = _working_days_before(compiled, np.array([origin], dtype="datetime64[D]"))[0]
    if roll == "forward":
        result: NDArray[np.int64] = _working_days_before(compiled, days) - zero
    else:
        result = _working_days_before(compiled, days + np.timedelta64(1, "D")) - zero - 1
    return result


def working_day_date(
    calendar: WorkingCalendar, indices: Iterable[int] | NDArray[np.int64], *, origin: date
) -> DateArray:
    """The date of each working-day index (the inverse of :func:`working_day_index`).

    >>> working_day_date(monday_to_friday(), [0, 5, -1], origin=date(2026, 3, 2)).tolist()
    [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9), datetime.date(2026, 2, 27)]
    """
    compiled = _compile(calendar)
    zero = _working_days_before(compiled, np.array([origin], dtype="datetime64[D]"))[0]
    targets = np.asarray(indices if isinstance(indices, np.ndarray) else list(indices), dtype=np.int64) + zero
    total = compiled.cumulative[-1]
    result = np.empty(targets.shape, dtype="datetime64[D]")
    inside = (targets >= 0) & (targets < total)
    result[inside] = compiled.working_dates[targets[inside]]
    after = targets >= total
    if after.any():
        result[after] = np.busday_offset(
            compiled.last, targets[after] - total, roll="forward", weekmask=compiled.weekmask
        )
    before = targets < 0
    if before.any():
        result[before] = np.busday_offset(
            compiled.first, targets[before], roll="forward", weekmask=compiled.weekmask
        )
    return result


def add_working_days(calendar: WorkingCalendar, start: date, days: int) -> date:
    """The working day ``days`` working days after ``start`` (rolled forward to a working day first).

    >>> add_working_days(monday_to_friday(), date(2026, 3, 6), 1)  # Friday + 1 → Monday
    datetime.date(2026, 3, 9)
    """
    result: date = working_day_date(calendar, [days], origin=start)[0].item()
    return result


def count_working_days(calendar: WorkingCalendar, first: date, last: date) -> int:
    """How many working days lie between ``first`` and ``last``, both included (0 if last < first).

    >>> count_working_days(china_calendar(2026, 2026), date(2026, 2, 9), date(2026, 2, 27))
    10
    """
    if last < first:
        return 0
    return int(working_day_index(calendar, [last + timedelta(days=1)], origin=first)[0])
