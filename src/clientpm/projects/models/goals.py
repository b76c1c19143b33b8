"""Feasibility assessments (可行性评估), SMART goals (目标) and their KPI measurements (关键指标)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel

from .project import Project

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class FeasibilityDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    GO = "go", _("Go")
    NO_GO = "no_go", _("No-go")
    REVISE = "revise", _("Revise")


class FeasibilityAssessment(TimeStampedModel, VersionedModel):
    """Feasibility assessment (可行性评估): market, technical, financial and resource feasibility,
    each scored 1–5, with a recommendation and a go / no-go / revise decision. A project may be
    reassessed; the latest assessment is the one the initiation gate reads."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="feasibility_assessments"
    )
    market_score = models.PositiveSmallIntegerField(
        _("market score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    market_notes = models.TextField(_("market notes"), blank=True)
    technical_score = models.PositiveSmallIntegerField(
        _("technical score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    technical_notes = models.TextField(_("technical notes"), blank=True)
    financial_score = models.PositiveSmallIntegerField(
        _("financial score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    financial_notes = models.TextField(_("financial notes"), blank=True)
    resource_score = models.PositiveSmallIntegerField(
        _("resource score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    resource_notes = models.TextField(_("resource notes"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    cost_estimate_amount = models.DecimalField(
        _("cost estimate"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    expected_benefit_amount = models.DecimalField(
        _("expected benefit"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    benefit_period_months = models.PositiveSmallIntegerField(
        _("benefit period (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("The months over which the expected benefit accrues; payback assumes it accrues evenly."),
    )
    recommendation = models.TextField(_("recommendation"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=FeasibilityDecision.choices, default=FeasibilityDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feasibility assessment")
        verbose_name_plural = _("feasibility assessments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_decision_display()}"


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")


class Goal(TimeStampedModel, VersionedModel):
    """SMART goal (目标): a statement with a metric moving from a baseline to a target by a deadline.

    Its KPI measurements form the time series that progress and the deadline forecast are read from.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="goals"
    )
    statement = models.CharField(_("statement"), max_length=300)
    metric = models.CharField(_("metric"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_value = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    deadline_date = models.DateField(_("deadline"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_goals",
    )
    rationale = models.TextField(_("why it matters"), blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["deadline_date", "id"]

    def __str__(self) -> str:
        return self.statement


class KpiMeasurement(TimeStampedModel):
    """KPI measurement (关键指标测量): the goal's metric as measured on one day."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="measurements"
    )
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    source = models.CharField(_("source"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["measured_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "measured_on"],
                name="kpi_one_measurement_per_day",
                violation_error_message=_("This goal already has a measurement on that date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.measured_on}: {self.value}"


class GoalOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class GoalEvaluation(TimeStampedModel):
    """Final evaluation of one goal at closeout: achieved, partly or not, with the actual value."""

    goal = models.OneToOneField(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="evaluation"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=GoalOutcome.choices)
    actual_value = models.DecimalField(
        _("actual value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("goal evaluation")
        verbose_name_plural = _("goal evaluations")

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_outcome_display()}"
