"""Scope items (范围), milestones (里程碑), deliverables (交付物) and the customer's reviews of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel
from clientpm.customers.models import Contact

from .project import Project


class ScopeKind(models.TextChoices):
    IN_SCOPE = "in", _("In scope")
    OUT_OF_SCOPE = "out", _("Out of scope")


class ScopeItem(TimeStampedModel):
    """One line of the scope statement: something explicitly in or out of scope."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="scope_items"
    )
    kind = models.CharField(_("kind"), max_length=3, choices=ScopeKind.choices)
    text = models.CharField(_("item"), max_length=500)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scope item")
        verbose_name_plural = _("scope items")
        ordering = ["kind", "position", "id"]

    def __str__(self) -> str:
        return self.text


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")


class Milestone(TimeStampedModel, VersionedModel):
    """Milestone (里程碑): a dated checkpoint; deliverables may be linked to it."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    achieved_date = models.DateField(_("achieved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["project", "due_date"])]

    def __str__(self) -> str:
        return self.name


class DeliverableStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAIVED = "waived", _("Waived")


DONE_DELIVERABLE_STATUSES = (DeliverableStatus.ACCEPTED, DeliverableStatus.WAIVED)


class Deliverable(TimeStampedModel, VersionedModel):
    """Deliverable (交付物): something the customer receives and accepts against its criteria.

    Status runs planned → in progress → submitted → accepted or rejected (back to work), or waived
    with a reason; only the deliverable service moves it.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="deliverables"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_deliverables",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliverables",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DeliverableStatus.choices, default=DeliverableStatus.PLANNED
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    waiver_reason = models.TextField(_("waiver reason"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["position", "due_date", "id"]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return self.name


class ReviewOutcome(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAIVED = "waived", _("Waived")


class DeliverableReview(models.Model):
    """One step of a deliverable's acceptance history: submitted, accepted or rejected by someone on
    the customer side (a contact, or a name when the reviewer is not a contact), or waived."""

    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.CASCADE, related_name="reviews"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    reviewer_contact = models.ForeignKey(
        Contact,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer_name = models.CharField(_("reviewer name"), max_length=100, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("deliverable review")
        verbose_name_plural = _("deliverable reviews")
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.get_outcome_display()}"
