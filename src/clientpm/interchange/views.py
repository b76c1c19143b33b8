"""Pages of the interchange app: "Import Microsoft Project file", an import's summary, the project
page's "Import / export" tab (an HTMX fragment) and the MSPDI download.

Every page loads the project (or import) through the reader's scope (404) before the permission
is checked (403); the import's refusals come back next to the form's fields."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientpm.interchange import queries
from clientpm.interchange.forms import EXISTING, NEW, PlanImportForm
from clientpm.interchange.report import summary_items
from clientpm.interchange.services import plan_import
from clientpm.projects.views.common import attempt, found, project_for, visible_project


@login_required
@permission_required("projects.add_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a Microsoft Project XML file into a new or an existing project; then its summary."""
    can_create = request.user.has_perm("projects.add_project")
    wanted = request.GET.get("project")
    initial = {
        "target": EXISTING if wanted or not can_create else NEW,
        "project": wanted,
        "customer": request.GET.get("customer"),
    }
    form = PlanImportForm(
        request.POST or None, request.FILES or None, user=request.user, can_create=can_create, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: plan_import(
                actor=request.user, source=form.cleaned_data["file"], **form.service_kwargs()
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("%(file)s was imported into %(project)s.")
                % {"file": done.file_name, "project": done.project.code},
            )
            return redirect("interchange:summary", pk=done.pk)
    return render(request, "interchange/import_form.html", {"nav": "projects", "form": form})


@login_required
@require_GET
def plan_import_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """What an import created and every report item, in the reader's language."""
    plan_import_row = found(queries.plan_import_get, user=request.user, pk=pk)
    if not request.user.has_perm("projects.view_task"):
        raise PermissionDenied
    items = summary_items(plan_import_row.report)
    context = {
        "nav": "projects",
        "plan_import": plan_import_row,
        "project": plan_import_row.project,
        "warnings": [item for item in items if item["severity"] == "warning"],
        "infos": [item for item in items if item["severity"] != "warning"],
    }
    return render(request, "interchange/summary.html", context)


@login_required
@require_GET
def project_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page's "Import / export" tab: export, import into this project, past imports."""
    project = visible_project(request, pk)
    if not request.user.has_perm("projects.view_task"):
        raise PermissionDenied
    context = {
        "project": project,
        "imports": queries.plan_import_list(project=project),
        "can_import": project.is_open and request.user.has_perm("projects.add_task"),
        "export_name": queries.export_file_name(project),
    }
    return render(request, "interchange/tab.html", context)


@login_required
@require_GET
def plan_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's plan as ``<code>.xml`` (MSPDI), to open in Microsoft Project."""
    project = project_for(request, pk, "projects.view_task")
    response = HttpResponse(queries.plan_export(project), content_type=queries.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, queries.export_file_name(project))
    return response
