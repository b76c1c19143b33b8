"""Import a Microsoft Project XML (MSPDI) file into a new or an existing project.

Rules:

- the file is read by the engine's hardened reader (``scheduling.mspdi.read_mspdi``): larger than
  ``CLIENTPM_IMPORT_MAX_BYTES`` (default 20 MB), a DTD or entity declaration ("billion laughs",
  external entities), malformed XML or another XML document is refused as a whole with a
  translated message on ``file`` (422) — before anything is written;
- **into a new project** for a customer: ``project_create`` (the importer manages it), named as
  asked, else after the file's title; its planned start, status date and notes come from the file;
- **into an existing project** (a closed or cancelled one refuses, 409, like every plan write):
  the file's tasks are appended after the project's own as new top-level branches; a project
  without tasks takes the file's calendar, one with tasks keeps its calendar and the report says
  so; the project keeps its start and status date (reported when the file's differ);
- the file's **project calendar** becomes a company calendar on the Monday–Friday base with the
  file's working weekdays, holidays and extra working days — an existing calendar with exactly the
  same days is reused, else one is created named after the file;
- tasks, dependencies, resources, assignments and baselines: see ``rows``, ``people`` and
  :func:`_create_baselines` (baselines 0–10 become "Baseline", "Baseline 1"… up to
  ``MAX_BASELINES`` per project);
- everything happens in **one transaction**, bulk inserts with their change records (source
  "import"), then one re-schedule: a plan that cannot be scheduled (dependencies in a circle) is
  refused on ``file`` and nothing is left behind;
- the result is a :class:`PlanImport` with the counts and every report item — the engine's and
  this app's (``interchange.report``) — so nothing is dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.core.audit import audit_source, record_create
from clientpm.core.models import AuditSource
from clientpm.customers.models import Customer
from clientpm.interchange.models import PlanImport
from clientpm.interchange.report import ImportCode, Notes, item_data, refusal_message
from clientpm.interchange.services.people import create_assignments, create_resources
from clientpm.interchange.services.rows import TaskRows, create_dependencies, create_tasks
from clientpm.projects import planning
from clientpm.projects.models import (
    MAX_BASELINES,
    Baseline,
    BaselineTask,
    CalendarBase,
    Project,
    Task,
    WorkCalendar,
)
from clientpm.projects.services.plan import calendar_create, project_plan_update
from clientpm.projects.services.projects import project_create, project_ensure_editable
from clientpm.scheduling import SchedulingError
from clientpm.scheduling.mspdi import MspdiError, MspdiErrorCode, MspdiImport, MspdiProject, read_mspdi
from clientpm.scheduling.mspdi.model import finish_date_of

DEFAULT_IMPORT_MAX_BYTES = 20 * 1024 * 1024
PROJECT_NAME_LENGTH = Project._meta.get_field("name").max_length or 200
CALENDAR_NAME_LENGTH = WorkCalendar._meta.get_field("name").max_length or 100
BASELINE_NAME_LENGTH = Baseline._meta.get_field("name").max_length or 100
_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
"""The first bytes of an OLE2 compound document: a binary .mpp file."""


def import_max_bytes() -> int:
    """The largest file accepted, in bytes (``CLIENTPM_IMPORT_MAX_BYTES``)."""
    return int(getattr(settings, "CLIENTPM_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))


def _file_name(source: Any) -> str:
    return (PurePath(str(getattr(source, "name", "") or "")).name or "plan.xml")[:255]


def read_file(source: Any) -> MspdiImport:
    """The file read into plain data, or ``ValidationError`` on ``file`` saying why it is refused."""
    limit = import_max_bytes()
    size = getattr(source, "size", None)
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]}, code="empty")
    if size is not None and size > limit:
        error = MspdiError(MspdiErrorCode.FILE_TOO_LARGE, "", size=size, limit=limit)
        raise ValidationError({"file": [refusal_message(error)]}, code=str(error.code))
    if hasattr(source, "seek"):
        source.seek(0)
        if source.read(len(_OLE2_MAGIC)) == _OLE2_MAGIC:
            raise ValidationError(
                {
                    "file": [
                        _(
                            "This is a binary Microsoft Project file (.mpp). Open it in Microsoft Project and save it "
                            "as XML (File › Save As › XML format), then import the XML file."
                        )
                    ]
                },
                code="mpp",
            )
        source.seek(0)
    try:
        return read_mspdi(source, max_bytes=limit)
    except MspdiError as error:
        raise ValidationError({"file": [refusal_message(error)]}, code=str(error.code)) from None
    except SchedulingError:
        raise ValidationError({"file": [_("The file cannot be imported.")]}, code="unreadable") from None


# The project and its calendar ---------------------------------------------------------------------


def _unique_name(wanted: str, taken: set[str], length: int) -> str:
    name = wanted[:length]
    number = 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = wanted[: length - len(suffix)] + suffix
        number += 1
    return name


def _report_other_calendars(mspdi: MspdiProject, notes: Notes) -> None:
    """Only the project calendar is imported: the others (resource calendars…) are reported."""
    for other in mspdi.calendars:
        if other.uid != mspdi.info.calendar_uid:
            notes.add(ImportCode.CALENDAR_NOT_IMPORTED, "Calendar", uid=other.uid, detail=other.name)


def _import_calendar(
    actor: Any, mspdi: MspdiProject, file_name: str, notes: Notes
) -> tuple[WorkCalendar, bool]:
    """The company calendar with the file's project calendar's days: an identical one, else a new one.
    Returns it and whether it was created."""
    source = mspdi.project_calendar
    if source is None:
        notes.add(ImportCode.CALENDAR_DEFAULT, "Project/CalendarUID")
        return WorkCalendar.objects.get(is_builtin=True, base=CalendarBase.MON_FRI), False
    holidays = sorted(day.isoformat() for day in source.holidays)
    extra = sorted(day.isoformat() for day in source.extra_working_days)
    candidates = WorkCalendar.objects.filter(base=CalendarBase.MON_FRI, working_weekdays=source.weekmask)
    for candidate in candidates.order_by("-is_builtin", "pk"):
        if sorted(candidate.holidays) == holidays and sorted(candidate.extra_working_days) == extra:
            return candidate, False
    stem = PurePath(file_name).stem or file_name
    wanted = f"{stem} · {source.name}" if source.name else stem
    taken = {name.lower() for name in WorkCalendar.objects.values_list("name", flat=True)}
    try:
        calendar = calendar_create(
            actor=actor,
            name=_unique_name(wanted, taken, CALENDAR_NAME_LENGTH),
            base=CalendarBase.MON_FRI,
            working_weekdays=source.weekmask,
            holidays=holidays,
            extra_working_days=extra,
        )
    except ValidationError as error:
        raise ValidationError(
            {
                "file": [
                    _("The file's calendar cannot be used: %(reason)s") % {"reason": " ".join(error.messages)}
                ]
            }
        ) from None
    return calendar, True


def _new_project(
    actor: Any, customer: Customer, name: str | None, mspdi: MspdiProject, file_name: str, notes: Notes
) -> tuple[Project, str, bool]:
    info = mspdi.info
    title = (name or "").strip()
    if not title:
        fallback = info.title.strip() or PurePath(info.name.strip()).stem or PurePath(file_name).stem
        title = fallback[:PROJECT_NAME_LENGTH] or _("Imported plan")
    starts = [task.start for task in mspdi.tasks if task.start is not None]
    start = info.start or (min(starts) if starts else None)
    project = project_create(
        actor=actor,
        customer=customer,
        name=title,
        manager=actor if getattr(actor, "is_active", False) else None,
        planned_start_date=start.date() if start else None,
        description=info.notes.strip(),
    )
    _report_other_calendars(mspdi, notes)
    calendar, created = _import_calendar(actor, mspdi, file_name, notes)
    project = project_plan_update(
        actor=actor,
        project=project,
        version=project.version,
        calendar=calendar,
        status_date=info.status_date.date() if info.status_date else None,
    )
    return project, calendar.name, created


def _existing_project(
    actor: Any, project: Project, mspdi: MspdiProject, file_name: str, notes: Notes
) -> tuple[Project, str, bool]:
    info = mspdi.info
    project = Project.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=project.pk)
    project_ensure_editable(project)
    created = False
    _report_other_calendars(mspdi, notes)
    if not Task.objects.filter(project=project).exists():
        calendar, created = _import_calendar(actor, mspdi, file_name, notes)
        project = project_plan_update(actor=actor, project=project, version=None, calendar=calendar)
        calendar_name = calendar.name
    else:
        calendar_name = (
            project.calendar.name
            if project.calendar
            else WorkCalendar.objects.get(is_builtin=True, base=CalendarBase.CHINA).name
        )
        if mspdi.project_calendar is not None:
            notes.add(ImportCode.CALENDAR_KEPT, "Project/CalendarUID", calendar=calendar_name)
    project_start = planning.project_start(project)
    if info.start and info.start.date() != project_start:
        notes.add(
            ImportCode.PROJECT_START_KEPT,
            "Project/StartDate",
            project_start=project_start.isoformat(),
            file_start=info.start.date().isoformat(),
        )
    if info.status_date and info.status_date.date() != project.status_date:
        notes.add(
            ImportCode.STATUS_DATE_KEPT, "Project/StatusDate", file_date=info.status_date.date().isoformat()
        )
    if info.notes.strip():
        notes.add(ImportCode.PROJECT_NOTES_NOT_IMPORTED, "Project/Notes", detail=info.notes.strip()[:60])
    return project, calendar_name, created


# Baselines ---------------------------------------------------------------------------------------


def _create_baselines(
    actor: Any, project: Project, mspdi: MspdiProject, rows: TaskRows, file_name: str, notes: Notes
) -> tuple[int, int]:
    """Baselines 0–10 of the file as "Baseline", "Baseline 1"…; returns baselines and rows created."""
    by_number: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for task in mspdi.tasks:
        for baseline in task.baselines:
            by_number[baseline.number].append((task.uid, baseline))
    if not by_number:
        return 0, 0
    taken = {name.lower() for name in Baseline.objects.filter(project=project).values_list("name", flat=True)}
    slots = max(0, MAX_BASELINES - len(taken))
    numbers = sorted(by_number)
    if numbers[slots:]:
        notes.add(
            ImportCode.BASELINE_LIMIT,
            "Task/Baseline",
            detail=", ".join(str(number) for number in numbers[slots:]),
            limit=MAX_BASELINES,
        )
    calendar = planning.project_calendar(project)
    stem = PurePath(file_name).stem or file_name
    saved_by = actor if getattr(actor, "pk", None) else None
    copies = 0
    for number in numbers[:slots]:
        wanted = "Baseline" if number == 0 else f"Baseline {number}"
        name = (
            wanted
            if wanted.lower() not in taken
            else _unique_name(f"{wanted} ({stem})", taken, BASELINE_NAME_LENGTH)
        )
        if name != wanted:
            notes.add(ImportCode.BASELINE_RENAMED, "Task/Baseline", detail=f"{wanted} → {name}")
        taken.add(name.lower())
        baseline = Baseline.objects.create(project=project, name=name, saved_by=saved_by)
        record_create(actor, baseline)
        tasks = []
        for uid, values in by_number[number]:
            task = rows.by_uid[uid]
            start = values.start.date() if values.start else None
            finish = finish_date_of(values.finish, values.start) if values.finish else None
            days = values.working_days
            if days is None:
                days = (
                    planning.working_days(calendar, start, finish) if start and finish else task.duration_days
                )
            tasks.append(
                BaselineTask(
                    baseline=baseline,
                    task=task,
                    wbs_code=rows.wbs[uid],
                    name=task.name,
                    start_date=start,
                    finish_date=finish,
                    duration_days=max(0, days),
                )
            )
        copies += len(BaselineTask.objects.bulk_create(tasks, batch_size=1000))
    return min(len(numbers), slots), copies


# The import --------------------------------------------------------------------------------------


def _schedule(project: Project) -> None:
    try:
        planning.project_reschedule(project.pk)
    except ValidationError as error:
        raise ValidationError(
            {
                "file": [
                    _("The plan in this file cannot be scheduled: %(reason)s")
                    % {"reason": " ".join(error.messages)}
                ]
            },
            code="schedule",
        ) from None


def plan_import(
    *,
    actor: Any,
    source: Any,
    project: Project | None = None,
    customer: Customer | None = None,
    name: str | None = None,
) -> PlanImport:
    """Import the MSPDI file ``source`` (an uploaded file) into ``project``, or into a new project of
    ``customer`` named ``name`` (default: the file's title). The caller has checked the permissions
    (``projects.add_task``; ``projects.add_project`` for a new project); creating resources and
    assignments needs ``resources.add_resource``/``add_assignment``, else they are reported.

    Returns the :class:`PlanImport` with the counts and the report. Raises ``ValidationError`` (on
    ``file`` for a refused or unschedulable file) or ``ConflictError`` (closed project); either way
    nothing is written."""
    if (project is None) == (customer is None):
        raise ValidationError(
            {"project": [_("Choose the project to import into, or the customer of a new project.")]}
        )
    file_name = _file_name(source)
    mspdi, report = read_file(source)
    notes = Notes()
    with audit_source(AuditSource.IMPORT), transaction.atomic():
        if project is None:
            assert customer is not None
            project, calendar, calendar_created = _new_project(actor, customer, name, mspdi, file_name, notes)
        else:
            project, calendar, calendar_created = _existing_project(actor, project, mspdi, file_name, notes)
        rows = create_tasks(
            actor=actor, project=project, mspdi=mspdi, notes=notes, today=timezone.localdate()
        )
        links = create_dependencies(actor=actor, mspdi=mspdi, rows=rows, notes=notes)
        resources, resources_created, resources_matched = create_resources(
            actor=actor, mspdi=mspdi, notes=notes
        )
        assignments = create_assignments(
            actor=actor, mspdi=mspdi, rows=rows, resources=resources, notes=notes
        )
        baselines, baseline_tasks = _create_baselines(actor, project, mspdi, rows, file_name, notes)
        _schedule(project)
        items = [item_data(item) for item in report.items] + notes.items()
        plan_import = PlanImport.objects.create(
            project=project,
            file_name=file_name,
            file_size=int(getattr(source, "size", 0) or 0),
            created_project=customer is not None,
            imported_by=actor if getattr(actor, "pk", None) else None,
            counts={
                "tasks": len(rows.by_uid),
                "dependencies": links,
                "resources": resources_created,
                "resources_matched": resources_matched,
                "assignments": assignments,
                "calendars": int(calendar_created),
                "baselines": baselines,
                "baseline_tasks": baseline_tasks,
                "calendar": calendar,
                "warnings": sum(1 for item in items if item["severity"] == "warning"),
            },
            report=items,
        )
        # the report is a list of items, too long and too nested for a change record: its size stands in
        record_create(
            actor,
            plan_import,
            {
                "project": project.pk,
                "file_name": file_name,
                "file_size": plan_import.file_size,
                "created_project": plan_import.created_project,
                "counts": plan_import.counts,
                "report": len(plan_import.report),
            },
        )
    return plan_import
