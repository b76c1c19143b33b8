"""Tasks and dependencies of an MSPDI file as clientpm rows: the mapping, field by field, and the
bulk inserts (one per outline level for tasks, one for dependencies) with their change records.

Mapping rules (``docs/interchange.md`` has the table):

- the outline becomes the WBS tree (parent and position among siblings in file order); codes are
  renumbered by ``planning.project_renumber``, so custom WBS codes are reported, not kept;
- whole working days as the engine reads them; a duration of 0 is a milestone;
- constraint types map one to one; finish constraints and deadlines dated at the start of a day
  (00:00 or the project's start time) belong to the day before, as in MS Project;
- progress on leaf tasks: 100 % or an actual finish is *done* (missing actual dates taken from the
  file's scheduled ones), progress or an actual start is *in progress*, else *not started* — the
  plan services' rules; actual dates after today are dropped; summary tasks roll theirs up;
- task work becomes the task's effort (hours).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from clientpm.core.audit import record_bulk_create
from clientpm.interchange.report import ImportCode, Notes
from clientpm.projects import planning
from clientpm.projects.models import ConstraintType, DependencyType, Project, Task, TaskDependency, TaskStatus
from clientpm.scheduling.cpm import ConstraintType as EngineConstraint
from clientpm.scheduling.cpm import DependencyType as EngineDependency
from clientpm.scheduling.mspdi import MspdiProject, MspdiTask
from clientpm.scheduling.mspdi.model import finish_date_of

NAME_LENGTH = Task._meta.get_field("name").max_length or 200
MAX_DURATION_DAYS = 100_000
MAX_LAG_DAYS = 999
MAX_EFFORT_HOURS = Decimal("99999999.99")
_FINISH_CONSTRAINTS = (EngineConstraint.FNET, EngineConstraint.FNLT, EngineConstraint.MFO)
_CENT = Decimal("0.01")


@dataclass
class TaskRows:
    """The tasks created, by the file's UID, and what the later steps need to know about them."""

    by_uid: dict[int, Task] = field(default_factory=dict)
    summaries: set[int] = field(default_factory=set)
    parents: dict[int, int | None] = field(default_factory=dict)
    wbs: dict[int, str] = field(default_factory=dict)
    """clientpm's WBS code of each task, by UID (after renumbering)."""


def clip(value: str, length: int, notes: Notes, element: str, uid: int | None = None) -> str:
    """``value`` cut to ``length`` characters (reported when cut)."""
    if len(value) <= length:
        return value
    notes.add(ImportCode.NAME_TRUNCATED, element, uid=uid, detail=value[:60])
    return value[:length]


def _end_day(moment: datetime | None, start_time: time) -> date | None:
    """The day a finish-type moment belongs to: one at the start of a day belongs to the day before."""
    return finish_date_of(moment, None, day_start=start_time) if moment is not None else None


def _progress(task: MspdiTask, notes: Notes, today: date) -> dict[str, Any]:
    """Percent complete, actual dates and status of a leaf task, kept consistent."""
    actual_start = task.actual_start.date() if task.actual_start else None
    actual_finish = finish_date_of(task.actual_finish, task.actual_start) if task.actual_finish else None
    for name, value in (("ActualStart", actual_start), ("ActualFinish", actual_finish)):
        if value is not None and value > today:
            notes.add(
                ImportCode.ACTUAL_DATE_IN_FUTURE, f"Task/{name}", uid=task.uid, detail=value.isoformat()
            )
    if actual_start is not None and actual_start > today:
        actual_start = None
    if actual_finish is not None and actual_finish > today:
        actual_finish = None
    percent = min(max(task.percent_complete, 0), 100)
    scheduled_start = task.start_date
    scheduled_finish = task.finish_date
    if percent == 100 or actual_finish is not None:
        status, percent = TaskStatus.DONE, 100
        if actual_finish is None:
            actual_finish = min(scheduled_finish or today, today)
        if actual_start is None:
            actual_start = (
                actual_finish if task.working_days == 0 else min(scheduled_start or today, actual_finish)
            )
    elif percent or actual_start is not None:
        status = TaskStatus.IN_PROGRESS
        if actual_start is None:
            actual_start = min(scheduled_start or today, today)
    else:
        status = TaskStatus.NOT_STARTED
    if actual_start and actual_finish and actual_finish < actual_start:
        notes.add(
            ImportCode.ACTUAL_DATES_INCONSISTENT,
            "Task/ActualStart",
            uid=task.uid,
            detail=f"{actual_start.isoformat()} > {actual_finish.isoformat()}",
        )
        actual_start = actual_finish
    return {
        "percent_complete": percent,
        "actual_start_date": actual_start,
        "actual_finish_date": actual_finish,
        "status": status,
    }


def _task_fields(
    task: MspdiTask, summary: bool, mspdi: MspdiProject, notes: Notes, today: date
) -> dict[str, Any]:
    """The ``Task`` fields for one file task (everything but project, parent and position)."""
    start_time = mspdi.info.default_start_time
    name = task.name.strip()
    if not name:
        notes.add(ImportCode.TASK_NAME_MISSING, "Task/Name", uid=task.uid)
        name = f"Task {task.uid}"
    days = task.working_days
    if days > MAX_DURATION_DAYS:
        notes.add(ImportCode.VALUE_OUT_OF_RANGE, "Task/Duration", uid=task.uid, detail=str(days))
        days = MAX_DURATION_DAYS
    fields: dict[str, Any] = {
        "name": clip(name, NAME_LENGTH, notes, "Task/Name", task.uid),
        "duration_days": days,
        "constraint_type": ConstraintType[task.constraint.name],
        "constraint_date": None,
        "deadline_date": _end_day(task.deadline, start_time),
    }
    if task.constraint not in (EngineConstraint.ASAP, EngineConstraint.ALAP) and task.constraint_date:
        fields["constraint_date"] = (
            _end_day(task.constraint_date, start_time)
            if task.constraint in _FINISH_CONSTRAINTS
            else task.constraint_date.date()
        )
    elif task.constraint not in (EngineConstraint.ASAP, EngineConstraint.ALAP):
        fields["constraint_type"] = ConstraintType.ASAP  # the reader reports a missing date already
    if summary:
        if task.percent_complete or task.actual_start or task.actual_finish:
            notes.add(ImportCode.SUMMARY_PROGRESS_ROLLED_UP, "Task/PercentComplete", uid=task.uid)
        return fields
    fields.update(_progress(task, notes, today))
    if task.work_minutes:
        hours = (Decimal(str(task.work_minutes)) / 60).quantize(_CENT)
        if hours > MAX_EFFORT_HOURS:
            notes.add(ImportCode.VALUE_OUT_OF_RANGE, "Task/Work", uid=task.uid, detail=str(hours))
            hours = MAX_EFFORT_HOURS
        fields["effort_hours"] = hours
    return fields


def _report_unmapped(task: MspdiTask, mspdi: MspdiProject, notes: Notes) -> None:
    """What the task carries that no clientpm field holds."""
    if task.notes.strip():
        notes.add(
            ImportCode.TASK_NOTES_NOT_IMPORTED, "Task/Notes", uid=task.uid, detail=task.notes.strip()[:60]
        )
    if task.calendar_uid is not None and task.calendar_uid != mspdi.info.calendar_uid:
        notes.add(
            ImportCode.TASK_CALENDAR_IGNORED, "Task/CalendarUID", uid=task.uid, detail=str(task.calendar_uid)
        )
    if task.wbs and task.wbs != task.outline_number:
        notes.add(ImportCode.WBS_RENUMBERED, "Task/WBS", uid=task.uid, detail=task.wbs)


def _depths(tasks: tuple[MspdiTask, ...]) -> dict[int, int]:
    """Depth of each task in the outline (0 = top level), from the parents the reader resolved."""
    parent = {task.uid: task.parent_uid for task in tasks}
    depth: dict[int, int] = {}
    for task in tasks:  # outline order: a parent always comes before its children
        up = parent[task.uid]
        depth[task.uid] = depth[up] + 1 if up is not None and up in depth else 0
    return depth


def create_tasks(*, actor: Any, project: Project, mspdi: MspdiProject, notes: Notes, today: date) -> TaskRows:
    """Create the file's tasks under ``project`` as new top-level branches after its own tasks."""
    rows = TaskRows()
    depth = _depths(mspdi.tasks)
    rows.summaries = {task.parent_uid for task in mspdi.tasks if task.parent_uid is not None}
    rows.parents = {task.uid: task.parent_uid for task in mspdi.tasks}
    last = (
        Task.objects.filter(project=project, parent__isnull=True)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    next_position: dict[int | None, int] = defaultdict(int)
    next_position[None] = 0 if last is None else last + 1
    by_level: dict[int, list[tuple[int, Task]]] = defaultdict(list)
    for task in mspdi.tasks:
        _report_unmapped(task, mspdi, notes)
        parent_uid = task.parent_uid if task.parent_uid in depth else None
        position = next_position[parent_uid]
        next_position[parent_uid] += 1
        fields = _task_fields(task, task.uid in rows.summaries, mspdi, notes, today)
        by_level[depth[task.uid]].append((task.uid, Task(project=project, position=position, **fields)))
    for level in sorted(by_level):
        for uid, row in by_level[level]:
            parent_uid = rows.parents[uid]
            row.parent = rows.by_uid[parent_uid] if parent_uid is not None else None
        created = Task.objects.bulk_create([row for _uid, row in by_level[level]], batch_size=1000)
        for (uid, _row), saved in zip(by_level[level], created, strict=True):
            rows.by_uid[uid] = saved
    nodes = {node.id: node for node in planning.project_renumber(project.pk)}
    for uid, row in rows.by_uid.items():
        row.wbs_code, row.is_summary = nodes[row.pk].wbs_code, nodes[row.pk].has_children
        rows.wbs[uid] = row.wbs_code
    record_bulk_create(actor, rows.by_uid.values())
    return rows


def _ancestors(uid: int, parents: Mapping[int, int | None]) -> set[int]:
    found: set[int] = set()
    up = parents.get(uid)
    while up is not None and up not in found:
        found.add(up)
        up = parents.get(up)
    return found


def create_dependencies(*, actor: Any, mspdi: MspdiProject, rows: TaskRows, notes: Notes) -> int:
    """Create the file's dependencies between the imported tasks; returns how many."""
    links: list[TaskDependency] = []
    for link in mspdi.links:
        predecessor, successor = rows.by_uid.get(link.predecessor_uid), rows.by_uid.get(link.successor_uid)
        where = f"{link.predecessor_uid}→{link.successor_uid}"
        if predecessor is None or successor is None:  # the reader keeps only links between its tasks
            continue
        if link.predecessor_uid in _ancestors(link.successor_uid, rows.parents) or (
            link.successor_uid in _ancestors(link.predecessor_uid, rows.parents)
        ):
            notes.add(ImportCode.LINK_TO_OWN_SUMMARY, "PredecessorLink", uid=link.successor_uid, detail=where)
            continue
        if link.type in (EngineDependency.FF, EngineDependency.SF) and link.successor_uid in rows.summaries:
            notes.add(
                ImportCode.LINK_INTO_SUMMARY_BY_FINISH,
                "PredecessorLink/Type",
                uid=link.successor_uid,
                detail=f"{where} {link.type.name}",
            )
            continue
        lag = link.lag_days
        if abs(lag) > MAX_LAG_DAYS:
            notes.add(
                ImportCode.VALUE_OUT_OF_RANGE,
                "PredecessorLink/LinkLag",
                uid=link.successor_uid,
                detail=str(lag),
            )
            lag = MAX_LAG_DAYS if lag > 0 else -MAX_LAG_DAYS
        links.append(
            TaskDependency(
                predecessor=predecessor,
                successor=successor,
                dependency_type=DependencyType[link.type.name],
                lag_days=lag,
            )
        )
    TaskDependency.objects.bulk_create(links, batch_size=1000)
    record_bulk_create(actor, links)
    return len(links)
