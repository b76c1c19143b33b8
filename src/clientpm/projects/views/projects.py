"""Project pages: the list, the kanban board, create/edit, the project page with its overview tab,
phase moves through the gates, phase checklists, and the customer 360's projects tab."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from clientpm.accounts.queries import user_choices
from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.forms import add_service_error
from clientpm.core.paging import paginate_request
from clientpm.core.queries import object_history
from clientpm.customers.models import Customer
from clientpm.customers.queries import customer_get
from clientpm.projects.filters import ProjectFilters
from clientpm.projects.forms.projects import ChecklistItemForm, ProjectForm, TransitionForm
from clientpm.projects.models import ChecklistItem, Health, Phase, Priority, ProjectType
from clientpm.projects.queries import projects as queries
from clientpm.projects.services import lifecycle
from clientpm.projects.services.projects import project_create, project_delete, project_update
from clientpm.projects.services.templates import project_create_from_template
from clientpm.projects.tabs import project_tabs
from clientpm.projects.views.common import project_for, visible_project

LIST_FIELDS = ("phase", "health", "project_type", "priority")


def parse_filters(params: QueryDict) -> tuple[ProjectFilters, dict[str, str]]:
    """Filters from a query string; invalid ones are reported per field and dropped, never a 500."""
    data: dict[str, Any] = {k: v for k, v in params.items() if v and k not in LIST_FIELDS}
    data.update({k: [v for v in params.getlist(k) if v] for k in LIST_FIELDS if params.getlist(k)})
    for key in ("page", "page_size", "view"):
        data.pop(key, None)
    try:
        return ProjectFilters.model_validate(data), {}
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        return ProjectFilters.model_validate({k: v for k, v in data.items() if k not in errors}), errors


def _filter_context(filters: ProjectFilters, errors: dict[str, str]) -> dict[str, Any]:
    return {
        "nav": "projects",
        "filters": filters,
        "errors": errors,
        "phases": Phase.choices,
        "healths": Health.choices,
        "types": ProjectType.choices,
        "priorities": Priority.choices,
        "managers": user_choices(),
    }


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    filters, errors = parse_filters(request.GET)
    page = paginate_request(request, queries.project_list(user=request.user, filters=filters))
    context = {**_filter_context(filters, errors), "page": page, "projects": page.object_list}
    fragment = request.htmx and not request.htmx.boosted
    return render(
        request, "projects/_project_table.html" if fragment else "projects/project_list.html", context
    )


@login_required
def project_board(request: HttpRequest) -> HttpResponse:
    """The kanban board by phase; dragging a card posts to ``board_move``, which runs the same gates."""
    filters, errors = parse_filters(request.GET)
    context = {
        **_filter_context(filters, errors),
        "columns": queries.project_board(user=request.user, filters=filters),
    }
    return render(request, "projects/project_board.html", context)


@login_required
def customer_projects(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """The projects tab of the customer 360 (loaded by HTMX), with counts per phase."""
    try:
        customer = customer_get(user=request.user, pk=customer_pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc
    filters = ProjectFilters(customer=customer.pk)
    projects = queries.project_list(user=request.user, filters=filters)[:100]
    return render(request, "projects/_customer_projects.html", {"customer": customer, "projects": projects})


def _save(request: HttpRequest, form: ProjectForm, project: Any) -> Any:
    try:
        if project is None:
            data = form.cleaned_data
            template = data.get("template")
            create = project_create_from_template if template else project_create
            extra = {"template": template} if template else {}
            return create(actor=request.user, customer=data["customer"], **extra, **form.service_kwargs())
        return project_update(
            actor=request.user, project=project, version=form.cleaned_data["version"], **form.service_kwargs()
        )
    except (ValidationError, ConflictError) as exc:
        add_service_error(form, exc)
        return None


@login_required
@permission_required("projects.add_project", raise_exception=True)
def project_create_view(request: HttpRequest) -> HttpResponse:
    initial = {
        "manager": request.user.pk,
        "customer": request.GET.get("customer"),
        "template": request.GET.get("template"),
    }
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = _save(request, form, None)
        if project is not None:
            messages.success(request, _("Project %(code)s created.") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"nav": "projects", "form": form})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_project")
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid() and _save(request, form, project) is not None:
        messages.success(request, _("Project saved."))
        return redirect("projects:detail", pk=pk)
    return render(
        request, "projects/project_form.html", {"nav": "projects", "form": form, "project": project}
    )


@login_required
def project_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_project")
    if request.method == "POST":
        try:
            project_delete(
                actor=request.user, project=project, version=int(request.POST.get("version") or 0) or None
            )
        except ConflictError as exc:
            messages.error(request, exc.detail)
            return redirect("projects:detail", pk=pk)
        messages.success(request, _("Project %(code)s deleted.") % {"code": project.code})
        return redirect("projects:list")
    return render(request, "projects/project_confirm_delete.html", {"nav": "projects", "project": project})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        overview = queries.project_overview(user=request.user, pk=pk)
    except queries.Project.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "projects/project_detail.html",
        {
            "nav": "projects",
            "project": overview.project,
            "overview": overview,
            "checklist": ChecklistItem.objects.filter(project=overview.project).select_related("done_by"),
            "checklist_form": ChecklistItemForm(initial={"phase": overview.project.phase}),
            "phase_choices": Phase.choices,
            "extra_tabs": project_tabs(request.user, overview.project.pk),
        },
    )


@login_required
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request, pk)
    return render(request, "includes/history.html", {"records": object_history(project)[:200]})


def _transition(request: HttpRequest, pk: int) -> tuple[Any, TransitionForm]:
    project = project_for(request, pk, "projects.change_project")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    data = form.cleaned_data
    moved = lifecycle.project_transition(
        actor=request.user,
        project=project,
        to_phase=data["to_phase"],
        version=data["version"],
        reason=data["reason"],
        override_reason=data["override_reason"],
    )
    return moved, form


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """A phase move from the project page: on refusal the page shows every unmet reason."""
    try:
        project, _form = _transition(request, pk)
    except StaleVersionError as exc:
        messages.error(request, exc.detail)
    except lifecycle.GateRefused as exc:
        messages.error(request, exc.detail + " " + " ".join(exc.reasons))
    except ConflictError as exc:
        messages.error(request, exc.detail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The project moved to %(phase)s.") % {"phase": project.get_phase_display()}
        )
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def board_move(request: HttpRequest, pk: int) -> JsonResponse:
    """A card dropped on another column: JSON with the new version, or every reason it was refused."""
    try:
        project, _form = _transition(request, pk)
    except PermissionDenied:
        return JsonResponse(
            {"ok": False, "detail": _("You do not have permission to do this."), "reasons": []}, status=403
        )
    except ConflictError as exc:
        return JsonResponse({"ok": False, "detail": exc.detail, "reasons": exc.reasons}, status=409)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "detail": " ".join(exc.messages), "reasons": []}, status=422)
    return JsonResponse({"ok": True, "version": project.version, "phase": project.phase})


@login_required
@require_POST
def checklist_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_checklistitem")
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.checklist_item_add(actor=request.user, project=project, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Write the checklist item and choose its phase."))
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def checklist_toggle(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_checklistitem")
    item = get_object_or_404(ChecklistItem, pk=item_id, project=project)
    try:
        lifecycle.checklist_item_set_done(actor=request.user, item=item, done=request.POST.get("done") == "1")
    except ConflictError as exc:
        messages.error(request, exc.detail)
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def checklist_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_checklistitem")
    item = get_object_or_404(ChecklistItem, pk=item_id, project=project)
    try:
        lifecycle.checklist_item_delete(actor=request.user, item=item)
    except ConflictError as exc:
        messages.error(request, exc.detail)
    return redirect("projects:detail", pk=pk)
