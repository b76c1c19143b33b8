"""URL map: web pages per app, the REST API at /api/v1 (docs at /api/docs), the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list", permanent=False), name="home"),
    path("accounts/", include("clientpm.accounts.urls")),
    path("customers/", include("clientpm.customers.urls")),
    path("projects/", include("clientpm.projects.urls")),
    path("resources/", include("clientpm.resources.urls")),
    path("interchange/", include("clientpm.interchange.urls")),
    path("changes/", include("clientpm.core.urls")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("admin/", admin.site.urls),
]
