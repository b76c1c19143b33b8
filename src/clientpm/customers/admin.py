"""Admin screens for customers and their related rows; every save leaves a change record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from clientpm.core.admin import AuditedModelAdmin

from .models import Contact, Customer, Interaction, Segment, Tag
from .services import (
    CUSTOMER_FIELDS,
    customer_create,
    customer_delete,
    customer_set_archived,
    customer_update,
)


@admin.register(Customer)
class CustomerAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "lifecycle_stage", "tier", "province", "owner", "is_archived"]
    list_filter = ["lifecycle_stage", "tier", "province", "is_archived"]
    search_fields = ["code", "name", "short_name", "credit_code"]
    list_select_related = ["owner"]
    exclude = ["version"]
    filter_horizontal = ["team", "tags"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        """Save through the customer services: the code, normalised name and change records come from there.

        The operator already saw the form, so near-duplicates are allowed; the version is not checked.
        """
        data = form.cleaned_data
        fields = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
        tags = [tag.name for tag in data.get("tags", ())]
        team = list(data.get("team", ()))
        if change:
            saved = customer_update(
                actor=request.user, customer=obj, version=None, tags=tags, team=team, **fields
            )
        else:
            saved = customer_create(actor=request.user, allow_duplicates=True, tags=tags, team=team, **fields)
        if "is_archived" in data:
            saved = customer_set_archived(actor=request.user, customer=saved, archived=data["is_archived"])
        # The admin goes on with ``obj`` (messages, log entry, redirect): give it the saved row's state.
        for field in Customer._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Tags and team were saved by the service; only inline formsets (none yet) are left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Customer) -> None:
        customer_delete(actor=request.user, customer=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        with transaction.atomic():
            for customer in queryset:
                customer_delete(actor=request.user, customer=customer)


@admin.register(Contact)
class ContactAdmin(AuditedModelAdmin):
    list_display = ["name", "customer", "title", "mobile", "email", "is_primary"]
    search_fields = ["name", "email", "mobile"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    exclude = ["version"]


@admin.register(Interaction)
class InteractionAdmin(AuditedModelAdmin):
    list_display = ["occurred_at", "kind", "customer", "owner", "follow_up_date", "follow_up_done"]
    list_filter = ["kind", "follow_up_done"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "contacts"]
    exclude = ["version"]


@admin.register(Segment)
class SegmentAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "owner"]
    raw_id_fields = ["members"]
    exclude = ["version"]


@admin.register(Tag)
class TagAdmin(AuditedModelAdmin):
    list_display = ["name", "color"]
    search_fields = ["name"]
