"""App configuration for interchange: plans in and out of clientpm (Microsoft Project XML)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "clientpm.interchange"
    label = "interchange"
    verbose_name = _("Interchange")
