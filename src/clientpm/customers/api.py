"""REST endpoints for customers under ``/api/v1/customers``: parse, call a service or query, return."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from clientpm.accounts.queries import users_by_ids
from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination

from . import queries, services
from .filters import CustomerFilters
from .schemas import CustomerDetailOut, CustomerIn, CustomerOut, CustomerPatch, DuplicateOut

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
    return Status(201, queries.customer_get(user=request.user, pk=customer.pk))


@router.get("/customers/duplicates", response={200: list[DuplicateOut], **ERRORS})
def find_duplicates(
    request: HttpRequest, name: str = "", credit_code: str = "", phone: str = "", email: str = ""
) -> Any:
    """Existing customers that look like the one described (what create would warn about)."""
    require(request, "customers.add_customer")
    matches = queries.customer_duplicates(name=name, credit_code=credit_code, phone=phone, email=email)
    return [
        {"id": m.customer.pk, "code": m.customer.code, "name": m.customer.name, "reasons": m.reasons}
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
    data = _relations(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    archived = data.pop("is_archived", None)
    if data:
        customer = services.customer_update(actor=request.user, customer=customer, version=version, **data)
        version = customer.version
    if archived is not None:
        services.customer_set_archived(
            actor=request.user, customer=customer, archived=archived, version=version
        )
    return queries.customer_get(user=request.user, pk=customer_id)


@router.delete("/customers/{int:customer_id}", response={204: None, **ERRORS})
def delete_customer(request: HttpRequest, customer_id: int, version: int | None = None) -> Any:
    customer = queries.customer_get(user=request.user, pk=customer_id)
    require(request, "customers.delete_customer")
    services.customer_delete(actor=request.user, customer=customer, version=version)
    return Status(204, None)
