"""Project templates: save a project's outline as a template, and open a new project from one.

A template's ``content`` is a dict of sections. Each section knows how to *capture* itself from a
project (dates as day offsets from the planned start) and how to *apply* itself to a new project
(dates shifted to the new start). The built-in sections are below; later apps (tasks, risks) add
theirs with ``template_section`` from their ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_bulk_create, record_create, record_delete, snapshot
from clientpm.customers.models import Customer
from clientpm.projects.models import (
    ChecklistItem,
    Deliverable,
    Goal,
    Milestone,
    Project,
    ProjectMember,
    ProjectTemplate,
    RaciAssignment,
    ScopeItem,
)
from clientpm.projects.services.projects import project_create

Content = list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    capture: Callable[[Project, dt.date], Content]
    apply: Callable[[Project, dt.date, Content, dict[str, list[Any]]], list[Any]]


_SECTIONS: dict[str, Section] = {}


def template_section(name: str, capture: Callable[..., Content], apply: Callable[..., list[Any]]) -> None:
    """Register a template section. ``apply`` gets the new project, its start, the section's rows and
    the rows created by the sections registered before it (by section name), and returns its rows."""
    _SECTIONS[name] = Section(capture=capture, apply=apply)


def _offset(day: dt.date | None, start: dt.date) -> int | None:
    return None if day is None else (day - start).days


def _shift(start: dt.date, offset: int | None) -> dt.date | None:
    return None if offset is None else start + dt.timedelta(days=offset)


# Built-in sections ----------------------------------------------------------------------------------


def _capture_scope(project: Project, start: dt.date) -> Content:
    return [{"kind": i.kind, "text": i.text} for i in project.scope_items.all()]


def _apply_scope(project: Project, start: dt.date, rows: Content, made: dict[str, list[Any]]) -> list[Any]:
    return ScopeItem.objects.bulk_create(
        ScopeItem(project=project, kind=r["kind"], text=r["text"], position=n) for n, r in enumerate(rows)
    )


def _capture_checklist(project: Project, start: dt.date) -> Content:
    return [{"phase": i.phase, "text": i.text} for i in project.checklist_items.all()]


def _apply_checklist(
    project: Project, start: dt.date, rows: Content, made: dict[str, list[Any]]
) -> list[Any]:
    return ChecklistItem.objects.bulk_create(
        ChecklistItem(project=project, phase=r["phase"], text=r["text"], position=n)
        for n, r in enumerate(rows)
    )


def _capture_milestones(project: Project, start: dt.date) -> Content:
    return [
        {"id": m.pk, "name": m.name, "description": m.description, "offset_days": _offset(m.due_date, start)}
        for m in project.milestones.all()
    ]


def _apply_milestones(
    project: Project, start: dt.date, rows: Content, made: dict[str, list[Any]]
) -> list[Any]:
    return Milestone.objects.bulk_create(
        Milestone(
            project=project,
            name=r["name"],
            description=r["description"],
            due_date=_shift(start, r["offset_days"]),
        )
        for r in rows
    )


def _capture_deliverables(project: Project, start: dt.date) -> Content:
    milestones = [m.pk for m in project.milestones.all()]
    return [
        {
            "id": d.pk,
            "name": d.name,
            "description": d.description,
            "acceptance_criteria": d.acceptance_criteria,
            "offset_days": _offset(d.due_date, start),
            "milestone": milestones.index(d.milestone_id) if d.milestone_id in milestones else None,
        }
        for d in project.deliverables.all()
    ]


def _apply_deliverables(
    project: Project, start: dt.date, rows: Content, made: dict[str, list[Any]]
) -> list[Any]:
    milestones = made.get("milestones", [])
    return Deliverable.objects.bulk_create(
        Deliverable(
            project=project,
            name=r["name"],
            description=r["description"],
            acceptance_criteria=r["acceptance_criteria"],
            due_date=_shift(start, r["offset_days"]),
            milestone=milestones[r["milestone"]] if r["milestone"] is not None else None,
            position=n,
        )
        for n, r in enumerate(rows)
    )


def _capture_roles(project: Project, start: dt.date) -> Content:
    members = list(project.members.all())
    deliverables = [d.pk for d in project.deliverables.all()]
    cells = RaciAssignment.objects.filter(deliverable__project=project)
    raci: dict[int, dict[int, str]] = {}
    for cell in cells:
        raci.setdefault(cell.member_id, {})[deliverables.index(cell.deliverable_id)] = cell.role
    return [
        {
            "project_role": m.project_role,
            "allocation_percent": m.allocation_percent,
            "raci": {str(d): letter for d, letter in sorted(raci.get(m.pk, {}).items())},
        }
        for m in members
    ]


def _apply_roles(project: Project, start: dt.date, rows: Content, made: dict[str, list[Any]]) -> list[Any]:
    """Team roles arrive as open roles (no person yet) with their RACI letters kept."""
    members = ProjectMember.objects.bulk_create(
        ProjectMember(
            project=project, project_role=r["project_role"], allocation_percent=r["allocation_percent"]
        )
        for r in rows
    )
    deliverables = made.get("deliverables", [])
    cells = [
        RaciAssignment(deliverable=deliverables[int(d)], member=member, role=letter)
        for member, r in zip(members, rows, strict=True)
        for d, letter in r.get("raci", {}).items()
        if int(d) < len(deliverables)
    ]
    RaciAssignment.objects.bulk_create(cells)
    return members


def _capture_goals(project: Project, start: dt.date) -> Content:
    return [
        {
            "statement": g.statement,
            "metric": g.metric,
            "unit": g.unit,
            "direction": g.direction,
            "rationale": g.rationale,
            "offset_days": _offset(g.deadline_date, start),
        }
        for g in project.goals.all()
    ]


def _apply_goals(project: Project, start: dt.date, rows: Content, made: dict[str, list[Any]]) -> list[Any]:
    """Goals keep their shape; baseline and target are the new customer's own, so they start empty."""
    return Goal.objects.bulk_create(
        Goal(
            project=project,
            statement=r["statement"],
            metric=r["metric"],
            unit=r["unit"],
            direction=r["direction"],
            rationale=r["rationale"],
            deadline_date=_shift(start, r["offset_days"]),
        )
        for r in rows
    )


template_section("scope_items", _capture_scope, _apply_scope)
template_section("checklist", _capture_checklist, _apply_checklist)
template_section("milestones", _capture_milestones, _apply_milestones)
template_section("deliverables", _capture_deliverables, _apply_deliverables)
template_section("roles", _capture_roles, _apply_roles)
template_section("goals", _capture_goals, _apply_goals)


# Services -------------------------------------------------------------------------------------------


def _start_of(project: Project) -> dt.date:
    return project.planned_start_date or timezone.localtime(project.created_at).date()


@transaction.atomic
def project_template_save(
    *, actor: User | None, project: Project, name: str, description: str = ""
) -> ProjectTemplate:
    """Save ``project``'s outline as a new template; names are unique (field error otherwise)."""
    name = name.strip()
    if ProjectTemplate.objects.filter(name=name).exists():
        raise ValidationError({"name": [_("A template with this name already exists.")]})
    start = _start_of(project)
    finish = project.planned_finish_date
    template = ProjectTemplate(
        name=name,
        description=description,
        project_type=project.project_type,
        methodology=project.methodology,
        duration_days=(finish - start).days if finish else 0,
        content={key: section.capture(project, start) for key, section in _SECTIONS.items()},
        source_project=project,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    template.full_clean()
    template.save()
    record_create(actor, template)
    return template


@transaction.atomic
def project_create_from_template(
    *, actor: User | None, template: ProjectTemplate, customer: Customer, **fields: Any
) -> Project:
    """Open a project for ``customer`` from ``template``: its sections are copied with every date
    shifted to the new planned start (today when none is given); the finish follows the template's
    duration unless given."""
    start = fields.get("planned_start_date") or timezone.localdate()
    fields["planned_start_date"] = start
    if not fields.get("planned_finish_date") and template.duration_days:
        fields["planned_finish_date"] = start + dt.timedelta(days=template.duration_days)
    fields.setdefault("project_type", template.project_type)
    fields.setdefault("methodology", template.methodology)
    project = project_create(actor=actor, customer=customer, **fields)
    made: dict[str, list[Any]] = {}
    for key, section in _SECTIONS.items():
        made[key] = section.apply(project, start, template.content.get(key, []), made)
        record_bulk_create(actor, made[key])
    return project


@transaction.atomic
def project_template_delete(*, actor: User | None, template: ProjectTemplate) -> None:
    record_delete(actor, template, snapshot(template))
    template.delete()
