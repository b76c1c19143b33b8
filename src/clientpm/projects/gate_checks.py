"""The built-in stage-gate conditions of the projects app (see ``gates.py`` for the registry).

Each condition returns every unmet reason, naming the goal, deliverable or checklist item at fault,
so the UI checklist and the API's 409 tell the user exactly what to do.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .gates import GATED_PHASES, gate_condition
from .models import (
    DONE_DELIVERABLE_STATUSES,
    ChecklistItem,
    Closeout,
    FeasibilityDecision,
    Goal,
    GoalEvaluation,
    Phase,
    Project,
)
from .smart import smart_gaps

# Leaving initiation ---------------------------------------------------------------------------------


@gate_condition(Phase.INITIATION, "smart_goal", gettext_lazy("At least one SMART goal"))
def _smart_goal(project: Project) -> list[str]:
    goals = list(project.goals.all())
    if not goals:
        return [_("No goal has been set.")]
    if any(not smart_gaps(goal) for goal in goals):
        return []
    return [
        _("Goal “%(goal)s” is not SMART: %(gaps)s")
        % {"goal": goal.statement, "gaps": " ".join(smart_gaps(goal))}
        for goal in goals
    ]


@gate_condition(Phase.INITIATION, "feasibility_go", gettext_lazy("Feasibility assessed with decision “go”"))
def _feasibility(project: Project) -> list[str]:
    latest = project.feasibility_assessments.order_by("-created_at", "-id").first()
    if latest is None:
        return [_("No feasibility assessment.")]
    if latest.decision != FeasibilityDecision.GO:
        return [
            _("The latest feasibility decision is “%(decision)s”, not “go”.")
            % {"decision": latest.get_decision_display()}
        ]
    return []


@gate_condition(Phase.INITIATION, "scope_statement", gettext_lazy("A scope statement"))
def _scope(project: Project) -> list[str]:
    return [] if project.scope_statement.strip() else [_("No scope statement.")]


@gate_condition(Phase.INITIATION, "manager", gettext_lazy("A project manager"))
def _manager(project: Project) -> list[str]:
    return [] if project.manager_id else [_("No project manager.")]


@gate_condition(Phase.INITIATION, "team", gettext_lazy("At least one team member"))
def _team(project: Project) -> list[str]:
    return [] if project.members.filter(user__isnull=False).exists() else [_("No team member.")]


# Leaving planning -----------------------------------------------------------------------------------


@gate_condition(Phase.PLANNING, "milestone", gettext_lazy("At least one milestone"))
def _milestone(project: Project) -> list[str]:
    return [] if project.milestones.exists() else [_("No milestone.")]


@gate_condition(Phase.PLANNING, "deliverable", gettext_lazy("At least one deliverable"))
def _deliverable(project: Project) -> list[str]:
    return [] if project.deliverables.exists() else [_("No deliverable.")]


@gate_condition(Phase.PLANNING, "baseline_saved", gettext_lazy("A baseline is saved"))
def _baseline(project: Project) -> list[str]:
    return [] if project.baselines.exists() else [_("No baseline of the plan has been saved.")]


# Closing the project --------------------------------------------------------------------------------


@gate_condition(Phase.CLOSING, "deliverables_done", gettext_lazy("Every deliverable accepted or waived"))
def _deliverables_done(project: Project) -> list[str]:
    open_items = project.deliverables.exclude(status__in=DONE_DELIVERABLE_STATUSES)
    return [
        _("Deliverable “%(name)s” is %(status)s, not accepted or waived.")
        % {"name": d.name, "status": d.get_status_display().lower()}
        for d in open_items
    ]


def _closeout(project: Project) -> Closeout | None:
    return Closeout.objects.filter(project=project).first()


@gate_condition(Phase.CLOSING, "final_evaluation", gettext_lazy("Final evaluation done"))
def _evaluation(project: Project) -> list[str]:
    reasons = []
    closeout = _closeout(project)
    if closeout is None or closeout.evaluated_at is None:
        reasons.append(_("The final evaluation has not been done."))
    evaluated = set(GoalEvaluation.objects.filter(goal__project=project).values_list("goal_id", flat=True))
    for goal in Goal.objects.filter(project=project).exclude(pk__in=evaluated):
        reasons.append(_("Goal “%(goal)s” has no final evaluation.") % {"goal": goal.statement})
    return reasons


@gate_condition(Phase.CLOSING, "lessons", gettext_lazy("Lessons learned recorded (or explicitly none)"))
def _lessons(project: Project) -> list[str]:
    closeout = _closeout(project)
    if project.lessons.exists() or (closeout is not None and closeout.no_lessons):
        return []
    return [_("No lessons learned recorded, and “no lessons” was not stated.")]


@gate_condition(Phase.CLOSING, "documents_archived", gettext_lazy("Documents archived"))
def _documents(project: Project) -> list[str]:
    return [] if project.documents_archived_at else [_("The project documents have not been archived.")]


@gate_condition(Phase.CLOSING, "customer_signoff", gettext_lazy("Customer sign-off recorded"))
def _signoff(project: Project) -> list[str]:
    closeout = _closeout(project)
    if closeout is not None and closeout.signoff_date:
        return []
    return [_("The customer's sign-off has not been recorded.")]


# Every gate: the phase checklist --------------------------------------------------------------------


def _checklist_for(phase: str):
    def check(project: Project) -> list[str]:
        undone = ChecklistItem.objects.filter(project=project, phase=phase, is_done=False)
        return [_("Checklist item not done: %(item)s") % {"item": item.text} for item in undone]

    return check


for _phase in GATED_PHASES:
    gate_condition(_phase, "checklist", gettext_lazy("Phase checklist complete"))(_checklist_for(_phase))
