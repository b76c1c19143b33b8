"""Writes of a project's scope: scope items (范围), milestones (里程碑), deliverables (交付物) and the
customer acceptance flow of deliverables.

Rules:

- every write refuses a closed or cancelled project (``project_ensure_editable``, 409);
- scope items are numbered per kind (in / out of scope) from 0; adding appends, moving renumbers
  the kind's items, and every item whose position changed leaves a change record;
- a milestone marked achieved gets an achieved date (default today) that may not be in the future;
  any other status clears it; a milestone can be marked missed only once its date has passed;
  deleting a milestone unlinks its deliverables (each unlink is recorded);
- a deliverable's milestone must belong to the same project and its owner must be active;
  its status changes only through ``deliverable_transition``, along ``DELIVERABLE_TRANSITIONS``:
  planned → in progress → submitted → accepted or rejected; rejected → in progress (rework) or
  submitted again; waived, with a mandatory reason, from any status that is not final. Accepting
  and rejecting need the customer-side reviewer (a contact of the project's customer or a name),
  a rejection needs a comment. Every submit, accept, reject and waive writes a
  ``DeliverableReview`` (the acceptance history); ``submitted_at`` holds the latest submission
  (cleared when work resumes) and ``accepted_at`` the acceptance. An accepted deliverable is part
  of the record and cannot be deleted.

Errors: ``ValidationError`` (422 / field errors) for bad input, ``ConflictError`` (409) for a
transition the status does not allow, ``StaleVersionError`` (409) for a stale version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.customers.models import Contact
from clientpm.projects.models import (
    Deliverable,
    DeliverableReview,
    DeliverableStatus,
    Milestone,
    MilestoneStatus,
    Project,
    ReviewOutcome,
    ScopeItem,
)
from clientpm.projects.services.projects import project_ensure_editable

SCOPE_ITEM_FIELDS = frozenset({"kind", "text"})
MILESTONE_FIELDS = frozenset({"name", "description", "due_date", "status", "achieved_date"})
DELIVERABLE_FIELDS = frozenset(
    {"name", "description", "owner", "due_date", "acceptance_criteria", "milestone"}
)

S = DeliverableStatus
DELIVERABLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PLANNED: (S.IN_PROGRESS, S.WAIVED),
    S.IN_PROGRESS: (S.SUBMITTED, S.WAIVED),
    S.SUBMITTED: (S.ACCEPTED, S.REJECTED, S.WAIVED),
    S.REJECTED: (S.IN_PROGRESS, S.SUBMITTED, S.WAIVED),
    S.ACCEPTED: (),
    S.WAIVED: (),
}
"""The statuses a deliverable may move to from each status; accepted and waived are final."""

_REVIEW_OUTCOMES = {
    S.SUBMITTED: ReviewOutcome.SUBMITTED,
    S.ACCEPTED: ReviewOutcome.ACCEPTED,
    S.REJECTED: ReviewOutcome.REJECTED,
    S.WAIVED: ReviewOutcome.WAIVED,
}


def deliverable_next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a deliverable in ``status`` may move to next (empty for accepted and waived)."""
    return DELIVERABLE_TRANSITIONS.get(status, ())


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _locked_project(project_id: int) -> Project:
    """The project row, locked so concurrent renumbering of its items is serialised; 409 when closed."""
    project = Project.objects.select_for_update().get(pk=project_id)
    project_ensure_editable(project)
    return project


# Scope items ----------------------------------------------------------------------------------------


def _prepare_item(item: ScopeItem) -> None:
    item.text = (item.text or "").strip()
    item.full_clean(exclude=["project"])


def _next_position(project_id: int, kind: str, exclude: int | None = None) -> int:
    qs = ScopeItem.objects.filter(project_id=project_id, kind=kind)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    last = qs.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _renumber(actor: User | None, items: list[ScopeItem]) -> None:
    """Give ``items`` positions 0, 1, 2… in list order, recording each item whose position changed."""
    for position, item in enumerate(items):
        if item.position != position:
            before = snapshot(item)
            item.position = position
            item.save(update_fields=["position", "updated_at"])
            record_update(actor, item, before)


def _place(actor: User | None, item: ScopeItem, position: int) -> ScopeItem:
    """Put ``item`` at ``position`` in its list (past the end = last) and renumber the list."""
    if position < 0:
        raise ValidationError({"position": [_("The position cannot be negative.")]})
    items = list(ScopeItem.objects.filter(project_id=item.project_id, kind=item.kind))
    moving = next(i for i in items if i.pk == item.pk)
    items.remove(moving)
    items.insert(min(position, len(items)), moving)
    _renumber(actor, items)
    return moving


@transaction.atomic
def scope_item_create(
    *, actor: User | None, project: Project, kind: str, text: str, position: int | None = None
) -> ScopeItem:
    """Add a line to the in-scope or out-of-scope list at ``position`` (0 = first), by default
    after the last one of its kind."""
    project = _locked_project(project.pk)
    item = ScopeItem(project=project, kind=kind, text=text)
    _prepare_item(item)
    item.position = _next_position(project.pk, kind)
    item.save()
    record_create(actor, item)
    if position is not None:
        item = _place(actor, item, position)
    return item


@transaction.atomic
def scope_item_update(
    *, actor: User | None, item: ScopeItem, position: int | None = None, **fields: Any
) -> ScopeItem:
    """Change an item's text or kind, and move it to ``position`` in its list when given; an item
    moved to the other list without a position goes to its end."""
    _check_fields(fields, SCOPE_ITEM_FIELDS)
    _locked_project(item.project_id)
    item = ScopeItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _prepare_item(item)
    old_kind = before["kind"]
    if item.kind != old_kind:
        item.position = _next_position(item.project_id, item.kind, exclude=item.pk)
    item.save()
    record_update(actor, item, before)
    if item.kind != old_kind:  # close the gap left in the old list
        _renumber(actor, list(ScopeItem.objects.filter(project_id=item.project_id, kind=old_kind)))
    if position is not None:
        item = _place(actor, item, position)
    return item


@transaction.atomic
def scope_item_move(*, actor: User | None, item: ScopeItem, position: int) -> ScopeItem:
    """Put ``item`` at ``position`` (0 = first) in its list, shifting the others; past the end = last."""
    _locked_project(item.project_id)
    return _place(actor, item, position)


@transaction.atomic
def scope_item_delete(*, actor: User | None, item: ScopeItem) -> None:
    """Remove an item; the rest of its list closes up."""
    _locked_project(item.project_id)
    item = ScopeItem.objects.select_for_update().get(pk=item.pk)
    record_delete(actor, item, snapshot(item))
    project_id, kind = item.project_id, item.kind
    item.delete()
    _renumber(actor, list(ScopeItem.objects.filter(project_id=project_id, kind=kind)))


# Milestones -----------------------------------------------------------------------------------------


def _prepare_milestone(milestone: Milestone, status_changed: bool) -> None:
    milestone.name = (milestone.name or "").strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if milestone.status == MilestoneStatus.ACHIEVED:
        if milestone.achieved_date is None:
            milestone.achieved_date = today
        elif milestone.achieved_date > today:
            errors["achieved_date"] = [_("The achieved date cannot be in the future.")]
    else:
        milestone.achieved_date = None
    if (
        status_changed
        and milestone.status == MilestoneStatus.MISSED
        and milestone.due_date is not None
        and milestone.due_date >= today
    ):
        errors["status"] = [_("A milestone can be marked missed only once its date has passed.")]
    if errors:
        raise ValidationError(errors)
    milestone.full_clean(exclude=["project"])


@transaction.atomic
def milestone_create(*, actor: User | None, project: Project, **fields: Any) -> Milestone:
    """Add a milestone; created achieved, it gets today's date unless another (past) date is given."""
    _check_fields(fields, MILESTONE_FIELDS)
    project = _locked_project(project.pk)
    milestone = Milestone(project=project, **fields)
    _prepare_milestone(milestone, status_changed=True)
    milestone.save()
    record_create(actor, milestone)
    return milestone


@transaction.atomic
def milestone_update(
    *, actor: User | None, milestone: Milestone, version: int | None, **fields: Any
) -> Milestone:
    """Change a milestone; marking it achieved sets the achieved date (default today)."""
    _check_fields(fields, MILESTONE_FIELDS)
    _locked_project(milestone.project_id)
    milestone = lock_for_update(Milestone.objects.all(), milestone.pk, version)
    before = snapshot(milestone)
    for name, value in fields.items():
        setattr(milestone, name, value)
    _prepare_milestone(milestone, status_changed=milestone.status != before["status"])
    bump_version(milestone)
    milestone.save()
    record_update(actor, milestone, before)
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User | None, milestone: Milestone, version: int | None = None) -> None:
    """Delete a milestone; its deliverables stay, unlinked (each unlink is recorded)."""
    _locked_project(milestone.project_id)
    milestone = lock_for_update(Milestone.objects.all(), milestone.pk, version)
    for deliverable in Deliverable.objects.select_for_update().filter(milestone=milestone):
        before = snapshot(deliverable)
        deliverable.milestone = None
        bump_version(deliverable)
        deliverable.save(update_fields=["milestone", "version", "updated_at"])
        record_update(actor, deliverable, before)
    record_delete(actor, milestone, snapshot(milestone))
    milestone.delete()


# Deliverables ---------------------------------------------------------------------------------------


def _prepare_deliverable(deliverable: Deliverable) -> None:
    deliverable.name = (deliverable.name or "").strip()
    errors: dict[str, list[str]] = {}
    milestone = deliverable.milestone
    if milestone is not None and milestone.project_id != deliverable.project_id:
        errors["milestone"] = [_("Choose a milestone of this project.")]
    owner = deliverable.owner
    if owner is not None and not owner.is_active:
        errors["owner"] = [_("%(user)s is deactivated.") % {"user": owner}]
    if errors:
        raise ValidationError(errors)
    deliverable.full_clean(exclude=["project"])


@transaction.atomic
def deliverable_create(*, actor: User | None, project: Project, **fields: Any) -> Deliverable:
    """Add a deliverable in status planned."""
    _check_fields(fields, DELIVERABLE_FIELDS)
    project = _locked_project(project.pk)
    deliverable = Deliverable(project=project, **fields)
    _prepare_deliverable(deliverable)
    deliverable.save()
    record_create(actor, deliverable)
    return deliverable


@transaction.atomic
def deliverable_update(
    *, actor: User | None, deliverable: Deliverable, version: int | None, **fields: Any
) -> Deliverable:
    """Change a deliverable's fields; its status moves only through ``deliverable_transition``."""
    _check_fields(fields, DELIVERABLE_FIELDS)
    _locked_project(deliverable.project_id)
    deliverable = lock_for_update(Deliverable.objects.all(), deliverable.pk, version)
    before = snapshot(deliverable)
    for name, value in fields.items():
        setattr(deliverable, name, value)
    _prepare_deliverable(deliverable)
    bump_version(deliverable)
    deliverable.save()
    record_update(actor, deliverable, before)
    return deliverable


@transaction.atomic
def deliverable_delete(*, actor: User | None, deliverable: Deliverable, version: int | None = None) -> None:
    """Delete a deliverable and its history, unless the customer accepted it."""
    _locked_project(deliverable.project_id)
    deliverable = lock_for_update(Deliverable.objects.all(), deliverable.pk, version)
    if deliverable.status == S.ACCEPTED:
        raise ConflictError(
            _("Deliverable “%(name)s” was accepted by the customer and stays on record.")
            % {"name": deliverable.name}
        )
    record_delete(actor, deliverable, snapshot(deliverable))
    deliverable.delete()


def _status_label(status: str) -> str:
    return str(S(status).label).lower() if status in S.values else status


def _check_review(
    deliverable: Deliverable,
    to_status: str,
    *,
    reviewer_contact: Contact | None,
    reviewer_name: str,
    comment: str,
    waiver_reason: str,
    reviewed_at: datetime,
) -> None:
    errors: dict[str, list[str]] = {}
    if reviewer_contact is not None and reviewer_contact.customer_id != deliverable.project.customer_id:
        errors["reviewer_contact"] = [_("Choose a contact of the project's customer.")]
    if to_status in (S.ACCEPTED, S.REJECTED) and reviewer_contact is None and not reviewer_name:
        errors["reviewer_name"] = [
            _("Say who on the customer's side reviewed it: choose a contact or type a name.")
        ]
    if to_status == S.REJECTED and not comment:
        errors["comment"] = [_("Say why the customer rejected it, so the team knows what to rework.")]
    if to_status == S.WAIVED and not waiver_reason:
        errors["waiver_reason"] = [_("Give the reason the deliverable is waived.")]
    if reviewed_at > timezone.now():
        errors["reviewed_at"] = [_("The time cannot be in the future.")]
    elif (
        to_status in (S.ACCEPTED, S.REJECTED)
        and deliverable.submitted_at is not None
        and reviewed_at < deliverable.submitted_at
    ):
        errors["reviewed_at"] = [_("The review cannot be earlier than the submission.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deliverable_transition(
    *,
    actor: User | None,
    deliverable: Deliverable,
    to_status: str,
    version: int | None,
    reviewer_contact: Contact | None = None,
    reviewer_name: str = "",
    comment: str = "",
    waiver_reason: str = "",
    reviewed_at: datetime | None = None,
) -> Deliverable:
    """Move a deliverable one step along ``DELIVERABLE_TRANSITIONS`` and record the step.

    ``reviewed_at`` is when it happened (default now, never in the future); the reviewer is the
    person on the customer's side. Raises ``ConflictError`` naming the current and requested status
    when the step is not allowed.
    """
    if to_status not in S.values:
        raise ValidationError({"to_status": [_("Unknown status “%(status)s”.") % {"status": to_status}]})
    _locked_project(deliverable.project_id)
    deliverable = lock_for_update(Deliverable.objects.select_related("project"), deliverable.pk, version)
    current = deliverable.status
    allowed = deliverable_next_statuses(current)
    if to_status not in allowed:
        raise ConflictError(
            _("Deliverable “%(name)s” cannot go from %(current)s to %(requested)s.")
            % {
                "name": deliverable.name,
                "current": _status_label(current),
                "requested": _status_label(to_status),
            },
            [
                _("From %(current)s it can go to: %(allowed)s.")
                % {"current": _status_label(current), "allowed": ", ".join(_status_label(s) for s in allowed)}
                if allowed
                else _("%(current)s is final.") % {"current": S(current).label}
            ],
        )
    reviewer_name = (reviewer_name or "").strip()
    comment = (comment or "").strip()
    waiver_reason = (waiver_reason or "").strip()
    when = reviewed_at or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    _check_review(
        deliverable,
        to_status,
        reviewer_contact=reviewer_contact,
        reviewer_name=reviewer_name,
        comment=comment,
        waiver_reason=waiver_reason,
        reviewed_at=when,
    )
    before = snapshot(deliverable)
    deliverable.status = to_status
    if to_status == S.SUBMITTED:
        deliverable.submitted_at = when
    elif to_status == S.IN_PROGRESS:
        deliverable.submitted_at = None  # the work under way has not been submitted yet
    elif to_status == S.ACCEPTED:
        deliverable.accepted_at = when
    elif to_status == S.WAIVED:
        deliverable.waiver_reason = waiver_reason
    bump_version(deliverable)
    deliverable.save()
    record_update(actor, deliverable, before)
    outcome = _REVIEW_OUTCOMES.get(to_status)
    if outcome is not None:
        review = DeliverableReview(
            deliverable=deliverable,
            outcome=outcome,
            reviewer_contact=reviewer_contact,
            # the name is kept even if the contact is deleted later
            reviewer_name=reviewer_name or (reviewer_contact.name if reviewer_contact else ""),
            comment=comment or (waiver_reason if to_status == S.WAIVED else ""),
            reviewed_at=when,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        review.full_clean(exclude=["deliverable", "reviewer_contact", "recorded_by"])
        review.save()
        record_create(actor, review)
    return deliverable
