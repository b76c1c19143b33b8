"""The import summary's vocabulary: every report code, the engine's and this app's, as a message in
the reader's language, and the refusals of a whole file.

The engine (``clientpm.scheduling.mspdi``) cannot translate, so its :class:`ReportItem` carries a
code; the import service adds its own codes (:class:`ImportCode`) for what the file holds that
clientpm's models cannot take (task notes, material resources, an eleventh baseline…). Items are
stored as plain dicts (``code``, ``severity``, ``element``, ``uids``, ``count``, ``detail``,
``params``) and translated only when shown, so each reader sees them in their own language. A code
without a message is still shown (as its code): nothing is ever hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientpm.scheduling.mspdi import MspdiError, MspdiErrorCode, ReportCode, ReportItem

SHOWN_UIDS = 30
"""The summary lists this many UIDs of an item, then says how many more there are."""


class ImportCode(StrEnum):
    """What the import service could not carry into clientpm's models (the engine read it fine)."""

    TASK_NOTES_NOT_IMPORTED = "task_notes_not_imported"
    PROJECT_NOTES_NOT_IMPORTED = "project_notes_not_imported"
    TASK_NAME_MISSING = "task_name_missing"
    NAME_TRUNCATED = "name_truncated"
    WBS_RENUMBERED = "wbs_renumbered"
    TASK_CALENDAR_IGNORED = "task_calendar_ignored"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    ACTUAL_DATE_IN_FUTURE = "actual_date_in_future"
    ACTUAL_DATES_INCONSISTENT = "actual_dates_inconsistent"
    SUMMARY_PROGRESS_ROLLED_UP = "summary_progress_rolled_up"
    LINK_TO_OWN_SUMMARY = "link_to_own_summary"
    LINK_INTO_SUMMARY_BY_FINISH = "link_into_summary_by_finish"
    CALENDAR_DEFAULT = "calendar_default"
    CALENDAR_KEPT = "calendar_kept"
    CALENDAR_NOT_IMPORTED = "calendar_not_imported"
    PROJECT_START_KEPT = "project_start_kept"
    STATUS_DATE_KEPT = "status_date_kept"
    RESOURCE_KIND_UNSUPPORTED = "resource_kind_unsupported"
    RESOURCE_MATCHED = "resource_matched"
    RESOURCE_INACTIVE = "resource_inactive"
    RESOURCE_NOT_PERMITTED = "resource_not_permitted"
    RESOURCE_CAPACITY_INVALID = "resource_capacity_invalid"
    RESOURCE_FIELD_NOT_IMPORTED = "resource_field_not_imported"
    RESOURCE_DUPLICATE_NAME = "resource_duplicate_name"
    ASSIGNMENT_RESOURCE_NOT_IMPORTED = "assignment_resource_not_imported"
    ASSIGNMENT_ON_SUMMARY = "assignment_on_summary"
    ASSIGNMENT_DUPLICATE = "assignment_duplicate"
    ASSIGNMENT_UNITS_CAPPED = "assignment_units_capped"
    ASSIGNMENT_UNITS_INVALID = "assignment_units_invalid"
    ASSIGNMENT_NOT_PERMITTED = "assignment_not_permitted"
    ASSIGNMENT_WORK_RECALCULATED = "assignment_work_recalculated"
    BASELINE_LIMIT = "baseline_limit"
    BASELINE_RENAMED = "baseline_renamed"


_INFO = frozenset(
    {
        ImportCode.WBS_RENUMBERED,
        ImportCode.SUMMARY_PROGRESS_ROLLED_UP,
        ImportCode.PROJECT_START_KEPT,
        ImportCode.STATUS_DATE_KEPT,
        ImportCode.RESOURCE_MATCHED,
        ImportCode.ASSIGNMENT_WORK_RECALCULATED,
        ImportCode.BASELINE_RENAMED,
    }
)

MESSAGES: Mapping[str, Promise] = {
    # The engine's codes (clientpm.scheduling.mspdi.report.ReportCode)
    ReportCode.UNSUPPORTED_ELEMENT: _(
        "This value has no place in clientpm and was not imported (hyperlinks, custom fields, cost "
        "rates, timephased data, splits…)."
    ),
    ReportCode.RECALCULATED_IGNORED: _(
        "Values Microsoft Project calculates (early and late dates, slack, costs, work totals, "
        "variances…) were not imported: clientpm recalculates them from the imported plan."
    ),
    ReportCode.SETTING_IGNORED: _(
        "Microsoft Project options with no equivalent in clientpm were not imported."
    ),
    ReportCode.INVALID_VALUE: _("A value could not be read; its default was used."),
    ReportCode.PROJECT_SUMMARY_SKIPPED: _(
        "The project summary row (task 0) was not imported: in clientpm the project itself plays that role."
    ),
    ReportCode.BLANK_TASK_SKIPPED: _("Blank task rows were skipped."),
    ReportCode.DUPLICATE_UID: _("Another element has the same UID; only the first one was imported."),
    ReportCode.OUTLINE_LEVEL_GAP: _(
        "The outline level jumps by more than one; the task was placed under the nearest task above it."
    ),
    ReportCode.SUMMARY_FLAG_MISMATCH: _(
        "The summary flag disagrees with the outline; clientpm follows the outline."
    ),
    ReportCode.MANUAL_TASK: _(
        "Manually scheduled in Microsoft Project; clientpm schedules every task automatically, so "
        "these dates may differ."
    ),
    ReportCode.INACTIVE_TASK: _(
        "Inactive in Microsoft Project; imported as ordinary tasks that count in the schedule."
    ),
    ReportCode.DURATION_ROUNDED: _(
        "The duration is not a whole number of working days; it was rounded up (the detail gives the exact days)."
    ),
    ReportCode.ELAPSED_DURATION: _(
        "The duration is in elapsed (calendar) time; it was converted to working days from the "
        "task's start, which is an approximation."
    ),
    ReportCode.ESTIMATED_DURATION: _(
        "The duration is marked as an estimate in Microsoft Project; it was imported as a plain duration."
    ),
    ReportCode.AMBIGUOUS_DURATION_UNITS: _(
        "The duration is given in years, months, weeks or days; it was read as calendar time."
    ),
    ReportCode.MILESTONE_WITH_DURATION: _(
        "Marked as a milestone but has a duration: imported as a task of that duration (in clientpm "
        "a milestone is a task of 0 days)."
    ),
    ReportCode.CONSTRAINT_UNKNOWN: _("Unknown constraint type; imported as “as soon as possible”."),
    ReportCode.CONSTRAINT_DATE_MISSING: _(
        "The constraint needs a date and has none; imported as “as soon as possible”."
    ),
    ReportCode.CONSTRAINT_DATE_IGNORED: _(
        "A constraint date on an “as soon/late as possible” task means nothing and was dropped."
    ),
    ReportCode.LINK_UNKNOWN_TASK: _(
        "A dependency on a task that is not in the file (or is blank, or is the project summary) was not imported."
    ),
    ReportCode.LINK_CROSS_PROJECT: _("A dependency on a task of another project was not imported."),
    ReportCode.LINK_DUPLICATE: _("A second dependency between the same two tasks was not imported."),
    ReportCode.LINK_SELF: _("A task linked to itself; that dependency was not imported."),
    ReportCode.LINK_TYPE_UNKNOWN: _("Unknown dependency type; imported as finish-to-start."),
    ReportCode.LAG_ROUNDED: _(
        "The lag is not a whole number of working days; it was rounded (the detail gives the exact days)."
    ),
    ReportCode.LAG_ELAPSED: _(
        "The lag is in elapsed time; it was converted to working days by the share of working days "
        "in a week, which is an approximation."
    ),
    ReportCode.LAG_PERCENT: _(
        "The lag is a percentage of the predecessor's duration; it was converted to working days."
    ),
    ReportCode.LAG_FORMAT_UNKNOWN: _("Unknown lag format; the lag was read as working time."),
    ReportCode.CALENDAR_BASE_MISSING: _(
        "The calendar's base calendar is not in the file; Monday to Friday was used instead."
    ),
    ReportCode.CALENDAR_NO_WORKING_DAYS: _(
        "The calendar has no working weekday; Monday to Friday was used instead."
    ),
    ReportCode.CALENDAR_UNKNOWN: _(
        "Refers to a calendar that is not in the file; the reference was ignored."
    ),
    ReportCode.CALENDAR_HOURS_IGNORED: _(
        "Working hours differ from a full day; clientpm plans in whole working days, so only "
        "working and non-working days were kept."
    ),
    ReportCode.CALENDAR_EXCEPTION_TRUNCATED: _(
        "A (recurring) calendar exception reaches beyond the supported dates or number of "
        "occurrences; only the dates inside were imported."
    ),
    ReportCode.CALENDAR_EXCEPTION_INVALID: _(
        "A calendar exception without usable dates or with an unknown recurrence was skipped."
    ),
    ReportCode.CALENDAR_RECURRENCE_EXPANDED: _("A recurring calendar exception was expanded into its dates."),
    ReportCode.CALENDAR_LEGACY_EXCEPTIONS_SUPERSEDED: _(
        "Old-style calendar exceptions repeat the newer ones; only the newer ones were read, as "
        "Microsoft Project does."
    ),
    ReportCode.CALENDAR_WORK_WEEK_EXPANDED: _(
        "A work week (a working pattern for a date range) became dated exceptions."
    ),
    ReportCode.BLANK_RESOURCE_SKIPPED: _("Microsoft Project's blank resource rows were skipped."),
    ReportCode.RESOURCE_TYPE_UNKNOWN: _("Unknown resource type; imported as a work resource."),
    ReportCode.ASSIGNMENT_WITHOUT_RESOURCE: _(
        "Microsoft Project's placeholder assignments of tasks to no resource were skipped."
    ),
    ReportCode.ASSIGNMENT_UNKNOWN_TASK: _("An assignment to a task that is not in the file was skipped."),
    ReportCode.ASSIGNMENT_UNKNOWN_RESOURCE: _(
        "An assignment of a resource that is not in the file was skipped."
    ),
    ReportCode.BASELINE_NUMBER_INVALID: _("A baseline number outside 0–10 was skipped."),
    ReportCode.SCHEDULED_FROM_FINISH: _(
        "The project is scheduled back from its finish date; clientpm schedules from the start, so dates may differ."
    ),
    # The import service's codes
    ImportCode.TASK_NOTES_NOT_IMPORTED: _(
        "Task notes were not imported: clientpm tasks have no notes (the detail shows the beginning of each)."
    ),
    ImportCode.PROJECT_NOTES_NOT_IMPORTED: _(
        "The project's notes were not imported: the existing project keeps its own description."
    ),
    ImportCode.TASK_NAME_MISSING: _("Tasks without a name were named “Task <UID>”."),
    ImportCode.NAME_TRUNCATED: _("A name longer than clientpm allows was shortened."),
    ImportCode.WBS_RENUMBERED: _(
        "Custom WBS codes were replaced by clientpm's outline numbering (the detail shows the file's codes)."
    ),
    ImportCode.TASK_CALENDAR_IGNORED: _(
        "Tasks with their own calendar follow the project's calendar in clientpm, so their dates may differ."
    ),
    ImportCode.VALUE_OUT_OF_RANGE: _(
        "A value beyond what clientpm stores was limited (the detail gives the value)."
    ),
    ImportCode.ACTUAL_DATE_IN_FUTURE: _("An actual date in the future was not imported."),
    ImportCode.ACTUAL_DATES_INCONSISTENT: _(
        "The actual finish is before the actual start; the actual start was set to the actual finish."
    ),
    ImportCode.SUMMARY_PROGRESS_ROLLED_UP: _(
        "The progress of summary tasks is recalculated from their subtasks, as in Microsoft Project."
    ),
    ImportCode.LINK_TO_OWN_SUMMARY: _(
        "A dependency between a task and its own summary task cannot be scheduled; it was not imported."
    ),
    ImportCode.LINK_INTO_SUMMARY_BY_FINISH: _(
        "A summary task can follow only by its start (finish-to-start or start-to-start); this "
        "finish-to-finish or start-to-finish dependency was not imported."
    ),
    ImportCode.CALENDAR_DEFAULT: _(
        "The file has no project calendar; the plan uses the Monday-to-Friday calendar."
    ),
    ImportCode.CALENDAR_KEPT: _(
        "The project already has tasks, so it keeps its calendar “%(calendar)s”; the file's "
        "calendar was not imported and dates may differ from Microsoft Project's."
    ),
    ImportCode.CALENDAR_NOT_IMPORTED: _(
        "Only the project calendar is imported; resource and other calendars were not (clientpm "
        "resources have no calendar of their own)."
    ),
    ImportCode.PROJECT_START_KEPT: _(
        "The tasks are scheduled from the project's start, %(project_start)s, not from the file's, %(file_start)s."
    ),
    ImportCode.STATUS_DATE_KEPT: _(
        "The project keeps its own status date; the file's status date, %(file_date)s, was not imported."
    ),
    ImportCode.RESOURCE_KIND_UNSUPPORTED: _(
        "Material and cost resources are not supported (only people, teams and equipment with a "
        "daily capacity); they and their assignments were not imported."
    ),
    ImportCode.RESOURCE_MATCHED: _(
        "A resource with the same name exists in clientpm; it was used as it is (its capacity was not changed)."
    ),
    ImportCode.RESOURCE_INACTIVE: _(
        "The resource with this name in clientpm is inactive; its assignments were not imported."
    ),
    ImportCode.RESOURCE_NOT_PERMITTED: _(
        "You may not add resources, so resources not yet in clientpm and their assignments were not imported."
    ),
    ImportCode.RESOURCE_CAPACITY_INVALID: _(
        "The resource's maximum units are not above 0; it was given a capacity of 1 unit per working day."
    ),
    ImportCode.RESOURCE_FIELD_NOT_IMPORTED: _(
        "clientpm resources have no such field (initials, group, e-mail address, calendar); it was not imported."
    ),
    ImportCode.RESOURCE_DUPLICATE_NAME: _(
        "Several resources of the file have the same name; they became one clientpm resource."
    ),
    ImportCode.ASSIGNMENT_RESOURCE_NOT_IMPORTED: _(
        "Assignments of resources that were not imported were skipped."
    ),
    ImportCode.ASSIGNMENT_ON_SUMMARY: _(
        "A summary task takes its work from its subtasks; assignments to summary tasks were skipped."
    ),
    ImportCode.ASSIGNMENT_DUPLICATE: _(
        "A second assignment of the same resource to the same task was skipped."
    ),
    ImportCode.ASSIGNMENT_UNITS_CAPPED: _(
        "The assignment needs more units than the resource's capacity; it was limited to the capacity "
        "(the detail gives file units → imported units)."
    ),
    ImportCode.ASSIGNMENT_UNITS_INVALID: _("An assignment of less than 0.01 units was skipped."),
    ImportCode.ASSIGNMENT_NOT_PERMITTED: _(
        "You may not assign resources, so the assignments were not imported."
    ),
    ImportCode.ASSIGNMENT_WORK_RECALCULATED: _(
        "clientpm keeps an assignment's units per working day; its work follows from the task's duration."
    ),
    ImportCode.BASELINE_LIMIT: _(
        "A project keeps at most %(limit)s baselines; these baselines of the file were not imported "
        "(the detail gives their numbers)."
    ),
    ImportCode.BASELINE_RENAMED: _(
        "The project already has a baseline with that name; the file's was saved under another name (see the detail)."
    ),
}

REFUSALS: Mapping[str, Promise] = {
    MspdiErrorCode.FILE_TOO_LARGE: _("The file is %(size)s; files may be at most %(limit)s."),
    MspdiErrorCode.DTD_FORBIDDEN: _(
        "The file contains a document type declaration (DTD) or entity declarations. Microsoft "
        "Project files never need them and they can carry attacks, so the file was refused."
    ),
    MspdiErrorCode.MALFORMED_XML: _(
        "The file is not well-formed XML (line %(line)s, column %(column)s). Save it from Microsoft "
        "Project again as an XML file."
    ),
    MspdiErrorCode.NOT_MSPDI: _(
        "This is not a Microsoft Project XML file: its root element is %(root)s, not Project."
    ),
}


def severity_of(code: str) -> str:
    """``info`` for the service codes about nothing the plan depends on, else ``warning``."""
    return "info" if code in _INFO else "warning"


def item_data(item: ReportItem) -> dict[str, Any]:
    """An engine report item as the plain dict stored with the import."""
    return {
        "code": str(item.code),
        "severity": str(item.severity),
        "element": item.element,
        "uids": list(item.uids),
        "count": item.count,
        "detail": item.detail,
        "params": dict(item.params),
    }


def item_message(item: Mapping[str, Any]) -> str:
    """The item's message in the active language, its parameters filled in."""
    template = MESSAGES.get(item.get("code", ""))
    if template is None:
        return str(item.get("code", ""))
    params = {"count": item.get("count", 1), "element": item.get("element", ""), **item.get("params", {})}
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def summary_items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored items ready to show: the message, the first ``SHOWN_UIDS`` UIDs and how many more."""
    out = []
    for item in items:
        uids = list(item.get("uids", []))
        out.append(
            {
                **item,
                "message": item_message(item),
                "shown_uids": uids[:SHOWN_UIDS],
                "more_uids": max(0, len(uids) - SHOWN_UIDS),
            }
        )
    return out


def refusal_message(error: MspdiError) -> str:
    """Why the whole file was refused, in the active language."""
    template = REFUSALS.get(error.code)
    if template is None:
        return gettext("The file cannot be imported.")
    params: dict[str, Any] = dict(error.params)
    if error.code is MspdiErrorCode.FILE_TOO_LARGE:
        params = {
            "size": filesizeformat(params.get("size", 0)),
            "limit": filesizeformat(params.get("limit", 0)),
        }
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


class Notes:
    """The import service's own report items, aggregated like the engine's: one item per
    ``(code, element)`` with every UID, the number of occurrences and up to 20 distinct details."""

    MAX_DETAILS = 20

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], dict[str, Any]] = {}

    def add(
        self,
        code: ImportCode,
        element: str,
        *,
        uid: int | None = None,
        detail: str = "",
        count: int = 1,
        **params: Any,
    ) -> None:
        key = (str(code), element)
        item = self._items.get(key)
        if item is None:
            item = {
                "code": str(code),
                "severity": severity_of(code),
                "element": element,
                "uids": [],
                "count": 0,
                "details": [],
                "params": params,
            }
            self._items[key] = item
        if uid is not None and uid not in item["uids"]:
            item["uids"].append(uid)
        item["count"] += count
        if detail and detail not in item["details"] and len(item["details"]) < self.MAX_DETAILS:
            item["details"].append(detail)

    def items(self) -> list[dict[str, Any]]:
        """The items as stored with the import."""
        return [
            {
                "code": item["code"],
                "severity": item["severity"],
                "element": item["element"],
                "uids": item["uids"],
                "count": item["count"],
                "detail": "; ".join(item["details"]),
                "params": item["params"],
            }
            for item in self._items.values()
        ]
