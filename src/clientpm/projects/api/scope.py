"""REST endpoints of a project's scope under ``/api/v1``: scope items, milestones, deliverables and
the deliverable acceptance flow. Every object loads through the caller's project scope (404
outside it) before the permission is checked (403)."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import ContactRef, UserRef
from clientpm.projects.api.common import load_project, nulls_refused
from clientpm.projects.models import (
    Deliverable,
    DeliverableStatus,
    MilestoneStatus,
    Project,
    ScopeKind,
)
from clientpm.projects.queries import scope as queries
from clientpm.projects.services import scope as services

router = Router(tags=["projects"])

KindValue = Literal[tuple(ScopeKind.values)]  # type: ignore[valid-type]
MilestoneStatusValue = Literal[tuple(MilestoneStatus.values)]  # type: ignore[valid-type]
DeliverableStatusValue = Literal[tuple(DeliverableStatus.values)]  # type: ignore[valid-type]


# Schemas --------------------------------------------------------------------------------------------


class NamedRef(Schema):
    id: int
    name: str


class DeliverableRef(Schema):
    id: int
    name: str
    status: str


class ScopeItemIn(Schema):
    kind: KindValue
    text: str = Field(..., min_length=1, max_length=500)
    position: int | None = Field(None, ge=0, description="0 = first; default: after the last of its kind")


class ScopeItemPatch(Schema):
    """A partial update. Scope items carry no version: they are single lines, not shared records."""

    kind: KindValue | None = None
    text: str | None = Field(None, min_length=1, max_length=500)
    position: int | None = Field(None, ge=0, description="Move the item here in its list (0 = first)")


class ScopeItemOut(Schema):
    id: int
    project_id: int
    kind: str
    text: str
    position: int
    created_at: datetime
    updated_at: datetime


class MilestoneIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    due_date: date
    status: MilestoneStatusValue = MilestoneStatus.PLANNED
    achieved_date: date | None = Field(None, description="Default today when the status is achieved")


class MilestonePatch(Schema):
    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    due_date: date | None = None
    status: MilestoneStatusValue | None = None
    achieved_date: date | None = None


class MilestoneOut(Schema):
    id: int
    project_id: int
    version: int
    name: str
    description: str
    due_date: date
    status: str
    achieved_date: date | None
    is_late: bool
    deliverables: list[DeliverableRef]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_deliverables(obj: Any) -> list[object]:
        return list(obj.deliverables.all())


class DeliverableIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    owner_id: int | None = Field(None, ge=1)
    due_date: date | None = None
    acceptance_criteria: str = Field("", max_length=10_000)
    milestone_id: int | None = Field(None, ge=1)


class DeliverablePatch(Schema):
    """A partial update; null clears ``owner_id``, ``due_date`` and ``milestone_id``. The status
    changes only through ``POST /deliverables/{id}/transition``."""

    model_config = ConfigDict(extra="forbid")  # a "status" here would otherwise be silently ignored

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    owner_id: int | None = None
    due_date: date | None = None
    acceptance_criteria: str | None = Field(None, max_length=10_000)
    milestone_id: int | None = None


class DeliverableOut(Schema):
    id: int
    project_id: int
    version: int
    name: str
    description: str
    owner: UserRef | None
    due_date: date | None
    acceptance_criteria: str
    milestone: NamedRef | None
    status: str
    next_statuses: list[str]
    submitted_at: datetime | None
    accepted_at: datetime | None
    waiver_reason: str
    is_late: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_next_statuses(obj: Deliverable) -> list[str]:
        return list(services.deliverable_next_statuses(obj.status))


class TransitionIn(Schema):
    """One step of the acceptance flow. Accepting or rejecting names the customer-side reviewer
    (``reviewer_contact_id`` of the project's customer, or ``reviewer_name``); rejecting needs a
    ``comment``; waiving needs a ``waiver_reason``."""

    to_status: DeliverableStatusValue
    version: int = Field(..., ge=1)
    reviewer_contact_id: int | None = Field(None, ge=1)
    reviewer_name: str = Field("", max_length=100)
    comment: str = Field("", max_length=10_000)
    waiver_reason: str = Field("", max_length=10_000)
    reviewed_at: datetime | None = Field(None, description="When it happened; default now")


class ReviewOut(Schema):
    id: int
    deliverable_id: int
    outcome: str
    reviewer_contact: ContactRef | None
    reviewer_name: str
    comment: str
    reviewed_at: datetime
    recorded_by: UserRef | None


# Helpers --------------------------------------------------------------------------------------------


def _deliverable_relations(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``owner_id``/``milestone_id`` into rows; unknown ids are 422 on the id field."""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = users_by_ids([owner_id], "owner_id")[0] if owner_id else None
    if "milestone_id" in data:
        milestone_id = data.pop("milestone_id")
        data["milestone"] = (
            queries.project_milestone(project=project, pk=milestone_id, field="milestone_id")
            if milestone_id
            else None
        )
    return data


# Scope items ----------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/scope-items", response={200: list[ScopeItemOut], **ERRORS})
@paginate(PagePagination)
def list_scope_items(request: HttpRequest, project_id: int, kind: KindValue | None = None) -> Any:
    """The project's scope items: in scope first, each list in its order."""
    project = load_project(request, project_id)
    return queries.scope_item_list(project=project, kind=kind)


@router.post("/projects/{int:project_id}/scope-items", response={201: ScopeItemOut, **ERRORS})
def create_scope_item(request: HttpRequest, project_id: int, payload: ScopeItemIn) -> Any:
    """Add an in-scope or out-of-scope line, at ``position`` or after the last of its kind."""
    project = load_project(request, project_id, "projects.add_scopeitem")
    item = services.scope_item_create(actor=request.user, project=project, **payload.model_dump())
    return Status(201, item)


@router.patch("/scope-items/{int:item_id}", response={200: ScopeItemOut, **ERRORS})
def update_scope_item(request: HttpRequest, item_id: int, payload: ScopeItemPatch) -> Any:
    """Change the text or list of an item, or move it (``position``) within its list."""
    item = queries.scope_item_get(user=request.user, pk=item_id)
    require(request, "projects.change_scopeitem")
    data = nulls_refused(payload.model_dump(exclude_unset=True))
    return services.scope_item_update(actor=request.user, item=item, **data)


@router.delete("/scope-items/{int:item_id}", response={204: None, **ERRORS})
def delete_scope_item(request: HttpRequest, item_id: int) -> Any:
    item = queries.scope_item_get(user=request.user, pk=item_id)
    require(request, "projects.delete_scopeitem")
    services.scope_item_delete(actor=request.user, item=item)
    return Status(204, None)


# Milestones -----------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/milestones", response={200: list[MilestoneOut], **ERRORS})
@paginate(PagePagination)
def list_milestones(request: HttpRequest, project_id: int) -> Any:
    """The project's milestones by date, with the late flag and linked deliverables."""
    project = load_project(request, project_id)
    return queries.milestone_list(project=project)


@router.post("/projects/{int:project_id}/milestones", response={201: MilestoneOut, **ERRORS})
def create_milestone(request: HttpRequest, project_id: int, payload: MilestoneIn) -> Any:
    project = load_project(request, project_id, "projects.add_milestone")
    milestone = services.milestone_create(actor=request.user, project=project, **payload.model_dump())
    return Status(201, queries.milestone_get(user=request.user, pk=milestone.pk))


@router.get("/milestones/{int:milestone_id}", response={200: MilestoneOut, **ERRORS})
def get_milestone(request: HttpRequest, milestone_id: int) -> Any:
    return queries.milestone_get(user=request.user, pk=milestone_id)


@router.patch("/milestones/{int:milestone_id}", response={200: MilestoneOut, **ERRORS})
def update_milestone(request: HttpRequest, milestone_id: int, payload: MilestonePatch) -> Any:
    """Change some fields; ``status: achieved`` without ``achieved_date`` records today.
    Send the ``version`` you read, or get 409 if someone saved in between."""
    milestone = queries.milestone_get(user=request.user, pk=milestone_id)
    require(request, "projects.change_milestone")
    data = nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"achieved_date"}))
    version = data.pop("version")
    services.milestone_update(actor=request.user, milestone=milestone, version=version, **data)
    return queries.milestone_get(user=request.user, pk=milestone_id)


@router.delete("/milestones/{int:milestone_id}", response={204: None, **ERRORS})
def delete_milestone(request: HttpRequest, milestone_id: int, version: int | None = None) -> Any:
    """Delete a milestone; its deliverables stay, unlinked."""
    milestone = queries.milestone_get(user=request.user, pk=milestone_id)
    require(request, "projects.delete_milestone")
    services.milestone_delete(actor=request.user, milestone=milestone, version=version)
    return Status(204, None)


# Deliverables ---------------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/deliverables", response={200: list[DeliverableOut], **ERRORS})
@paginate(PagePagination)
def list_deliverables(request: HttpRequest, project_id: int) -> Any:
    """The project's deliverables with status, the allowed next statuses and the late flag."""
    project = load_project(request, project_id)
    return queries.deliverable_list(project=project)


@router.post("/projects/{int:project_id}/deliverables", response={201: DeliverableOut, **ERRORS})
def create_deliverable(request: HttpRequest, project_id: int, payload: DeliverableIn) -> Any:
    """Add a deliverable (status planned); ``milestone_id`` must be a milestone of this project."""
    project = load_project(request, project_id, "projects.add_deliverable")
    data = _deliverable_relations(project, payload.model_dump(exclude_unset=True))
    deliverable = services.deliverable_create(actor=request.user, project=project, **data)
    return Status(201, queries.deliverable_get(user=request.user, pk=deliverable.pk))


@router.get("/deliverables/{int:deliverable_id}", response={200: DeliverableOut, **ERRORS})
def get_deliverable(request: HttpRequest, deliverable_id: int) -> Any:
    return queries.deliverable_get(user=request.user, pk=deliverable_id)


@router.patch("/deliverables/{int:deliverable_id}", response={200: DeliverableOut, **ERRORS})
def update_deliverable(request: HttpRequest, deliverable_id: int, payload: DeliverablePatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    deliverable = queries.deliverable_get(user=request.user, pk=deliverable_id)
    require(request, "projects.change_deliverable")
    nullable = frozenset({"owner_id", "due_date", "milestone_id"})
    data = _deliverable_relations(
        deliverable.project, nulls_refused(payload.model_dump(exclude_unset=True), nullable)
    )
    version = data.pop("version")
    services.deliverable_update(actor=request.user, deliverable=deliverable, version=version, **data)
    return queries.deliverable_get(user=request.user, pk=deliverable_id)


@router.delete("/deliverables/{int:deliverable_id}", response={204: None, **ERRORS})
def delete_deliverable(request: HttpRequest, deliverable_id: int, version: int | None = None) -> Any:
    """Delete a deliverable and its history; an accepted one is refused (409)."""
    deliverable = queries.deliverable_get(user=request.user, pk=deliverable_id)
    require(request, "projects.delete_deliverable")
    services.deliverable_delete(actor=request.user, deliverable=deliverable, version=version)
    return Status(204, None)


@router.post("/deliverables/{int:deliverable_id}/transition", response={200: DeliverableOut, **ERRORS})
def transition_deliverable(request: HttpRequest, deliverable_id: int, payload: TransitionIn) -> Any:
    """Move the deliverable one step (start, submit, accept, reject, rework, waive). A step the
    current status does not allow is 409 naming both statuses; each review step is kept in
    ``GET /deliverables/{id}/reviews``."""
    deliverable = queries.deliverable_get(user=request.user, pk=deliverable_id)
    require(request, "projects.change_deliverable")
    contact = (
        queries.review_contact(
            project=deliverable.project, pk=payload.reviewer_contact_id, field="reviewer_contact_id"
        )
        if payload.reviewer_contact_id
        else None
    )
    services.deliverable_transition(
        actor=request.user,
        deliverable=deliverable,
        to_status=payload.to_status,
        version=payload.version,
        reviewer_contact=contact,
        reviewer_name=payload.reviewer_name,
        comment=payload.comment,
        waiver_reason=payload.waiver_reason,
        reviewed_at=payload.reviewed_at,
    )
    return queries.deliverable_get(user=request.user, pk=deliverable_id)


@router.get("/deliverables/{int:deliverable_id}/reviews", response={200: list[ReviewOut], **ERRORS})
@paginate(PagePagination)
def list_deliverable_reviews(request: HttpRequest, deliverable_id: int) -> Any:
    """The deliverable's acceptance history, newest first."""
    deliverable = queries.deliverable_get(user=request.user, pk=deliverable_id)
    return queries.deliverable_review_list(deliverable=deliverable)
