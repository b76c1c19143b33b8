"""Which MSPDI elements clientpm reads, which it recalculates or ignores, and what is unsupported.

Every child of a project, calendar, task, resource or assignment falls in one class:

* **mapped** — read into the model (the reader consumes these);
* **recalculated** — values MS Project derives from the plan (early/late dates, slack, costs,
  work totals, variances); clientpm recomputes them, so they are listed once per section as
  ``recalculated_ignored`` (info);
* **settings** — MS Project options and metadata with no clientpm equivalent; listed once per
  section as ``setting_ignored`` (info);
* anything else — known but unsupported (hyperlinks, custom fields, cost rates, timephased data)
  or unknown — is reported as ``unsupported_element`` (warning) when it holds a value. "Holds a
  value" means not empty, not zero (``0``, ``0.0``, ``PT0H0M0S``) and not the documented default
  (``Priority`` 500): a zero fixed cost is not data that could be lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Final

from clientpm.scheduling.mspdi.parsing import Record
from clientpm.scheduling.mspdi.report import ImportReport, ReportCode

__all__ = ["SECTION_FIELDS", "FieldClass", "Leftovers", "SectionFields", "holds_value"]


class FieldClass(Enum):
    MAPPED = "mapped"
    RECALCULATED = "recalculated"
    SETTING = "setting"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class SectionFields:
    """The field classes of one element type; unlisted names are unsupported."""

    mapped: frozenset[str]
    recalculated: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()
    defaults: tuple[tuple[str, str], ...] = ()

    def classify(self, name: str) -> FieldClass:
        if name in self.mapped:
            return FieldClass.MAPPED
        if name in self.recalculated:
            return FieldClass.RECALCULATED
        if name in self.settings:
            return FieldClass.SETTING
        return FieldClass.UNSUPPORTED

    def default(self, name: str) -> str | None:
        return dict(self.defaults).get(name)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EMPTY: Final = frozenset({"", "0", "0.0", "0.00", "PT0H0M0S", "false"})


def holds_value(fields: SectionFields, name: str, value: str) -> bool:
    """Whether an unsupported field's value is data (not empty, zero or its default)."""
    return value not in _EMPTY and value != fields.default(name)


_PROJECT = SectionFields(
    mapped=_names(
        """Name Title Author Company StartDate FinishDate StatusDate CreationDate CalendarUID
        MinutesPerDay MinutesPerWeek DaysPerMonth DefaultStartTime DefaultFinishTime
        ScheduleFromStart WeekStartDay CurrencyCode SaveVersion"""
    ),
    settings=_names(
        """UID GUID BuildNumber Subject Category Manager Revision LastSaved FYStartDate
        CriticalSlackLimit CurrencyDigits CurrencySymbol CurrencySymbolPosition DefaultTaskType
        DefaultFixedCostAccrual DefaultStandardRate DefaultOvertimeRate DurationFormat WorkFormat
        EditableActualCosts HonorConstraints EarnedValueMethod InsertedProjectsLikeSummary
        MultipleCriticalPaths NewTasksEffortDriven NewTasksEstimated SplitsInProgressTasks
        SpreadActualCost SpreadPercentComplete TaskUpdatesResource FiscalYearStart
        MoveCompletedEndsBack MoveRemainingStartsBack MoveRemainingStartsForward
        MoveCompletedEndsForward BaselineForEarnedValue AutoAddNewResourcesAndTasks CurrentDate
        MicrosoftProjectServerURL Autolink NewTaskStartDate NewTasksAreManual DefaultTaskEVMethod
        ProjectExternallyEdited ExtendedCreationDate ActualsInSync RemoveFileProperties AdminProject
        UpdateManuallyScheduledTasksWhenEditingLinks KeepTaskOnNearestWorkingTimeWhenMadeAutoScheduled
        BaselineCalendar ShowProjectSummaryTask ProjectCreationDate
        Views Filters Groups Tables Maps Reports Drawings DataLinks VBAProjects"""
    ),
)

_CALENDAR = SectionFields(
    mapped=_names("UID Name IsBaseCalendar BaseCalendarUID WeekDays Exceptions WorkWeeks"),
    settings=_names("GUID IsBaselineCalendar"),
)

_TASK = SectionFields(
    mapped=_names(
        """UID ID Name IsNull WBS OutlineNumber OutlineLevel Summary Milestone Start Finish Duration
        DurationFormat Estimated PercentComplete ActualStart ActualFinish ConstraintType
        ConstraintDate Deadline Notes CalendarUID Manual Active Work PredecessorLink Baseline"""
    ),
    recalculated=_names(
        """EarlyStart EarlyFinish LateStart LateFinish StartVariance FinishVariance WorkVariance
        FreeSlack TotalSlack StartSlack FinishSlack Critical OverAllocated PercentWorkComplete Cost
        OvertimeCost OvertimeWork ActualDuration ActualCost ActualOvertimeCost ActualWork
        ActualOvertimeWork RegularWork RemainingDuration RemainingCost RemainingWork
        RemainingOvertimeCost RemainingOvertimeWork ACWP CV SV BCWS BCWP VAC CostVariance
        ResumeValid WBSLevel DisplayAsSummary ManualStart ManualFinish ManualDuration
        PreLeveledStart PreLeveledFinish Stop Resume ActualWorkProtected ActualOvertimeWorkProtected"""
    ),
    settings=_names(
        """GUID CreateDate Type EffortDriven LevelAssignments LevelingCanSplit LevelingDelayFormat
        IgnoreResourceCalendar HideBar Rollup EarnedValueMethod FixedCostAccrual
        FreeformDurationFormat IsPublished CommitmentType IsSubprojectReadOnly"""
    ),
    defaults=(("Priority", "500"),),
)

_LINK = SectionFields(
    mapped=_names("PredecessorUID Type CrossProject CrossProjectName LinkLag LagFormat"),
)

_TASK_BASELINE = SectionFields(
    mapped=_names("Number Start Finish Duration DurationFormat EstimatedDuration Work"),
    settings=_names("Interim"),
)

_RESOURCE = SectionFields(
    mapped=_names(
        """UID ID Name Type IsNull Initials MaterialLabel Group EmailAddress MaxUnits CalendarUID
        Notes IsCostResource"""
    ),
    recalculated=_names(
        """PeakUnits OverAllocated Start Finish Work RegularWork OvertimeWork ActualWork
        RemainingWork ActualOvertimeWork RemainingOvertimeWork PercentWorkComplete Cost OvertimeCost
        ActualCost ActualOvertimeCost RemainingCost RemainingOvertimeCost WorkVariance CostVariance
        SV CV ACWP BCWS BCWP ActualWorkProtected ActualOvertimeWorkProtected"""
    ),
    settings=_names(
        """GUID CreationDate WorkGroup CanLevel AccrueAt StandardRateFormat OvertimeRateFormat
        IsEnterprise BookingType IsBudget Phonetics NTAccount ActiveDirectoryGUID"""
    ),
)

_ASSIGNMENT = SectionFields(
    mapped=_names("UID TaskUID ResourceUID Units Work ActualWork PercentWorkComplete Start Finish"),
    recalculated=_names(
        """ActualCost ActualOvertimeCost ActualOvertimeWork ACWP BCWS BCWP Cost CostVariance CV SV
        VAC FinishVariance StartVariance WorkVariance Overallocated OvertimeCost OvertimeWork
        RegularWork RemainingCost RemainingOvertimeCost RemainingOvertimeWork RemainingWork Stop
        Resume ActualStart ActualFinish Milestone ResponsePending UpdateNeeded Confirmed LinkedFields
        ActualWorkProtected ActualOvertimeWorkProtected"""
    ),
    settings=_names(
        """GUID CreationDate BookingType HasFixedRateUnits FixedMaterial RateScale
        LevelingDelayFormat"""
    ),
)

SECTION_FIELDS: Final = {
    "Project": _PROJECT,
    "Calendar": _CALENDAR,
    "Task": _TASK,
    "Task/PredecessorLink": _LINK,
    "Task/Baseline": _TASK_BASELINE,
    "Resource": _RESOURCE,
    "Assignment": _ASSIGNMENT,
}
"""Field classes per element path."""


class Leftovers:
    """Reports every field the reader did not map: unsupported ones at once (per element, with
    the owner's UID), recalculated and settings ones once per section at :meth:`flush`."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self._ignored: dict[tuple[ReportCode, str], Counter[str]] = {}

    def check(self, section: str, record: Record, uid: int | None = None) -> None:
        """Report what ``record`` (an element of ``section``, e.g. ``"Task"``) holds beyond the mapped fields."""
        fields = SECTION_FIELDS[section]
        for name, value in record.fields.items():
            kind = fields.classify(name)
            unsupported = kind is not FieldClass.MAPPED and not self._ignore(section, name, kind)
            if unsupported and holds_value(fields, name, value):
                detail = value if len(value) <= 80 else value[:77] + "…"
                self.report.add(ReportCode.UNSUPPORTED_ELEMENT, f"{section}/{name}", uid=uid, detail=detail)
        for name, records in record.groups.items():
            kind = fields.classify(name)
            if kind is not FieldClass.MAPPED and not self._ignore(section, name, kind, len(records)):
                self.report.add(
                    ReportCode.UNSUPPORTED_ELEMENT, f"{section}/{name}", uid=uid, count=len(records)
                )

    def container(self, section: str, name: str, count: int) -> None:
        """Report a complex element of ``section`` holding ``count`` children."""
        kind = SECTION_FIELDS[section].classify(name)
        if kind is not FieldClass.MAPPED and not self._ignore(section, name, kind, count):
            self.report.add(ReportCode.UNSUPPORTED_ELEMENT, f"{section}/{name}", count=count)

    def _ignore(self, section: str, name: str, kind: FieldClass, count: int = 1) -> bool:
        if kind is FieldClass.RECALCULATED:
            code = ReportCode.RECALCULATED_IGNORED
        elif kind is FieldClass.SETTING:
            code = ReportCode.SETTING_IGNORED
        else:
            return False
        self._ignored.setdefault((code, section), Counter())[name] += count
        return True

    def flush(self) -> None:
        """Add one ``recalculated_ignored``/``setting_ignored`` item per section (names in ``detail``)."""
        for (code, section), names in self._ignored.items():
            self.report.add(code, section, detail=", ".join(sorted(names)), count=sum(names.values()))
        self._ignored.clear()
