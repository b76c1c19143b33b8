"""MSPDI import of hostile, malformed and odd input: refused with a clear error, or imported with
every approximation and skipped row in the report."""

from __future__ import annotations

import io
from datetime import date

import pytest

from clientpm.scheduling.cpm import ConstraintType, DependencyType
from clientpm.scheduling.mspdi import DEFAULT_MAX_BYTES, MspdiError, MspdiErrorCode, ReportCode, read_mspdi
from clientpm.scheduling.mspdi.recurrence import MAX_OCCURRENCES

HEAD = b'<?xml version="1.0"?>\n'
OPEN = b'<Project xmlns="http://schemas.microsoft.com/project">'


def project(body: str, *, properties: str = "<MinutesPerDay>480</MinutesPerDay>") -> bytes:
    return HEAD + OPEN + properties.encode() + body.encode() + b"</Project>"


def task(uid: int, *, level: int = 1, duration: str = "PT8H0M0S", extra: str = "") -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>T{uid}</Name><OutlineLevel>{level}</OutlineLevel>"
        f"<Duration>{duration}</Duration>{extra}</Task>"
    )


def link(predecessor: int, *, kind: int = 1, lag: int = 0, fmt: int = 7, extra: str = "") -> str:
    return (
        f"<PredecessorLink><PredecessorUID>{predecessor}</PredecessorUID><Type>{kind}</Type>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>{fmt}</LagFormat>{extra}</PredecessorLink>"
    )


BILLION_LAUGHS = (
    HEAD
    + b"""<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>"""
    + OPEN
    + b"<Name>&lol9;</Name></Project>"
)

EXTERNAL_ENTITY = (
    HEAD
    + b'<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    + OPEN
    + b"<Name>&secret;</Name></Project>"
)

EXTERNAL_DTD = HEAD + b'<!DOCTYPE Project SYSTEM "http://example.com/evil.dtd">' + OPEN + b"</Project>"


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "entity", "dtd"]
)
def test_dtds_and_entities_are_refused_before_anything_is_expanded(data):
    with pytest.raises(MspdiError) as caught:
        read_mspdi(data)
    assert caught.value.code is MspdiErrorCode.DTD_FORBIDDEN
    assert "document type declaration" in str(caught.value)
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd leaks into the message


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    data = project("<Tasks>" + task(1) + "</Tasks>")
    with pytest.raises(MspdiError) as caught:
        read_mspdi(data, max_bytes=len(data) - 1)
    assert caught.value.code is MspdiErrorCode.FILE_TOO_LARGE
    assert caught.value.params == {"size": len(data), "limit": len(data) - 1}
    assert len(read_mspdi(data, max_bytes=len(data)).project.tasks) == 1  # exactly at the limit is fine
    with pytest.raises(MspdiError, match="limit"):
        read_mspdi(io.BytesIO(data), max_bytes=100)


def test_the_default_limit_is_50_mb_and_a_larger_path_is_refused_from_its_size(tmp_path):
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    path = tmp_path / "huge.xml"
    with open(path, "wb") as stream:  # a sparse file: refused from its size, never read
        stream.truncate(DEFAULT_MAX_BYTES + 1)
    with pytest.raises(MspdiError) as caught:
        read_mspdi(path)
    assert caught.value.code is MspdiErrorCode.FILE_TOO_LARGE
    assert caught.value.params["size"] == DEFAULT_MAX_BYTES + 1


def test_malformed_xml_says_where():
    with pytest.raises(MspdiError) as caught:
        read_mspdi(HEAD + OPEN + b"<Name>unclosed</Project>")
    assert caught.value.code is MspdiErrorCode.MALFORMED_XML
    assert caught.value.params["line"] == 2


@pytest.mark.parametrize(
    ("data", "root"),
    [
        (b"<Workbook><Sheet/></Workbook>", "Workbook"),
        (b'<Project xmlns="http://example.com/other"/>', "{http://example.com/other}Project"),
    ],
)
def test_a_document_that_is_not_mspdi_is_refused(data, root):
    with pytest.raises(MspdiError) as caught:
        read_mspdi(data)
    assert (caught.value.code, caught.value.params) == (MspdiErrorCode.NOT_MSPDI, {"root": root})


def test_a_recurrence_bomb_is_cut_at_the_occurrence_limit_and_reported():
    exception = (
        "<Exception><EnteredByOccurrences>1</EnteredByOccurrences><TimePeriod>"
        "<FromDate>1990-01-01T00:00:00</FromDate><ToDate>2100-01-01T23:59:00</ToDate></TimePeriod>"
        "<Occurrences>1000000000</Occurrences><Name>Bomb</Name><Type>7</Type><Period>2</Period>"
        "<DayWorking>0</DayWorking></Exception>"
    )
    calendar = f"<Calendars><Calendar><UID>1</UID><Name>C</Name><IsBaseCalendar>1</IsBaseCalendar><Exceptions>{exception}</Exceptions></Calendar></Calendars>"
    imported, report = read_mspdi(project(calendar))
    dates = imported.calendars[0].exceptions[0].dates
    # every 2nd day from 1990-01-01, stopped after MAX_OCCURRENCES (10,000) occurrences
    assert len(dates) == MAX_OCCURRENCES
    assert dates[-1] == date(1990, 1, 1) + (MAX_OCCURRENCES - 1) * (date(1990, 1, 3) - date(1990, 1, 1))
    assert report.find(ReportCode.CALENDAR_EXCEPTION_TRUNCATED)[0].detail == "Bomb"


def test_an_exception_beyond_the_horizon_is_clipped_and_reported():
    legacy = (
        "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>"
        "<FromDate>2149-12-30T00:00:00</FromDate><ToDate>2150-01-05T23:59:00</ToDate></TimePeriod></WeekDay>"
    )
    calendar = (
        f"<Calendars><Calendar><UID>1</UID><Name>C</Name><WeekDays>{legacy}</WeekDays></Calendar></Calendars>"
    )
    imported, report = read_mspdi(project(calendar))
    assert imported.calendars[0].exceptions[0].dates == (date(2149, 12, 30), date(2149, 12, 31))
    assert report.find(ReportCode.CALENDAR_EXCEPTION_TRUNCATED)


def test_bad_values_fall_back_to_defaults_and_are_reported():
    body = (
        "<Tasks>"
        + task(1, duration="eight hours", extra="<PercentComplete>150</PercentComplete><Start>soon</Start>")
        + "<Task><UID>x</UID></Task></Tasks>"
    )
    imported, report = read_mspdi(project(body))
    only = imported.tasks[0]
    assert (only.working_days, only.percent_complete, only.start) == (0, 100, None)
    invalid = {(item.element, item.detail) for item in report.find(ReportCode.INVALID_VALUE)}
    assert {
        ("Task/Duration", "eight hours"),
        ("Task/PercentComplete", "150"),
        ("Task/Start", "soon"),
        ("Task/UID", "x"),
    } <= invalid


def test_links_that_cannot_be_imported_are_reported():
    body = (
        "<Tasks>"
        + task(1)
        + task(2, extra=link(1) + link(1, kind=3) + link(99) + link(2))
        + task(
            3,
            extra=link(1, kind=7)
            + link(
                5, extra="<CrossProject>1</CrossProject><CrossProjectName>other.mpp\\5</CrossProjectName>"
            ),
        )
        + "</Tasks>"
    )
    imported, report = read_mspdi(project(body))
    assert [(item.predecessor_uid, item.successor_uid, item.type) for item in imported.links] == [
        (1, 2, DependencyType.FS),
        (1, 3, DependencyType.FS),  # unknown type 7 → finish-to-start
    ]
    assert report.find(ReportCode.LINK_DUPLICATE)[0].uids == (2,)
    assert report.find(ReportCode.LINK_UNKNOWN_TASK)[0].detail == "99"
    assert report.find(ReportCode.LINK_SELF)[0].uids == (2,)
    assert report.find(ReportCode.LINK_TYPE_UNKNOWN)[0].detail == "7"
    assert report.find(ReportCode.LINK_CROSS_PROJECT)[0].detail == "other.mpp\\5"


def test_lags_in_fractions_elapsed_time_and_percent_are_approximated_and_reported():
    body = (
        "<Tasks>"
        + task(1, duration="PT32H0M0S")  # 4 days
        + task(2, extra=link(1, lag=2400))  # 240 min = 0.5 day → 1 (halves away from zero)
        + task(3, extra=link(1, lag=14400, fmt=8))  # 1440 min = 1 elapsed day ≈ 5/7 day → 1
        + task(4, extra=link(1, lag=50, fmt=19))  # 50 % of the 4-day predecessor = 2 days
        + task(5, extra=link(1, lag=-2400))  # −0.5 day → −1 (a lead stays a lead)
        + "</Tasks>"
    )
    imported, report = read_mspdi(project(body))
    assert [(item.successor_uid, item.lag_days) for item in imported.links] == [
        (2, 1),
        (3, 1),
        (4, 2),
        (5, -1),
    ]
    assert report.find(ReportCode.LAG_ROUNDED)[0].uids == (2, 5)
    assert report.find(ReportCode.LAG_ELAPSED)[0].detail == "1→3: 0.714286 → 1"
    assert report.find(ReportCode.LAG_PERCENT)[0].uids == (4,)


def test_constraints_without_dates_or_with_unknown_codes_become_asap():
    body = (
        "<Tasks>"
        + task(1, extra="<ConstraintType>4</ConstraintType>")
        + task(2, extra="<ConstraintType>12</ConstraintType>")
        + task(
            3, extra="<ConstraintType>0</ConstraintType><ConstraintDate>2026-03-02T08:00:00</ConstraintDate>"
        )
        + task(
            4, extra="<ConstraintType>7</ConstraintType><ConstraintDate>2026-03-06T17:00:00</ConstraintDate>"
        )
        + "</Tasks>"
    )
    imported, report = read_mspdi(project(body))
    assert [(t.constraint, t.constraint_date is None) for t in imported.tasks] == [
        (ConstraintType.ASAP, True),
        (ConstraintType.ASAP, True),
        (ConstraintType.ASAP, True),
        (ConstraintType.FNLT, False),  # MSPDI 7 = finish no later than
    ]
    assert report.find(ReportCode.CONSTRAINT_DATE_MISSING)[0].detail == "SNET"
    assert report.find(ReportCode.CONSTRAINT_UNKNOWN)[0].detail == "12"
    assert report.find(ReportCode.CONSTRAINT_DATE_IGNORED)[0].uids == (3,)


def test_outline_gaps_duplicates_and_wrong_summary_flags_are_reported():
    body = (
        "<Tasks>"
        + task(1, extra="<Summary>0</Summary>")
        + task(2, level=3)
        + task(2, level=1)
        + task(3, level=1, extra="<Summary>1</Summary>")
        + "</Tasks>"
    )
    imported, report = read_mspdi(project(body))
    assert [(t.uid, t.parent_uid, t.summary) for t in imported.tasks] == [
        (1, None, True),
        (2, 1, False),
        (3, None, False),
    ]
    assert report.find(ReportCode.OUTLINE_LEVEL_GAP)[0].detail == "3 > 2"
    assert report.find(ReportCode.DUPLICATE_UID)[0].uids == (2,)
    assert report.find(ReportCode.SUMMARY_FLAG_MISMATCH)[0].uids == (1, 3)


def test_assignments_to_missing_tasks_or_resources_are_skipped_and_reported():
    body = (
        "<Tasks>"
        + task(1)
        + "</Tasks><Resources><Resource><UID>1</UID><Name>Ann</Name><Type>1</Type></Resource></Resources>"
        "<Assignments>"
        "<Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>0.5</Units></Assignment>"
        "<Assignment><UID>2</UID><TaskUID>9</TaskUID><ResourceUID>1</ResourceUID></Assignment>"
        "<Assignment><UID>3</UID><TaskUID>1</TaskUID><ResourceUID>7</ResourceUID></Assignment>"
        "<Assignment><UID>4</UID><TaskUID>1</TaskUID><ResourceUID>-65535</ResourceUID></Assignment>"
        "</Assignments>"
    )
    imported, report = read_mspdi(project(body))
    assert [(a.uid, a.units) for a in imported.assignments] == [(1, 0.5)]
    assert report.find(ReportCode.ASSIGNMENT_UNKNOWN_TASK)[0].uids == (2,)
    assert report.find(ReportCode.ASSIGNMENT_UNKNOWN_RESOURCE)[0].uids == (3,)
    assert report.find(ReportCode.ASSIGNMENT_WITHOUT_RESOURCE)[0].uids == (4,)


def test_calendar_problems_are_reported_and_monday_to_friday_used():
    calendars = (
        "<Calendars>"
        "<Calendar><UID>1</UID><Name>Never</Name><IsBaseCalendar>1</IsBaseCalendar><WeekDays>"
        + "".join(
            f"<WeekDay><DayType>{day}</DayType><DayWorking>0</DayWorking></WeekDay>" for day in range(1, 8)
        )
        + "</WeekDays></Calendar>"
        "<Calendar><UID>2</UID><Name>Orphan</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>9</BaseCalendarUID></Calendar>"
        "</Calendars>"
    )
    imported, report = read_mspdi(
        project(calendars + "<Tasks>" + task(1, extra="<CalendarUID>5</CalendarUID>") + "</Tasks>")
    )
    assert [calendar.weekmask for calendar in imported.calendars] == ["1111100", "1111100"]
    assert report.find(ReportCode.CALENDAR_NO_WORKING_DAYS)[0].uids == (1,)
    assert report.find(ReportCode.CALENDAR_BASE_MISSING)[0].detail == "9"
    assert report.find(ReportCode.CALENDAR_UNKNOWN, "Task/CalendarUID")[0].detail == "5"
    assert imported.tasks[0].calendar_uid is None


def test_work_weeks_become_dated_exceptions():
    week = (
        "<WorkWeeks><WorkWeek><TimePeriod><FromDate>2026-03-02T00:00:00</FromDate>"
        "<ToDate>2026-03-15T23:59:00</ToDate></TimePeriod><Name>Sprint</Name><WeekDays>"
        "<WeekDay><DayType>7</DayType><DayWorking>1</DayWorking></WeekDay>"
        "<WeekDay><DayType>6</DayType><DayWorking>0</DayWorking></WeekDay>"
        "</WeekDays></WorkWeek></WorkWeeks>"
    )
    calendars = f"<Calendars><Calendar><UID>1</UID><Name>C</Name><IsBaseCalendar>1</IsBaseCalendar>{week}</Calendar></Calendars>"
    imported, report = read_mspdi(project(calendars))
    calendar = imported.calendars[0]
    # 2–15 March 2026: Saturdays 7 and 14 worked, Fridays 6 and 13 off
    assert calendar.extra_working_days == (date(2026, 3, 7), date(2026, 3, 14))
    assert calendar.holidays == (date(2026, 3, 6), date(2026, 3, 13))
    assert report.find(ReportCode.CALENDAR_WORK_WEEK_EXPANDED)[0].detail == "Sprint: 2026-03-02…2026-03-15"


def test_a_project_scheduled_from_its_finish_is_reported():
    _, report = read_mspdi(project("", properties="<ScheduleFromStart>0</ScheduleFromStart>"))
    assert report.find(ReportCode.SCHEDULED_FROM_FINISH)


def test_ambiguous_iso_units_and_unknown_elements_are_reported():
    body = (
        "<Tasks>"
        + task(1, duration="P1DT0H", extra="<Hyperlink>spec</Hyperlink><Frobnicate>7</Frobnicate>")
        + "</Tasks>"
    )
    imported, report = read_mspdi(project(body))
    assert imported.tasks[0].duration_minutes == 1440.0  # read as one calendar day of 24 h
    assert report.find(ReportCode.AMBIGUOUS_DURATION_UNITS)[0].detail == "P1DT0H"
    assert {item.element for item in report.find(ReportCode.UNSUPPORTED_ELEMENT)} == {
        "Task/Hyperlink",
        "Task/Frobnicate",
    }
