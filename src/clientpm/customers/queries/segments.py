"""Reads of segments: lists, member counts and members, narrowed to the customers the reader may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientpm.accounts.models import User
from clientpm.customers.models import (
    Customer,
    CustomerKind,
    Industry,
    LifecycleStage,
    Province,
    Segment,
    SegmentKind,
    Tag,
    Tier,
)
from clientpm.customers.queries.customers import customer_scope, segment_apply


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
