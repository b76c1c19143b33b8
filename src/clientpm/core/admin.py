"""Admin for the change log (read-only) and the audited base class every app's admin uses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from .audit import record_create, record_delete, record_update, snapshot
from .models import ChangeRecord


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes leave change records like every other write path."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            if change:
                before = snapshot(type(obj).objects.get(pk=obj.pk))
                if hasattr(obj, "version"):
                    obj.version += 1
                super().save_model(request, obj, form, change)
                record_update(request.user, obj, before)
            else:
                super().save_model(request, obj, form, change)
                record_create(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            record_delete(request.user, obj, snapshot(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                record_delete(request.user, obj, snapshot(obj))
            super().delete_queryset(request, queryset)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "source", "action", "content_type", "object_repr"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_repr"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
