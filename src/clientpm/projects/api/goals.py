"""REST endpoints of a project's feasibility assessments, SMART goals and KPI measurements under
``/api/v1``. Every object loads through the caller's project scope (404 outside it) before the
permission is checked (403); the figures (ROI, payback, overall score, SMART gaps, progress,
forecast) are computed on read, never stored."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import UserRef
from clientpm.projects.api.common import api_field_names, load_project, nulls_refused
from clientpm.projects.models import Direction, FeasibilityAssessment, FeasibilityDecision, Goal
from clientpm.projects.queries import goals as queries
from clientpm.projects.services import goals as services

router = Router(tags=["projects"])

DecisionValue = Literal[tuple(FeasibilityDecision.values)]  # type: ignore[valid-type]
DirectionValue = Literal[tuple(Direction.values)]  # type: ignore[valid-type]


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# Feasibility assessments ----------------------------------------------------------------------------


def _score() -> Any:
    return Field(None, ge=1, le=5, description="1 (poor) to 5 (excellent); null = not scored")


def _notes() -> Any:
    return Field("", max_length=10_000)


def _amount() -> Any:
    return Field(None, ge=0, max_digits=16, decimal_places=2)


class FeasibilityIn(Schema):
    """A new assessment (a reassessment when the project has one already). A decision other than
    ``pending`` records the caller as the decider, now."""

    market_score: int | None = _score()
    market_notes: str = _notes()
    technical_score: int | None = _score()
    technical_notes: str = _notes()
    financial_score: int | None = _score()
    financial_notes: str = _notes()
    resource_score: int | None = _score()
    resource_notes: str = _notes()
    currency: str = Field("CNY", min_length=3, max_length=3)
    cost_estimate_amount: Decimal | None = _amount()
    expected_benefit_amount: Decimal | None = _amount()
    benefit_period_months: int = Field(12, ge=1, le=600)
    recommendation: str = _notes()
    decision: DecisionValue = FeasibilityDecision.PENDING


class FeasibilityPatch(Schema):
    """A partial update of the latest assessment; null clears a score or an amount. Changing the
    decision records the caller as the decider (back to ``pending`` clears it)."""

    version: int = Field(..., ge=1)
    market_score: int | None = _score()
    market_notes: str | None = Field(None, max_length=10_000)
    technical_score: int | None = _score()
    technical_notes: str | None = Field(None, max_length=10_000)
    financial_score: int | None = _score()
    financial_notes: str | None = Field(None, max_length=10_000)
    resource_score: int | None = _score()
    resource_notes: str | None = Field(None, max_length=10_000)
    currency: str | None = Field(None, min_length=3, max_length=3)
    cost_estimate_amount: Decimal | None = _amount()
    expected_benefit_amount: Decimal | None = _amount()
    benefit_period_months: int | None = Field(None, ge=1, le=600)
    recommendation: str | None = Field(None, max_length=10_000)
    decision: DecisionValue | None = None


FEASIBILITY_NULLABLE = frozenset(
    {
        "market_score",
        "technical_score",
        "financial_score",
        "resource_score",
        "cost_estimate_amount",
        "expected_benefit_amount",
    }
)


class FeasibilityOut(Schema):
    id: int
    project_id: int
    version: int
    is_latest: bool = Field(description="The latest assessment is the one the initiation gate reads")
    market_score: int | None
    market_notes: str
    technical_score: int | None
    technical_notes: str
    financial_score: int | None
    financial_notes: str
    resource_score: int | None
    resource_notes: str
    overall_score: float | None = Field(description="Mean of the given scores")
    currency: str
    cost_estimate_amount: Decimal | None
    expected_benefit_amount: Decimal | None
    benefit_period_months: int
    roi: float | None = Field(description="(benefit − cost) / cost; null without a cost")
    payback_months: float | None = Field(description="cost / monthly benefit; null without a benefit")
    pays_back_in_period: bool | None
    recommendation: str
    decision: str
    decided_by: UserRef | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_is_latest(obj: FeasibilityAssessment) -> bool:
        return queries.is_latest(obj)

    @staticmethod
    def resolve_overall_score(obj: FeasibilityAssessment) -> float | None:
        return _float(queries.feasibility_figures(obj).overall_score)

    @staticmethod
    def resolve_roi(obj: FeasibilityAssessment) -> float | None:
        return _float(queries.feasibility_figures(obj).roi)

    @staticmethod
    def resolve_payback_months(obj: FeasibilityAssessment) -> float | None:
        return _float(queries.feasibility_figures(obj).payback_months)

    @staticmethod
    def resolve_pays_back_in_period(obj: FeasibilityAssessment) -> bool | None:
        return queries.feasibility_figures(obj).pays_back_in_period


@router.get("/projects/{int:project_id}/feasibility", response={200: list[FeasibilityOut], **ERRORS})
@paginate(PagePagination)
def list_feasibility(request: HttpRequest, project_id: int) -> Any:
    """The project's feasibility assessments, latest (the one that counts) first."""
    project = load_project(request, project_id)
    return queries.feasibility_list(project=project)


@router.post("/projects/{int:project_id}/feasibility", response={201: FeasibilityOut, **ERRORS})
def create_feasibility(request: HttpRequest, project_id: int, payload: FeasibilityIn) -> Any:
    """Assess the project's feasibility, or reassess it: the new assessment becomes the latest."""
    project = load_project(request, project_id, "projects.add_feasibilityassessment")
    assessment = services.feasibility_create(actor=request.user, project=project, **payload.model_dump())
    return Status(201, queries.feasibility_get(user=request.user, pk=assessment.pk))


@router.get("/feasibility/{int:assessment_id}", response={200: FeasibilityOut, **ERRORS})
def get_feasibility(request: HttpRequest, assessment_id: int) -> Any:
    return queries.feasibility_get(user=request.user, pk=assessment_id)


@router.patch("/feasibility/{int:assessment_id}", response={200: FeasibilityOut, **ERRORS})
def update_feasibility(request: HttpRequest, assessment_id: int, payload: FeasibilityPatch) -> Any:
    """Change the latest assessment (an earlier one is 409); send the ``version`` you read."""
    assessment = queries.feasibility_get(user=request.user, pk=assessment_id)
    require(request, "projects.change_feasibilityassessment")
    data = nulls_refused(payload.model_dump(exclude_unset=True), FEASIBILITY_NULLABLE)
    version = data.pop("version")
    services.feasibility_update(actor=request.user, assessment=assessment, version=version, **data)
    return queries.feasibility_get(user=request.user, pk=assessment_id)


# Goals ----------------------------------------------------------------------------------------------


def _value() -> Any:
    return Field(None, max_digits=16, decimal_places=4)


class GoalIn(Schema):
    """A goal: move ``metric`` from ``baseline_value`` to ``target_value`` (in ``direction``) by
    ``deadline_date``. Missing parts are accepted and listed in ``smart_gaps``."""

    statement: str = Field(..., min_length=1, max_length=300)
    metric: str = Field("", max_length=120)
    unit: str = Field("", max_length=20)
    baseline_value: Decimal | None = _value()
    target_value: Decimal | None = _value()
    direction: DirectionValue = Direction.INCREASE
    deadline_date: date | None = None
    owner_id: int | None = Field(None, ge=1, description="An active user")
    rationale: str = Field("", max_length=10_000, description="Why it matters")


class GoalPatch(Schema):
    """A partial update; null clears the values, the deadline and the owner."""

    version: int = Field(..., ge=1)
    statement: str | None = Field(None, min_length=1, max_length=300)
    metric: str | None = Field(None, max_length=120)
    unit: str | None = Field(None, max_length=20)
    baseline_value: Decimal | None = _value()
    target_value: Decimal | None = _value()
    direction: DirectionValue | None = None
    deadline_date: date | None = None
    owner_id: int | None = Field(None, ge=1)
    rationale: str | None = Field(None, max_length=10_000)


GOAL_NULLABLE = frozenset({"baseline_value", "target_value", "deadline_date", "owner_id"})


class GoalOut(Schema):
    id: int
    project_id: int
    version: int
    statement: str
    metric: str
    unit: str
    baseline_value: Decimal | None
    target_value: Decimal | None
    direction: str
    deadline_date: date | None
    owner: UserRef | None
    rationale: str
    smart_gaps: list[str] = Field(description="What keeps the goal from being SMART; empty when it is")
    is_smart: bool
    measurements_count: int
    latest_value: Decimal | None
    latest_date: date | None
    progress: float | None = Field(
        description="(latest − baseline) / (target − baseline), not clipped: 1 = target reached"
    )
    progress_percent: float | None = Field(description="The same in percent, not clipped")
    forecast_value: Decimal | None = Field(description="The least-squares trend's value at the deadline")
    forecast_status: str = Field(
        description="Empty with a forecast; else no_data, not_enough_data (fewer than two days) or no_deadline"
    )
    on_track: bool | None = Field(description="Whether the forecast reaches the target; null without one")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_smart_gaps(obj: Goal) -> list[str]:
        return queries.goal_gaps(obj)

    @staticmethod
    def resolve_is_smart(obj: Goal) -> bool:
        return not queries.goal_gaps(obj)

    @staticmethod
    def resolve_measurements_count(obj: Goal) -> int:
        return queries.goal_outlook(obj).count

    @staticmethod
    def resolve_latest_value(obj: Goal) -> Decimal | None:
        return queries.goal_outlook(obj).latest_value

    @staticmethod
    def resolve_latest_date(obj: Goal) -> date | None:
        return queries.goal_outlook(obj).latest_date

    @staticmethod
    def resolve_progress(obj: Goal) -> float | None:
        raw = queries.goal_outlook(obj).progress
        return None if raw is None else float(raw)

    @staticmethod
    def resolve_progress_percent(obj: Goal) -> float | None:
        return queries.goal_outlook(obj).progress_percent

    @staticmethod
    def resolve_forecast_value(obj: Goal) -> Decimal | None:
        return queries.goal_outlook(obj).forecast_value

    @staticmethod
    def resolve_forecast_status(obj: Goal) -> str:
        return queries.goal_outlook(obj).reason

    @staticmethod
    def resolve_on_track(obj: Goal) -> bool | None:
        return queries.goal_outlook(obj).on_track


def _goal_relations(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``owner_id`` into the user (unknown or inactive → 422 on ``owner_id``)."""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = users_by_ids([owner_id], "owner_id")[0] if owner_id else None
    return data


@router.get("/projects/{int:project_id}/goals", response={200: list[GoalOut], **ERRORS})
@paginate(PagePagination)
def list_goals(request: HttpRequest, project_id: int) -> Any:
    """The project's goals by deadline, each with its SMART gaps, progress and forecast."""
    project = load_project(request, project_id)
    return queries.goal_list(project=project)


@router.post("/projects/{int:project_id}/goals", response={201: GoalOut, **ERRORS})
def create_goal(request: HttpRequest, project_id: int, payload: GoalIn) -> Any:
    project = load_project(request, project_id, "projects.add_goal")
    data = _goal_relations(payload.model_dump())
    with api_field_names({"owner": "owner_id"}):
        goal = services.goal_create(actor=request.user, project=project, **data)
    return Status(201, queries.goal_get(user=request.user, pk=goal.pk))


@router.get("/goals/{int:goal_id}", response={200: GoalOut, **ERRORS})
def get_goal(request: HttpRequest, goal_id: int) -> Any:
    return queries.goal_get(user=request.user, pk=goal_id)


@router.patch("/goals/{int:goal_id}", response={200: GoalOut, **ERRORS})
def update_goal(request: HttpRequest, goal_id: int, payload: GoalPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    goal = queries.goal_get(user=request.user, pk=goal_id)
    require(request, "projects.change_goal")
    data = _goal_relations(nulls_refused(payload.model_dump(exclude_unset=True), GOAL_NULLABLE))
    version = data.pop("version")
    with api_field_names({"owner": "owner_id"}):
        services.goal_update(actor=request.user, goal=goal, version=version, **data)
    return queries.goal_get(user=request.user, pk=goal_id)


@router.delete("/goals/{int:goal_id}", response={204: None, **ERRORS})
def delete_goal(request: HttpRequest, goal_id: int, version: int | None = None) -> Any:
    """Delete a goal with its measurements; one with a final evaluation is refused (409)."""
    goal = queries.goal_get(user=request.user, pk=goal_id)
    require(request, "projects.delete_goal")
    services.goal_delete(actor=request.user, goal=goal, version=version)
    return Status(204, None)


# KPI measurements -----------------------------------------------------------------------------------


class MeasurementIn(Schema):
    measured_on: date = Field(..., description="One measurement per goal per day; not in the future")
    value: Decimal = Field(..., max_digits=16, decimal_places=4)
    source: str = Field("", max_length=120)
    note: str = Field("", max_length=300)


class MeasurementOut(Schema):
    id: int
    goal_id: int
    measured_on: date
    value: Decimal
    source: str
    note: str
    recorded_by: UserRef | None
    created_at: datetime


@router.get("/goals/{int:goal_id}/measurements", response={200: list[MeasurementOut], **ERRORS})
@paginate(PagePagination)
def list_measurements(request: HttpRequest, goal_id: int) -> Any:
    """The goal's KPI measurements by date, oldest first."""
    goal = queries.goal_get(user=request.user, pk=goal_id)
    return queries.measurement_list(goal=goal)


@router.post("/goals/{int:goal_id}/measurements", response={201: MeasurementOut, **ERRORS})
def create_measurement(request: HttpRequest, goal_id: int, payload: MeasurementIn) -> Any:
    """Record the goal's metric on a day; a second value on the same day is 422 on ``measured_on``."""
    goal = queries.goal_get(user=request.user, pk=goal_id)
    require(request, "projects.add_kpimeasurement")
    measurement = services.measurement_create(actor=request.user, goal=goal, **payload.model_dump())
    return Status(201, measurement)


@router.delete("/measurements/{int:measurement_id}", response={204: None, **ERRORS})
def delete_measurement(request: HttpRequest, measurement_id: int) -> Any:
    measurement = queries.measurement_get(user=request.user, pk=measurement_id)
    require(request, "projects.delete_kpimeasurement")
    services.measurement_delete(actor=request.user, measurement=measurement)
    return Status(204, None)
