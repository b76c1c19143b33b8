"""REST endpoints of project records under ``/api/v1``: documents with versions and their archiving,
the closeout (final evaluation, goal evaluations, customer sign-off) and lessons learned with the
cross-project knowledge base. Every object loads through the caller's project scope (404 outside
it) before the permission is checked (403). Uploads are ``multipart/form-data``."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import ContactRef, UserRef
from clientpm.projects.api.common import load_project, nulls_refused
from clientpm.projects.models import (
    Closeout,
    Document,
    DocumentCategory,
    DocumentVersion,
    GoalOutcome,
    LessonCategory,
    Project,
)
from clientpm.projects.queries import closeout as closeout_queries
from clientpm.projects.queries import documents as document_queries
from clientpm.projects.services import closeout as closeout_services
from clientpm.projects.services import documents as document_services

router = Router(tags=["projects"])

CategoryValue = Literal[tuple(DocumentCategory.values)]  # type: ignore[valid-type]
LessonCategoryValue = Literal[tuple(LessonCategory.values)]  # type: ignore[valid-type]
OutcomeValue = Literal[tuple(GoalOutcome.values)]  # type: ignore[valid-type]


# Schemas --------------------------------------------------------------------------------------------


class ProjectRef(Schema):
    id: int
    code: str
    name: str


class DocumentVersionOut(Schema):
    number: int
    original_name: str
    size_bytes: int
    content_type: str
    sha256: str
    note: str
    uploaded_by: UserRef | None
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: DocumentVersion) -> str:
        return reverse(
            "api:document-version-download", kwargs={"document_id": obj.document_id, "number": obj.number}
        )


class DocumentOut(Schema):
    id: int
    project_id: int
    version: int
    title: str
    category: str
    description: str
    latest_number: int
    versions: list[DocumentVersionOut] = Field(description="Newest first")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_versions(obj: Document) -> list[DocumentVersion]:
        return list(obj.versions.all())


class DocumentIn(Schema):
    """The form fields of an upload; the file itself is the ``file`` part. The documents service
    checks them (so its errors name these fields): ``title`` is required, ``category`` one of
    contract, requirements, design, minutes, report, acceptance, other."""

    title: str = Field("", description="Required, at most 200 characters")
    category: str = Field(DocumentCategory.OTHER, json_schema_extra={"enum": list(DocumentCategory.values)})
    description: str = ""
    note: str = Field("", description="About this version, at most 300 characters")


class DocumentVersionIn(Schema):
    note: str = Field("", description="What changed in this version, at most 300 characters")
    version: str = Field("", description="The document's version you read (stale → 409)")


class ArchiveIn(Schema):
    version: int = Field(..., ge=1, description="The project's version you read (stale → 409)")


class ArchiveOut(Schema):
    id: int
    code: str
    phase: str
    version: int
    documents_archived_at: datetime | None


class GoalEvaluationIn(Schema):
    outcome: OutcomeValue
    actual_value: Decimal | None = Field(None, max_digits=16, decimal_places=4)
    note: str = Field("", max_length=10_000)


class GoalEvaluationOut(Schema):
    goal_id: int
    outcome: str
    actual_value: Decimal | None
    note: str
    evaluated_by: UserRef | None
    updated_at: datetime


class GoalFinalOut(Schema):
    goal_id: int
    statement: str
    metric: str
    unit: str
    target_value: Decimal | None
    evaluation: GoalEvaluationOut | None


class CloseoutOut(Schema):
    project_id: int
    version: int
    allowed: bool = Field(description="Whether the closeout may be recorded now (execution phase on)")
    overall_rating: int | None
    summary: str
    evaluated_by: UserRef | None
    evaluated_at: datetime | None
    no_lessons: bool
    signoff_contact: ContactRef | None
    signoff_date: date | None
    signoff_note: str
    goals: list[GoalFinalOut]


class CloseoutIn(Schema):
    """Fields left out keep their value; null clears ``overall_rating``, ``signoff_contact_id`` and
    ``signoff_date``. The evaluation is done once both rating and summary are given."""

    version: int = Field(..., ge=1, description="The closeout version you read (1 before the first save)")
    overall_rating: int | None = Field(None, ge=1, le=5)
    summary: str | None = Field(None, max_length=20_000)
    no_lessons: bool | None = None
    signoff_contact_id: int | None = Field(None, ge=1)
    signoff_date: date | None = None
    signoff_note: str | None = Field(None, max_length=10_000)


class LessonIn(Schema):
    category: LessonCategoryValue
    what_happened: str = Field(..., min_length=1, max_length=20_000)
    impact: str = Field("", max_length=20_000)
    recommendation: str = Field(..., min_length=1, max_length=20_000)


class LessonPatch(Schema):
    version: int = Field(..., ge=1)
    category: LessonCategoryValue | None = None
    what_happened: str | None = Field(None, min_length=1, max_length=20_000)
    impact: str | None = Field(None, max_length=20_000)
    recommendation: str | None = Field(None, min_length=1, max_length=20_000)


class LessonOut(Schema):
    id: int
    project: ProjectRef
    version: int
    category: str
    what_happened: str
    impact: str
    recommendation: str
    recorded_by: UserRef | None
    created_at: datetime
    updated_at: datetime


# Documents ------------------------------------------------------------------------------------------


def _version(value: str) -> int | None:
    """The optional ``version`` form field as a number; anything else is 422 on ``version``."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValidationError({"version": [_("Enter a whole number of at least 1.")]})
    return int(value)


@router.get("/projects/{int:project_id}/documents", response={200: list[DocumentOut], **ERRORS})
@paginate(PagePagination)
def list_documents(request: HttpRequest, project_id: int, category: CategoryValue | None = None) -> Any:
    """The project's documents by category and title, each with every version, newest first."""
    project = load_project(request, project_id)
    return document_queries.document_list(project=project, category=category)


@router.post("/projects/{int:project_id}/documents", response={201: DocumentOut, **ERRORS})
def upload_document(
    request: HttpRequest,
    project_id: int,
    payload: Form[DocumentIn],
    file: File[UploadedFile | None] = None,
) -> Any:
    """Upload a new document (its version 1). Size and type limits are 422 on ``file``; an archived,
    closed or cancelled project is 409."""
    project = load_project(request, project_id, "projects.add_document")
    document = document_services.document_create(
        actor=request.user, project=project, file=file, **payload.model_dump()
    )
    return Status(201, document_queries.document_get(user=request.user, pk=document.pk))


@router.get("/documents/{int:document_id}", response={200: DocumentOut, **ERRORS})
def get_document(request: HttpRequest, document_id: int) -> Any:
    return document_queries.document_get(user=request.user, pk=document_id)


@router.delete("/documents/{int:document_id}", response={204: None, **ERRORS})
def delete_document(request: HttpRequest, document_id: int, version: int | None = None) -> Any:
    """Delete a document with all its versions and files (409 once the documents are archived)."""
    document = document_queries.document_get(user=request.user, pk=document_id)
    require(request, "projects.delete_document")
    document_services.document_delete(actor=request.user, document=document, version=version)
    return Status(204, None)


@router.post("/documents/{int:document_id}/versions", response={201: DocumentVersionOut, **ERRORS})
def upload_document_version(
    request: HttpRequest,
    document_id: int,
    payload: Form[DocumentVersionIn],
    file: File[UploadedFile | None] = None,
) -> Any:
    """Upload the next version of a document; earlier versions stay downloadable."""
    document = document_queries.document_get(user=request.user, pk=document_id)
    require(request, "projects.add_documentversion")
    saved = document_services.document_version_add(
        actor=request.user, document=document, file=file, note=payload.note, version=_version(payload.version)
    )
    return Status(201, saved)


@router.get(
    "/documents/{int:document_id}/versions/{int:number}/download",
    response={200: None, **ERRORS},
    url_name="document-version-download",
)
def download_document_version(request: HttpRequest, document_id: int, number: int) -> Any:
    """The file of one version, as an attachment under its original name."""
    version = document_queries.document_version_get(user=request.user, document_id=document_id, number=number)
    require(request, "projects.view_document")
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type or "application/octet-stream",
    )


@router.post("/projects/{int:project_id}/documents/archive", response={200: ArchiveOut, **ERRORS})
def archive_documents(request: HttpRequest, project_id: int, payload: ArchiveIn) -> Any:
    """Archive the project's documents (closing phase only, 409 otherwise): they become read-only."""
    project = load_project(request, project_id, "projects.change_document")
    return document_services.project_documents_archive(
        actor=request.user, project=project, version=payload.version
    )


# Closeout -------------------------------------------------------------------------------------------


def _api_fields(exc: ValidationError) -> ValidationError:
    """The service's errors under the API's field names (``signoff_contact`` → ``signoff_contact_id``)."""
    if not hasattr(exc, "error_dict"):
        return exc
    renamed = {"signoff_contact": "signoff_contact_id"}
    return ValidationError({renamed.get(k, k): v for k, v in exc.message_dict.items()})


def _closeout_out(project: Project, closeout: Closeout | None = None) -> dict[str, Any]:
    closeout = closeout or closeout_queries.closeout_get(project=project)
    goals = closeout_queries.goal_list_with_evaluations(project=project)
    return {
        "project_id": project.pk,
        "version": closeout.version,
        "allowed": project.is_open and closeout_services.closeout_allowed(project),
        "overall_rating": closeout.overall_rating,
        "summary": closeout.summary,
        "evaluated_by": closeout.evaluated_by,
        "evaluated_at": closeout.evaluated_at,
        "no_lessons": closeout.no_lessons,
        "signoff_contact": closeout.signoff_contact,
        "signoff_date": closeout.signoff_date,
        "signoff_note": closeout.signoff_note,
        "goals": [
            {
                "goal_id": goal.pk,
                "statement": goal.statement,
                "metric": goal.metric,
                "unit": goal.unit,
                "target_value": goal.target_value,
                "evaluation": closeout_queries.goal_evaluation_of(goal),
            }
            for goal in goals
        ],
    }


@router.get("/projects/{int:project_id}/closeout", response={200: CloseoutOut, **ERRORS})
def get_closeout(request: HttpRequest, project_id: int) -> Any:
    """The final evaluation, each goal's evaluation, the "no lessons" statement and the sign-off."""
    project = load_project(request, project_id)
    return _closeout_out(project)


@router.put("/projects/{int:project_id}/closeout", response={200: CloseoutOut, **ERRORS})
def put_closeout(request: HttpRequest, project_id: int, payload: CloseoutIn) -> Any:
    """Save closeout fields (from the execution phase on, 409 before). Send the ``version`` you read."""
    project = load_project(request, project_id, "projects.change_closeout")
    nullable = frozenset({"overall_rating", "signoff_contact_id", "signoff_date"})
    data = nulls_refused(payload.model_dump(exclude_unset=True), nullable)
    version = data.pop("version")
    if "signoff_contact_id" in data:
        contact_id = data.pop("signoff_contact_id")
        data["signoff_contact"] = (
            closeout_queries.signoff_contact(project=project, pk=contact_id, field="signoff_contact_id")
            if contact_id
            else None
        )
    try:
        closeout_services.closeout_update(actor=request.user, project=project, version=version, **data)
    except ValidationError as exc:
        raise _api_fields(exc) from exc
    return _closeout_out(project)


@router.put("/goals/{int:goal_id}/evaluation", response={200: GoalEvaluationOut, **ERRORS})
def put_goal_evaluation(request: HttpRequest, goal_id: int, payload: GoalEvaluationIn) -> Any:
    """Record or replace a goal's final evaluation (from the execution phase on, 409 before)."""
    goal = closeout_queries.evaluation_goal_get(user=request.user, pk=goal_id)
    require(request, "projects.change_goalevaluation")
    return closeout_services.goal_evaluation_set(actor=request.user, goal=goal, **payload.model_dump())


# Lessons learned ------------------------------------------------------------------------------------


@router.get("/lessons", response={200: list[LessonOut], **ERRORS})
@paginate(PagePagination)
def list_lessons(
    request: HttpRequest,
    q: str = "",
    category: LessonCategoryValue | None = None,
    project_id: int | None = None,
) -> Any:
    """The lessons knowledge base: lessons of every project you may see, newest first; ``q`` searches
    what happened, impact, recommendation and the project's name."""
    return closeout_queries.lesson_search(
        user=request.user, q=q, category=category or "", project_id=project_id
    )


@router.post("/projects/{int:project_id}/lessons", response={201: LessonOut, **ERRORS})
def create_lesson(request: HttpRequest, project_id: int, payload: LessonIn) -> Any:
    project = load_project(request, project_id, "projects.add_lessonlearned")
    lesson = closeout_services.lesson_create(actor=request.user, project=project, **payload.model_dump())
    return Status(201, closeout_queries.lesson_get(user=request.user, pk=lesson.pk))


@router.get("/lessons/{int:lesson_id}", response={200: LessonOut, **ERRORS})
def get_lesson(request: HttpRequest, lesson_id: int) -> Any:
    return closeout_queries.lesson_get(user=request.user, pk=lesson_id)


@router.patch("/lessons/{int:lesson_id}", response={200: LessonOut, **ERRORS})
def update_lesson(request: HttpRequest, lesson_id: int, payload: LessonPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    lesson = closeout_queries.lesson_get(user=request.user, pk=lesson_id)
    require(request, "projects.change_lessonlearned")
    data = nulls_refused(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    closeout_services.lesson_update(actor=request.user, lesson=lesson, version=version, **data)
    return closeout_queries.lesson_get(user=request.user, pk=lesson_id)


@router.delete("/lessons/{int:lesson_id}", response={204: None, **ERRORS})
def delete_lesson(request: HttpRequest, lesson_id: int, version: int | None = None) -> Any:
    lesson = closeout_queries.lesson_get(user=request.user, pk=lesson_id)
    require(request, "projects.delete_lessonlearned")
    closeout_services.lesson_delete(actor=request.user, lesson=lesson, version=version)
    return Status(204, None)
