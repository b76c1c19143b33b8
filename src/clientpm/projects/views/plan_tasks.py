"""The task and dependency pages of the Plan tab: add a task (or a subtask, or a series of repeating
ones), the task page — every field, the dependencies and the risk events (whose own pages are in
``schedule_risk``), read-only for who may not change it —, delete after confirming; add, change and
remove dependencies. A refusal comes back next to the field with what was typed; nothing is
half-saved (the services run in one transaction)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects.forms.plan import DependencyEditForm, DependencyForm, TaskForm
from clientpm.projects.models import DependencyType, Project, Task, TaskDependency
from clientpm.projects.queries import plan as queries
from clientpm.projects.queries.schedule_risk import risk_event_list
from clientpm.projects.services import plan as services
from clientpm.projects.views.common import found, project_for, tab_url
from clientpm.projects.views.plan import back_to_plan, can_write, form_errors, plan_task, refusal_text

# Tasks ---------------------------------------------------------------------------------------------


def _task_page(
    request: HttpRequest, project: Project, form: TaskForm, task: Task | None = None, **extra: Any
) -> HttpResponse:
    context = {"nav": "projects", "project": project, "form": form, "task": task, "can_change": True, **extra}
    return render(request, "projects/plan/task_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a task, or a subtask with ``?parent=<id>``; a repeating task creates its occurrences."""
    project = project_for(request, pk, "projects.add_task")
    tasks = queries.task_tree(project=project)
    initial = {"parent": request.GET.get("parent") or None}
    form = TaskForm(request.POST or None, project=project, tasks=tasks, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(
                actor=request.user, project=project, parent=form.parent_task(), **form.create_kwargs()
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Task %(task)s was added.") % {"task": task})
            if "add_another" in request.POST:
                return redirect(
                    reverse("projects:plan-task-create", args=[project.pk])
                    + f"?parent={task.parent_id or ''}"
                )
            return back_to_plan(request, project)
    return _task_page(request, project, form)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Every field of a task and its predecessors (links to other tasks with a type and lag). A
    reader who may not change it sees the same page read-only; a closed project refuses the save
    with the service's reason."""
    task = plan_task(request, pk, task_id)
    if request.method == "POST" and not request.user.has_perm("projects.change_task"):
        raise PermissionDenied
    project = task.project
    tasks = queries.task_tree(project=project)
    form = TaskForm(request.POST or None, instance=task, project=project, tasks=tasks)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.task_update(
                actor=request.user, task=task, version=form.cleaned_data["version"], **form.update_kwargs()
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Task %(task)s was saved.") % {"task": saved})
            return back_to_plan(request, project)
    return _task_edit_page(request, project, task, form, tasks)


def _task_edit_page(
    request: HttpRequest,
    project: Project,
    task: Task,
    form: TaskForm,
    tasks: list[Task],
    dependency_form: DependencyForm | None = None,
) -> HttpResponse:
    """The task page: its form (read-only without the right to change it), its dependencies and its
    risk events (for schedule-risk simulations)."""
    links = _links(request, project, task)
    can_change = can_write(request, project, "projects.change_task")
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    if dependency_form is None:
        linked = {d.predecessor_id for d in links["predecessors"]}
        dependency_form = DependencyForm(task=task, tasks=tasks, linked=linked)
    return _task_page(
        request,
        project,
        form,
        task,
        links=links,
        dependency_form=dependency_form,
        can_change=can_change,
        can_link=can_write(request, project, "projects.add_taskdependency"),
        can_unlink=can_write(request, project, "projects.delete_taskdependency"),
        can_relink=can_write(request, project, "projects.change_taskdependency"),
        dependency_types=DependencyType.choices,
        risk_events=list(risk_event_list(task=task)),
        can_add_risk=can_write(request, project, "projects.add_scheduleriskevent") and not task.is_summary,
        can_change_risk=can_write(request, project, "projects.change_scheduleriskevent"),
        can_delete_risk=can_write(request, project, "projects.delete_scheduleriskevent"),
    )


def _links(request: HttpRequest, project: Project, task: Task) -> dict[str, list[TaskDependency]]:
    """The task's predecessors and successors (successors in projects the reader can't see left out)."""
    deps = queries.dependency_list(project=project, user=request.user)
    return {
        "predecessors": [d for d in deps if d.successor_id == task.pk],
        "successors": [d for d in deps if d.predecessor_id == task.pk],
    }


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Ask first (a summary goes with every task under it); delete on POST."""
    task = plan_task(request, pk, task_id, "projects.delete_task")
    project = task.project
    if request.method == "POST":
        try:
            services.task_delete(actor=request.user, task=task)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Task %(task)s was deleted.") % {"task": task})
        return back_to_plan(request, project)
    below = [t for t in queries.task_tree(project=project) if t.wbs_code.startswith(f"{task.wbs_code}.")]
    return render(
        request,
        "projects/plan/task_confirm_delete.html",
        {
            "nav": "projects",
            "project": project,
            "task": task,
            "below": below,
            "cancel_url": tab_url(project, "plan"),
        },
    )


# Dependencies ----------------------------------------------------------------------------------------


def _back_to_task(task: Task) -> HttpResponse:
    return redirect(reverse("projects:plan-task-edit", args=[task.project_id, task.pk]) + "#dependencies")


@login_required
@require_POST
def dependency_add(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Make another task a predecessor of this one; a refusal (a cycle, a duplicate…) shows the task
    page again with the reason next to the dependency form and the choice kept."""
    task = plan_task(request, pk, task_id, "projects.add_taskdependency")
    project = task.project
    tasks = queries.task_tree(project=project)
    form = DependencyForm(request.POST, task=task, tasks=tasks)
    if form.is_valid():
        try:
            services.dependency_create(actor=request.user, successor=task, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The dependency was added and the plan rescheduled."))
            return _back_to_task(task)
    task_form = TaskForm(instance=task, project=project, tasks=tasks)
    return _task_edit_page(request, project, task, task_form, tasks, dependency_form=form)


def _dependency(request: HttpRequest, pk: int, dependency_id: int, perm: str) -> TaskDependency:
    dependency = found(queries.dependency_get, user=request.user, pk=dependency_id)
    if dependency.successor.project_id != pk:
        raise Http404
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return dependency


@login_required
@require_POST
def dependency_edit(request: HttpRequest, pk: int, dependency_id: int) -> HttpResponse:
    """Change a dependency's type or lag."""
    dependency = _dependency(request, pk, dependency_id, "projects.change_taskdependency")
    form = DependencyEditForm(request.POST, dependency=dependency)
    if form.is_valid():
        try:
            services.dependency_update(actor=request.user, dependency=dependency, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("The dependency was saved and the plan rescheduled."))
    else:
        messages.error(request, " ".join(form_errors(form)))
    return _back_to_task(dependency.successor)


@login_required
@require_POST
def dependency_delete(request: HttpRequest, pk: int, dependency_id: int) -> HttpResponse:
    dependency = _dependency(request, pk, dependency_id, "projects.delete_taskdependency")
    try:
        services.dependency_delete(actor=request.user, dependency=dependency)
    except (ValidationError, ConflictError) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The dependency was removed and the plan rescheduled."))
    return _back_to_task(dependency.successor)
