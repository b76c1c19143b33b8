"""App configuration for demo data (top of the layer stack: it may use every app's services)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "clientpm.demo"
    label = "demo"
    verbose_name = _("Demo data")
