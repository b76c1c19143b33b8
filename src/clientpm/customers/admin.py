"""Admin screens for customers and their related rows; every save leaves a change record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from clientpm.core.admin import AuditedModelAdmin
from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error

from .models import Contact, Customer, Interaction, Segment, Tag
from .services import (
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    INTERACTION_FIELDS,
    SEGMENT_FIELDS,
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_delete,
    customer_set_archived,
    customer_update,
    interaction_create,
    interaction_delete,
    interaction_update,
    segment_add_members,
    segment_create,
    segment_delete,
    segment_remove_members,
    segment_update,
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


class _DryRun(Exception):
    """Raised to roll back a trial save whose only purpose was to hear the service's verdict."""


class ServiceSavedAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes go through the app's services.

    The service decides, and some of its rules span rows (contacts of the interaction's customer,
    one primary contact, a segment's rules), so the form asks it: validation runs the save in a
    savepoint that is always rolled back, and a refusal appears next to the field like any form
    error. The real save then runs in ``save_model``. Model-level validation is the service's too:
    Django's own checks would, for example, refuse a second primary contact that the service
    allows by clearing the flag on the first.
    """

    def form_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """A service's field errors keyed by the admin form's fields (the service may name them differently)."""
        return errors

    def service_save(self, request: HttpRequest, obj: Any, data: dict[str, Any], change: bool) -> Any:
        """Create (``change`` false) or update ``obj`` from the form's ``data``; return the saved row."""
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                if self.errors:
                    return
                try:
                    with transaction.atomic():
                        model_admin.service_save(request, obj, self.cleaned_data, obj is not None)
                        raise _DryRun
                except _DryRun:
                    pass
                except (ValidationError, ConflictError) as exc:
                    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                        exc = ValidationError(model_admin.form_errors(exc.message_dict))
                    add_service_error(self, exc)

        return ServiceForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.service_save(request, obj if change else None, form.cleaned_data, change)
        # The admin goes on with ``obj`` (messages, log entry, redirect): give it the saved row's state.
        for field in type(obj)._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Many-to-many fields were saved by the service; only inline formsets (none yet) are left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.service_delete(request, obj)


def _fields(data: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


@admin.register(Contact)
class ContactAdmin(ServiceSavedAdmin):
    list_display = ["name", "customer", "title", "mobile", "email", "is_primary"]
    search_fields = ["name", "email", "mobile"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    exclude = ["version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A contact belongs to one customer for life."""
        return ["customer"] if obj is not None else []

    def service_save(self, request: HttpRequest, obj: Any, data: dict[str, Any], change: bool) -> Contact:
        fields = _fields(data, CONTACT_FIELDS)
        if change:
            return contact_update(actor=request.user, contact=obj, version=None, **fields)
        # The operator already saw the form, so a look-alike contact is allowed.
        return contact_create(actor=request.user, customer=data["customer"], allow_duplicates=True, **fields)

    def service_delete(self, request: HttpRequest, obj: Contact) -> None:
        contact_delete(actor=request.user, contact=obj)


@admin.register(Interaction)
class InteractionAdmin(ServiceSavedAdmin):
    list_display = ["occurred_at", "kind", "customer", "owner", "follow_up_date", "follow_up_done"]
    list_filter = ["kind", "follow_up_done"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "contacts"]
    exclude = ["version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """An interaction stays with the customer it was logged for."""
        return ["customer"] if obj is not None else []

    def service_save(self, request: HttpRequest, obj: Any, data: dict[str, Any], change: bool) -> Interaction:
        fields = _fields(data, INTERACTION_FIELDS)
        contacts = list(data.get("contacts", ()))
        participants = list(data.get("participants", ()))
        if change:
            return interaction_update(
                actor=request.user,
                interaction=obj,
                version=None,
                contacts=contacts,
                participants=participants,
                **fields,
            )
        return interaction_create(
            actor=request.user,
            customer=data["customer"],
            contacts=contacts,
            participants=participants,
            **fields,
        )

    def service_delete(self, request: HttpRequest, obj: Interaction) -> None:
        interaction_delete(actor=request.user, interaction=obj)


@admin.register(Segment)
class SegmentAdmin(ServiceSavedAdmin):
    list_display = ["name", "kind", "owner"]
    raw_id_fields = ["members"]
    exclude = ["version"]

    def form_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """``rules.<filter>`` errors go to the rules box naming the filter; ``customer_ids`` to the members."""
        out: dict[str, list[str]] = {}
        for key, messages in errors.items():
            if key.startswith("rules."):
                out.setdefault("rules", []).extend(f"{key[len('rules.') :]}: {m}" for m in messages)
            else:
                out.setdefault("members" if key == "customer_ids" else key, []).extend(messages)
        return out

    def service_save(self, request: HttpRequest, obj: Any, data: dict[str, Any], change: bool) -> Segment:
        """Save the segment, then bring a static segment's members to the ones picked in the form."""
        fields = _fields(data, SEGMENT_FIELDS)
        members = list(data.get("members", ()))
        if not change:
            return segment_create(actor=request.user, members=members, **fields)
        segment = segment_update(actor=request.user, segment=obj, version=None, **fields)
        current = set(segment.members.all())
        added = [c for c in members if c not in current]
        removed = [c for c in current if c not in set(members)]
        if added:
            segment_add_members(actor=request.user, segment=segment, customers=added)
        if removed:
            segment_remove_members(actor=request.user, segment=segment, customers=removed)
        return segment

    def service_delete(self, request: HttpRequest, obj: Segment) -> None:
        segment_delete(actor=request.user, segment=obj)


@admin.register(Tag)
class TagAdmin(AuditedModelAdmin):
    list_display = ["name", "color"]
    search_fields = ["name"]
