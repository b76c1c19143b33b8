"""URLs of the project pages; each concern's patterns live in its own module."""

from django.urls import include, path

from . import documents, goals, projects, scope, team

app_name = "projects"
urlpatterns = [
    *projects.urlpatterns,
    path("<int:pk>/", include(goals.urlpatterns)),
    path("<int:pk>/", include(scope.urlpatterns)),
    path("<int:pk>/", include(team.urlpatterns)),
    path("<int:pk>/", include(documents.urlpatterns)),
    *documents.global_urlpatterns,
]
