"""What an MSPDI import could not carry over, as message codes the Django layer translates.

The engine is framework-free, so it cannot call ``gettext``: every message is a :class:`ReportItem`
with a stable ``code`` (one of :class:`ReportCode`), the MSPDI ``element`` it concerns, the UIDs of
the tasks/resources/calendars/assignments involved and a ``detail`` (the raw value or the exact
number behind an approximation, untranslated). The import summary page looks the code up in its
own translated catalogue and fills in the parameters.

Refusals (the file cannot be imported at all) raise :class:`MspdiError`, which carries an
:class:`MspdiErrorCode` and parameters for the same reason.

Occurrences are aggregated into one item per ``(code, element)`` — an unsupported field on 500
tasks is one line — with every UID in ``uids``, the number of occurrences in ``count`` and up to
20 distinct raw values in ``detail``, so the summary stays short while nothing is dropped
silently.

>>> report = ImportReport()
>>> report.add(ReportCode.UNSUPPORTED_ELEMENT, "Task/Hyperlink", uid=3, detail="https://example.com")
>>> report.add(ReportCode.UNSUPPORTED_ELEMENT, "Task/Hyperlink", uid=5)
>>> item = report.items[0]
>>> item.code, item.element, item.uids, item.count, item.severity
(<ReportCode.UNSUPPORTED_ELEMENT: 'unsupported_element'>, 'Task/Hyperlink', (3, 5), 2, <Severity.WARNING: 'warning'>)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from clientpm.scheduling.exceptions import SchedulingError

__all__ = [
    "ImportReport",
    "MspdiError",
    "MspdiErrorCode",
    "ReportCode",
    "ReportItem",
    "Severity",
]

ParamValue = str | int | float


class Severity(StrEnum):
    """``warning``: data was approximated or not imported; ``info``: nothing the plan depends on."""

    INFO = "info"
    WARNING = "warning"


class ReportCode(StrEnum):
    """The import summary's message codes (translate these in the Django layer).

    Element and UIDs say where; ``detail`` holds the raw values or the exact figures. Codes
    marked *info* concern nothing the plan depends on; all others are warnings.
    """

    UNSUPPORTED_ELEMENT = "unsupported_element"
    """The element holds a value clientpm has no place for (hyperlinks, custom fields,
    cost rates, timephased data, splits, …); it is not imported."""
    RECALCULATED_IGNORED = "recalculated_ignored"
    """*Info.* Values MS Project derives (early/late dates, slack, costs, work totals,
    variances, …); clientpm recalculates them from the imported plan."""
    SETTING_IGNORED = "setting_ignored"
    """*Info.* MS Project options with no clientpm equivalent (currency symbol, task
    type, leveling options, display flags, …)."""
    INVALID_VALUE = "invalid_value"
    """A value could not be read (``detail``); its default was used."""
    PROJECT_SUMMARY_SKIPPED = "project_summary_skipped"
    """*Info.* Task UID 0 is MS Project's project summary row; clientpm has the project itself."""
    BLANK_TASK_SKIPPED = "blank_task_skipped"
    """*Info.* Blank rows (``IsNull``) carry no task."""
    DUPLICATE_UID = "duplicate_uid"
    """A second element with the same UID; only the first is imported."""
    OUTLINE_LEVEL_GAP = "outline_level_gap"
    """The outline level jumps by more than one; the task is placed under the nearest higher level."""
    SUMMARY_FLAG_MISMATCH = "summary_flag_mismatch"
    """*Info.* ``Summary`` disagrees with the outline; clientpm follows the outline."""
    MANUAL_TASK = "manual_task"
    """Manually scheduled in MS Project; clientpm schedules it automatically."""
    INACTIVE_TASK = "inactive_task"
    """Inactive in MS Project; imported as an ordinary task."""
    DURATION_ROUNDED = "duration_rounded"
    """The duration is not a whole number of working days (``detail``: exact days);
    it was rounded up."""
    ELAPSED_DURATION = "elapsed_duration"
    """The duration is in elapsed (calendar) time; converted to working days on the
    calendar from the task's start, which is an approximation."""
    ESTIMATED_DURATION = "estimated_duration"
    """*Info.* The duration is marked estimated (``?`` in MS Project)."""
    AMBIGUOUS_DURATION_UNITS = "ambiguous_duration_units"
    """A duration uses years/months/weeks/days in ISO-8601 form; read as calendar time."""
    MILESTONE_WITH_DURATION = "milestone_with_duration"
    """*Info.* Flagged as a milestone but has a duration; both are kept."""
    CONSTRAINT_UNKNOWN = "constraint_unknown"
    """Unknown constraint type code (``detail``); imported as ASAP."""
    CONSTRAINT_DATE_MISSING = "constraint_date_missing"
    """The constraint needs a date and has none; imported as ASAP."""
    CONSTRAINT_DATE_IGNORED = "constraint_date_ignored"
    """*Info.* A constraint date on an ASAP/ALAP task means nothing and is dropped."""
    LINK_UNKNOWN_TASK = "link_unknown_task"
    """A predecessor link to a task that is not in the file (or blank, or the project summary)."""
    LINK_CROSS_PROJECT = "link_cross_project"
    """A link to a task of another project (``detail``: its name); not imported."""
    LINK_DUPLICATE = "link_duplicate"
    """A second link between the same two tasks; only the first is imported."""
    LINK_SELF = "link_self"
    """A task linked to itself; not imported."""
    LINK_TYPE_UNKNOWN = "link_type_unknown"
    """Unknown link type code (``detail``); imported as finish-to-start."""
    LAG_ROUNDED = "lag_rounded"
    """The lag is not a whole number of working days (``detail``: exact days)."""
    LAG_ELAPSED = "lag_elapsed"
    """The lag is in elapsed time; converted to working days by the share of working
    days in the week, which is an approximation."""
    LAG_PERCENT = "lag_percent"
    """The lag is a percentage of the predecessor's duration; converted to days."""
    LAG_FORMAT_UNKNOWN = "lag_format_unknown"
    """Unknown lag format code (``detail``); the lag was read as working time."""
    CALENDAR_BASE_MISSING = "calendar_base_missing"
    """The calendar's base calendar is not in the file; Monday–Friday was used instead."""
    CALENDAR_NO_WORKING_DAYS = "calendar_no_working_days"
    """The calendar has no working weekday; Monday–Friday was used instead."""
    CALENDAR_UNKNOWN = "calendar_unknown"
    """A project, task or resource refers to a calendar that is not in the file."""
    CALENDAR_HOURS_IGNORED = "calendar_hours_ignored"
    """*Info.* Working hours differ from a full day (``detail``); clientpm plans in
    whole working days, so only working/non-working is kept."""
    CALENDAR_EXCEPTION_TRUNCATED = "calendar_exception_truncated"
    """A (recurring) exception reaches beyond the supported date range or occurrence limit; only
    the dates inside were imported."""
    CALENDAR_EXCEPTION_INVALID = "calendar_exception_invalid"
    """An exception without usable dates or with an unknown recurrence (``detail``); skipped."""
    CALENDAR_RECURRENCE_EXPANDED = "calendar_recurrence_expanded"
    """*Info.* A recurring exception was expanded into concrete dates (``detail``)."""
    CALENDAR_LEGACY_EXCEPTIONS_SUPERSEDED = "calendar_legacy_exceptions_superseded"
    """*Info.* The old ``WeekDay``/``DayType 0`` exceptions repeat the ``Exceptions`` element; only
    the latter were read (as MS Project does)."""
    CALENDAR_WORK_WEEK_EXPANDED = "calendar_work_week_expanded"
    """*Info.* A work week (working pattern for a date range) became dated exceptions (``detail``)."""
    BLANK_RESOURCE_SKIPPED = "blank_resource_skipped"
    """*Info.* Resource UID 0 without a name, or a blank row, is MS Project's
    placeholder."""
    RESOURCE_TYPE_UNKNOWN = "resource_type_unknown"
    """Unknown resource type (``detail``); imported as a work resource."""
    ASSIGNMENT_WITHOUT_RESOURCE = "assignment_without_resource"
    """*Info.* MS Project's placeholder assignment of a task to no resource."""
    ASSIGNMENT_UNKNOWN_TASK = "assignment_unknown_task"
    """An assignment to a task that was not imported; skipped."""
    ASSIGNMENT_UNKNOWN_RESOURCE = "assignment_unknown_resource"
    """An assignment of a resource that was not imported; skipped."""
    BASELINE_NUMBER_INVALID = "baseline_number_invalid"
    """A baseline number outside 0–10 (``detail``); skipped."""
    SCHEDULED_FROM_FINISH = "scheduled_from_finish"
    """The project is scheduled back from its finish date; clientpm schedules from the start."""


_INFO_CODES = frozenset(
    {
        ReportCode.RECALCULATED_IGNORED,
        ReportCode.SETTING_IGNORED,
        ReportCode.PROJECT_SUMMARY_SKIPPED,
        ReportCode.BLANK_TASK_SKIPPED,
        ReportCode.SUMMARY_FLAG_MISMATCH,
        ReportCode.ESTIMATED_DURATION,
        ReportCode.MILESTONE_WITH_DURATION,
        ReportCode.CONSTRAINT_DATE_IGNORED,
        ReportCode.CALENDAR_HOURS_IGNORED,
        ReportCode.CALENDAR_RECURRENCE_EXPANDED,
        ReportCode.CALENDAR_LEGACY_EXCEPTIONS_SUPERSEDED,
        ReportCode.CALENDAR_WORK_WEEK_EXPANDED,
        ReportCode.BLANK_RESOURCE_SKIPPED,
        ReportCode.ASSIGNMENT_WITHOUT_RESOURCE,
    }
)


@dataclass(frozen=True)
class ReportItem:
    """One import-summary message: a code to translate, where it applies and the raw facts.

    ``uids`` are the UIDs of the elements concerned (tasks for ``Task/…`` elements, resources for
    ``Resource/…`` and so on; empty for project-level elements); ``count`` is how many values were
    concerned (at least ``len(uids)``). ``detail`` is untranslated raw data — a value from the
    file, or the exact figure behind an approximation (several values are joined by ``; ``).
    ``params`` holds named values for the message, when the code needs them.
    """

    code: ReportCode
    severity: Severity
    element: str
    uids: tuple[int, ...] = ()
    count: int = 1
    detail: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    @property
    def uid(self) -> int | None:
        """The first (often the only) UID concerned, or ``None``."""
        return self.uids[0] if self.uids else None


_MAX_DETAILS = 20  # keep aggregated details readable; count and uids stay complete


@dataclass
class _Entry:
    code: ReportCode
    element: str
    uids: list[int]
    count: int
    details: list[str]
    params: dict[str, ParamValue]


class ImportReport:
    """The list of :class:`ReportItem` an import produced, in the order first met."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._aggregated: dict[tuple[ReportCode, str], _Entry] = {}

    def add(
        self,
        code: ReportCode,
        element: str,
        *,
        uid: int | None = None,
        detail: str = "",
        count: int = 1,
        **params: ParamValue,
    ) -> None:
        """Record one occurrence, merged into the item with the same code and element."""
        key = (code, element)
        entry = self._aggregated.get(key)
        if entry is None:
            entry = _Entry(code, element, [], 0, [], dict(params))
            self._entries.append(entry)
            self._aggregated[key] = entry
        if uid is not None and uid not in entry.uids:
            entry.uids.append(uid)
        entry.count += count
        if detail and detail not in entry.details and len(entry.details) < _MAX_DETAILS:
            entry.details.append(detail)

    @property
    def items(self) -> tuple[ReportItem, ...]:
        """Every message, warnings and infos, in the order first met."""
        return tuple(
            ReportItem(
                code=entry.code,
                severity=Severity.INFO if entry.code in _INFO_CODES else Severity.WARNING,
                element=entry.element,
                uids=tuple(entry.uids),
                count=entry.count,
                detail="; ".join(entry.details),
                params=dict(entry.params),
            )
            for entry in self._entries
        )

    @property
    def warnings(self) -> tuple[ReportItem, ...]:
        """The messages about data that was approximated or not imported."""
        return tuple(item for item in self.items if item.severity is Severity.WARNING)

    def codes(self) -> set[ReportCode]:
        """The distinct codes reported."""
        return {entry.code for entry in self._entries}

    def find(self, code: ReportCode, element: str | None = None) -> tuple[ReportItem, ...]:
        """The items with ``code`` (and ``element``, if given)."""
        return tuple(
            item for item in self.items if item.code is code and (element is None or item.element == element)
        )

    def __iter__(self) -> Iterator[ReportItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        warnings = sum(1 for entry in self._entries if entry.code not in _INFO_CODES)
        return f"ImportReport({len(self._entries)} items, {warnings} warnings)"


class MspdiErrorCode(StrEnum):
    """Why a file was refused as a whole (translate these in the Django layer)."""

    FILE_TOO_LARGE = "file_too_large"
    """The file is larger than the limit (params ``size``, ``limit`` in bytes)."""
    DTD_FORBIDDEN = "dtd_forbidden"
    """The file has a document type declaration (DTD) or declares entities; MSPDI never needs
    them, and they carry entity-expansion ("billion laughs") and external-entity attacks
    (param ``reason``: which check refused it)."""
    MALFORMED_XML = "malformed_xml"
    """Not well-formed XML (params ``line``, ``column``)."""
    NOT_MSPDI = "not_mspdi"
    """Well-formed XML, but not a Microsoft Project XML document (param ``root``)."""


class MspdiError(SchedulingError):
    """The file cannot be imported at all; ``code`` says why and ``params`` give the figures."""

    def __init__(self, code: MspdiErrorCode, message: str, **params: ParamValue) -> None:
        self.code = code
        self.params: dict[str, ParamValue] = params
        super().__init__(message)
