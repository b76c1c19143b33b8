"""URLs of the project's scope pages, mounted under ``/projects/<pk>/``."""

from django.urls import path

from clientpm.projects.views import scope

urlpatterns = [
    path("scope/", scope.tab, name="scope-tab"),
    path("scope/statement/", scope.statement_edit, name="scope-statement"),
    path("scope/items/new/", scope.scope_item_create, name="scope-item-create"),
    path("scope/items/<int:item_id>/edit/", scope.scope_item_edit, name="scope-item-edit"),
    path("scope/items/<int:item_id>/delete/", scope.scope_item_delete, name="scope-item-delete"),
    path("scope/items/<int:item_id>/move/", scope.scope_item_move, name="scope-item-move"),
    path("milestones/new/", scope.milestone_create, name="milestone-create"),
    path("milestones/<int:milestone_id>/edit/", scope.milestone_edit, name="milestone-edit"),
    path("milestones/<int:milestone_id>/delete/", scope.milestone_delete, name="milestone-delete"),
    path("deliverables/new/", scope.deliverable_create, name="deliverable-create"),
    path("deliverables/<int:deliverable_id>/edit/", scope.deliverable_edit, name="deliverable-edit"),
    path("deliverables/<int:deliverable_id>/delete/", scope.deliverable_delete, name="deliverable-delete"),
    path(
        "deliverables/<int:deliverable_id>/transition/",
        scope.deliverable_transition,
        name="deliverable-transition",
    ),
]
