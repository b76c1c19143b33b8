"""Reads of the interchange app: a project's plan imports, one import's summary, and the project's
plan as Microsoft Project XML (MSPDI) for download.

The export carries what clientpm holds: the project calendar (``planning.project_calendar``, with
China's holidays and adjusted working days when the project uses that calendar), the tasks in WBS
order with their outline, durations, computed dates, constraints, deadlines, effort and progress,
the dependencies inside the project (another project's predecessor cannot be named in MSPDI), the
resources assigned in the project with their assignments, and the baselines — the latest as
Baseline 0, older ones as 1–10. UIDs are numbered 1, 2, 3… in WBS order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from clientpm.accounts.models import User
from clientpm.interchange.models import PlanImport
from clientpm.projects import planning
from clientpm.projects.models import (
    ACTIVE_PHASES,
    Baseline,
    BaselineTask,
    ConstraintType,
    Phase,
    Project,
    Task,
    TaskDependency,
)
from clientpm.projects.queries.projects import project_scope
from clientpm.resources.models import Assignment
from clientpm.scheduling.cpm import ConstraintType as EngineConstraint
from clientpm.scheduling.cpm import DependencyType as EngineDependency
from clientpm.scheduling.mspdi import Baseline as FileBaseline
from clientpm.scheduling.mspdi import (
    MspdiAssignment,
    MspdiCalendar,
    MspdiLink,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    ProjectInfo,
    mspdi_bytes,
)
from clientpm.scheduling.mspdi.model import day_finish, day_start

MAX_EXPORTED_BASELINES = 11
"""MSPDI has Baseline (0) and Baseline1–Baseline10."""
CONTENT_TYPE = "application/xml; charset=utf-8"
_FINISH_CONSTRAINTS = (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO)


def plan_import_list(*, project: Project, limit: int = 50) -> list[PlanImport]:
    """The project's latest imports, newest first, with who imported them (without their reports)."""
    return list(
        PlanImport.objects.filter(project=project)
        .select_related("imported_by")
        .defer("report")
        .order_by("-created_at", "-id")[:limit]
    )


def plan_import_get(*, user: User | AnonymousUser, pk: int) -> PlanImport:
    """One import of a project ``user`` may see, else ``PlanImport.DoesNotExist`` (404, never leaking)."""
    return (
        PlanImport.objects.filter(project__in=project_scope(user=user))
        .select_related("project", "project__customer", "imported_by")
        .get(pk=pk)
    )


def import_project_choices(*, user: User | AnonymousUser) -> QuerySet[Project]:
    """Open projects ``user`` may see, for the import page's picker (closed ones refuse plan writes)."""
    return (
        project_scope(user=user)
        .filter(phase__in=[*ACTIVE_PHASES, Phase.ON_HOLD])
        .only("id", "code", "name")
        .order_by("code", "id")
    )


def export_file_name(project: Project) -> str:
    """``P-2026-0042.xml``."""
    return f"{project.code}.xml"


def _naive(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def _tasks(project: Project, info: ProjectInfo) -> tuple[list[MspdiTask], dict[int, int], dict[int, Task]]:
    """The tasks in WBS order as file tasks, the UID of each task id, and the rows by id."""
    rows = {task.pk: task for task in Task.objects.filter(project=project).order_by()}
    nodes = planning.tree_order((task.pk, task.parent_id, task.position) for task in rows.values())
    uids = {node.id: number for number, node in enumerate(nodes, start=1)}
    out = []
    for node in nodes:
        task = rows[node.id]
        milestone = not node.has_children and task.duration_days == 0
        start = _day(task.start_date, info)
        finish = start if milestone else _day(task.finish_date, info, finish=True)
        constraint = EngineConstraint[ConstraintType(task.constraint_type).name]
        constraint_date = None
        if task.constraint_date is not None:
            at_finish = task.constraint_type in _FINISH_CONSTRAINTS
            constraint_date = (day_finish if at_finish else day_start)(task.constraint_date, info)
        out.append(
            MspdiTask(
                uid=uids[node.id],
                name=task.name,
                id=uids[node.id],
                wbs=node.wbs_code,
                outline_number=node.wbs_code,
                outline_level=node.depth + 1,
                parent_uid=uids[node.parent_id] if node.parent_id is not None else None,
                summary=node.has_children,
                milestone=milestone,
                working_days=task.duration_days,
                start=start,
                finish=finish,
                constraint=constraint,
                constraint_date=constraint_date,
                deadline=day_finish(task.deadline_date, info) if task.deadline_date else None,
                percent_complete=task.percent_complete,
                actual_start=day_start(task.actual_start_date, info) if task.actual_start_date else None,
                actual_finish=day_finish(task.actual_finish_date, info) if task.actual_finish_date else None,
                work_minutes=float(task.effort_hours * 60) if task.effort_hours is not None else None,
            )
        )
    return out, uids, rows


def _baselines(project: Project, uids: dict[int, int], info: ProjectInfo) -> dict[int, list[FileBaseline]]:
    """Each task's saved baselines by UID: the latest baseline is number 0, older ones 1–10."""
    numbers = {
        baseline_id: number
        for number, baseline_id in enumerate(
            Baseline.objects.filter(project=project)
            .order_by("-created_at", "-id")
            .values_list("id", flat=True)[:MAX_EXPORTED_BASELINES]
        )
    }
    found: dict[int, list[FileBaseline]] = defaultdict(list)
    rows = BaselineTask.objects.filter(baseline_id__in=numbers, task_id__in=uids).values_list(
        "baseline_id", "task_id", "start_date", "finish_date", "duration_days"
    )
    for baseline_id, task_id, start, finish, days in rows:
        found[uids[task_id]].append(
            FileBaseline(
                number=numbers[baseline_id],
                start=day_start(start, info) if start else None,
                finish=day_finish(finish, info) if finish else None,
                working_days=days,
            )
        )
    return found


def _resources(
    project: Project, uids: dict[int, int], rows: dict[int, Task], info: ProjectInfo
) -> tuple[list[MspdiResource], list[MspdiAssignment]]:
    assignments = list(
        Assignment.objects.filter(task__project=project)
        .select_related("resource")
        .order_by("resource__name", "task_id")
    )
    resource_uids: dict[int, int] = {}
    resources: list[MspdiResource] = []
    for assignment in assignments:
        resource = assignment.resource
        if resource.pk not in resource_uids:
            resource_uids[resource.pk] = len(resource_uids) + 1
            resources.append(
                MspdiResource(
                    uid=resource_uids[resource.pk],
                    name=resource.name,
                    max_units=float(resource.capacity_units),
                    notes=resource.notes,
                )
            )
    out = []
    for number, assignment in enumerate(
        sorted(assignments, key=lambda a: (uids[a.task_id], a.resource.name)), 1
    ):
        task = rows[assignment.task_id]
        minutes = float(Decimal(task.duration_days) * assignment.units * info.minutes_per_day)
        out.append(
            MspdiAssignment(
                uid=number,
                task_uid=uids[assignment.task_id],
                resource_uid=resource_uids[assignment.resource_id],
                units=float(assignment.units),
                work_minutes=minutes,
                start=day_start(task.start_date, info) if task.start_date else None,
                finish=day_finish(task.finish_date, info) if task.finish_date else None,
            )
        )
    return resources, out


def _day(value: date | None, info: ProjectInfo, *, finish: bool = False) -> datetime | None:
    if value is None:
        return None
    return day_finish(value, info) if finish else day_start(value, info)


def plan_mspdi(project: Project) -> MspdiProject:
    """The project's plan as the engine's MSPDI data (see the module docstring)."""
    base = ProjectInfo()
    info = ProjectInfo(
        name=project.name,
        title=project.name,
        company=project.customer.name,
        author=str(project.manager) if project.manager_id else "",
        start=_day(planning.project_start(project), base),
        finish=_day(project.scheduled_finish_date, base, finish=True),
        status_date=_day(project.status_date, base, finish=True),
        creation_date=_naive(project.created_at),
        calendar_uid=1,
        notes=project.description,
    )
    calendar = MspdiCalendar.from_working_calendar(1, planning.project_calendar(project))
    tasks, uids, rows = _tasks(project, info)
    baselines = _baselines(project, uids, info)
    tasks = [
        replace(task, baselines=tuple(baselines[task.uid])) if task.uid in baselines else task
        for task in tasks
    ]
    links = [
        MspdiLink(
            predecessor_uid=uids[predecessor],
            successor_uid=uids[successor],
            type=EngineDependency[kind],
            lag_days=lag,
        )
        for predecessor, successor, kind, lag in TaskDependency.objects.filter(
            successor__project=project, predecessor__project=project
        )
        .order_by("successor_id", "predecessor_id")
        .values_list("predecessor_id", "successor_id", "dependency_type", "lag_days")
    ]
    resources, assignments = _resources(project, uids, rows, info)
    return MspdiProject(
        info=info,
        calendars=(calendar,),
        tasks=tuple(tasks),
        links=tuple(links),
        resources=tuple(resources),
        assignments=tuple(assignments),
    )


def plan_export(project: Project) -> bytes:
    """The project's plan as an MSPDI document (UTF-8), ready to open in Microsoft Project."""
    return mspdi_bytes(plan_mspdi(project))
