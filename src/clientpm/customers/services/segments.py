"""Writes for segments (客户群): create, update, delete, and the members of static segments.

Rules: a rule-based segment's ``rules`` are exactly ``CustomerFilters`` fields (validated by that
schema, stored without defaults, ``sort`` dropped; a rule may not point at another segment, which
could loop); a static segment has no rules and an explicit member list. Members can only be
customers the actor may see. Membership changes are recorded on the segment (``members`` before
and after) but do not bump its version, so editing the name and adding members do not collide.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.customers.filters import CustomerFilters
from clientpm.customers.models import Customer, Segment, SegmentKind
from clientpm.customers.queries import customer_scope

SEGMENT_FIELDS = frozenset({"name", "description", "kind", "rules", "owner"})


def segment_snapshot(segment: Segment) -> dict[str, Any]:
    return snapshot(segment, {"members": segment.members.values_list("pk", flat=True)})


def segment_rules_validate(rules: Any) -> dict[str, Any]:
    """``rules`` checked against ``CustomerFilters``, as stored: only the non-default fields.

    Field errors are keyed ``rules.<field>`` so both the API and the form can point at the culprit.
    """
    if not isinstance(rules, dict):
        raise ValidationError({"rules": [_("Rules must be an object of customer-list filters.")]})
    errors: dict[str, list[str]] = {}
    for name in rules:
        if name == "segment":
            errors["rules.segment"] = [_("A segment cannot be defined by another segment.")]
        elif name not in CustomerFilters.model_fields:
            errors[f"rules.{name}"] = [_("Unknown filter.")]
    try:
        filters = CustomerFilters.model_validate(rules)
    except SchemaError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"][:1]) or "__all__"
            errors.setdefault(f"rules.{field}", []).append(err["msg"])
        filters = None
    if errors or filters is None:
        raise ValidationError(errors)
    return filters.as_rules()


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - SEGMENT_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _prepare(segment: Segment) -> None:
    segment.name = segment.name.strip()
    if segment.kind == SegmentKind.STATIC:
        if segment.rules:
            raise ValidationError({"rules": [_("A static segment has members, not rules.")]})
    else:
        segment.rules = segment_rules_validate(segment.rules)
    segment.full_clean()


def _check_visible(actor: User | None, customers: list[Customer]) -> None:
    """Refuse customers the actor may not see (same message as unknown ones, so nothing leaks)."""
    if actor is None:  # jobs and the CLI act for the system
        return
    visible = set(
        customer_scope(user=actor).filter(pk__in=[c.pk for c in customers]).values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in customers):
        raise ValidationError({"customer_ids": [_("Unknown customer.")]})


@transaction.atomic
def segment_create(*, actor: User | None, members: Iterable[Customer] = (), **fields: Any) -> Segment:
    """Create a segment owned by the actor unless ``owner`` is given; ``members`` only for static ones."""
    _check_fields(fields)
    fields.setdefault("owner", actor)
    segment = Segment(**fields)
    _prepare(segment)
    members = list(members)
    if members and segment.kind != SegmentKind.STATIC:
        raise ValidationError({"customer_ids": [_("Only a static segment has a member list.")]})
    _check_visible(actor, members)
    segment.save()
    segment.members.set(members)
    record_create(actor, segment, segment_snapshot(segment))
    return segment


@transaction.atomic
def segment_update(*, actor: User | None, segment: Segment, version: int | None, **fields: Any) -> Segment:
    """Change a segment; refuses a stale ``version`` (409).

    Turning a static segment into a rule-based one drops its member list (recorded).
    """
    _check_fields(fields)
    segment = lock_for_update(Segment.objects.all(), segment.pk, version)
    before = segment_snapshot(segment)
    if fields.get("kind") == SegmentKind.STATIC and "rules" not in fields:
        fields["rules"] = {}
    for name, value in fields.items():
        setattr(segment, name, value)
    _prepare(segment)
    bump_version(segment)
    segment.save()
    if segment.kind == SegmentKind.DYNAMIC:
        segment.members.clear()
    record_update(actor, segment, before, segment_snapshot(segment))
    return segment


@transaction.atomic
def segment_delete(*, actor: User | None, segment: Segment, version: int | None = None) -> None:
    """Delete a segment; its customers are untouched."""
    segment = lock_for_update(Segment.objects.all(), segment.pk, version)
    record_delete(actor, segment, segment_snapshot(segment))
    segment.delete()


def _lock_static(segment: Segment) -> Segment:
    segment = lock_for_update(Segment.objects.all(), segment.pk, None)
    if segment.kind != SegmentKind.STATIC:
        raise ConflictError(
            _("The members of a rule-based segment follow its rules; edit the rules instead.")
        )
    return segment


@transaction.atomic
def segment_add_members(*, actor: User | None, segment: Segment, customers: Iterable[Customer]) -> int:
    """Add customers to a static segment; returns how many were not members yet.

    Raises ``ConflictError`` (409) for a rule-based segment, ``ValidationError`` for customers the
    actor may not see.
    """
    segment = _lock_static(segment)
    customers = list(customers)
    _check_visible(actor, customers)
    before = segment_snapshot(segment)
    current = set(before["members"])
    new = [c for c in customers if c.pk not in current]
    segment.members.add(*new)
    if new:
        record_update(actor, segment, before, segment_snapshot(segment))
    return len(new)


@transaction.atomic
def segment_remove_members(*, actor: User | None, segment: Segment, customers: Iterable[Customer]) -> int:
    """Remove customers from a static segment; returns how many were members."""
    segment = _lock_static(segment)
    customers = list(customers)
    _check_visible(actor, customers)
    before = segment_snapshot(segment)
    current = set(before["members"])
    gone = [c for c in customers if c.pk in current]
    segment.members.remove(*gone)
    if gone:
        record_update(actor, segment, before, segment_snapshot(segment))
    return len(gone)
