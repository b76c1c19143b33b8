"""REST endpoints of schedule risk under ``/api/v1``: Monte Carlo simulations of a project's
schedule (run, list, read) and the risk events of its tasks. Every object is reached through the
caller's project scope (404 outside it) before the permission is checked (403)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination
from clientpm.customers.schemas import UserRef
from clientpm.projects.api.common import load_project, nulls_refused
from clientpm.projects.models import ScheduleSimulation, SimulationDistribution, SimulationStatus, Task
from clientpm.projects.queries import plan as plan_queries
from clientpm.projects.queries import schedule_risk as queries
from clientpm.projects.services import schedule_risk as services
from clientpm.scheduling.montecarlo import MAX_ITERATIONS, MIN_ITERATIONS

router = Router(tags=["schedule risk"])

DistributionValue = Literal[tuple(SimulationDistribution.values)]  # type: ignore[valid-type]


# Schemas --------------------------------------------------------------------------------------------


class SimulationIn(Schema):
    """Run a simulation. ``deadline`` defaults to the project's planned finish; without a ``seed``
    one is chosen and returned in ``settings`` (the same seed on the same plan gives the same result)."""

    model_config = ConfigDict(extra="forbid")

    iterations: int = Field(10_000, ge=MIN_ITERATIONS, le=MAX_ITERATIONS)
    distribution: DistributionValue = SimulationDistribution.TRIANGULAR
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    deadline: date | None = None


class SimulationSettingsOut(Schema):
    iterations: int
    distribution: str
    seed: int
    deadline: date | None = None
    status_date: date | None = None


class SimulationSummaryOut(Schema):
    id: int
    project_id: int
    status: str = Field(description="running, done or failed")
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    settings: SimulationSettingsOut
    finish_p50_date: date | None
    finish_p80_date: date | None
    finish_p95_date: date | None
    deadline_probability: float | None
    error: str


class RankedTaskOut(Schema):
    task_id: int
    wbs_code: str
    name: str
    criticality: float = Field(description="Share of iterations in which the task drives the finish")
    sensitivity: float = Field(description="Spearman rank correlation of its duration with the finish")
    mean_duration: float = Field(description="Mean sampled duration, working days")


class SimulationOut(SimulationSummaryOut):
    results: dict[str, Any] | None = Field(
        None, description="The engine's result: settings, finish percentiles, histogram, cumulative, tasks"
    )
    tasks: list[RankedTaskOut] = Field(
        [], description="The project's tasks by criticality, then sensitivity (with WBS code and name)"
    )

    @staticmethod
    def resolve_tasks(obj: ScheduleSimulation) -> list[Any]:
        report = queries.simulation_report(simulation=obj, limit=len(obj.task_labels or {}))
        return report.ranking if report else []


class RiskEventIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    probability: Decimal = Field(..., ge=0, le=1, max_digits=4, decimal_places=3)
    delay_days: int = Field(..., ge=1, le=999, description="Working days added when it happens")
    note: str = Field("", max_length=5000)


class RiskEventPatch(Schema):
    """A partial update; send the ``version`` you read."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    probability: Decimal | None = Field(None, ge=0, le=1, max_digits=4, decimal_places=3)
    delay_days: int | None = Field(None, ge=1, le=999)
    note: str | None = Field(None, max_length=5000)


class RiskEventOut(Schema):
    id: int
    task_id: int
    version: int
    name: str
    probability: float
    delay_days: int
    note: str
    created_at: datetime
    updated_at: datetime


# Simulations ----------------------------------------------------------------------------------------


@router.post(
    "/projects/{int:project_id}/simulations",
    response={201: SimulationOut, 202: SimulationOut, **ERRORS},
)
def run_simulation(request: HttpRequest, project_id: int, payload: SimulationIn) -> Any:
    """Simulate the project's schedule. 201 with the result when it ran in the request; 202 with
    ``status: running`` when it is big enough to run in the background (read it again later).
    Bad input is 422 naming the task (an incomplete three-point estimate, say); nothing is stored."""
    project = load_project(request, project_id, "projects.add_schedulesimulation")
    simulation = services.simulation_run(actor=request.user, project=project, **payload.model_dump())
    stored = queries.simulation_get(user=request.user, pk=simulation.pk)
    return Status(202 if stored.status == SimulationStatus.RUNNING else 201, stored)


@router.get("/projects/{int:project_id}/simulations", response={200: list[SimulationSummaryOut], **ERRORS})
@paginate(PagePagination)
def list_simulations(request: HttpRequest, project_id: int) -> Any:
    """The project's simulations, newest first (a project keeps its latest 20), without results."""
    project = load_project(request, project_id, "projects.view_schedulesimulation")
    return queries.simulation_list(project=project)


@router.get("/simulations/{int:simulation_id}", response={200: SimulationOut, **ERRORS})
def get_simulation(request: HttpRequest, simulation_id: int) -> Any:
    """One simulation with its settings, results and the tasks ranked by criticality."""
    simulation = queries.simulation_get(user=request.user, pk=simulation_id)
    require(request, "projects.view_schedulesimulation")
    return simulation


# Risk events ----------------------------------------------------------------------------------------


def _task(request: HttpRequest, task_id: int) -> Task:
    return plan_queries.task_get(user=request.user, pk=task_id)


@router.get("/tasks/{int:task_id}/risk-events", response={200: list[RiskEventOut], **ERRORS})
def list_risk_events(request: HttpRequest, task_id: int) -> Any:
    """The task's risk events, oldest first."""
    task = _task(request, task_id)
    require(request, "projects.view_scheduleriskevent")
    return list(queries.risk_event_list(task=task))


@router.post("/tasks/{int:task_id}/risk-events", response={201: RiskEventOut, **ERRORS})
def create_risk_event(request: HttpRequest, task_id: int, payload: RiskEventIn) -> Any:
    """Add a risk event: with ``probability`` it delays the task by ``delay_days`` working days in
    a simulation. A summary task is refused (422); so is a closed project (409)."""
    task = _task(request, task_id)
    require(request, "projects.add_scheduleriskevent")
    event = services.risk_event_create(actor=request.user, task=task, **payload.model_dump())
    return Status(201, queries.risk_event_get(user=request.user, pk=event.pk))


@router.get("/risk-events/{int:event_id}", response={200: RiskEventOut, **ERRORS})
def get_risk_event(request: HttpRequest, event_id: int) -> Any:
    event = queries.risk_event_get(user=request.user, pk=event_id)
    require(request, "projects.view_scheduleriskevent")
    return event


@router.patch("/risk-events/{int:event_id}", response={200: RiskEventOut, **ERRORS})
def update_risk_event(request: HttpRequest, event_id: int, payload: RiskEventPatch) -> Any:
    """Change some fields; send the ``version`` you read (409 if stale)."""
    event = queries.risk_event_get(user=request.user, pk=event_id)
    require(request, "projects.change_scheduleriskevent")
    data = nulls_refused(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    services.risk_event_update(actor=request.user, event=event, version=version, **data)
    return queries.risk_event_get(user=request.user, pk=event_id)


@router.delete("/risk-events/{int:event_id}", response={204: None, **ERRORS})
def delete_risk_event(request: HttpRequest, event_id: int, version: int | None = None) -> Any:
    event = queries.risk_event_get(user=request.user, pk=event_id)
    require(request, "projects.delete_scheduleriskevent")
    services.risk_event_delete(actor=request.user, event=event, version=version)
    return Status(204, None)
