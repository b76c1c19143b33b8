"""The one definition of customer-list filters, shared by the list page, the API and segments.

A rule-based segment stores exactly these fields, so "save this filter as a segment" is lossless
and a segment's members are what the customer list would show with the same filter.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from .models import CustomerKind, Industry, LifecycleStage, Province, Tier

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
