"""Working calendars: Monday–Friday, China with its holidays and 调休 days, custom calendars, JSON."""

from __future__ import annotations

import json
from datetime import date, timedelta

import chinese_calendar
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpm.scheduling.calendar import (
    WorkingCalendar,
    add_working_days,
    calendar_extend,
    calendar_from_dict,
    calendar_to_dict,
    china_calendar,
    china_calendar_years,
    count_working_days,
    is_working_day,
    monday_to_friday,
    working_day_date,
    working_day_index,
)
from clientpm.scheduling.exceptions import SchedulingError


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_monday_to_friday_numbers_working_days_from_the_origin():
    calendar = monday_to_friday()
    week = days(date(2026, 3, 2), date(2026, 3, 8))  # Monday … Sunday
    assert is_working_day(calendar, week).tolist() == [True] * 5 + [False] * 2
    assert working_day_index(calendar, week, origin=date(2026, 3, 2)).tolist() == [0, 1, 2, 3, 4, 5, 5]
    backward = working_day_index(calendar, week, origin=date(2026, 3, 2), roll="backward")
    assert backward.tolist() == [0, 1, 2, 3, 4, 4, 4]
    assert working_day_date(calendar, [4, 5, -1], origin=date(2026, 3, 2)).tolist() == [
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 2, 27),
    ]


def test_an_origin_on_a_weekend_numbers_from_the_next_working_day():
    calendar = monday_to_friday()
    assert working_day_index(calendar, [date(2026, 3, 9)], origin=date(2026, 3, 7)).tolist() == [0]
    assert working_day_date(calendar, [0], origin=date(2026, 3, 7)).tolist() == [date(2026, 3, 9)]


def test_china_three_day_task_from_12_february_2026_finishes_on_the_working_saturday():
    china = china_calendar(2026, 2026)
    # Thu 12, Fri 13, Sat 14 (adjusted working day, 调休) → the third working day is Saturday
    assert add_working_days(china, date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert is_working_day(china, [date(2026, 2, 14), date(2026, 2, 28)]).tolist() == [True, True]


def test_china_spring_festival_2026_is_off_and_work_resumes_on_the_24th():
    china = china_calendar(2026, 2026)
    festival = days(date(2026, 2, 15), date(2026, 2, 23))
    assert not is_working_day(china, festival).any()
    assert add_working_days(china, date(2026, 2, 14), 1) == date(2026, 2, 24)
    # 2–6, 9–13, Sat 14, 24–27 and Sat 28 February
    assert count_working_days(china, date(2026, 2, 1), date(2026, 2, 28)) == 16


def test_china_calendar_agrees_with_chinese_calendar_day_by_day():
    _first, last = china_calendar_years()
    china = china_calendar(last - 2, last)
    span = days(date(last - 2, 1, 1), date(last, 12, 31))
    expected = [chinese_calendar.is_workday(day) for day in span]
    assert is_working_day(china, span).tolist() == expected
    assert china.uncovered_years == ()


def test_years_without_holiday_data_fall_back_to_monday_to_friday_and_are_reported():
    first, last = china_calendar_years()
    china = china_calendar(last, last + 2)
    assert china.uncovered_years == (last + 1, last + 2)
    later = days(date(last + 1, 1, 1), date(last + 1, 1, 14))
    assert is_working_day(china, later).tolist() == [day.weekday() < 5 for day in later]
    assert china_calendar(first - 1, first).uncovered_years == (first - 1,)


def test_custom_calendar_with_a_six_day_week_holidays_and_extra_working_days():
    calendar = WorkingCalendar(
        "Site",
        "1111110",
        holidays=(date(2026, 5, 1), date(2026, 5, 2)),
        extra_working_days=(date(2026, 5, 3),),  # a Sunday
    )
    week = days(date(2026, 4, 27), date(2026, 5, 4))
    assert is_working_day(calendar, week).tolist() == [True, True, True, True, False, False, True, True]
    assert add_working_days(calendar, date(2026, 4, 30), 1) == date(2026, 5, 3)


def test_calendars_are_hashable_and_normalised():
    a = WorkingCalendar("A", holidays=(date(2026, 5, 2), date(2026, 5, 1), date(2026, 5, 1)))
    b = WorkingCalendar("A", holidays=(date(2026, 5, 1), date(2026, 5, 2)))
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, monday_to_friday()}) == 2
    assert a.holidays == (date(2026, 5, 1), date(2026, 5, 2))


def test_calendar_round_trips_through_json():
    china = china_calendar(2025, 2030)
    data = json.loads(json.dumps(calendar_to_dict(china)))
    assert calendar_from_dict(data) == china
    assert data["weekmask"] == "1111100"
    assert "2026-02-14" in data["extra_working_days"]


@pytest.mark.parametrize(
    "data",
    [
        {"weekmask": "1111100"},
        {"name": "X", "weekmask": "11111"},
        {"name": "X", "weekmask": "0000000"},
        {"name": "X", "holidays": ["2026-13-01"]},
        {"name": "X", "holidays": "2026-01-01"},
        {"name": "X", "uncovered_years": ["2030"]},
        {"name": "X", "holidays": ["2026-05-01"], "extra_working_days": ["2026-05-01"]},
    ],
)
def test_invalid_calendar_data_is_refused(data):
    with pytest.raises(SchedulingError):
        calendar_from_dict(data)


def test_calendar_extend_adds_company_days_over_a_base_calendar():
    china = china_calendar(2026, 2026)
    company = calendar_extend(
        china,
        name="ACME",
        holidays=[date(2026, 2, 14)],  # the company does not work that 调休 Saturday
        extra_working_days=[date(2026, 2, 23)],  # but works the last festival day
    )
    assert company.name == "ACME"
    assert is_working_day(company, [date(2026, 2, 14), date(2026, 2, 23)]).tolist() == [False, True]
    assert date(2026, 2, 14) not in company.extra_working_days


def test_far_dates_extend_the_axis_exactly():
    china = china_calendar(2026, 2026)
    origin = date(2026, 1, 5)
    far = [date(1990, 1, 1), date(2040, 6, 15)]
    index = working_day_index(china, far, origin=origin)
    assert working_day_date(china, index, origin=origin).tolist() == far
    assert count_working_days(monday_to_friday(), date(2026, 1, 5), date(2026, 1, 4)) == 0


calendars = st.builds(
    WorkingCalendar,
    name=st.just("random"),
    weekmask=st.text("01", min_size=7, max_size=7).filter(lambda mask: "1" in mask),
    holidays=st.lists(st.dates(date(2026, 1, 1), date(2026, 3, 31)), max_size=12).map(tuple),
    extra_working_days=st.lists(st.dates(date(2026, 4, 1), date(2026, 6, 30)), max_size=12).map(tuple),
)


def brute_force_index(calendar: WorkingCalendar, day: date, origin: date) -> int:
    """Working days in [origin, day), negative before the origin — counted one date at a time."""

    def working(d: date) -> bool:
        if d in calendar.extra_working_days:
            return True
        return calendar.weekmask[d.weekday()] == "1" and d not in calendar.holidays

    if day >= origin:
        return sum(working(d) for d in days(origin, day - timedelta(days=1)))
    return -sum(working(d) for d in days(day, origin - timedelta(days=1)))


@settings(max_examples=60, deadline=None)
@given(
    calendar=calendars,
    origin=st.dates(date(2025, 10, 1), date(2026, 8, 31)),
    probes=st.lists(st.dates(date(2025, 9, 1), date(2026, 9, 30)), min_size=1, max_size=8),
)
def test_indices_match_a_day_by_day_count(calendar, origin, probes):
    index = working_day_index(calendar, probes, origin=origin)
    assert index.tolist() == [brute_force_index(calendar, day, origin) for day in probes]
    back = working_day_date(calendar, index, origin=origin)
    working = is_working_day(calendar, probes)
    # a working day maps back to itself, any other date to the next working day
    for day, mapped, is_working in zip(probes, back.tolist(), working.tolist(), strict=True):
        assert mapped == day if is_working else mapped > day
        assert is_working_day(calendar, [mapped]).tolist() == [True]
    assert np.all(np.diff(working_day_index(calendar, sorted(probes), origin=origin)) >= 0)
