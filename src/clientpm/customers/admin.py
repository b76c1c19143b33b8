"""Admin screens for customers and their related rows; every save leaves a change record."""

from __future__ import annotations

from django.contrib import admin

from clientpm.core.admin import AuditedModelAdmin

from .models import Contact, Customer, Interaction, Segment, Tag


@admin.register(Customer)
class CustomerAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "lifecycle_stage", "tier", "province", "owner", "is_archived"]
    list_filter = ["lifecycle_stage", "tier", "province", "is_archived"]
    search_fields = ["code", "name", "short_name", "credit_code"]
    list_select_related = ["owner"]
    exclude = ["version"]
    filter_horizontal = ["team", "tags"]


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
