"""The project page's tab registry: tabs that apps above projects add to the project page.

The projects app must not know the apps above it, yet their data belongs on the project page (the
resources app's assignments and leveling, later the budget, risks and feedback). An app registers
a tab from its ``AppConfig.ready``; the page lists the registered tabs the reader may see, each
loading its content with HTMX from the registering app's URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class ProjectTab:
    key: str  # the tab's id on the page: ``#tab-<key>``
    label: Any  # a lazy translation
    url_name: str  # a URL taking the project's ``pk``
    permission: str  # the model permission a reader needs to see the tab
    order: int  # tabs sort by this after the built-in ones


_TABS: dict[str, ProjectTab] = {}


def project_tab(*, key: str, label: Any, url_name: str, permission: str, order: int = 100) -> None:
    """Register a tab (registering the same key again replaces it)."""
    _TABS[key] = ProjectTab(key=key, label=label, url_name=url_name, permission=permission, order=order)


def project_tabs(user: Any, project_pk: int) -> list[dict[str, Any]]:
    """The registered tabs ``user`` may see, with the URL their content loads from."""
    return [
        {"key": tab.key, "label": tab.label, "url": reverse(tab.url_name, kwargs={"pk": project_pk})}
        for tab in sorted(_TABS.values(), key=lambda tab: (tab.order, tab.key))
        if user.has_perm(tab.permission)
    ]
