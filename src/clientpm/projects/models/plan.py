"""The plan of a project: working calendars, WBS tasks (工作分解结构 / 任务), dependencies (依赖关系)
and baselines (基线). The schedule engine (``clientpm.scheduling``) computes the dates stored here;
``projects/planning.py`` is the only bridge between these rows and the engine."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientpm.core.models import TimeStampedModel, VersionedModel

from .project import Project
from .scope import Deliverable, Milestone


class CalendarBase(models.TextChoices):
    CHINA = "china", _("China (statutory holidays and adjusted working days)")
    MON_FRI = "mon_fri", _("Monday to Friday")


class WorkCalendar(TimeStampedModel, VersionedModel):
    """Working calendar (工作日历): a base (China's official calendar or plain Monday–Friday) plus the
    company's own working weekdays, holidays and extra working days. Built-in calendars cannot be
    edited; administrators add company calendars."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    base = models.CharField(
        _("base"), max_length=10, choices=CalendarBase.choices, default=CalendarBase.CHINA
    )
    working_weekdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="1111100",
        help_text=_("Seven flags, Monday first: 1 works, 0 rests."),
    )
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    extra_working_days = models.JSONField(_("extra working days"), default=list, blank=True)
    is_builtin = models.BooleanField(_("built-in"), default=False)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["-is_builtin", "name"]

    def __str__(self) -> str:
        return self.name


class ConstraintType(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    ALAP = "alap", _("As late as possible")
    SNET = "snet", _("Start no earlier than")
    SNLT = "snlt", _("Start no later than")
    FNET = "fnet", _("Finish no earlier than")
    FNLT = "fnlt", _("Finish no later than")
    MSO = "mso", _("Must start on")
    MFO = "mfo", _("Must finish on")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")


class Recurrence(models.TextChoices):
    NONE = "", _("Does not repeat")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Task(TimeStampedModel, VersionedModel):
    """Task (任务): a node of the project's WBS. Leaves carry the work; a task with children is a
    summary whose dates, effort and progress roll up from them. ``wbs_code`` (1, 1.2, 1.2.3) and
    ``position`` (order among siblings) are kept by the task services; the ``*_date`` fields under
    "computed" are written only by the scheduler."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    wbs_code = models.CharField(_("WBS"), max_length=60, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_tasks",
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assignees"), blank=True, related_name="assigned_tasks"
    )
    duration_days = models.PositiveIntegerField(_("duration (working days)"), default=1)
    effort_hours = models.DecimalField(
        _("effort (hours)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    optimistic_days = models.DecimalField(
        _("optimistic"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    most_likely_days = models.DecimalField(
        _("most likely"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    pessimistic_days = models.DecimalField(
        _("pessimistic"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    constraint_type = models.CharField(
        _("constraint"), max_length=4, choices=ConstraintType.choices, default=ConstraintType.ASAP
    )
    constraint_date = models.DateField(_("constraint date"), null=True, blank=True)
    deadline_date = models.DateField(_("deadline"), null=True, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    actual_start_date = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish_date = models.DateField(_("actual finish"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    deliverable = models.ForeignKey(
        Deliverable,
        verbose_name=_("deliverable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    recurrence = models.CharField(_("repeats"), max_length=10, choices=Recurrence.choices, blank=True)
    recurrence_count = models.PositiveSmallIntegerField(
        _("occurrences"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(60)]
    )
    # computed by the scheduler
    is_summary = models.BooleanField(_("summary"), default=False)
    start_date = models.DateField(_("start"), null=True, blank=True)
    finish_date = models.DateField(_("finish"), null=True, blank=True)
    late_start_date = models.DateField(_("late start"), null=True, blank=True)
    late_finish_date = models.DateField(_("late finish"), null=True, blank=True)
    total_float_days = models.IntegerField(_("total float"), null=True, blank=True)
    free_float_days = models.IntegerField(_("free float"), null=True, blank=True)
    is_critical = models.BooleanField(_("critical"), default=False)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["project", "wbs_code"]
        indexes = [
            models.Index(fields=["project", "parent", "position"]),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["owner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(optimistic_days__isnull=True)
                | Q(pessimistic_days__isnull=True)
                | Q(optimistic_days__lte=models.F("pessimistic_days")),
                name="task_optimistic_not_above_pessimistic",
                violation_error_message=_("The optimistic estimate must not exceed the pessimistic one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wbs_code} {self.name}".strip()


class DependencyType(models.TextChoices):
    FS = "FS", _("Finish to start")
    SS = "SS", _("Start to start")
    FF = "FF", _("Finish to finish")
    SF = "SF", _("Start to finish")


class TaskDependency(TimeStampedModel):
    """Dependency (依赖关系): the successor's start or finish follows the predecessor's, with a lag in
    working days that may be negative (a lead). Both tasks belong to projects of the same customer."""

    predecessor = models.ForeignKey(
        Task, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Task, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    dependency_type = models.CharField(
        _("type"), max_length=2, choices=DependencyType.choices, default=DependencyType.FS
    )
    lag_days = models.IntegerField(
        _("lag (working days)"), default=0, validators=[MinValueValidator(-999), MaxValueValidator(999)]
    )

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="dependency_once"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="dependency_not_on_itself",
                violation_error_message=_("A task cannot depend on itself."),
            ),
        ]
        indexes = [models.Index(fields=["successor"])]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.dependency_type}{self.lag_days:+d} {self.successor_id}"


MAX_BASELINES = 10


class Baseline(TimeStampedModel):
    """Baseline (基线): a named snapshot of the plan's dates to measure variance against; a project
    keeps at most ``MAX_BASELINES``."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="baselines"
    )
    name = models.CharField(_("name"), max_length=100)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = pgettext_lazy("plan", "baseline")
        verbose_name_plural = pgettext_lazy("plan", "baselines")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="baseline_name_once")]

    def __str__(self) -> str:
        return self.name


class BaselineTask(models.Model):
    """One task's dates in a baseline; kept (with the task's name) when the task is deleted later."""

    baseline = models.ForeignKey(
        Baseline,
        verbose_name=pgettext_lazy("plan", "baseline"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    wbs_code = models.CharField(_("WBS"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start"), null=True)
    finish_date = models.DateField(_("finish"), null=True)
    duration_days = models.PositiveIntegerField(_("duration (working days)"))

    class Meta:
        verbose_name = _("baseline task")
        verbose_name_plural = _("baseline tasks")
        constraints = [models.UniqueConstraint(fields=["baseline", "task"], name="baseline_task_once")]

    def __str__(self) -> str:
        return f"{self.baseline}: {self.name}"
