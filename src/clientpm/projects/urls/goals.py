"""URLs of the project's goals pages, mounted under ``/projects/<pk>/``."""

from django.urls import path

from clientpm.projects.views import goals

urlpatterns = [
    path("goals/", goals.tab, name="goals-tab"),
    path("feasibility/new/", goals.feasibility_create, name="feasibility-create"),
    path("feasibility/<int:assessment_id>/edit/", goals.feasibility_edit, name="feasibility-edit"),
    path("goals/new/", goals.goal_create, name="goal-create"),
    path("goals/<int:goal_id>/edit/", goals.goal_edit, name="goal-edit"),
    path("goals/<int:goal_id>/delete/", goals.goal_delete, name="goal-delete"),
    path("goals/<int:goal_id>/measurements/new/", goals.measurement_create, name="measurement-create"),
    path("measurements/<int:measurement_id>/delete/", goals.measurement_delete, name="measurement-delete"),
]
