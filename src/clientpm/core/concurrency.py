"""Optimistic locking for editable rows: a write that quotes an old version is refused (409)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .errors import StaleVersionError

M = TypeVar("M", bound=models.Model)


def lock_for_update(queryset: models.QuerySet[M], pk: int, expected_version: int | None) -> M:
    """Fetch and row-lock ``pk`` inside the caller's transaction, refusing a stale ``expected_version``.

    ``expected_version`` of ``None`` means the caller does not care (jobs, admin); interactive
    interfaces always send the version they displayed.
    """
    # ``of=("self",)`` locks only this row, so callers may select_related nullable relations
    # (PostgreSQL refuses FOR UPDATE on the nullable side of an outer join).
    obj = queryset.select_for_update(of=("self",)).get(pk=pk)
    current = obj.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise StaleVersionError(current)
    return obj


def bump_version(obj: models.Model) -> None:
    obj.version += 1  # type: ignore[attr-defined]
