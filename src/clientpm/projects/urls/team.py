"""URLs of the project's team pages, mounted under ``/projects/<pk>/``."""

from django.urls import path

from clientpm.projects.views import team

urlpatterns = [
    path("team/", team.tab, name="team-tab"),
    path("team/members/add/", team.member_add, name="team-member-add"),
    path("team/members/<int:member_id>/edit/", team.member_edit, name="team-member-edit"),
    path("team/members/<int:member_id>/remove/", team.member_remove, name="team-member-remove"),
    path("team/raci/", team.raci_edit, name="team-raci"),
    path("team/stakeholders/add/", team.stakeholder_add, name="team-stakeholder-add"),
    path("team/stakeholders/<int:stakeholder_id>/edit/", team.stakeholder_edit, name="team-stakeholder-edit"),
    path(
        "team/stakeholders/<int:stakeholder_id>/delete/",
        team.stakeholder_delete,
        name="team-stakeholder-delete",
    ),
]
