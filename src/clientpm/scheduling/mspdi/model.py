"""The plain data an MSPDI file holds, as clientpm understands it — what the reader returns and
the writer takes.

Everything is a frozen dataclass of plain values (``datetime``, ``int``, ``float``, ``str``) keyed
by the file's UIDs, so the Django layer can map it to its models without knowing XML. Dates stay
``datetime`` because MSPDI carries times (a 1-day task runs 08:00–17:00); ``start_date`` /
``finish_date`` give the calendar dates clientpm stores, and :func:`day_start` / :func:`day_finish`
build datetimes from dates for an export.

Durations keep three views: ``working_days`` (whole working days, what the engine schedules),
``duration_days`` (exact working days, fractional when the file has hours) and
``duration_minutes`` (the raw value, working or — for elapsed formats — calendar minutes). A
writer caller may set only ``working_days``; the writer derives the rest.

Code tables between MSPDI and the engine's enums:

========================  ==========================================================
MSPDI                     clientpm
========================  ==========================================================
ConstraintType 0…7        ASAP, ALAP, MSO, MFO, SNET, SNLT, FNET, FNLT (``ConstraintType``)
PredecessorLink/Type 0…3  FF, FS, SF, SS (``DependencyType``)
Resource Type / IsCost…   1 → work, 0 → material, 0 + ``IsCostResource`` (or 2) → cost
========================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final, NamedTuple, TypeVar

from clientpm.scheduling.calendar import WorkingCalendar
from clientpm.scheduling.cpm import ConstraintType, DependencyType
from clientpm.scheduling.mspdi.report import ImportReport

__all__ = [
    "CONSTRAINT_FROM_MSPDI",
    "CONSTRAINT_TO_MSPDI",
    "LINK_TYPE_FROM_MSPDI",
    "LINK_TYPE_TO_MSPDI",
    "MSPDI_NAMESPACE",
    "Baseline",
    "CalendarException",
    "MspdiAssignment",
    "MspdiCalendar",
    "MspdiImport",
    "MspdiLink",
    "MspdiProject",
    "MspdiResource",
    "MspdiTask",
    "ProjectInfo",
    "ResourceKind",
    "WorkingTimes",
    "day_finish",
    "day_start",
    "finish_date_of",
]

MSPDI_NAMESPACE: Final = "http://schemas.microsoft.com/project"

CONSTRAINT_FROM_MSPDI: Final[Mapping[int, ConstraintType]] = {
    0: ConstraintType.ASAP,
    1: ConstraintType.ALAP,
    2: ConstraintType.MSO,
    3: ConstraintType.MFO,
    4: ConstraintType.SNET,
    5: ConstraintType.SNLT,
    6: ConstraintType.FNET,
    7: ConstraintType.FNLT,
}
CONSTRAINT_TO_MSPDI: Final[Mapping[ConstraintType, int]] = {v: k for k, v in CONSTRAINT_FROM_MSPDI.items()}

LINK_TYPE_FROM_MSPDI: Final[Mapping[int, DependencyType]] = {
    0: DependencyType.FF,
    1: DependencyType.FS,
    2: DependencyType.SF,
    3: DependencyType.SS,
}
LINK_TYPE_TO_MSPDI: Final[Mapping[DependencyType, int]] = {v: k for k, v in LINK_TYPE_FROM_MSPDI.items()}

WorkingTimes = tuple[tuple[time, time], ...]
"""Working periods of one day, ``(from, to)``; ``to`` 00:00 means midnight at the day's end."""


class ResourceKind(StrEnum):
    """What a resource is: people/equipment with capacity, consumables, or a cost item."""

    WORK = "work"
    MATERIAL = "material"
    COST = "cost"


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """Project-level properties: name, start, the working-time conversion factors, the calendar."""

    name: str = ""
    title: str = ""
    author: str = ""
    company: str = ""
    start: datetime | None = None
    finish: datetime | None = None
    status_date: datetime | None = None
    creation_date: datetime | None = None
    calendar_uid: int | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    default_start_time: time = time(8)
    default_finish_time: time = time(17)
    schedule_from_start: bool = True
    week_start_day: int = 0
    """0 = Sunday … 6 = Saturday (anchors weekly recurrences)."""
    currency_code: str = ""
    save_version: int | None = None
    notes: str = ""
    """The project summary task's notes (MS Project's project comments)."""


@dataclass(frozen=True, slots=True)
class CalendarException:
    """A named exception to a calendar's working week, with its concrete dates.

    ``dates`` are every date it covers — a recurring exception is expanded (``recurrence`` names
    its pattern, e.g. ``"monthly by position, every 2 months"``; empty for a plain range).
    ``working`` says whether those dates are worked; ``working_times`` their hours if so.
    """

    name: str
    first: date
    last: date
    working: bool = False
    dates: tuple[date, ...] = ()
    recurrence: str = ""
    working_times: WorkingTimes = ()


_NO_WEEKDAYS: Final[tuple[bool | None, ...]] = (None,) * 7
_NO_TIMES: Final[tuple[WorkingTimes, ...]] = ((),) * 7


@dataclass(frozen=True)
class MspdiCalendar:
    """A calendar of the file, with its own settings and the resolved working days.

    Own settings (what the file says for this calendar): ``weekdays`` Monday…Sunday (``None`` =
    inherited from the base calendar), their ``working_times``, and ``exceptions``. Resolved
    (base calendar applied, recurrences and work weeks expanded): ``weekmask``, ``holidays`` and
    ``extra_working_days`` — exactly what :meth:`working_calendar` needs.
    """

    uid: int
    name: str
    is_base: bool = True
    base_uid: int | None = None
    weekdays: tuple[bool | None, ...] = _NO_WEEKDAYS
    working_times: tuple[WorkingTimes, ...] = _NO_TIMES
    exceptions: tuple[CalendarException, ...] = ()
    weekmask: str = "1111100"
    holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()

    def working_calendar(self) -> WorkingCalendar:
        """The engine's calendar for this one (whole working days)."""
        return WorkingCalendar(
            self.name or f"Calendar {self.uid}",
            self.weekmask,
            holidays=self.holidays,
            extra_working_days=self.extra_working_days,
        )

    @classmethod
    def from_working_calendar(cls, uid: int, calendar: WorkingCalendar) -> MspdiCalendar:
        """A base calendar to export from an engine calendar (one exception per holiday run)."""
        return cls(
            uid=uid,
            name=calendar.name,
            weekdays=tuple(bit == "1" for bit in calendar.weekmask),
            weekmask=calendar.weekmask,
            holidays=calendar.holidays,
            extra_working_days=calendar.extra_working_days,
        )


@dataclass(frozen=True, slots=True)
class Baseline:
    """Saved plan values of a task: ``number`` 0 is "Baseline", 1–10 are "Baseline1"…"Baseline10"."""

    number: int
    start: datetime | None = None
    finish: datetime | None = None
    working_days: int | None = None
    duration_days: float | None = None
    duration_minutes: float | None = None
    work_minutes: float | None = None
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class MspdiTask:
    """A task row: identity, place in the outline, duration, dates, constraint and progress.

    ``parent_uid`` comes from the outline levels (``None`` at the top); ``summary`` is true when
    the task has children. ``duration_format`` is the MSPDI display code (7 = days; see
    :class:`~clientpm.scheduling.mspdi.durations.DurationFormat` for elapsed/estimated variants).
    """

    uid: int
    name: str
    id: int | None = None
    wbs: str = ""
    outline_number: str = ""
    outline_level: int = 1
    parent_uid: int | None = None
    summary: bool = False
    milestone: bool = False
    working_days: int = 0
    duration_days: float | None = None
    duration_minutes: float | None = None
    duration_format: int = 7
    estimated: bool = False
    start: datetime | None = None
    finish: datetime | None = None
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    percent_complete: int = 0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    work_minutes: float | None = None
    notes: str = ""
    calendar_uid: int | None = None
    manual: bool = False
    active: bool = True
    baselines: tuple[Baseline, ...] = ()

    @property
    def start_date(self) -> date | None:
        """The scheduled start as a date."""
        return self.start.date() if self.start else None

    @property
    def finish_date(self) -> date | None:
        """The last day worked (a finish at midnight belongs to the day before); see
        :func:`finish_date_of` for finishes at the day's start time."""
        return finish_date_of(self.finish, self.start)

    @property
    def wbs_code(self) -> str:
        """The WBS code to show: the custom WBS, else the outline number."""
        return self.wbs or self.outline_number


@dataclass(frozen=True, slots=True)
class MspdiLink:
    """``successor_uid`` depends on ``predecessor_uid`` by ``type`` with ``lag_days`` (< 0: lead).

    ``lag_days`` is whole working days for the engine; ``exact_lag_days`` the unrounded value;
    ``link_lag`` the raw MSPDI value (tenths of minutes, or percent for a percentage
    ``lag_format``) — ``None`` lets the writer derive it from ``lag_days``.
    """

    predecessor_uid: int
    successor_uid: int
    type: DependencyType = DependencyType.FS
    lag_days: int = 0
    exact_lag_days: float | None = None
    link_lag: int | None = None
    lag_format: int = 7


@dataclass(frozen=True, slots=True)
class MspdiResource:
    """A resource: ``max_units`` 1.0 = one full-time unit (100 %); ``None`` for material and cost."""

    uid: int
    name: str
    id: int | None = None
    kind: ResourceKind = ResourceKind.WORK
    max_units: float | None = 1.0
    initials: str = ""
    material_label: str = ""
    group: str = ""
    email: str = ""
    calendar_uid: int | None = None
    notes: str = ""

    @property
    def capacity(self) -> float | None:
        """Units available per working day for leveling (work resources only)."""
        return self.max_units if self.kind is ResourceKind.WORK else None


@dataclass(frozen=True, slots=True)
class MspdiAssignment:
    """A resource working on a task: ``units`` 1.0 = 100 % of one unit, ``work_minutes`` of effort."""

    uid: int
    task_uid: int
    resource_uid: int
    units: float = 1.0
    work_minutes: float | None = None
    actual_work_minutes: float | None = None
    percent_work_complete: int = 0
    start: datetime | None = None
    finish: datetime | None = None

    @property
    def work_hours(self) -> float | None:
        """The assigned work in hours."""
        return None if self.work_minutes is None else self.work_minutes / 60


@dataclass(frozen=True)
class MspdiProject:
    """A whole MSPDI document: the project's properties and its calendars, tasks (outline order),
    links, resources and assignments."""

    info: ProjectInfo = field(default_factory=ProjectInfo)
    calendars: tuple[MspdiCalendar, ...] = ()
    tasks: tuple[MspdiTask, ...] = ()
    links: tuple[MspdiLink, ...] = ()
    resources: tuple[MspdiResource, ...] = ()
    assignments: tuple[MspdiAssignment, ...] = ()

    def task(self, uid: int) -> MspdiTask:
        """The task with ``uid`` (``KeyError`` if none)."""
        return _by_uid(self.tasks, uid)

    def calendar(self, uid: int) -> MspdiCalendar:
        """The calendar with ``uid`` (``KeyError`` if none)."""
        return _by_uid(self.calendars, uid)

    def resource(self, uid: int) -> MspdiResource:
        """The resource with ``uid`` (``KeyError`` if none)."""
        return _by_uid(self.resources, uid)

    @property
    def project_calendar(self) -> MspdiCalendar | None:
        """The project's calendar (``CalendarUID``), if the file has it."""
        uid = self.info.calendar_uid
        return next((calendar for calendar in self.calendars if calendar.uid == uid), None)


_T = TypeVar("_T", MspdiTask, MspdiCalendar, MspdiResource)


def _by_uid(items: tuple[_T, ...], uid: int) -> _T:
    for item in items:
        if item.uid == uid:
            return item
    raise KeyError(uid)


class MspdiImport(NamedTuple):
    """What :func:`~clientpm.scheduling.mspdi.reader.read_mspdi` returns."""

    project: MspdiProject
    report: ImportReport


def finish_date_of(
    finish: datetime | None, start: datetime | None = None, day_start: time = time(0)
) -> date | None:
    """The last day worked by a task finishing at ``finish``.

    MS Project may date a finish at the start of the next working period (00:00, or the day's
    start time such as 08:00 on the next day); such a finish belongs to the day before — which
    may be a non-working day, to be rolled back to a working day on the task's calendar.

    >>> finish_date_of(datetime(2026, 3, 6, 17)), finish_date_of(datetime(2026, 3, 7), datetime(2026, 3, 2, 8))
    (datetime.date(2026, 3, 6), datetime.date(2026, 3, 6))
    >>> finish_date_of(datetime(2026, 3, 9, 8), datetime(2026, 3, 6, 8), day_start=time(8))
    datetime.date(2026, 3, 8)
    """
    if finish is None:
        return None
    if finish.time() <= day_start and (start is None or finish > start):
        return (finish - timedelta(days=1)).date()
    return finish.date()


def day_start(day: date, info: ProjectInfo) -> datetime:
    """The datetime a task starting on ``day`` starts (the project's default start time)."""
    return datetime.combine(day, info.default_start_time)


def day_finish(day: date, info: ProjectInfo) -> datetime:
    """The datetime a task finishing on ``day`` finishes (the project's default finish time)."""
    return datetime.combine(day, info.default_finish_time)
