"""REST endpoints of the customers app under ``/api/v1``: customers, contacts, interactions (with
"my follow-ups") and segments. Parse, load through a scoped query, check the permission, call a
service, return."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Field as DjangoField
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination

from . import queries, services
from .filters import ContactFilters, CustomerFilters, InteractionFilters
from .models import Customer
from .schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerDetailOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    DuplicateOut,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    MemberIds,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)

router = Router(tags=["customers"])


def _relations(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``owner_id``/``team_ids`` into users, refusing ids that do not exist."""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = users_by_ids([owner_id], "owner_id")[0] if owner_id else None
    if data.get("team_ids") is not None:
        data["team"] = users_by_ids(data.pop("team_ids"), "team_ids")
    else:
        data.pop("team_ids", None)
    return data


@router.get("/customers", response={200: list[CustomerOut], **ERRORS})
@paginate(PagePagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """Customers the caller may see, filtered and sorted; ``count`` is the total."""
    return queries.customer_list(user=request.user, filters=filters)


@router.post("/customers", response={201: CustomerDetailOut, **ERRORS})
def create_customer(request: HttpRequest, payload: CustomerIn, allow_duplicates: bool = False) -> Any:
    """Create a customer (owned by the caller unless ``owner_id`` is given).

    Near-duplicates are refused with 409 listing the matches unless ``allow_duplicates=true``.
    """
    require(request, "customers.add_customer")
    data = payload.model_dump(exclude_unset=True)
    data.setdefault("owner_id", request.user.pk)  # the creator owns it unless told otherwise
    data = _relations(data)
    customer = services.customer_create(actor=request.user, allow_duplicates=allow_duplicates, **data)
    # The saved row itself, even when it was created for a colleague the caller cannot see.
    return Status(201, customer)


@router.get("/customers/duplicates", response={200: list[DuplicateOut], **ERRORS})
def find_duplicates(
    request: HttpRequest, name: str = "", credit_code: str = "", phone: str = "", email: str = ""
) -> Any:
    """Existing customers that look like the one described (what create would warn about)."""
    require(request, "customers.add_customer")
    matches = queries.customer_duplicates(
        user=request.user, name=name, credit_code=credit_code, phone=phone, email=email
    )
    return [
        {"id": m.customer.pk, "code": m.customer.code, "name": m.customer.name, "reasons": m.reasons}
        if m.visible
        else {"id": None, "code": "", "name": "", "reasons": m.reasons, "visible": False}
        for m in matches
    ]


@router.get("/customers/{int:customer_id}", response={200: CustomerDetailOut, **ERRORS})
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return queries.customer_get(user=request.user, pk=customer_id)


@router.patch("/customers/{int:customer_id}", response={200: CustomerDetailOut, **ERRORS})
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    customer = queries.customer_get(user=request.user, pk=customer_id)
    require(request, "customers.change_customer")
    # null means "no owner" for owner_id and "leave as is" for team_ids and tags; elsewhere it is refused
    data = payload.model_dump(exclude_unset=True)
    data = _relations(_nulls_refused(data, frozenset({"owner_id", "team_ids", "tags"})))
    version = data.pop("version")
    archived = data.pop("is_archived", None)
    if data:
        customer = services.customer_update(actor=request.user, customer=customer, version=version, **data)
        version = customer.version
    if archived is not None:
        customer = services.customer_set_archived(
            actor=request.user, customer=customer, archived=archived, version=version
        )
    # The saved row itself: re-reading through the caller's scope would answer 404 to someone who
    # just handed the customer to a colleague.
    return customer


@router.delete("/customers/{int:customer_id}", response={204: None, **ERRORS})
def delete_customer(request: HttpRequest, customer_id: int, version: int | None = None) -> Any:
    customer = queries.customer_get(user=request.user, pk=customer_id)
    require(request, "customers.delete_customer")
    services.customer_delete(actor=request.user, customer=customer, version=version)
    return Status(204, None)


# Contacts ------------------------------------------------------------------------------------------


def _nulls_refused(data: dict[str, Any], nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Refuse explicit nulls (422) on a partial update, except for fields where null means "none"."""
    nulls = sorted(k for k, v in data.items() if v is None and k not in nullable)
    if nulls:
        raise ValidationError({k: [DjangoField.default_error_messages["null"]] for k in nulls})
    return data


@router.get("/contacts", response={200: list[ContactOut], **ERRORS}, tags=["contacts"])
@paginate(PagePagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> Any:
    """Contacts of the customers the caller may see, filtered and sorted; ``count`` is the total."""
    return queries.contact_list(user=request.user, filters=filters)


def _create_contact(
    request: HttpRequest, customer: Customer, payload: ContactIn, allow_duplicates: bool
) -> Any:
    require(request, "customers.add_contact")
    data = payload.model_dump(exclude_unset=True)
    data.pop("customer_id", None)
    contact = services.contact_create(
        actor=request.user, customer=customer, allow_duplicates=allow_duplicates, **data
    )
    return Status(201, queries.contact_get(user=request.user, pk=contact.pk))


@router.post("/contacts", response={201: ContactOut, **ERRORS}, tags=["contacts"])
def create_contact(request: HttpRequest, payload: ContactIn, allow_duplicates: bool = False) -> Any:
    """Add a contact to ``customer_id``; a contact with the same e-mail or mobile is refused with 409
    listing the matches unless ``allow_duplicates=true``."""
    if payload.customer_id is None:
        raise ValidationError({"customer_id": [_("This field is required.")]})
    customer = queries.customers_by_ids(user=request.user, ids=[payload.customer_id], field="customer_id")[0]
    return _create_contact(request, customer, payload, allow_duplicates)


@router.post("/customers/{int:customer_id}/contacts", response={201: ContactOut, **ERRORS}, tags=["contacts"])
def create_customer_contact(
    request: HttpRequest, customer_id: int, payload: ContactIn, allow_duplicates: bool = False
) -> Any:
    """Add a contact to the customer in the URL (``customer_id`` in the body is ignored)."""
    customer = queries.customer_get(user=request.user, pk=customer_id)
    return _create_contact(request, customer, payload, allow_duplicates)


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS}, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: int) -> Any:
    return queries.contact_get(user=request.user, pk=contact_id)


@router.patch("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS}, tags=["contacts"])
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    contact = queries.contact_get(user=request.user, pk=contact_id)
    require(request, "customers.change_contact")
    data = _nulls_refused(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    services.contact_update(actor=request.user, contact=contact, version=version, **data)
    return queries.contact_get(user=request.user, pk=contact_id)


@router.delete("/contacts/{int:contact_id}", response={204: None, **ERRORS}, tags=["contacts"])
def delete_contact(request: HttpRequest, contact_id: int, version: int | None = None) -> Any:
    contact = queries.contact_get(user=request.user, pk=contact_id)
    require(request, "customers.delete_contact")
    services.contact_delete(actor=request.user, contact=contact, version=version)
    return Status(204, None)


# Interactions --------------------------------------------------------------------------------------


INTERACTION_NULLABLE = frozenset({"follow_up_date", "owner_id"})


def _interaction_relations(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``owner_id``/``contact_ids``/``participant_ids`` into rows, refusing unknown ids (422)."""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = users_by_ids([owner_id], "owner_id")[0] if owner_id else None
    contact_ids = data.pop("contact_ids", None)
    if contact_ids is not None:
        data["contacts"] = queries.contacts_by_ids(user=request.user, ids=contact_ids, field="contact_ids")
    participant_ids = data.pop("participant_ids", None)
    if participant_ids is not None:
        data["participants"] = users_by_ids(participant_ids, "participant_ids")
    if "occurred_at" in data and data["occurred_at"] is None:  # on create: "now"
        data.pop("occurred_at")
    return data


@router.get("/interactions", response={200: list[InteractionOut], **ERRORS}, tags=["interactions"])
@paginate(PagePagination)
def list_interactions(request: HttpRequest, filters: Query[InteractionFilters]) -> Any:
    """Interactions with the customers the caller may see, newest first unless sorted otherwise."""
    return queries.interaction_list(user=request.user, filters=filters)


@router.get("/me/follow-ups", response={200: list[InteractionOut], **ERRORS}, tags=["interactions"])
@paginate(PagePagination)
def my_follow_ups(request: HttpRequest) -> Any:
    """The caller's open follow-ups, earliest (overdue) first."""
    return queries.follow_up_list(user=request.user)


def _create_interaction(request: HttpRequest, customer: Customer, payload: InteractionIn) -> Any:
    require(request, "customers.add_interaction")
    data = payload.model_dump(exclude_unset=True)
    data.pop("customer_id", None)
    data = _interaction_relations(request, data)
    interaction = services.interaction_create(actor=request.user, customer=customer, **data)
    return Status(201, queries.interaction_get(user=request.user, pk=interaction.pk))


@router.post("/interactions", response={201: InteractionOut, **ERRORS}, tags=["interactions"])
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Any:
    """Log an interaction with ``customer_id``; contacts must be that customer's."""
    if payload.customer_id is None:
        raise ValidationError({"customer_id": [_("This field is required.")]})
    customer = queries.customers_by_ids(user=request.user, ids=[payload.customer_id], field="customer_id")[0]
    return _create_interaction(request, customer, payload)


@router.post(
    "/customers/{int:customer_id}/interactions",
    response={201: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def create_customer_interaction(request: HttpRequest, customer_id: int, payload: InteractionIn) -> Any:
    """Log an interaction with the customer in the URL."""
    customer = queries.customer_get(user=request.user, pk=customer_id)
    return _create_interaction(request, customer, payload)


@router.get(
    "/interactions/{int:interaction_id}", response={200: InteractionOut, **ERRORS}, tags=["interactions"]
)
def get_interaction(request: HttpRequest, interaction_id: int) -> Any:
    return queries.interaction_get(user=request.user, pk=interaction_id)


@router.patch(
    "/interactions/{int:interaction_id}", response={200: InteractionOut, **ERRORS}, tags=["interactions"]
)
def update_interaction(request: HttpRequest, interaction_id: int, payload: InteractionPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    interaction = queries.interaction_get(user=request.user, pk=interaction_id)
    require(request, "customers.change_interaction")
    data = _nulls_refused(payload.model_dump(exclude_unset=True), INTERACTION_NULLABLE)
    data = _interaction_relations(request, data)
    version = data.pop("version")
    services.interaction_update(actor=request.user, interaction=interaction, version=version, **data)
    return queries.interaction_get(user=request.user, pk=interaction_id)


@router.post(
    "/interactions/{int:interaction_id}/complete-follow-up",
    response={200: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def complete_follow_up(request: HttpRequest, interaction_id: int, version: int | None = None) -> Any:
    """Mark the follow-up done; 409 when the interaction has no follow-up."""
    interaction = queries.interaction_get(user=request.user, pk=interaction_id)
    require(request, "customers.change_interaction")
    services.interaction_complete_follow_up(actor=request.user, interaction=interaction, version=version)
    return queries.interaction_get(user=request.user, pk=interaction_id)


@router.delete("/interactions/{int:interaction_id}", response={204: None, **ERRORS}, tags=["interactions"])
def delete_interaction(request: HttpRequest, interaction_id: int, version: int | None = None) -> Any:
    interaction = queries.interaction_get(user=request.user, pk=interaction_id)
    require(request, "customers.delete_interaction")
    services.interaction_delete(actor=request.user, interaction=interaction, version=version)
    return Status(204, None)


# Segments ------------------------------------------------------------------------------------------


class SegmentPagination(PagePagination):
    """``PagePagination`` that fills ``member_count`` for the rows of the page only.

    Static segments are counted in the list query; rule-based ones cost one COUNT each (at most
    ``page_size``), see ``queries.segment_member_counts``.
    """

    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        result = super().paginate_queryset(queryset, pagination, **params)
        result["items"] = queries.segment_member_counts(user=params["request"].user, segments=result["items"])
        return result


@router.get("/segments", response={200: list[SegmentOut], **ERRORS}, tags=["segments"])
@paginate(SegmentPagination)
def list_segments(request: HttpRequest, q: str = "") -> Any:
    """Segments by name, each with the number of members the caller may see."""
    return queries.segment_list(user=request.user, q=q)


@router.post("/segments", response={201: SegmentOut, **ERRORS}, tags=["segments"])
def create_segment(request: HttpRequest, payload: SegmentIn) -> Any:
    """Create a rule-based segment (``rules`` = customer-list filters) or a static one (``customer_ids``)."""
    require(request, "customers.add_segment")
    data = payload.model_dump(exclude_unset=True)
    ids = data.pop("customer_ids", [])
    members = queries.customers_by_ids(user=request.user, ids=ids, field="customer_ids") if ids else []
    segment = services.segment_create(actor=request.user, members=members, **data)
    return Status(201, queries.segment_get(user=request.user, pk=segment.pk))


@router.get("/segments/{int:segment_id}", response={200: SegmentOut, **ERRORS}, tags=["segments"])
def get_segment(request: HttpRequest, segment_id: int) -> Any:
    return queries.segment_get(user=request.user, pk=segment_id)


@router.patch("/segments/{int:segment_id}", response={200: SegmentOut, **ERRORS}, tags=["segments"])
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between."""
    segment = queries.segment_get(user=request.user, pk=segment_id)
    require(request, "customers.change_segment")
    data = _nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"owner_id"}))
    version = data.pop("version")
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = users_by_ids([owner_id], "owner_id")[0] if owner_id else None
    services.segment_update(actor=request.user, segment=segment, version=version, **data)
    return queries.segment_get(user=request.user, pk=segment_id)


@router.delete("/segments/{int:segment_id}", response={204: None, **ERRORS}, tags=["segments"])
def delete_segment(request: HttpRequest, segment_id: int, version: int | None = None) -> Any:
    segment = queries.segment_get(user=request.user, pk=segment_id)
    require(request, "customers.delete_segment")
    services.segment_delete(actor=request.user, segment=segment, version=version)
    return Status(204, None)


@router.get(
    "/segments/{int:segment_id}/members", response={200: list[CustomerOut], **ERRORS}, tags=["segments"]
)
@paginate(PagePagination)
def list_segment_members(request: HttpRequest, segment_id: int) -> Any:
    """The segment's members that the caller may see, by name (rules are evaluated now)."""
    segment = queries.segment_get(user=request.user, pk=segment_id)
    return queries.segment_members(user=request.user, segment=segment)


@router.post("/segments/{int:segment_id}/members", response={200: SegmentOut, **ERRORS}, tags=["segments"])
def add_segment_members(request: HttpRequest, segment_id: int, payload: MemberIds) -> Any:
    """Add customers to a static segment (409 for a rule-based one); already-members are ignored."""
    segment = queries.segment_get(user=request.user, pk=segment_id)
    require(request, "customers.change_segment")
    customers = queries.customers_by_ids(user=request.user, ids=payload.customer_ids, field="customer_ids")
    services.segment_add_members(actor=request.user, segment=segment, customers=customers)
    return queries.segment_get(user=request.user, pk=segment_id)


@router.delete("/segments/{int:segment_id}/members", response={200: SegmentOut, **ERRORS}, tags=["segments"])
def remove_segment_members(request: HttpRequest, segment_id: int, payload: MemberIds) -> Any:
    """Remove customers from a static segment (409 for a rule-based one); non-members are ignored."""
    segment = queries.segment_get(user=request.user, pk=segment_id)
    require(request, "customers.change_segment")
    customers = queries.customers_by_ids(user=request.user, ids=payload.customer_ids, field="customer_ids")
    services.segment_remove_members(actor=request.user, segment=segment, customers=customers)
    return queries.segment_get(user=request.user, pk=segment_id)
