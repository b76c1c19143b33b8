"""The one definition of each list's filters (customers, contacts, interactions), shared by pages and API.

A rule-based segment stores exactly the ``CustomerFilters`` fields, so "save this filter as a segment" is lossless
and a segment's members are what the customer list would show with the same filter.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from .models import BuyingRole, CustomerKind, Industry, InteractionKind, LifecycleStage, Province, Tier

CUSTOMER_SORTS = {
    "name": "name",
    "-name": "-name",
    "code": "code",
    "-code": "-code",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "created": "created_at",
    "-created": "-created_at",
    "last_interaction": "last_interaction_at",
    "-last_interaction": "-last_interaction_at",
}

Stage = Literal[tuple(LifecycleStage.values)]  # type: ignore[valid-type]
TierValue = Literal[tuple(Tier.values)]  # type: ignore[valid-type]
ProvinceValue = Literal[tuple(Province.values)]  # type: ignore[valid-type]
IndustryValue = Literal[tuple(Industry.values)]  # type: ignore[valid-type]
KindValue = Literal[tuple(CustomerKind.values)]  # type: ignore[valid-type]
SortValue = Literal[tuple(CUSTOMER_SORTS)]  # type: ignore[valid-type]


class CustomerFilters(Schema):
    """Filters for the customer list; every field is optional and they combine with AND."""

    q: str = Field("", max_length=100, description="Text in the name, short name, code or credit code")
    stage: list[Stage] = Field(default_factory=list, description="Lifecycle stages (any of)")
    tier: list[TierValue] = Field(default_factory=list, description="Tiers (any of)")
    province: list[ProvinceValue] = Field(default_factory=list, description="Province codes (any of)")
    industry: list[IndustryValue] = Field(default_factory=list)
    kind: KindValue | None = None
    owner: int | None = Field(None, ge=1, description="Account manager's user id")
    tag: list[str] = Field(default_factory=list, description="Tag names (any of)")
    segment: int | None = Field(None, ge=1, description="Members of this segment")
    no_interaction_days: int | None = Field(
        None, ge=1, le=3650, description="No interaction for at least this many days"
    )
    archived: bool = Field(False, description="Show archived customers instead of current ones")
    sort: SortValue = "-updated"

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def is_default(self) -> bool:
        return self == CustomerFilters()

    def as_rules(self) -> dict[str, object]:
        """The non-default fields, as stored in a rule-based segment."""
        return self.model_dump(exclude_defaults=True, exclude={"sort", "segment"})


CONTACT_SORTS = {
    "name": "name",
    "-name": "-name",
    "customer": "customer__name",
    "-customer": "-customer__name",
    "updated": "updated_at",
    "-updated": "-updated_at",
}
BuyingRoleValue = Literal[tuple(BuyingRole.values)]  # type: ignore[valid-type]
ContactSortValue = Literal[tuple(CONTACT_SORTS)]  # type: ignore[valid-type]


class ContactFilters(Schema):
    """Filters for the contact list (page and API); they combine with AND."""

    q: str = Field("", max_length=100, description="Text in the name, title, e-mail, mobile or phone")
    customer: int | None = Field(None, ge=1, description="Contacts of this customer")
    buying_role: BuyingRoleValue | None = None
    is_primary: bool | None = Field(None, description="Only primary (true) or only other (false) contacts")
    sort: ContactSortValue = "name"

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def is_default(self) -> bool:
        return self == ContactFilters()


INTERACTION_SORTS = {
    "occurred": "occurred_at",
    "-occurred": "-occurred_at",
    "follow_up": "follow_up_date",
    "-follow_up": "-follow_up_date",
}
InteractionKindValue = Literal[tuple(InteractionKind.values)]  # type: ignore[valid-type]
InteractionSortValue = Literal[tuple(INTERACTION_SORTS)]  # type: ignore[valid-type]


class InteractionFilters(Schema):
    """Filters for the interaction list (page and API); they combine with AND."""

    q: str = Field("", max_length=100, description="Text in the summary, outcome or next step")
    customer: int | None = Field(None, ge=1, description="Interactions with this customer")
    kind: list[InteractionKindValue] = Field(default_factory=list, description="Kinds (any of)")
    owner: int | None = Field(None, ge=1, description="Owner's user id")
    follow_up_before: date | None = Field(None, description="Follow-up date on or before this day")
    open_only: bool = Field(False, description="Only interactions whose follow-up is not done")
    sort: InteractionSortValue = "-occurred"

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def is_default(self) -> bool:
        return self == InteractionFilters()
