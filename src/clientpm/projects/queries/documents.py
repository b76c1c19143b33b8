"""Reads of project documents: the documents with their versions, one document or version in the
reader's scope, and the documents tab — each in a fixed number of queries, whatever the number of
documents and versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from clientpm.accounts.models import User
from clientpm.projects.models import Document, DocumentCategory, DocumentVersion, Phase, Project
from clientpm.projects.queries.projects import project_scope


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    return project_scope(user=user).values("pk")


def _versions() -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.select_related("uploaded_by").order_by("-number")


def document_list(*, project: Project, category: str | None = None) -> QuerySet[Document]:
    """The project's documents by category and title, each with its versions newest first (two
    queries)."""
    qs = Document.objects.filter(project=project)
    if category:
        qs = qs.filter(category=category)
    return qs.prefetch_related(Prefetch("versions", queryset=_versions())).order_by("category", "title", "id")


def document_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> Document:
    """A document of a project the user may see (of ``project`` when given), with its versions,
    else ``Document.DoesNotExist``."""
    qs = Document.objects.filter(project__in=_visible(user)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.prefetch_related(Prefetch("versions", queryset=_versions())).get(pk=pk)


def document_version_get(
    *, user: User | AnonymousUser, document_id: int, number: int, project: Project | None = None
) -> DocumentVersion:
    """Version ``number`` of a document the user may see, else ``DocumentVersion.DoesNotExist``."""
    qs = DocumentVersion.objects.filter(
        document_id=document_id, document__project__in=_visible(user)
    ).select_related("document")
    if project is not None:
        qs = qs.filter(document__project=project)
    return qs.get(number=number)


@dataclass
class DocumentGroup:
    category: str
    label: str
    documents: list[Document] = field(default_factory=list)


@dataclass
class DocumentsTab:
    """Everything the project page's documents tab shows."""

    project: Project
    groups: list[DocumentGroup]
    count: int

    @property
    def archived(self) -> bool:
        return self.project.documents_archived_at is not None

    @property
    def can_archive(self) -> bool:
        return self.project.phase == Phase.CLOSING and not self.archived

    @property
    def can_change(self) -> bool:
        return self.project.is_open and not self.archived


def documents_tab(*, project: Project) -> DocumentsTab:
    """The documents tab of a project already loaded through the reader's scope (two queries):
    documents grouped by category in the categories' order, each with ``latest`` and ``history``."""
    groups = {
        value: DocumentGroup(category=value, label=str(label)) for value, label in DocumentCategory.choices
    }
    count = 0
    for document in document_list(project=project):
        versions = list(document.versions.all())
        document.latest = versions[0] if versions else None  # type: ignore[attr-defined]
        document.history = versions[1:]  # type: ignore[attr-defined]
        group = groups.setdefault(document.category, DocumentGroup(document.category, document.category))
        group.documents.append(document)
        count += 1
    return DocumentsTab(project=project, groups=[g for g in groups.values() if g.documents], count=count)
