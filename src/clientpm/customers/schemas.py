"""API schemas for customers: what goes in and out of ``/api/v1/customers``."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from .models import Customer


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
    id: int
    code: str
    name: str
    reasons: list[str]
