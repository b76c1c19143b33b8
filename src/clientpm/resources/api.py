"""REST endpoints of resources under ``/api/v1``: the resources (company-wide), a project's
assignments, its resource load and its resource leveling (preview, then apply). Assignments are
reached through the caller's project scope (404 outside it) before the permission is checked (403);
refusals are 422 next to the field or 409."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import UserRef
from clientpm.projects.api.common import api_field_names, load_project, nulls_refused
from clientpm.projects.queries.plan import task_by_id
from clientpm.resources import leveling, queries, services
from clientpm.resources.filters import KindValue, ResourceFilters
from clientpm.resources.models import ResourceKind

router = Router(tags=["resources"])

RESOURCE_API_FIELDS = {"user": "user_id"}
ASSIGNMENT_API_FIELDS = {"task": "task_id", "resource": "resource_id"}
Units = Decimal


# Schemas --------------------------------------------------------------------------------------------


class ResourceOut(Schema):
    id: int
    version: int
    name: str
    kind: str
    user: UserRef | None
    capacity_units: float = Field(..., description="Units available per working day")
    is_active: bool
    notes: str
    assignment_count: int = 0
    project_count: int = 0
    created_at: datetime
    updated_at: datetime


class ResourceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=120)
    kind: KindValue = ResourceKind.PERSON
    user_id: int | None = Field(None, ge=1, description="The clientpm user this person is")
    capacity_units: Units = Field(
        Decimal("1"), max_digits=7, decimal_places=2, description="Units per working day"
    )
    is_active: bool = True
    notes: str = Field("", max_length=5000)


class ResourcePatch(Schema):
    """A partial update; send the ``version`` you read. Null clears ``user_id``."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: KindValue | None = None
    user_id: int | None = Field(None, ge=1)
    capacity_units: Units | None = Field(None, max_digits=7, decimal_places=2)
    is_active: bool | None = None
    notes: str | None = Field(None, max_length=5000)


class ResourceRef(Schema):
    id: int
    name: str
    kind: str
    capacity_units: float


class AssignmentTaskRef(Schema):
    id: int
    project_id: int
    wbs_code: str
    name: str
    start_date: date | None
    finish_date: date | None


class AssignmentOut(Schema):
    id: int
    task: AssignmentTaskRef
    resource: ResourceRef
    units: float = Field(..., description="Units of the resource per working day of the task")
    created_at: datetime
    updated_at: datetime


class AssignmentIn(Schema):
    """``task_id`` must be a leaf task of the project in the URL."""

    model_config = ConfigDict(extra="forbid")

    task_id: int = Field(..., ge=1)
    resource_id: int = Field(..., ge=1)
    units: Units = Field(Decimal("1"), max_digits=7, decimal_places=2)


class AssignmentPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    resource_id: int | None = Field(None, ge=1)
    units: Units | None = Field(None, max_digits=7, decimal_places=2)


class OverAllocationOut(Schema):
    resource_id: int
    resource_name: str
    first_date: date
    last_date: date
    working_days: int
    peak: float
    capacity: float


class ResourceLoadOut(Schema):
    resource_id: int
    name: str
    kind: str
    capacity_units: float
    demand: list[float] = Field(..., description="This project's demand per day of ``days``")
    other_demand: list[float] = Field(..., description="The other projects' demand per day of ``days``")
    over: list[bool] = Field(..., description="Days on which the two together exceed the capacity")
    over_days: int
    peak: float

    @staticmethod
    def resolve_resource_id(obj: queries.ResourceLoad) -> int:
        return obj.resource.pk

    @staticmethod
    def resolve_name(obj: queries.ResourceLoad) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_kind(obj: queries.ResourceLoad) -> str:
        return obj.resource.kind

    @staticmethod
    def resolve_capacity_units(obj: queries.ResourceLoad) -> float:
        return float(obj.capacity)


class ProjectLoadOut(Schema):
    project_id: int
    calendar: str
    start: date | None
    finish: date | None
    days: list[date] = Field(..., description="The working days of the project's scheduled span")
    resources: list[ResourceLoadOut]
    over_allocations: list[OverAllocationOut]


class LevelingPreviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["fast", "optimal"] = Field(
        "fast", description="fast: the heuristic; optimal: CP-SAT with a lower bound and gap"
    )
    time_limit: int = Field(
        5, ge=1, le=leveling.MAX_OPTIMAL_SECONDS, description="Seconds the optimising mode may run"
    )


class LevelingMoveOut(Schema):
    task_id: int
    wbs_code: str
    name: str
    start_date: date
    finish_date: date
    leveled_start_date: date
    leveled_finish_date: date
    delay_days: int = Field(..., description="Working days the task starts later")
    by_resource: bool = Field(
        ..., description="A resource holds it back (else it follows a predecessor that moved)"
    )


class LevelingPreviewOut(Schema):
    project_id: int
    mode: str
    method: str = Field(..., description="heuristic or cp-sat")
    status: str = Field(..., description="optimal (proven) or feasible")
    finish_date: date | None = Field(..., description="The project's current finish")
    leveled_finish_date: date | None
    finish_delay_days: int
    makespan_days: int
    lower_bound_days: int = Field(..., description="No schedule can be shorter (working days)")
    gap: float = Field(..., description="(makespan − lower bound) / makespan; 0 = proven optimal")
    seconds: float
    tasks: int
    resources: int
    moves: list[LevelingMoveOut]
    conflicts: list[str] = Field(..., description="Date constraints the leveled plan would break")
    notes: list[str] = Field(
        ..., description="Resources that tasks which cannot move already overload (planned around)"
    )
    token: str = Field(..., description="Send it back to apply; refused (409) once the plan changed")


class LevelingStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    task_id: int = Field(..., ge=1)
    start_date: date


class LevelingApplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts: list[LevelingStartIn] = Field(..., max_length=100_000)
    token: str = Field(..., min_length=1, max_length=100)


class LevelingAppliedOut(Schema):
    project_id: int
    finish_date: date | None = Field(..., description="The project's finish after re-scheduling")
    tasks_moved: int
    constraints_set: int = Field(..., description="Tasks that got a start-no-earlier-than constraint")


# Helpers --------------------------------------------------------------------------------------------


def _resource_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "user_id" in data:
        user_id = data.pop("user_id")
        data["user"] = users_by_ids([user_id], "user_id")[0] if user_id else None
    return data


# Resources ------------------------------------------------------------------------------------------


@router.get("/resources", response={200: list[ResourceOut], **ERRORS})
@paginate(PagePagination)
def list_resources(request: HttpRequest, filters: Query[ResourceFilters]) -> Any:
    """Resources, filtered and sorted, with how many assignments and projects need each."""
    require(request, "resources.view_resource")
    return queries.resource_list(filters=filters)


@router.post("/resources", response={201: ResourceOut, **ERRORS})
def create_resource(request: HttpRequest, payload: ResourceIn) -> Any:
    """Add a person, team or equipment with a capacity in units per working day."""
    require(request, "resources.add_resource")
    data = _resource_fields(payload.model_dump())
    with api_field_names(RESOURCE_API_FIELDS):
        resource = services.resource_create(actor=request.user, **data)
    return Status(201, queries.resource_get(pk=resource.pk))


@router.get("/resources/{int:resource_id}", response={200: ResourceOut, **ERRORS})
def get_resource(request: HttpRequest, resource_id: int) -> Any:
    require(request, "resources.view_resource")
    return queries.resource_get(pk=resource_id)


@router.patch("/resources/{int:resource_id}", response={200: ResourceOut, **ERRORS})
def update_resource(request: HttpRequest, resource_id: int, payload: ResourcePatch) -> Any:
    """Change some fields; a capacity below the units a task needs is 422 naming the tasks; send
    the ``version`` you read (409 if stale)."""
    require(request, "resources.view_resource")
    resource = queries.resource_get(pk=resource_id)
    require(request, "resources.change_resource")
    data = nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"user_id"}))
    version = data.pop("version")
    with api_field_names(RESOURCE_API_FIELDS):
        services.resource_update(
            actor=request.user, resource=resource, version=version, **_resource_fields(data)
        )
    return queries.resource_get(pk=resource_id)


@router.delete("/resources/{int:resource_id}", response={204: None, **ERRORS})
def delete_resource(request: HttpRequest, resource_id: int, version: int | None = None) -> Any:
    """Delete a resource no task needs (409 naming the tasks otherwise)."""
    require(request, "resources.view_resource")
    resource = queries.resource_get(pk=resource_id)
    require(request, "resources.delete_resource")
    services.resource_delete(actor=request.user, resource=resource, version=version)
    return Status(204, None)


# Assignments ----------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/assignments", response={200: list[AssignmentOut], **ERRORS})
@paginate(PagePagination)
def list_assignments(request: HttpRequest, project_id: int) -> Any:
    """The project's assignments in WBS order of their tasks."""
    project = load_project(request, project_id, "resources.view_assignment")
    return queries.assignment_list(project=project)


@router.post("/projects/{int:project_id}/assignments", response={201: AssignmentOut, **ERRORS})
def create_assignment(request: HttpRequest, project_id: int, payload: AssignmentIn) -> Any:
    """Make a leaf task of the project need ``units`` of a resource per working day. A summary
    task, an inactive resource, a resource already on the task, units of 0 or more than the
    resource's capacity are 422; a closed project is 409."""
    project = load_project(request, project_id, "resources.add_assignment")
    with api_field_names(ASSIGNMENT_API_FIELDS):
        task = task_by_id(project=project, pk=payload.task_id, field="task")
        resource = queries.resource_by_id(pk=payload.resource_id, field="resource")
        assignment = services.assignment_create(
            actor=request.user, task=task, resource=resource, units=payload.units
        )
    return Status(201, queries.assignment_get(user=request.user, pk=assignment.pk))


@router.get("/assignments/{int:assignment_id}", response={200: AssignmentOut, **ERRORS})
def get_assignment(request: HttpRequest, assignment_id: int) -> Any:
    assignment = queries.assignment_get(user=request.user, pk=assignment_id)
    require(request, "resources.view_assignment")
    return assignment


@router.patch("/assignments/{int:assignment_id}", response={200: AssignmentOut, **ERRORS})
def update_assignment(request: HttpRequest, assignment_id: int, payload: AssignmentPatch) -> Any:
    """Change the resource or the units. Assignments carry no version: the last change wins."""
    assignment = queries.assignment_get(user=request.user, pk=assignment_id)
    require(request, "resources.change_assignment")
    data = nulls_refused(payload.model_dump(exclude_unset=True))
    with api_field_names(ASSIGNMENT_API_FIELDS):
        if "resource_id" in data:
            data["resource"] = queries.resource_by_id(pk=data.pop("resource_id"), field="resource")
        services.assignment_update(actor=request.user, assignment=assignment, **data)
    return queries.assignment_get(user=request.user, pk=assignment_id)


@router.delete("/assignments/{int:assignment_id}", response={204: None, **ERRORS})
def delete_assignment(request: HttpRequest, assignment_id: int) -> Any:
    assignment = queries.assignment_get(user=request.user, pk=assignment_id)
    require(request, "resources.delete_assignment")
    services.assignment_delete(actor=request.user, assignment=assignment)
    return Status(204, None)


# Load -----------------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/resource-load", response={200: ProjectLoadOut, **ERRORS})
def get_resource_load(request: HttpRequest, project_id: int) -> Any:
    """Each resource's demand per working day over the project's scheduled span — from this project
    and, separately, from its other projects — its capacity, and the runs of days over capacity."""
    project = load_project(request, project_id, "resources.view_assignment")
    load = queries.project_resource_load(project=project)
    return {
        "project_id": load.project_id,
        "calendar": load.calendar,
        "start": load.start,
        "finish": load.finish,
        "days": load.days,
        "resources": load.resources,
        "over_allocations": load.over_allocations,
    }


# Leveling -------------------------------------------------------------------------------------------

LEVELING_PERMS = ("resources.change_assignment", "projects.change_task")


@router.post("/projects/{int:project_id}/leveling/preview", response={200: LevelingPreviewOut, **ERRORS})
def preview_leveling(request: HttpRequest, project_id: int, payload: LevelingPreviewIn) -> Any:
    """What leveling the project's resources would move — nothing is saved. ``fast`` runs the
    heuristic; ``optimal`` runs CP-SAT for up to ``time_limit`` seconds and reports its lower bound
    and gap. A demand above a capacity is 422 naming the task and the resource; a closed project 409.
    It needs the permissions of the change it prepares."""
    project = load_project(request, project_id, LEVELING_PERMS[0])
    require(request, LEVELING_PERMS[1])
    return queries.leveling_preview(project=project, mode=payload.mode, time_limit=payload.time_limit)


@router.post("/projects/{int:project_id}/leveling/apply", response={200: LevelingAppliedOut, **ERRORS})
def apply_leveling(request: HttpRequest, project_id: int, payload: LevelingApplyIn) -> Any:
    """Save a preview's leveled starts as the plan (start-no-earlier-than constraints, one
    re-schedule). 409 when the plan changed since the preview (its ``token``) or a closed project;
    422 on ``starts`` for unknown or started tasks and starts that break a dependency or a capacity."""
    project = load_project(request, project_id, LEVELING_PERMS[0])
    require(request, LEVELING_PERMS[1])
    starts: dict[int, date] = {}
    for item in payload.starts:
        if starts.setdefault(item.task_id, item.start_date) != item.start_date:
            raise ValidationError(
                {"starts": [_("Task %(id)d is listed twice with different dates.") % {"id": item.task_id}]}
            )
    applied = services.leveling_apply(actor=request.user, project=project, starts=starts, token=payload.token)
    return {
        "project_id": applied.project_id,
        "finish_date": applied.finish_date,
        "tasks_moved": applied.tasks_moved,
        "constraints_set": applied.constraints_set,
    }
