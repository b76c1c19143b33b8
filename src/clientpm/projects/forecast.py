"""Progress and deadline forecast of a KPI goal, in plain Python (no Django).

The measurements of a goal are a time series of (day, value). The forecast is the ordinary
least-squares line of value on day number, read at the deadline; it needs at least two
measurements on different days. Arithmetic is exact (``Fraction``), so a hand-computed series
gives exactly the hand-computed answer; values leave as ``Decimal`` rounded to four places, the
precision the goal's values are stored with.

Example: 10, 12 and 14 measured on days 0, 30 and 60 rise by 1/15 a day, so day 180 forecasts 22.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = Decimal | int | Fraction

INCREASE = "increase"
DECREASE = "decrease"

# Why there is no forecast (``Outlook.reason``); the interfaces word them in the reader's language.
NO_DATA = "no_data"
NOT_ENOUGH_DATA = "not_enough_data"
NO_DEADLINE = "no_deadline"

VALUE_PLACES = Decimal("0.0001")


def _exact(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def to_decimal(value: Fraction, places: Decimal = VALUE_PLACES) -> Decimal:
    """``value`` as a Decimal rounded half up to ``places``."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Trend:
    """The least-squares line ``value = intercept + slope × (days since origin)``."""

    origin: date
    slope: Fraction  # change per day
    intercept: Fraction  # the line's value on ``origin``

    def at(self, day: date) -> Fraction:
        return self.intercept + self.slope * (day - self.origin).days


def least_squares(points: Iterable[tuple[date, Number]]) -> Trend | None:
    """The ordinary least-squares trend of value on day number, or None unless the points fall on
    at least two different days (one day, or none, has no slope)."""
    pts = [(day, _exact(value)) for day, value in points]
    if len({day for day, _ in pts}) < 2:
        return None
    origin = min(day for day, _ in pts)
    xs = [Fraction((day - origin).days) for day, _ in pts]
    ys = [value for _, value in pts]
    n = len(pts)
    mean_x = sum(xs, Fraction(0)) / n
    mean_y = sum(ys, Fraction(0)) / n
    sxx = sum(((x - mean_x) ** 2 for x in xs), Fraction(0))
    sxy = sum(((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)), Fraction(0))
    slope = sxy / sxx
    return Trend(origin=origin, slope=slope, intercept=mean_y - slope * mean_x)


def progress(*, baseline: Number | None, target: Number | None, current: Number | None) -> Fraction | None:
    """How far ``current`` has moved from the baseline toward the target: 0 at the baseline, 1 at the
    target, below 0 when it went the wrong way, above 1 past the target. None when a value is missing
    or the target equals the baseline."""
    if baseline is None or target is None or current is None:
        return None
    span = _exact(target) - _exact(baseline)
    if span == 0:
        return None
    return (_exact(current) - _exact(baseline)) / span


def percent_for_display(raw: Fraction | None) -> int | None:
    """A progress ratio as a whole percentage clipped to 0..100, for a progress bar."""
    if raw is None:
        return None
    return int(min(max(raw * 100, Fraction(0)), Fraction(100)))


def reaches(value: Number, *, target: Number, direction: str) -> bool:
    """Whether ``value`` meets ``target`` for a goal to increase (at or above) or decrease (at or below)."""
    if direction == DECREASE:
        return _exact(value) <= _exact(target)
    return _exact(value) >= _exact(target)


@dataclass(frozen=True)
class Outlook:
    """Where a goal stands: its latest measurement, progress, trend and forecast at the deadline."""

    count: int
    latest_date: date | None
    latest_value: Decimal | None
    progress: Fraction | None  # raw ratio, may be < 0 or > 1
    trend: Trend | None
    forecast_value: Decimal | None
    on_track: bool | None
    reason: str  # "" when there is a forecast, else NO_DATA, NOT_ENOUGH_DATA or NO_DEADLINE

    @property
    def progress_percent(self) -> float | None:
        """The raw progress in percent (not clipped), e.g. 112.5 past the target."""
        return None if self.progress is None else float(to_decimal(self.progress * 100, Decimal("0.1")))

    @property
    def progress_display(self) -> int | None:
        """The progress clipped to 0..100 for the progress bar."""
        return percent_for_display(self.progress)


def outlook(
    *,
    baseline: Number | None,
    target: Number | None,
    direction: str,
    deadline: date | None,
    measurements: Sequence[tuple[date, Decimal]],
) -> Outlook:
    """The outlook of a goal from its measurements (any order): progress of the latest one, and the
    trend's value at the deadline, on track when it reaches the target in the goal's direction."""
    series = sorted(measurements, key=lambda point: point[0])
    latest_date, latest_value = series[-1] if series else (None, None)
    trend = least_squares(series)
    forecast: Decimal | None = None
    on_track: bool | None = None
    if not series:
        reason = NO_DATA
    elif trend is None:
        reason = NOT_ENOUGH_DATA
    elif deadline is None:
        reason = NO_DEADLINE
    else:
        reason = ""
        exact = trend.at(deadline)
        forecast = to_decimal(exact)
        if target is not None:
            on_track = reaches(exact, target=target, direction=direction)
    return Outlook(
        count=len(series),
        latest_date=latest_date,
        latest_value=latest_value,
        progress=progress(baseline=baseline, target=target, current=latest_value),
        trend=trend,
        forecast_value=forecast,
        on_track=on_track,
        reason=reason,
    )
