"""Writes for customers and tags. Contacts, interactions and segments have their own modules.

Every function takes the acting user, validates across rows, runs in one transaction and leaves
a change record, so the web UI, API, admin, import and jobs all behave the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.codes import next_code
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.customers.models import Customer, Tag
from clientpm.customers.normalize import normalize_name
from clientpm.customers.queries import DuplicateMatch, customer_duplicates

CUSTOMER_CODE = ("customer", "C-{:06d}")
CUSTOMER_FIELDS = frozenset(
    {
        "kind",
        "name",
        "short_name",
        "credit_code",
        "industry",
        "province",
        "city",
        "address",
        "website",
        "phone",
        "email",
        "size_band",
        "source",
        "lifecycle_stage",
        "tier",
        "owner",
        "notes",
    }
)


class DuplicateCustomerError(ConflictError):
    """Creating would add a customer that looks like existing ones; the caller may confirm and retry."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        hidden = _("a customer you cannot see (ask an administrator)")
        reasons = [
            f"{f'{m.customer.code} {m.customer.name}' if m.visible else hidden}: {', '.join(m.reasons)}"
            for m in matches
        ]
        super().__init__(_("This customer looks like one that already exists."), reasons)
        self.matches = matches


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    return snapshot(
        customer,
        {
            "tags": customer.tags.values_list("name", flat=True),
            "team": customer.team.values_list("pk", flat=True),
        },
    )


def tags_resolve(names: Iterable[str]) -> list[Tag]:
    """Tags by name, creating the missing ones (names are trimmed; empty names are ignored)."""
    wanted = sorted({n.strip()[:40] for n in names if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    return [existing[n] for n in wanted]


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _prepare(customer: Customer) -> None:
    customer.name = customer.name.strip()
    customer.credit_code = customer.credit_code.strip().upper()
    customer.name_normalized = normalize_name(customer.name)
    # The credit-code constraint is checked by the callers, with a message on the field rather than
    # Django's generic "constraint is violated" on the whole form.
    customer.full_clean(exclude=["code", "name_normalized"], validate_constraints=False)


def _save(customer: Customer) -> None:
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:  # a concurrent writer took the same credit code
        raise ValidationError(
            {"credit_code": [_("Another customer already has this unified social credit code.")]}
        ) from exc


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    tags: Iterable[str] = (),
    team: Iterable[User] = (),
    allow_duplicates: bool = False,
    **fields: Any,
) -> Customer:
    """Create a customer with the next ``C-000123`` code.

    Refuses a credit code that is already taken (field error), and raises
    ``DuplicateCustomerError`` when the name, phone or e-mail match existing customers unless the
    caller confirmed with ``allow_duplicates``.
    """
    _check_fields(fields)
    customer = Customer(**fields)
    _prepare(customer)
    if customer.credit_code and Customer.objects.filter(credit_code=customer.credit_code).exists():
        raise ValidationError(
            {"credit_code": [_("Another customer already has this unified social credit code.")]}
        )
    if not allow_duplicates:
        matches = customer_duplicates(
            user=actor, name=customer.name, phone=customer.phone, email=customer.email
        )
        if matches:
            raise DuplicateCustomerError(matches)
    customer.code = next_code(*CUSTOMER_CODE)
    _save(customer)
    customer.tags.set(tags_resolve(tags))
    customer.team.set(list(team))
    record_create(actor, customer, customer_snapshot(customer))
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: User | None,
    customer: Customer,
    version: int | None,
    tags: Iterable[str] | None = None,
    team: Iterable[User] | None = None,
    **fields: Any,
) -> Customer:
    """Change a customer's fields, tags or team; refuses a stale ``version`` (409)."""
    _check_fields(fields)
    customer = lock_for_update(Customer.objects.all(), customer.pk, version)
    before = customer_snapshot(customer)
    for name, value in fields.items():
        setattr(customer, name, value)
    _prepare(customer)
    if (
        customer.credit_code
        and Customer.objects.filter(credit_code=customer.credit_code).exclude(pk=customer.pk).exists()
    ):
        raise ValidationError(
            {"credit_code": [_("Another customer already has this unified social credit code.")]}
        )
    bump_version(customer)
    _save(customer)
    if tags is not None:
        customer.tags.set(tags_resolve(tags))
    if team is not None:
        customer.team.set(list(team))
    record_update(actor, customer, before, customer_snapshot(customer))
    return customer


@transaction.atomic
def customer_set_archived(
    *, actor: User | None, customer: Customer, archived: bool, version: int | None = None
) -> Customer:
    """Archive (hide from lists, keep everything) or restore a customer."""
    customer = lock_for_update(Customer.objects.all(), customer.pk, version)
    if customer.is_archived == archived:
        return customer
    before = snapshot(customer)
    customer.is_archived = archived
    bump_version(customer)
    customer.save(update_fields=["is_archived", "version", "updated_at"])
    record_update(actor, customer, before)
    return customer


@transaction.atomic
def customer_delete(*, actor: User | None, customer: Customer, version: int | None = None) -> None:
    """Delete a customer with its contacts and interactions; each deleted row is recorded.

    A customer that other records protect (the projects run for it, from apps above this one) is
    refused with 409 naming them: that history must stay, so the customer is archived instead.
    """
    customer = lock_for_update(Customer.objects.all(), customer.pk, version)
    for contact in customer.contacts.all():
        record_delete(actor, contact, snapshot(contact))
    for interaction in customer.interactions.all():
        record_delete(actor, interaction, snapshot(interaction))
    record_delete(actor, customer, customer_snapshot(customer))
    try:
        with transaction.atomic():
            customer.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise ConflictError(
            _("Other records refer to this customer (%(kinds)s); archive it instead of deleting it.")
            % {"kinds": ", ".join(kinds)}
        ) from exc
