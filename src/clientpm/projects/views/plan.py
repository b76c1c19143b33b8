"""The project's Plan tab (an HTMX fragment) and its pages: the Gantt chart, the task table with
inline editing and reordering, the task board by status, baselines with their variance and the plan
settings; plus "My tasks" across projects. The task and dependency pages are in ``plan_tasks``, the
working calendars in ``plan_calendars``, the schedule-risk view in ``schedule_risk``; the helpers
they share are here.

The Gantt chart and the board write through the REST API (``/api/v1/tasks/{id}``) from the browser;
everything else posts here. Every page loads the project through the reader's scope (404), checks
the permission (403), then calls a plan service; refusals come back next to the fields (a closed
or cancelled project's refusal too, the way the other project pages show it).
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
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects import planning
from clientpm.projects.forms.plan import BaselineForm, PlanSettingsForm, TaskInlineForm
from clientpm.projects.models import MAX_BASELINES, Baseline, Project, Task, TaskStatus
from clientpm.projects.queries import plan as queries
from clientpm.projects.services import plan as services
from clientpm.projects.views.common import found, project_for, tab_url, visible_project
from clientpm.projects.views.schedule_risk import risk_context
from clientpm.scheduling import calendar_to_dict

PLAN_VIEWS = {
    "gantt": gettext_lazy("Gantt"),
    "table": gettext_lazy("Task table"),
    "board": gettext_lazy("Board"),
    "baselines": gettext_lazy("Baselines"),
    "risk": gettext_lazy("Schedule risk"),
}
VIEW_TEMPLATES = {"risk": "projects/schedule_risk/_view.html"}
"""Views whose template lives with their own concern (the others are ``projects/plan/_<view>.html``)."""
SESSION_VIEW = "projects.plan_view"
TASK_API = "/api/v1/tasks/{id}"


def back_to_plan(request: HttpRequest, project: Project, view: str | None = None) -> HttpResponse:
    """Back to the project page on the Plan tab; ``view`` is the sub-view the tab reopens on."""
    if view:
        request.session[SESSION_VIEW] = view
    return redirect(tab_url(project, "plan"))


def plan_task(request: HttpRequest, pk: int, task_id: int, perm: str | None = None) -> Task:
    """Task ``task_id`` of visible project ``pk`` (404 otherwise), if the user holds ``perm``."""
    task = found(queries.task_get, user=request.user, pk=task_id)
    if task.project_id != pk:  # the task exists, but not under this project's URL
        raise Http404
    if perm and not request.user.has_perm(perm):
        raise PermissionDenied
    return task


def can_write(request: HttpRequest, project: Project, perm: str) -> bool:
    return project.is_open and request.user.has_perm(perm)


def _with_predecessors(project: Project, tasks: list[Task]) -> list[Task]:
    """Each task's predecessors as text (``1.2FS+2``), for the table."""
    links: dict[int, list[str]] = {}
    for dep in queries.dependency_list(project=project):
        lag = f"{dep.lag_days:+d}" if dep.lag_days else ""
        code = dep.predecessor.wbs_code
        if dep.predecessor.project_id != project.pk:  # another project of the customer: say which
            code = f"{dep.predecessor.project.code}/{code}"
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
        "view_template": VIEW_TEMPLATES.get(view, f"projects/plan/_{view}.html"),
        "can_add": can_write(request, project, "projects.add_task"),
        "can_change": can_write(request, project, "projects.change_task"),
        "can_delete": can_write(request, project, "projects.delete_task"),
        "can_link": can_write(request, project, "projects.add_taskdependency"),
        "can_settings": can_write(request, project, "projects.change_project"),
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
        context["can_save_baseline"] = can_write(request, project, "projects.add_baseline")
        context["can_delete_baseline"] = can_write(request, project, "projects.delete_baseline")
        chosen = extra.pop("baseline", None)
        if chosen is None and baselines:
            wanted = request.GET.get("baseline")
            chosen = next((b for b in baselines if str(b.pk) == wanted), baselines[0])
        if chosen is not None:
            rows = queries.baseline_variance(baseline=chosen)
            context.update(baseline=chosen, variance=rows, slipped=[r for r in rows if r.slipped])
        context.setdefault("baseline_form", BaselineForm())
        context["max_baselines"] = MAX_BASELINES
    elif view == "risk":
        context.update(risk_context(request, project))
    context.update(extra)
    return context


def _gantt_labels() -> dict[str, str]:
    return {
        "start": _("Start"),
        "finish": _("Finish"),
        "duration": _("Duration (working days)"),
        "progress": _("Complete"),
        "total_float": _("Total float (working days)"),
        "critical": pgettext("task", "Critical"),
        "summary": _("Summary task"),
        "milestone": _("Milestone"),
        "baseline": _("Baseline"),
        "today": _("Today"),
        "status_date": _("Status date"),
        "edit": _("Edit"),
        "details": _("Details"),
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
    the task table, the board, the baselines or the schedule risk, and the tab remembers the last one."""
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


def form_errors(form: Any) -> list[str]:
    """Every error of a bound form as text, field errors named by their label."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        out.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return out


def refusal_text(exc: ValidationError | ConflictError) -> str:
    if isinstance(exc, ConflictError):
        return " ".join([exc.detail, *exc.reasons])
    return " ".join(exc.messages)


# The task table: inline edit and reordering -----------------------------------------------------------


def _table(request: HttpRequest, project: Project, **extra: Any) -> HttpResponse:
    """The task table after a change, with the project's new scheduled finish swapped into the tab's
    header out of band (the change rescheduled the plan)."""
    project = visible_project(request, project.pk)
    context = _tab_context(request, project, "table", finish_oob=True, **extra)
    return render(request, "projects/plan/_table.html", context)


@login_required
@require_GET
def task_row(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """One row of the task table (cancelling an inline edit)."""
    task = plan_task(request, pk, task_id)
    project = task.project
    context = _tab_context(request, project, "none")
    context["task"] = _with_predecessors(project, [task])[0]
    return render(request, "projects/plan/_task_row.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_inline(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """The table row as a form; saving answers with the whole table (the plan was rescheduled), a
    refusal with the row again showing the reasons and what was typed."""
    task = plan_task(request, pk, task_id, "projects.change_task")
    project = task.project
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
                return back_to_plan(request, project, "table")
            return _table(request, project, saved=task.pk)
    if request.method == "POST" and not request.htmx:  # no row to swap: say why on the project page
        messages.error(request, " ".join(form_errors(form)))
        return back_to_plan(request, project, "table")
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
    task = plan_task(request, pk, task_id, "projects.change_task")
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
        error = refusal_text(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return back_to_plan(request, project, "table")
    return _table(request, project, table_error=error, saved=task.pk)


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
        saved = _("Baseline %(name)s was saved.") % {"name": baseline.name}
        if not request.htmx:
            messages.success(request, saved)
            return back_to_plan(request, project, "baselines")
        # said in the fragment: a flash message would only show up on the next full page
        request.session[SESSION_VIEW] = "baselines"
        return _render_tab(request, project, "baselines", baseline=baseline, saved_message=saved)
    if not request.htmx:
        messages.error(request, " ".join(form_errors(form)))
        return back_to_plan(request, project, "baselines")
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
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Baseline %(name)s was deleted.") % {"name": baseline.name})
        return back_to_plan(request, project, "baselines")
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
            return back_to_plan(request, project)
    return render(
        request, "projects/plan/settings_form.html", {"nav": "projects", "project": project, "form": form}
    )


# Across projects: my tasks ----------------------------------------------------------------------------


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
