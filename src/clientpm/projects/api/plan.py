"""REST endpoints of the project plan under ``/api/v1``: tasks (WBS), dependencies, working
calendars, baselines with variance, the computed schedule, the Gantt data, the project's plan
settings and "my tasks". Every project object is reached through the caller's project scope (404
outside it) before the permission is checked (403); every write re-schedules the project."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import UserRef
from clientpm.projects.api.common import api_field_names, load_project, nulls_refused
from clientpm.projects.models import (
    CalendarBase,
    ConstraintType,
    DependencyType,
    Recurrence,
    Task,
    TaskDependency,
    TaskStatus,
)
from clientpm.projects.queries import plan as queries
from clientpm.projects.services import plan as services

router = Router(tags=["plan"])

ConstraintValue = Literal[tuple(ConstraintType.values)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(TaskStatus.values)]  # type: ignore[valid-type]
RecurrenceValue = Literal[tuple(Recurrence.values)]  # type: ignore[valid-type]
DependencyTypeValue = Literal[tuple(DependencyType.values)]  # type: ignore[valid-type]
CalendarBaseValue = Literal[tuple(CalendarBase.values)]  # type: ignore[valid-type]

TASK_API_FIELDS = {
    "owner": "owner_id",
    "assignees": "assignee_ids",
    "deliverable": "deliverable_id",
    "milestone": "milestone_id",
    "parent": "parent_id",
    "after": "after_id",
}
Days = Decimal


# Schemas --------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    project_id: int
    version: int
    parent_id: int | None
    position: int
    wbs_code: str
    depth: int | None = Field(None, description="0 = top level (in the task list only)")
    name: str
    owner: UserRef | None
    assignees: list[UserRef]
    duration_days: int
    effort_hours: float | None
    optimistic_days: float | None
    most_likely_days: float | None
    pessimistic_days: float | None
    expected_days: int | None = Field(None, description="PERT (o + 4m + p) / 6, rounded up")
    constraint_type: str
    constraint_date: date | None
    deadline_date: date | None
    percent_complete: int
    actual_start_date: date | None
    actual_finish_date: date | None
    status: str
    deliverable_id: int | None
    milestone_id: int | None
    recurrence: str
    recurrence_count: int | None
    is_summary: bool
    is_milestone: bool
    start_date: date | None
    finish_date: date | None
    late_start_date: date | None
    late_finish_date: date | None
    total_float_days: int | None
    free_float_days: int | None
    is_critical: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_depth(obj: Any) -> int | None:
        return getattr(obj, "depth", None)

    @staticmethod
    def resolve_assignees(obj: Task) -> list[Any]:
        return list(obj.assignees.all())

    @staticmethod
    def resolve_expected_days(obj: Task) -> int | None:
        return services.pert_days(obj.optimistic_days, obj.most_likely_days, obj.pessimistic_days)

    @staticmethod
    def resolve_is_milestone(obj: Task) -> bool:
        return not obj.is_summary and obj.duration_days == 0


class _TaskFields(Schema):
    owner_id: int | None = Field(None, ge=1)
    assignee_ids: list[int] | None = None
    duration_days: int | None = Field(None, ge=0, le=100_000, description="Working days; 0 = milestone")
    effort_hours: Days | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    optimistic_days: Days | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    most_likely_days: Days | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    pessimistic_days: Days | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    constraint_type: ConstraintValue | None = None
    constraint_date: date | None = None
    deadline_date: date | None = None
    percent_complete: int | None = Field(None, ge=0, le=100)
    actual_start_date: date | None = None
    actual_finish_date: date | None = None
    status: StatusValue | None = None
    deliverable_id: int | None = Field(None, ge=1)
    milestone_id: int | None = Field(None, ge=1)
    start_date: date | None = Field(
        None, description="Move the task: sets a start-no-earlier-than constraint on this date"
    )


class TaskIn(_TaskFields):
    """A new task under ``parent_id`` (default top level), right after ``after_id`` (default last).
    ``recurrence`` + ``recurrence_count`` create a series of occurrences under a summary task."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    parent_id: int | None = Field(None, ge=1)
    after_id: int | None = Field(None, ge=1)
    recurrence: RecurrenceValue | None = None
    recurrence_count: int | None = Field(None, ge=2, le=60)


class TaskPatch(_TaskFields):
    """A partial update; send the ``version`` you read. Null clears the optional fields."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)


TASK_NULLABLE = frozenset(
    {
        "owner_id",
        "effort_hours",
        "optimistic_days",
        "most_likely_days",
        "pessimistic_days",
        "constraint_date",
        "deadline_date",
        "actual_start_date",
        "actual_finish_date",
        "deliverable_id",
        "milestone_id",
    }
)


class MoveIn(Schema):
    parent_id: int | None = Field(None, ge=1, description="The new summary task; null = top level")
    position: int = Field(..., ge=0, description="0 = first among the new siblings; past the end = last")


class TaskRef(Schema):
    id: int
    wbs_code: str
    name: str
    project_id: int
    project_code: str = Field(alias="project.code")


class DependencyIn(Schema):
    """``successor_id`` must be a task of the project in the URL; ``predecessor_id`` a task of the
    same project or of another project of the same customer."""

    predecessor_id: int = Field(..., ge=1)
    successor_id: int = Field(..., ge=1)
    dependency_type: DependencyTypeValue = DependencyType.FS
    lag_days: int = Field(0, ge=-999, le=999, description="Working days; negative = lead")


class DependencyPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    dependency_type: DependencyTypeValue | None = None
    lag_days: int | None = Field(None, ge=-999, le=999)


class DependencyOut(Schema):
    id: int
    predecessor: TaskRef
    successor: TaskRef
    dependency_type: str
    lag_days: int
    is_cross_project: bool
    created_at: datetime

    @staticmethod
    def resolve_is_cross_project(obj: TaskDependency) -> bool:
        return obj.predecessor.project_id != obj.successor.project_id


class CalendarOut(Schema):
    id: int
    version: int
    name: str
    base: str
    working_weekdays: str
    holidays: list[date]
    extra_working_days: list[date]
    is_builtin: bool
    project_count: int = 0


class CalendarIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    base: CalendarBaseValue = CalendarBase.CHINA
    working_weekdays: str = Field("1111100", description="Seven 0/1 flags, Monday first")
    holidays: list[date] = []
    extra_working_days: list[date] = []


class CalendarPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=100)
    base: CalendarBaseValue | None = None
    working_weekdays: str | None = None
    holidays: list[date] | None = None
    extra_working_days: list[date] | None = None


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., ge=1)
    calendar_id: int | None = Field(None, ge=1, description="Null: the built-in China calendar")
    status_date: date | None = None


class PlanOut(Schema):
    project_id: int = Field(alias="pk")
    version: int
    calendar_id: int | None
    status_date: date | None
    scheduled_at: datetime | None
    scheduled_finish_date: date | None


class BaselineIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class BaselineOut(Schema):
    id: int
    project_id: int
    name: str
    saved_by: UserRef | None
    task_count: int = 0
    created_at: datetime


class VarianceOut(Schema):
    task_id: int | None
    wbs_code: str
    name: str
    baseline_start: date | None
    baseline_finish: date | None
    baseline_duration: int | None
    current_start: date | None
    current_finish: date | None
    current_duration: int | None
    start_variance_days: int | None
    finish_variance_days: int | None
    duration_variance_days: int | None
    slipped: bool

    @staticmethod
    def resolve_task_id(obj: queries.VarianceRow) -> int | None:
        return obj.task.pk if obj.task else None


class GanttTaskOut(Schema):
    id: int
    wbs: str
    name: str
    start: date | None
    end: date | None
    progress: int
    dependencies: list[str]
    is_summary: bool
    is_milestone: bool
    is_critical: bool
    parent: int | None
    depth: int
    baseline_start: date | None
    baseline_end: date | None
    total_float: int | None


class GanttOut(Schema):
    tasks: list[GanttTaskOut]
    today: date
    status_date: date | None
    finish: date | None


class ScheduleTaskOut(Schema):
    id: int
    wbs: str
    name: str
    start: date
    finish: date
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    duration_days: int
    total_float: int
    free_float: int | None
    is_critical: bool
    is_near_critical: bool
    is_summary: bool
    is_milestone: bool


class ViolationOut(Schema):
    predecessor_id: int
    successor_id: int
    dependency_type: str
    lag_days: int
    message: str


class ScheduleOut(Schema):
    project_id: int
    calendar: str
    start: date
    finish: date | None
    duration_days: int
    status_date: date | None
    scheduled_at: datetime | None
    critical_path: list[int]
    critical_paths: list[list[int]]
    negative_float: list[int]
    violated_dependencies: list[ViolationOut]
    uncovered_years: list[int]
    tasks: list[ScheduleTaskOut]


class MyTaskOut(Schema):
    id: int
    version: int
    wbs_code: str
    name: str
    project_id: int
    project_code: str = Field(alias="project.code")
    project_name: str = Field(alias="project.name")
    customer_name: str = Field(alias="project.customer.name")
    owner_id: int | None
    start_date: date | None
    finish_date: date | None
    deadline_date: date | None
    status: str
    percent_complete: int
    is_critical: bool


# Helpers --------------------------------------------------------------------------------------------


def _task_relations(project: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the ``*_id`` fields of a task write into rows; unknown ids are 422 on the id field."""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = users_by_ids([owner_id], "owner_id")[0] if owner_id else None
    if "assignee_ids" in data:
        ids = data.pop("assignee_ids") or []
        data["assignees"] = users_by_ids(ids, "assignee_ids") if ids else []
    if "deliverable_id" in data:
        pk = data.pop("deliverable_id")
        data["deliverable"] = (
            queries.task_deliverable(project=project, pk=pk, field="deliverable_id") if pk else None
        )
    if "milestone_id" in data:
        pk = data.pop("milestone_id")
        data["milestone"] = (
            queries.task_milestone(project=project, pk=pk, field="milestone_id") if pk else None
        )
    for field in ("parent_id", "after_id"):
        if field in data:
            pk = data.pop(field)
            data[field[:-3]] = queries.task_by_id(project=project, pk=pk, field=field) if pk else None
    return data


def _task(request: HttpRequest, task_id: int) -> Task:
    return queries.task_get(user=request.user, pk=task_id)


# Tasks ----------------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/tasks", response={200: list[TaskOut], **ERRORS})
@paginate(PagePagination)
def list_tasks(request: HttpRequest, project_id: int) -> Any:
    """The project's tasks in WBS order (1, 1.1, 1.1.1, 1.2, 2…) with depth and computed dates."""
    project = load_project(request, project_id)
    return queries.task_tree(project=project)


@router.post("/projects/{int:project_id}/tasks", response={201: TaskOut, **ERRORS})
def create_task(request: HttpRequest, project_id: int, payload: TaskIn) -> Any:
    """Add a task; the project is re-scheduled and the task returned with its computed dates."""
    project = load_project(request, project_id, "projects.add_task")
    data = nulls_refused(payload.model_dump(exclude_unset=True), TASK_NULLABLE | {"parent_id", "after_id"})
    with api_field_names(TASK_API_FIELDS):
        data = _task_relations(project, data)
        task = services.task_create(actor=request.user, project=project, **data)
    return Status(201, _task(request, task.pk))


@router.get("/tasks/{int:task_id}", response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, task_id: int) -> Any:
    return _task(request, task_id)


@router.patch("/tasks/{int:task_id}", response={200: TaskOut, **ERRORS})
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Any:
    """Change some fields; ``start_date`` moves the task (a dragged Gantt bar) and ``duration_days``
    stretches it. A change the plan cannot take (a cycle, an impossible constraint, a start the
    predecessors do not allow) is 422 with the reason; send the ``version`` you read (409 if stale)."""
    task = _task(request, task_id)
    require(request, "projects.change_task")
    data = nulls_refused(payload.model_dump(exclude_unset=True), TASK_NULLABLE)
    version = data.pop("version")
    with api_field_names(TASK_API_FIELDS):
        data = _task_relations(task.project, data)
        services.task_update(actor=request.user, task=task, version=version, **data)
    return _task(request, task_id)


@router.delete("/tasks/{int:task_id}", response={204: None, **ERRORS})
def delete_task(request: HttpRequest, task_id: int, version: int | None = None) -> Any:
    """Delete a task with its subtasks and their dependencies."""
    task = _task(request, task_id)
    require(request, "projects.delete_task")
    services.task_delete(actor=request.user, task=task, version=version)
    return Status(204, None)


@router.post("/tasks/{int:task_id}/indent", response={200: TaskOut, **ERRORS})
def indent_task(request: HttpRequest, task_id: int) -> Any:
    """Put the task under the task above it at its level."""
    task = _task(request, task_id)
    require(request, "projects.change_task")
    with api_field_names(TASK_API_FIELDS):
        services.task_indent(actor=request.user, task=task)
    return _task(request, task_id)


@router.post("/tasks/{int:task_id}/outdent", response={200: TaskOut, **ERRORS})
def outdent_task(request: HttpRequest, task_id: int) -> Any:
    """Move the task up one level, right after its summary task."""
    task = _task(request, task_id)
    require(request, "projects.change_task")
    with api_field_names(TASK_API_FIELDS):
        services.task_outdent(actor=request.user, task=task)
    return _task(request, task_id)


@router.post("/tasks/{int:task_id}/move", response={200: TaskOut, **ERRORS})
def move_task(request: HttpRequest, task_id: int, payload: MoveIn) -> Any:
    """Move the task under ``parent_id`` (null: top level) at ``position`` among its new siblings."""
    task = _task(request, task_id)
    require(request, "projects.change_task")
    with api_field_names(TASK_API_FIELDS):
        parent = (
            queries.task_by_id(project=task.project, pk=payload.parent_id, field="parent_id")
            if payload.parent_id
            else None
        )
        services.task_move(actor=request.user, task=task, parent=parent, position=payload.position)
    return _task(request, task_id)


# Dependencies ---------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/dependencies", response={200: list[DependencyOut], **ERRORS})
@paginate(PagePagination)
def list_dependencies(request: HttpRequest, project_id: int) -> Any:
    """Dependencies into or out of the project's tasks, cross-project ones included (those into a
    project the caller may not see are left out)."""
    project = load_project(request, project_id)
    return queries.dependency_list(project=project, user=request.user)


@router.post("/projects/{int:project_id}/dependencies", response={201: DependencyOut, **ERRORS})
def create_dependency(request: HttpRequest, project_id: int, payload: DependencyIn) -> Any:
    """Make ``successor_id`` (a task of this project) follow ``predecessor_id``. A cycle, a task of
    another customer's project and other refusals are 422 naming the tasks."""
    project = load_project(request, project_id, "projects.add_taskdependency")
    successor = queries.task_by_id(project=project, pk=payload.successor_id, field="successor_id")
    predecessor = queries.task_for_link(user=request.user, pk=payload.predecessor_id, field="predecessor_id")
    with api_field_names({"predecessor": "predecessor_id", "successor": "successor_id"}):
        dependency = services.dependency_create(
            actor=request.user,
            predecessor=predecessor,
            successor=successor,
            dependency_type=payload.dependency_type,
            lag_days=payload.lag_days,
        )
    return Status(201, queries.dependency_get(user=request.user, pk=dependency.pk))


@router.get("/dependencies/{int:dependency_id}", response={200: DependencyOut, **ERRORS})
def get_dependency(request: HttpRequest, dependency_id: int) -> Any:
    return queries.dependency_get(user=request.user, pk=dependency_id)


@router.patch("/dependencies/{int:dependency_id}", response={200: DependencyOut, **ERRORS})
def update_dependency(request: HttpRequest, dependency_id: int, payload: DependencyPatch) -> Any:
    """Change the type or lag. Dependencies carry no version: the last change wins."""
    dependency = queries.dependency_get(user=request.user, pk=dependency_id)
    require(request, "projects.change_taskdependency")
    data = nulls_refused(payload.model_dump(exclude_unset=True))
    with api_field_names({"predecessor": "predecessor_id", "successor": "successor_id"}):
        services.dependency_update(actor=request.user, dependency=dependency, **data)
    return queries.dependency_get(user=request.user, pk=dependency_id)


@router.delete("/dependencies/{int:dependency_id}", response={204: None, **ERRORS})
def delete_dependency(request: HttpRequest, dependency_id: int) -> Any:
    dependency = queries.dependency_get(user=request.user, pk=dependency_id)
    require(request, "projects.delete_taskdependency")
    services.dependency_delete(actor=request.user, dependency=dependency)
    return Status(204, None)


# Schedule, Gantt, plan settings ---------------------------------------------------------------------


@router.get("/projects/{int:project_id}/schedule", response={200: ScheduleOut, **ERRORS})
def get_schedule(request: HttpRequest, project_id: int) -> Any:
    """The schedule computed now: per task the dates, early/late dates, total and free float and
    critical flags; the critical path(s) as task ids, tasks with negative float, dependencies
    broken by hard constraints, the finish and the calendar years without holiday data."""
    project = load_project(request, project_id)
    return queries.schedule_data(project=project)


@router.get("/projects/{int:project_id}/gantt", response={200: GanttOut, **ERRORS})
def get_gantt(request: HttpRequest, project_id: int, baseline_id: int | None = None) -> Any:
    """The Gantt chart's data (stored dates, WBS order), with ``baseline_id``'s dates as overlay."""
    project = load_project(request, project_id)
    baseline = (
        queries.baseline_get(user=request.user, pk=baseline_id, project=project) if baseline_id else None
    )
    return queries.gantt_data(project=project, baseline=baseline)


@router.patch("/projects/{int:project_id}/plan", response={200: PlanOut, **ERRORS})
def update_plan(request: HttpRequest, project_id: int, payload: PlanPatch) -> Any:
    """Set the project's working calendar (null: China) and status date (null: none); re-schedules."""
    project = load_project(request, project_id, "projects.change_project")
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    if "calendar_id" in data:
        pk = data.pop("calendar_id")
        data["calendar"] = queries.calendar_by_id(pk=pk, field="calendar_id") if pk else None
    return services.project_plan_update(actor=request.user, project=project, version=version, **data)


@router.get("/me/tasks", response={200: list[MyTaskOut], **ERRORS})
@paginate(PagePagination)
def list_my_tasks(request: HttpRequest) -> Any:
    """Open tasks the caller owns or is assigned to, across the projects they may see, by finish."""
    return queries.my_tasks(user=request.user)


# Calendars ------------------------------------------------------------------------------------------


@router.get("/calendars", response={200: list[CalendarOut], **ERRORS})
@paginate(PagePagination)
def list_calendars(request: HttpRequest) -> Any:
    """Working calendars, built-in first, with how many projects use each."""
    require(request, "projects.view_workcalendar")
    return queries.calendar_list()


@router.post("/calendars", response={201: CalendarOut, **ERRORS})
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Any:
    """Add a company calendar (administrators)."""
    require(request, "projects.add_workcalendar")
    calendar = services.calendar_create(actor=request.user, **payload.model_dump())
    return Status(201, queries.calendar_get(pk=calendar.pk))


@router.get("/calendars/{int:calendar_id}", response={200: CalendarOut, **ERRORS})
def get_calendar(request: HttpRequest, calendar_id: int) -> Any:
    require(request, "projects.view_workcalendar")
    return queries.calendar_get(pk=calendar_id)


@router.patch("/calendars/{int:calendar_id}", response={200: CalendarOut, **ERRORS})
def update_calendar(request: HttpRequest, calendar_id: int, payload: CalendarPatch) -> Any:
    """Change a company calendar (a built-in one is 409); the projects on it are re-scheduled."""
    require(request, "projects.view_workcalendar")
    calendar = queries.calendar_get(pk=calendar_id)
    require(request, "projects.change_workcalendar")
    data = nulls_refused(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    services.calendar_update(actor=request.user, calendar=calendar, version=version, **data)
    return queries.calendar_get(pk=calendar_id)


@router.delete("/calendars/{int:calendar_id}", response={204: None, **ERRORS})
def delete_calendar(request: HttpRequest, calendar_id: int, version: int | None = None) -> Any:
    """Delete a company calendar no project uses (409 otherwise)."""
    require(request, "projects.view_workcalendar")
    calendar = queries.calendar_get(pk=calendar_id)
    require(request, "projects.delete_workcalendar")
    services.calendar_delete(actor=request.user, calendar=calendar, version=version)
    return Status(204, None)


# Baselines ------------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/baselines", response={200: list[BaselineOut], **ERRORS})
@paginate(PagePagination)
def list_baselines(request: HttpRequest, project_id: int) -> Any:
    """The project's baselines, newest first."""
    project = load_project(request, project_id)
    return queries.baseline_list(project=project)


@router.post("/projects/{int:project_id}/baselines", response={201: BaselineOut, **ERRORS})
def save_baseline(request: HttpRequest, project_id: int, payload: BaselineIn) -> Any:
    """Save the plan's current dates as a named baseline (at most 10 per project: 409 beyond)."""
    project = load_project(request, project_id, "projects.add_baseline")
    baseline = services.baseline_save(actor=request.user, project=project, name=payload.name)
    return Status(201, queries.baseline_get(user=request.user, pk=baseline.pk))


@router.get("/baselines/{int:baseline_id}", response={200: BaselineOut, **ERRORS})
def get_baseline(request: HttpRequest, baseline_id: int) -> Any:
    return queries.baseline_get(user=request.user, pk=baseline_id)


@router.delete("/baselines/{int:baseline_id}", response={204: None, **ERRORS})
def delete_baseline(request: HttpRequest, baseline_id: int) -> Any:
    baseline = queries.baseline_get(user=request.user, pk=baseline_id)
    require(request, "projects.delete_baseline")
    services.baseline_delete(actor=request.user, baseline=baseline)
    return Status(204, None)


@router.get("/baselines/{int:baseline_id}/variance", response={200: list[VarianceOut], **ERRORS})
@paginate(PagePagination)
def baseline_variance(request: HttpRequest, baseline_id: int, slipped: bool = False) -> Any:
    """Start/finish/duration variance per task in working days (+ = later than the baseline), in
    WBS order; ``slipped=true`` keeps only the tasks finishing later than in the baseline."""
    baseline = queries.baseline_get(user=request.user, pk=baseline_id)
    rows = queries.baseline_variance(baseline=baseline)
    return queries.Rows(row for row in rows if row.slipped) if slipped else queries.Rows(rows)
