"""Writes of project documents (文档): upload, new versions, delete, and archiving at closing.

Rules:

- every write refuses a closed or cancelled project (``project_ensure_editable``, 409) and, once the
  project's documents are archived, any document or version added or removed (409, read-only);
- an upload must be a non-empty file no larger than ``CLIENTPM_MAX_DOCUMENT_BYTES`` (default 25 MiB)
  whose extension is in ``CLIENTPM_DOCUMENT_EXTENSIONS``; a refusal is a field error on ``file``;
- each upload becomes a numbered ``DocumentVersion`` (1, 2, 3…) storing the original file name,
  size, content type, SHA-256 and who uploaded it; earlier versions are never replaced;
- files go through the Django storage API (``default_storage``: a local folder now, S3 later) under
  names built from ids, never from the user's file name;
- deleting a document deletes its files from storage only after the transaction commits, so a
  rollback never leaves rows pointing at missing files;
- archiving (``project_documents_archive``) is allowed only in the closing phase, once.

The project row is locked by every write, so an upload and the archiving cannot interleave.

Errors: ``ValidationError`` (422 / field errors) for bad input, ``ConflictError`` (409) for an
archived, closed or wrong-phase project, ``StaleVersionError`` (409) for a stale version.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.projects.models import Document, DocumentVersion, Phase, Project
from clientpm.projects.services.projects import project_ensure_editable

DEFAULT_DOCUMENT_EXTENSIONS: tuple[str, ...] = (
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "txt",
    "md",
    "csv",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "zip",
    "vsd",
    "vsdx",
    "mpp",
    "xml",
)
DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1024 * 1024

_NAME_LIMIT = DocumentVersion._meta.get_field("original_name").max_length or 255
_TYPE_LIMIT = DocumentVersion._meta.get_field("content_type").max_length or 120
_NOTE_LIMIT = DocumentVersion._meta.get_field("note").max_length or 300


def max_document_bytes() -> int:
    """The largest accepted upload, in bytes (``CLIENTPM_MAX_DOCUMENT_BYTES``)."""
    return int(getattr(settings, "CLIENTPM_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES))


def document_extensions() -> tuple[str, ...]:
    """The accepted file extensions, lower case without the dot (``CLIENTPM_DOCUMENT_EXTENSIONS``)."""
    configured = getattr(settings, "CLIENTPM_DOCUMENT_EXTENSIONS", DEFAULT_DOCUMENT_EXTENSIONS)
    return tuple(e.strip().lower().lstrip(".") for e in configured if e.strip())


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _original_name(file: File) -> str:
    """The user's file name without any folder part, shortened to fit while keeping its extension."""
    name = str(file.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if len(name) > _NAME_LIMIT:
        ext = _extension(name)
        keep = _NAME_LIMIT - len(ext) - 1 if ext else _NAME_LIMIT
        name = f"{name[:keep]}.{ext}" if ext else name[:keep]
    return name


def document_file_check(file: File | None, field: str = "file") -> File:
    """``file`` if it may be stored; a missing, empty, too large or disallowed file is an error on
    ``field``."""
    if file is None:
        raise ValidationError({field: [_("Choose a file to upload.")]})
    name = _original_name(file)
    size = file.size or 0
    limit = max_document_bytes()
    allowed = document_extensions()
    if size <= 0:
        raise ValidationError({field: [_("The file “%(name)s” is empty.") % {"name": name}]})
    if size > limit:
        raise ValidationError(
            {
                field: [
                    _("The file is %(size)s; files may be at most %(limit)s.")
                    % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
                ]
            }
        )
    ext = _extension(name)
    if ext not in allowed:
        raise ValidationError(
            {
                field: [
                    _("Files of type “%(ext)s” are not accepted. Allowed types: %(allowed)s.")
                    % {"ext": f".{ext}" if ext else _("(no extension)"), "allowed": ", ".join(allowed)}
                ]
            }
        )
    return file


def _note_errors(note: str) -> dict[str, list[str]]:
    if len((note or "").strip()) > _NOTE_LIMIT:
        return {
            "note": [
                _("Ensure this value has at most %(limit)d characters (it has %(count)d).")
                % {"limit": _NOTE_LIMIT, "count": len(note.strip())}
            ]
        }
    return {}


def _sha256(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _content_type(file: File, name: str) -> str:
    """The type guessed from the extension (the browser's claim only when the extension says nothing)."""
    guessed = mimetypes.guess_type(name)[0] or getattr(file, "content_type", "") or "application/octet-stream"
    return str(guessed)[:_TYPE_LIMIT]


def _version_snapshot(version: DocumentVersion) -> dict[str, Any]:
    return {**snapshot(version), "file": version.file.name}


def _writable_project(project_id: int) -> Project:
    """The project row, locked against a concurrent archiving; 409 when closed or archived."""
    project = Project.objects.select_for_update().get(pk=project_id)
    project_ensure_editable(project)
    if project.documents_archived_at is not None:
        raise ConflictError(
            _("The documents of project %(code)s are archived, read-only.") % {"code": project.code}
        )
    return project


def _store_version(
    *, actor: User | None, document: Document, number: int, file: File, note: str
) -> DocumentVersion:
    """Validate, hash and store ``file`` as version ``number`` of ``document``, then save the row.

    The file is written last and removed again if the row cannot be saved, so a failed upload
    leaves nothing in storage."""
    name = _original_name(file)
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=name,
        size_bytes=file.size,
        content_type=_content_type(file, name),
        sha256=_sha256(file),
        note=(note or "").strip(),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    version.full_clean(exclude=["document", "file"])
    version.file.save(name, file, save=False)
    try:
        version.save()
        record_create(actor, version, _version_snapshot(version))
    except BaseException:
        version.file.storage.delete(version.file.name)
        raise
    return version


@transaction.atomic
def document_create(
    *,
    actor: User | None,
    project: Project,
    title: str,
    category: str,
    file: File | None,
    note: str = "",
    description: str = "",
) -> Document:
    """Add a document to ``project`` with ``file`` as its version 1."""
    project = _writable_project(project.pk)
    document = Document(
        project=project,
        title=(title or "").strip(),
        category=category,
        description=(description or "").strip(),
        latest_number=1,
    )
    errors = _note_errors(note)
    try:
        document.full_clean(exclude=["project"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked: File | None = None
    try:
        checked = document_file_check(file)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or checked is None:
        raise ValidationError(errors)
    document.save()
    record_create(actor, document)
    _store_version(actor=actor, document=document, number=1, file=checked, note=note)
    return document


@transaction.atomic
def document_version_add(
    *, actor: User | None, document: Document, file: File | None, note: str = "", version: int | None = None
) -> DocumentVersion:
    """Upload the next version of ``document``; the earlier ones stay. ``version`` is the document
    row's version the caller saw (stale → 409)."""
    _writable_project(document.project_id)
    document = lock_for_update(Document.objects.all(), document.pk, version)
    errors = _note_errors(note)
    checked: File | None = None
    try:
        checked = document_file_check(file)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or checked is None:
        raise ValidationError(errors)
    before = snapshot(document)
    document.latest_number += 1
    bump_version(document)
    document.save()
    record_update(actor, document, before)
    return _store_version(
        actor=actor, document=document, number=document.latest_number, file=checked, note=note
    )


def _delete_files(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


@transaction.atomic
def document_delete(*, actor: User | None, document: Document, version: int | None = None) -> None:
    """Delete a document with every version; its files leave storage once the deletion commits."""
    _writable_project(document.project_id)
    document = lock_for_update(Document.objects.all(), document.pk, version)
    versions = list(document.versions.all())
    storage = DocumentVersion._meta.get_field("file").storage
    for old in versions:
        record_delete(actor, old, _version_snapshot(old))
    record_delete(actor, document, snapshot(document))
    document.delete()
    transaction.on_commit(partial(_delete_files, storage, [v.file.name for v in versions]))


@transaction.atomic
def project_documents_archive(*, actor: User | None, project: Project, version: int | None) -> Project:
    """Archive the project's documents: from now on they are read-only. Only in the closing phase
    (409 otherwise) and only once; ``version`` is the project's (stale → 409)."""
    project = lock_for_update(Project.objects.all(), project.pk, version)
    project_ensure_editable(project)
    if project.phase != Phase.CLOSING:
        raise ConflictError(
            _("Documents are archived in the closing phase; project %(code)s is in %(phase)s.")
            % {"code": project.code, "phase": project.get_phase_display().lower()}
        )
    if project.documents_archived_at is not None:
        raise ConflictError(
            _("The documents of project %(code)s are already archived.") % {"code": project.code}
        )
    before = snapshot(project)
    project.documents_archived_at = timezone.now()
    bump_version(project)
    project.save()
    record_update(actor, project, before)
    return project
