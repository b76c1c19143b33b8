"""Base models shared by every app, the audit trail's change records and code sequences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Any domain row: knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """An editable row with an optimistic-locking version; a write quoting an old version is refused."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class AuditSource(models.TextChoices):
    UI = "ui", _("Web")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")
    JOB = "job", _("Background job")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


class ChangeRecord(models.Model):
    """Change record (变更记录): one create, update or delete of one domain row, with field changes.

    ``changes`` maps each field name to ``[old, new]``; a create has ``old`` null for every field
    and a delete has ``new`` null. The row is identified by content type and id, so the record
    outlives the row it describes; ``object_repr`` keeps a readable name for deleted rows.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=AuditSource.choices)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("object type"), on_delete=models.PROTECT)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="core_change_object_idx"),
            models.Index(fields=["actor", "-at"], name="core_change_actor_idx"),
            models.Index(fields=["action", "-at"], name="core_change_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class CodeSequence(models.Model):
    """The last number handed out for one kind of human code (``C-000123``, ``P-2026-0042``)."""

    key = models.CharField(max_length=40, unique=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"
