"""Writes of schedule risk (进度风险模拟): risk events on tasks, and Monte Carlo simulations of a
project's schedule stored with the settings that produced them.

Rules:

- **risk events** belong to a task that carries work (not a summary task: a summary's dates come
  from its subtasks, so its own delay would change nothing); probability 0–1, delay 1–999 working
  days, a name. A closed or cancelled project refuses them (409); edits quote the ``version`` they
  read (409 when stale); every write leaves a change record. Deleting a task deletes its events;
- **a simulation** runs on the network the schedule uses (``planning.project_network``: summary
  start/finish nodes, other projects' predecessors fixed at their dates, constraints, progress
  from the status date, the project's calendar). Tasks with a three-point estimate draw their
  duration from it (``distribution``: triangular or PERT-beta), the others keep their duration;
  risk events add their delay with their probability. The deadline defaults to the project's
  planned finish; the status date is the project's. Without a seed one is chosen and stored, so
  every run can be reproduced;
- **bad input** (an incomplete or disordered three-point estimate, a risk event on a summary
  task, iterations out of range) is refused before anything runs or is stored: a
  ``ValidationError`` whose messages name the task, under the task's field name
  (``optimistic_days``, ``probability``…) or the setting (``iterations``, ``seed``…);
- **inline or in the background** — with tasks × iterations ≤ ``CLIENTPM_SIMULATION_INLINE_MAX``
  (default 20,000,000) the simulation runs in the request and is stored done; bigger ones are
  stored ``running`` and run by the Huey job ``simulation_run_job`` once the transaction commits.
  The engine runs outside any transaction (no lock is held while it computes); storing the result
  is one short transaction;
- **housekeeping** — a project keeps its ``MAX_SIMULATIONS`` (20) latest simulations; storing a new
  one deletes the older ones (recorded as deletions). A closed or cancelled project refuses new
  simulations (409).

Errors: ``ValidationError`` (422 / field errors), ``ConflictError`` and ``StaleVersionError`` (409).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import secrets
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.conf import settings as conf
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.projects import planning
from clientpm.projects.models import (
    MAX_SIMULATIONS,
    Project,
    ScheduleRiskEvent,
    ScheduleSimulation,
    SimulationDistribution,
    SimulationStatus,
    Task,
)
from clientpm.projects.services.projects import project_ensure_editable
from clientpm.projects.tasks import simulation_run_job
from clientpm.scheduling import CycleError, SchedulingError
from clientpm.scheduling.montecarlo import (
    MAX_ITERATIONS,
    MIN_ITERATIONS,
    Estimate,
    InputProblem,
    RiskEvent,
    ScheduleRisk,
    SimulationInputError,
    schedule_risk,
)
from clientpm.scheduling.montecarlo.inputs import validate_estimates, validate_risks, validate_settings

logger = logging.getLogger(__name__)

RISK_EVENT_FIELDS = frozenset({"name", "probability", "delay_days", "note"})
_CHOSEN_SEEDS = 2**32
"""A seed the service chooses is below this (as the engine's own); any whole number ≥ 0 may be given."""


def inline_max_cells() -> int:
    """Simulations with more tasks × iterations than this run in the background job."""
    return int(getattr(conf, "CLIENTPM_SIMULATION_INLINE_MAX", 20_000_000))


def _locked_project(project_id: int) -> Project:
    """The project row, locked so writes to it are serialised; 409 when closed or cancelled."""
    project = Project.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=project_id)
    project_ensure_editable(project)
    return project


# Risk events -------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _within(value: Any, kind: Any, low: int, high: int) -> bool:
    try:
        return bool(low <= kind(value) <= high)
    except (InvalidOperation, TypeError, ValueError):
        return False


def _prepare_event(event: ScheduleRiskEvent) -> None:
    """Normalise and validate ``event``; raises ``ValidationError`` with every problem."""
    errors: dict[str, list[str]] = {}
    event.name = (event.name or "").strip()
    event.note = (event.note or "").strip()
    if not event.name:
        errors.setdefault("name", []).append(_("Give the risk event a name."))
    if not _within(event.probability, Decimal, 0, 1):
        errors.setdefault("probability", []).append(_("The probability must be between 0 and 1."))
    if isinstance(event.delay_days, bool) or not _within(event.delay_days, int, 1, 999):
        errors.setdefault("delay_days", []).append(_("The delay must be from 1 to 999 working days."))
    if Task.objects.filter(parent_id=event.task_id).exists():
        errors.setdefault("task", []).append(
            _(
                "“%(task)s” is a summary task: its dates come from the tasks under it. Put the risk "
                "event on the task it would delay."
            )
            % {"task": event.task}
        )
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["task"])


@transaction.atomic
def risk_event_create(
    *,
    actor: User | None,
    task: Task,
    name: str,
    probability: Decimal | float,
    delay_days: int,
    note: str = "",
) -> ScheduleRiskEvent:
    """Add a risk event to ``task``: with ``probability`` (0–1) it delays the task by ``delay_days``
    working days in a simulation. Refused on a summary task (422) or a closed project (409)."""
    _locked_project(task.project_id)
    task = Task.objects.get(pk=task.pk)
    event = ScheduleRiskEvent(
        task=task, name=name, probability=_decimal(probability), delay_days=delay_days, note=note or ""
    )
    _prepare_event(event)
    event.save()
    record_create(actor, event)
    return event


@transaction.atomic
def risk_event_update(
    *, actor: User | None, event: ScheduleRiskEvent, version: int | None, **fields: Any
) -> ScheduleRiskEvent:
    """Change a risk event's ``name``, ``probability``, ``delay_days`` or ``note``; refuses a stale
    ``version`` (409) and a closed project (409)."""
    unknown = set(fields) - RISK_EVENT_FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    _locked_project(event.task.project_id)
    event = lock_for_update(ScheduleRiskEvent.objects.select_related("task"), event.pk, version)
    before = snapshot(event)
    for name, value in fields.items():
        setattr(event, name, _decimal(value) if name == "probability" else value)
    _prepare_event(event)
    bump_version(event)
    event.save()
    record_update(actor, event, before)
    return event


@transaction.atomic
def risk_event_delete(*, actor: User | None, event: ScheduleRiskEvent, version: int | None = None) -> None:
    """Delete a risk event (409 on a stale ``version`` or a closed project)."""
    _locked_project(event.task.project_id)
    event = lock_for_update(ScheduleRiskEvent.objects.all(), event.pk, version)
    record_delete(actor, event, snapshot(event))
    event.delete()


# Simulations -------------------------------------------------------------------------------------------


def _node_order(node: Hashable) -> tuple[int, int]:
    """A fixed order of the network's nodes (leaves, summary starts, finishes, other projects'
    tasks, each by id): the engine draws in task order, so a seed reproduces a run whatever order
    the database returns the rows in."""
    if isinstance(node, tuple):
        return {"s": 1, "f": 2, "x": 3}.get(node[0], 4), int(node[1])
    return 0, int(node)  # type: ignore[call-overload]


@dataclass
class _Inputs:
    """What a simulation of one project reads from the database."""

    network: planning.ProjectNetwork
    estimates: dict[int, Estimate] = field(default_factory=dict)
    three: dict[int, tuple[Decimal | None, Decimal | None, Decimal | None]] = field(default_factory=dict)
    events: list[RiskEvent] = field(default_factory=list)
    summary_events: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)

    def name(self, node: Hashable) -> str:
        task_id = node[1] if isinstance(node, tuple) else node
        return self.names.get(task_id, str(task_id))  # type: ignore[call-overload]


def _inputs(project: Project) -> _Inputs:
    """The project's network, estimates, risk events and task names (three queries plus the
    network's)."""
    network = planning.project_network(project)
    network = dataclasses.replace(
        network,
        tasks=sorted(network.tasks, key=lambda task: _node_order(task.id)),
        dependencies=sorted(
            network.dependencies,
            key=lambda link: (_node_order(link.predecessor), _node_order(link.successor)),
        ),
    )
    inputs = _Inputs(network=network)
    rows = Task.objects.filter(project=project).values_list(
        "id", "wbs_code", "name", "optimistic_days", "most_likely_days", "pessimistic_days"
    )
    for task_id, wbs_code, name, low, mode, high in rows.order_by():
        inputs.names[task_id] = f"{wbs_code} {name}".strip()
        if task_id in network.summaries:
            continue
        inputs.labels[str(task_id)] = [wbs_code, name]
        if low is None and mode is None and high is None:
            continue
        inputs.three[task_id] = (low, mode, high)
        inputs.estimates[task_id] = Estimate(
            *(float("nan") if value is None else float(value) for value in (low, mode, high))
        )
    events = ScheduleRiskEvent.objects.filter(task__project=project).order_by("id")
    for task_id, probability, delay in events.values_list("task_id", "probability", "delay_days"):
        if task_id in network.summaries:
            inputs.summary_events.append(task_id)
        elif str(task_id) in inputs.labels:
            inputs.events.append(RiskEvent(task_id, float(probability), float(delay)))
    return inputs


def _explain(problem: InputProblem, inputs: _Inputs, settings: dict[str, Any]) -> tuple[str, str]:
    """The field and the translated message for one problem the engine found."""
    task = inputs.name(problem.task) if problem.task is not None else ""
    kind = problem.field
    if kind == "iterations":
        iterations = settings.get("iterations")
        if isinstance(iterations, int) and MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
            return kind, _("This plan is too big for %(n)s iterations; run fewer.") % {"n": iterations}
        return kind, _("Run between %(low)s and %(high)s iterations.") % {
            "low": MIN_ITERATIONS,
            "high": MAX_ITERATIONS,
        }
    if kind == "distribution":
        return kind, _("Choose the triangular or the PERT distribution.")
    if kind == "seed":
        return kind, _("The seed must be a whole number of at least 0.")
    if kind in ("optimistic", "most_likely", "pessimistic"):
        values = inputs.three.get(problem.task, (None, None, None))  # type: ignore[arg-type]
        if any(value is None for value in values):
            message = _(
                "“%(task)s” has an incomplete three-point estimate: give its optimistic, most likely "
                "and pessimistic durations, or none of them."
            )
        elif any(value < 0 for value in values if value is not None):
            message = _("“%(task)s”: a three-point estimate cannot be negative.")
        else:
            message = _(
                "“%(task)s”: the three-point estimate must be in order, optimistic ≤ most likely ≤ "
                "pessimistic."
            )
        return f"{kind}_days", message % {"task": task}
    if kind == "probability":
        return kind, _("“%(task)s”: a risk event's probability must be between 0 and 1.") % {"task": task}
    if kind == "delay":
        return "delay_days", _("“%(task)s”: a risk event's delay must be at least one working day.") % {
            "task": task
        }
    if kind in ("task_id", "risk_events", "estimate"):
        return "__all__", _("The plan changed while the simulation was prepared; run it again.")
    return "__all__", f"{task}: {problem.message}" if task else problem.message


def _refusal(
    problems: list[InputProblem], inputs: _Inputs, settings: dict[str, Any], extra: dict[str, list[str]]
) -> ValidationError:
    errors = {key: list(messages) for key, messages in extra.items()}
    for problem in problems:
        key, message = _explain(problem, inputs, settings)
        if message not in errors.setdefault(key, []):
            errors[key].append(message)
    return ValidationError(errors)


def _check(inputs: _Inputs, settings: dict[str, Any]) -> None:
    """Refuse bad input before anything runs: the engine's own validation (settings, estimates,
    risk events) plus risk events left on tasks that became summaries."""
    tasks = inputs.network.tasks
    problems: list[InputProblem] = []
    labels = [task.id for task in tasks]
    number = {task_id: i for i, task_id in enumerate(labels)}
    three = np.full((3, len(tasks)), np.nan)
    for task_id, estimate in inputs.estimates.items():
        three[:, number[task_id]] = (estimate.optimistic, estimate.most_likely, estimate.pessimistic)
    checks = (
        lambda: validate_settings(
            iterations=settings["iterations"],
            distribution=settings["distribution"],
            seed=settings["seed"],
            tasks=len(tasks),
        ),
        lambda: validate_estimates(three[0], three[1], three[2], labels),
        lambda: validate_risks(
            np.array([number[event.task_id] for event in inputs.events], dtype=np.int64),
            np.array([event.probability for event in inputs.events], dtype=np.float64),
            np.array([event.delay for event in inputs.events], dtype=np.float64),
            labels,
        ),
    )
    for check in checks:
        try:
            check()
        except SimulationInputError as error:
            problems.extend(error.problems)
    extra: dict[str, list[str]] = {}
    if not inputs.labels:
        extra["__all__"] = [_("The plan has no tasks to simulate; add some first.")]
    for task_id in dict.fromkeys(inputs.summary_events):
        extra.setdefault("risk_events", []).append(
            _(
                "“%(task)s” is a summary task now: its risk events would delay nothing. Move them to "
                "the tasks under it."
            )
            % {"task": inputs.names.get(task_id, str(task_id))}
        )
    if problems or extra:
        raise _refusal(problems, inputs, settings, extra)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _simulate(inputs: _Inputs, settings: dict[str, Any]) -> ScheduleRisk:
    network = inputs.network
    deadline = settings.get("deadline")
    try:
        return schedule_risk(
            network.tasks,
            network.dependencies,
            calendar=network.calendar,
            project_start=network.start,
            estimates=inputs.estimates,
            risk_events=inputs.events,
            distribution=settings["distribution"],
            iterations=settings["iterations"],
            seed=settings["seed"],
            deadline=date.fromisoformat(deadline) if deadline else None,
            status_date=network.status_date,
        )
    except SimulationInputError as error:
        raise _refusal(list(error.problems), inputs, settings, {}) from None
    except CycleError as error:
        names = list(dict.fromkeys(inputs.name(node) for node in error.cycle))
        raise ValidationError(
            _("These tasks depend on each other in a circle: %(tasks)s.") % {"tasks": " → ".join(names)},
            code="cycle",
        ) from None
    except SchedulingError as error:
        raise ValidationError(str(error), code="schedule") from None


def _result_fields(risk: ScheduleRisk, inputs: _Inputs) -> dict[str, Any]:
    return {
        "status": SimulationStatus.DONE,
        "results": risk.to_dict(),
        "task_labels": inputs.labels,
        "finish_p50_date": risk.p50,
        "finish_p80_date": risk.p80,
        "finish_p95_date": risk.p95,
        "deadline_probability": risk.deadline_probability,
        "error": "",
    }


def _audited(simulation: ScheduleSimulation) -> dict[str, Any]:
    """What the change log keeps of a simulation: who asked for what (not the bulky results)."""
    return {"project": simulation.project_id, "status": simulation.status, "settings": simulation.settings}


def _prune(actor: User | None, project: Project) -> None:
    """Delete the project's simulations beyond the ``MAX_SIMULATIONS`` latest."""
    runs = ScheduleSimulation.objects.filter(project=project).order_by("-created_at", "-id")
    old = list(runs.only("id", "project_id", "status", "settings")[MAX_SIMULATIONS:])
    for simulation in old:
        record_delete(actor, simulation, _audited(simulation))
    if old:
        ScheduleSimulation.objects.filter(pk__in=[simulation.pk for simulation in old]).delete()


def simulation_settings(
    project: Project,
    *,
    iterations: int,
    distribution: str,
    seed: int | None,
    deadline: date | None,
) -> dict[str, Any]:
    """The settings a run stores: the given ones, a chosen seed when none was given, the deadline
    (default: the project's planned finish) and the project's status date."""
    return {
        "iterations": iterations,
        "distribution": distribution,
        "seed": secrets.randbelow(_CHOSEN_SEEDS) if seed is None else seed,
        "deadline": _iso(deadline or project.planned_finish_date),
        "status_date": _iso(project.status_date),
    }


def simulation_run(
    *,
    actor: User | None,
    project: Project,
    iterations: int = 10_000,
    distribution: str = SimulationDistribution.TRIANGULAR,
    seed: int | None = None,
    deadline: date | None = None,
) -> ScheduleSimulation:
    """Simulate ``project``'s schedule ``iterations`` times and store the result (see the module
    docstring). Returns the stored simulation: done, or running when the background job runs it.
    Refuses bad input with a ``ValidationError`` naming the task (nothing stored) and a closed
    project with a ``ConflictError``."""
    project = Project.objects.select_related("calendar").get(pk=project.pk)
    project_ensure_editable(project)
    settings = simulation_settings(
        project, iterations=iterations, distribution=distribution, seed=seed, deadline=deadline
    )
    inputs = _inputs(project)
    _check(inputs, settings)
    inline = len(inputs.network.tasks) * iterations <= inline_max_cells()
    risk = _simulate(inputs, settings) if inline else None
    with transaction.atomic():
        locked = _locked_project(project.pk)
        simulation = ScheduleSimulation(
            project=locked, created_by=actor if getattr(actor, "pk", None) else None, settings=settings
        )
        if risk is not None:
            for name, value in _result_fields(risk, inputs).items():
                setattr(simulation, name, value)
        simulation.save()
        record_create(actor, simulation, _audited(simulation))
        _prune(actor, locked)
        if risk is None:
            transaction.on_commit(functools.partial(simulation_run_job, simulation.pk))
    return simulation


def simulation_complete(simulation_id: int) -> ScheduleSimulation | None:
    """Run a queued (``running``) simulation and store its result — the background job's work.

    Idempotent: a simulation that is gone (pruned, project deleted) or no longer running is left
    alone. It simulates the plan as it is when the job runs, with the stored settings. Bad input
    (the plan changed since the request) marks it ``failed`` with the reasons; so does an
    unexpected error, which is raised again for the job runner's log."""
    simulation = (
        ScheduleSimulation.objects.filter(pk=simulation_id, status=SimulationStatus.RUNNING)
        .select_related("project__calendar")
        .defer("results", "task_labels")
        .first()
    )
    if simulation is None:
        return None
    project = simulation.project
    settings = dict(simulation.settings)
    settings["status_date"] = _iso(project.status_date)
    running = ScheduleSimulation.objects.filter(pk=simulation_id, status=SimulationStatus.RUNNING)
    try:
        inputs = _inputs(project)
        _check(inputs, settings)
        risk = _simulate(inputs, settings)
    except ValidationError as error:
        running.update(
            status=SimulationStatus.FAILED,
            error=" ".join(error.messages),
            settings=settings,
            updated_at=timezone.now(),
        )
        return ScheduleSimulation.objects.filter(pk=simulation_id).first()
    except Exception:
        logger.exception("Simulation %s of project %s failed", simulation_id, project.code)
        running.update(
            status=SimulationStatus.FAILED,
            error=_("The simulation failed; run it again."),
            updated_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        running.update(settings=settings, updated_at=timezone.now(), **_result_fields(risk, inputs))
    return ScheduleSimulation.objects.filter(pk=simulation_id).first()
