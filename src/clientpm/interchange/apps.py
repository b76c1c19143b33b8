"""App configuration for interchange: plans in and out of clientpm (Microsoft Project XML); registers
the project page's "Import / export" tab."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "clientpm.interchange"
    label = "interchange"
    verbose_name = _("Interchange")

    def ready(self) -> None:
        # The projects app does not know this app: the tab registry puts the tab on its page.
        from clientpm.projects.tabs import project_tab

        project_tab(
            key="interchange",
            label=_("Import / export"),
            url_name="interchange:project-tab",
            permission="projects.view_task",
            order=90,
        )
