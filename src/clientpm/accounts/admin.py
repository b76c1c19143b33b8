"""Admin screens for users, departments and API tokens."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from clientpm.core.admin import AuditedModelAdmin

from .models import ApiToken, Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, AuditedModelAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "department", "title", "phone", "language", "time_zone")}),
    )
    list_display = ["username", "display_name", "email", "department", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "department"]
    list_select_related = ["department"]
    search_fields = ["username", "display_name", "email", "first_name", "last_name"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "parent", "manager"]
    search_fields = ["name", "code"]
    list_select_related = ["parent", "manager"]
    exclude = ["version"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from .services import department_create, department_update

        fields = {"name": obj.name, "code": obj.code, "parent": obj.parent, "manager": obj.manager}
        if change:
            department_update(actor=request.user, department=obj, version=None, **fields)
        else:
            saved = department_create(actor=request.user, **fields)
            obj.pk = saved.pk


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
