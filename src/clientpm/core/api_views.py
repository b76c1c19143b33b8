"""REST endpoint for the global change log (``/api/v1/changes``)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from .api import ERRORS, require
from .pagination import PagePagination
from .queries import ChangeFilters, change_list

router = Router(tags=["audit"])


class ChangeOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str | None
    source: str
    action: str
    object_type: str
    object_id: int
    object_repr: str
    changes: dict[str, list[Any]]

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_object_type(obj: Any) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


@router.get("/changes", response={200: list[ChangeOut], **ERRORS})
@paginate(PagePagination)
def list_changes(request: HttpRequest, filters: Query[ChangeFilters]) -> Any:
    """Every recorded create, update and delete, newest first (administrators and executives)."""
    require(request, "core.view_changerecord")
    return change_list(filters=filters)
