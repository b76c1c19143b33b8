"""The project team (项目成员), RACI assignments (责任分配矩阵) and stakeholders (利益相关者)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientpm.core.models import TimeStampedModel, VersionedModel
from clientpm.customers.models import Contact

from .project import Project
from .scope import Deliverable

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class ProjectMember(TimeStampedModel):
    """Project member (项目成员): a person in a project role. A member without a user is an open role
    still to be staffed (templates create these), so RACI can be planned before names are known."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="project_memberships",
    )
    project_role = models.CharField(_("project role"), max_length=80)
    allocation_percent = models.PositiveSmallIntegerField(
        _("allocation %"), default=100, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=Q(user__isnull=False),
                name="project_member_once",
                violation_error_message=_("This person is already on the project team."),
            )
        ]
        indexes = [models.Index(fields=["user", "project"])]

    def __str__(self) -> str:
        return f"{self.user or '—'} ({self.project_role})"


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: a member's responsibility for a deliverable."""

    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.CASCADE, related_name="raci"
    )
    member = models.ForeignKey(
        ProjectMember, verbose_name=_("member"), on_delete=models.CASCADE, related_name="raci"
    )
    role = models.CharField(_("RACI"), max_length=1, choices=RaciRole.choices)

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "member"], name="raci_one_letter_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} / {self.member}: {self.role}"


class Engagement(models.TextChoices):
    """The stakeholder engagement assessment levels (PMBOK)."""

    UNAWARE = "unaware", _("Unaware")
    RESISTANT = "resistant", _("Resistant")
    NEUTRAL = "neutral", _("Neutral")
    SUPPORTIVE = "supportive", _("Supportive")
    LEADING = "leading", _("Leading")


class CommunicationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    MEETING = "meeting", _("Meeting")
    REPORT = "report", _("Status report")


class Stakeholder(TimeStampedModel, VersionedModel):
    """Stakeholder (利益相关者): a contact or a user who affects or is affected by the project, with
    influence and interest (the power-interest grid) and current versus desired engagement."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stakeholders"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    influence = models.PositiveSmallIntegerField(_("influence"), default=3, validators=SCORE_VALIDATORS)
    interest = models.PositiveSmallIntegerField(_("interest"), default=3, validators=SCORE_VALIDATORS)
    engagement_current = models.CharField(
        _("current engagement"), max_length=20, choices=Engagement.choices, default=Engagement.NEUTRAL
    )
    engagement_desired = models.CharField(
        _("desired engagement"), max_length=20, choices=Engagement.choices, default=Engagement.SUPPORTIVE
    )
    communication = models.CharField(
        _("communication preference"),
        max_length=20,
        choices=CommunicationChannel.choices,
        default=CommunicationChannel.EMAIL,
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["-influence", "-interest", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False) & Q(user__isnull=True))
                | (Q(contact__isnull=True) & Q(user__isnull=False)),
                name="stakeholder_contact_xor_user",
                violation_error_message=_("Choose either a contact or a user."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.contact or self.user)
