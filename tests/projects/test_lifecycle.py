"""The lifecycle: gates refuse with every unmet reason, overrides and backward moves need permission
and a reason, holding resumes where it left, and every move is recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.projects.gates import gate_condition, gate_conditions, gate_evaluate
from clientpm.projects.models import (
    Deliverable,
    FeasibilityAssessment,
    GateDecision,
    GateOutcome,
    Goal,
    Milestone,
    Phase,
    ProjectMember,
)
from clientpm.projects.services.lifecycle import (
    GateRefused,
    checklist_item_add,
    checklist_item_set_done,
    project_transition,
)
from clientpm.projects.services.plan import baseline_save, task_create
from clientpm.projects.services.projects import project_update


def satisfy_initiation(project, owner):
    """Incidental set-up: the minimum the initiation gate asks for."""
    Goal.objects.create(
        project=project,
        statement="Raise the satisfaction score by 20% within 12 months",
        metric="CSAT",
        baseline_value=Decimal("70"),
        target_value=Decimal("84"),
        deadline_date=dt.date(2027, 12, 31),
        owner=owner,
        rationale="Renewal depends on it",
    )
    FeasibilityAssessment.objects.create(project=project, decision="go")
    ProjectMember.objects.create(project=project, user=owner, project_role="Consultant")
    project.scope_statement = "Roll out the CRM in five regional offices."
    project.save()


def move(actor, project, phase, **kwargs):
    project.refresh_from_db()
    return project_transition(actor=actor, project=project, to_phase=phase, version=project.version, **kwargs)


def test_initiation_gate_lists_every_unmet_condition(project, pm):
    project.manager = None
    project.save()
    with pytest.raises(GateRefused) as refused:
        move(pm, project, Phase.PLANNING)
    assert refused.value.reasons == [
        "No goal has been set.",
        "No feasibility assessment.",
        "No scope statement.",
        "No project manager.",
        "No team member.",
    ]
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION
    assert not GateDecision.objects.exists()


def test_a_feasibility_decision_other_than_go_is_named(project, pm):
    satisfy_initiation(project, pm)
    FeasibilityAssessment.objects.create(project=project, decision="revise")  # the latest counts
    with pytest.raises(GateRefused) as refused:
        move(pm, project, Phase.PLANNING)
    assert refused.value.reasons == ["The latest feasibility decision is “Revise”, not “go”."]


def test_an_open_role_is_not_a_team_member(project, pm):
    satisfy_initiation(project, pm)
    ProjectMember.objects.filter(project=project).update(user=None)
    results = {r.key: r for r in gate_evaluate(project)}
    assert results["team"].reasons == ["No team member."]


def test_passing_the_gates_in_order_records_each_decision(project, pm):
    satisfy_initiation(project, pm)
    moved = move(pm, project, Phase.PLANNING)
    assert moved.phase == Phase.PLANNING
    with pytest.raises(GateRefused) as refused:
        move(pm, project, Phase.EXECUTION)
    assert refused.value.reasons == [
        "No milestone.",
        "No deliverable.",
        "No baseline of the plan has been saved.",
    ]
    Milestone.objects.create(project=project, name="Go-live", due_date=dt.date(2027, 3, 1))
    Deliverable.objects.create(project=project, name="Configured CRM")
    task_create(actor=pm, project=project, name="Configure the CRM", duration_days=10)
    baseline_save(actor=pm, project=project, name="Agreed plan")
    moved = move(pm, project, Phase.EXECUTION)
    assert moved.actual_start_date is not None
    decisions = list(GateDecision.objects.filter(project=project).order_by("decided_at", "id"))
    assert [(d.from_phase, d.to_phase, d.outcome) for d in decisions] == [
        ("initiation", "planning", "passed"),
        ("planning", "execution", "passed"),
    ]
    assert decisions[0].decided_by == pm


def test_phases_move_one_at_a_time(project, pm):
    satisfy_initiation(project, pm)
    with pytest.raises(ConflictError) as refused:
        move(pm, project, Phase.EXECUTION)
    assert refused.value.detail == "Phases move forward one at a time, through each gate."


def test_override_needs_the_permission_and_a_reason(project, pm, admin_user):
    with pytest.raises(PermissionDenied):
        move(pm, project, Phase.PLANNING, override_reason="Customer insists")
    with pytest.raises(GateRefused):
        move(admin_user, project, Phase.PLANNING, override_reason="   ")
    moved = move(admin_user, project, Phase.PLANNING, override_reason="Signed off by the steering committee")
    assert moved.phase == Phase.PLANNING
    decision = GateDecision.objects.get(project=project)
    assert decision.outcome == GateOutcome.OVERRIDDEN
    assert decision.reason == "Signed off by the steering committee"
    assert "No goal has been set." in decision.unmet
    recorded = ChangeRecord.objects.filter(object_id=decision.pk, content_type__model="gatedecision").get()
    assert recorded.actor == admin_user
    assert recorded.changes["reason"] == [None, "Signed off by the steering committee"]


def test_moving_back_needs_reopen_permission_and_a_reason(project, pm, admin_user):
    move(admin_user, project, Phase.PLANNING, override_reason="set-up")
    with pytest.raises(PermissionDenied):
        move(pm, project, Phase.INITIATION, reason="Scope changed")
    with pytest.raises(ValidationError) as invalid:
        move(admin_user, project, Phase.INITIATION)
    assert "reason" in invalid.value.message_dict
    assert move(admin_user, project, Phase.INITIATION, reason="Scope changed").phase == Phase.INITIATION


def test_hold_resumes_in_the_phase_it_left(project, pm, admin_user):
    move(admin_user, project, Phase.PLANNING, override_reason="set-up")
    with pytest.raises(ValidationError):
        move(pm, project, Phase.ON_HOLD)  # a reason is required
    held = move(pm, project, Phase.ON_HOLD, reason="Customer budget freeze")
    assert (held.phase, held.phase_before_hold) == (Phase.ON_HOLD, Phase.PLANNING)
    with pytest.raises(ConflictError):
        move(pm, project, Phase.EXECUTION)
    resumed = move(pm, project, Phase.PLANNING)
    assert (resumed.phase, resumed.phase_before_hold) == (Phase.PLANNING, "")


def test_cancelled_project_is_read_only_until_reopened(project, pm, admin_user):
    move(pm, project, Phase.CANCELLED, reason="Customer withdrew")
    project.refresh_from_db()
    with pytest.raises(ConflictError) as refused:
        project_update(actor=pm, project=project, version=project.version, name="Renamed")
    assert "reopen it" in refused.value.detail
    with pytest.raises(PermissionDenied):
        move(pm, project, Phase.INITIATION, reason="Back on")
    assert move(admin_user, project, Phase.INITIATION, reason="Back on").phase == Phase.INITIATION


def test_unknown_phase_and_stale_version_are_refused(project, pm):
    with pytest.raises(ValidationError) as invalid:
        project_transition(actor=pm, project=project, to_phase="done", version=project.version)
    assert invalid.value.message_dict == {"to_phase": ["Unknown phase “done”."]}
    with pytest.raises(StaleVersionError):
        project_transition(
            actor=pm, project=project, to_phase=Phase.ON_HOLD, version=project.version + 1, reason="x"
        )


def test_checklist_items_of_the_phase_hold_the_gate(project, pm):
    satisfy_initiation(project, pm)
    item = checklist_item_add(actor=pm, project=project, phase=Phase.INITIATION, text="Kick-off meeting held")
    checklist_item_add(
        actor=pm, project=project, phase=Phase.PLANNING, text="Plan reviewed"
    )  # another gate's
    with pytest.raises(GateRefused) as refused:
        move(pm, project, Phase.PLANNING)
    assert refused.value.reasons == ["Checklist item not done: Kick-off meeting held"]
    done = checklist_item_set_done(actor=pm, item=item, done=True)
    assert done.done_by == pm
    assert done.done_at is not None
    assert move(pm, project, Phase.PLANNING).phase == Phase.PLANNING


def test_other_apps_extend_a_gate_through_the_registry(project, pm):
    keys_before = [c.key for c in gate_conditions(Phase.PLANNING)]

    @gate_condition(Phase.PLANNING, "test_budget", "Budget approved")
    def _budget(p):
        return ["The budget is not approved."]

    try:
        results = gate_evaluate(project, Phase.PLANNING)
        assert [r.key for r in results] == [*keys_before, "test_budget"]
        assert results[-1].reasons == ["The budget is not approved."]
    finally:
        from clientpm.projects import gates

        del gates._CONDITIONS[Phase.PLANNING]["test_budget"]
