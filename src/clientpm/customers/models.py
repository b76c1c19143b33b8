"""Customers (客户), contacts (联系人), interactions (跟进记录), tags and segments (客户群)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientpm.core.models import TimeStampedModel, VersionedModel

from .validators import validate_credit_code, validate_phone


class Province(models.TextChoices):
    """China's 34 provincial-level divisions, stored by their GB/T 2260 two-digit code."""

    BJ = "11", _("Beijing")
    TJ = "12", _("Tianjin")
    HE = "13", _("Hebei")
    SX = "14", _("Shanxi")
    NM = "15", _("Inner Mongolia")
    LN = "21", _("Liaoning")
    JL = "22", _("Jilin")
    HL = "23", _("Heilongjiang")
    SH = "31", _("Shanghai")
    JS = "32", _("Jiangsu")
    ZJ = "33", _("Zhejiang")
    AH = "34", _("Anhui")
    FJ = "35", _("Fujian")
    JX = "36", _("Jiangxi")
    SD = "37", _("Shandong")
    HA = "41", _("Henan")
    HB = "42", _("Hubei")
    HN = "43", _("Hunan")
    GD = "44", _("Guangdong")
    GX = "45", _("Guangxi")
    HI = "46", _("Hainan")
    CQ = "50", _("Chongqing")
    SC = "51", _("Sichuan")
    GZ = "52", _("Guizhou")
    YN = "53", _("Yunnan")
    XZ = "54", _("Tibet")
    SN = "61", _("Shaanxi")
    GS = "62", _("Gansu")
    QH = "63", _("Qinghai")
    NX = "64", _("Ningxia")
    XJ = "65", _("Xinjiang")
    TW = "71", _("Taiwan")
    HK = "81", _("Hong Kong")
    MO = "82", _("Macao")


class Industry(models.TextChoices):
    """Industry sections, after GB/T 4754-2017, grouped the way customer teams talk about them."""

    AGRICULTURE = "agriculture", _("Agriculture")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    ENERGY = "energy", _("Energy and utilities")
    CONSTRUCTION = "construction", _("Construction and real estate")
    RETAIL = "retail", _("Wholesale and retail")
    LOGISTICS = "logistics", _("Transport and logistics")
    HOSPITALITY = "hospitality", _("Hotels and catering")
    IT = "it", _("Information technology")
    FINANCE = "finance", _("Finance and insurance")
    PROFESSIONAL = "professional", _("Professional services")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    MEDIA = "media", _("Culture and media")
    PUBLIC = "public", _("Public sector")
    OTHER = "other", _("Other")


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")


class SizeBand(models.TextChoices):
    MICRO = "micro", _("1–9 staff")
    SMALL = "small", _("10–99 staff")
    MEDIUM = "medium", _("100–999 staff")
    LARGE = "large", _("1,000–9,999 staff")
    ENTERPRISE = "enterprise", _("10,000+ staff")


class CustomerSource(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    WEBSITE = "website", _("Website")
    EXHIBITION = "exhibition", _("Exhibition")
    TENDER = "tender", _("Public tender")
    PARTNER = "partner", _("Partner")
    COLD_CALL = "cold_call", _("Outbound call")
    EXISTING = "existing", _("Existing relationship")
    OTHER = "other", _("Other")


class LifecycleStage(models.TextChoices):
    """Customer lifecycle stage (客户阶段)."""

    POTENTIAL = "potential", _("Potential")
    NEW = "new", pgettext_lazy("customer stage", "New")
    ACTIVE = "active", _("Active")
    LOYAL = "loyal", _("Loyal")
    DORMANT = "dormant", _("Dormant")
    CHURNED = "churned", _("Churned")


class Tier(models.TextChoices):
    KEY_ACCOUNT = "key", _("Key account")
    STANDARD = "standard", _("Standard")
    SMALL = "small", _("Small")


class Tag(models.Model):
    """Tag (标签): a free label on customers, used for filtering and segments."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    color = models.CharField(_("colour"), max_length=20, default="secondary")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel, VersionedModel):
    """Customer (客户): a company or person we serve, with every contact and engagement under it."""

    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CustomerKind.choices, default=CustomerKind.COMPANY
    )
    name = models.CharField(_("name"), max_length=200)
    name_normalized = models.CharField(max_length=200, db_index=True, editable=False)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    size_band = models.CharField(_("size"), max_length=12, choices=SizeBand.choices, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=CustomerSource.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=10, choices=LifecycleStage.choices, default=LifecycleStage.POTENTIAL
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("team"), blank=True, related_name="customer_teams"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-updated_at", "-id"]
        permissions = [("view_all_customers", _("Can see every customer, not only their own"))]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="customer_credit_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["lifecycle_stage", "-updated_at"], name="customer_stage_idx"),
            models.Index(fields=["tier", "-updated_at"], name="customer_tier_idx"),
            models.Index(fields=["owner", "-updated_at"], name="customer_owner_idx"),
            models.Index(fields=["province", "-updated_at"], name="customer_province_idx"),
            models.Index(fields=["is_archived", "-updated_at"], name="customer_archived_idx"),
            models.Index(fields=["last_interaction_at"], name="customer_last_interaction_idx"),
            models.Index(fields=["name"], name="customer_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class EngagementLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CHAMPION = "champion", _("Champion")


class Contact(TimeStampedModel, VersionedModel):
    """Contact (联系人): a person at a customer; at most one contact per customer is primary."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    mobile = models.CharField(_("mobile"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    buying_role = models.CharField(_("buying role"), max_length=20, choices=BuyingRole.choices, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    engagement_level = models.CharField(
        _("engagement"), max_length=10, choices=EngagementLevel.choices, default=EngagementLevel.MEDIUM
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="contact_one_primary_per_customer"
            ),
        ]
        indexes = [models.Index(fields=["mobile"], name="contact_mobile_idx")]

    def __str__(self) -> str:
        return self.name


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    NOTE = "note", _("Note")


class Interaction(TimeStampedModel, VersionedModel):
    """Interaction (跟进记录): one call, visit, meeting, e-mail, WeChat exchange or note with a customer.

    A next step with a follow-up date puts the interaction on its owner's "my follow-ups" list
    until it is marked done.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="interactions"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("internal participants"),
        blank=True,
        related_name="interactions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_interactions",
    )
    summary = models.TextField(_("summary"))
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_idx"),
            models.Index(
                fields=["owner", "follow_up_done", "follow_up_date"], name="interaction_followup_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class SegmentKind(models.TextChoices):
    STATIC = "static", _("Static list")
    DYNAMIC = "dynamic", _("Rule-based")


class Segment(TimeStampedModel, VersionedModel):
    """Segment (客户群): a static list of customers, or saved customer-list rules whose members are computed.

    ``rules`` holds the same filter fields as the customer list (see ``filters.CustomerFilters``),
    so a segment is a saved filter and its members are exactly what the list would show.
    """

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC
    )
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    members = models.ManyToManyField(Customer, verbose_name=_("members"), blank=True, related_name="segments")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="segments",
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
