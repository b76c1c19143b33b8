"""The KPI forecast: least squares of value on day number, progress toward the target and the
on/off-track flag, checked against series whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from clientpm.projects.forecast import (
    NO_DATA,
    NO_DEADLINE,
    NOT_ENOUGH_DATA,
    least_squares,
    outlook,
    percent_for_display,
    progress,
)

D0 = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def series(*pairs: tuple[int, str]) -> list[tuple[dt.date, Decimal]]:
    return [(day(n), Decimal(v)) for n, v in pairs]


def test_rising_series_slope_and_forecast_are_exact():
    # x̄ = 30, ȳ = 12, Sxx = 900 + 0 + 900 = 1800, Sxy = 60 + 0 + 60 = 120 → slope 120/1800 = 1/15 a day
    trend = least_squares(series((0, "10"), (30, "12"), (60, "14")))
    assert trend is not None
    assert trend.slope == Fraction(1, 15)
    assert trend.intercept == 10
    assert trend.at(day(180)) == 22  # 10 + 180/15


def test_noisy_series_is_the_least_squares_line_not_the_last_two_points():
    # x = 0, 10, 20; y = 1, 3, 2: x̄ = 10, ȳ = 2, Sxx = 200, Sxy = (-10)(-1) + 0 + 10·0 = 10
    # → slope 1/20, intercept 2 − 10/20 = 1.5; at day 40: 1.5 + 2 = 3.5
    trend = least_squares(series((0, "1"), (10, "3"), (20, "2")))
    assert (trend.slope, trend.intercept, trend.at(day(40))) == (
        Fraction(1, 20),
        Fraction(3, 2),
        Fraction(7, 2),
    )


def test_order_of_the_points_does_not_matter():
    trend = least_squares(series((60, "14"), (0, "10"), (30, "12")))
    assert (trend.origin, trend.slope) == (day(0), Fraction(1, 15))


def test_fewer_than_two_days_has_no_trend():
    assert least_squares([]) is None
    assert least_squares(series((5, "10"))) is None
    # two values on one day give no slope either
    assert least_squares([(day(5), Decimal("10")), (day(5), Decimal("12"))]) is None


def test_satisfaction_goal_on_track():
    """Raise the satisfaction score by 20% within 12 months: 80 → 96 by day 360."""
    view = outlook(
        baseline=Decimal("80"),
        target=Decimal("96"),
        direction="increase",
        deadline=day(360),
        measurements=series((0, "80"), (90, "84"), (180, "88")),
    )
    # slope 4/90 a day; at day 360: 80 + 360·4/90 = 96 → exactly the target: on track
    assert view.forecast_value == Decimal("96.0000")
    assert view.on_track is True
    # latest 88: (88 − 80) / (96 − 80) = 0.5
    assert view.progress == Fraction(1, 2)
    assert (view.progress_percent, view.progress_display) == (50.0, 50)
    assert (view.latest_value, view.latest_date, view.count, view.reason) == (
        Decimal("88"),
        day(180),
        3,
        "",
    )


def test_retention_goal_off_track_with_a_rounded_forecast():
    """Raise retention by 15% within 6 months: 60 → 69 by day 180, but it rises 1 point a month."""
    view = outlook(
        baseline=Decimal("60"),
        target=Decimal("69"),
        direction="increase",
        deadline=day(180),
        measurements=series((0, "60"), (30, "61"), (60, "62")),
    )
    # slope 1/30; at day 180: 60 + 6 = 66 < 69
    assert (view.forecast_value, view.on_track) == (Decimal("66.0000"), False)
    # (62 − 60) / 9 = 0.2222… → 22.2 %
    assert view.progress_percent == 22.2


def test_forecast_is_rounded_to_four_places():
    # slope 1/3 a day from 0; at day 10: 10/3 = 3.3333…
    view = outlook(
        baseline=None,
        target=None,
        direction="increase",
        deadline=day(10),
        measurements=series((0, "0"), (3, "1")),
    )
    assert view.forecast_value == Decimal("3.3333")
    assert view.on_track is None  # no target to reach
    assert view.progress is None


def test_flat_series_forecasts_the_same_value():
    view = outlook(
        baseline=Decimal("50"),
        target=Decimal("60"),
        direction="increase",
        deadline=day(365),
        measurements=series((0, "55"), (30, "55"), (90, "55")),
    )
    assert view.trend.slope == 0
    assert (view.forecast_value, view.on_track) == (Decimal("55.0000"), False)
    assert view.progress == Fraction(1, 2)


def test_decreasing_goal_reaches_its_target_from_above():
    """Cut the average ticket resolution time from 48 to 24 hours within 6 months."""
    measurements = series((0, "48"), (60, "40"), (120, "32"))
    # slope −8/60 = −2/15 a day; at day 180: 48 − 24 = 24 ≤ 24 → on track
    view = outlook(
        baseline=Decimal("48"),
        target=Decimal("24"),
        direction="decrease",
        deadline=day(180),
        measurements=measurements,
    )
    assert (view.forecast_value, view.on_track) == (Decimal("24.0000"), True)
    # (32 − 48) / (24 − 48) = 2/3
    assert view.progress == Fraction(2, 3)
    assert view.progress_display == 66
    # one month earlier the trend is still at 28 hours: off track for a deadline at day 150
    early = outlook(
        baseline=Decimal("48"),
        target=Decimal("24"),
        direction="decrease",
        deadline=day(150),
        measurements=measurements,
    )
    assert (early.forecast_value, early.on_track) == (Decimal("28.0000"), False)


def test_decreasing_goal_moving_the_wrong_way():
    view = outlook(
        baseline=Decimal("48"),
        target=Decimal("24"),
        direction="decrease",
        deadline=day(180),
        measurements=series((0, "48"), (30, "50"), (60, "54")),
    )
    # (54 − 48) / (24 − 48) = −0.25: the raw value is kept, the bar shows 0
    assert view.progress == Fraction(-1, 4)
    assert (view.progress_percent, view.progress_display) == (-25.0, 0)
    assert view.on_track is False


def test_progress_past_the_target_keeps_the_raw_value_and_clips_for_display():
    assert progress(baseline=Decimal("80"), target=Decimal("96"), current=Decimal("98")) == Fraction(9, 8)
    assert percent_for_display(Fraction(9, 8)) == 100
    assert percent_for_display(Fraction(-1, 2)) == 0
    assert percent_for_display(None) is None


def test_progress_undefined_when_target_equals_baseline_or_a_value_is_missing():
    assert progress(baseline=Decimal("5"), target=Decimal("5"), current=Decimal("6")) is None
    assert progress(baseline=None, target=Decimal("5"), current=Decimal("6")) is None
    assert progress(baseline=Decimal("5"), target=Decimal("6"), current=None) is None


def test_no_forecast_without_two_days_of_data_or_a_deadline():
    kwargs = {"baseline": Decimal("0"), "target": Decimal("100"), "direction": "increase"}
    none = outlook(deadline=day(90), measurements=[], **kwargs)
    assert (none.reason, none.forecast_value, none.on_track, none.latest_value, none.progress) == (
        NO_DATA,
        None,
        None,
        None,
        None,
    )
    one = outlook(deadline=day(90), measurements=series((0, "40")), **kwargs)
    assert (one.reason, one.forecast_value, one.on_track) == (NOT_ENOUGH_DATA, None, None)
    assert one.progress == Fraction(2, 5)  # progress needs only the latest value
    undated = outlook(deadline=None, measurements=series((0, "40"), (10, "50")), **kwargs)
    assert (undated.reason, undated.forecast_value, undated.trend.slope) == (NO_DEADLINE, None, 1)
