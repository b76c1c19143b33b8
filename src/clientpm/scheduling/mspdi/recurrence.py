"""Recurring calendar exceptions (Project 2007+ ``Exception`` elements) expanded to dates.

clientpm's calendars hold concrete holidays and extra working days, so a pattern such as "the
first Monday of every second month" is turned into its dates. MSPDI's ``Exception/Type`` codes:

====  ===============================  =============================================
code  pattern                          fields used
====  ===============================  =============================================
1     daily (every ``Period`` days)    ``Period`` (1 = every day of the range: a
                                       plain, non-recurring exception)
2     yearly on a day of a month       ``Month`` (0 = January), ``MonthDay``
3     yearly by position               ``Month``, ``MonthPosition``, ``MonthItem``
4     monthly on a day                 ``Period`` months, ``MonthDay``
5     monthly by position              ``Period`` months, ``MonthPosition``, ``MonthItem``
6     weekly                           ``Period`` weeks, ``DaysOfWeek`` (1 = Sunday … 64 = Saturday)
7     every ``Period`` days            ``Period``
8     every ``Period`` weekdays        ``Period`` (Monday–Friday counted)
====  ===============================  =============================================

``MonthPosition`` 0–3 is first…fourth, 4 is last; ``MonthItem`` 0 = day, 1 = weekday, 2 = weekend
day, 3…9 = Sunday…Saturday. The series runs from ``TimePeriod/FromDate`` for ``Occurrences``
occurrences (when ``EnteredByOccurrences``) or up to ``TimePeriod/ToDate``. Weekly series count
weeks from the Sunday-start week of ``FromDate`` whatever the project's ``WeekStartDay`` says —
that is what Project 2016 itself expands them to (its own legacy ``WeekDay`` copy of the same
exceptions, in the test files, agrees date for date). Expansion stops at
the horizon and after :data:`MAX_OCCURRENCES`; ``truncated`` says so.

>>> from datetime import date
>>> rule = Recurrence(type=5, first=date(2002, 1, 1), last=date(2002, 5, 6), period=2,
...                   occurrences=3, month_item=4, month_position=0)  # first Monday, every 2 months
>>> expand(rule).dates
(datetime.date(2002, 1, 7), datetime.date(2002, 3, 4), datetime.date(2002, 5, 6))
"""

from __future__ import annotations

import calendar as stdcalendar
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, NamedTuple

__all__ = ["DEFAULT_HORIZON", "MAX_OCCURRENCES", "RECURRENCE_TYPES", "Expansion", "Recurrence", "expand"]

DEFAULT_HORIZON: Final = (date(1984, 1, 1), date(2149, 12, 31))
"""The dates MS Project supports; exceptions are expanded only inside this range."""

MAX_OCCURRENCES: Final = 10_000
"""At most this many dates per exception (a hostile file could ask for millions)."""

_MAX_STEPS: Final = 1_000_000  # bounds the work on series that start long before the horizon

RECURRENCE_TYPES: Final = {
    1: "daily",
    2: "yearly on a date",
    3: "yearly by position",
    4: "monthly on a day",
    5: "monthly by position",
    6: "weekly",
    7: "every n days",
    8: "every n weekdays",
}


@dataclass(frozen=True, slots=True)
class Recurrence:
    """One ``Exception`` element's recurrence fields (see the module docstring)."""

    type: int
    first: date
    last: date
    period: int = 1
    occurrences: int | None = None
    days_of_week: int = 0
    month_item: int = 0
    month_position: int = 0
    month: int = 0
    month_day: int = 1

    def describe(self) -> str:
        """A short untranslated description, e.g. ``"monthly by position, every 2"``."""
        name = RECURRENCE_TYPES.get(self.type, f"type {self.type}")
        return name if self.period <= 1 else f"{name}, every {self.period}"


class Expansion(NamedTuple):
    """The dates of a recurrence, and whether the horizon or the occurrence limit cut it short."""

    dates: tuple[date, ...]
    truncated: bool


def expand(
    rule: Recurrence,
    *,
    horizon: tuple[date, date] = DEFAULT_HORIZON,
    week_start_day: int = 0,
    limit: int = MAX_OCCURRENCES,
) -> Expansion:
    """The dates ``rule`` covers (``ValueError`` for an unknown type).

    >>> weekly = Recurrence(type=6, first=date(2001, 1, 1), last=date(2001, 2, 13), period=2,
    ...                     occurrences=4, days_of_week=4)  # every 2nd Tuesday
    >>> [day.isoformat() for day in expand(weekly).dates]
    ['2001-01-02', '2001-01-16', '2001-01-30', '2001-02-13']
    """
    generator = _GENERATORS.get(rule.type)
    if generator is None:
        raise ValueError(f"unknown recurrence type {rule.type}")
    # A daily rule every day is a plain date range: MS Project writes non-recurring exceptions
    # that way (type 1, one "occurrence" spanning FromDate…ToDate), so the range governs.
    plain_range = rule.type == 1 and rule.period <= 1
    wanted = None if plain_range else rule.occurrences
    truncated = False
    if plain_range and rule.first < horizon[0] <= rule.last:  # start the range at the horizon
        rule, truncated = replace(rule, first=horizon[0]), True
    dates: list[date] = []
    for produced, day in enumerate(generator(rule, week_start_day), start=1):
        if wanted is None and day > rule.last:
            break
        if day > horizon[1] or produced > _MAX_STEPS:
            truncated = True
            break
        if day < horizon[0]:
            truncated = True
        elif len(dates) < limit:
            dates.append(day)
        else:
            truncated = True
            break
        if wanted is not None and produced >= wanted:
            break
    return Expansion(tuple(dates), truncated)


def _days(start: date, step: int) -> Iterator[date]:
    day = start
    while True:
        yield day
        try:
            day += timedelta(days=step)
        except OverflowError:
            return


def _daily(rule: Recurrence, _: int) -> Iterator[date]:
    return _days(rule.first, max(rule.period, 1))


def _weekdays(rule: Recurrence, _: int) -> Iterator[date]:
    step = max(rule.period, 1)
    count = 0
    for day in _days(rule.first, 1):
        if day.weekday() < 5:
            if count % step == 0:
                yield day
            count += 1


def _sunday_based(day: date) -> int:
    return day.isoweekday() % 7  # Sunday 0 … Saturday 6, the order of DaysOfWeek bits


def _weekly(rule: Recurrence, week_start_day: int) -> Iterator[date]:
    if not rule.days_of_week & 0x7F:
        return
    week = rule.first - timedelta(days=(_sunday_based(rule.first) - week_start_day) % 7)
    step = timedelta(weeks=max(rule.period, 1))
    while True:
        for offset in range(7):
            day = week + timedelta(days=offset)
            if day >= rule.first and rule.days_of_week & (1 << _sunday_based(day)):
                yield day
        try:
            week += step
        except OverflowError:
            return


def _months(rule: Recurrence, step: int) -> Iterator[tuple[int, int]]:
    index = rule.first.year * 12 + rule.first.month - 1
    while index // 12 <= date.max.year:
        yield index // 12, index % 12 + 1
        index += max(step, 1)


def _on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(max(day, 1), stdcalendar.monthrange(year, month)[1]))


def _by_position(year: int, month: int, item: int, position: int) -> date | None:
    last = stdcalendar.monthrange(year, month)[1]
    days = [date(year, month, number) for number in range(1, last + 1)]
    if item == 1:
        days = [day for day in days if day.weekday() < 5]
    elif item == 2:
        days = [day for day in days if day.weekday() >= 5]
    elif 3 <= item <= 9:
        days = [day for day in days if _sunday_based(day) == item - 3]
    if not days:
        return None
    return days[-1] if position >= 4 else days[min(max(position, 0), len(days) - 1)]


def _monthly(rule: Recurrence, _: int) -> Iterator[date]:
    for year, month in _months(rule, rule.period):
        day = _on_day(year, month, rule.month_day)
        if day >= rule.first:
            yield day


def _monthly_relative(rule: Recurrence, _: int) -> Iterator[date]:
    for year, month in _months(rule, rule.period):
        day = _by_position(year, month, rule.month_item, rule.month_position)
        if day is not None and day >= rule.first:
            yield day


def _yearly(rule: Recurrence, _: int) -> Iterator[date]:
    month = min(max(rule.month, 0), 11) + 1
    for year in range(rule.first.year, date.max.year + 1):
        day = _on_day(year, month, rule.month_day)
        if day >= rule.first:
            yield day


def _yearly_relative(rule: Recurrence, _: int) -> Iterator[date]:
    month = min(max(rule.month, 0), 11) + 1
    for year in range(rule.first.year, date.max.year + 1):
        day = _by_position(year, month, rule.month_item, rule.month_position)
        if day is not None and day >= rule.first:
            yield day


_GENERATORS: Final = {
    1: _daily,
    2: _yearly,
    3: _yearly_relative,
    4: _monthly,
    5: _monthly_relative,
    6: _weekly,
    7: _daily,
    8: _weekdays,
}
