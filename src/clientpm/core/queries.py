"""Reads of the audit trail: the global change log and one object's history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Schema

from .models import AuditAction, AuditSource, ChangeRecord


class ChangeFilters(Schema):
    """Filters of the global change log (shared by the page and the API)."""

    actor: int | None = Field(None, ge=1)
    action: AuditAction | None = None
    source: AuditSource | None = None
    object_type: str = Field("", max_length=100, description="app_label.model, e.g. customers.customer")
    object_id: int | None = Field(None, ge=1)
    date_from: date | None = None
    date_to: date | None = None
    q: str = Field("", max_length=100)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def change_list(*, filters: ChangeFilters) -> QuerySet[ChangeRecord]:
    """Change records, newest first, with the user and object type loaded in the same query."""
    qs = ChangeRecord.objects.select_related("actor", "content_type")
    if filters.actor:
        qs = qs.filter(actor_id=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.object_type:
        app_label, _sep, model = filters.object_type.partition(".")
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.q:
        qs = qs.filter(object_repr__icontains=filters.q)
    return qs.order_by("-at", "-id")


def object_history(obj: models.Model) -> QuerySet[ChangeRecord]:
    """The change records of one row, newest first (the "History" tab)."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return (
        ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk)
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )


def change_object_types() -> QuerySet[ContentType]:
    """Object types that appear in the change log, for the filter's drop-down."""
    ids = ChangeRecord.objects.values("content_type_id").distinct()
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


def change_actors() -> QuerySet[Any]:
    """Users who appear in the change log, for the filter's drop-down."""
    ids = ChangeRecord.objects.filter(actor__isnull=False).values("actor_id").distinct()
    return get_user_model().objects.filter(pk__in=ids).order_by("username")
