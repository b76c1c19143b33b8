"""Project documents: versions kept and downloadable, size and type limits, scoped downloads, files
removed after a delete commits, archiving at closing and the read-only lock it brings, the documents
tab and the closing gate's "documents archived" condition."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import Document, DocumentVersion, Project
from clientpm.projects.services.documents import (
    document_create,
    document_delete,
    document_version_add,
    project_documents_archive,
)
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.team import member_add


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def outsider(db):
    """A project manager who neither manages nor works on the fixture project."""
    return user_create(actor=None, username="pm2", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER])


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(actor, project, name="需求规格说明书.docx", content=b"first draft", **extra):
    fields = {"title": "需求规格说明书", "category": "requirements", **extra}
    return document_create(actor=actor, project=project, file=SimpleUploadedFile(name, content), **fields)


def move_to(project: Project, phase: str, admin) -> Project:
    """Walk the project forward to ``phase`` with an administrator's override (test setup only)."""
    order = ["initiation", "planning", "execution", "closing"]
    project.refresh_from_db()
    for step in order[order.index(project.phase) + 1 : order.index(phase) + 1]:
        project = project_transition(
            actor=admin, project=project, to_phase=step, version=project.version, override_reason="test setup"
        )
    return project


def condition(project: Project, key: str) -> list[str]:
    return next(c for c in gate_evaluate(project, "closing") if c.key == key).reasons


def download(client, project, document, number):
    return client.get(f"/projects/{project.pk}/documents/{document.pk}/v{number}/download/")


# Versions -------------------------------------------------------------------------------------------


def test_each_upload_is_a_new_version_and_every_version_downloads_under_its_own_name(
    web, pm, project, settings
):
    document = upload(pm, project, "需求规格说明书.docx", b"first draft", note="初稿")
    second = document_version_add(
        actor=pm,
        document=document,
        file=SimpleUploadedFile("需求规格说明书-客户确认.docx", b"signed by the customer"),
        note="客户确认版",
        version=1,
    )
    document.refresh_from_db()
    assert (document.latest_number, document.version, second.number) == (2, 2, 2)
    first = document.versions.get(number=1)
    assert (first.original_name, first.size_bytes, first.note) == ("需求规格说明书.docx", 11, "初稿")
    assert first.sha256 == hashlib.sha256(b"first draft").hexdigest()
    assert (second.size_bytes, second.sha256) == (22, hashlib.sha256(b"signed by the customer").hexdigest())
    assert first.uploaded_by == pm
    assert first.content_type.endswith("wordprocessingml.document")
    # Stored names come from ids, never from the user's file name.
    assert stored_files(settings) == [
        f"projects/{project.pk}/documents/{document.pk}/v1.docx",
        f"projects/{project.pk}/documents/{document.pk}/v2.docx",
    ]

    client = web(pm)
    for number, name, content in (
        (1, "需求规格说明书.docx", b"first draft"),
        (2, "需求规格说明书-客户确认.docx", b"signed by the customer"),
    ):
        response = download(client, project, document, number)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert download(client, project, document, 3).status_code == 404


def test_a_stale_document_version_is_refused(pm, project):
    document = upload(pm, project)
    document_version_add(actor=pm, document=document, file=SimpleUploadedFile("b.docx", b"two"), version=1)
    with pytest.raises(StaleVersionError):
        document_version_add(actor=pm, document=document, file=SimpleUploadedFile("c.docx", b"3"), version=1)
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]


def test_uploads_leave_change_records(pm, project):
    document = upload(pm, project)
    version = document.versions.get()
    record = ChangeRecord.objects.get(object_id=version.pk, content_type__model="documentversion")
    assert record.actor == pm
    assert record.changes["file"] == [None, f"projects/{project.pk}/documents/{document.pk}/v1.docx"]
    assert ChangeRecord.objects.filter(object_id=document.pk, content_type__model="document").count() == 1


# Limits ---------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_an_error_on_the_file_field(pm, project, settings):
    settings.CLIENTPM_MAX_DOCUMENT_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        upload(pm, project, "big.pdf", b"x" * 11)
    assert exc.value.message_dict == {"file": ["The file is 11\xa0bytes; files may be at most 10\xa0bytes."]}
    upload(pm, project, "small.pdf", b"x" * 10)  # exactly at the limit is fine
    assert Document.objects.count() == 1
    assert stored_files(settings) == [f"projects/{project.pk}/documents/{Document.objects.get().pk}/v1.pdf"]


def test_a_disallowed_type_and_an_empty_file_are_errors_on_the_file_field(pm, project, settings):
    with pytest.raises(ValidationError) as exc:
        upload(pm, project, "setup.exe", b"MZ")
    assert list(exc.value.message_dict) == ["file"]
    assert "“.exe” are not accepted" in exc.value.message_dict["file"][0]
    settings.CLIENTPM_DOCUMENT_EXTENSIONS = ("pdf",)
    with pytest.raises(ValidationError) as exc:
        upload(pm, project, "notes.txt", b"hello")
    assert exc.value.message_dict["file"] == ["Files of type “.txt” are not accepted. Allowed types: pdf."]
    with pytest.raises(ValidationError) as exc:
        upload(pm, project, "blank.pdf", b"")
    assert exc.value.message_dict["file"] == ["The file “blank.pdf” is empty."]
    assert Document.objects.count() == 0
    assert stored_files(settings) == []


def test_the_upload_page_shows_the_limit_error_next_to_the_file_and_keeps_the_title(
    web, pm, project, settings
):
    settings.CLIENTPM_MAX_DOCUMENT_BYTES = 5
    response = web(pm).post(
        f"/projects/{project.pk}/documents/upload/",
        {
            "title": "验收报告",
            "category": "acceptance",
            "file": SimpleUploadedFile("report.pdf", b"%PDF-1.7"),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"file": ["The file is 8\xa0bytes; files may be at most 5\xa0bytes."]}
    assert 'value="验收报告"' in response.content.decode()
    assert "is-invalid" in form.fields["file"].widget.attrs["class"]
    assert Document.objects.count() == 0


def test_the_upload_page_stores_the_document_and_returns_to_the_tab(web, team_member, pm, project):
    member_add(actor=pm, project=project, user=team_member, project_role="Developer")
    response = web(team_member).post(
        f"/projects/{project.pk}/documents/upload/",
        {
            "title": "会议纪要 0412",
            "category": "minutes",
            "note": "",
            "file": SimpleUploadedFile("m.md", "# 纪要".encode()),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-documents"
    version = DocumentVersion.objects.get()
    assert (version.document.title, version.document.category, version.uploaded_by) == (
        "会议纪要 0412",
        "minutes",
        team_member,
    )


def test_the_new_version_page_shows_the_history_and_adds_the_next_version(web, pm, project):
    document = upload(pm, project, "plan.xlsx", b"v1")
    client = web(pm)
    url = f"/projects/{project.pk}/documents/{document.pk}/versions/new/"
    page = client.get(url).content.decode()
    assert 'data-testid="document-summary"' in page
    assert "v1 · plan.xlsx" in page
    assert 'enctype="multipart/form-data"' in page
    response = client.post(
        url, {"file": SimpleUploadedFile("plan-final.xlsx", b"final"), "note": "", "version": 1}
    )
    assert response.status_code == 302
    latest = document.versions.get(number=2)
    assert (latest.original_name, latest.size_bytes) == ("plan-final.xlsx", 5)
    missing = client.post(url, {"note": "忘了选文件", "version": 2})
    assert list(missing.context["form"].errors) == ["file"]
    assert "忘了选文件" in missing.content.decode()


# Scope ----------------------------------------------------------------------------------------------


def test_downloads_outside_the_readers_scope_are_not_found(web, pm, outsider, customer, project):
    document = upload(pm, project)
    assert download(web(outsider), project, document, 1).status_code == 404
    # Through another project's address, even a visible one, the document does not exist either.
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    assert download(web(pm), other, document, 1).status_code == 404


def test_a_team_member_may_upload_but_not_delete(web, pm, team_member, project):
    member_add(actor=pm, project=project, user=team_member, project_role="Developer")
    document = upload(pm, project)
    client = web(team_member)
    assert client.get(f"/projects/{project.pk}/documents/upload/").status_code == 200
    assert (
        client.post(f"/projects/{project.pk}/documents/{document.pk}/delete/", {"version": 1}).status_code
        == 403
    )
    assert client.get(f"/projects/{project.pk}/documents/archive/").status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


# Delete ---------------------------------------------------------------------------------------------


def test_deleting_a_document_removes_its_files_only_after_the_commit(
    pm, project, settings, django_capture_on_commit_callbacks
):
    document = upload(pm, project)
    document_version_add(actor=pm, document=document, file=SimpleUploadedFile("v2.docx", b"two"))
    assert len(stored_files(settings)) == 2
    with django_capture_on_commit_callbacks() as callbacks:
        document_delete(actor=pm, document=document, version=2)
        assert len(stored_files(settings)) == 2  # still there until the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert stored_files(settings) == []
    assert not DocumentVersion.objects.exists()
    deleted = ChangeRecord.objects.filter(action="delete").values_list("content_type__model", flat=True)
    assert sorted(deleted) == ["document", "documentversion", "documentversion"]


def test_the_delete_page_asks_first_and_then_deletes(web, pm, project):
    document = upload(pm, project)
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/documents/{document.pk}/delete/")
    assert "Its 1 version(s) and their files are deleted for good." in page.content.decode()
    response = client.post(f"/projects/{project.pk}/documents/{document.pk}/delete/", {"version": 1})
    assert response.status_code == 302
    assert not Document.objects.exists()


# Archiving ------------------------------------------------------------------------------------------


def test_archiving_before_the_closing_phase_is_refused(pm, admin_user, project):
    project = move_to(project, "execution", admin_user)
    with pytest.raises(ConflictError) as exc:
        project_documents_archive(actor=pm, project=project, version=project.version)
    assert (
        exc.value.detail
        == f"Documents are archived in the closing phase; project {project.code} is in execution."
    )
    project.refresh_from_db()
    assert project.documents_archived_at is None


def test_archived_documents_are_read_only_and_nothing_is_written(pm, admin_user, project, settings):
    document = upload(pm, project)
    project = move_to(project, "closing", admin_user)
    project = project_documents_archive(actor=pm, project=project, version=project.version)
    assert project.documents_archived_at is not None
    files_before = stored_files(settings)
    message = f"The documents of project {project.code} are archived, read-only."
    with pytest.raises(ConflictError) as exc:
        upload(pm, project, "late.docx", b"too late")
    assert exc.value.detail == message
    with pytest.raises(ConflictError):
        document_version_add(actor=pm, document=document, file=SimpleUploadedFile("v2.docx", b"late"))
    with pytest.raises(ConflictError):
        document_delete(actor=pm, document=document)
    assert Document.objects.count() == 1
    assert DocumentVersion.objects.count() == 1
    assert stored_files(settings) == files_before
    with pytest.raises(ConflictError):  # and only once
        project_documents_archive(actor=pm, project=project, version=project.version)


def test_archiving_refuses_a_stale_project_version(pm, admin_user, project):
    project = move_to(project, "closing", admin_user)
    with pytest.raises(StaleVersionError):
        project_documents_archive(actor=pm, project=project, version=project.version - 1)


def test_the_archive_page_confirms_then_archives(web, pm, admin_user, project):
    project = move_to(project, "closing", admin_user)
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/documents/archive/")
    assert "Archived documents are read-only" in page.content.decode()
    stale = client.post(f"/projects/{project.pk}/documents/archive/", {"version": project.version - 1})
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode()
    response = client.post(f"/projects/{project.pk}/documents/archive/", {"version": project.version})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.documents_archived_at is not None


def test_the_closing_gate_waits_for_the_documents_to_be_archived(pm, admin_user, project):
    project = move_to(project, "closing", admin_user)
    assert condition(project, "documents_archived") == ["The project documents have not been archived."]
    project = project_documents_archive(actor=pm, project=project, version=project.version)
    assert condition(project, "documents_archived") == []


# The tab --------------------------------------------------------------------------------------------


def test_the_tab_groups_documents_by_category_with_latest_version_and_history(
    web, pm, project, django_assert_max_num_queries
):
    contract = upload(pm, project, "合同.pdf", b"contract", title="实施合同", category="contract")
    spec = upload(pm, project, "spec.docx", b"v1")
    for content in (b"v2", b"v3"):
        document_version_add(actor=pm, document=spec, file=SimpleUploadedFile("spec.docx", content))
    for n in range(5):
        upload(pm, project, f"m{n}.md", b"minutes", title=f"周会纪要 {n}", category="minutes")
    client = web(pm)
    with django_assert_max_num_queries(7):  # whatever the number of documents and versions
        response = client.get(f"/projects/{project.pk}/documents/")
    html = response.content.decode()
    tab = response.context["tab"]
    assert [g.category for g in tab.groups] == ["contract", "requirements", "minutes"]
    assert [len(g.documents) for g in tab.groups] == [1, 1, 5]
    assert tab.groups[1].documents[0].latest.number == 3
    assert [v.number for v in tab.groups[1].documents[0].history] == [2, 1]
    assert "2 earlier versions" in html
    assert f"/projects/{project.pk}/documents/{contract.pk}/v1/download/" in html
    assert 'data-testid="upload-document"' in html
    assert 'data-testid="archive-documents"' not in html  # only in the closing phase


def test_the_tab_offers_archiving_in_closing_and_shows_the_badge_after(web, pm, admin_user, project):
    upload(pm, project)
    project = move_to(project, "closing", admin_user)
    html = web(pm).get(f"/projects/{project.pk}/documents/").content.decode()
    assert 'data-testid="archive-documents"' in html
    assert 'data-testid="archived-badge"' not in html
    project_documents_archive(actor=pm, project=project, version=project.version)
    html = web(pm).get(f"/projects/{project.pk}/documents/").content.decode()
    assert 'data-testid="archived-badge"' in html
    assert 'data-testid="upload-document"' not in html
    assert 'data-testid="new-version"' not in html
    assert 'data-testid="archive-documents"' not in html


def test_the_tab_is_not_found_outside_the_readers_scope(web, outsider, project):
    assert web(outsider).get(f"/projects/{project.pk}/documents/").status_code == 404
