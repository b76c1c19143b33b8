"""The global change log page (变更记录)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from pydantic import ValidationError as SchemaError

from .models import AuditAction, AuditSource
from .paging import paginate_request
from .queries import ChangeFilters, change_actors, change_list, change_object_types


@permission_required("core.view_changerecord", raise_exception=True)
def change_log(request: HttpRequest) -> HttpResponse:
    """Every recorded change, filterable by user, action, source, object type and date."""
    params = {k: v for k, v in request.GET.items() if v and k not in ("page", "page_size")}
    errors: dict[str, str] = {}
    try:
        filters = ChangeFilters.model_validate(params)
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        filters = ChangeFilters()
    page = paginate_request(request, change_list(filters=filters))
    context = {
        "nav": "changes",
        "page": page,
        "records": page.object_list,
        "filters": filters,
        "errors": errors,
        "users": change_actors(),
        "actions": AuditAction.choices,
        "sources": AuditSource.choices,
        "object_types": change_object_types(),
    }
    return render(request, "core/change_list.html", context)
