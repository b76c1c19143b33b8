"""Reads of schedule risk: a project's simulations (listing without their bulky results), one
simulation with its report — finish percentiles, the deadline's probability, the histogram and the
cumulative (S-) curve laid out as SVG coordinates, the tasks ranked by criticality and sensitivity —
and the risk events of a task.

Every object is reached through the reader's project scope (``project_scope``): outside it, a
``DoesNotExist`` (404) that never reveals whether the object exists.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.projects.models import (
    MAX_SIMULATIONS,
    Project,
    ScheduleRiskEvent,
    ScheduleSimulation,
    SimulationDistribution,
    SimulationStatus,
    Task,
)
from clientpm.projects.queries.projects import project_scope

RANKED_TASKS = 20
"""The ranking shows this many tasks."""

# The charts' geometry, in SVG user units (the SVG scales to its container).
CHART_WIDTH = 640
CHART_HEIGHT = 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 12, 34


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    return project_scope(user=user).values("pk")


# Simulations -------------------------------------------------------------------------------------------


def simulation_list(*, project: Project) -> QuerySet[ScheduleSimulation]:
    """The project's simulations, newest first, with who ran them; results and labels are left
    unloaded (a listing needs the settings and the columns only)."""
    return (
        ScheduleSimulation.objects.filter(project=project)
        .select_related("created_by")
        .defer("results", "task_labels")
        .order_by("-created_at", "-id")
    )


def simulation_get(
    *, user: User | AnonymousUser, pk: int, project: Project | None = None
) -> ScheduleSimulation:
    """A simulation of a project the user may see (of ``project`` when given), with its results;
    else ``ScheduleSimulation.DoesNotExist``."""
    qs = ScheduleSimulation.objects.filter(project__in=_visible(user)).select_related("project", "created_by")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.get(pk=pk)


def simulation_inputs(*, project: Project) -> dict[str, int]:
    """What a simulation of ``project`` would draw on: ``tasks`` (leaves), ``estimated`` (leaves with
    a three-point estimate) and ``risk_events`` — one query."""
    three = Q(optimistic_days__isnull=False, most_likely_days__isnull=False, pessimistic_days__isnull=False)
    return Task.objects.filter(project=project, is_summary=False).aggregate(
        tasks=Count("pk", distinct=True),
        estimated=Count("pk", filter=three, distinct=True),
        risk_events=Count("risk_events", distinct=True),
    )


# The report --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One histogram bar: the iterations finishing on ``day``."""

    day: date
    count: int
    share: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Marker:
    """A vertical line across a chart at a date (a percentile or the deadline)."""

    key: str
    label: str
    day: date
    x: float
    label_y: float


@dataclass(frozen=True)
class Tick:
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    """Coordinates of one server-rendered SVG chart (no script draws it)."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar]
    points: str
    markers: list[Marker]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


@dataclass(frozen=True)
class RankedTask:
    task_id: int
    wbs_code: str
    name: str
    criticality: float
    sensitivity: float
    mean_duration: float


@dataclass(frozen=True)
class SimulationReport:
    """A done simulation, ready to show: percentiles, deadline probability, charts, ranking."""

    simulation: ScheduleSimulation
    settings: dict[str, Any]
    distribution_label: str
    p50: date
    p80: date
    p95: date
    mean: date
    earliest: date
    latest: date
    mean_days: float
    std_days: float
    deadline: date | None
    deadline_probability: float | None
    histogram: Chart
    cumulative: Chart
    ranking: list[RankedTask]
    uncovered_years: list[int]


def _round(value: float) -> float:
    return round(value, 1)


def _x_ticks(days: list[date], slot: float, bottom: float) -> list[Tick]:
    """At most six date labels spread over the axis, first and last included."""
    n = len(days)
    indices = sorted({round(k * (n - 1) / 5) for k in range(6)}) if n > 1 else [0]
    return [Tick(days[i].isoformat(), _round(_LEFT + (i + 0.5) * slot), bottom + 14) for i in indices]


def _markers(days: list[date], slot: float, wanted: list[tuple[str, str, date | None]]) -> list[Marker]:
    """Vertical lines at the slots of the given dates; a date outside the simulated range sits at
    the chart's edge (a deadline before every finish, or after all of them)."""
    markers: list[Marker] = []
    for key, label, day in wanted:
        if day is None:
            continue
        index = bisect.bisect_right(days, day) - 1  # the last simulated finish on or before it
        if index < 0:
            x = float(_LEFT)
        elif day > days[-1]:
            x = _LEFT + len(days) * slot
        else:
            x = _LEFT + (index + 0.5) * slot
        markers.append(Marker(key, label, day, _round(x), _TOP + 10 + 11 * len(markers)))
    return markers


def _charts(
    histogram: list[tuple[date, int]],
    cumulative: list[float],
    iterations: int,
    wanted: list[tuple[str, str, date | None]],
) -> tuple[Chart, Chart]:
    """The histogram (share of iterations finishing each working day) and the S-curve (share
    finished by each day) on the same date axis."""
    days = [day for day, _count in histogram]
    plot_width = CHART_WIDTH - _LEFT - _RIGHT
    plot_height = CHART_HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + plot_height
    slot = plot_width / max(len(days), 1)
    gap = slot * 0.15 if slot >= 4 else 0.0
    top_count = max((count for _day, count in histogram), default=0) or 1
    bars = []
    for i, (day, count) in enumerate(histogram):
        height = plot_height * count / top_count
        bars.append(
            Bar(
                day=day,
                count=count,
                share=count / iterations if iterations else 0.0,
                x=_round(_LEFT + i * slot + gap),
                y=_round(bottom - height),
                width=_round(max(slot - 2 * gap, 0.5)),
                height=_round(height),
            )
        )
    peak = top_count / iterations if iterations else 0.0
    # y ticks of the histogram: 0, half and the tallest bar's share of the iterations
    digits = 0 if peak >= 0.2 else 1
    histogram_y = [
        Tick(f"{100 * peak * k / 2:.{digits}f}%", _LEFT - 6, _round(bottom - plot_height * k / 2))
        for k in range(3)
    ]
    points = [f"{_LEFT},{bottom}"] + [
        f"{_round(_LEFT + (i + 0.5) * slot)},{_round(bottom - plot_height * share)}"
        for i, share in enumerate(cumulative)
    ]
    cumulative_y = [Tick(f"{25 * k}%", _LEFT - 6, _round(bottom - plot_height * k / 4)) for k in range(5)]
    x_ticks = _x_ticks(days, slot, bottom) if days else []
    markers = _markers(days, slot, wanted) if days else []

    def chart(**kwargs: Any) -> Chart:
        return Chart(
            width=CHART_WIDTH,
            height=CHART_HEIGHT,
            left=_LEFT,
            right=CHART_WIDTH - _RIGHT,
            top=_TOP,
            bottom=bottom,
            markers=markers,
            x_ticks=x_ticks,
            **kwargs,
        )

    return (
        chart(bars=bars, points="", y_ticks=histogram_y),
        chart(bars=[], points=" ".join(points), y_ticks=cumulative_y),
    )


def _ranking(results: dict[str, Any], labels: dict[str, list[str]], limit: int) -> list[RankedTask]:
    """The project's own tasks (no summary nodes or other projects' tasks) by criticality index,
    then sensitivity, both highest first; ties by WBS order."""
    ranked = []
    for row in results.get("tasks", []):
        task_id = row.get("task_id")
        if isinstance(task_id, bool) or not isinstance(task_id, int) or str(task_id) not in labels:
            continue
        wbs_code, name = labels[str(task_id)]
        ranked.append(
            RankedTask(
                task_id=task_id,
                wbs_code=wbs_code,
                name=name,
                criticality=float(row["criticality"]),
                sensitivity=float(row["sensitivity"]),
                mean_duration=float(row["mean_duration"]),
            )
        )

    def wbs(code: str) -> tuple[int, ...]:
        return tuple(int(part) for part in code.split(".") if part.isdigit())

    ranked.sort(key=lambda task: (-task.criticality, -task.sensitivity, wbs(task.wbs_code), task.task_id))
    return ranked[:limit]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def simulation_report(
    *, simulation: ScheduleSimulation, limit: int = RANKED_TASKS
) -> SimulationReport | None:
    """The report of a done simulation (None while it runs or when it failed): no query, it reads
    the stored results and task labels."""
    results = simulation.results
    if simulation.status != SimulationStatus.DONE or not results:
        return None
    finish = results["finish"]
    engine_settings = results["settings"]
    iterations = int(engine_settings["iterations"])
    histogram = [(date.fromisoformat(row["date"]), int(row["count"])) for row in results["histogram"]]
    cumulative = [float(row["probability"]) for row in results["cumulative"]]
    settings = {**engine_settings, **(simulation.settings or {})}
    deadline = _date(settings.get("deadline"))
    p50, p80, p95 = (date.fromisoformat(finish[key]) for key in ("p50", "p80", "p95"))
    wanted = [
        ("p50", "P50", p50),
        ("p80", "P80", p80),
        ("p95", "P95", p95),
        ("deadline", _("Deadline"), deadline),
    ]
    histogram_chart, cumulative_chart = _charts(histogram, cumulative, iterations, wanted)
    probability = results.get("deadline_probability")
    distribution = settings.get("distribution", "")
    return SimulationReport(
        simulation=simulation,
        settings=settings,
        distribution_label=str(SimulationDistribution(distribution).label)
        if distribution in SimulationDistribution.values
        else distribution,
        p50=p50,
        p80=p80,
        p95=p95,
        mean=date.fromisoformat(finish["mean"]),
        earliest=date.fromisoformat(finish["earliest"]),
        latest=date.fromisoformat(finish["latest"]),
        mean_days=float(finish["mean_days"]),
        std_days=float(finish["std_days"]) if math.isfinite(float(finish["std_days"])) else 0.0,
        deadline=deadline,
        deadline_probability=None if probability is None else float(probability),
        histogram=histogram_chart,
        cumulative=cumulative_chart,
        ranking=_ranking(results, simulation.task_labels or {}, limit),
        uncovered_years=[int(year) for year in results.get("uncovered_years", [])],
    )


def simulation_recent(*, project: Project) -> list[ScheduleSimulation]:
    """The simulations a project keeps (``MAX_SIMULATIONS``), newest first, without results."""
    return list(simulation_list(project=project)[:MAX_SIMULATIONS])


# Risk events -------------------------------------------------------------------------------------------


def risk_event_list(*, task: Task) -> QuerySet[ScheduleRiskEvent]:
    """The task's risk events, oldest first."""
    return ScheduleRiskEvent.objects.filter(task=task).order_by("id")


def risk_event_get(*, user: User | AnonymousUser, pk: int) -> ScheduleRiskEvent:
    """A risk event on a task of a project the user may see, with its task and project; else
    ``ScheduleRiskEvent.DoesNotExist``."""
    return (
        ScheduleRiskEvent.objects.filter(task__project__in=_visible(user))
        .select_related("task__project")
        .get(pk=pk)
    )
