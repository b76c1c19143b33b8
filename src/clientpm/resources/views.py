"""Resource pages — the list with filters, create, edit, delete — and the project page's Resources
tab (an HTMX fragment): the tasks with their assignments, edited in place, each resource's load
chart with the over-allocations, and "Level resources": a preview of what leveling moves, which the
user accepts (saved as the plan, the tab re-renders) or discards.

Every project page loads the project through the reader's scope (404), checks the permission
(403), then calls a resources service; refusals come back next to the fields. Without HTMX the same
URLs serve full pages and redirect back to the tab.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget
from pydantic import ValidationError as SchemaError

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.core.paging import paginate_request
from clientpm.projects.models import Project, Task
from clientpm.projects.queries.plan import task_get
from clientpm.projects.views.common import found, project_for, tab_url, visible_project
from clientpm.resources import queries, services
from clientpm.resources.charts import load_chart
from clientpm.resources.filters import ResourceFilters
from clientpm.resources.forms import AssignmentForm, LevelingApplyForm, LevelingForm, ResourceForm
from clientpm.resources.models import Assignment, ResourceKind

TAB = "resources"
LEVELING_PERMS = ("resources.change_assignment", "projects.change_task")


def _refusal_text(exc: ValidationError | ConflictError) -> str:
    if isinstance(exc, ConflictError):
        return " ".join([exc.detail, *exc.reasons])
    return " ".join(exc.messages)


# Resource pages ---------------------------------------------------------------------------------------


def parse_filters(params: QueryDict) -> tuple[ResourceFilters, dict[str, str]]:
    """Filters from a query string; invalid ones are reported per field and dropped, never a 500."""
    data: dict[str, Any] = {k: v for k, v in params.items() if v and k not in ("kind", "page", "page_size")}
    kinds = [v for v in params.getlist("kind") if v]
    if kinds:
        data["kind"] = kinds
    try:
        return ResourceFilters.model_validate(data), {}
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        return ResourceFilters.model_validate({k: v for k, v in data.items() if k not in errors}), errors


@login_required
@permission_required("resources.view_resource", raise_exception=True)
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    """The resources with their capacity and how many tasks and projects need them."""
    filters, errors = parse_filters(request.GET)
    page = paginate_request(request, queries.resource_list(filters=filters))
    context = {
        "nav": "resources",
        "filters": filters,
        "errors": errors,
        "kinds": ResourceKind.choices,
        "page": page,
        "resources": page.object_list,
    }
    fragment = request.htmx and not request.htmx.boosted
    return render(
        request, "resources/_resource_table.html" if fragment else "resources/resource_list.html", context
    )


def _resource(request: HttpRequest, resource_id: int) -> Any:
    return found(queries.resource_get, pk=resource_id)


@login_required
@permission_required("resources.add_resource", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(actor=request.user, **form.create_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Resource %(name)s was created.") % {"name": resource.name})
            return redirect("resources:list")
    return render(request, "resources/resource_form.html", {"nav": "resources", "form": form})


@login_required
@permission_required("resources.change_resource", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = _resource(request, resource_id)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(
                actor=request.user,
                resource=resource,
                version=form.cleaned_data["version"],
                **form.update_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Resource %(name)s was saved.") % {"name": form.cleaned_data["name"]})
            return redirect("resources:list")
    return render(
        request, "resources/resource_form.html", {"nav": "resources", "form": form, "resource": resource}
    )


@login_required
@permission_required("resources.delete_resource", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_delete(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Ask first; a resource tasks still need cannot go, and the page lists those tasks."""
    resource = _resource(request, resource_id)
    if request.method == "POST":
        try:
            services.resource_delete(actor=request.user, resource=resource)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Resource %(name)s was deleted.") % {"name": resource.name})
        return redirect("resources:list")
    return render(
        request,
        "resources/resource_confirm_delete.html",
        {
            "nav": "resources",
            "resource": resource,
            "assignments": queries.resource_assignments(resource=resource),
            "cancel_url": reverse("resources:list"),
        },
    )


# The project's Resources tab --------------------------------------------------------------------------


def _editable(request: HttpRequest, project: Project, perm: str) -> bool:
    return project.is_open and request.user.has_perm(perm)


def _permissions(request: HttpRequest, project: Project) -> dict[str, bool]:
    return {
        "can_add": _editable(request, project, "resources.add_assignment"),
        "can_change": _editable(request, project, "resources.change_assignment"),
        "can_delete": _editable(request, project, "resources.delete_assignment"),
    }


def _tab_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    tasks = queries.task_rows(project=project)
    by_task: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in queries.assignment_list(project=project):
        by_task[assignment.task_id].append(assignment)
    for task in tasks:
        task.resource_assignments = by_task.get(task.pk, [])  # type: ignore[attr-defined]
    load = queries.project_resource_load(project=project)
    charts = [
        {"load": item, "chart": load_chart(load.days, item.demand, item.other_demand, item.capacity)}
        for item in load.resources
    ]
    return {
        "project": project,
        "tasks": tasks,
        "assignment_count": sum(len(items) for items in by_task.values()),
        "load": load,
        "charts": charts if load.days else [],
        "over_allocations": load.over_allocations,
        "can_level": _can_level(request, project),
        "leveling_ready": bool(load.resources),
        "leveling_form": LevelingForm(),
        **_permissions(request, project),
        **extra,
    }


def _render_tab(request: HttpRequest, project: Project, **extra: Any) -> HttpResponse:
    return render(request, "resources/tab.html", _tab_context(request, project, **extra))


@login_required
@require_GET
def project_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The Resources tab fragment, loaded by HTMX into the project page."""
    project = visible_project(request, pk)
    if not request.user.has_perm("resources.view_assignment"):
        raise PermissionDenied
    return _render_tab(request, project)


def _task(request: HttpRequest, project: Project, task_id: int) -> Task:
    return found(task_get, user=request.user, pk=task_id, project=project)


def _row(request: HttpRequest, project: Project, task: Task, **extra: Any) -> HttpResponse:
    task.resource_assignments = queries.task_assignments(task=task)  # type: ignore[attr-defined]
    context = {"project": project, "task": task, **_permissions(request, project), **extra}
    return render(request, "resources/_task_row.html", context)


def _done(request: HttpRequest, project: Project, message: str) -> HttpResponse:
    """After a change: the whole tab again (the load changed too), or back to the project page."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(tab_url(project, TAB))
    return _render_tab(request, project, saved_message=message)


def _form_page(
    request: HttpRequest,
    project: Project,
    task: Task,
    form: AssignmentForm,
    action: str,
    assignment: Assignment | None = None,
) -> HttpResponse:
    """The assignment form: in the task's row (HTMX; a refused save swaps the row, errors next to the
    fields) or as a page of its own."""
    context = {"project": project, "task": task, "form": form, "action": action, "assignment": assignment}
    if not request.htmx:
        context.update(nav="projects", cancel_url=tab_url(project, TAB))
        return render(request, "resources/assignment_form.html", context)
    response = render(request, "resources/_task_row_form.html", context)
    if request.method == "POST":
        response = reswap(retarget(response, f"#resource-task-{task.pk}"), "outerHTML")
    return response


@login_required
@require_GET
def task_row(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """One task's row of the assignments table (cancelling an edit)."""
    project = visible_project(request, pk)
    if not request.user.has_perm("resources.view_assignment"):
        raise PermissionDenied
    return _row(request, project, _task(request, project, task_id))


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Assign a resource to a task."""
    project = project_for(request, pk, "resources.add_assignment")
    task = _task(request, project, task_id)
    form = AssignmentForm(request.POST or None, resources=queries.resource_choices())
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(actor=request.user, task=task, **form.create_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            return _done(
                request,
                project,
                _("%(resource)s was assigned to %(task)s.")
                % {"resource": assignment.resource.name, "task": task},
            )
    action = reverse("resources:assignment-create", args=[project.pk, task.pk])
    return _form_page(request, project, task, form, action)


def _assignment(request: HttpRequest, project: Project, assignment_id: int) -> Assignment:
    return found(queries.assignment_get, user=request.user, pk=assignment_id, project=project)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    """Change an assignment's resource or units."""
    project = project_for(request, pk, "resources.change_assignment")
    assignment = _assignment(request, project, assignment_id)
    resources = queries.resource_choices(include=assignment.resource_id)
    form = AssignmentForm(request.POST or None, resources=resources, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.assignment_update(
                actor=request.user, assignment=assignment, **form.update_kwargs()
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            return _done(
                request,
                project,
                _("The assignment of %(resource)s to %(task)s was saved.")
                % {"resource": saved.resource.name, "task": assignment.task},
            )
    action = reverse("resources:assignment-edit", args=[project.pk, assignment.pk])
    return _form_page(request, project, assignment.task, form, action, assignment)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    """Ask first (without HTMX; the tab's button asks in the browser); remove on POST."""
    project = project_for(request, pk, "resources.delete_assignment")
    assignment = _assignment(request, project, assignment_id)
    if request.method == "GET":
        context = {
            "nav": "projects",
            "project": project,
            "assignment": assignment,
            "cancel_url": tab_url(project, TAB),
        }
        return render(request, "resources/assignment_confirm_delete.html", context)
    try:
        services.assignment_delete(actor=request.user, assignment=assignment)
    except (ValidationError, ConflictError) as exc:
        if not request.htmx:
            messages.error(request, _refusal_text(exc))
            return redirect(tab_url(project, TAB))
        return _render_tab(request, project, tab_error=_refusal_text(exc))
    return _done(
        request,
        project,
        _("%(resource)s was removed from %(task)s.")
        % {"resource": assignment.resource.name, "task": assignment.task},
    )


# Leveling ----------------------------------------------------------------------------------------------


def _can_level(request: HttpRequest, project: Project) -> bool:
    return project.is_open and all(request.user.has_perm(perm) for perm in LEVELING_PERMS)


def _leveling_project(request: HttpRequest, pk: int) -> Project:
    """The visible project (404) if the user may level it: change assignments and tasks (403)."""
    project = visible_project(request, pk)
    if not all(request.user.has_perm(perm) for perm in LEVELING_PERMS):
        raise PermissionDenied
    return project


def _leveling(
    request: HttpRequest, project: Project, form: LevelingForm | None = None, preview: Any = None
) -> HttpResponse:
    """The "Level resources" slot (HTMX), or a page of its own without JavaScript. The caller checked
    the permissions; a closed project's refusal shows on the form."""
    context = {
        "project": project,
        "can_level": True,
        "leveling_ready": True,
        "leveling_form": form or LevelingForm(),
        "preview": preview,
    }
    if request.htmx:
        return render(request, "resources/_leveling.html", context)
    context.update(nav="projects", cancel_url=tab_url(project, TAB))
    return render(request, "resources/leveling_page.html", context)


@login_required
@require_GET
def leveling_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The slot with a fresh form (a preview discarded); a plain request goes back to the tab."""
    project = _leveling_project(request, pk)
    if not request.htmx:
        return redirect(tab_url(project, TAB))
    return _leveling(request, project)


@login_required
@require_POST
def leveling_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Level with the form's settings and show what would move; nothing is saved. Refusals (a
    demand above a capacity, a closed project) come back on the form."""
    project = _leveling_project(request, pk)
    form = LevelingForm(request.POST)
    preview = None
    if form.is_valid():
        try:
            preview = queries.leveling_preview(project=project, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
    return _leveling(request, project, form, preview)


@login_required
@require_POST
def leveling_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the accepted preview as the plan; the whole tab comes back (the load changed), with the
    refusal on top when the plan changed since the preview."""
    project = _leveling_project(request, pk)
    form = LevelingApplyForm(request.POST)
    if form.is_valid():
        try:
            applied = services.leveling_apply(
                actor=request.user,
                project=project,
                starts=form.cleaned_data["starts"],
                token=form.cleaned_data["token"],
            )
        except (ValidationError, ConflictError) as exc:
            error = _refusal_text(exc)
        else:
            message = ngettext(
                "The leveled plan was saved: %(n)d task starts later; the project finishes on %(date)s.",
                "The leveled plan was saved: %(n)d tasks start later; the project finishes on %(date)s.",
                applied.tasks_moved,
            ) % {
                "n": applied.tasks_moved,
                "date": applied.finish_date.isoformat() if applied.finish_date else "—",
            }
            return _done(request, project, message)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if not request.htmx:
        messages.error(request, error)
        return redirect(tab_url(project, TAB))
    return _render_tab(request, project, tab_error=error)
