"""``clientpm demo``: load deterministic demo data (see ``clientpm.demo.generate``)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from clientpm.core.audit import audit_source
from clientpm.core.models import AuditSource
from clientpm.customers.models import Customer
from clientpm.demo.generate import generate

SIZES = {"small": (200, 12), "medium": (5_000, 60)}
PHASES = ["departments", "users", "customers", "contacts", "interactions", "segments", "projects"]


class Command(BaseCommand):
    help = "Generate demo data: users, customers, contacts, interactions, segments and projects in Chinese and English."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Same seed and anchor give the same data.")
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--customers", type=int, help="Number of customers (overrides --size).")
        parser.add_argument("--users", type=int, help="Number of users (overrides --size).")
        parser.add_argument(
            "--anchor",
            type=dt.date.fromisoformat,
            default=None,
            help="The 'today' of the data set (YYYY-MM-DD); defaults to today.",
        )
        parser.add_argument("--append", action="store_true", help="Add to a database that has customers.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        customers, users = SIZES[options["size"]]
        customers = options["customers"] if options["customers"] is not None else customers
        users = options["users"] if options["users"] is not None else users
        if customers < 1 or users < 1:
            raise CommandError("--customers and --users must be at least 1.")
        if Customer.objects.exists() and not options["append"]:
            raise CommandError("The database already has customers; pass --append to add demo data anyway.")
        bar = tqdm(total=len(PHASES), disable=options["no_progress"], desc="demo", unit="phase")
        started = time.perf_counter()

        def progress(phase: str) -> None:
            bar.set_postfix_str(phase)
            bar.update(0 if phase == PHASES[0] else 1)

        with audit_source(AuditSource.CLI):
            result = generate(
                seed=options["seed"],
                customers=customers,
                users=users,
                anchor=options["anchor"] or dt.date.today(),
                progress=progress,
            )
        bar.update(1)
        bar.close()
        counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {time.perf_counter() - started:.1f} s: {counts}.")
        )
