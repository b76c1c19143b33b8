"""Project records: documents (文档) with versions, the closeout (收尾与评估), lessons learned
(经验教训) and project templates."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel
from clientpm.customers.models import Contact

from .project import Methodology, Project, ProjectType


class DocumentCategory(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    REQUIREMENTS = "requirements", _("Requirements")
    DESIGN = "design", _("Design")
    MINUTES = "minutes", _("Minutes")
    REPORT = "report", _("Report")
    ACCEPTANCE = "acceptance", _("Acceptance")
    OTHER = "other", _("Other")


class Document(TimeStampedModel, VersionedModel):
    """Document (文档): a titled project file whose uploads are kept as numbered versions.

    Once the project's documents are archived (at closing) no version can be added or removed.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=DocumentCategory.choices, default=DocumentCategory.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    latest_number = models.PositiveIntegerField(_("latest version"), default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["category", "title", "id"]
        indexes = [models.Index(fields=["project", "category"])]

    def __str__(self) -> str:
        return self.title


def document_upload_to(instance: DocumentVersion, filename: str) -> str:
    """Files live under the project's folder; the stored name never depends on the user's file name."""
    document = instance.document
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"projects/{document.project_id}/documents/{document.pk}/v{instance.number}.{suffix}"


class DocumentVersion(models.Model):
    """One uploaded version of a document; earlier versions are kept and stay downloadable."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Closeout(TimeStampedModel, VersionedModel):
    """Closeout (收尾与评估): the project's final evaluation, whether it has lessons learned, and the
    customer's sign-off. One per project; the closing gate reads it."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="closeout"
    )
    overall_rating = models.PositiveSmallIntegerField(
        _("overall rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    summary = models.TextField(_("summary"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    no_lessons = models.BooleanField(_("no lessons learned"), default=False)
    signoff_contact = models.ForeignKey(
        Contact,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signoff_date = models.DateField(_("sign-off date"), null=True, blank=True)
    signoff_note = models.TextField(_("sign-off note"), blank=True)

    class Meta:
        verbose_name = _("closeout")
        verbose_name_plural = _("closeouts")

    def __str__(self) -> str:
        return f"{self.project.code}"


class LessonCategory(models.TextChoices):
    SCOPE = "scope", _("Scope")
    SCHEDULE = "schedule", _("Schedule")
    COST = "cost", _("Cost")
    QUALITY = "quality", _("Quality")
    COMMUNICATION = "communication", _("Communication")
    CUSTOMER = "customer", _("Customer relationship")
    TECHNICAL = "technical", _("Technical")
    TEAM = "team", _("Team")
    RISK = "risk", _("Risk")
    PROCUREMENT = "procurement", _("Procurement")
    OTHER = "other", _("Other")


class LessonLearned(TimeStampedModel, VersionedModel):
    """Lesson learned (经验教训): what happened, its impact and what to do next time; all projects'
    lessons form a searchable knowledge base."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="lessons"
    )
    category = models.CharField(_("category"), max_length=20, choices=LessonCategory.choices, db_index=True)
    what_happened = models.TextField(_("what happened"))
    impact = models.TextField(_("impact"), blank=True)
    recommendation = models.TextField(_("recommendation"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.what_happened[:60]


class ProjectTemplate(TimeStampedModel, VersionedModel):
    """Project template (项目模板): a reusable project outline. ``content`` holds its sections
    (deliverables, milestones, team roles with RACI, checklists, scope items; later apps add
    theirs), dated as day offsets from the project start so a new project's dates shift with it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    project_type = models.CharField(
        _("type"), max_length=20, choices=ProjectType.choices, default=ProjectType.IMPLEMENTATION
    )
    methodology = models.CharField(
        _("methodology"), max_length=20, choices=Methodology.choices, default=Methodology.WATERFALL
    )
    duration_days = models.PositiveIntegerField(_("duration (days)"), default=0)
    content = models.JSONField(_("content"), default=dict, blank=True)
    source_project = models.ForeignKey(
        Project,
        verbose_name=_("saved from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("project template")
        verbose_name_plural = _("project templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
