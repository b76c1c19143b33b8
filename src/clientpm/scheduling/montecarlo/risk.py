"""Schedule risk with dates: the network of :func:`~clientpm.scheduling.schedule.schedule`, simulated.

:func:`schedule_risk` takes the same :class:`~clientpm.scheduling.schedule.Task` and
:class:`~clientpm.scheduling.schedule.Dependency` values as ``schedule()``, plus three-point
estimates and risk events keyed by task id, runs :func:`~clientpm.scheduling.montecarlo.engine.monte_carlo`
on the working-day axis and turns the result into dates — a :class:`ScheduleRisk`, which
:meth:`ScheduleRisk.to_dict` makes JSON-ready (and :meth:`ScheduleRisk.from_dict` reads back) so
that it can be stored with the settings that produced it.

>>> from clientpm.scheduling.calendar import monday_to_friday
>>> from clientpm.scheduling.schedule import Dependency, Task
>>> risk = schedule_risk(
...     [Task("design", 3), Task("build", 5)],
...     [Dependency("design", "build")],
...     calendar=monday_to_friday(),
...     project_start=date(2026, 3, 2),
...     estimates={"build": Estimate(4, 5, 9)},
...     risk_events=[RiskEvent("design", probability=1.0, delay=1)],
...     deadline=date(2026, 3, 13),
...     iterations=1000,
...     seed=42,
... )
>>> risk.p50, risk.p95  # design takes 3 + 1 days; build's median is 9 − √10 ≈ 5.8 days, P95 8 days
(datetime.date(2026, 3, 13), datetime.date(2026, 3, 17))
>>> risk.tasks["design"].criticality, risk.deadline_probability  # P(build ≤ 6) = 1 − 3² / 20 = 0.55
(1.0, 0.547)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np

from clientpm.scheduling.calendar import WorkingCalendar, working_day_date
from clientpm.scheduling.cpm import ConstraintType
from clientpm.scheduling.exceptions import CycleError, SchedulingError
from clientpm.scheduling.montecarlo.engine import MonteCarloResult, monte_carlo
from clientpm.scheduling.montecarlo.inputs import (
    Distribution,
    Estimate,
    InputProblem,
    RiskEvent,
    SimulationInputError,
)
from clientpm.scheduling.schedule import Dependency, Task, _days, _validate

__all__ = ["ScheduleRisk", "SimulationSettings", "TaskRisk", "schedule_risk"]

TaskId = Hashable


@dataclass(frozen=True, slots=True)
class TaskRisk:
    """One task's indices: criticality (0–1), sensitivity (−1…1) and mean sampled duration (days)."""

    task_id: TaskId
    criticality: float
    sensitivity: float
    mean_duration: float


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    """What produced a result: with the same network, these settings reproduce it exactly."""

    iterations: int
    seed: int
    distribution: Distribution
    project_start: date
    status_date: date | None
    deadline: date | None
    calendar: str
    tasks: int
    risk_events: int


@dataclass(frozen=True, eq=False)
class ScheduleRisk:
    """The simulated finish dates, the chance of meeting the deadline and each task's indices.

    ``mean_days``/``std_days`` measure the finish in working days from the project start (to the
    end of the work) and ``mean_finish`` is the working day nearest the mean finish date;
    ``histogram`` counts the iterations finishing on each working day from the earliest to the
    latest finish, ``cumulative`` the fraction finished by each of them.
    ``uncovered_years`` are the years of the simulated dates without holiday data in the calendar.
    ``arrays`` holds the raw per-iteration result (absent after :meth:`from_dict`).
    """

    settings: SimulationSettings
    p50: date
    p80: date
    p95: date
    mean_finish: date
    earliest_finish: date
    latest_finish: date
    mean_days: float
    std_days: float
    deadline_probability: float | None
    histogram: tuple[tuple[date, int], ...]
    cumulative: tuple[tuple[date, float], ...]
    tasks: Mapping[TaskId, TaskRisk]
    uncovered_years: tuple[int, ...] = ()
    arrays: MonteCarloResult | None = field(default=None, repr=False)

    def finish_at(self, probability: float) -> date:
        """The first date by which at least ``probability`` of the iterations finish."""
        if not 0 < probability <= 1:
            raise SchedulingError("A percentile's probability must be in (0, 1].")
        return next(day for day, share in self.cumulative if share >= probability - 1e-12)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready plain data (dates as ISO strings, tuple task ids as lists)."""
        s = self.settings
        return {
            "settings": {
                "iterations": s.iterations,
                "seed": s.seed,
                "distribution": s.distribution,
                "project_start": s.project_start.isoformat(),
                "status_date": _iso(s.status_date),
                "deadline": _iso(s.deadline),
                "calendar": s.calendar,
                "tasks": s.tasks,
                "risk_events": s.risk_events,
            },
            "finish": {
                "p50": self.p50.isoformat(),
                "p80": self.p80.isoformat(),
                "p95": self.p95.isoformat(),
                "mean": self.mean_finish.isoformat(),
                "earliest": self.earliest_finish.isoformat(),
                "latest": self.latest_finish.isoformat(),
                "mean_days": self.mean_days,
                "std_days": self.std_days,
            },
            "deadline_probability": self.deadline_probability,
            "histogram": [{"date": day.isoformat(), "count": count} for day, count in self.histogram],
            "cumulative": [{"date": day.isoformat(), "probability": p} for day, p in self.cumulative],
            "tasks": [
                {
                    "task_id": _json_id(task.task_id),
                    "criticality": task.criticality,
                    "sensitivity": task.sensitivity,
                    "mean_duration": task.mean_duration,
                }
                for task in self.tasks.values()
            ],
            "uncovered_years": list(self.uncovered_years),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScheduleRisk:
        """The result that :meth:`to_dict` serialised; malformed data raises ``SchedulingError``."""
        try:
            s, finish = data["settings"], data["finish"]
            settings = SimulationSettings(
                iterations=int(s["iterations"]),
                seed=int(s["seed"]),
                distribution=s["distribution"],
                project_start=date.fromisoformat(s["project_start"]),
                status_date=_date(s["status_date"]),
                deadline=_date(s["deadline"]),
                calendar=str(s["calendar"]),
                tasks=int(s["tasks"]),
                risk_events=int(s["risk_events"]),
            )
            tasks = [
                TaskRisk(
                    _task_id(row["task_id"]),
                    float(row["criticality"]),
                    float(row["sensitivity"]),
                    float(row["mean_duration"]),
                )
                for row in data["tasks"]
            ]
            probability = data["deadline_probability"]
            return cls(
                settings=settings,
                p50=date.fromisoformat(finish["p50"]),
                p80=date.fromisoformat(finish["p80"]),
                p95=date.fromisoformat(finish["p95"]),
                mean_finish=date.fromisoformat(finish["mean"]),
                earliest_finish=date.fromisoformat(finish["earliest"]),
                latest_finish=date.fromisoformat(finish["latest"]),
                mean_days=float(finish["mean_days"]),
                std_days=float(finish["std_days"]),
                deadline_probability=None if probability is None else float(probability),
                histogram=tuple((date.fromisoformat(b["date"]), int(b["count"])) for b in data["histogram"]),
                cumulative=tuple(
                    (date.fromisoformat(b["date"]), float(b["probability"])) for b in data["cumulative"]
                ),
                tasks={task.task_id: task for task in tasks},
                uncovered_years=tuple(int(year) for year in data.get("uncovered_years", ())),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SchedulingError(f"Schedule risk data is malformed ({error!r}).") from None


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _json_id(value: TaskId) -> Any:
    if isinstance(value, tuple):
        return [_json_id(item) for item in value]
    return value if value is None or isinstance(value, str | int | float) else str(value)


def _task_id(value: Any) -> TaskId:
    return tuple(_task_id(item) for item in value) if isinstance(value, list) else cast(TaskId, value)


def _numbered(
    tasks: list[Task],
    links: list[Dependency],
    estimates: Mapping[TaskId, Estimate],
    events: list[RiskEvent],
) -> dict[TaskId, int]:
    """Task numbers by id, refusing duplicates and references to unknown tasks."""
    _validate(tasks)
    number: dict[TaskId, int] = {}
    for i, task in enumerate(tasks):
        if number.setdefault(task.id, i) != i:
            raise SchedulingError(f"Task {task.id} appears twice.")
    unknown = [task for link in links for task in (link.predecessor, link.successor) if task not in number]
    if unknown:
        names = ", ".join(dict.fromkeys(str(task) for task in unknown))
        raise SchedulingError(f"Dependencies refer to unknown tasks: {names}.")
    problems = [
        InputProblem(task, "estimate", "there is no such task.") for task in estimates if task not in number
    ]
    problems += [
        InputProblem(event.task_id, "task_id", "a risk event refers to an unknown task.")
        for event in events
        if event.task_id not in number
    ]
    if problems:
        raise SimulationInputError(problems)
    return number


def schedule_risk(
    tasks: Iterable[Task],
    dependencies: Iterable[Dependency] = (),
    *,
    calendar: WorkingCalendar,
    project_start: date,
    estimates: Mapping[TaskId, Estimate] | None = None,
    risk_events: Iterable[RiskEvent] = (),
    distribution: Distribution = "triangular",
    iterations: int = 10_000,
    seed: int | None = None,
    deadline: date | int | None = None,
    status_date: date | None = None,
) -> ScheduleRisk:
    """Simulate the schedule of ``tasks`` ``iterations`` times and summarise the finish dates.

    Tasks with an entry in ``estimates`` draw their duration from it (``distribution``:
    ``"triangular"`` or ``"pert"``); the others keep ``Task.duration``. ``deadline`` is a date or
    a working-day index (0 = the project's first working day); its probability is that of
    finishing on or before it. ``seed=None`` picks a seed, recorded in ``settings``. Raises
    :class:`~clientpm.scheduling.montecarlo.inputs.SimulationInputError` naming the task and the
    field at fault, ``CycleError`` naming a cycle's tasks, ``SchedulingError`` for other input.
    """
    task_list, links, events = list(tasks), list(dependencies), list(risk_events)
    estimate_map = dict(estimates or {})
    number = _numbered(task_list, links, estimate_map, events)
    n = len(task_list)
    three = np.full((3, n), np.nan)
    for task_id, estimate in estimate_map.items():
        three[:, number[task_id]] = (estimate.optimistic, estimate.most_likely, estimate.pessimistic)
    origin = project_start
    kinds = np.array([task.constraint for task in task_list], dtype=np.int64)
    constraint_dates = [task.constraint_date for task in task_list]
    finish_kind = np.isin(kinds, (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO))
    constraint_day = np.where(
        finish_kind,
        _days(calendar, constraint_dates, origin, finish=True),
        _days(calendar, constraint_dates, origin, finish=False),
    )
    remaining = [
        task.remaining_duration
        if task.remaining_duration is not None
        else math.ceil(task.duration * (100 - task.percent_complete) / 100)
        for task in task_list
    ]
    status_day = None if status_date is None else int(_days(calendar, [status_date], origin, finish=False)[0])
    if isinstance(deadline, date):
        deadline_day: int | None = int(_days(calendar, [deadline], origin, finish=True)[0])
    else:
        deadline_day = deadline
    try:
        result = monte_carlo(
            [task.duration for task in task_list],
            [number[link.predecessor] for link in links],
            [number[link.successor] for link in links],
            [link.type for link in links],
            [link.lag for link in links],
            optimistic=three[0],
            most_likely=three[1],
            pessimistic=three[2],
            distribution=distribution,
            risk_task=[number[event.task_id] for event in events],
            risk_probability=[event.probability for event in events],
            risk_delay=[event.delay for event in events],
            iterations=iterations,
            seed=seed,
            constraint_type=kinds,
            constraint_day=constraint_day,
            actual_start_day=_days(calendar, [task.actual_start for task in task_list], origin, finish=False),
            actual_finish_day=_days(
                calendar, [task.actual_finish for task in task_list], origin, finish=True
            ),
            remaining_duration=remaining,
            status_day=status_day,
            deadline_day=deadline_day,
            labels=[task.id for task in task_list],
        )
    except CycleError as error:
        raise CycleError([task_list[cast(int, i)].id for i in error.cycle]) from None
    return _summary(result, task_list, calendar, origin, status_date, len(events))


def _summary(
    result: MonteCarloResult,
    task_list: list[Task],
    calendar: WorkingCalendar,
    origin: date,
    status_date: date | None,
    events: int,
) -> ScheduleRisk:
    days, counts = result.histogram()
    mean_day = math.floor(float(result.finish_day.mean()) + 0.5)  # the nearest working day
    wanted = [result.percentile_day(p) for p in (0.5, 0.8, 0.95)]
    extra = [mean_day] + ([result.deadline_day] if result.deadline_day is not None else [])
    dates: list[date] = working_day_date(calendar, [*days.tolist(), *wanted, *extra], origin=origin).tolist()
    finish_dates, (p50, p80, p95), mean_finish = (
        dates[: days.size],
        dates[days.size : days.size + 3],
        dates[-len(extra)],
    )
    shares = np.cumsum(counts) / result.iterations
    settings = SimulationSettings(
        iterations=result.iterations,
        seed=result.seed,
        distribution=result.distribution,
        project_start=working_day_date(calendar, [0], origin=origin)[0].item(),
        status_date=status_date,
        deadline=dates[-1] if result.deadline_day is not None else None,
        calendar=calendar.name,
        tasks=len(task_list),
        risk_events=events,
    )
    criticality, sensitivity = result.criticality.tolist(), result.sensitivity.tolist()
    mean_duration = result.mean_duration.tolist()
    years = set(range(origin.year, finish_dates[-1].year + 1))
    return ScheduleRisk(
        settings=settings,
        p50=p50,
        p80=p80,
        p95=p95,
        mean_finish=mean_finish,
        earliest_finish=finish_dates[0],
        latest_finish=finish_dates[-1],
        mean_days=result.mean_finish,
        std_days=result.std_finish,
        deadline_probability=result.deadline_probability,
        histogram=tuple(zip(finish_dates, counts.tolist(), strict=True)),
        cumulative=tuple(zip(finish_dates, shares.tolist(), strict=True)),
        tasks={
            task.id: TaskRisk(task.id, criticality[i], sensitivity[i], mean_duration[i])
            for i, task in enumerate(task_list)
        },
        uncovered_years=tuple(year for year in calendar.uncovered_years if year in years),
        arrays=result,
    )
