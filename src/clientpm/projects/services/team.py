"""Writes of the project team (项目成员), the RACI matrix (责任分配矩阵) and stakeholders (利益相关者).

Rules:

- Every write first refuses a closed or cancelled project (``project_ensure_editable``, 409).
- A member is a project role with an allocation; a member without a user is an *open role* (templates
  create these) that is staffed later by setting the user. A person is on a project's team once; a
  deactivated user is refused. Removing a member removes their RACI cells (each recorded).
- RACI: each deliverable row that has any letter needs exactly one Accountable and at least one
  Responsible. ``raci_set`` refuses the whole save, listing every bad row by deliverable name, and
  writes nothing; a row without letters is allowed (the tab flags it "not assigned yet").
- A stakeholder is exactly one of a contact of the project's customer or a user, once per project.

Every write runs in one transaction and leaves a change record per changed row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_bulk_create, record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.customers.models import Contact
from clientpm.projects.models import (
    Deliverable,
    Project,
    ProjectMember,
    RaciAssignment,
    RaciRole,
    Stakeholder,
)
from clientpm.projects.queries.team import raci_row_problems
from clientpm.projects.services.projects import project_ensure_editable

MEMBER_FIELDS = frozenset({"user", "project_role", "allocation_percent"})
STAKEHOLDER_FIELDS = frozenset(
    {
        "contact",
        "user",
        "role",
        "influence",
        "interest",
        "engagement_current",
        "engagement_desired",
        "communication",
        "notes",
    }
)

RaciCells = Mapping[tuple[int, int], str | None]
"""RACI cells to set: ``(deliverable_id, member_id) → "R" | "A" | "C" | "I"``, or ``None``/"" to clear."""


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _check_active(user: User | None, field: str = "user") -> None:
    if user is not None and not user.is_active:
        raise ValidationError({field: [_("%(user)s is deactivated.") % {"user": user}]})


def _lock_project(project: Project) -> Project:
    """Row-lock the project: team and RACI rules span rows, so concurrent writers queue here."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    project_ensure_editable(locked)
    return locked


# Members -------------------------------------------------------------------------------------------


def _validate_member(member: ProjectMember, *, person_changed: bool) -> None:
    member.project_role = (member.project_role or "").strip()
    if member.user_id is not None and person_changed:
        _check_active(member.user)
        taken = ProjectMember.objects.filter(project_id=member.project_id, user_id=member.user_id)
        if member.pk:
            taken = taken.exclude(pk=member.pk)
        if taken.exists():
            raise ValidationError(
                {"user": [_("%(user)s is already on the project team.") % {"user": member.user}]}
            )
    member.full_clean(exclude=["project"])


def _save_member(member: ProjectMember) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a concurrent writer added the same person
        raise ValidationError({"user": [_("This person is already on the project team.")]}) from exc


@transaction.atomic
def member_add(*, actor: User | None, project: Project, **fields: Any) -> ProjectMember:
    """Add a member to ``project``: ``project_role`` (free text), ``allocation_percent`` (0–100,
    default 100) and ``user`` — leave ``user`` out or ``None`` for an open role to staff later.

    Raises ``ValidationError`` for a person already on the team, a deactivated user or bad fields,
    ``ConflictError`` for a closed project.
    """
    _check_fields(fields, MEMBER_FIELDS)
    project = _lock_project(project)
    member = ProjectMember(project=project, **fields)
    _validate_member(member, person_changed=True)
    _save_member(member)
    record_create(actor, member)
    return member


@transaction.atomic
def member_update(*, actor: User | None, member: ProjectMember, **fields: Any) -> ProjectMember:
    """Change a member's role, allocation or person; setting ``user`` on an open role staffs it.

    Members carry no version column, so concurrent edits are serialised by the project lock and the
    last one wins; the change record keeps both.
    """
    _check_fields(fields, MEMBER_FIELDS)
    _lock_project(member.project)
    member = ProjectMember.objects.select_related("user", "project").get(pk=member.pk)
    before = snapshot(member)
    for name, value in fields.items():
        setattr(member, name, value)
    _validate_member(member, person_changed=member.user_id != before["user"])
    _save_member(member)
    record_update(actor, member, before)
    return member


def member_staff(*, actor: User | None, member: ProjectMember, user: User) -> ProjectMember:
    """Staff an open role (or re-staff a role) with ``user``; same rules as ``member_update``."""
    return member_update(actor=actor, member=member, user=user)


@transaction.atomic
def member_remove(*, actor: User | None, member: ProjectMember) -> int:
    """Take a member off the team with their RACI cells (each recorded); returns the cells removed."""
    _lock_project(member.project)
    member = ProjectMember.objects.select_related("user").get(pk=member.pk)
    cells = list(RaciAssignment.objects.filter(member=member).select_related("deliverable"))
    for cell in cells:
        cell.member = member
        record_delete(actor, cell, snapshot(cell))
    RaciAssignment.objects.filter(member=member).delete()
    record_delete(actor, member, snapshot(member))
    member.delete()
    return len(cells)


# RACI ----------------------------------------------------------------------------------------------


def _normalise_cells(
    cells: RaciCells, deliverables: dict[int, Deliverable], members: dict[int, ProjectMember]
) -> dict[tuple[int, int], str | None]:
    """The cells with letters upper-cased and empty values as None; unknown ids or letters refused."""
    bad_deliverables = sorted({d for d, _m in cells if d not in deliverables})
    bad_members = sorted({m for _d, m in cells if m not in members})
    bad_letters = sorted({str(v) for v in cells.values() if v and str(v).upper() not in RaciRole.values})
    errors = []
    if bad_deliverables:
        errors.append(
            _("Not a deliverable of this project: %(ids)s") % {"ids": ", ".join(map(str, bad_deliverables))}
        )
    if bad_members:
        errors.append(_("Not a member of this project: %(ids)s") % {"ids": ", ".join(map(str, bad_members))})
    if bad_letters:
        errors.append(
            _("Unknown RACI letter: %(letters)s (use R, A, C or I).") % {"letters": ", ".join(bad_letters)}
        )
    if errors:
        raise ValidationError({"cells": errors})
    return {key: (str(v).upper() if v else None) for key, v in cells.items()}


@transaction.atomic
def raci_set(*, actor: User | None, project: Project, cells: RaciCells) -> int:
    """Set RACI cells of ``project`` (the whole grid or only the changed cells; cells not given keep
    their letter) and return how many cells changed.

    Every deliverable row touched by ``cells`` is validated as it will be after the save: a row with
    any letter needs exactly one A and at least one R. One bad row refuses the whole save with
    ``ValidationError({"raci": [one message per bad row, naming the deliverable]})`` and nothing is
    written. Unknown deliverables or members (including another project's) and unknown letters are
    ``ValidationError({"cells": …})``. One change record per changed cell.
    """
    project = _lock_project(project)
    deliverables = {d.pk: d for d in Deliverable.objects.filter(project=project)}
    members = {m.pk: m for m in ProjectMember.objects.filter(project=project).select_related("user")}
    wanted = _normalise_cells(cells, deliverables, members)
    existing = {
        (a.deliverable_id, a.member_id): a
        for a in RaciAssignment.objects.filter(deliverable__project=project).order_by("id")
    }
    grid = {key: a.role for key, a in existing.items()}
    for key, letter in wanted.items():
        if letter:
            grid[key] = letter
        else:
            grid.pop(key, None)

    rows: dict[int, list[str]] = {}
    for (d, _m), letter in grid.items():
        rows.setdefault(d, []).append(letter)
    touched = {d for d, _m in wanted}
    errors = []
    for d in (d for d in deliverables if d in touched):  # in the deliverables' order
        problems = raci_row_problems(rows.get(d, []))
        if problems:
            errors.append(
                _("Deliverable “%(name)s”: %(problems)s.")
                % {"name": deliverables[d].name, "problems": "; ".join(problems)}
            )
    if errors:
        raise ValidationError({"raci": errors})

    created, updated, deleted = [], [], []
    for (d, m), letter in wanted.items():
        cell = existing.get((d, m))
        if cell is None and letter:
            created.append(RaciAssignment(deliverable=deliverables[d], member=members[m], role=letter))
        elif cell is not None and not letter:
            deleted.append(cell)
        elif cell is not None and cell.role != letter:
            updated.append((cell, snapshot(cell), letter))
    for cell in deleted:
        cell.deliverable, cell.member = deliverables[cell.deliverable_id], members[cell.member_id]
        record_delete(actor, cell, snapshot(cell))
    RaciAssignment.objects.filter(pk__in=[c.pk for c in deleted]).delete()
    for cell, before, letter in updated:
        cell.deliverable, cell.member = deliverables[cell.deliverable_id], members[cell.member_id]
        cell.role = letter
        record_update(actor, cell, before)
    RaciAssignment.objects.bulk_update([c for c, _b, _l in updated], ["role"])
    RaciAssignment.objects.bulk_create(created)
    record_bulk_create(actor, created)
    return len(created) + len(updated) + len(deleted)


# Stakeholders --------------------------------------------------------------------------------------


def _validate_stakeholder(stakeholder: Stakeholder, project: Project, *, person_changed: bool) -> None:
    stakeholder.role = (stakeholder.role or "").strip()
    has_contact, has_user = stakeholder.contact_id is not None, stakeholder.user_id is not None
    if has_contact and has_user:
        message = _("Choose either a contact or a user, not both.")
        raise ValidationError({"contact": [message], "user": [message]})
    if not has_contact and not has_user:
        raise ValidationError(
            {"contact": [_("Choose a contact of the customer or a user: a stakeholder is one of them.")]}
        )
    if has_contact and stakeholder.contact.customer_id != project.customer_id:
        raise ValidationError(
            {
                "contact": [
                    _("Choose a contact of the project's customer, %(customer)s.")
                    % {"customer": project.customer.name}
                ]
            }
        )
    if person_changed:
        _check_active(stakeholder.user)
        same = Stakeholder.objects.filter(project=project)
        same = (
            same.filter(contact_id=stakeholder.contact_id)
            if has_contact
            else same.filter(user_id=stakeholder.user_id)
        )
        if stakeholder.pk:
            same = same.exclude(pk=stakeholder.pk)
        if same.exists():
            field = "contact" if has_contact else "user"
            raise ValidationError(
                {field: [_("%(who)s is already a stakeholder of this project.") % {"who": stakeholder}]}
            )
    stakeholder.full_clean(exclude=["project"])


@transaction.atomic
def stakeholder_create(
    *,
    actor: User | None,
    project: Project,
    contact: Contact | None = None,
    user: User | None = None,
    **fields: Any,
) -> Stakeholder:
    """Add a stakeholder: exactly one of ``contact`` (of the project's customer) or ``user`` (active),
    once per project; ``influence`` and ``interest`` 1–5; engagement current and desired.

    Raises ``ValidationError`` naming the field at fault, ``ConflictError`` for a closed project.
    """
    _check_fields(fields, STAKEHOLDER_FIELDS)
    project = _lock_project(project)
    stakeholder = Stakeholder(project=project, contact=contact, user=user, **fields)
    _validate_stakeholder(stakeholder, project, person_changed=True)
    stakeholder.save()
    record_create(actor, stakeholder)
    return stakeholder


@transaction.atomic
def stakeholder_update(
    *, actor: User | None, stakeholder: Stakeholder, version: int | None, **fields: Any
) -> Stakeholder:
    """Change a stakeholder; refuses a stale ``version`` (409) and the same rules as create."""
    _check_fields(fields, STAKEHOLDER_FIELDS)
    project = _lock_project(stakeholder.project)
    stakeholder = lock_for_update(
        Stakeholder.objects.select_related("contact", "user"), stakeholder.pk, version
    )
    before = snapshot(stakeholder)
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    person_changed = (stakeholder.contact_id, stakeholder.user_id) != (before["contact"], before["user"])
    _validate_stakeholder(stakeholder, project, person_changed=person_changed)
    bump_version(stakeholder)
    stakeholder.save()
    record_update(actor, stakeholder, before)
    return stakeholder


@transaction.atomic
def stakeholder_delete(*, actor: User | None, stakeholder: Stakeholder, version: int | None = None) -> None:
    """Delete a stakeholder (a stale ``version``, when given, is refused)."""
    _lock_project(stakeholder.project)
    stakeholder = lock_for_update(
        Stakeholder.objects.select_related("contact", "user"), stakeholder.pk, version
    )
    record_delete(actor, stakeholder, snapshot(stakeholder))
    stakeholder.delete()
