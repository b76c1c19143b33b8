"""The project page's scope tab and its forms: the scope statement, in-scope and out-of-scope
items, milestones, deliverables and the steps of the customer acceptance flow.

Each page loads the project through the reader's scope (404), checks the permission (403), then
calls a scope service; on success it goes back to the project page's scope tab, on refusal it shows
the form again with the service's reasons next to the fields and what the user typed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientpm.core.errors import ConflictError
from clientpm.projects.forms.scope import (
    DeliverableForm,
    DeliverableTransitionForm,
    MilestoneForm,
    ScopeItemForm,
    ScopeStatementForm,
)
from clientpm.projects.models import DeliverableStatus, Project
from clientpm.projects.queries import scope as queries
from clientpm.projects.services import scope as services
from clientpm.projects.services.projects import project_update
from clientpm.projects.views.common import attempt, back_to_tab, found, project_for, visible_project

T = TypeVar("T")

STEP_TITLES = {
    DeliverableStatus.IN_PROGRESS: gettext_lazy("Start work on the deliverable"),
    DeliverableStatus.SUBMITTED: gettext_lazy("Submit the deliverable to the customer"),
    DeliverableStatus.ACCEPTED: gettext_lazy("Record the customer's acceptance"),
    DeliverableStatus.REJECTED: gettext_lazy("Record the customer's rejection"),
    DeliverableStatus.WAIVED: gettext_lazy("Waive the deliverable"),
}


def _form_page(request: HttpRequest, project: Project, form: Any, title: str, **extra: Any) -> HttpResponse:
    context = {"nav": "projects", "project": project, "form": form, "title": title, **extra}
    return render(request, "projects/scope/form.html", context)


def _tab(request: HttpRequest, project: Project) -> HttpResponse:
    context = {"project": project, "scope": queries.scope_tab(project=project), "kinds": ("in", "out")}
    return render(request, "projects/scope/_tab.html", context)


@login_required
def tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The scope tab (an HTMX fragment of the project page)."""
    return _tab(request, visible_project(request, pk))


# Scope statement and items ---------------------------------------------------------------------------


@login_required
def statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_project")
    form = ScopeStatementForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            form,
            lambda: project_update(
                actor=request.user,
                project=project,
                version=data["version"],
                scope_statement=data["scope_statement"],
            ),
        )
        if saved is not None:
            messages.success(request, _("The scope statement was saved."))
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("Edit the scope statement"))


@login_required
def scope_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_scopeitem")
    form = ScopeItemForm(request.POST or None, initial={"kind": request.GET.get("kind", "in")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = attempt(
            form,
            lambda: services.scope_item_create(
                actor=request.user, project=project, kind=data["kind"], text=data["text"]
            ),
        )
        if item is not None:
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("Add a scope item"))


@login_required
def scope_item_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_scopeitem")
    item = found(queries.scope_item_get, user=request.user, pk=item_id, project=project)
    form = ScopeItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            form,
            lambda: services.scope_item_update(
                actor=request.user, item=item, kind=data["kind"], text=data["text"]
            ),
        )
        if saved is not None:
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("Edit the scope item"))


@login_required
def scope_item_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_scopeitem")
    item = found(queries.scope_item_get, user=request.user, pk=item_id, project=project)
    if request.method == "POST":
        try:
            services.scope_item_delete(actor=request.user, item=item)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        return back_to_tab(project, "scope")
    return _confirm(request, project, _("Delete the scope item “%(text)s”?") % {"text": item.text}, "")


@login_required
@require_POST
def scope_item_move(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Move an item one place up or down its list; an HTMX request gets the refreshed tab back."""
    project = project_for(request, pk, "projects.change_scopeitem")
    item = found(queries.scope_item_get, user=request.user, pk=item_id, project=project)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.scope_item_move(actor=request.user, item=item, position=max(item.position + step, 0))
    except (ValidationError, ConflictError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    if request.htmx:
        return _tab(request, project)
    return back_to_tab(project, "scope")


def _confirm(request: HttpRequest, project: Project, question: str, consequence: str) -> HttpResponse:
    return render(
        request,
        "projects/scope/confirm_delete.html",
        {"nav": "projects", "project": project, "question": question, "consequence": consequence},
    )


# Milestones -----------------------------------------------------------------------------------------


@login_required
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_milestone")
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form, lambda: services.milestone_create(actor=request.user, project=project, **kwargs)
        )
        if saved is not None:
            messages.success(request, _("Milestone %(name)s was added.") % {"name": saved.name})
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("New milestone"))


@login_required
def milestone_edit(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_milestone")
    milestone = found(queries.milestone_get, user=request.user, pk=milestone_id, project=project)
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.milestone_update(
                actor=request.user, milestone=milestone, version=form.cleaned_data["version"], **kwargs
            ),
        )
        if saved is not None:
            messages.success(request, _("Your changes were saved."))
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("Edit milestone %(name)s") % {"name": milestone.name})


@login_required
def milestone_delete(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_milestone")
    milestone = found(queries.milestone_get, user=request.user, pk=milestone_id, project=project)
    if request.method == "POST":
        try:
            services.milestone_delete(actor=request.user, milestone=milestone)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Milestone %(name)s was deleted.") % {"name": milestone.name})
        return back_to_tab(project, "scope")
    return _confirm(
        request,
        project,
        _("Delete the milestone %(name)s?") % {"name": milestone.name},
        _("Its deliverables stay, no longer linked to a milestone. The change log keeps a record."),
    )


# Deliverables ---------------------------------------------------------------------------------------


@login_required
def deliverable_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_deliverable")
    form = DeliverableForm(
        request.POST or None, project=project, initial={"milestone": request.GET.get("milestone")}
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form, lambda: services.deliverable_create(actor=request.user, project=project, **kwargs)
        )
        if saved is not None:
            messages.success(request, _("Deliverable %(name)s was added.") % {"name": saved.name})
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("New deliverable"))


@login_required
def deliverable_edit(request: HttpRequest, pk: int, deliverable_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.change_deliverable")
    deliverable = found(queries.deliverable_get, user=request.user, pk=deliverable_id, project=project)
    form = DeliverableForm(request.POST or None, instance=deliverable, project=project)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.deliverable_update(
                actor=request.user, deliverable=deliverable, version=form.cleaned_data["version"], **kwargs
            ),
        )
        if saved is not None:
            messages.success(request, _("Your changes were saved."))
            return back_to_tab(project, "scope")
    return _form_page(request, project, form, _("Edit deliverable %(name)s") % {"name": deliverable.name})


@login_required
def deliverable_delete(request: HttpRequest, pk: int, deliverable_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_deliverable")
    deliverable = found(queries.deliverable_get, user=request.user, pk=deliverable_id, project=project)
    if request.method == "POST":
        try:
            services.deliverable_delete(actor=request.user, deliverable=deliverable)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Deliverable %(name)s was deleted.") % {"name": deliverable.name})
        return back_to_tab(project, "scope")
    return _confirm(
        request,
        project,
        _("Delete the deliverable %(name)s?") % {"name": deliverable.name},
        _("Its acceptance history is deleted with it. The change log keeps a record."),
    )


@login_required
def deliverable_transition(request: HttpRequest, pk: int, deliverable_id: int) -> HttpResponse:
    """One step of the acceptance flow (``?to=<status>``): a small form, then the service."""
    project = project_for(request, pk, "projects.change_deliverable")
    deliverable = found(queries.deliverable_get, user=request.user, pk=deliverable_id, project=project)
    to_status = request.POST.get("to_status") or request.GET.get("to", "")
    if to_status not in STEP_TITLES:
        raise Http404
    form = DeliverableTransitionForm(
        request.POST or None, project=project, to_status=to_status, initial={"version": deliverable.version}
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = attempt(
            form,
            lambda: services.deliverable_transition(
                actor=request.user,
                deliverable=deliverable,
                to_status=to_status,
                version=form.cleaned_data["version"],
                **kwargs,
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("Deliverable %(name)s is now %(status)s.")
                % {"name": saved.name, "status": saved.get_status_display().lower()},
            )
            return back_to_tab(project, "scope")
    return _form_page(
        request,
        project,
        form,
        str(STEP_TITLES[to_status]),
        deliverable=deliverable,
        reviews=queries.deliverable_review_list(deliverable=deliverable),
        to_status=to_status,
    )
