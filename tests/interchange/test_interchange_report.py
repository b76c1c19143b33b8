"""The import summary's vocabulary: every code the engine or the import service can report has a
message, parameters are filled in, an unknown code is still shown, long UID lists are cut with a
count, and every refusal of a whole file has its message."""

from __future__ import annotations

from clientpm.interchange.report import (
    MESSAGES,
    REFUSALS,
    SHOWN_UIDS,
    ImportCode,
    Notes,
    item_message,
    refusal_message,
    summary_items,
)
from clientpm.scheduling.mspdi import MspdiError, MspdiErrorCode, ReportCode


def test_every_code_has_a_message():
    assert {str(code) for code in ReportCode} | {str(code) for code in ImportCode} == set(MESSAGES)
    assert set(MspdiErrorCode) == set(REFUSALS)


def test_parameters_are_filled_in():
    item = {"code": "calendar_kept", "params": {"calendar": "China"}, "count": 1}
    assert item_message(item) == (
        "The project already has tasks, so it keeps its calendar “China”; the file's calendar was not "
        "imported and dates may differ from Microsoft Project's."
    )


def test_an_unknown_code_is_shown_as_it_is():
    assert item_message({"code": "something_new", "count": 3}) == "something_new"


def test_a_message_missing_its_parameter_is_still_shown():
    message = item_message({"code": "baseline_limit", "params": {}})
    assert message.startswith("A project keeps at most %(limit)s baselines")


def test_long_uid_lists_are_cut_with_a_count():
    uids = list(range(1, SHOWN_UIDS + 6))
    (item,) = summary_items([{"code": "manual_task", "uids": uids, "count": len(uids)}])
    assert item["shown_uids"] == uids[:SHOWN_UIDS]
    assert item["more_uids"] == 5


def test_notes_aggregate_by_code_and_element():
    notes = Notes()
    notes.add(ImportCode.TASK_NOTES_NOT_IMPORTED, "Task/Notes", uid=3, detail="Call the customer")
    notes.add(ImportCode.TASK_NOTES_NOT_IMPORTED, "Task/Notes", uid=5, detail="Call the customer")
    notes.add(ImportCode.RESOURCE_MATCHED, "Resource", uid=1, detail="Alice")
    assert notes.items() == [
        {
            "code": "task_notes_not_imported",
            "severity": "warning",
            "element": "Task/Notes",
            "uids": [3, 5],
            "count": 2,
            "detail": "Call the customer",
            "params": {},
        },
        {
            "code": "resource_matched",
            "severity": "info",
            "element": "Resource",
            "uids": [1],
            "count": 1,
            "detail": "Alice",
            "params": {},
        },
    ]


def test_refusals_read_well():
    too_big = MspdiError(MspdiErrorCode.FILE_TOO_LARGE, "", size=30 * 1024 * 1024, limit=20 * 1024 * 1024)
    assert refusal_message(too_big) == "The file is 30.0\xa0MB; files may be at most 20.0\xa0MB."
    not_mspdi = MspdiError(MspdiErrorCode.NOT_MSPDI, "", root="{urn:x}feed")
    assert refusal_message(not_mspdi) == (
        "This is not a Microsoft Project XML file: its root element is {urn:x}feed, not Project."
    )
