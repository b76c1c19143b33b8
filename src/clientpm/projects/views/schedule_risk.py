"""The Plan tab's "Schedule risk" view and the risk-event pages of a task.

The view (an HTMX fragment inside the Plan tab) runs a Monte Carlo simulation of the schedule and
shows the latest — or a chosen — result: P50/P80/P95 finish dates, the chance of meeting the
deadline, the histogram and the cumulative curve as inline SVG drawn on the server, the tasks
ranked by criticality and sensitivity, the settings that produced it, and the previous runs. A run
the background job takes is shown as running and the fragment polls until it is done.

Risk events are added, changed and deleted on their own small pages, reached from the task page.
Every page loads the project through the reader's scope (404), checks the permission (403), then
calls a service; refusals come back next to the fields with what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects.forms.schedule_risk import RiskEventForm, SimulationForm
from clientpm.projects.models import (
    MAX_SIMULATIONS,
    Project,
    ScheduleRiskEvent,
    ScheduleSimulation,
    SimulationStatus,
    Task,
)
from clientpm.projects.queries import plan as plan_queries
from clientpm.projects.queries import schedule_risk as queries
from clientpm.projects.services import schedule_risk as services
from clientpm.projects.views.common import found, project_for, tab_url, visible_project

VIEW_PERM = "projects.view_schedulesimulation"
RUN_PERM = "projects.add_schedulesimulation"
POLL_SECONDS = 3


def risk_context(
    request: HttpRequest,
    project: Project,
    *,
    simulation: ScheduleSimulation | None = None,
    form: SimulationForm | None = None,
) -> dict[str, Any]:
    """What the Schedule risk view shows: the chosen simulation (``?simulation=``, else the latest)
    with its report, the previous runs, what a run would draw on and the run form — four queries."""
    if not request.user.has_perm(VIEW_PERM):
        raise PermissionDenied
    runs = queries.simulation_recent(project=project)
    if simulation is None and runs:
        wanted = request.GET.get("simulation", "")
        chosen = next((run for run in runs if str(run.pk) == wanted), runs[0])
        simulation = found(queries.simulation_get, user=request.user, pk=chosen.pk, project=project)
    report = queries.simulation_report(simulation=simulation) if simulation is not None else None
    return {
        "project": project,
        "simulation": simulation,
        "report": report,
        "runs": runs,
        "max_runs": MAX_SIMULATIONS,
        "inputs": queries.simulation_inputs(project=project),
        "run_form": form or SimulationForm(project=project),
        "can_run": project.is_open and request.user.has_perm(RUN_PERM),
        "polling": simulation is not None and simulation.status == SimulationStatus.RUNNING,
        "poll_seconds": POLL_SECONDS,
    }


def _fragment(request: HttpRequest, project: Project, **extra: Any) -> HttpResponse:
    return render(request, "projects/schedule_risk/_view.html", risk_context(request, project, **extra))


@login_required
@require_GET
def risk_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The Schedule risk fragment (HTMX: a previous run opened, or polling a running one); a plain
    request goes to the project's Plan tab."""
    project = visible_project(request, pk)
    if not request.htmx:
        return redirect(tab_url(project, "plan"))
    return _fragment(request, project)


@login_required
@require_POST
def simulation_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a simulation with the form's settings; the fragment comes back with its result (or
    running), or with the reasons next to the fields and what was typed."""
    project = project_for(request, pk, RUN_PERM)
    form = SimulationForm(request.POST, project=project)
    simulation = None
    if form.is_valid():
        try:
            simulation = services.simulation_run(actor=request.user, project=project, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
    if not request.htmx:
        if simulation is None:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(tab_url(project, "plan"))
    if simulation is not None:
        stored = found(queries.simulation_get, user=request.user, pk=simulation.pk, project=project)
        return _fragment(request, project, simulation=stored)
    return _fragment(request, project, form=form)


# Risk events -------------------------------------------------------------------------------------------


def _task(request: HttpRequest, pk: int, task_id: int, perm: str) -> Task:
    """Task ``task_id`` of visible project ``pk`` (404 otherwise), if the user holds ``perm``."""
    task = found(plan_queries.task_get, user=request.user, pk=task_id)
    if task.project_id != pk:
        raise Http404
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return task


def _event(request: HttpRequest, pk: int, event_id: int, perm: str) -> ScheduleRiskEvent:
    event = found(queries.risk_event_get, user=request.user, pk=event_id)
    if event.task.project_id != pk:
        raise Http404
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return event


def _refusal_text(exc: ValidationError | ConflictError) -> str:
    if isinstance(exc, ConflictError):
        return " ".join([exc.detail, *exc.reasons])
    return " ".join(exc.messages)


def _back_to_task(task: Task) -> HttpResponse:
    return redirect(reverse("projects:plan-task-edit", args=[task.project_id, task.pk]) + "#risk-events")


def _form_page(
    request: HttpRequest, task: Task, form: RiskEventForm, event: ScheduleRiskEvent | None
) -> HttpResponse:
    context = {"nav": "projects", "project": task.project, "task": task, "form": form, "event": event}
    return render(request, "projects/schedule_risk/risk_event_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def risk_event_create(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Add a risk event to a task."""
    task = _task(request, pk, task_id, "projects.add_scheduleriskevent")
    form = RiskEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.risk_event_create(actor=request.user, task=task, **form.create_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Risk event %(name)s was added.") % {"name": event.name})
            return _back_to_task(task)
    return _form_page(request, task, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def risk_event_edit(request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
    """Change a risk event (refused when someone changed it meanwhile)."""
    event = _event(request, pk, event_id, "projects.change_scheduleriskevent")
    form = RiskEventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.risk_event_update(
                actor=request.user, event=event, version=form.cleaned_data["version"], **form.update_kwargs()
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Risk event %(name)s was saved.") % {"name": saved.name})
            return _back_to_task(event.task)
    return _form_page(request, event.task, form, event)


@login_required
@require_http_methods(["GET", "POST"])
def risk_event_delete(request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
    """Ask first; delete on POST."""
    event = _event(request, pk, event_id, "projects.delete_scheduleriskevent")
    if request.method == "POST":
        try:
            services.risk_event_delete(actor=request.user, event=event)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("Risk event %(name)s was deleted.") % {"name": event.name})
        return _back_to_task(event.task)
    return render(
        request,
        "projects/schedule_risk/risk_event_confirm_delete.html",
        {
            "nav": "projects",
            "project": event.task.project,
            "task": event.task,
            "event": event,
            "cancel_url": reverse("projects:plan-task-edit", args=[event.task.project_id, event.task_id]),
        },
    )
