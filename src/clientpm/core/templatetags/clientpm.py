"""Template helpers used across pages: badges, query-string links, audit value display."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.html import format_html

register = template.Library()

BADGE_COLOURS = {
    # lifecycle stages
    "potential": "secondary",
    "new": "info",
    "active": "success",
    "loyal": "primary",
    "dormant": "warning",
    "churned": "danger",
    # tiers
    "key": "danger",
    "standard": "primary",
    "small": "secondary",
    # project phases (one colour per phase everywhere)
    "initiation": "info",
    "planning": "primary",
    "execution": "success",
    "closing": "warning",
    "closed": "dark",
    "on_hold": "secondary",
    "cancelled": "danger",
    # health
    "green": "success",
    "amber": "warning",
    "red": "danger",
    # priority
    "low": "secondary",
    "medium": "info",
    "high": "warning",
    "critical": "danger",
    # deliverables, milestones, decisions
    "planned": "secondary",
    "in_progress": "primary",
    "submitted": "info",
    "accepted": "success",
    "rejected": "danger",
    "waived": "dark",
    "achieved": "success",
    "missed": "danger",
    "partly": "warning",
    "not_achieved": "danger",
    "go": "success",
    "no_go": "danger",
    "revise": "warning",
    "pending": "secondary",
    # audit actions
    "create": "success",
    "update": "primary",
    "delete": "danger",
}


@register.simple_tag
def badge(value: str, label: Any) -> str:
    """The same coloured badge for the same status on every page."""
    colour = BADGE_COLOURS.get(value, "secondary")
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (page, sort…)."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.filter
def audit_value(value: Any) -> str:
    """A readable form of an old/new value in the audit trail."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if value is True:
        return "✓"
    if value is False:
        return "✗"
    return str(value)


@register.filter
def split(value: str) -> list[str]:
    """Words of ``value``, for looping over a fixed list in a template."""
    return value.split()
