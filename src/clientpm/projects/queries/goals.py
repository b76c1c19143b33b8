"""Reads of a project's feasibility assessments, goals and KPI measurements, with the figures the
interfaces show: ROI, payback and overall score of an assessment, and each goal's SMART gaps,
progress and deadline forecast — all in a fixed number of queries, whatever the number of rows.

Every object addressed by its own id is looked up through the reader's project scope, so one
outside it is ``DoesNotExist`` (a 404 that never leaks existence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.projects.feasibility import Figures, figures
from clientpm.projects.forecast import Outlook, outlook
from clientpm.projects.models import FeasibilityAssessment, Goal, KpiMeasurement, Project
from clientpm.projects.queries.projects import project_scope
from clientpm.projects.smart import smart_gaps

SCORE_FIELDS = ("market_score", "technical_score", "financial_score", "resource_score")


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    return project_scope(user=user).values("pk")


# Feasibility assessments ----------------------------------------------------------------------------


def feasibility_figures(assessment: FeasibilityAssessment) -> Figures:
    """ROI, payback and overall score of ``assessment`` (computed once, then kept on the instance)."""
    cached = getattr(assessment, "_figures", None)
    if cached is None:
        cached = figures(
            scores=[getattr(assessment, name) for name in SCORE_FIELDS],
            cost=assessment.cost_estimate_amount,
            benefit=assessment.expected_benefit_amount,
            period_months=assessment.benefit_period_months,
        )
        assessment._figures = cached  # type: ignore[attr-defined]
    return cached


def _assessment_rows(qs: QuerySet[FeasibilityAssessment]) -> QuerySet[FeasibilityAssessment]:
    latest = (
        FeasibilityAssessment.objects.filter(project_id=OuterRef("project_id"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    return qs.select_related("decided_by").annotate(latest_id=Subquery(latest))


def is_latest(assessment: FeasibilityAssessment) -> bool:
    """Whether ``assessment`` is the project's latest (the one the gate reads and that may change)."""
    return getattr(assessment, "latest_id", assessment.pk) == assessment.pk


def feasibility_list(*, project: Project) -> QuerySet[FeasibilityAssessment]:
    """The project's assessments, latest first, with the decider (one query)."""
    return _assessment_rows(FeasibilityAssessment.objects.filter(project=project)).order_by(
        "-created_at", "-id"
    )


def feasibility_latest(*, project: Project) -> FeasibilityAssessment | None:
    """The assessment that counts: the project's latest, or None before the first one."""
    return feasibility_list(project=project).first()


def feasibility_get(
    *, user: User | AnonymousUser, pk: int, project: Project | None = None
) -> FeasibilityAssessment:
    """An assessment of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = FeasibilityAssessment.objects.filter(project__in=_visible(user))
    if project is not None:
        qs = qs.filter(project=project)
    return _assessment_rows(qs.select_related("project")).get(pk=pk)


# Goals ----------------------------------------------------------------------------------------------


def goal_outlook(goal: Goal) -> Outlook:
    """Progress and forecast of ``goal`` from its measurements (prefetched by the goal queries, so no
    query here), computed once and kept on the instance."""
    cached = getattr(goal, "_outlook", None)
    if cached is None:
        cached = outlook(
            baseline=goal.baseline_value,
            target=goal.target_value,
            direction=goal.direction,
            deadline=goal.deadline_date,
            measurements=[(m.measured_on, m.value) for m in goal.measurements.all()],
        )
        goal._outlook = cached  # type: ignore[attr-defined]
    return cached


def goal_gaps(goal: Goal) -> list[str]:
    """What keeps ``goal`` from being SMART (empty when it is), computed once per instance."""
    cached = getattr(goal, "_gaps", None)
    if cached is None:
        cached = smart_gaps(goal)
        goal._gaps = cached  # type: ignore[attr-defined]
    return cached


def _measurements() -> QuerySet[KpiMeasurement]:
    return KpiMeasurement.objects.select_related("recorded_by").order_by("measured_on", "id")


def _goal_rows(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    return qs.select_related("owner").prefetch_related(Prefetch("measurements", queryset=_measurements()))


def goal_list(*, project: Project) -> QuerySet[Goal]:
    """The project's goals by deadline (undated last), with owner and measurements (two queries)."""
    return _goal_rows(Goal.objects.filter(project=project)).order_by(
        F("deadline_date").asc(nulls_last=True), "id"
    )


def goal_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> Goal:
    """A goal of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = Goal.objects.filter(project__in=_visible(user)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return _goal_rows(qs).get(pk=pk)


# KPI measurements -----------------------------------------------------------------------------------


def measurement_list(*, goal: Goal) -> QuerySet[KpiMeasurement]:
    """The goal's measurements by date, oldest first, with who recorded them."""
    return _measurements().filter(goal=goal)


def measurement_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> KpiMeasurement:
    """A measurement of a goal of a project the user may see, else ``DoesNotExist``."""
    qs = KpiMeasurement.objects.filter(goal__project__in=_visible(user)).select_related("goal")
    if project is not None:
        qs = qs.filter(goal__project=project)
    return qs.get(pk=pk)


# The goals tab --------------------------------------------------------------------------------------


def _chart(goal: Goal) -> dict[str, object]:
    """The data of the goal's ECharts line chart: the measurements, the trend line up to the
    deadline and the target (drawn as a mark line)."""
    view = goal_outlook(goal)
    points = [[m.measured_on.isoformat(), float(m.value)] for m in goal.measurements.all()]
    trend: list[list[object]] = []
    if view.trend is not None:
        end: date = goal.deadline_date or view.latest_date  # type: ignore[assignment]
        trend = [
            [view.trend.origin.isoformat(), float(view.trend.at(view.trend.origin))],
            [end.isoformat(), float(view.trend.at(end))],
        ]
    return {
        "points": points,
        "trend": trend,
        "target": None if goal.target_value is None else float(goal.target_value),
        "unit": goal.unit,
        "labels": {"value": goal.metric or _("Value"), "trend": _("Trend"), "target": _("Target")},
    }


@dataclass
class GoalsTab:
    """Everything the project page's Goals tab shows."""

    project: Project
    assessments: list[FeasibilityAssessment] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)

    @property
    def feasibility(self) -> FeasibilityAssessment | None:
        """The latest assessment, the one the initiation gate reads."""
        return self.assessments[0] if self.assessments else None

    @property
    def earlier_assessments(self) -> list[FeasibilityAssessment]:
        return self.assessments[1:]

    @property
    def smart_goals(self) -> int:
        return sum(1 for g in self.goals if not goal_gaps(g))


def goals_tab(*, project: Project) -> GoalsTab:
    """The Goals tab of a project already loaded through the reader's scope: three queries."""
    assessments = list(feasibility_list(project=project))
    for assessment in assessments:
        assessment.figures = feasibility_figures(assessment)  # type: ignore[attr-defined]
    goals = list(goal_list(project=project))
    for goal in goals:
        goal.outlook = goal_outlook(goal)  # type: ignore[attr-defined]
        goal.gaps = goal_gaps(goal)  # type: ignore[attr-defined]
        goal.chart = _chart(goal)  # type: ignore[attr-defined]
        goal.chart_id = f"goal-chart-{goal.pk}"  # type: ignore[attr-defined]
    return GoalsTab(project=project, assessments=assessments, goals=goals)
