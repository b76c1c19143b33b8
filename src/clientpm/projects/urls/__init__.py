"""URLs of the project pages; each concern's patterns live in its own module."""

from django.urls import include, path

from . import documents, goals, plan, projects, schedule_risk, scope, team

app_name = "projects"
urlpatterns = [
    *plan.global_urlpatterns,
    *projects.urlpatterns,
    path("<int:pk>/", include(goals.urlpatterns)),
    path("<int:pk>/", include(scope.urlpatterns)),
    path("<int:pk>/", include(team.urlpatterns)),
    path("<int:pk>/", include(documents.urlpatterns)),
    path("<int:pk>/", include(plan.urlpatterns)),
    path("<int:pk>/", include(schedule_risk.urlpatterns)),
    *documents.global_urlpatterns,
]
