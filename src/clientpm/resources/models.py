"""Resources (资源) and their assignments (资源分配) to the plan's tasks.

A resource is renewable: a person, a team or a piece of equipment with a capacity in units per
working day (1 = one full-time person; a team of five is 5). An assignment says how many units of a
resource a task needs on each of its working days. Resource leveling schedules the tasks so that
no resource is asked for more than its capacity on any day.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel
from clientpm.projects.models import Task

MIN_UNITS = Decimal("0.01")


class ResourceKind(models.TextChoices):
    PERSON = "person", _("Person")
    TEAM = "team", _("Team")
    EQUIPMENT = "equipment", _("Equipment")


class Resource(TimeStampedModel, VersionedModel):
    """Someone or something tasks need, with a daily capacity."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ResourceKind.choices, default=ResourceKind.PERSON
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        help_text=_("The person this resource is, when it is a user of clientpm."),
    )
    capacity_units = models.DecimalField(
        _("capacity (units per working day)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(MIN_UNITS)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_units__gt=0), name="resource_capacity_positive")
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(TimeStampedModel):
    """A task's demand for a resource, in units per working day of the task."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="assignments"
    )
    units = models.DecimalField(
        _("units per working day"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(MIN_UNITS)],
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task_id", "resource__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="assignment_once"),
            models.CheckConstraint(condition=Q(units__gt=0), name="assignment_units_positive"),
        ]
        indexes = [models.Index(fields=["resource", "task"])]

    def __str__(self) -> str:
        return f"{self.resource} × {self.units} → {self.task}"
