"""Writes of resources (资源) and their assignments (资源分配) to the plan's tasks.

Rules:

- **resource** — a name, unique whatever its letter case; a capacity of more than 0 units per
  working day; a linked user must be active (checked when the link is set or changed) and can be
  only one resource. The capacity cannot go below the units an existing assignment needs (the
  tasks are named): leveling could never fit such a task. Resources carry a version: a stale edit
  is refused (409). A resource with assignments cannot be deleted (409 naming the tasks): remove
  the assignments, or deactivate the resource to keep its history;
- **assignment** — the task must be a leaf task (a summary task takes its work from its subtasks) of
  an open project: a closed or cancelled project refuses it (409), as every plan write does; the
  resource must be active (checked when the assignment is made or moved to another resource) and
  appears at most once per task; the units must be more than 0 and at most the resource's capacity
  (a task needing more than a resource has is infeasible). Assignments carry no version, like
  dependencies: the last change wins. Their writes lock the project row, so they serialise with
  the plan's other writes, and the resource row, so its capacity cannot change underneath.

- **leveling** — accepting a leveling preview (``leveling_apply``) locks the project, refuses a
  closed or cancelled one (409) and a plan that changed since the preview (409, the preview's
  token); the accepted starts must make a schedule that honours every dependency and capacity
  (the independent validator checks it; 422 on ``starts`` otherwise) and move no started task.
  Tasks a resource holds back get a start-no-earlier-than constraint at their leveled start (the
  others follow their predecessors); the project is re-scheduled once and every task must then
  start on its leveled date, else nothing is saved (409).

Every write runs in one transaction and leaves a change record; a refusal leaves nothing behind.

Errors: ``ValidationError`` (422 / field errors), ``ConflictError`` (409), ``StaleVersionError`` (409).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.projects import planning
from clientpm.projects.models import ConstraintType, Project, Task
from clientpm.projects.services.projects import project_ensure_editable
from clientpm.projects.tasks import project_reschedule_job
from clientpm.resources import leveling
from clientpm.resources.models import Assignment, Resource, ResourceKind

RESOURCE_FIELDS = frozenset({"name", "kind", "user", "capacity_units", "is_active", "notes"})
ASSIGNMENT_FIELDS = frozenset({"resource", "units"})
CENT = Decimal("0.01")
MAX_NAMED_TASKS = 20
"""A refusal names at most this many tasks, then says how many more there are."""


def units_text(value: Decimal | int | float) -> str:
    """Units as people write them: ``1``, ``0.5``, ``2.25`` (no trailing zeros)."""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    """``value`` as a finite Decimal with two decimal places, as stored (so ``1`` and ``1.00`` are
    the same value in the change log), else an error on ``field``."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        _add(errors, field, _("Enter a number."))
        return None
    if not number.is_finite():
        _add(errors, field, _("Enter a number."))
        return None
    if number != number.quantize(CENT):
        _add(errors, field, _("Use at most 2 decimal places."))
        return None
    return number.quantize(CENT)


def _task_names(assignments: QuerySet[Assignment]) -> list[str]:
    """``P-2026-0042 1.2 Design`` for the tasks of ``assignments``, at most ``MAX_NAMED_TASKS`` and a
    last line saying how many more."""
    rows = list(
        assignments.order_by("task__project__code", "task__wbs_code", "task_id").values_list(
            "task__project__code", "task__wbs_code", "task__name"
        )[: MAX_NAMED_TASKS + 1]
    )
    names = [f"{code} {wbs} {name}".strip() for code, wbs, name in rows[:MAX_NAMED_TASKS]]
    if len(rows) > MAX_NAMED_TASKS:
        more = assignments.count() - MAX_NAMED_TASKS
        names.append(ngettext("… and %(n)d more task", "… and %(n)d more tasks", more) % {"n": more})
    return names


# Resources --------------------------------------------------------------------------------------------


def _validate_resource(resource: Resource, *, user_changed: bool) -> None:
    errors: dict[str, list[str]] = {}
    resource.name = (resource.name or "").strip()
    if not resource.name:
        _add(errors, "name", _("Give the resource a name."))
    elif Resource.objects.filter(name__iexact=resource.name).exclude(pk=resource.pk).exists():
        _add(errors, "name", _("A resource called “%(name)s” exists already.") % {"name": resource.name})
    capacity = _decimal(resource.capacity_units, "capacity_units", errors)
    if capacity is not None:
        resource.capacity_units = capacity
        if capacity <= 0:
            _add(errors, "capacity_units", _("The capacity must be more than 0 units per working day."))
        elif resource.pk:
            too_big = Assignment.objects.filter(resource_id=resource.pk, units__gt=capacity)
            if too_big.exists():
                _add(
                    errors,
                    "capacity_units",
                    _(
                        "These tasks need more than a capacity of %(capacity)s: %(tasks)s. Lower their units first."
                    )
                    % {"capacity": units_text(capacity), "tasks": "; ".join(_task_names(too_big))},
                )
    if user_changed and resource.user_id:
        person = resource.user
        if not person.is_active:
            _add(errors, "user", _("%(user)s is deactivated.") % {"user": person})
        other = Resource.objects.filter(user_id=resource.user_id).exclude(pk=resource.pk).first()
        if other is not None:
            _add(
                errors,
                "user",
                _("%(user)s is the resource “%(name)s” already.") % {"user": person, "name": other.name},
            )
    if errors:
        raise ValidationError(errors)
    resource.full_clean(validate_unique=False, validate_constraints=False)


def _save_resource(resource: Resource) -> None:
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError as exc:  # a concurrent writer took the name
        raise ValidationError(
            {"name": [_("A resource called “%(name)s” exists already.") % {"name": resource.name}]}
        ) from exc


@transaction.atomic
def resource_create(
    *,
    actor: User | None,
    name: str,
    kind: str = ResourceKind.PERSON,
    capacity_units: Decimal | int | str = Decimal("1"),
    user: User | None = None,
    is_active: bool = True,
    notes: str = "",
) -> Resource:
    """Add a resource: a person (optionally a clientpm user), a team or equipment with a capacity in
    units per working day (1 = one full-time person)."""
    resource = Resource(
        name=name,
        kind=kind,
        capacity_units=capacity_units,
        user=user,
        is_active=is_active,
        notes=notes or "",
    )
    _validate_resource(resource, user_changed=True)
    _save_resource(resource)
    record_create(actor, resource)
    return resource


@transaction.atomic
def resource_update(
    *, actor: User | None, resource: Resource, version: int | None, **fields: Any
) -> Resource:
    """Change a resource's fields; refuses a stale ``version`` (409) and a capacity below the units
    its assignments need (422 naming the tasks)."""
    _check_fields(fields, RESOURCE_FIELDS)
    resource = lock_for_update(Resource.objects.select_related("user"), resource.pk, version)
    before = snapshot(resource)
    user_changed = "user" in fields and getattr(fields["user"], "pk", None) != resource.user_id
    for name, value in fields.items():
        setattr(resource, name, "" if name == "notes" and value is None else value)
    _validate_resource(resource, user_changed=user_changed)
    bump_version(resource)
    _save_resource(resource)
    record_update(actor, resource, before)
    return resource


@transaction.atomic
def resource_delete(*, actor: User | None, resource: Resource, version: int | None = None) -> None:
    """Delete a resource no task needs (409 naming the tasks otherwise)."""
    resource = lock_for_update(Resource.objects.all(), resource.pk, version)
    assigned = Assignment.objects.filter(resource_id=resource.pk)
    count = assigned.count()
    if count:
        raise ConflictError(
            ngettext(
                "“%(name)s” is assigned to %(count)d task; remove the assignment first, or deactivate "
                "the resource to keep its history.",
                "“%(name)s” is assigned to %(count)d tasks; remove the assignments first, or "
                "deactivate the resource to keep its history.",
                count,
            )
            % {"name": resource.name, "count": count},
            _task_names(assigned),
        )
    record_delete(actor, resource, snapshot(resource))
    try:
        with transaction.atomic():
            resource.delete()
    except ProtectedError as exc:  # a task took it meanwhile
        raise ConflictError(_("A task needs this resource now; reload and try again.")) from exc


# Assignments ------------------------------------------------------------------------------------------


def _locked_project(project_id: int) -> Project:
    """The task's project row, locked so plan writes are serialised; 409 when closed or cancelled."""
    project = Project.objects.select_for_update(of=("self",)).get(pk=project_id)
    project_ensure_editable(project)
    return project


def _locked_resource(resource_id: int) -> Resource:
    return Resource.objects.select_for_update(of=("self",)).get(pk=resource_id)


def _validate_assignment(assignment: Assignment, *, resource_changed: bool) -> None:
    errors: dict[str, list[str]] = {}
    task, resource = assignment.task, assignment.resource
    if task.is_summary:
        _add(
            errors,
            "task",
            _("“%(task)s” is a summary task: assign resources to its subtasks.") % {"task": task},
        )
    if resource_changed:
        if not resource.is_active:
            _add(
                errors,
                "resource",
                _("“%(name)s” is inactive: activate it or choose another resource.")
                % {"name": resource.name},
            )
        duplicate = Assignment.objects.filter(task_id=task.pk, resource_id=resource.pk).exclude(
            pk=assignment.pk
        )
        if duplicate.exists():
            _add(
                errors,
                "resource",
                _("“%(name)s” is assigned to this task already; change its units instead.")
                % {"name": resource.name},
            )
    units = _decimal(assignment.units, "units", errors)
    if units is not None:
        assignment.units = units
        if units <= 0:
            _add(errors, "units", _("The units must be more than 0 (1 = one unit for the whole task)."))
        elif units > resource.capacity_units:
            _add(
                errors,
                "units",
                _(
                    "“%(name)s” has a capacity of %(capacity)s per working day; a task cannot need more "
                    "(%(units)s)."
                )
                % {
                    "name": resource.name,
                    "capacity": units_text(resource.capacity_units),
                    "units": units_text(units),
                },
            )
    if errors:
        raise ValidationError(errors)
    assignment.full_clean(exclude=["task", "resource"], validate_unique=False, validate_constraints=False)


def _save_assignment(assignment: Assignment) -> None:
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent writer assigned the same resource
        raise ValidationError({"resource": [_("This resource is assigned to this task already.")]}) from exc


@transaction.atomic
def assignment_create(
    *, actor: User | None, task: Task, resource: Resource, units: Decimal | int | str = Decimal("1")
) -> Assignment:
    """Make ``task`` need ``units`` of ``resource`` on each of its working days (see the rules)."""
    _locked_project(task.project_id)
    task = Task.objects.get(pk=task.pk)  # fresh: it may have become a summary task meanwhile
    resource = _locked_resource(resource.pk)
    assignment = Assignment(task=task, resource=resource, units=units)
    _validate_assignment(assignment, resource_changed=True)
    _save_assignment(assignment)
    record_create(actor, assignment)
    return assignment


@transaction.atomic
def assignment_update(*, actor: User | None, assignment: Assignment, **fields: Any) -> Assignment:
    """Change an assignment's ``resource`` or ``units``; the last change wins (no version)."""
    _check_fields(fields, ASSIGNMENT_FIELDS)
    project_id = Task.objects.filter(pk=assignment.task_id).values_list("project_id", flat=True).get()
    _locked_project(project_id)
    assignment = Assignment.objects.select_related("task").get(pk=assignment.pk)
    before = snapshot(assignment)
    target = fields["resource"].pk if "resource" in fields else assignment.resource_id
    resource_changed = target != assignment.resource_id
    assignment.resource = _locked_resource(target)
    if "units" in fields:
        assignment.units = fields["units"]
    _validate_assignment(assignment, resource_changed=resource_changed)
    _save_assignment(assignment)
    record_update(actor, assignment, before)
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User | None, assignment: Assignment) -> None:
    """Remove an assignment (the task no longer needs the resource)."""
    project_id = Task.objects.filter(pk=assignment.task_id).values_list("project_id", flat=True).get()
    _locked_project(project_id)
    assignment = Assignment.objects.select_related("task", "resource").get(pk=assignment.pk)
    record_delete(actor, assignment, snapshot(assignment))
    assignment.delete()


# Leveling ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelingApplied:
    """What saving a leveled plan did: the project's new finish, how many tasks start later and how
    many got a start-no-earlier-than constraint."""

    project_id: int
    finish_date: date | None
    tasks_moved: int
    constraints_set: int


@transaction.atomic
def leveling_apply(
    *, actor: User | None, project: Project, starts: Mapping[int, date], token: str
) -> LevelingApplied:
    """Save a leveling preview as the plan (see the rules): ``starts`` maps leaf task ids to their
    leveled start dates, ``token`` is the preview's. One re-schedule; a change record per task
    whose constraint changed; projects following moved tasks are re-scheduled by the background
    job after the commit."""
    project = Project.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=project.pk)
    project_ensure_editable(project)
    data = leveling.leveling_input(project)
    if token != data.token:
        raise ConflictError(_("The plan changed since the preview; preview again."))
    planned = leveling.planned_starts(data, starts)
    tasks = list(Task.objects.select_for_update(of=("self",)).filter(pk__in=planned.constrain).order_by("pk"))
    now = timezone.now()
    changed: list[tuple[Task, dict[str, Any]]] = []
    for task in tasks:
        before = snapshot(task)
        task.constraint_type, task.constraint_date = ConstraintType.SNET, planned.constrain[task.pk]
        if snapshot(task) != before:
            bump_version(task)
            task.updated_at = now
            changed.append((task, before))
    Task.objects.bulk_update(
        [task for task, _before in changed], ["constraint_type", "constraint_date", "version", "updated_at"]
    )
    for task, before in changed:
        record_update(actor, task, before)
    try:
        result = planning.project_reschedule(project, strict=True)
    except ValidationError as exc:
        raise ConflictError(
            _("Saving the leveled plan would break a date constraint."), exc.messages
        ) from exc
    scheduled = result.plan.tasks
    off = [task_id for task_id, day in planned.expected.items() if scheduled[task_id].start_date != day]
    if off:
        names = {task.pk: str(task) for task in Task.objects.filter(pk__in=off[:MAX_NAMED_TASKS])}
        raise ConflictError(
            _("The schedule cannot keep the leveled dates of these tasks; preview again."),
            [names.get(task_id, str(task_id)) for task_id in off[:MAX_NAMED_TASKS]],
        )
    for dependent in sorted(result.dependents):
        transaction.on_commit(functools.partial(project_reschedule_job, dependent))
    return LevelingApplied(project.pk, result.plan.finish, planned.moved, len(changed))
