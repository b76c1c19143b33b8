"""API schemas of the customers app: what goes in and out of ``/api/v1`` customers, contacts,
interactions and segments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from .models import Customer, Interaction


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class CustomerIn(Schema):
    """Fields a client may set; model validation adds the field-level checks (credit code, phone…)."""

    kind: str = "company"
    name: str = Field(..., min_length=1, max_length=200)
    short_name: str = Field("", max_length=60)
    credit_code: str = Field("", max_length=18)
    industry: str = ""
    province: str = ""
    city: str = Field("", max_length=50)
    address: str = Field("", max_length=255)
    website: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    size_band: str = ""
    source: str = ""
    lifecycle_stage: str = "potential"
    tier: str = "standard"
    owner_id: int | None = None
    team_ids: list[int] = Field(default_factory=list, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=10_000)


class CustomerPatch(Schema):
    """A partial update; ``version`` is the version the client read and is required."""

    version: int = Field(..., ge=1)
    kind: str | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, max_length=60)
    credit_code: str | None = Field(None, max_length=18)
    industry: str | None = None
    province: str | None = None
    city: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=255)
    website: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    size_band: str | None = None
    source: str | None = None
    lifecycle_stage: str | None = None
    tier: str | None = None
    owner_id: int | None = None
    team_ids: list[int] | None = Field(None, max_length=100)
    tags: list[str] | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=10_000)
    is_archived: bool | None = None


class CustomerOut(Schema):
    id: int
    code: str
    version: int
    kind: str
    name: str
    short_name: str
    credit_code: str
    industry: str
    province: str
    city: str
    address: str
    website: str
    phone: str
    email: str
    size_band: str
    source: str
    lifecycle_stage: str
    tier: str
    owner: UserRef | None
    tags: list[str]
    notes: str
    is_archived: bool
    last_interaction_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Customer) -> list[str]:
        return [t.name for t in obj.tags.all()]


class CustomerDetailOut(CustomerOut):
    team: list[UserRef]

    @staticmethod
    def resolve_team(obj: Customer) -> list[object]:
        return list(obj.team.all())


class DuplicateOut(Schema):
    """A look-alike customer; one the caller may not see has ``visible`` false and no id, code or name."""

    id: int | None
    code: str
    name: str
    reasons: list[str]
    visible: bool = True


# Contacts, interactions and segments ---------------------------------------------------------------


class CustomerRef(Schema):
    id: int
    code: str
    name: str


class ContactRef(Schema):
    id: int
    name: str


class ContactIn(Schema):
    """A new contact; the customer comes from the URL (nested route) or ``customer_id``."""

    customer_id: int | None = Field(None, ge=1, description="Required unless posted under /customers/{id}")
    name: str = Field(..., min_length=1, max_length=100)
    title: str = Field("", max_length=100)
    department: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    mobile: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    wechat_id: str = Field("", max_length=60)
    buying_role: str = ""
    is_primary: bool = False
    engagement_level: str = "medium"
    notes: str = Field("", max_length=10_000)


class ContactPatch(Schema):
    """A partial update; ``version`` is the version the client read and is required."""

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = Field(None, max_length=100)
    department: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    mobile: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    wechat_id: str | None = Field(None, max_length=60)
    buying_role: str | None = None
    is_primary: bool | None = None
    engagement_level: str | None = None
    notes: str | None = Field(None, max_length=10_000)


class ContactOut(Schema):
    id: int
    version: int
    customer: CustomerRef
    name: str
    title: str
    department: str
    phone: str
    mobile: str
    email: str
    wechat_id: str
    buying_role: str
    is_primary: bool
    engagement_level: str
    notes: str
    created_at: datetime
    updated_at: datetime


class InteractionIn(Schema):
    """A new interaction; ``owner_id`` defaults to the caller and ``occurred_at`` to now."""

    customer_id: int | None = Field(None, ge=1, description="Required unless posted under /customers/{id}")
    kind: str
    occurred_at: datetime | None = None
    summary: str = Field(..., min_length=1, max_length=10_000)
    outcome: str = Field("", max_length=10_000)
    next_step: str = Field("", max_length=255)
    follow_up_date: date | None = None
    owner_id: int | None = Field(None, ge=1)
    contact_ids: list[int] = Field(default_factory=list, max_length=100)
    participant_ids: list[int] = Field(default_factory=list, max_length=100)


class InteractionPatch(Schema):
    version: int = Field(..., ge=1)
    kind: str | None = None
    occurred_at: datetime | None = None
    summary: str | None = Field(None, min_length=1, max_length=10_000)
    outcome: str | None = Field(None, max_length=10_000)
    next_step: str | None = Field(None, max_length=255)
    follow_up_date: date | None = None
    follow_up_done: bool | None = None
    owner_id: int | None = None
    contact_ids: list[int] | None = Field(None, max_length=100)
    participant_ids: list[int] | None = Field(None, max_length=100)


class InteractionOut(Schema):
    id: int
    version: int
    customer: CustomerRef
    kind: str
    occurred_at: datetime
    summary: str
    outcome: str
    next_step: str
    follow_up_date: date | None
    follow_up_done: bool
    owner: UserRef | None
    contacts: list[ContactRef]
    participants: list[UserRef]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contacts(obj: Interaction) -> list[object]:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_participants(obj: Interaction) -> list[object]:
        return list(obj.participants.all())


class SegmentIn(Schema):
    """A new segment: ``rules`` (customer-list filters) for a rule-based one, ``customer_ids`` for a static one."""

    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=10_000)
    kind: str = "dynamic"
    rules: dict[str, Any] = Field(default_factory=dict)
    customer_ids: list[int] = Field(default_factory=list, max_length=1000)


class SegmentPatch(Schema):
    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=10_000)
    kind: str | None = None
    rules: dict[str, Any] | None = None
    owner_id: int | None = None


class SegmentOut(Schema):
    id: int
    version: int
    name: str
    description: str
    kind: str
    rules: dict[str, Any]
    owner: UserRef | None
    member_count: int
    created_at: datetime
    updated_at: datetime


class MemberIds(Schema):
    customer_ids: list[int] = Field(..., min_length=1, max_length=1000)
