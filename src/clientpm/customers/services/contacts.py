"""Writes for contacts (联系人): create, update and delete, each in one transaction with a change record.

Rules: a contact belongs to one customer for life; phone, mobile and e-mail pass the model
validators; at most one contact per customer is primary, so making one primary clears the flag on
the previous one (recorded as a change of that contact too) in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.customers.models import Contact, Customer
from clientpm.customers.queries import ContactDuplicateMatch, contact_duplicates

CONTACT_FIELDS = frozenset(
    {
        "name",
        "title",
        "department",
        "phone",
        "mobile",
        "email",
        "wechat_id",
        "buying_role",
        "is_primary",
        "engagement_level",
        "notes",
    }
)


class DuplicateContactError(ConflictError):
    """Creating would add a contact with the e-mail or mobile of existing ones; confirm and retry."""

    def __init__(self, matches: list[ContactDuplicateMatch]) -> None:
        reasons = [f"{m.contact.customer.code} {m.contact.name}: {', '.join(m.reasons)}" for m in matches]
        super().__init__(_("A contact with the same e-mail or mobile number already exists."), reasons)
        self.matches = matches


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _prepare(contact: Contact) -> None:
    contact.name = contact.name.strip()
    contact.email = contact.email.strip()
    # The partial unique constraint is checked by the database on save (after the old primary is
    # cleared); validating it here would refuse the very change this service makes.
    contact.full_clean(exclude=["customer"], validate_constraints=False)


def _clear_other_primary(actor: User | None, contact: Contact) -> None:
    """Take the primary flag off the customer's other primary contact, recording that change."""
    others = Contact.objects.select_for_update().filter(customer_id=contact.customer_id, is_primary=True)
    if contact.pk:
        others = others.exclude(pk=contact.pk)
    for other in others:
        before = snapshot(other)
        other.is_primary = False
        bump_version(other)
        other.save(update_fields=["is_primary", "version", "updated_at"])
        record_update(actor, other, before)


def _save(contact: Contact) -> None:
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:  # a concurrent writer made another contact primary
        raise ValidationError(
            {"is_primary": [_("Another contact of this customer was made primary at the same time.")]}
        ) from exc


@transaction.atomic
def contact_create(
    *, actor: User | None, customer: Customer, allow_duplicates: bool = False, **fields: Any
) -> Contact:
    """Add a contact to ``customer``.

    Raises ``ValidationError`` for bad fields and ``DuplicateContactError`` (409) when another
    contact has the same e-mail or mobile, unless the caller confirmed with ``allow_duplicates``.
    """
    _check_fields(fields)
    contact = Contact(customer=customer, **fields)
    _prepare(contact)
    if not allow_duplicates:
        matches = contact_duplicates(email=contact.email, mobile=contact.mobile)
        if matches:
            raise DuplicateContactError(matches)
    if contact.is_primary:
        _clear_other_primary(actor, contact)
    _save(contact)
    record_create(actor, contact, snapshot(contact))
    return contact


@transaction.atomic
def contact_update(*, actor: User | None, contact: Contact, version: int | None, **fields: Any) -> Contact:
    """Change a contact's fields; refuses a stale ``version`` (409)."""
    _check_fields(fields)
    contact = lock_for_update(Contact.objects.select_related("customer"), contact.pk, version)
    before = snapshot(contact)
    for name, value in fields.items():
        setattr(contact, name, value)
    _prepare(contact)
    if contact.is_primary and not before["is_primary"]:
        _clear_other_primary(actor, contact)
    bump_version(contact)
    _save(contact)
    record_update(actor, contact, before)
    return contact


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact, version: int | None = None) -> None:
    """Delete a contact; interactions keep their other contacts and lose this one."""
    contact = lock_for_update(Contact.objects.select_related("customer"), contact.pk, version)
    record_delete(actor, contact, snapshot(contact))
    contact.delete()
