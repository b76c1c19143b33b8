"""The project's Team tab (an HTMX fragment): members and open roles, the RACI grid, stakeholders and
the power-interest grid; and the pages that add, staff, edit and remove them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects.forms.team import ROLE_DATALIST_ID, MemberForm, RaciForm, StakeholderForm
from clientpm.projects.models import Project, ProjectMember, Stakeholder
from clientpm.projects.queries import team as queries
from clientpm.projects.services import team as services
from clientpm.projects.views.common import project_for, tab_url, visible_project


def _member(request: HttpRequest, pk: int, member_id: int, perm: str) -> ProjectMember:
    """The member ``member_id`` of visible project ``pk`` (404 otherwise), if the user holds ``perm``."""
    try:
        member = queries.member_get(user=request.user, pk=member_id, project_id=pk)
    except ProjectMember.DoesNotExist as exc:
        raise Http404 from exc
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return member


def _stakeholder(request: HttpRequest, pk: int, stakeholder_id: int, perm: str) -> Stakeholder:
    try:
        stakeholder = queries.stakeholder_get(user=request.user, pk=stakeholder_id, project_id=pk)
    except Stakeholder.DoesNotExist as exc:
        raise Http404 from exc
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return stakeholder


def _tab_context(
    request: HttpRequest, tab: queries.TeamTab, raci_form: RaciForm | None = None
) -> dict[str, Any]:
    can_edit_raci = tab.project.is_open and request.user.has_perm("projects.change_raciassignment")
    if raci_form is None and can_edit_raci and tab.raci.rows and tab.raci.members:
        raci_form = RaciForm(matrix=tab.raci)
    return {"project": tab.project, "tab": tab, "raci_form": raci_form, "quadrants": queries.Quadrant}


@login_required
def tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The Team tab fragment, loaded by HTMX into the project page."""
    project = visible_project(request, pk)
    return render(request, "projects/team/tab.html", _tab_context(request, queries.team_tab(project=project)))


# Members -------------------------------------------------------------------------------------------


def _member_page(
    request: HttpRequest, project: Project, form: MemberForm, member: Any = None
) -> HttpResponse:
    return render(
        request,
        "projects/team/member_form.html",
        {
            "nav": "projects",
            "project": project,
            "form": form,
            "member": member,
            "role_suggestions": queries.PROJECT_ROLE_SUGGESTIONS,
            "datalist_id": ROLE_DATALIST_ID,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person in a project role, or an open role to staff later."""
    project = project_for(request, pk, "projects.add_projectmember")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_add(actor=request.user, project=project, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(member)s joined the team.") % {"member": member})
            return redirect(tab_url(project, "team"))
    return _member_page(request, project, form)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """Change a member's role or allocation, or staff an open role by choosing the person."""
    member = _member(request, pk, member_id, "projects.change_projectmember")
    form = MemberForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.member_update(actor=request.user, member=member, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(member)s was saved.") % {"member": saved})
            return redirect(tab_url(member.project, "team"))
    return _member_page(request, member.project, form, member)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """Ask first, saying how many RACI cells go with the member; remove on POST."""
    member = _member(request, pk, member_id, "projects.delete_projectmember")
    if request.method == "POST":
        try:
            services.member_remove(actor=request.user, member=member)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("%(member)s was removed from the team.") % {"member": member})
        return redirect(tab_url(member.project, "team"))
    return render(
        request,
        "projects/team/member_confirm_remove.html",
        {
            "nav": "projects",
            "project": member.project,
            "member": member,
            "cancel_url": tab_url(member.project, "team"),
        },
    )


# RACI ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def raci_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the RACI grid. From the tab (HTMX) the answer is the tab again, with the refusal listing
    every bad row and the letters as typed; without HTMX it is a full page doing the same."""
    project = project_for(request, pk, "projects.change_raciassignment")
    team = queries.team_tab(project=project)
    form = RaciForm(request.POST or None, matrix=team.raci)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.raci_set(actor=request.user, project=project, cells=form.changed_cells())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("The RACI matrix was saved."))
                return redirect(tab_url(project, "team"))
            team = queries.team_tab(project=project)
            context = _tab_context(request, team)
            context["raci_saved"] = changed
            return render(request, "projects/team/tab.html", context)
    if form.is_bound:  # refused: the user's changes over what is stored now, each row checked
        team.raci = queries.raci_matrix(project=project, members=team.members, overrides=form.changed_cells())
        form = form.rebased(team.raci)
    if request.htmx:
        return render(request, "projects/team/tab.html", _tab_context(request, team, form))
    return render(
        request,
        "projects/team/raci_page.html",
        {"nav": "projects", "project": project, "tab": team, "raci_form": form, "standalone": True},
    )


# Stakeholders --------------------------------------------------------------------------------------


def _stakeholder_page(
    request: HttpRequest, project: Project, form: StakeholderForm, stakeholder: Any = None
) -> HttpResponse:
    return render(
        request,
        "projects/team/stakeholder_form.html",
        {"nav": "projects", "project": project, "form": form, "stakeholder": stakeholder},
    )


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_stakeholder")
    form = StakeholderForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder = services.stakeholder_create(
                actor=request.user, project=project, **form.service_kwargs()
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Stakeholder %(name)s was added.") % {"name": stakeholder})
            return redirect(tab_url(project, "team"))
    return _stakeholder_page(request, project, form)


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, pk: int, stakeholder_id: int) -> HttpResponse:
    stakeholder = _stakeholder(request, pk, stakeholder_id, "projects.change_stakeholder")
    form = StakeholderForm(request.POST or None, instance=stakeholder, project=stakeholder.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_update(
                actor=request.user,
                stakeholder=stakeholder,
                version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(tab_url(stakeholder.project, "team"))
    return _stakeholder_page(request, stakeholder.project, form, stakeholder)


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_delete(request: HttpRequest, pk: int, stakeholder_id: int) -> HttpResponse:
    stakeholder = _stakeholder(request, pk, stakeholder_id, "projects.delete_stakeholder")
    project = stakeholder.project
    if request.method == "POST":
        try:
            services.stakeholder_delete(actor=request.user, stakeholder=stakeholder)
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Stakeholder %(name)s was deleted.") % {"name": stakeholder})
        return redirect(tab_url(project, "team"))
    return render(
        request,
        "projects/team/stakeholder_confirm_delete.html",
        {
            "nav": "projects",
            "project": project,
            "stakeholder": stakeholder,
            "cancel_url": tab_url(project, "team"),
        },
    )
