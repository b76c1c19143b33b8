"""Human codes (``C-000123``, ``P-2026-0042``) handed out from gap-tolerant database sequences.

One ``UPDATE … SET last_value = last_value + n`` per allocation holds the row lock until the
transaction ends, so concurrent writers on PostgreSQL never get the same number; on SQLite the
IMMEDIATE transaction mode serialises writers anyway. Bulk paths reserve a block in one statement.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import CodeSequence


def allocate(key: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers for ``key`` and return them."""
    if count < 1:
        raise ValueError("count must be positive")
    with transaction.atomic():
        updated = CodeSequence.objects.filter(key=key).update(last_value=F("last_value") + count)
        if not updated:
            try:
                with transaction.atomic():
                    CodeSequence.objects.create(key=key, last_value=count)
            except IntegrityError:  # another writer created it first
                CodeSequence.objects.filter(key=key).update(last_value=F("last_value") + count)
        last = CodeSequence.objects.values_list("last_value", flat=True).get(key=key)
    return range(last - count + 1, last + 1)


def next_code(key: str, pattern: str) -> str:
    """The next code for ``key`` formatted with ``pattern``, e.g. ``next_code("customer", "C-{:06d}")``."""
    return pattern.format(allocate(key)[0])


def ensure_at_least(key: str, value: int) -> None:
    """Move a sequence forward past codes that were written by hand (imports keep their codes)."""
    CodeSequence.objects.get_or_create(key=key)
    CodeSequence.objects.filter(key=key, last_value__lt=value).update(last_value=value)
