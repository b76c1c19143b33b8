"""REST endpoints of the project team under ``/api/v1``: members (open roles included), the RACI
matrix and stakeholders with their power-interest quadrant. Every object is reached through the
project scope (404 outside it) before the permission is checked (403)."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import ContactRef, UserRef
from clientpm.projects.api.common import api_field_names, load_project, nulls_refused
from clientpm.projects.models import ProjectMember, Stakeholder
from clientpm.projects.queries import team as queries
from clientpm.projects.services import team as services

router = Router(tags=["projects"])

API_FIELDS = {"user": "user_id", "contact": "contact_id"}


# Members -------------------------------------------------------------------------------------------


class MemberIn(Schema):
    """A new member; leave ``user_id`` out (or null) for an open role to staff later."""

    user_id: int | None = Field(None, ge=1)
    project_role: str = Field(..., min_length=1, max_length=80)
    allocation_percent: int = Field(100, ge=0, le=100)


class MemberPatch(Schema):
    """A partial update; ``user_id`` staffs an open role (null makes the role open again).

    Members carry no version column: edits are serialised on the server and the last one wins.
    """

    user_id: int | None = Field(None, ge=1)
    project_role: str | None = Field(None, min_length=1, max_length=80)
    allocation_percent: int | None = Field(None, ge=0, le=100)


class MemberOut(Schema):
    id: int
    project_id: int
    user: UserRef | None
    project_role: str
    allocation_percent: int
    is_open_role: bool
    raci_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_is_open_role(obj: ProjectMember) -> bool:
        return obj.user_id is None


def _member_data(data: dict[str, Any]) -> dict[str, Any]:
    if "user_id" in data:
        data["user"] = queries.user_for_team(pk=data.pop("user_id"), field="user_id")
    return data


@router.get("/projects/{int:project_id}/members", response={200: list[MemberOut], **ERRORS})
@paginate(PagePagination)
def list_members(request: HttpRequest, project_id: int) -> Any:
    """The project team, open roles included, with each member's count of RACI cells."""
    project = load_project(request, project_id)
    return queries.member_list(project=project)


@router.post("/projects/{int:project_id}/members", response={201: MemberOut, **ERRORS})
def add_member(request: HttpRequest, project_id: int, payload: MemberIn) -> Any:
    """Add a member (a person once per project, active users only) or an open role."""
    project = load_project(request, project_id, "projects.add_projectmember")
    with api_field_names(API_FIELDS):
        member = services.member_add(
            actor=request.user, project=project, **_member_data(payload.model_dump(exclude_unset=True))
        )
    return Status(201, queries.member_get(user=request.user, pk=member.pk))


@router.patch("/members/{int:member_id}", response={200: MemberOut, **ERRORS})
def update_member(request: HttpRequest, member_id: int, payload: MemberPatch) -> Any:
    """Change a member's role, allocation or person (staffing an open role)."""
    member = queries.member_get(user=request.user, pk=member_id)
    require(request, "projects.change_projectmember")
    data = nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"user_id"}))
    with api_field_names(API_FIELDS):
        services.member_update(actor=request.user, member=member, **_member_data(data))
    return queries.member_get(user=request.user, pk=member_id)


@router.delete("/members/{int:member_id}", response={204: None, **ERRORS})
def remove_member(request: HttpRequest, member_id: int) -> Any:
    """Take a member off the team; their RACI cells go with them."""
    member = queries.member_get(user=request.user, pk=member_id)
    require(request, "projects.delete_projectmember")
    services.member_remove(actor=request.user, member=member)
    return Status(204, None)


# RACI ----------------------------------------------------------------------------------------------


class RaciMemberOut(Schema):
    id: int
    project_role: str
    user: UserRef | None


class RaciCellOut(Schema):
    member_id: int
    role: str | None


class RaciRowOut(Schema):
    deliverable_id: int
    name: str
    assigned: bool
    problems: list[str]
    cells: list[RaciCellOut]


class RaciOut(Schema):
    """Members are the columns; each deliverable row has one cell per member (role null = empty)."""

    members: list[RaciMemberOut]
    rows: list[RaciRowOut]


class RaciCellIn(Schema):
    deliverable_id: int
    member_id: int
    role: Literal["R", "A", "C", "I"] | None = Field(None, description="null clears the cell")


class RaciIn(Schema):
    """The whole grid or only the changed cells; cells not listed keep their letter."""

    cells: list[RaciCellIn] = Field(..., max_length=20_000)


def _raci_out(matrix: queries.RaciMatrix) -> dict[str, Any]:
    return {
        "members": matrix.members,
        "rows": [
            {
                "deliverable_id": row.deliverable.pk,
                "name": row.deliverable.name,
                "assigned": row.assigned,
                "problems": row.problems,
                "cells": [{"member_id": m.pk, "role": letter or None} for m, letter in row.cells],
            }
            for row in matrix.rows
        ],
    }


@router.get("/projects/{int:project_id}/raci", response={200: RaciOut, **ERRORS})
def get_raci(request: HttpRequest, project_id: int) -> Any:
    """The RACI matrix: deliverables × members, with each row's problems (empty when valid)."""
    project = load_project(request, project_id)
    return _raci_out(queries.raci_matrix(project=project))


@router.put("/projects/{int:project_id}/raci", response={200: RaciOut, **ERRORS})
def put_raci(request: HttpRequest, project_id: int, payload: RaciIn) -> Any:
    """Set cells; a row with any letter needs exactly one A and at least one R. Any bad row refuses
    the whole request (422, ``errors.raci`` lists each bad row by deliverable name)."""
    project = load_project(request, project_id, "projects.change_raciassignment")
    cells: dict[tuple[int, int], str | None] = {}
    for cell in payload.cells:
        key = (cell.deliverable_id, cell.member_id)
        if key in cells:
            raise ValidationError(
                {
                    "cells": [
                        _("Deliverable %(deliverable)s and member %(member)s are listed twice.")
                        % {"deliverable": key[0], "member": key[1]}
                    ]
                }
            )
        cells[key] = cell.role
    services.raci_set(actor=request.user, project=project, cells=cells)
    return _raci_out(queries.raci_matrix(project=project))


# Stakeholders --------------------------------------------------------------------------------------


ENGAGEMENT = Literal["unaware", "resistant", "neutral", "supportive", "leading"]
CHANNEL = Literal["email", "phone", "wechat", "meeting", "report"]


class StakeholderIn(Schema):
    """Exactly one of ``contact_id`` (a contact of the project's customer) or ``user_id``."""

    contact_id: int | None = Field(None, ge=1)
    user_id: int | None = Field(None, ge=1)
    role: str = Field("", max_length=120)
    influence: int = Field(3, ge=1, le=5)
    interest: int = Field(3, ge=1, le=5)
    engagement_current: ENGAGEMENT = "neutral"
    engagement_desired: ENGAGEMENT = "supportive"
    communication: CHANNEL = "email"
    notes: str = Field("", max_length=10_000)


class StakeholderPatch(Schema):
    """A partial update; ``version`` is the version the client read and is required. To switch
    between a contact and a user, send the new one and null for the other."""

    version: int = Field(..., ge=1)
    contact_id: int | None = Field(None, ge=1)
    user_id: int | None = Field(None, ge=1)
    role: str | None = Field(None, max_length=120)
    influence: int | None = Field(None, ge=1, le=5)
    interest: int | None = Field(None, ge=1, le=5)
    engagement_current: ENGAGEMENT | None = None
    engagement_desired: ENGAGEMENT | None = None
    communication: CHANNEL | None = None
    notes: str | None = Field(None, max_length=10_000)


class StakeholderOut(Schema):
    id: int
    version: int
    project_id: int
    name: str
    contact: ContactRef | None
    user: UserRef | None
    role: str
    influence: int
    interest: int
    quadrant: str = Field(..., description="manage_closely, keep_satisfied, keep_informed or monitor")
    engagement_current: str
    engagement_desired: str
    engagement_gap: bool = Field(..., description="the current engagement is below the desired one")
    communication: str
    notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_name(obj: Stakeholder) -> str:
        return str(obj)

    @staticmethod
    def resolve_quadrant(obj: Stakeholder) -> str:
        return queries.stakeholder_quadrant(influence=obj.influence, interest=obj.interest).value

    @staticmethod
    def resolve_engagement_gap(obj: Stakeholder) -> bool:
        return queries.engagement_gap(current=obj.engagement_current, desired=obj.engagement_desired)


def _stakeholder_data(project: Any, data: dict[str, Any]) -> dict[str, Any]:
    if "contact_id" in data:
        data["contact"] = queries.contact_for_stakeholder(
            project=project, pk=data.pop("contact_id"), field="contact_id"
        )
    if "user_id" in data:
        data["user"] = queries.user_for_team(pk=data.pop("user_id"), field="user_id")
    return data


@router.get("/projects/{int:project_id}/stakeholders", response={200: list[StakeholderOut], **ERRORS})
@paginate(PagePagination)
def list_stakeholders(request: HttpRequest, project_id: int) -> Any:
    """The project's stakeholders, most influential first, each with its quadrant."""
    project = load_project(request, project_id)
    return queries.stakeholder_list(project=project)


@router.post("/projects/{int:project_id}/stakeholders", response={201: StakeholderOut, **ERRORS})
def create_stakeholder(request: HttpRequest, project_id: int, payload: StakeholderIn) -> Any:
    project = load_project(request, project_id, "projects.add_stakeholder")
    data = _stakeholder_data(project, payload.model_dump(exclude_unset=True))
    with api_field_names(API_FIELDS):
        stakeholder = services.stakeholder_create(actor=request.user, project=project, **data)
    return Status(201, queries.stakeholder_get(user=request.user, pk=stakeholder.pk))


@router.get("/stakeholders/{int:stakeholder_id}", response={200: StakeholderOut, **ERRORS})
def get_stakeholder(request: HttpRequest, stakeholder_id: int) -> Any:
    return queries.stakeholder_get(user=request.user, pk=stakeholder_id)


@router.patch("/stakeholders/{int:stakeholder_id}", response={200: StakeholderOut, **ERRORS})
def update_stakeholder(request: HttpRequest, stakeholder_id: int, payload: StakeholderPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    stakeholder = queries.stakeholder_get(user=request.user, pk=stakeholder_id)
    require(request, "projects.change_stakeholder")
    data = nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"contact_id", "user_id"}))
    version = data.pop("version")
    data = _stakeholder_data(stakeholder.project, data)
    with api_field_names(API_FIELDS):
        services.stakeholder_update(actor=request.user, stakeholder=stakeholder, version=version, **data)
    return queries.stakeholder_get(user=request.user, pk=stakeholder_id)


@router.delete("/stakeholders/{int:stakeholder_id}", response={204: None, **ERRORS})
def delete_stakeholder(request: HttpRequest, stakeholder_id: int, version: int | None = None) -> Any:
    stakeholder = queries.stakeholder_get(user=request.user, pk=stakeholder_id)
    require(request, "projects.delete_stakeholder")
    services.stakeholder_delete(actor=request.user, stakeholder=stakeholder, version=version)
    return Status(204, None)
