"""MSPDI durations and lags: ISO-8601 durations, display formats, tenths of minutes, working days.

MSPDI stores every duration and work value as an ISO-8601 duration of *working time*
(``PT16H0M0S`` is 16 working hours, i.e. two days at 480 minutes per day) unless its display
format is *elapsed* (``ed``, ``eh``…), in which case it is calendar time (``PT24H0M0S`` is one
calendar day). Lags (``PredecessorLink/LinkLag``) are not ISO: they are integers in **tenths of
minutes** (4800 = 480 minutes = one working day), or whole percent for a percentage lag.

clientpm plans in whole working days, so every value is converted with the project's
``MinutesPerDay`` and the conversion is reported when it is not exact (see the reader).

>>> parse_iso_duration("PT16H0M0S")
ParsedDuration(minutes=960.0, calendar_units=False)
>>> format_iso_duration(960)
'PT16H0M0S'
>>> DurationFormat(39).unit, DurationFormat(39).estimated, DurationFormat(8).elapsed
(<TimeUnit.DAYS: 'days'>, True, True)
>>> lag_in_days(-4800, 7, minutes_per_day=480)
LagDays(days=-1.0, kind=<LagKind.WORKING: 'working'>)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, NamedTuple

__all__ = [
    "FORMAT_DAYS",
    "DurationFormat",
    "LagDays",
    "LagKind",
    "ParsedDuration",
    "TimeUnit",
    "format_iso_duration",
    "lag_in_days",
    "parse_iso_duration",
    "round_lag_days",
    "whole_working_days",
]

FORMAT_DAYS: Final = 7
"""The MSPDI format code for working days (``d``), the one clientpm writes."""

_ESTIMATED_OFFSET: Final = 32  # 39 = "d?" = 7 + 32


class TimeUnit(StrEnum):
    """The unit a duration or lag is displayed in by MS Project."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    PERCENT = "percent"
    UNSPECIFIED = "unspecified"
    """MSPDI's "null" format (21/53), used for summary rows."""


_UNITS: Final[dict[int, tuple[TimeUnit, bool]]] = {
    3: (TimeUnit.MINUTES, False),
    4: (TimeUnit.MINUTES, True),
    5: (TimeUnit.HOURS, False),
    6: (TimeUnit.HOURS, True),
    7: (TimeUnit.DAYS, False),
    8: (TimeUnit.DAYS, True),
    9: (TimeUnit.WEEKS, False),
    10: (TimeUnit.WEEKS, True),
    11: (TimeUnit.MONTHS, False),
    12: (TimeUnit.MONTHS, True),
    19: (TimeUnit.PERCENT, False),
    20: (TimeUnit.PERCENT, True),
    21: (TimeUnit.UNSPECIFIED, False),
}


@dataclass(frozen=True, slots=True)
class DurationFormat:
    """An MSPDI duration/lag format code (``DurationFormat``, ``LagFormat``) and what it means.

    Codes 3–21 are minutes, elapsed minutes, hours, …, percent, null; the same plus 32 (35–53)
    are the *estimated* variants ("3d?"). An unknown code has ``known`` false and reads as days.
    """

    code: int = FORMAT_DAYS

    @property
    def known(self) -> bool:
        """Whether the code is one MSPDI defines."""
        return self._base in _UNITS

    @property
    def unit(self) -> TimeUnit:
        """The display unit (days for an unknown code)."""
        return _UNITS.get(self._base, (TimeUnit.DAYS, False))[0]

    @property
    def elapsed(self) -> bool:
        """Whether the value is calendar time (24-hour days, 7-day weeks) rather than working time."""
        return _UNITS.get(self._base, (TimeUnit.DAYS, False))[1]

    @property
    def estimated(self) -> bool:
        """Whether MS Project shows the value with a question mark (an estimate)."""
        return self.code >= _ESTIMATED_OFFSET + 3

    @property
    def _base(self) -> int:
        return self.code - _ESTIMATED_OFFSET if self.code >= _ESTIMATED_OFFSET + 3 else self.code


class ParsedDuration(NamedTuple):
    """A duration in minutes; ``calendar_units`` when it used Y/M/W/D (ambiguous in MSPDI)."""

    minutes: float
    calendar_units: bool


_ISO = re.compile(
    r"^(?P<sign>-)?P(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<Mo>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?(?:T(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<Mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<S>\d+(?:\.\d+)?)S)?)?$"
)
# Calendar-unit components are read as calendar time (xsd:duration semantics): MSPDI writers use
# hours, minutes and seconds only, so these are rare and get reported as ambiguous.
_CALENDAR_MINUTES: Final = {"Y": 365 * 1440.0, "Mo": 30 * 1440.0, "W": 7 * 1440.0, "D": 1440.0}
_CLOCK_MINUTES: Final = {"H": 60.0, "Mi": 1.0, "S": 1 / 60}


def parse_iso_duration(text: str) -> ParsedDuration:
    """Minutes in an ISO-8601 duration such as ``PT8H30M0S`` (``ValueError`` if not one).

    >>> parse_iso_duration("-PT4H0M0S").minutes, parse_iso_duration("P1DT0H").calendar_units
    (-240.0, True)
    """
    match = _ISO.match(text.strip())
    if match is None or text.strip() in {"P", "-P", "PT", "-PT"} or text.strip().endswith("T"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    minutes = 0.0
    calendar_units = False
    for name, factor in (_CALENDAR_MINUTES | _CLOCK_MINUTES).items():
        value = match.group(name)
        if value is not None:
            minutes += float(value) * factor
            calendar_units = calendar_units or (name in _CALENDAR_MINUTES and float(value) != 0)
    return ParsedDuration(-minutes if match.group("sign") else minutes, calendar_units)


def format_iso_duration(minutes: float) -> str:
    """The MSPDI form of a duration in minutes, to the millisecond.

    >>> format_iso_duration(480), format_iso_duration(90.5), format_iso_duration(-60)
    ('PT8H0M0S', 'PT1H30M30S', '-PT1H0M0S')
    >>> format_iso_duration(120.0845)
    'PT2H0M5.07S'
    """
    millis = round(abs(minutes) * 60_000)
    hours, rest = divmod(millis, 3_600_000)
    mins, rest = divmod(rest, 60_000)
    secs = str(rest // 1000) if rest % 1000 == 0 else f"{rest / 1000:.3f}".rstrip("0")
    sign = "-" if minutes < 0 and millis else ""
    return f"{sign}PT{hours}H{mins}M{secs}S"


_EPSILON: Final = 1e-6


def whole_working_days(days: float) -> int:
    """Whole working days for the engine: exact values stay, fractions round *up* (a task
    that works part of a day occupies that day).

    >>> whole_working_days(2.0), whole_working_days(0.125), whole_working_days(2.5)
    (2, 1, 3)
    """
    nearest = round(days)
    if abs(days - nearest) < _EPSILON:
        return int(nearest)
    return math.ceil(days)


def round_lag_days(days: float) -> int:
    """Whole working days of lag: the nearest day, halves away from zero (a lead stays a lead).

    >>> round_lag_days(0.5), round_lag_days(-0.5), round_lag_days(1.2)
    (1, -1, 1)
    """
    return int(math.copysign(math.floor(abs(days) + 0.5 + _EPSILON), days))


class LagKind(StrEnum):
    """How a lag was converted to working days (anything but ``working`` is approximate)."""

    WORKING = "working"
    ELAPSED = "elapsed"
    PERCENT = "percent"
    UNKNOWN = "unknown"


class LagDays(NamedTuple):
    """A lag in (possibly fractional) working days and how it was obtained."""

    days: float
    kind: LagKind


def lag_in_days(
    link_lag: int,
    lag_format: int,
    *,
    minutes_per_day: int,
    working_days_per_week: int = 5,
    predecessor_days: float = 0.0,
) -> LagDays:
    """Convert ``LinkLag`` (tenths of minutes, or percent) with its ``LagFormat`` to working days.

    Working-time formats divide by ``minutes_per_day``. Elapsed formats are calendar time: the
    calendar days are scaled by ``working_days_per_week / 7`` (approximate: the real number
    depends on where the lag falls). Percent formats are a share of ``predecessor_days``.

    >>> lag_in_days(48000, 9, minutes_per_day=480)  # 2 weeks (shown in weeks) = 10 working days
    LagDays(days=10.0, kind=<LagKind.WORKING: 'working'>)
    >>> lag_in_days(14400, 8, minutes_per_day=480)  # 1 elapsed day (24 h) ≈ 5/7 working day
    LagDays(days=0.7142857142857143, kind=<LagKind.ELAPSED: 'elapsed'>)
    >>> lag_in_days(50, 19, minutes_per_day=480, predecessor_days=4)  # 50 % of a 4-day task
    LagDays(days=2.0, kind=<LagKind.PERCENT: 'percent'>)
    """
    fmt = DurationFormat(lag_format)
    if fmt.unit is TimeUnit.PERCENT:
        return LagDays(link_lag / 100 * predecessor_days, LagKind.PERCENT)
    minutes = link_lag / 10
    if fmt.elapsed:
        return LagDays(minutes / 1440 * working_days_per_week / 7, LagKind.ELAPSED)
    kind = LagKind.WORKING if fmt.known else LagKind.UNKNOWN
    return LagDays(minutes / minutes_per_day, kind)
