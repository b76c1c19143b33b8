"""REST endpoints of the projects app under ``/api/v1``, one router module per concern."""

from ninja import Router

from .documents import router as documents_router
from .goals import router as goals_router
from .plan import router as plan_router
from .projects import router as projects_router
from .schedule_risk import router as schedule_risk_router
from .scope import router as scope_router
from .team import router as team_router

router = Router()
router.add_router("", projects_router)
router.add_router("", goals_router)
router.add_router("", scope_router)
router.add_router("", team_router)
router.add_router("", documents_router)
router.add_router("", plan_router)
router.add_router("", schedule_risk_router)
