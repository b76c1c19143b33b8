"""The REST API: one NinjaAPI at ``/api/v1`` assembling each app's router; docs at ``/api/docs``."""

from __future__ import annotations

from ninja import NinjaAPI

from clientpm.accounts.api import router as accounts_router
from clientpm.accounts.auth import API_AUTH
from clientpm.core.api import ORJSONRenderer, install_error_handlers
from clientpm.core.api_views import router as core_router
from clientpm.customers.api import router as customers_router
from clientpm.interchange.api import router as interchange_router
from clientpm.projects.api import router as projects_router
from clientpm.resources.api import router as resources_router

api = NinjaAPI(
    title="clientpm API",
    version="1",
    description="Project-based customer management. Authenticate with a session or "
    "`Authorization: Bearer <API token>` (create one under your profile).",
    auth=API_AUTH,
    renderer=ORJSONRenderer(),
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", core_router)
api.add_router("", customers_router)
api.add_router("", projects_router)
api.add_router("", resources_router)
api.add_router("", interchange_router)
