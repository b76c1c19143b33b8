"""Reads of customers: the row-level scope every read starts from, the filtered list, the customer
360, duplicates and pickers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.db.models.lookups import EndsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.models import User
from clientpm.customers.filters import (
    CUSTOMER_SORTS,
    CustomerFilters,
)
from clientpm.customers.models import (
    Contact,
    Customer,
    Interaction,
    Segment,
    SegmentKind,
    Tag,
)
from clientpm.customers.normalize import normalize_name
from clientpm.customers.validators import normalize_phone


def customer_scope(*, user: User | AnonymousUser) -> QuerySet[Customer]:
    """Customers ``user`` may see: all with ``view_all_customers``; else those they own or serve on.

    The Platform issue widens this to departments and project membership; every read below goes
    through it, so that change happens here only.
    """
    qs = Customer.objects.all()
    if not user.is_authenticated or not user.has_perm("customers.view_customer"):
        return qs.none()
    if user.has_perm("customers.view_all_customers"):
        return qs
    on_team = Customer.team.through.objects.filter(customer_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(Q(owner_id=user.pk) | Exists(on_team))


def customer_filter(qs: QuerySet[Customer], filters: CustomerFilters) -> QuerySet[Customer]:
    """Apply ``filters`` to a customer queryset (no ordering, no scoping)."""
    qs = qs.filter(is_archived=filters.archived)
    if filters.q:
        q = filters.q
        text = Q(name__icontains=q) | Q(short_name__icontains=q)
        text |= Q(code__iexact=q) | Q(credit_code__iexact=q)
        folded = normalize_name(q)
        if folded:  # punctuation-only text folds to "", which every name "contains"
            text |= Q(name_normalized__contains=folded)
        qs = qs.filter(text)
    if filters.stage:
        qs = qs.filter(lifecycle_stage__in=filters.stage)
    if filters.tier:
        qs = qs.filter(tier__in=filters.tier)
    if filters.province:
        qs = qs.filter(province__in=filters.province)
    if filters.industry:
        qs = qs.filter(industry__in=filters.industry)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.tag:
        tagged = Customer.tags.through.objects.filter(customer_id=OuterRef("pk"), tag__name__in=filters.tag)
        qs = qs.filter(Exists(tagged))
    if filters.segment:
        segment = Segment.objects.filter(pk=filters.segment).first()
        qs = segment_apply(qs, segment) if segment else qs.none()
    if filters.no_interaction_days:
        cutoff = timezone.now() - timedelta(days=filters.no_interaction_days)
        qs = qs.filter(Q(last_interaction_at__lt=cutoff) | Q(last_interaction_at__isnull=True))
    return qs


def segment_apply(qs: QuerySet[Customer], segment: Segment) -> QuerySet[Customer]:
    """Narrow ``qs`` to the members of ``segment``: its static list, or its rules evaluated now."""
    if segment.kind == SegmentKind.STATIC:
        members = Customer.segments.through.objects.filter(customer_id=OuterRef("pk"), segment_id=segment.pk)
        return qs.filter(Exists(members))
    rules = CustomerFilters.model_validate(
        {**segment.rules, "archived": segment.rules.get("archived", False)}
    )
    return customer_filter(qs, rules)


def customer_list(*, user: User | AnonymousUser, filters: CustomerFilters) -> QuerySet[Customer]:
    """The customer list as ``user`` sees it: filtered, sorted, owner and tags loaded in two queries."""
    qs = customer_filter(customer_scope(user=user), filters)
    return (
        qs.select_related("owner")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name", "color")))
        .order_by(CUSTOMER_SORTS[filters.sort], "-id")
    )


def customer_get(*, user: User | AnonymousUser, pk: int | None = None, code: str | None = None) -> Customer:
    """One customer ``user`` may see (raises ``Customer.DoesNotExist`` otherwise, so 404 never leaks)."""
    qs = customer_scope(user=user).select_related("owner").prefetch_related("tags", "team")
    return qs.get(pk=pk) if pk is not None else qs.get(code=code)


def customer_visible(*, user: User | AnonymousUser, pk: int) -> bool:
    """Whether ``user`` may see customer ``pk`` (a save may hand it to someone outside their scope)."""
    return customer_scope(user=user).filter(pk=pk).exists()


@dataclass(frozen=True)
class Customer360:
    """What the customer 360 page shows; later apps add their slots (projects, tickets…)."""

    customer: Customer
    contacts: list[Contact]
    interactions: list[Interaction]
    segments: list[Segment]
    interaction_count: int
    open_follow_ups: int


def customer_360(*, user: User | AnonymousUser, pk: int, interaction_limit: int = 50) -> Customer360:
    customer = customer_get(user=user, pk=pk)
    interactions_qs = customer.interactions.select_related("owner").prefetch_related(
        "contacts", "participants"
    )
    counts = customer.interactions.aggregate(
        total=Count("id"), open=Count("id", filter=Q(follow_up_date__isnull=False, follow_up_done=False))
    )
    static = Segment.objects.filter(kind=SegmentKind.STATIC, members=customer)
    dynamic = [
        s
        for s in Segment.objects.filter(kind=SegmentKind.DYNAMIC)
        if segment_apply(Customer.objects.filter(pk=customer.pk), s).exists()
    ]
    return Customer360(
        customer=customer,
        contacts=list(customer.contacts.all()),
        interactions=list(interactions_qs[:interaction_limit]),
        segments=sorted([*static, *dynamic], key=lambda s: s.name),
        interaction_count=counts["total"],
        open_follow_ups=counts["open"],
    )


def customer_delete_impact(*, customer: Customer) -> dict[str, int]:
    """How many rows go with the customer when it is deleted (the confirmation page lists them)."""
    return customer.__class__.objects.filter(pk=customer.pk).aggregate(
        contacts=Count("contacts", distinct=True), interactions=Count("interactions", distinct=True)
    )


def _phone_digits(field: str) -> Replace:
    """``field`` without the separators people type in phone numbers, computed in SQL."""
    expr = Replace(field, Value(" "), Value(""))
    for separator in ("-", "(", ")"):
        expr = Replace(expr, Value(separator), Value(""))
    return expr


@dataclass(frozen=True)
class DuplicateMatch:
    customer: Customer
    reasons: list[str]
    visible: bool = True
    """False when the reader may not see the customer: say that it exists, never what it is."""


def customer_duplicates(
    *,
    user: User | AnonymousUser | None = None,
    name: str = "",
    credit_code: str = "",
    phone: str = "",
    email: str = "",
    exclude_pk: int | None = None,
    limit: int = 10,
) -> list[DuplicateMatch]:
    """Existing customers that look like the one described: same credit code, normalised name,
    phone or e-mail (of the customer or any of its contacts). Checked on create and import.

    Duplicates are searched among all customers (a colleague's customer is still a duplicate), but
    with ``user`` given, the ones outside their scope come back with ``visible=False``.
    """
    conditions: list[tuple[Q, str]] = []
    if credit_code:
        conditions.append((Q(credit_code=credit_code.strip().upper()), str(_("same credit code"))))
    if name and normalize_name(name):
        conditions.append((Q(name_normalized=normalize_name(name)), str(_("same name"))))
    # Numbers are stored as typed ("138-1234-5678"); compared without separators, the last eight
    # digits identify a Chinese mobile or landline.
    phone_tail = normalize_phone(phone)[-8:] if phone else ""
    if len(phone_tail) == 8:
        contact_phone = Contact.objects.filter(customer_id=OuterRef("pk")).filter(
            EndsWith(_phone_digits("mobile"), phone_tail) | EndsWith(_phone_digits("phone"), phone_tail)
        )
        conditions.append(
            (Q(EndsWith(_phone_digits("phone"), phone_tail)) | Q(Exists(contact_phone)), str(_("same phone")))
        )
    if email:
        conditions.append(
            (Q(email__iexact=email.strip()) | Q(contacts__email__iexact=email.strip()), str(_("same e-mail")))
        )
    if not conditions:
        return []
    matches: dict[int, DuplicateMatch] = {}
    for condition, reason in conditions:
        qs = Customer.objects.filter(condition).distinct()
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        for customer in qs[:limit]:
            matches.setdefault(customer.pk, DuplicateMatch(customer, [])).reasons.append(reason)
    found = list(matches.values())[:limit]
    if user is not None and found:
        visible = set(
            customer_scope(user=user)
            .filter(pk__in=[m.customer.pk for m in found])
            .values_list("pk", flat=True)
        )
        found = [replace(m, visible=m.customer.pk in visible) for m in found]
    return found


def customers_by_ids(*, user: User | AnonymousUser, ids: Iterable[int], field: str) -> list[Customer]:
    """Customers ``user`` may see with these ids, or a field error naming ``field`` for any other id.

    Unknown and out-of-scope ids get the same message, so the error never reveals that a customer exists.
    """
    wanted = set(ids)
    customers = list(customer_scope(user=user).filter(pk__in=wanted))
    if len(customers) != len(wanted):
        raise ValidationError({field: [_("Unknown customer.")]})
    return customers


def customer_choices(*, user: User | AnonymousUser) -> QuerySet[Customer]:
    """Current customers ``user`` may see, for pickers (only what the option label needs)."""
    return (
        customer_scope(user=user).filter(is_archived=False).only("id", "code", "name").order_by("name", "id")
    )


def tag_names() -> list[str]:
    """Every tag name, for the segment rules' tag picker."""
    return list(Tag.objects.order_by("name").values_list("name", flat=True))
