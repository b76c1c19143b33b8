"""REST endpoints of the interchange app under ``/api/v1``: import a Microsoft Project XML (MSPDI)
file into a project or into a new project of a customer (multipart upload, 201 with the import
summary; 422 with the reason on ``file`` for a refused file), read an import's summary, and
export a project's plan as MSPDI. The project or customer is loaded through the caller's scope
(404) before the permission is checked (403)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from clientpm.core.api import ERRORS, require
from clientpm.customers.queries import customer_get
from clientpm.customers.schemas import UserRef
from clientpm.interchange import queries
from clientpm.interchange.models import PlanImport
from clientpm.interchange.report import summary_items
from clientpm.interchange.services import plan_import
from clientpm.projects.api.common import load_project

router = Router(tags=["interchange"])


class ReportItemOut(Schema):
    code: str = Field(..., description="Stable message code (see docs/interchange.md)")
    severity: str = Field(
        ..., description="warning: approximated or not imported; info: nothing the plan needs"
    )
    message: str = Field(..., description="The code as a sentence in the caller's language")
    element: str = Field(..., description="Where in the file, e.g. Task/Notes")
    uids: list[int] = Field(..., description="UIDs of the file's elements concerned")
    count: int
    detail: str = Field(
        ..., description="Raw values from the file, or the exact figure behind an approximation"
    )
    params: dict[str, Any] = {}


class PlanImportOut(Schema):
    id: int
    project_id: int
    project_code: str
    file_name: str
    file_size: int
    created_project: bool
    imported_by: UserRef | None
    created_at: datetime
    counts: dict[str, Any] = Field(
        ...,
        description="tasks, dependencies, resources (created), resources_matched, assignments, calendars "
        "(created), baselines, baseline_tasks, calendar (the name of the project's calendar), warnings",
    )
    warning_count: int
    items: list[ReportItemOut]


class NewProjectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="Default: the file's project title")


def _summary(row: PlanImport) -> dict[str, Any]:
    return {
        "id": row.pk,
        "project_id": row.project_id,
        "project_code": row.project.code,
        "file_name": row.file_name,
        "file_size": row.file_size,
        "created_project": row.created_project,
        "imported_by": row.imported_by,
        "created_at": row.created_at,
        "counts": row.counts,
        "warning_count": row.warning_count,
        "items": summary_items(row.report),
    }


def _file(file: UploadedFile | None) -> UploadedFile:
    if file is None:
        raise ValidationError({"file": [_("Choose a Microsoft Project XML file.")]})
    return file


@router.post("/projects/{int:project_id}/mspdi", response={201: PlanImportOut, **ERRORS})
def import_into_project(request: HttpRequest, project_id: int, file: File[UploadedFile | None] = None) -> Any:
    """Add the tasks of an MSPDI file to the project, after its own (see ``docs/interchange.md``).
    A closed or cancelled project is 409; nothing is imported on any error."""
    project = load_project(request, project_id, "projects.add_task")
    done = plan_import(actor=request.user, source=_file(file), project=project)
    return Status(201, _summary(queries.plan_import_get(user=request.user, pk=done.pk)))


@router.post("/customers/{int:customer_id}/mspdi-import", response={201: PlanImportOut, **ERRORS})
def import_new_project(
    request: HttpRequest,
    customer_id: int,
    payload: Form[NewProjectIn],
    file: File[UploadedFile | None] = None,
) -> Any:
    """Open a project for the customer from an MSPDI file (the caller manages it); ``name`` defaults
    to the file's project title."""
    customer = customer_get(user=request.user, pk=customer_id)
    require(request, "projects.add_project")
    require(request, "projects.add_task")
    done = plan_import(actor=request.user, source=_file(file), customer=customer, name=payload.name)
    return Status(201, _summary(queries.plan_import_get(user=request.user, pk=done.pk)))


@router.get("/plan-imports/{int:import_id}", response={200: PlanImportOut, **ERRORS})
def get_plan_import(request: HttpRequest, import_id: int) -> Any:
    """An import's summary: the counts and every report item, in the caller's language."""
    row = queries.plan_import_get(user=request.user, pk=import_id)
    require(request, "projects.view_task")
    return _summary(row)


@router.get("/projects/{int:project_id}/mspdi", response={200: None, **ERRORS})
def export_project(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's plan as a Microsoft Project XML file (``<project code>.xml``)."""
    project = load_project(request, project_id, "projects.view_task")
    response = HttpResponse(queries.plan_export(project), content_type=queries.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, queries.export_file_name(project))
    return response
