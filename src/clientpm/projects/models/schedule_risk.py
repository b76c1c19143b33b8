"""Schedule risk (进度风险模拟): the risk events that may delay tasks, and the stored Monte Carlo
simulations of a project's schedule with the settings that produced them. The engine
(``clientpm.scheduling.montecarlo``) computes the results; ``services/schedule_risk.py`` stores them."""

from __future__ import annotations

from django.conf import settings as conf
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel

from .plan import Task
from .project import Project


class ScheduleRiskEvent(TimeStampedModel, VersionedModel):
    """Risk event (风险事件): something that may happen to a task and delay it. In each iteration of a
    simulation it happens with ``probability`` (0–1) and then adds ``delay_days`` working days to
    the task's duration; several events on one task add up. The risk register (project control)
    links its risks to these rows from its side."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="risk_events"
    )
    name = models.CharField(_("name"), max_length=200)
    probability = models.DecimalField(
        _("probability"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The chance it happens, from 0 to 1 (0.25 = one time in four)."),
    )
    delay_days = models.PositiveIntegerField(
        _("delay (working days)"),
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text=_("Working days the task takes longer when it happens."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("risk event")
        verbose_name_plural = _("risk events")
        ordering = ["task", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="risk_event_probability_0_1",
                violation_error_message=_("The probability must be between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(delay_days__gte=1),
                name="risk_event_delay_positive",
                violation_error_message=_("The delay must be at least one working day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SimulationStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SimulationDistribution(models.TextChoices):
    TRIANGULAR = "triangular", _("Triangular")
    PERT = "pert", _("PERT (beta)")


MAX_SIMULATIONS = 20
"""A project keeps its latest simulations only; older ones are deleted when a new one is stored."""


class ScheduleSimulation(TimeStampedModel):
    """Schedule simulation (进度模拟): one Monte Carlo run of a project's schedule. ``settings`` holds
    what produced it (iterations, seed, distribution, deadline, status date) so that it can be
    reproduced; ``results`` the engine's ``ScheduleRisk.to_dict()``; ``task_labels`` the WBS code
    and name of each task as they were (``{id: [wbs, name]}``). The finish percentiles and the
    deadline probability are copied into columns for listing. A big run is ``running`` until the
    background job stores its result (or ``failed`` with the reason)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="schedule_simulations"
    )
    created_by = models.ForeignKey(
        conf.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SimulationStatus.choices, default=SimulationStatus.RUNNING
    )
    settings = models.JSONField(_("settings"), default=dict)
    results = models.JSONField(_("results"), null=True, blank=True)
    task_labels = models.JSONField(_("task labels"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finish_p50_date = models.DateField(_("P50 finish"), null=True, blank=True)
    finish_p80_date = models.DateField(_("P80 finish"), null=True, blank=True)
    finish_p95_date = models.DateField(_("P95 finish"), null=True, blank=True)
    deadline_probability = models.FloatField(
        _("probability of meeting the deadline"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    class Meta:
        verbose_name = _("schedule simulation")
        verbose_name_plural = _("schedule simulations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"], name="projects_simulation_recent")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.pk)

    @property
    def distribution_label(self) -> str:
        """The distribution in ``settings``, in the reader's language."""
        value = (self.settings or {}).get("distribution", "")
        return str(SimulationDistribution(value).label) if value in SimulationDistribution.values else value
