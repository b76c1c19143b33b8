"""API schemas of the project itself, its phase moves, gate, checklists and templates."""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import field_validator

from clientpm.projects.models import Health, Methodology, Priority, ProjectType


def _choice(values: list[str], value: str | None) -> str | None:
    if value is not None and value not in values:
        raise ValueError(f"Choose one of: {', '.join(values)}")
    return value


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    customer_id: int
    customer_name: str = Field(alias="customer.name")
    project_type: str
    methodology: str
    priority: str
    phase: str
    health: str
    health_reason: str
    manager_id: int | None
    planned_start_date: date | None
    planned_finish_date: date | None
    actual_start_date: date | None
    actual_finish_date: date | None
    version: int
    updated_at: datetime


class ConditionOut(Schema):
    key: str
    label: str
    met: bool
    reasons: list[str]


class ProjectDetailOut(ProjectOut):
    sponsor_id: int | None
    customer_sponsor_id: int | None
    description: str
    scope_statement: str
    phase_before_hold: str
    phase_changed_at: datetime | None
    documents_archived_at: datetime | None
    created_at: datetime


class _ProjectFields(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    project_type: str | None = None
    methodology: str | None = None
    priority: str | None = None
    manager_id: int | None = None
    sponsor_id: int | None = None
    customer_sponsor_id: int | None = None
    planned_start_date: date | None = None
    planned_finish_date: date | None = None
    actual_start_date: date | None = None
    actual_finish_date: date | None = None
    health: str | None = None
    health_reason: str | None = Field(None, max_length=300)
    description: str | None = None
    scope_statement: str | None = None

    @field_validator("project_type")
    @classmethod
    def _type(cls, v: str | None) -> str | None:
        return _choice(ProjectType.values, v)

    @field_validator("methodology")
    @classmethod
    def _methodology(cls, v: str | None) -> str | None:
        return _choice(Methodology.values, v)

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str | None) -> str | None:
        return _choice(Priority.values, v)

    @field_validator("health")
    @classmethod
    def _health(cls, v: str | None) -> str | None:
        return _choice(Health.values, v)


class ProjectIn(_ProjectFields):
    customer_id: int
    name: str = Field(..., min_length=1, max_length=200)
    template_id: int | None = Field(None, description="Seed the project from this template")


class ProjectPatch(_ProjectFields):
    version: int = Field(..., ge=1)


class TransitionIn(Schema):
    to_phase: str = Field(
        ..., description="initiation, planning, execution, closing, closed, on_hold or cancelled"
    )
    version: int = Field(..., ge=1)
    reason: str = Field("", max_length=2000)
    override_reason: str = Field("", max_length=2000, description="Pass an unmet gate (administrators)")


class GateDecisionOut(Schema):
    id: int
    from_phase: str
    to_phase: str
    outcome: str
    reason: str
    unmet: list[str]
    decided_by_id: int | None
    decided_at: datetime


class ChecklistItemOut(Schema):
    id: int
    phase: str
    text: str
    position: int
    is_done: bool
    done_by_id: int | None
    done_at: datetime | None


class ChecklistItemIn(Schema):
    phase: str
    text: str = Field(..., min_length=1, max_length=300)


class ChecklistItemPatch(Schema):
    is_done: bool


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    project_type: str
    methodology: str
    duration_days: int
    source_project_id: int | None
    content: dict[str, list[dict[str, object]]]
    created_at: datetime


class TemplateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
