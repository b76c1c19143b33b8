"""Reads for customers, contacts, interactions and segments: scoping to what a user may see, lists,
the customer 360 and duplicates. Every read starts from ``customer_scope``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Replace
from django.db.models.lookups import EndsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientpm.accounts.models import User

from .filters import (
    CONTACT_SORTS,
    CUSTOMER_SORTS,
    INTERACTION_SORTS,
    ContactFilters,
    CustomerFilters,
    InteractionFilters,
)
from .models import (
    Contact,
    Customer,
    CustomerKind,
    Industry,
    Interaction,
    LifecycleStage,
    Province,
    Segment,
    SegmentKind,
    Tag,
    Tier,
)
from .normalize import normalize_name
from .validators import normalize_phone


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


def customer_duplicates(
    *,
    name: str = "",
    credit_code: str = "",
    phone: str = "",
    email: str = "",
    exclude_pk: int | None = None,
    limit: int = 10,
) -> list[DuplicateMatch]:
    """Existing customers that look like the one described: same credit code, normalised name,
    phone or e-mail (of the customer or any of its contacts). Checked on create and import."""
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
    return list(matches.values())[:limit]


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


# Contacts ------------------------------------------------------------------------------------------


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


# Interactions --------------------------------------------------------------------------------------


def interaction_scope(*, user: User | AnonymousUser) -> QuerySet[Interaction]:
    """Interactions ``user`` may see: those with customers in ``customer_scope``, given ``view_interaction``."""
    if not user.is_authenticated or not user.has_perm("customers.view_interaction"):
        return Interaction.objects.none()
    return Interaction.objects.filter(customer__in=customer_scope(user=user))


def _interaction_rows(qs: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Load what a list row shows: customer and owner joined, contacts and participants in two queries."""
    return qs.select_related("customer", "owner").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "name", "customer_id")),
        Prefetch("participants", queryset=User.objects.only("id", "username", "display_name")),
    )


def interaction_list(*, user: User | AnonymousUser, filters: InteractionFilters) -> QuerySet[Interaction]:
    """The interaction list as ``user`` sees it, filtered and sorted, in four queries whatever its length."""
    qs = interaction_scope(user=user)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(summary__icontains=q) | Q(outcome__icontains=q) | Q(next_step__icontains=q))
    if filters.kind:
        qs = qs.filter(kind__in=filters.kind)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.follow_up_before:
        qs = qs.filter(follow_up_date__lte=filters.follow_up_before)
    if filters.open_only:
        qs = qs.filter(follow_up_date__isnull=False, follow_up_done=False)
    return _interaction_rows(qs).order_by(INTERACTION_SORTS[filters.sort], "-id")


def interaction_get(*, user: User | AnonymousUser, pk: int) -> Interaction:
    """One interaction ``user`` may see (``Interaction.DoesNotExist`` otherwise)."""
    return _interaction_rows(interaction_scope(user=user)).get(pk=pk)


def follow_up_list(*, user: User | AnonymousUser) -> QuerySet[Interaction]:
    """ "My follow-ups": open follow-ups ``user`` owns, earliest date first, so overdue ones lead.

    ``is_overdue`` is computed in SQL against today in the user's time zone.
    """
    today = timezone.localdate()
    qs = interaction_scope(user=user).filter(
        owner_id=user.pk, follow_up_date__isnull=False, follow_up_done=False
    )
    return (
        _interaction_rows(qs)
        .annotate(
            is_overdue=Case(
                When(follow_up_date__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("follow_up_date", "occurred_at", "id")
    )


# Segments ------------------------------------------------------------------------------------------


def segment_scope(*, user: User | AnonymousUser) -> QuerySet[Segment]:
    """Segments ``user`` may see: all of them, given ``view_segment``.

    Segments are shared saved lists; what stays private is their members, which are always
    narrowed to ``customer_scope`` (see ``segment_members`` and the counts).
    """
    if not user.is_authenticated or not user.has_perm("customers.view_segment"):
        return Segment.objects.none()
    return Segment.objects.all()


def segment_list(*, user: User | AnonymousUser, q: str = "") -> QuerySet[Segment]:
    """Segments by name, with the owner and, for static ones, the visible member count from SQL.

    Call ``segment_member_counts`` on the page actually shown to fill in ``member_count``.
    """
    qs = segment_scope(user=user).select_related("owner")
    if q:
        qs = qs.filter(name__icontains=q.strip())
    visible = customer_scope(user=user).values("pk")
    return qs.annotate(
        static_member_count=Count("members", filter=Q(members__in=visible), distinct=True)
    ).order_by("name", "id")


def segment_member_counts(*, user: User | AnonymousUser, segments: Iterable[Segment]) -> list[Segment]:
    """Set ``member_count`` (members ``user`` may see) on each segment and return them as a list.

    Static segments use the ``static_member_count`` annotation of ``segment_list`` (no query).
    Rule-based segments cost one ``COUNT`` each: their rules differ per row, so they cannot share
    one SQL aggregate. Callers pass one page of segments (at most 200), never the whole table.
    """
    rows = list(segments)
    scope = customer_scope(user=user)
    for segment in rows:
        static_count = getattr(segment, "static_member_count", None)
        if segment.kind == SegmentKind.STATIC and static_count is not None:
            segment.member_count = static_count  # type: ignore[attr-defined]
        else:
            segment.member_count = segment_apply(scope, segment).count()  # type: ignore[attr-defined]
    return rows


def segment_get(*, user: User | AnonymousUser, pk: int) -> Segment:
    """One segment ``user`` may see, with ``member_count`` set (``Segment.DoesNotExist`` otherwise)."""
    segment = segment_list(user=user).get(pk=pk)
    return segment_member_counts(user=user, segments=[segment])[0]


def segment_members(*, user: User | AnonymousUser, segment: Segment) -> QuerySet[Customer]:
    """The members of ``segment`` that ``user`` may see, by name, with owner and tags loaded."""
    return (
        segment_apply(customer_scope(user=user), segment)
        .select_related("owner")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name", "color")))
        .order_by("name", "id")
    )


def static_segment_choices(*, user: User | AnonymousUser, customer: Customer) -> QuerySet[Segment]:
    """Static segments ``customer`` is not yet in, for the 360 page's "add to segment" picker."""
    return (
        segment_scope(user=user)
        .filter(kind=SegmentKind.STATIC)
        .exclude(members=customer)
        .only("id", "name")
        .order_by("name", "id")
    )


def segment_rule_labels(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """A segment's rules as readable ``(label, value)`` lines, in the order of the customer filters."""
    choice_fields: dict[str, tuple[str, type[models.TextChoices]]] = {
        "stage": (_("Lifecycle stage"), LifecycleStage),
        "tier": (_("Tier"), Tier),
        "province": (_("Province"), Province),
        "industry": (_("Industry"), Industry),
        "kind": (_("Kind"), CustomerKind),
    }
    lines: list[tuple[str, str]] = []
    for name, value in rules.items():
        if name in choice_fields:
            label, choices = choice_fields[name]
            labels = {v: str(lab) for v, lab in choices.choices}
            values = value if isinstance(value, list) else [value]
            lines.append((str(label), ", ".join(labels.get(v, str(v)) for v in values)))
        elif name == "q":
            lines.append((str(_("Search")), str(value)))
        elif name == "owner":
            owner = User.objects.filter(pk=value).first()
            lines.append((str(_("Account manager")), str(owner) if owner else f"#{value}"))
        elif name == "tag":
            lines.append((str(_("Tags")), ", ".join(value)))
        elif name == "no_interaction_days":
            lines.append(
                (
                    str(_("No interaction for at least")),
                    ngettext("%(days)d day", "%(days)d days", value) % {"days": value},
                )
            )
        elif name == "archived":
            lines.append((str(_("Archived customers")), str(_("Yes") if value else _("No"))))
    return lines


def tag_names() -> list[str]:
    """Every tag name, for the segment rules' tag picker."""
    return list(Tag.objects.order_by("name").values_list("name", flat=True))
