"""URLs of schedule risk (mounted under ``/projects/<pk>/``): the Plan tab's Schedule risk view,
running a simulation, and a task's risk events."""

from django.urls import path

from clientpm.projects.views import schedule_risk

urlpatterns = [
    path("plan/risk/", schedule_risk.risk_view, name="schedule-risk"),
    path("plan/risk/run/", schedule_risk.simulation_run, name="schedule-risk-run"),
    path(
        "plan/tasks/<int:task_id>/risk-events/add/",
        schedule_risk.risk_event_create,
        name="risk-event-create",
    ),
    path("plan/risk-events/<int:event_id>/edit/", schedule_risk.risk_event_edit, name="risk-event-edit"),
    path(
        "plan/risk-events/<int:event_id>/delete/", schedule_risk.risk_event_delete, name="risk-event-delete"
    ),
]
