"""The one definition of the resource list's filters, shared by the list page and the API."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from clientpm.resources.models import ResourceKind

RESOURCE_SORTS = {
    "name": "name",
    "-name": "-name",
    "capacity": "capacity_units",
    "-capacity": "-capacity_units",
    "assignments": "assignment_count",
    "-assignments": "-assignment_count",
    "updated": "updated_at",
    "-updated": "-updated_at",
}

KindValue = Literal[tuple(ResourceKind.values)]  # type: ignore[valid-type]
SortValue = Literal[tuple(RESOURCE_SORTS)]  # type: ignore[valid-type]


class ResourceFilters(Schema):
    """Filters for the resource list; every field is optional and they combine with AND."""

    q: str = Field("", max_length=100, description="Text in the name, or the linked user's name")
    kind: list[KindValue] = Field(default_factory=list, description="Kinds (any of)")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) resources")
    sort: SortValue = "name"

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
