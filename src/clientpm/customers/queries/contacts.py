"""Reads of contacts, always narrowed to the customers the reader may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.models import User
from clientpm.customers.filters import (
    CONTACT_SORTS,
    ContactFilters,
)
from clientpm.customers.models import (
    Contact,
    Customer,
)
from clientpm.customers.queries.customers import customer_scope
from clientpm.customers.validators import normalize_phone


def contact_scope(*, user: User | AnonymousUser) -> QuerySet[Contact]:
    """Contacts ``user`` may see: those of customers in ``customer_scope``, given ``view_contact``."""
    if not user.is_authenticated or not user.has_perm("customers.view_contact"):
        return Contact.objects.none()
    return Contact.objects.filter(customer__in=customer_scope(user=user))


def contact_list(*, user: User | AnonymousUser, filters: ContactFilters) -> QuerySet[Contact]:
    """The contact list as ``user`` sees it: filtered, sorted, with the customer in the same query."""
    qs = contact_scope(user=user)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(title__icontains=q)
            | Q(email__icontains=q)
            | Q(mobile__contains=q)
            | Q(phone__contains=q)
        )
    if filters.buying_role:
        qs = qs.filter(buying_role=filters.buying_role)
    if filters.is_primary is not None:
        qs = qs.filter(is_primary=filters.is_primary)
    return qs.select_related("customer").order_by(CONTACT_SORTS[filters.sort], "id")


def contact_get(*, user: User | AnonymousUser, pk: int) -> Contact:
    """One contact ``user`` may see (``Contact.DoesNotExist`` otherwise, so a 404 never leaks)."""
    return contact_scope(user=user).select_related("customer").get(pk=pk)


def contacts_by_ids(*, user: User | AnonymousUser, ids: Iterable[int], field: str) -> list[Contact]:
    """Visible contacts with these ids, or a field error naming ``field`` for any other id."""
    wanted = set(ids)
    contacts = list(contact_scope(user=user).filter(pk__in=wanted))
    if len(contacts) != len(wanted):
        raise ValidationError({field: [_("Unknown contact.")]})
    return contacts


def contact_choices(*, user: User | AnonymousUser, customer: Customer | None = None) -> QuerySet[Contact]:
    """Contacts for the "contacts met" picker: the customer's own, or every visible one if none is fixed."""
    qs = contact_scope(user=user).select_related("customer").only("id", "name", "customer__code")
    return qs.filter(customer=customer) if customer is not None else qs.order_by("customer__code", "name")


@dataclass(frozen=True)
class ContactDuplicateMatch:
    contact: Contact
    reasons: list[str]


def contact_duplicates(
    *, email: str = "", mobile: str = "", exclude_pk: int | None = None, limit: int = 10
) -> list[ContactDuplicateMatch]:
    """Existing contacts (of any customer) with the same e-mail or mobile number; checked on create.

    Like ``customer_duplicates`` this looks beyond the user's scope on purpose: the point is to stop
    the same person being recorded twice by two account managers.
    """
    conditions: list[tuple[Q, str]] = []
    if email and email.strip():
        conditions.append((Q(email__iexact=email.strip()), str(_("same e-mail"))))
    # Numbers are stored as typed; the last eight digits identify a Chinese mobile number.
    mobile_tail = normalize_phone(mobile)[-8:] if mobile else ""
    if len(mobile_tail) == 8:
        conditions.append((Q(mobile__endswith=mobile_tail), str(_("same mobile"))))
    matches: dict[int, ContactDuplicateMatch] = {}
    for condition, reason in conditions:
        qs = Contact.objects.filter(condition).select_related("customer")
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        for contact in qs.order_by("id")[:limit]:
            matches.setdefault(contact.pk, ContactDuplicateMatch(contact, [])).reasons.append(reason)
    return list(matches.values())[:limit]
