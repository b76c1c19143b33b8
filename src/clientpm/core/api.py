"""API plumbing shared by every router: the error shape, exception handlers, paging and JSON.

Every failure leaves the API as ``{"detail": str, "errors": {field: [messages]}}`` with the status
codes of DESIGN.md §4: 422 bad input, 409 stale version or forbidden transition, 403 not allowed,
404 missing or out of scope (same answer, so existence never leaks), 401 not logged in.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer

from .errors import ConflictError, StaleVersionError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def require(request: HttpRequest, perm: str) -> None:
    """Refuse (403) unless the caller holds ``perm``; call after the object was found in scope."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS)


def _error(api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: Any = None, **extra: Any):
    body: dict[str, Any] = {"detail": detail, "errors": errors or {}}
    body.update(extra)
    return api.create_response(request, body, status=status)


def _ninja_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    """Flatten pydantic's error list into ``{field: [messages]}`` using the last path element."""
    out: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(p)
            for p in err.get("loc", ())
            if p not in ("body", "query", "path", "payload", "filters", "form", "file")
            and not isinstance(p, int)
        ]
        field = ".".join(loc) or "__all__"
        msg = err.get("msg", "")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.setdefault(field, []).append(msg)
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers that turn domain and framework errors into the one error shape."""

    @api.exception_handler(NinjaValidationError)
    def _bad_schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return _error(api, request, 422, _("The request has invalid fields."), _ninja_errors(exc))

    @api.exception_handler(ValidationError)
    def _bad_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _error(api, request, 422, _("The request has invalid fields."), errors)

    @api.exception_handler(StaleVersionError)
    def _stale(request: HttpRequest, exc: StaleVersionError) -> HttpResponse:
        return _error(
            api, request, 409, exc.detail, {"version": [exc.detail]}, current_version=exc.current_version
        )

    @api.exception_handler(ConflictError)
    def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return _error(api, request, 409, exc.detail, {"__all__": exc.reasons}, reasons=exc.reasons)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(api, request, 403, _("You do not have permission to do this."))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, 401, _("Authentication required."))

    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _error(api, request, 404, _("Not found."))

    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ObjectDoesNotExist, _not_found)
    api.add_exception_handler(
        RequestDataTooBig, lambda r, e: _error(api, r, 413, _("The request is too large."))
    )

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _error(api, request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return _error(api, request, 500, _("Something went wrong on our side. It has been logged."))
