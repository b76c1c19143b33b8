"""App configuration for accounts; keeps the role groups in step with the role table after migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs):  # type: ignore[no-untyped-def]
    from .services import roles_sync

    roles_sync(using=using)


class AccountsConfig(AppConfig):
    name = "clientpm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Permissions are created by Django's own post_migrate handler; roles are granted after it.
        post_migrate.connect(_sync_roles, dispatch_uid="clientpm.accounts.roles_sync")
