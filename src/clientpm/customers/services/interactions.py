"""Writes for interactions (跟进记录): log, edit, delete and complete follow-ups.

Rules: contacts met must be contacts of the interaction's customer; participants are users; the
owner defaults to the actor. ``Customer.last_interaction_at`` is derived (the latest
``occurred_at`` of the customer's interactions) and is refreshed in the same transaction by a
queryset update: it is not a user's edit, so it neither bumps the customer's version nor leaves a
change record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.customers.models import Contact, Customer, Interaction

INTERACTION_FIELDS = frozenset(
    {
        "kind",
        "occurred_at",
        "owner",
        "summary",
        "outcome",
        "next_step",
        "follow_up_date",
        "follow_up_done",
    }
)


def interaction_snapshot(interaction: Interaction) -> dict[str, Any]:
    return snapshot(
        interaction,
        {
            "contacts": interaction.contacts.values_list("pk", flat=True),
            "participants": interaction.participants.values_list("pk", flat=True),
        },
    )


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - INTERACTION_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _check_contacts(customer_id: int, contacts: list[Contact]) -> None:
    strangers = [c.name for c in contacts if c.customer_id != customer_id]
    if strangers:
        raise ValidationError(
            {
                "contacts": [
                    _("These contacts do not belong to this customer: %(names)s")
                    % {"names": ", ".join(strangers)}
                ]
            }
        )


def _prepare(interaction: Interaction) -> None:
    interaction.summary = interaction.summary.strip()
    interaction.full_clean(exclude=["customer"])


def customer_last_interaction_refresh(customer_id: int) -> None:
    """Set the customer's ``last_interaction_at`` to its latest interaction (or none) in one UPDATE."""
    latest = (
        Interaction.objects.filter(customer_id=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    Customer.objects.filter(pk=customer_id).update(last_interaction_at=Subquery(latest))


@transaction.atomic
def interaction_create(
    *,
    actor: User | None,
    customer: Customer,
    contacts: Iterable[Contact] = (),
    participants: Iterable[User] = (),
    **fields: Any,
) -> Interaction:
    """Log an interaction with ``customer``; ``occurred_at`` defaults to now and ``owner`` to the actor.

    Raises ``ValidationError`` for bad fields or contacts of another customer.
    """
    _check_fields(fields)
    fields.setdefault("owner", actor)
    fields.setdefault("occurred_at", timezone.now())
    contacts = list(contacts)
    _check_contacts(customer.pk, contacts)
    interaction = Interaction(customer=customer, **fields)
    _prepare(interaction)
    interaction.save()
    interaction.contacts.set(contacts)
    interaction.participants.set(list(participants))
    customer_last_interaction_refresh(customer.pk)
    record_create(actor, interaction, interaction_snapshot(interaction))
    return interaction


@transaction.atomic
def interaction_update(
    *,
    actor: User | None,
    interaction: Interaction,
    version: int | None,
    contacts: Iterable[Contact] | None = None,
    participants: Iterable[User] | None = None,
    **fields: Any,
) -> Interaction:
    """Change an interaction (not its customer); refuses a stale ``version`` (409)."""
    _check_fields(fields)
    interaction = lock_for_update(Interaction.objects.all(), interaction.pk, version)
    before = interaction_snapshot(interaction)
    if contacts is not None:
        contacts = list(contacts)
        _check_contacts(interaction.customer_id, contacts)
    for name, value in fields.items():
        setattr(interaction, name, value)
    _prepare(interaction)
    bump_version(interaction)
    interaction.save()
    if contacts is not None:
        interaction.contacts.set(contacts)
    if participants is not None:
        interaction.participants.set(list(participants))
    if "occurred_at" in fields:
        customer_last_interaction_refresh(interaction.customer_id)
    record_update(actor, interaction, before, interaction_snapshot(interaction))
    return interaction


@transaction.atomic
def interaction_complete_follow_up(
    *, actor: User | None, interaction: Interaction, version: int | None = None
) -> Interaction:
    """Mark the interaction's follow-up done (it leaves "my follow-ups"); doing it twice changes nothing.

    Raises ``ConflictError`` (409) when the interaction has no follow-up date.
    """
    interaction = lock_for_update(Interaction.objects.all(), interaction.pk, version)
    if interaction.follow_up_date is None:
        raise ConflictError(_("This interaction has no follow-up to complete."))
    if interaction.follow_up_done:
        return interaction
    before = snapshot(interaction)
    interaction.follow_up_done = True
    bump_version(interaction)
    interaction.save(update_fields=["follow_up_done", "version", "updated_at"])
    record_update(actor, interaction, before)
    return interaction


@transaction.atomic
def interaction_delete(*, actor: User | None, interaction: Interaction, version: int | None = None) -> None:
    """Delete an interaction and recompute the customer's last interaction time."""
    interaction = lock_for_update(Interaction.objects.all(), interaction.pk, version)
    customer_id = interaction.customer_id
    record_delete(actor, interaction, interaction_snapshot(interaction))
    interaction.delete()
    customer_last_interaction_refresh(customer_id)
