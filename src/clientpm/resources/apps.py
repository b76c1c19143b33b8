"""App configuration for resources: registers the project page's Resources tab."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "clientpm.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        # The projects app does not know this app: the tab registry puts the tab on its page.
        from clientpm.projects.tabs import project_tab

        project_tab(
            key="resources",
            label=_("Resources"),
            url_name="resources:project-tab",
            permission="resources.view_assignment",
            order=10,
        )
