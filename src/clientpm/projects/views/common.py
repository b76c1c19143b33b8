"""What every project page does first: load the project through the reader's scope (404 outside
it) and, for a write, check the model permission (403) — the same order as the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects.models import Project
from clientpm.projects.queries.projects import project_get


def visible_project(request: HttpRequest, pk: int) -> Project:
    """The project ``pk`` if the user may see it, else 404 (existence never leaks)."""
    try:
        return project_get(user=request.user, pk=pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


def project_for(request: HttpRequest, pk: int, perm: str) -> Project:
    """The visible project ``pk`` for a write needing ``perm`` (e.g. ``projects.add_goal``), else 404/403."""
    project = visible_project(request, pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return project


T = TypeVar("T")


def found(load: Callable[..., T], **kwargs: Any) -> T:
    """An object from a scoped query, or 404 when it is missing or outside the reader's scope."""
    try:
        return load(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def attempt(form: Any, action: Callable[[], T]) -> T | None:
    """Run a service call; on refusal put its reasons on ``form`` and return None."""
    try:
        return action()
    except (ValidationError, ConflictError) as exc:
        add_service_error(form, exc)
        return None


def tab_url(project: Project, tab: str) -> str:
    """The project page opened on ``tab`` (``tabs.js`` opens the tab named in the hash)."""
    return reverse("projects:detail", args=[project.pk]) + f"#tab-{tab}"


def back_to_tab(project: Project, tab: str) -> HttpResponse:
    return redirect(tab_url(project, tab))
