"""URLs of the project's documents and closeout pages, mounted under ``/projects/<pk>/``, and of
the lessons-learned knowledge base (``global_urlpatterns``, outside any one project)."""

from django.urls import path

from clientpm.projects.views import closeout, documents

urlpatterns = [
    path("documents/", documents.tab, name="documents-tab"),
    path("documents/upload/", documents.document_upload, name="document-upload"),
    path("documents/archive/", documents.documents_archive, name="documents-archive"),
    path(
        "documents/<int:document_id>/versions/new/", documents.version_upload, name="document-version-upload"
    ),
    path("documents/<int:document_id>/delete/", documents.document_delete, name="document-delete"),
    path(
        "documents/<int:document_id>/v<int:number>/download/",
        documents.document_download,
        name="document-download",
    ),
    path("closeout/", closeout.tab, name="closeout-tab"),
    path("closeout/evaluation/", closeout.evaluation_edit, name="closeout-evaluation"),
    path("closeout/signoff/", closeout.signoff_edit, name="closeout-signoff"),
    path("closeout/no-lessons/", closeout.no_lessons_toggle, name="closeout-no-lessons"),
    path("closeout/goals/<int:goal_id>/", closeout.goal_evaluation_edit, name="closeout-goal-evaluation"),
    path("lessons/new/", closeout.lesson_create, name="lesson-create"),
    path("lessons/<int:lesson_id>/edit/", closeout.lesson_edit, name="lesson-edit"),
    path("lessons/<int:lesson_id>/delete/", closeout.lesson_delete, name="lesson-delete"),
]
global_urlpatterns = [
    path("lessons/", closeout.lessons, name="lessons"),
]
