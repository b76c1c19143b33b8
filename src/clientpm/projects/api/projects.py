"""REST endpoints of the project itself: list, create (optionally from a template), read, change,
delete, phase moves through the gates, the gate checklist, phase checklists and templates."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.queries import contacts_by_ids, customers_by_ids
from clientpm.projects.api.common import load_project, nulls_refused
from clientpm.projects.filters import ProjectFilters
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import ACTIVE_PHASES, ChecklistItem, ProjectTemplate
from clientpm.projects.queries import projects as queries
from clientpm.projects.queries.templates import template_list
from clientpm.projects.schemas import (
    ChecklistItemIn,
    ChecklistItemOut,
    ChecklistItemPatch,
    ConditionOut,
    GateDecisionOut,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    TemplateIn,
    TemplateOut,
    TransitionIn,
)
from clientpm.projects.services import lifecycle
from clientpm.projects.services.projects import project_create, project_delete, project_update
from clientpm.projects.services.templates import (
    project_create_from_template,
    project_template_delete,
    project_template_save,
)

router = Router(tags=["projects"])
PEOPLE = {"manager_id": "manager", "sponsor_id": "sponsor"}


def _relations(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``*_id`` fields into rows, refusing unknown ids with a field error."""
    for key, name in PEOPLE.items():
        if key in data:
            user_id = data.pop(key)
            data[name] = users_by_ids([user_id], key)[0] if user_id else None
    if "customer_sponsor_id" in data:
        contact_id = data.pop("customer_sponsor_id")
        data["customer_sponsor"] = (
            contacts_by_ids(user=request.user, ids=[contact_id], field="customer_sponsor_id")[0]
            if contact_id
            else None
        )
    return data


@router.get("/projects", response={200: list[ProjectOut], **ERRORS})
@paginate(PagePagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    """Projects the caller may see, filtered and sorted; ``count`` is the total."""
    return queries.project_list(user=request.user, filters=filters)


@router.post("/projects", response={201: ProjectDetailOut, **ERRORS})
def create_project(request: HttpRequest, payload: ProjectIn) -> Any:
    """Open a project in initiation for ``customer_id``; ``template_id`` seeds it from a template
    with every date shifted to ``planned_start_date``. The caller manages it unless told otherwise."""
    require(request, "projects.add_project")
    data = payload.model_dump(exclude_unset=True)
    customer = customers_by_ids(user=request.user, ids=[data.pop("customer_id")], field="customer_id")[0]
    template_id = data.pop("template_id", None)
    data.setdefault("manager_id", request.user.pk)
    data = _relations(request, {k: v for k, v in data.items() if v is not None or k in PEOPLE})
    if template_id:
        template = ProjectTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise ValidationError({"template_id": [_("Unknown template.")]})
        project = project_create_from_template(
            actor=request.user, template=template, customer=customer, **data
        )
    else:
        project = project_create(actor=request.user, customer=customer, **data)
    return Status(201, project)


@router.get("/projects/{int:project_id}", response={200: ProjectDetailOut, **ERRORS})
def get_project(request: HttpRequest, project_id: int) -> Any:
    return load_project(request, project_id)


@router.patch("/projects/{int:project_id}", response={200: ProjectDetailOut, **ERRORS})
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch) -> Any:
    """Change some fields (not the phase: see ``/transition``); send the ``version`` you read."""
    project = load_project(request, project_id, "projects.change_project")
    data = nulls_refused(
        payload.model_dump(exclude_unset=True),
        frozenset(PEOPLE)
        | {"customer_sponsor_id"}
        | {"planned_start_date", "planned_finish_date", "actual_start_date", "actual_finish_date"},
    )
    version = data.pop("version")
    return project_update(actor=request.user, project=project, version=version, **_relations(request, data))


@router.delete("/projects/{int:project_id}", response={204: None, **ERRORS})
def delete_project(request: HttpRequest, project_id: int, version: int | None = None) -> Any:
    project = load_project(request, project_id, "projects.delete_project")
    project_delete(actor=request.user, project=project, version=version)
    return Status(204, None)


@router.post("/projects/{int:project_id}/transition", response={200: ProjectDetailOut, **ERRORS})
def transition_project(request: HttpRequest, project_id: int, payload: TransitionIn) -> Any:
    """Move the project to another phase. A forward move passes the gate or is refused with 409 and
    every unmet reason; ``override_reason`` passes it anyway (needs ``projects.override_gate``);
    moving back or reopening needs ``projects.reopen_project`` and a ``reason``."""
    project = load_project(request, project_id, "projects.change_project")
    return lifecycle.project_transition(actor=request.user, project=project, **payload.model_dump())


@router.get("/projects/{int:project_id}/gate", response={200: list[ConditionOut], **ERRORS})
def project_gate(request: HttpRequest, project_id: int) -> Any:
    """The conditions of the gate out of the current phase, each met or with its unmet reasons."""
    project = load_project(request, project_id)
    if project.phase not in ACTIVE_PHASES:
        return []
    return [
        {"key": r.key, "label": r.label, "met": r.met, "reasons": r.reasons} for r in gate_evaluate(project)
    ]


@router.get("/projects/{int:project_id}/gate-decisions", response={200: list[GateDecisionOut], **ERRORS})
def project_gate_decisions(request: HttpRequest, project_id: int) -> Any:
    return list(load_project(request, project_id).gate_decisions.all())


# Phase checklists ---------------------------------------------------------------------------------


@router.get("/projects/{int:project_id}/checklist", response={200: list[ChecklistItemOut], **ERRORS})
def list_checklist(request: HttpRequest, project_id: int) -> Any:
    return list(load_project(request, project_id).checklist_items.all())


@router.post("/projects/{int:project_id}/checklist", response={201: ChecklistItemOut, **ERRORS})
def add_checklist_item(request: HttpRequest, project_id: int, payload: ChecklistItemIn) -> Any:
    project = load_project(request, project_id, "projects.add_checklistitem")
    return Status(
        201, lifecycle.checklist_item_add(actor=request.user, project=project, **payload.model_dump())
    )


def _checklist_item(request: HttpRequest, item_id: int, perm: str) -> ChecklistItem:
    item = get_object_or_404(
        ChecklistItem.objects.filter(project__in=queries.project_scope(user=request.user)), pk=item_id
    )
    require(request, perm)
    return item


@router.patch("/checklist/{int:item_id}", response={200: ChecklistItemOut, **ERRORS})
def update_checklist_item(request: HttpRequest, item_id: int, payload: ChecklistItemPatch) -> Any:
    item = _checklist_item(request, item_id, "projects.change_checklistitem")
    return lifecycle.checklist_item_set_done(actor=request.user, item=item, done=payload.is_done)


@router.delete("/checklist/{int:item_id}", response={204: None, **ERRORS})
def delete_checklist_item(request: HttpRequest, item_id: int) -> Any:
    item = _checklist_item(request, item_id, "projects.delete_checklistitem")
    lifecycle.checklist_item_delete(actor=request.user, item=item)
    return Status(204, None)


# Templates ----------------------------------------------------------------------------------------


@router.get("/project-templates", response={200: list[TemplateOut], **ERRORS})
def list_templates(request: HttpRequest) -> Any:
    require(request, "projects.view_projecttemplate")
    return list(template_list())


@router.post("/projects/{int:project_id}/save-as-template", response={201: TemplateOut, **ERRORS})
def save_as_template(request: HttpRequest, project_id: int, payload: TemplateIn) -> Any:
    project = load_project(request, project_id, "projects.add_projecttemplate")
    return Status(201, project_template_save(actor=request.user, project=project, **payload.model_dump()))


@router.delete("/project-templates/{int:template_id}", response={204: None, **ERRORS})
def delete_template(request: HttpRequest, template_id: int) -> Any:
    require(request, "projects.delete_projecttemplate")
    project_template_delete(actor=request.user, template=get_object_or_404(template_list(), pk=template_id))
    return Status(204, None)
