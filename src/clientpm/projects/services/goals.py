"""Writes of a project's feasibility assessments (可行性评估), SMART goals (目标) and their KPI
measurements (关键指标).

Rules:

- every write refuses a closed or cancelled project (``project_ensure_editable``, 409);
- a feasibility assessment scores market, technical, financial and resource feasibility 1–5, each
  optional, and carries the cost estimate, expected benefit and benefit period that ROI and payback
  are computed from (``clientpm.projects.feasibility``). Its decision starts pending; when it
  changes to go, no-go or revise the service records who decided and when (``decided_by`` /
  ``decided_at``), and back to pending clears both. A project is reassessed by creating a new
  assessment: the latest one is what the initiation gate reads, and only the latest may be
  changed — earlier ones are the record of earlier decisions (409);
- a goal's owner must be an active user; SMART gaps (``clientpm.projects.smart``) are warnings, not
  errors — the initiation gate is where they block. A goal with a final evaluation stays (409);
- a KPI measurement is one value per goal per day (a second one on the same day is a field error
  on ``measured_on``) and cannot be dated in the future.

Errors: ``ValidationError`` (422 / field errors) for bad input, ``ConflictError`` (409) for a
refused change, ``StaleVersionError`` (409) for a stale version.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.projects.models import (
    FeasibilityAssessment,
    FeasibilityDecision,
    Goal,
    GoalEvaluation,
    KpiMeasurement,
    Project,
)
from clientpm.projects.services.projects import project_ensure_editable

FEASIBILITY_FIELDS = frozenset(
    {
        "market_score",
        "market_notes",
        "technical_score",
        "technical_notes",
        "financial_score",
        "financial_notes",
        "resource_score",
        "resource_notes",
        "currency",
        "cost_estimate_amount",
        "expected_benefit_amount",
        "benefit_period_months",
        "recommendation",
        "decision",
    }
)
GOAL_FIELDS = frozenset(
    {
        "statement",
        "metric",
        "unit",
        "baseline_value",
        "target_value",
        "direction",
        "deadline_date",
        "owner",
        "rationale",
    }
)
MEASUREMENT_FIELDS = frozenset({"measured_on", "value", "source", "note"})

_TEXT_FIELDS = ("market_notes", "technical_notes", "financial_notes", "resource_notes", "recommendation")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _editable_project(project_id: int) -> Project:
    project = Project.objects.get(pk=project_id)
    project_ensure_editable(project)
    return project


# Feasibility assessments ---------------------------------------------------------------------------


def _prepare_assessment(assessment: FeasibilityAssessment) -> None:
    for name in _TEXT_FIELDS:
        setattr(assessment, name, (getattr(assessment, name) or "").strip())
    assessment.currency = (assessment.currency or "").strip().upper()
    if not _CURRENCY.match(assessment.currency):
        raise ValidationError({"currency": [_("Use a three-letter currency code such as CNY.")]})
    assessment.full_clean(exclude=["project", "decided_by"])


def _record_decision(actor: User | None, assessment: FeasibilityAssessment, previous: str | None) -> None:
    """Stamp who decided and when as the decision changes; pending clears the stamp."""
    if assessment.decision == previous:
        return
    if assessment.decision == FeasibilityDecision.PENDING:
        assessment.decided_by, assessment.decided_at = None, None
    else:
        assessment.decided_by = actor if getattr(actor, "pk", None) else None
        assessment.decided_at = timezone.now()


@transaction.atomic
def feasibility_create(*, actor: User | None, project: Project, **fields: Any) -> FeasibilityAssessment:
    """Assess (or reassess) the project's feasibility; the new assessment becomes the latest."""
    _check_fields(fields, FEASIBILITY_FIELDS)
    project = _editable_project(project.pk)
    assessment = FeasibilityAssessment(project=project, **fields)
    _prepare_assessment(assessment)
    _record_decision(actor, assessment, FeasibilityDecision.PENDING)
    assessment.save()
    record_create(actor, assessment)
    return assessment


@transaction.atomic
def feasibility_update(
    *, actor: User | None, assessment: FeasibilityAssessment, version: int | None, **fields: Any
) -> FeasibilityAssessment:
    """Change the latest assessment; refuses a stale ``version`` and a superseded assessment."""
    _check_fields(fields, FEASIBILITY_FIELDS)
    _editable_project(assessment.project_id)
    assessment = lock_for_update(FeasibilityAssessment.objects.all(), assessment.pk, version)
    latest = (
        FeasibilityAssessment.objects.filter(project_id=assessment.project_id)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != assessment.pk:
        raise ConflictError(
            _("A newer feasibility assessment exists; this one is kept as it was decided."),
            [_("Change the latest assessment, or reassess.")],
        )
    before = snapshot(assessment)
    for name, value in fields.items():
        setattr(assessment, name, value)
    _prepare_assessment(assessment)
    _record_decision(actor, assessment, before["decision"])
    bump_version(assessment)
    assessment.save()
    record_update(actor, assessment, before)
    return assessment


# Goals ----------------------------------------------------------------------------------------------


def _prepare_goal(goal: Goal) -> None:
    goal.statement = (goal.statement or "").strip()
    goal.metric = (goal.metric or "").strip()
    goal.unit = (goal.unit or "").strip()
    goal.rationale = (goal.rationale or "").strip()
    owner = goal.owner
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": [_("%(user)s is deactivated.") % {"user": owner}]})
    goal.full_clean(exclude=["project"])


@transaction.atomic
def goal_create(*, actor: User | None, project: Project, **fields: Any) -> Goal:
    """Set a goal for the project; what keeps it from being SMART is shown, not refused."""
    _check_fields(fields, GOAL_FIELDS)
    project = _editable_project(project.pk)
    goal = Goal(project=project, **fields)
    _prepare_goal(goal)
    goal.save()
    record_create(actor, goal)
    return goal


@transaction.atomic
def goal_update(*, actor: User | None, goal: Goal, version: int | None, **fields: Any) -> Goal:
    """Change a goal's fields; refuses a stale ``version``."""
    _check_fields(fields, GOAL_FIELDS)
    _editable_project(goal.project_id)
    goal = lock_for_update(Goal.objects.all(), goal.pk, version)
    before = snapshot(goal)
    for name, value in fields.items():
        setattr(goal, name, value)
    _prepare_goal(goal)
    bump_version(goal)
    goal.save()
    record_update(actor, goal, before)
    return goal


@transaction.atomic
def goal_delete(*, actor: User | None, goal: Goal, version: int | None = None) -> None:
    """Delete a goal and its measurements, unless it has its final evaluation (409)."""
    _editable_project(goal.project_id)
    goal = lock_for_update(Goal.objects.all(), goal.pk, version)
    if GoalEvaluation.objects.filter(goal=goal).exists():
        raise ConflictError(
            _("Goal “%(goal)s” has its final evaluation and stays on record.") % {"goal": goal.statement}
        )
    record_delete(actor, goal, snapshot(goal))
    goal.delete()


# KPI measurements -----------------------------------------------------------------------------------


@transaction.atomic
def measurement_create(
    *,
    actor: User | None,
    goal: Goal,
    measured_on: date,
    value: Decimal,
    source: str = "",
    note: str = "",
) -> KpiMeasurement:
    """Record the goal's metric as measured on ``measured_on`` (one value per goal per day)."""
    _editable_project(goal.project_id)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)  # serialises measurements of one goal
    errors: dict[str, list[str]] = {}
    if measured_on is not None and measured_on > timezone.localdate():
        errors["measured_on"] = [_("A measurement cannot be dated in the future.")]
    elif KpiMeasurement.objects.filter(goal=goal, measured_on=measured_on).exists():
        errors["measured_on"] = [
            _("This goal already has a measurement on %(date)s; delete it first to replace it.")
            % {"date": measured_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    measurement = KpiMeasurement(
        goal=goal,
        measured_on=measured_on,
        value=value,
        source=(source or "").strip(),
        note=(note or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    measurement.full_clean(exclude=["goal", "recorded_by"], validate_constraints=False)
    measurement.save()
    record_create(actor, measurement)
    return measurement


@transaction.atomic
def measurement_delete(*, actor: User | None, measurement: KpiMeasurement) -> None:
    """Delete one measurement; the goal's progress and forecast follow the remaining ones."""
    goal = Goal.objects.select_for_update().get(pk=measurement.goal_id)
    _editable_project(goal.project_id)
    measurement = KpiMeasurement.objects.get(pk=measurement.pk)
    record_delete(actor, measurement, snapshot(measurement))
    measurement.delete()
