"""The audit trail (变更记录): every service write calls one of these functions.

Services take a ``snapshot`` of a row before changing it and call ``record_update`` after, so the
stored change lists each field's old and new value. The *source* of a write (web, API, admin,
import, job, CLI) is request-scoped context, not an argument threaded through every service: the
middleware, the job runner and the CLI set it with ``audit_source(...)``. The acting user is always
passed explicitly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditAction, AuditSource, ChangeRecord

Snapshot = dict[str, Any]

_source: ContextVar[str] = ContextVar("clientpm_audit_source", default=AuditSource.SYSTEM)


@contextlib.contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Label every change recorded inside the block with ``source`` (one of ``AuditSource``)."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str:
    return _source.get()


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value that still compares equal for equal values."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj: models.Model, m2m: Mapping[str, Iterable[Any]] | None = None) -> Snapshot:
    """Field values of ``obj`` keyed by field name (foreign keys by id, M2M passed in by the caller)."""
    data: Snapshot = {}
    for field in obj._meta.concrete_fields:
        if field.name in ("created_at", "updated_at", "version") or field.primary_key:
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    for name, values in (m2m or {}).items():
        data[name] = _plain(list(values))
    return data


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """Fields whose value differs, as ``{field: [old, new]}``."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _record(actor: Any, action: str, obj: models.Model, changes: dict[str, list[Any]]) -> ChangeRecord:
    return ChangeRecord(
        actor=actor if getattr(actor, "pk", None) else None,
        source=_source.get(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:255],
        changes=changes,
    )


def record_create(actor: Any, obj: models.Model, after: Snapshot | None = None) -> ChangeRecord:
    """Record that ``obj`` was created; every field appears with old value null."""
    after = snapshot(obj) if after is None else after
    record = _record(actor, AuditAction.CREATE, obj, diff({}, after))
    record.save()
    return record


def record_update(
    actor: Any, obj: models.Model, before: Snapshot, after: Snapshot | None = None
) -> ChangeRecord | None:
    """Record the fields of ``obj`` that changed since ``before``; nothing when nothing changed."""
    changes = diff(before, snapshot(obj) if after is None else after)
    if not changes:
        return None
    record = _record(actor, AuditAction.UPDATE, obj, changes)
    record.save()
    return record


def record_delete(actor: Any, obj: models.Model, before: Snapshot) -> ChangeRecord:
    """Record that ``obj`` (whose primary key must still be set) was deleted, keeping its last values."""
    record = _record(actor, AuditAction.DELETE, obj, diff(before, {}))
    record.save()
    return record


def record_bulk_create(actor: Any, objs: Iterable[models.Model], batch_size: int = 2000) -> int:
    """Record many creations in one bulk insert; the bulk paths (demo, import) use this."""
    records = [_record(actor, AuditAction.CREATE, obj, diff({}, snapshot(obj))) for obj in objs]
    ChangeRecord.objects.bulk_create(records, batch_size=batch_size)
    return len(records)
