"""``clientpm bootstrap``: what `make run` does before serving — migrate, an admin, demo data.

The first run creates an ``admin`` user with a generated password, stored in
``var/initial-admin-password`` (mode 600) and printed on every run until the admin changes it.
Demo data is loaded only when the database has no customers, so a second run is fast and never
touches real data.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from clientpm.accounts import services as account_services
from clientpm.accounts.models import User
from clientpm.accounts.roles import ADMINISTRATOR
from clientpm.core.audit import audit_source
from clientpm.core.models import AuditSource
from clientpm.customers.models import Customer


class Command(BaseCommand):
    help = "Migrate, create the first administrator and load demo data into an empty database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        password_file = settings.VAR_DIR / "initial-admin-password"
        with audit_source(AuditSource.CLI):
            if not User.objects.filter(is_superuser=True).exists():
                password = secrets.token_urlsafe(12)
                account_services.user_create(
                    actor=None,
                    username="admin",
                    password=password,
                    roles=[ADMINISTRATOR],
                    display_name="Administrator",
                    is_staff=True,
                    is_superuser=True,
                )
                password_file.write_text(password + "\n")
                password_file.chmod(0o600)
            if not options["no_demo"] and not Customer.objects.exists():
                call_command("demo", seed=2026)
        self.stdout.write(self.style.SUCCESS("clientpm is ready."))
        admin = User.objects.filter(username="admin").first()
        if password_file.exists() and admin and admin.check_password(password_file.read_text().strip()):
            self.stdout.write(
                f"Log in at http://127.0.0.1:8000/ as admin with password {password_file.read_text().strip()}\n"
                f"(kept in {password_file}; change it under Profile → Change password)."
            )
        else:
            self.stdout.write(
                "Log in at http://127.0.0.1:8000/ with your account "
                "(`clientpm createsuperuser` creates another administrator)."
            )
