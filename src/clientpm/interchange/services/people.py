"""Resources and assignments of an MSPDI file as clientpm rows, under the resources app's rules.

- **resources** — work resources only (people, teams, equipment with a daily capacity); material
  and cost resources are reported with their assignments. A file resource whose name matches an
  existing resource (letter case ignored) *is* that resource, unchanged; an inactive one takes no
  assignments. New resources need ``resources.add_resource``: a person when the maximum units are at
  most 1, a team above; the capacity is the maximum units (1.0 = 100 %);
- **assignments** — need ``resources.add_assignment``; only on leaf tasks, at most once per task and
  resource, at least 0.01 units and at most the resource's capacity (more is limited to it and
  reported: leveling could never fit it). clientpm keeps units per working day, not work.
"""

from __future__ import annotations

import operator
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from typing import Any

from django.db.models import Q

from clientpm.core.audit import record_bulk_create
from clientpm.interchange.report import ImportCode, Notes
from clientpm.interchange.services.rows import TaskRows, clip
from clientpm.resources.models import MIN_UNITS, Assignment, Resource, ResourceKind
from clientpm.scheduling.mspdi import MspdiProject, MspdiResource
from clientpm.scheduling.mspdi import ResourceKind as FileKind

NAME_LENGTH = Resource._meta.get_field("name").max_length or 120
MAX_UNITS = Decimal("99999.99")
_CENT = Decimal("0.01")
_CHUNK = 200


def _units(value: float) -> Decimal:
    return min(Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP), MAX_UNITS)


def may(actor: Any, perm: str) -> bool:
    """Whether ``actor`` holds ``perm`` (no actor: a system import, which may do everything)."""
    return actor is None or bool(actor.has_perm(perm))


def _existing(names: list[str]) -> dict[str, Resource]:
    """Existing resources by lower-cased name (matched letter case ignored, as the resources app does)."""
    found: dict[str, Resource] = {}
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        query = reduce(operator.or_, (Q(name__iexact=name) for name in chunk))
        for resource in Resource.objects.filter(query):
            found[resource.name.lower()] = resource
    return found


def _report_unmapped(resource: MspdiResource, notes: Notes) -> None:
    for element, value in (
        ("Resource/Initials", resource.initials),
        ("Resource/Group", resource.group),
        ("Resource/EmailAddress", resource.email),
    ):
        if value:
            notes.add(ImportCode.RESOURCE_FIELD_NOT_IMPORTED, element, uid=resource.uid, detail=value)
    if resource.calendar_uid is not None:
        notes.add(ImportCode.RESOURCE_FIELD_NOT_IMPORTED, "Resource/CalendarUID", uid=resource.uid)


def create_resources(
    *, actor: Any, mspdi: MspdiProject, notes: Notes
) -> tuple[dict[int, Resource], int, int]:
    """The clientpm resource for each importable file resource (by UID), plus how many were created
    and how many matched existing ones."""
    work = []
    for resource in mspdi.resources:
        if resource.kind is FileKind.WORK:
            work.append(resource)
        else:
            notes.add(
                ImportCode.RESOURCE_KIND_UNSUPPORTED,
                "Resource/Type",
                uid=resource.uid,
                detail=resource.kind.value,
            )
    names = {
        r.uid: clip(r.name.strip() or f"Resource {r.uid}", NAME_LENGTH, notes, "Resource/Name", r.uid)
        for r in work
    }
    existing = _existing(sorted(set(names.values())))
    allowed = may(actor, "resources.add_resource")
    mapped: dict[int, Resource] = {}
    new: dict[str, Resource] = {}
    matched: set[int] = set()
    for resource in work:
        name = names[resource.uid]
        key = name.lower()
        _report_unmapped(resource, notes)
        if key in existing:
            found = existing[key]
            if not found.is_active:
                notes.add(ImportCode.RESOURCE_INACTIVE, "Resource", uid=resource.uid, detail=found.name)
                continue
            notes.add(ImportCode.RESOURCE_MATCHED, "Resource", uid=resource.uid, detail=found.name)
            mapped[resource.uid] = found
            matched.add(found.pk)
            continue
        if key in new:
            notes.add(ImportCode.RESOURCE_DUPLICATE_NAME, "Resource/Name", uid=resource.uid, detail=name)
            mapped[resource.uid] = new[key]
            continue
        if not allowed:
            notes.add(ImportCode.RESOURCE_NOT_PERMITTED, "Resource", uid=resource.uid, detail=name)
            continue
        capacity = _units(resource.max_units if resource.max_units is not None else 1.0)
        if capacity < MIN_UNITS:
            notes.add(
                ImportCode.RESOURCE_CAPACITY_INVALID,
                "Resource/MaxUnits",
                uid=resource.uid,
                detail=f"{resource.max_units:g}" if resource.max_units is not None else "",
            )
            capacity = Decimal("1.00")
        new[key] = Resource(
            name=name,
            kind=ResourceKind.TEAM if capacity > 1 else ResourceKind.PERSON,
            capacity_units=capacity,
            notes=resource.notes.strip(),
        )
        mapped[resource.uid] = new[key]
    created = Resource.objects.bulk_create(list(new.values()), batch_size=500)
    record_bulk_create(actor, created)
    return mapped, len(created), len(matched)


def create_assignments(
    *, actor: Any, mspdi: MspdiProject, rows: TaskRows, resources: dict[int, Resource], notes: Notes
) -> int:
    """Create the file's assignments of the imported resources to the imported leaf tasks."""
    if not mspdi.assignments:
        return 0
    if not may(actor, "resources.add_assignment"):
        for assignment in mspdi.assignments:
            notes.add(ImportCode.ASSIGNMENT_NOT_PERMITTED, "Assignment", uid=assignment.uid)
        return 0
    seen: set[tuple[int, int]] = set()
    created: list[Assignment] = []
    for assignment in mspdi.assignments:
        task = rows.by_uid.get(assignment.task_uid)
        resource = resources.get(assignment.resource_uid)
        if task is None:  # the reader keeps only assignments to its tasks
            continue
        if resource is None:
            notes.add(
                ImportCode.ASSIGNMENT_RESOURCE_NOT_IMPORTED,
                "Assignment",
                uid=assignment.uid,
                detail=str(assignment.resource_uid),
            )
            continue
        if assignment.task_uid in rows.summaries:
            notes.add(ImportCode.ASSIGNMENT_ON_SUMMARY, "Assignment", uid=assignment.uid, detail=task.name)
            continue
        if (task.pk, resource.pk) in seen:
            notes.add(ImportCode.ASSIGNMENT_DUPLICATE, "Assignment", uid=assignment.uid, detail=resource.name)
            continue
        units = _units(assignment.units)
        if units < MIN_UNITS:
            notes.add(
                ImportCode.ASSIGNMENT_UNITS_INVALID,
                "Assignment/Units",
                uid=assignment.uid,
                detail=f"{assignment.units:g}",
            )
            continue
        if units > resource.capacity_units:
            notes.add(
                ImportCode.ASSIGNMENT_UNITS_CAPPED,
                "Assignment/Units",
                uid=assignment.uid,
                detail=f"{assignment.units:g} → {resource.capacity_units.normalize():f}",
            )
            units = resource.capacity_units
        if assignment.work_minutes:
            notes.add(ImportCode.ASSIGNMENT_WORK_RECALCULATED, "Assignment/Work", uid=assignment.uid)
        seen.add((task.pk, resource.pk))
        created.append(Assignment(task=task, resource=resource, units=units))
    Assignment.objects.bulk_create(created, batch_size=1000)
    record_bulk_create(actor, created)
    return len(created)
