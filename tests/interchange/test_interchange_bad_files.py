"""Hostile, malformed, oversized and unschedulable files: refused with a clear message on the file
field, and — whatever step fails — nothing is left behind (one transaction)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clientpm.core.models import ChangeRecord
from clientpm.customers.models import Customer
from clientpm.interchange.models import PlanImport
from clientpm.interchange.services import people, plan_import
from clientpm.projects.models import Baseline, Project, Task, TaskDependency, WorkCalendar
from clientpm.resources.models import Assignment, Resource

HEAD = b'<?xml version="1.0"?>\n'
OPEN = b'<Project xmlns="http://schemas.microsoft.com/project">'

BILLION_LAUGHS = (
    HEAD
    + b"""<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>"""
    + OPEN
    + b"<Name>&lol3;</Name></Project>"
)
EXTERNAL_ENTITY = (
    HEAD
    + b'<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    + OPEN
    + b"<Name>&secret;</Name></Project>"
)


def task(uid: int, name: str, predecessor: int | None = None) -> str:
    link = (
        f"<PredecessorLink><PredecessorUID>{predecessor}</PredecessorUID><Type>1</Type>"
        "<LinkLag>0</LinkLag><LagFormat>7</LagFormat></PredecessorLink>"
        if predecessor
        else ""
    )
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>1</OutlineLevel>"
        f"<Duration>PT8H0M0S</Duration>{link}</Task>"
    )


CALENDAR = (
    "<Calendars><Calendar><UID>1</UID><Name>Site</Name><IsBaseCalendar>1</IsBaseCalendar>"
    "<Exceptions><Exception><TimePeriod><FromDate>2026-03-04T00:00:00</FromDate>"
    "<ToDate>2026-03-04T23:59:00</ToDate></TimePeriod><Name>Inventory</Name><Type>1</Type>"
    "<DayWorking>0</DayWorking></Exception></Exceptions></Calendar></Calendars>"
)
RESOURCES = (
    "<Resources><Resource><UID>1</UID><Name>Welder</Name><Type>1</Type></Resource></Resources>"
    "<Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID>"
    "<Units>1</Units></Assignment></Assignments>"
)


def plan(tasks: str) -> bytes:
    """A plan starting Monday 2 March 2026 on a calendar with one holiday, one resource assigned."""
    return (
        HEAD
        + OPEN
        + b"<Name>Plant</Name><StartDate>2026-03-02T08:00:00</StartDate><CalendarUID>1</CalendarUID>"
        + b"<MinutesPerDay>480</MinutesPerDay>"
        + CALENDAR.encode()
        + f"<Tasks>{tasks}</Tasks>".encode()
        + RESOURCES.encode()
        + b"</Project>"
    )


CYCLE = plan(task(1, "Weld", predecessor=2) + task(2, "Paint", predecessor=1))
GOOD = plan(task(1, "Weld") + task(2, "Paint", predecessor=1))


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Project,
            Task,
            TaskDependency,
            WorkCalendar,
            Resource,
            Assignment,
            Baseline,
            PlanImport,
            ChangeRecord,
        )
    )


def refusal(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.message_dict["file"])


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entities_are_refused_before_anything_is_expanded(pm, customer, upload, data):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("evil.xml", data), customer=customer)
    assert "document type declaration (DTD)" in refusal(caught)
    assert "root:" not in refusal(caught)  # nothing of /etc/passwd
    assert counts() == before


def test_malformed_xml_names_the_line_and_column(pm, customer, upload):
    data = HEAD + OPEN + b"<Name>Broken</Name>\n<Tasks><Task></Tasks></Project>"
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("broken.xml", data), customer=customer)
    # line 3 is "<Tasks><Task></Tasks>…": expat stops right after the "</" of the mismatched </Tasks>,
    # 13 + 2 = column 15
    assert refusal(caught) == (
        "The file is not well-formed XML (line 3, column 15). Save it from Microsoft Project again as an XML file."
    )


def test_another_xml_document_is_not_a_project_file(pm, customer, upload):
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("feed.xml", HEAD + b"<rss><channel/></rss>"), customer=customer)
    assert (
        refusal(caught) == "This is not a Microsoft Project XML file: its root element is rss, not Project."
    )


def test_a_binary_mpp_file_is_told_to_be_saved_as_xml(pm, customer, upload):
    data = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)  # an OLE2 compound document's header block
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("plan.mpp", data), customer=customer)
    assert refusal(caught).startswith("This is a binary Microsoft Project file (.mpp).")


def test_an_empty_file_is_refused(pm, customer, upload):
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("empty.xml", b""), customer=customer)
    assert refusal(caught) == "The file is empty."


def test_a_file_over_the_limit_is_refused_before_reading(pm, customer, upload, settings):
    settings.CLIENTPM_IMPORT_MAX_BYTES = 2048
    data = GOOD + b" " * (2049 - len(GOOD))  # one byte over
    before = counts()
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("big.xml", data), customer=customer)
    assert refusal(caught) == "The file is 2.0\xa0KB; files may be at most 2.0\xa0KB."
    assert counts() == before
    assert plan_import(actor=pm, source=upload("ok.xml", GOOD[:2048]), customer=customer).counts["tasks"] == 2


def test_a_plan_in_a_circle_is_refused_and_nothing_is_left(pm, customer, upload):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("cycle.xml", CYCLE), customer=customer)
    assert refusal(caught) == (
        "The plan in this file cannot be scheduled: These tasks depend on each other in a circle: "
        "1 Weld → 2 Paint → 1 Weld."
    )
    # the project, its calendar (a holiday on 4 March), the resource, tasks and links were all
    # written before the re-schedule found the circle: every one of them is gone
    assert counts() == before


def test_a_failure_in_a_later_step_leaves_nothing(pm, customer, upload, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("clientpm.interchange.services.imports.create_assignments", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        plan_import(actor=pm, source=upload("plant.xml", GOOD), customer=customer)
    assert counts() == before
    monkeypatch.undo()
    result = plan_import(actor=pm, source=upload("plant.xml", GOOD), customer=customer)
    # the same file imports once the step works: 2 tasks, 1 link, the Site calendar, the welder
    assert (result.counts["tasks"], result.counts["dependencies"], result.counts["calendars"]) == (2, 1, 1)
    assert (result.counts["resources"], result.counts["assignments"]) == (1, 1)
    assert result.project.calendar.holidays == ["2026-03-04"]


def test_a_duplicate_resource_name_in_the_file_is_one_resource(pm, customer, upload):
    tasks = task(1, "Weld")
    data = plan(tasks).replace(
        b"</Resources>", b"<Resource><UID>2</UID><Name>WELDER</Name><Type>1</Type></Resource></Resources>"
    )
    result = plan_import(actor=pm, source=upload("plant.xml", data), customer=customer)
    assert Resource.objects.count() == 1
    duplicate = next(item for item in result.report if item["code"] == "resource_duplicate_name")
    assert duplicate["uids"] == [2]


def test_nothing_is_committed_when_the_project_cannot_be_created(pm, customer, upload):
    Customer.objects.filter(pk=customer.pk).update(is_archived=True)
    customer.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        plan_import(actor=pm, source=upload("plant.xml", GOOD), customer=customer)
    assert caught.value.message_dict == {"customer": ["The customer is archived; restore it first."]}
    assert counts() == before


def test_resource_step_is_the_people_module(pm, customer, upload, monkeypatch):
    """The resources step runs inside the same transaction as the tasks: a failure there undoes them."""

    def broken(*args, **kwargs):
        raise RuntimeError("resources down")

    monkeypatch.setattr(people.Resource.objects, "bulk_create", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        plan_import(actor=pm, source=upload("plant.xml", GOOD), customer=customer)
    assert counts() == before
