"""URLs of the project list, board, project page, phase moves, checklists and templates."""

from django.urls import path

from clientpm.projects.views import projects, templates

urlpatterns = [
    path("", projects.project_list, name="list"),
    path("board/", projects.project_board, name="board"),
    path("new/", projects.project_create_view, name="create"),
    path("templates/", templates.templates, name="templates"),
    path("templates/<int:template_id>/delete/", templates.template_delete, name="template-delete"),
    path("for-customer/<int:customer_pk>/", projects.customer_projects, name="customer-projects"),
    path("<int:pk>/", projects.project_detail, name="detail"),
    path("<int:pk>/edit/", projects.project_edit, name="edit"),
    path("<int:pk>/delete/", projects.project_delete_view, name="delete"),
    path("<int:pk>/history/", projects.project_history, name="history"),
    path("<int:pk>/transition/", projects.project_transition, name="transition"),
    path("<int:pk>/board-move/", projects.board_move, name="board-move"),
    path("<int:pk>/checklist/", projects.checklist_add, name="checklist-add"),
    path("<int:pk>/checklist/<int:item_id>/toggle/", projects.checklist_toggle, name="checklist-toggle"),
    path("<int:pk>/checklist/<int:item_id>/delete/", projects.checklist_delete, name="checklist-delete"),
    path("<int:pk>/save-as-template/", templates.template_save, name="template-save"),
]
