"""The one definition of the project list's filters, shared by the list page, the kanban board and the API."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from .models import Health, Phase, Priority, ProjectType

PROJECT_SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "-name": "-name",
    "start": "planned_start_date",
    "-start": "-planned_start_date",
    "finish": "planned_finish_date",
    "-finish": "-planned_finish_date",
    "updated": "updated_at",
    "-updated": "-updated_at",
}

PhaseValue = Literal[tuple(Phase.values)]  # type: ignore[valid-type]
HealthValue = Literal[tuple(Health.values)]  # type: ignore[valid-type]
TypeValue = Literal[tuple(ProjectType.values)]  # type: ignore[valid-type]
PriorityValue = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
SortValue = Literal[tuple(PROJECT_SORTS)]  # type: ignore[valid-type]


class ProjectFilters(Schema):
    """Filters for the project list; every field is optional and they combine with AND."""

    q: str = Field("", max_length=100, description="Text in the code, name or customer name")
    customer: int | None = Field(None, ge=1, description="Customer id")
    phase: list[PhaseValue] = Field(default_factory=list, description="Phases (any of)")
    manager: int | None = Field(None, ge=1, description="Project manager's user id")
    health: list[HealthValue] = Field(default_factory=list, description="Health (any of)")
    project_type: list[TypeValue] = Field(default_factory=list, description="Project types (any of)")
    priority: list[PriorityValue] = Field(default_factory=list, description="Priorities (any of)")
    mine: bool = Field(False, description="Only projects I manage or am a member of")
    sort: SortValue = "-updated"

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
