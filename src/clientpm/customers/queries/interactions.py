"""Reads of interactions and follow-ups, always narrowed to the customers the reader may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from clientpm.accounts.models import User
from clientpm.customers.filters import (
    INTERACTION_SORTS,
    InteractionFilters,
)
from clientpm.customers.models import (
    Contact,
    Interaction,
)
from clientpm.customers.queries.customers import customer_scope


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
