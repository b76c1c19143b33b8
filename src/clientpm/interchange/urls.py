"""URLs of the interchange pages (``/interchange/``): the import page, an import's summary, and the
project page's "Import / export" tab with the MSPDI download (``/interchange/projects/<pk>/…``)."""

from django.urls import path

from clientpm.interchange import views

app_name = "interchange"
urlpatterns = [
    path("import/", views.plan_import_page, name="import"),
    path("imports/<int:pk>/", views.plan_import_summary, name="summary"),
    path("projects/<int:pk>/", views.project_tab, name="project-tab"),
    path("projects/<int:pk>/export.xml", views.plan_export_download, name="export"),
]
