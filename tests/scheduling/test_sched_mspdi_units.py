"""MSPDI building blocks: duration and lag units, recurrence patterns, the report, docstring examples."""

from __future__ import annotations

import doctest
import importlib
from datetime import date

import pytest

from clientpm.scheduling.mspdi import ImportReport, ReportCode, Severity
from clientpm.scheduling.mspdi.durations import (
    DurationFormat,
    LagKind,
    TimeUnit,
    format_iso_duration,
    lag_in_days,
    parse_iso_duration,
    round_lag_days,
    whole_working_days,
)
from clientpm.scheduling.mspdi.recurrence import Recurrence, expand


@pytest.mark.parametrize(
    ("code", "unit", "elapsed", "estimated"),
    [
        (3, TimeUnit.MINUTES, False, False),
        (4, TimeUnit.MINUTES, True, False),
        (7, TimeUnit.DAYS, False, False),
        (8, TimeUnit.DAYS, True, False),
        (9, TimeUnit.WEEKS, False, False),
        (12, TimeUnit.MONTHS, True, False),
        (20, TimeUnit.PERCENT, True, False),
        (21, TimeUnit.UNSPECIFIED, False, False),
        (39, TimeUnit.DAYS, False, True),  # 7 + 32 = "d?"
        (42, TimeUnit.WEEKS, True, True),  # 10 + 32 = "ew?"
        (53, TimeUnit.UNSPECIFIED, False, True),
    ],
)
def test_duration_format_codes(code, unit, elapsed, estimated):
    fmt = DurationFormat(code)
    assert (fmt.known, fmt.unit, fmt.elapsed, fmt.estimated) == (True, unit, elapsed, estimated)


def test_an_unknown_format_code_is_flagged_and_read_as_days():
    assert (DurationFormat(99).known, DurationFormat(99).unit) == (False, TimeUnit.DAYS)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("PT8H0M0S", 480.0), ("PT0H1M0S", 1.0), ("PT1H30M30S", 90.5), ("-PT4H0M0S", -240.0), ("PT7.5H", 450.0)],
)
def test_iso_durations(text, minutes):
    assert parse_iso_duration(text).minutes == minutes
    assert parse_iso_duration(format_iso_duration(minutes)).minutes == minutes


@pytest.mark.parametrize("text", ["", "P", "PT", "8 hours", "PT8X", "P1DT"])
def test_malformed_iso_durations_are_refused(text):
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_iso_duration(text)


def test_whole_days_round_up_and_lags_round_to_the_nearest_day():
    assert [whole_working_days(d) for d in (0.0, 1.0, 1.0000001, 1.01, 2.5)] == [0, 1, 1, 2, 3]
    assert [round_lag_days(d) for d in (0.49, 0.5, -0.5, -1.49, 2.0)] == [0, 1, -1, -1, 2]


def test_lags_in_each_kind_of_unit():
    # 450 min/day: 4500 tenths = 450 min = 1 day; 7 working days per week: elapsed day = 1 day
    assert lag_in_days(4500, 5, minutes_per_day=450) == (1.0, LagKind.WORKING)
    assert lag_in_days(14400, 8, minutes_per_day=480, working_days_per_week=7) == (1.0, LagKind.ELAPSED)
    assert lag_in_days(25, 51, minutes_per_day=480, predecessor_days=8) == (2.0, LagKind.PERCENT)  # "%?"
    assert lag_in_days(4800, 99, minutes_per_day=480) == (1.0, LagKind.UNKNOWN)


def test_monthly_on_day_31_falls_on_each_month_end():
    rule = Recurrence(type=4, first=date(2026, 1, 1), last=date(2026, 4, 30), month_day=31)
    assert expand(rule).dates == (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30))


def test_yearly_by_position_last_weekday_and_weekend_day():
    # MonthItem 1 = weekday, position 4 = last: last weekday of May 2026 is Friday the 29th
    last_weekday = Recurrence(
        type=3, first=date(2026, 1, 1), last=date(2027, 12, 31), month=4, month_item=1, month_position=4
    )
    assert expand(last_weekday).dates == (date(2026, 5, 29), date(2027, 5, 31))
    # MonthItem 2 = weekend day, position 0 = first: 2 May 2026 (Saturday)
    weekend = Recurrence(type=3, first=date(2026, 1, 1), last=date(2026, 12, 31), month=4, month_item=2)
    assert expand(weekend).dates == (date(2026, 5, 2),)


def test_every_second_weekday_skips_weekends():
    rule = Recurrence(type=8, first=date(2026, 3, 5), last=date(2026, 3, 13), period=2)
    # Thu 5, (Fri 6), Mon 9, (Tue 10), Wed 11, (Thu 12), Fri 13
    assert expand(rule).dates == (date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 13))


def test_weekly_on_several_days_counts_each_day_as_an_occurrence():
    # DaysOfWeek 2 + 32 = Monday and Friday; 3 occurrences from Monday 2 March 2026
    rule = Recurrence(type=6, first=date(2026, 3, 2), last=date(2026, 12, 31), occurrences=3, days_of_week=34)
    assert expand(rule).dates == (date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 9))


def test_a_range_starting_before_the_horizon_is_cut_at_the_horizon():
    rule = Recurrence(type=1, first=date(1950, 1, 1), last=date(1984, 1, 3), occurrences=1)
    # a plain range (daily, every day): the occurrence count does not apply
    assert expand(rule) == ((date(1984, 1, 1), date(1984, 1, 2), date(1984, 1, 3)), True)
    inside = Recurrence(type=1, first=date(2026, 5, 1), last=date(2026, 5, 5), occurrences=1)
    assert expand(inside) == (tuple(date(2026, 5, day) for day in range(1, 6)), False)


def test_an_unknown_recurrence_type_is_refused():
    with pytest.raises(ValueError, match="unknown recurrence type 9"):
        expand(Recurrence(type=9, first=date(2026, 1, 1), last=date(2026, 1, 2)))


def test_the_report_aggregates_per_code_and_element_and_grades_severity():
    report = ImportReport()
    report.add(ReportCode.LINK_UNKNOWN_TASK, "Task/PredecessorLink", uid=4, detail="99")
    report.add(ReportCode.LINK_UNKNOWN_TASK, "Task/PredecessorLink", uid=4, detail="98")
    report.add(ReportCode.BLANK_TASK_SKIPPED, "Task", uid=2)
    report.add(ReportCode.UNSUPPORTED_ELEMENT, "Assignment/TimephasedData", uid=1, count=40)
    links, blank, timephased = report.items
    assert (links.uids, links.count, links.detail, links.severity) == ((4,), 2, "99; 98", Severity.WARNING)
    assert (blank.severity, blank.uid) == (Severity.INFO, 2)
    assert timephased.count == 40
    assert [item.code for item in report.warnings] == [
        ReportCode.LINK_UNKNOWN_TASK,
        ReportCode.UNSUPPORTED_ELEMENT,
    ]
    assert len(report) == 3
    assert repr(report) == "ImportReport(3 items, 2 warnings)"


def test_report_details_are_capped_but_counts_and_uids_are_complete():
    report = ImportReport()
    for uid in range(30):
        report.add(ReportCode.DURATION_ROUNDED, "Task", uid=uid, detail=f"{uid}.5 → {uid + 1}")
    item = report.items[0]
    assert (item.count, len(item.uids), len(item.detail.split("; "))) == (30, 30, 20)


@pytest.mark.parametrize("module", ["durations", "model", "reader", "recurrence", "report", "writer"])
def test_docstring_examples(module):
    outcome = doctest.testmod(importlib.import_module(f"clientpm.scheduling.mspdi.{module}"))
    assert outcome.attempted > 0
    assert outcome.failed == 0
