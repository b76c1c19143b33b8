"""The project lifecycle: moving between phases through stage gates, holding, cancelling, reopening,
and the phase checklists the gates read.

Rules: forward moves go one phase at a time and only through a gate whose conditions are all met;
an administrator (``projects.override_gate``) may pass an unmet gate with a reason. Moving back or
reopening a closed or cancelled project needs ``projects.reopen_project`` and a reason. Holding and
cancelling need a reason. Every move writes a ``GateDecision`` and a change record.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.projects.gates import ConditionResult, gate_evaluate, unmet_reasons
from clientpm.projects.models import (
    ACTIVE_PHASES,
    PHASE_ORDER,
    ChecklistItem,
    GateDecision,
    GateOutcome,
    Phase,
    Project,
)

from .projects import project_ensure_editable


class GateRefused(ConflictError):
    """The gate out of the current phase has unmet conditions; ``results`` lists every condition."""

    def __init__(self, project: Project, results: list[ConditionResult]) -> None:
        super().__init__(
            _("Project %(code)s cannot leave %(phase)s yet.")
            % {"code": project.code, "phase": project.get_phase_display().lower()},
            unmet_reasons(results),
        )
        self.results = results


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({field: [_("Give a reason; it is kept in the project's history.")]})
    return reason


def _decide(
    *, actor: User | None, project: Project, to_phase: str, reason: str, override_reason: str
) -> tuple[str, str, list[str]]:
    """Whether ``project`` may move to ``to_phase``: the outcome, the reason to record and unmet reasons."""
    here = project.phase
    if to_phase == here:
        raise ValidationError({"to_phase": [_("The project is already in this phase.")]})
    if to_phase == Phase.ON_HOLD:
        if here not in ACTIVE_PHASES:
            raise ConflictError(_("Only a project in progress can be put on hold."))
        return GateOutcome.MOVED, _require_reason(reason), []
    if to_phase == Phase.CANCELLED:
        if not project.is_open:
            raise ConflictError(_("A closed or cancelled project cannot be cancelled."))
        return GateOutcome.MOVED, _require_reason(reason), []
    if here == Phase.ON_HOLD:
        if to_phase != project.phase_before_hold:
            raise ConflictError(
                _("A project on hold resumes in the phase it left: %(phase)s.")
                % {"phase": Phase(project.phase_before_hold).label}
            )
        return GateOutcome.MOVED, reason.strip(), []
    forward = here in ACTIVE_PHASES and PHASE_ORDER.index(to_phase) > PHASE_ORDER.index(here)
    if not forward:  # back a phase, or reopening a closed or cancelled project
        if actor is None or not actor.has_perm("projects.reopen_project"):
            raise PermissionDenied
        if to_phase == Phase.CLOSED:
            raise ConflictError(_("A cancelled project cannot be closed; reopen it first."))
        return GateOutcome.MOVED, _require_reason(reason), []
    if PHASE_ORDER.index(to_phase) != PHASE_ORDER.index(here) + 1:
        raise ConflictError(_("Phases move forward one at a time, through each gate."))
    results = gate_evaluate(project)
    unmet = unmet_reasons(results)
    if not unmet:
        return GateOutcome.PASSED, reason.strip(), []
    if not override_reason.strip():
        raise GateRefused(project, results)
    if actor is None or not actor.has_perm("projects.override_gate"):
        raise PermissionDenied
    return GateOutcome.OVERRIDDEN, _require_reason(override_reason, "override_reason"), unmet


@transaction.atomic
def project_transition(
    *,
    actor: User | None,
    project: Project,
    to_phase: str,
    version: int | None,
    reason: str = "",
    override_reason: str = "",
) -> Project:
    """Move ``project`` to ``to_phase`` under the lifecycle rules above.

    Raises ``GateRefused`` (409, every unmet reason) for an unmet gate, ``PermissionDenied`` for an
    override or a backward move without the permission, ``ValidationError`` for an unknown phase or
    a missing reason, ``StaleVersionError`` for a stale version.
    """
    if to_phase not in Phase.values:
        raise ValidationError({"to_phase": [_("Unknown phase “%(phase)s”.") % {"phase": to_phase}]})
    project = lock_for_update(Project.objects.all(), project.pk, version)
    outcome, reason, unmet = _decide(
        actor=actor, project=project, to_phase=to_phase, reason=reason, override_reason=override_reason
    )
    before = snapshot(project)
    from_phase = project.phase
    project.phase_before_hold = from_phase if to_phase == Phase.ON_HOLD else ""
    project.phase = to_phase
    project.phase_changed_at = timezone.now()
    today = timezone.localdate()
    if to_phase == Phase.EXECUTION and project.actual_start_date is None:
        project.actual_start_date = today
    if to_phase == Phase.CLOSED and project.actual_finish_date is None:
        project.actual_finish_date = today
    bump_version(project)
    project.save()
    decision = GateDecision.objects.create(
        project=project,
        from_phase=from_phase,
        to_phase=to_phase,
        outcome=outcome,
        reason=reason,
        unmet=unmet,
        decided_by=actor if getattr(actor, "pk", None) else None,
    )
    record_update(actor, project, before)
    record_create(actor, decision)
    return project


# Phase checklists ---------------------------------------------------------------------------------


@transaction.atomic
def checklist_item_add(*, actor: User | None, project: Project, phase: str, text: str) -> ChecklistItem:
    """Add an item to the checklist of ``phase`` (which must be one a gate leaves)."""
    project_ensure_editable(project)
    if phase not in ACTIVE_PHASES:
        raise ValidationError(
            {"phase": [_("Checklists belong to initiation, planning, execution or closing.")]}
        )
    last = ChecklistItem.objects.filter(project=project, phase=phase).order_by("-position").first()
    item = ChecklistItem(
        project=project, phase=phase, text=text.strip(), position=(last.position + 1) if last else 0
    )
    item.full_clean()
    item.save()
    record_create(actor, item)
    return item


@transaction.atomic
def checklist_item_set_done(*, actor: User | None, item: ChecklistItem, done: bool) -> ChecklistItem:
    """Tick or untick an item; who and when are kept."""
    project_ensure_editable(item.project)
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if item.is_done == done:
        return item
    before = snapshot(item)
    item.is_done = done
    item.done_by = actor if done and getattr(actor, "pk", None) else None
    item.done_at = timezone.now() if done else None
    item.save()
    record_update(actor, item, before)
    return item


@transaction.atomic
def checklist_item_delete(*, actor: User | None, item: ChecklistItem) -> None:
    project_ensure_editable(item.project)
    record_delete(actor, item, snapshot(item))
    item.delete()
