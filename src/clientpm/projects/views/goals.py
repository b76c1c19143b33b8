"""The project page's Goals tab and its forms: the feasibility assessment (and reassessment), SMART
goals and their KPI measurements.

Each page loads the project through the reader's scope (404), checks the permission (403), then
calls a goals service; on success it goes back to the project page's Goals tab (an HTMX request gets
the refreshed tab instead), on refusal it shows the form again with the service's reasons next to
the fields and what the user typed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientpm.core.errors import ConflictError
from clientpm.projects.forms.goals import FeasibilityForm, GoalForm, MeasurementForm
from clientpm.projects.models import Project
from clientpm.projects.queries import goals as queries
from clientpm.projects.services import goals as services
from clientpm.projects.views.common import attempt, back_to_tab, found, project_for, visible_project

T = TypeVar("T")

FEASIBILITY_TEMPLATE = "projects/goals/feasibility_form.html"


def _form_page(
    request: HttpRequest,
    project: Project,
    form: Any,
    title: str,
    template: str = "projects/goals/form.html",
    **extra: Any,
) -> HttpResponse:
    context = {"nav": "projects", "project": project, "form": form, "title": title, **extra}
    return render(request, template, context)


def _tab(request: HttpRequest, project: Project, failed: MeasurementForm | None = None) -> HttpResponse:
    """The tab fragment; ``failed`` is a measurement form to show again with its errors."""
    tab = queries.goals_tab(project=project)
    can_measure = project.is_open and request.user.has_perm("projects.add_kpimeasurement")
    for goal in tab.goals:
        if failed is not None and failed.goal.pk == goal.pk:
            goal.measurement_form = failed  # type: ignore[attr-defined]
        else:
            goal.measurement_form = MeasurementForm(goal=goal) if can_measure else None  # type: ignore[attr-defined]
    return render(request, "projects/goals/_tab.html", {"project": project, "tab": tab})


@login_required
def tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The Goals tab (an HTMX fragment of the project page)."""
    return _tab(request, visible_project(request, pk))


# Feasibility ----------------------------------------------------------------------------------------


@login_required
def feasibility_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Assess the project's feasibility; a reassessment starts from the latest assessment's values."""
    project = project_for(request, pk, "projects.add_feasibilityassessment")
    latest = queries.feasibility_latest(project=project)
    form = FeasibilityForm(request.POST or None, initial=FeasibilityForm.initial_from(latest))
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form, lambda: services.feasibility_create(actor=request.user, project=project, **kwargs)
        )
        if saved is not None:
            messages.success(request, _("The feasibility assessment was saved."))
            return back_to_tab(project, "goals")
    title = _("Reassess feasibility") if latest else _("Assess feasibility")
    return _form_page(request, project, form, title, FEASIBILITY_TEMPLATE, previous=latest)


@login_required
def feasibility_edit(request: HttpRequest, pk: int, assessment_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_feasibilityassessment")
    assessment = found(queries.feasibility_get, user=request.user, pk=assessment_id, project=project)
    form = FeasibilityForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.feasibility_update(
                actor=request.user, assessment=assessment, version=form.cleaned_data["version"], **kwargs
            ),
        )
        if saved is not None:
            messages.success(request, _("Your changes were saved."))
            return back_to_tab(project, "goals")
    return _form_page(request, project, form, _("Edit the feasibility assessment"), FEASIBILITY_TEMPLATE)


# Goals ----------------------------------------------------------------------------------------------


@login_required
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_goal")
    form = GoalForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(form, lambda: services.goal_create(actor=request.user, project=project, **kwargs))
        if saved is not None:
            messages.success(request, _("Goal “%(goal)s” was added.") % {"goal": saved.statement})
            return back_to_tab(project, "goals")
    return _form_page(request, project, form, _("New goal"))


@login_required
def goal_edit(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_goal")
    goal = found(queries.goal_get, user=request.user, pk=goal_id, project=project)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.goal_update(
                actor=request.user, goal=goal, version=form.cleaned_data["version"], **kwargs
            ),
        )
        if saved is not None:
            messages.success(request, _("Your changes were saved."))
            return back_to_tab(project, "goals")
    return _form_page(request, project, form, _("Edit the goal"), gaps=queries.goal_gaps(goal))


@login_required
def goal_delete(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_goal")
    goal = found(queries.goal_get, user=request.user, pk=goal_id, project=project)
    if request.method == "POST":
        try:
            services.goal_delete(actor=request.user, goal=goal)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Goal “%(goal)s” was deleted.") % {"goal": goal.statement})
        return back_to_tab(project, "goals")
    count = len(goal.measurements.all())
    return render(
        request,
        "projects/goals/confirm_delete.html",
        {
            "nav": "projects",
            "project": project,
            "question": _("Delete the goal “%(goal)s”?") % {"goal": goal.statement},
            "consequence": _(
                "Its %(count)s KPI measurements are deleted with it. The change log keeps a record."
            )
            % {"count": count},
        },
    )


# KPI measurements -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    """Record a measurement from a goal card's inline form; an HTMX request gets the refreshed tab
    (with the form's errors in place when refused), a plain one the project page or this form."""
    project = project_for(request, pk, "projects.add_kpimeasurement")
    goal = found(queries.goal_get, user=request.user, pk=goal_id, project=project)
    form = MeasurementForm(request.POST or None, goal=goal)
    if request.method == "POST":
        saved = None
        if form.is_valid():
            saved = attempt(
                form, lambda: services.measurement_create(actor=request.user, goal=goal, **form.cleaned_data)
            )
        if request.htmx:
            return _tab(request, project, failed=None if saved else form)
        if saved is not None:
            messages.success(request, _("The measurement was recorded."))
            return back_to_tab(project, "goals")
    return _form_page(
        request, project, form, _("Record a measurement of “%(goal)s”") % {"goal": goal.statement}
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_delete(request: HttpRequest, pk: int, measurement_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_kpimeasurement")
    measurement = found(queries.measurement_get, user=request.user, pk=measurement_id, project=project)
    if request.method == "POST":
        try:
            services.measurement_delete(actor=request.user, measurement=measurement)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        if request.htmx:
            return _tab(request, project)
        return back_to_tab(project, "goals")
    return render(
        request,
        "projects/goals/confirm_delete.html",
        {
            "nav": "projects",
            "project": project,
            "question": _("Delete the measurement of %(date)s (%(value)s)?")
            % {"date": measurement.measured_on.isoformat(), "value": f"{measurement.value.normalize():f}"},
            "consequence": _("The goal's progress and forecast are recomputed without it."),
        },
    )
