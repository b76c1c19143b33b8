"""Plan imports (计划导入): the record of one Microsoft Project file brought into a project, kept so
its summary — what was created and everything that could not be carried over — stays readable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel
from clientpm.projects.models import Project


class PlanImport(TimeStampedModel):
    """Plan import (计划导入): one file imported into ``project`` by ``imported_by``.

    ``counts`` says how many rows of each kind were created (tasks, dependencies, resources,
    assignments, calendars, baselines), which calendar the project uses and how many report items
    are warnings; ``report`` holds every
    report item as codes and raw values — translated when shown, so each reader sees them in their
    own language. Written once by the import service, never edited."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="plan_imports"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    created_project = models.BooleanField(
        _("created the project"), default=False, help_text=_("The import opened a new project.")
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta:
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def warning_count(self) -> int:
        """How many report items say something was approximated or not imported (counted at import
        time, so lists need not load the report)."""
        return int(self.counts.get("warnings", 0))
