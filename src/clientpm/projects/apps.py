"""App configuration for projects."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "clientpm.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # The built-in stage-gate conditions register themselves on import.
        from . import gate_checks  # noqa: F401
