"""The project page's closeout tab (an HTMX fragment) and its pages: the final evaluation, each
goal's evaluation, the "no lessons learned" statement, the customer sign-off, lessons learned; and
the lessons-learned knowledge base across every project the reader may see.

Each page loads the project through the reader's scope (404), checks the permission (403), then
calls a closeout service; on success it goes back to the closeout tab, on refusal it shows the form
again with the service's reasons next to the fields and what the user typed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpm.core.errors import ConflictError
from clientpm.core.paging import paginate_request
from clientpm.projects.forms.closeout import (
    EvaluationForm,
    GoalEvaluationForm,
    LessonForm,
    LessonSearchForm,
    NoLessonsForm,
    SignoffForm,
)
from clientpm.projects.models import Goal, LessonCategory, LessonLearned, Project
from clientpm.projects.queries import closeout as queries
from clientpm.projects.services import closeout as services
from clientpm.projects.views.common import attempt, back_to_tab, project_for, visible_project

T = TypeVar("T")


def _form_page(request: HttpRequest, project: Project, form: Any, title: str, **extra: Any) -> HttpResponse:
    context = {"nav": "projects", "project": project, "form": form, "title": title, **extra}
    return render(request, "projects/closeout/form.html", context)


def _render_tab(request: HttpRequest, project: Project, **extra: Any) -> HttpResponse:
    context = {"project": project, "tab": queries.closeout_tab(project=project), **extra}
    return render(request, "projects/closeout/_tab.html", context)


@login_required
def tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The closeout tab (an HTMX fragment of the project page)."""
    return _render_tab(request, visible_project(request, pk))


# The final evaluation and the sign-off --------------------------------------------------------------


@login_required
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The overall rating and summary; saving both completes the final evaluation."""
    project = project_for(request, pk, "projects.change_closeout")
    closeout = queries.closeout_get(project=project)
    form = EvaluationForm(request.POST or None, closeout=closeout)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            form,
            lambda: services.closeout_update(
                actor=request.user,
                project=project,
                version=data["version"],
                overall_rating=data["overall_rating"],
                summary=data["summary"],
            ),
        )
        if saved is not None:
            messages.success(request, _("The final evaluation was saved."))
            return back_to_tab(project, "closeout")
    return _form_page(request, project, form, _("Final evaluation"))


@login_required
def signoff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the customer's sign-off: which of the customer's contacts signed, and when."""
    project = project_for(request, pk, "projects.change_closeout")
    closeout = queries.closeout_get(project=project)
    form = SignoffForm(request.POST or None, project=project, closeout=closeout)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.closeout_update(
                actor=request.user, project=project, version=form.cleaned_data["version"], **kwargs
            ),
        )
        if saved is not None:
            messages.success(request, _("The customer sign-off was saved."))
            return back_to_tab(project, "closeout")
    return _form_page(request, project, form, _("Customer sign-off"))


@login_required
@require_POST
def no_lessons_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """State (or withdraw) "no lessons learned"; an HTMX request gets the refreshed tab back."""
    project = project_for(request, pk, "projects.change_closeout")
    form = NoLessonsForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.closeout_update(
                actor=request.user,
                project=project,
                version=form.cleaned_data["version"],
                no_lessons=form.cleaned_data["no_lessons"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except ConflictError as exc:
            error = exc.detail
    else:
        error = _("The form was incomplete; reload the page and try again.")
    if request.htmx:
        return _render_tab(request, project, no_lessons_error=error)
    if error:
        messages.error(request, error)
    return back_to_tab(project, "closeout")


@login_required
def goal_evaluation_edit(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    """Record whether one goal was achieved, partly or not, with its actual value."""
    project = project_for(request, pk, "projects.change_goalevaluation")
    try:
        goal = queries.evaluation_goal_get(user=request.user, pk=goal_id, project=project)
    except Goal.DoesNotExist as exc:
        raise Http404 from exc
    evaluation = queries.goal_evaluation_of(goal)
    initial = (
        {"outcome": evaluation.outcome, "actual_value": evaluation.actual_value, "note": evaluation.note}
        if evaluation
        else {}
    )
    form = GoalEvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form, lambda: services.goal_evaluation_set(actor=request.user, goal=goal, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, _("The evaluation of “%(goal)s” was saved.") % {"goal": goal.statement})
            return back_to_tab(project, "closeout")
    return _form_page(
        request,
        project,
        form,
        _("Evaluate the goal"),
        goal=goal,
        baseline_text=queries.number_text(goal.baseline_value),
        target_text=queries.number_text(goal.target_value),
    )


# Lessons learned ------------------------------------------------------------------------------------


def _lesson(request: HttpRequest, project: Project, lesson_id: int) -> LessonLearned:
    try:
        return queries.lesson_get(user=request.user, pk=lesson_id, project=project)
    except LessonLearned.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def lesson_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_lessonlearned")
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(form, lambda: services.lesson_create(actor=request.user, project=project, **kwargs))
        if saved is not None:
            messages.success(request, _("The lesson learned was recorded."))
            return back_to_tab(project, "closeout")
    return _form_page(request, project, form, _("Record a lesson learned"))


@login_required
def lesson_edit(request: HttpRequest, pk: int, lesson_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_lessonlearned")
    lesson = _lesson(request, project, lesson_id)
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.lesson_update(
                actor=request.user, lesson=lesson, version=form.cleaned_data["version"], **kwargs
            ),
        )
        if saved is not None:
            messages.success(request, _("Your changes were saved."))
            return back_to_tab(project, "closeout")
    return _form_page(request, project, form, _("Edit the lesson learned"))


@login_required
def lesson_delete(request: HttpRequest, pk: int, lesson_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_lessonlearned")
    lesson = _lesson(request, project, lesson_id)
    if request.method == "POST":
        try:
            services.lesson_delete(actor=request.user, lesson=lesson)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The lesson learned was deleted."))
        return back_to_tab(project, "closeout")
    return render(
        request,
        "projects/closeout/confirm_delete.html",
        {"nav": "projects", "project": project, "lesson": lesson},
    )


# The knowledge base ---------------------------------------------------------------------------------


@login_required
@permission_required("projects.view_lessonlearned", raise_exception=True)
def lessons(request: HttpRequest) -> HttpResponse:
    """The lessons-learned knowledge base: every visible project's lessons, searchable, by category."""
    search = LessonSearchForm(request.GET)
    filters = search.filters()
    page = paginate_request(request, queries.lesson_search(user=request.user, **filters), default_size=25)
    context = {
        "nav": "projects",
        "page": page,
        "lessons": page.object_list,
        "search": search,
        "filters": filters,
        "categories": LessonCategory.choices,
    }
    template = (
        "projects/closeout/_lesson_table.html"
        if request.htmx and not request.htmx.boosted
        else "projects/closeout/lessons.html"
    )
    return render(request, template, context)
