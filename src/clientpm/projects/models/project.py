"""The project (项目) itself, its lifecycle phases, gate decisions and phase checklists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel
from clientpm.customers.models import Contact, Customer


class Phase(models.TextChoices):
    """Lifecycle phase (阶段). The first five run in order; on hold and cancelled sit beside them."""

    INITIATION = "initiation", _("Initiation")
    PLANNING = "planning", _("Planning")
    EXECUTION = "execution", _("Execution")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


PHASE_ORDER: tuple[str, ...] = (
    Phase.INITIATION,
    Phase.PLANNING,
    Phase.EXECUTION,
    Phase.CLOSING,
    Phase.CLOSED,
)
ACTIVE_PHASES: tuple[str, ...] = PHASE_ORDER[:4]


class ProjectType(models.TextChoices):
    IMPLEMENTATION = "implementation", _("Implementation")
    CONSULTING = "consulting", _("Consulting")
    SERVICE = "service", _("Service and support")
    KEY_ACCOUNT = "key_account", _("Key-account program")
    INTERNAL = "internal", _("Internal")


class Methodology(models.TextChoices):
    WATERFALL = "waterfall", _("Waterfall")
    AGILE = "agile", _("Agile")
    HYBRID = "hybrid", _("Hybrid")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Health(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class ProjectQuerySet(models.QuerySet["Project"]):
    def active(self) -> ProjectQuerySet:
        return self.filter(phase__in=ACTIVE_PHASES)


class Project(TimeStampedModel, VersionedModel):
    """Project (项目): a managed engagement for one customer, moved through phases by stage gates.

    ``phase`` changes only through the lifecycle service, which checks the gate being passed;
    ``phase_before_hold`` remembers where an on-hold project resumes.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("name"), max_length=200)
    project_type = models.CharField(
        _("type"), max_length=20, choices=ProjectType.choices, default=ProjectType.IMPLEMENTATION
    )
    methodology = models.CharField(
        _("methodology"), max_length=20, choices=Methodology.choices, default=Methodology.WATERFALL
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_projects",
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_projects",
    )
    customer_sponsor = models.ForeignKey(
        Contact,
        verbose_name=_("customer sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_projects",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.INITIATION, db_index=True
    )
    phase_before_hold = models.CharField(
        _("phase before hold"), max_length=20, choices=Phase.choices, blank=True
    )
    phase_changed_at = models.DateTimeField(_("phase changed at"), null=True, blank=True)
    planned_start_date = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish_date = models.DateField(_("planned finish"), null=True, blank=True)
    actual_start_date = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish_date = models.DateField(_("actual finish"), null=True, blank=True)
    health = models.CharField(
        _("health"), max_length=10, choices=Health.choices, default=Health.GREEN, db_index=True
    )
    health_reason = models.CharField(_("health reason"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    scope_statement = models.TextField(_("scope statement"), blank=True)
    documents_archived_at = models.DateTimeField(_("documents archived at"), null=True, blank=True)
    calendar = models.ForeignKey(
        "projects.WorkCalendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("Working days for the schedule; empty means the built-in China calendar."),
    )
    status_date = models.DateField(
        _("status date"),
        null=True,
        blank=True,
        help_text=_("Progress is reported up to this day; remaining work is scheduled after it."),
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    scheduled_finish_date = models.DateField(_("scheduled finish"), null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_projects", _("Can see every project")),
            ("override_gate", _("Can override a stage gate")),
            ("reopen_project", _("Can move a project back a phase or reopen it")),
        ]
        indexes = [
            models.Index(fields=["customer", "phase"]),
            models.Index(fields=["manager", "phase"]),
            models.Index(fields=["project_type"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_finish_date__isnull=True)
                | Q(planned_start_date__isnull=True)
                | Q(planned_finish_date__gte=models.F("planned_start_date")),
                name="project_planned_finish_after_start",
                violation_error_message=_("The planned finish must not be before the planned start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.phase not in (Phase.CLOSED, Phase.CANCELLED)


class GateOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    OVERRIDDEN = "overridden", _("Overridden")
    MOVED = "moved", _("Moved without a gate")


class GateDecision(models.Model):
    """Stage-gate decision (阶段门决策): one phase change, the conditions unmet at the time and, for an
    override, the mandatory reason. Written only by the lifecycle service; never edited."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="gate_decisions"
    )
    from_phase = models.CharField(_("from phase"), max_length=20, choices=Phase.choices)
    to_phase = models.CharField(_("to phase"), max_length=20, choices=Phase.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=GateOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    unmet = models.JSONField(_("unmet conditions"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gate decision")
        verbose_name_plural = _("gate decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_phase} → {self.to_phase}"


class ChecklistItem(TimeStampedModel):
    """Phase checklist item (阶段检查项): something the team must tick off before the gate that
    leaves ``phase`` opens (kick-off held, charter signed…). Templates carry them to new projects."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="checklist_items"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    text = models.CharField(_("item"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["phase", "position", "id"]
        indexes = [models.Index(fields=["project", "phase"])]

    def __str__(self) -> str:
        return self.text
