"""Pagination and sorting for HTML list pages (the API has ``core.pagination``)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZES = (25, 50, 100, 200)


def paginate_request(request: HttpRequest, qs: QuerySet[Any], default_size: int = 50) -> Page[Any]:
    """The requested page of ``qs``; out-of-range or malformed page numbers fall back to the nearest page."""
    try:
        size = int(request.GET.get("page_size", default_size))
    except ValueError:
        size = default_size
    size = size if size in PAGE_SIZES else default_size
    return Paginator(qs, size).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string minus ``keys`` (for links that change page or sort)."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
