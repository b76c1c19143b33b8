"""Writes of the project row itself: create, update, delete, and the closed-project lock that
every other project write checks first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.codes import next_code
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.customers.models import Customer
from clientpm.projects.models import Phase, Project

PROJECT_FIELDS = frozenset(
    {
        "name",
        "project_type",
        "methodology",
        "manager",
        "sponsor",
        "customer_sponsor",
        "priority",
        "planned_start_date",
        "planned_finish_date",
        "actual_start_date",
        "actual_finish_date",
        "health",
        "health_reason",
        "description",
        "scope_statement",
    }
)


def project_code(year: int | None = None) -> str:
    """The next ``P-2026-0042`` code; numbering restarts every year."""
    year = year or timezone.localdate().year
    return next_code(f"project-{year}", f"P-{year}-{{:04d}}")


def project_ensure_editable(project: Project) -> None:
    """Refuse (409) any change to a closed or cancelled project; reopening it comes first."""
    if not project.is_open:
        raise ConflictError(
            _("Project %(code)s is %(phase)s; reopen it before changing it.")
            % {"code": project.code, "phase": project.get_phase_display().lower()}
        )


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _validate(project: Project) -> None:
    project.name = project.name.strip()
    errors: dict[str, list[str]] = {}
    if project.customer_sponsor_id and project.customer_sponsor.customer_id != project.customer_id:
        errors["customer_sponsor"] = [_("The customer sponsor must be a contact of the project's customer.")]
    for name in ("manager", "sponsor"):
        person = getattr(project, name)
        if person is not None and not person.is_active:
            errors[name] = [_("%(user)s is deactivated.") % {"user": person}]
    if project.health != "green" and not project.health_reason.strip():
        errors["health_reason"] = [_("Say why the project is not green.")]
    if errors:
        raise ValidationError(errors)
    project.full_clean(exclude=["code"])


@transaction.atomic
def project_create(*, actor: User | None, customer: Customer, **fields: Any) -> Project:
    """Open a project for ``customer`` in the initiation phase with the next ``P-YYYY-NNNN`` code."""
    _check_fields(fields)
    if customer.is_archived:
        raise ValidationError({"customer": [_("The customer is archived; restore it first.")]})
    project = Project(customer=customer, **fields)
    project.code = project_code()
    project.phase_changed_at = timezone.now()
    _validate(project)
    project.save()
    record_create(actor, project)
    return project


@transaction.atomic
def project_update(*, actor: User | None, project: Project, version: int | None, **fields: Any) -> Project:
    """Change a project's fields (not its phase: see ``lifecycle``); refuses a stale ``version``."""
    _check_fields(fields)
    project = lock_for_update(Project.objects.all(), project.pk, version)
    project_ensure_editable(project)
    before = snapshot(project)
    for name, value in fields.items():
        setattr(project, name, value)
    _validate(project)
    bump_version(project)
    project.save()
    record_update(actor, project, before)
    return project


@transaction.atomic
def project_delete(*, actor: User | None, project: Project, version: int | None = None) -> None:
    """Delete a project still in initiation (later ones hold history: cancel them instead)."""
    project = lock_for_update(Project.objects.all(), project.pk, version)
    if project.phase != Phase.INITIATION:
        raise ConflictError(_("Only a project still in initiation can be deleted; cancel it instead."))
    record_delete(actor, project, snapshot(project))
    project.delete()
