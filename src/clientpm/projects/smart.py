"""The SMART check of a goal: which of specific, measurable, achievable, relevant and time-bound it
misses, as sentences a project manager can act on."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Direction, Goal

MIN_STATEMENT_LENGTH = 10


def smart_gaps(goal: Goal) -> list[str]:
    """What keeps ``goal`` from being SMART; an empty list means it is."""
    gaps: list[str] = []
    if len(goal.statement.strip()) < MIN_STATEMENT_LENGTH:
        gaps.append(_("Not specific: the statement is too short to say what will change."))
    if not goal.metric.strip():
        gaps.append(_("Not measurable: no metric."))
    if goal.baseline_value is None:
        gaps.append(_("Not measurable: no baseline value."))
    if goal.target_value is None:
        gaps.append(_("Not measurable: no target value."))
    if goal.baseline_value is not None and goal.target_value is not None:
        if goal.target_value == goal.baseline_value:
            gaps.append(_("Not achievable as stated: the target equals the baseline."))
        elif goal.direction == Direction.INCREASE and goal.target_value < goal.baseline_value:
            gaps.append(_("Not consistent: the goal is to increase but the target is below the baseline."))
        elif goal.direction == Direction.DECREASE and goal.target_value > goal.baseline_value:
            gaps.append(_("Not consistent: the goal is to decrease but the target is above the baseline."))
    if goal.owner_id is None:
        gaps.append(_("Not achievable: nobody owns it."))
    if not goal.rationale.strip():
        gaps.append(_("Not relevant: it does not say why it matters."))
    if goal.deadline_date is None:
        gaps.append(_("Not time-bound: no deadline."))
    return gaps
