"""The project's Plan tab (an HTMX fragment) and its pages: the Gantt chart, the task table with
inline editing, the task board by status, baselines with their variance, the task and dependency
forms and the plan settings; plus two pages across projects — "My tasks" and the working calendars.

The Gantt chart and the board write through the REST API (``/api/v1/tasks/{id}``) from the browser;
everything else posts here. Every page loads the project through the reader's scope (404), checks
the permission (403), then calls a plan service; refusals come back next to the fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects import planning
from clientpm.projects.forms.plan import (
    BaselineForm,
    CalendarForm,
    DependencyEditForm,
    DependencyForm,
    PlanSettingsForm,
    TaskForm,
    TaskInlineForm,
)
from clientpm.projects.models import (
    MAX_BASELINES,
    Baseline,
    DependencyType,
    Project,
    Task,
    TaskDependency,
    TaskStatus,
    WorkCalendar,
)
from clientpm.projects.queries import plan as queries
from clientpm.projects.services import plan as services
from clientpm.projects.views.common import found, project_for, tab_url, visible_project
from clientpm.scheduling import calendar_to_dict

PLAN_VIEWS = {
    "gantt": gettext_lazy("Gantt"),
    "table": gettext_lazy("Task table"),
    "board": gettext_lazy("Board"),
    "baselines": gettext_lazy("Baselines"),
}
SESSION_VIEW = "projects.plan_view"
TASK_API = "/api/v1/tasks/{id}"
WEEKDAY_SHORT = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


def _back(request: HttpRequest, project: Project, view: str | None = None) -> HttpResponse:
    """Back to the project page on the Plan tab; ``view`` is the sub-view the tab reopens on."""
    if view:
        request.session[SESSION_VIEW] = view
    return redirect(tab_url(project, "plan"))


def _task(request: HttpRequest, pk: int, task_id: int, perm: str | None = None) -> Task:
    """Task ``task_id`` of visible project ``pk`` (404 otherwise), if the user holds ``perm``."""
    task = found(queries.task_get, user=request.user, pk=task_id)
    if task.project_id != pk:  # the task exists, but not under this project's URL
        raise Http404
    if perm and not request.user.has_perm(perm):
        raise PermissionDenied
    return task


def _editable(request: HttpRequest, project: Project, perm: str) -> bool:
    return project.is_open and request.user.has_perm(perm)


def _with_predecessors(project: Project, tasks: list[Task]) -> list[Task]:
    """Each task's predecessors as text (``1.2FS+2``), for the table."""
    links: dict[int, list[str]] = {}
    for dep in queries.dependency_list(project=project):
        lag = f"{dep.lag_days:+d}" if dep.lag_days else ""
        code = dep.predecessor.wbs_code if dep.predecessor.project_id == project.pk else str(dep.predecessor)
        links.setdefault(dep.successor_id, []).append(f"{code}{dep.dependency_type}{lag}")
    for task in tasks:
        task.predecessor_text = ", ".join(links.get(task.pk, []))
    return tasks


def _board_columns(project: Project) -> list[dict[str, Any]]:
    columns = queries.task_board(project=project)
    return [{"status": value, "label": label, "tasks": columns[value]} for value, label in TaskStatus.choices]


def _tab_context(request: HttpRequest, project: Project, view: str, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "project": project,
        "view": view,
        "views": list(PLAN_VIEWS.items()),
        "view_template": f"projects/plan/_{view}.html",
        "can_add": _editable(request, project, "projects.add_task"),
        "can_change": _editable(request, project, "projects.change_task"),
        "can_delete": _editable(request, project, "projects.delete_task"),
        "can_link": _editable(request, project, "projects.add_taskdependency"),
        "can_settings": _editable(request, project, "projects.change_project"),
        "task_api_url": TASK_API,
        "task_edit_url": reverse("projects:plan-task-edit", args=[project.pk, 0]).replace("/0/", "/{id}/"),
    }
    if view == "gantt":
        context["baselines"] = queries.baseline_list(project=project)
        context["gantt_labels"] = _gantt_labels()
    elif view == "table":
        context["tasks"] = _with_predecessors(project, queries.task_tree(project=project))
    elif view == "board":
        context["columns"] = _board_columns(project)
        context["board_labels"] = {"refused": _("The move was refused:")}
    elif view == "baselines":
        baselines = list(queries.baseline_list(project=project))
        context["baselines"] = baselines
        context["can_save_baseline"] = _editable(request, project, "projects.add_baseline")
        context["can_delete_baseline"] = _editable(request, project, "projects.delete_baseline")
        chosen = extra.pop("baseline", None)
        if chosen is None and baselines:
            wanted = request.GET.get("baseline")
            chosen = next((b for b in baselines if str(b.pk) == wanted), baselines[0])
        if chosen is not None:
            rows = queries.baseline_variance(baseline=chosen)
            context.update(baseline=chosen, variance=rows, slipped=[r for r in rows if r.slipped])
        context.setdefault("baseline_form", BaselineForm())
        context["max_baselines"] = MAX_BASELINES
    context.update(extra)
    return context


def _gantt_labels() -> dict[str, str]:
    return {
        "start": _("Start"),
        "finish": _("Finish"),
        "duration": _("Duration (working days)"),
        "progress": _("Complete"),
        "total_float": _("Total float (working days)"),
        "critical": _("Critical"),
        "summary": _("Summary task"),
        "milestone": _("Milestone"),
        "baseline": _("Baseline"),
        "today": _("Today"),
        "status_date": _("Status date"),
        "edit": _("Edit"),
        "collapse": _("Collapse"),
        "expand": _("Expand"),
        "refused": _("The change was refused:"),
        "load_failed": _("The plan could not be loaded."),
    }


def _render_tab(request: HttpRequest, project: Project, view: str, **extra: Any) -> HttpResponse:
    return render(request, "projects/plan/tab.html", _tab_context(request, project, view, **extra))


@login_required
@require_GET
def tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The Plan tab fragment, loaded by HTMX into the project page; ``?view=`` picks the Gantt chart,
    the task table, the board or the baselines, and the tab remembers the last one."""
    project = visible_project(request, pk)
    view = request.GET.get("view") or request.session.get(SESSION_VIEW) or "gantt"
    if view not in PLAN_VIEWS:
        view = "gantt"
    request.session[SESSION_VIEW] = view
    return _render_tab(request, project, view)


@login_required
@require_GET
def gantt_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The chart's data (``queries.plan.gantt_data``) with each task's version and the project's
    working calendar, so the browser counts working days the way the scheduler does."""
    project = visible_project(request, pk)
    baseline = None
    wanted = request.GET.get("baseline", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        baseline = found(queries.baseline_get, user=request.user, pk=int(wanted), project=project)
    data = queries.gantt_data(project=project, baseline=baseline)
    if data["tasks"] and "version" not in data["tasks"][0]:
        versions = {task.pk: task.version for task in queries.task_tree(project=project)}
        for row in data["tasks"]:
            row["version"] = versions.get(row["id"])
    data["calendar"] = calendar_to_dict(planning.project_calendar(project))
    return JsonResponse(data)


# Tasks ---------------------------------------------------------------------------------------------


def _task_page(
    request: HttpRequest, project: Project, form: TaskForm, task: Task | None = None, **extra: Any
):
    context = {"nav": "projects", "project": project, "form": form, "task": task, **extra}
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
            return _back(request, project)
    return _task_page(request, project, form)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Edit every field of a task and its predecessors (links to other tasks with a type and lag)."""
    task = _task(request, pk, task_id)
    project = task.project
    if not _editable(request, project, "projects.change_task") and request.method == "POST":
        raise PermissionDenied
    if not request.user.has_perm("projects.change_task"):
        raise PermissionDenied
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
            return _back(request, project)
    return _task_page(
        request,
        project,
        form,
        task,
        links=_links(project, task),
        dependency_form=DependencyForm(task=task, tasks=tasks),
        can_link=_editable(request, project, "projects.add_taskdependency"),
        can_unlink=_editable(request, project, "projects.delete_taskdependency"),
        can_relink=_editable(request, project, "projects.change_taskdependency"),
        dependency_types=DependencyType.choices,
    )


def _links(project: Project, task: Task) -> dict[str, list[TaskDependency]]:
    deps = queries.dependency_list(project=project)
    return {
        "predecessors": [d for d in deps if d.successor_id == task.pk],
        "successors": [d for d in deps if d.predecessor_id == task.pk],
    }


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Ask first (a summary goes with every task under it); delete on POST."""
    task = _task(request, pk, task_id, "projects.delete_task")
    project = task.project
    if request.method == "POST":
        try:
            services.task_delete(actor=request.user, task=task)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Task %(task)s was deleted.") % {"task": task})
        return _back(request, project)
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


def _refusal_text(exc: ValidationError | ConflictError) -> str:
    if isinstance(exc, ConflictError):
        return " ".join([exc.detail, *exc.reasons])
    return " ".join(exc.messages)


# The task table: inline edit and reordering -----------------------------------------------------------


def _table(request: HttpRequest, project: Project, **extra: Any) -> HttpResponse:
    context = _tab_context(request, project, "table", **extra)
    return render(request, "projects/plan/_table.html", context)


@login_required
@require_GET
def task_row(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """One row of the task table (cancelling an inline edit)."""
    task = _task(request, pk, task_id)
    project = task.project
    context = _tab_context(request, project, "none")
    context["task"] = _with_predecessors(project, [task])[0]
    return render(request, "projects/plan/_task_row.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_inline(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """The table row as a form; saving answers with the whole table (the plan was rescheduled), a
    refusal with the row again showing the reasons and what was typed."""
    task = _task(request, pk, task_id, "projects.change_task")
    project = task.project
    if not project.is_open:
        raise PermissionDenied
    form = TaskInlineForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(
                actor=request.user, task=task, version=form.cleaned_data["version"], **form.update_kwargs()
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            if not request.htmx:
                return _back(request, project, "table")
            return _table(request, project, saved=task.pk)
    response = render(
        request, "projects/plan/_task_row_form.html", {"project": project, "task": task, "form": form}
    )
    if request.method == "POST":
        response = reswap(retarget(response, f"#task-row-{task.pk}"), "outerHTML")
    return response


TASK_ACTIONS = {"indent", "outdent", "up", "down"}


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, task_id: int, action: str) -> HttpResponse:
    """Indent, outdent, or move a task up or down among its siblings; the WBS is renumbered."""
    if action not in TASK_ACTIONS:
        raise Http404
    task = _task(request, pk, task_id, "projects.change_task")
    project = task.project
    error = None
    try:
        if action == "indent":
            services.task_indent(actor=request.user, task=task)
        elif action == "outdent":
            services.task_outdent(actor=request.user, task=task)
        else:
            position = max(task.position + (-1 if action == "up" else 1), 0)
            services.task_move(actor=request.user, task=task, parent=task.parent, position=position)
    except (ValidationError, ConflictError) as exc:
        error = _refusal_text(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(request, project, "table")
    return _table(request, project, table_error=error, saved=task.pk)


# Dependencies ----------------------------------------------------------------------------------------


def _back_to_task(task: Task) -> HttpResponse:
    return redirect(reverse("projects:plan-task-edit", args=[task.project_id, task.pk]) + "#dependencies")


@login_required
@require_POST
def dependency_add(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Make another task a predecessor of this one."""
    task = _task(request, pk, task_id, "projects.add_taskdependency")
    form = DependencyForm(request.POST, task=task, tasks=queries.task_tree(project=task.project))
    if form.is_valid():
        try:
            services.dependency_create(actor=request.user, successor=task, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("The dependency was added and the plan rescheduled."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back_to_task(task)


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
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("The dependency was saved and the plan rescheduled."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back_to_task(dependency.successor)


@login_required
@require_POST
def dependency_delete(request: HttpRequest, pk: int, dependency_id: int) -> HttpResponse:
    dependency = _dependency(request, pk, dependency_id, "projects.delete_taskdependency")
    try:
        services.dependency_delete(actor=request.user, dependency=dependency)
    except (ValidationError, ConflictError) as exc:
        messages.error(request, _refusal_text(exc))
    else:
        messages.success(request, _("The dependency was removed and the plan rescheduled."))
    return _back_to_task(dependency.successor)


# Baselines -------------------------------------------------------------------------------------------


@login_required
@require_POST
def baseline_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the current plan as a named baseline (at most ten per project)."""
    project = project_for(request, pk, "projects.add_baseline")
    form = BaselineForm(request.POST)
    baseline = None
    if form.is_valid():
        try:
            baseline = services.baseline_save(
                actor=request.user, project=project, name=form.cleaned_data["name"]
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
    if baseline is not None:
        messages.success(request, _("Baseline %(name)s was saved.") % {"name": baseline.name})
        if not request.htmx:
            return _back(request, project, "baselines")
        request.session[SESSION_VIEW] = "baselines"
        return _render_tab(request, project, "baselines", baseline=baseline)
    if not request.htmx:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, project, "baselines")
    return _render_tab(request, project, "baselines", baseline_form=form)


def _baseline(request: HttpRequest, pk: int, baseline_id: int, perm: str) -> Baseline:
    project = project_for(request, pk, perm)
    return found(queries.baseline_get, user=request.user, pk=baseline_id, project=project)


@login_required
@require_http_methods(["GET", "POST"])
def baseline_delete(request: HttpRequest, pk: int, baseline_id: int) -> HttpResponse:
    baseline = _baseline(request, pk, baseline_id, "projects.delete_baseline")
    project = baseline.project
    if request.method == "POST":
        try:
            services.baseline_delete(actor=request.user, baseline=baseline)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Baseline %(name)s was deleted.") % {"name": baseline.name})
        return _back(request, project, "baselines")
    return render(
        request,
        "projects/plan/baseline_confirm_delete.html",
        {"nav": "projects", "project": project, "baseline": baseline, "cancel_url": tab_url(project, "plan")},
    )


# Plan settings ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's working calendar and status date; changing either reschedules the plan."""
    project = project_for(request, pk, "projects.change_project")
    form = PlanSettingsForm(request.POST or None, project=project, calendars=queries.calendar_list())
    if request.method == "POST" and form.is_valid():
        try:
            services.project_plan_update(
                actor=request.user,
                project=project,
                version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The plan settings were saved and the plan rescheduled."))
            return _back(request, project)
    return render(
        request, "projects/plan/settings_form.html", {"nav": "projects", "project": project, "form": form}
    )


# Across projects: my tasks and the working calendars --------------------------------------------------------


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The open tasks the user owns or is assigned to, across the projects they may see."""
    tasks = list(queries.my_tasks(user=request.user))
    return render(
        request,
        "projects/plan/my_tasks.html",
        {"nav": "my-tasks", "tasks": tasks, "today": timezone.localdate()},
    )


def _calendar_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _calendar(request: HttpRequest, calendar_id: int, perm: str) -> WorkCalendar:
    _calendar_perm(request, perm)
    return found(queries.calendar_get, pk=calendar_id)


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    """The working calendars: the built-in China and Monday–Friday ones and the company's own."""
    _calendar_perm(request, "projects.view_workcalendar")
    calendars = list(queries.calendar_list())
    for calendar in calendars:
        calendar.weekday_flags = [
            (day, flag == "1") for day, flag in zip(WEEKDAY_SHORT, calendar.working_weekdays, strict=False)
        ]
    return render(request, "projects/plan/calendar_list.html", {"nav": "calendars", "calendars": calendars})


def _calendar_page(
    request: HttpRequest, form: CalendarForm, calendar: WorkCalendar | None = None
) -> HttpResponse:
    return render(
        request, "projects/plan/calendar_form.html", {"nav": "calendars", "form": form, "calendar": calendar}
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_create(request: HttpRequest) -> HttpResponse:
    _calendar_perm(request, "projects.add_workcalendar")
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(actor=request.user, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Calendar %(name)s was created.") % {"name": calendar.name})
            return redirect("projects:calendars")
    return _calendar_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id, "projects.change_workcalendar")
    if calendar.is_builtin:
        raise PermissionDenied
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_update(
                actor=request.user,
                calendar=calendar,
                version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Calendar %(name)s was saved.") % {"name": calendar.name})
            return redirect("projects:calendars")
    return _calendar_page(request, form, calendar)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_delete(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id, "projects.delete_workcalendar")
    if request.method == "POST":
        try:
            services.calendar_delete(actor=request.user, calendar=calendar)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Calendar %(name)s was deleted.") % {"name": calendar.name})
        return redirect("projects:calendars")
    return render(
        request,
        "projects/plan/calendar_confirm_delete.html",
        {"nav": "calendars", "calendar": calendar, "cancel_url": reverse("projects:calendars")},
    )
