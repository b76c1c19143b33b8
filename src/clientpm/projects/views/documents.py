"""The project page's documents tab (an HTMX fragment) and its pages: upload a document or a new
version, delete a document, download any version, and archive the documents at closing.

Each page loads the project through the reader's scope (404), checks the permission (403), then
calls a documents service; on success it goes back to the project page's documents tab, on refusal
it shows the form again with the service's reasons next to the fields. Files are only ever sent by
``document_download``, which checks the scope first; there is no public media URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects.forms.documents import ConfirmForm, DocumentUploadForm, DocumentVersionForm
from clientpm.projects.models import Document, DocumentVersion, Project
from clientpm.projects.queries import documents as queries
from clientpm.projects.services import documents as services
from clientpm.projects.views.common import back_to_tab, project_for, visible_project


def _document(request: HttpRequest, project: Project, document_id: int) -> Document:
    try:
        return queries.document_get(user=request.user, pk=document_id, project=project)
    except Document.DoesNotExist as exc:
        raise Http404 from exc


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    """The form data and files of a POST (a multipart POST may carry only a file), else (None, None)."""
    if request.method != "POST":
        return None, None
    return request.POST, request.FILES


def _page(request: HttpRequest, template: str, project: Project, **context: Any) -> HttpResponse:
    return render(
        request, f"projects/documents/{template}", {"nav": "projects", "project": project, **context}
    )


@login_required
def tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents tab (an HTMX fragment of the project page)."""
    project = visible_project(request, pk)
    return render(
        request,
        "projects/documents/_tab.html",
        {"project": project, "tab": queries.documents_tab(project=project)},
    )


@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_document")
    initial = {"category": request.GET["category"]} if request.GET.get("category") else {}
    form = DocumentUploadForm(*_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, project=project, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Document “%(title)s” was uploaded.") % {"title": document.title})
            return back_to_tab(project, "documents")
    return _page(request, "form.html", project, form=form, title=_("Upload a document"))


@login_required
def version_upload(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_documentversion")
    document = _document(request, project, document_id)
    form = DocumentVersionForm(*_posted(request), initial={"version": document.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.document_version_add(
                actor=request.user,
                document=document,
                file=data["file"],
                note=data["note"],
                version=data["version"],
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)s of “%(title)s” was uploaded.")
                % {"number": saved.number, "title": document.title},
            )
            return back_to_tab(project, "documents")
    return _page(
        request,
        "form.html",
        project,
        form=form,
        document=document,
        title=_("New version of “%(title)s”") % {"title": document.title},
    )


@login_required
def document_delete(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    project = project_for(request, pk, "projects.delete_document")
    document = _document(request, project, document_id)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, initial={"version": document.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_delete(
                actor=request.user, document=document, version=form.cleaned_data["version"]
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Document “%(title)s” was deleted.") % {"title": document.title})
            return back_to_tab(project, "documents")
    count = len(document.versions.all())
    return _page(
        request,
        "confirm.html",
        project,
        form=form,
        question=_("Delete the document “%(title)s”?") % {"title": document.title},
        consequence=_(
            "Its %(count)s version(s) and their files are deleted for good. The change log keeps a record."
        )
        % {"count": count},
        button=_("Delete permanently"),
        danger=True,
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_id: int, number: int) -> FileResponse:
    """One version's file as an attachment under its original name; 404 outside the reader's scope."""
    project = visible_project(request, pk)
    try:
        version = queries.document_version_get(
            user=request.user, document_id=document_id, number=number, project=project
        )
    except DocumentVersion.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type or "application/octet-stream",
    )


@login_required
def documents_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then archive the project's documents (closing phase only)."""
    project = project_for(request, pk, "projects.change_document")
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, initial={"version": project.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_documents_archive(
                actor=request.user, project=project, version=form.cleaned_data["version"]
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The project's documents are archived and now read-only."))
            return back_to_tab(project, "documents")
    return _page(
        request,
        "confirm.html",
        project,
        form=form,
        question=_("Archive the documents of %(code)s?") % {"code": project.code},
        consequence=_(
            "Archived documents are read-only: no document or version can be added or deleted "
            "afterwards. Every version stays downloadable. The closing gate needs this step."
        ),
        button=_("Archive documents"),
        danger=False,
    )
