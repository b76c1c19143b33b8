"""URLs of the resources pages (``/resources/``) and of the project page's Resources tab
(``/resources/projects/<pk>/…``), with its leveling preview and apply."""

from django.urls import path

from clientpm.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.resource_list, name="list"),
    path("new/", views.resource_create, name="create"),
    path("<int:resource_id>/edit/", views.resource_edit, name="edit"),
    path("<int:resource_id>/delete/", views.resource_delete, name="delete"),
    path("projects/<int:pk>/", views.project_tab, name="project-tab"),
    path("projects/<int:pk>/tasks/<int:task_id>/row/", views.task_row, name="task-row"),
    path("projects/<int:pk>/tasks/<int:task_id>/assign/", views.assignment_create, name="assignment-create"),
    path(
        "projects/<int:pk>/assignments/<int:assignment_id>/edit/",
        views.assignment_edit,
        name="assignment-edit",
    ),
    path(
        "projects/<int:pk>/assignments/<int:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment-delete",
    ),
    path("projects/<int:pk>/leveling/", views.leveling_form, name="leveling-form"),
    path("projects/<int:pk>/leveling/preview/", views.leveling_preview, name="leveling-preview"),
    path("projects/<int:pk>/leveling/apply/", views.leveling_apply, name="leveling-apply"),
]
