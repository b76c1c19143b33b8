"""Request middleware of the core: labels audit records with where a write came from."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import audit_source
from .models import AuditSource


class AuditSourceMiddleware:
    """Marks changes made during a request as coming from the API, the admin or the web UI."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            source = AuditSource.API
        elif request.path.startswith("/admin/"):
            source = AuditSource.ADMIN
        else:
            source = AuditSource.UI
        with audit_source(source):
            return self.get_response(request)
