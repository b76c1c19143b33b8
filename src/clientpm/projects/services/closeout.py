"""Writes of the project closeout (收尾与评估) and of lessons learned (经验教训).

Rules:

- every write refuses a closed or cancelled project (``project_ensure_editable``, 409);
- the closeout — goal evaluations, overall rating and summary, the "no lessons learned" statement
  and the customer's sign-off — is recorded from the execution phase on (409 before; a project on
  hold counts as the phase it left);
- a project has one ``Closeout`` row, created by its first write; the final evaluation counts as done
  (``evaluated_by`` / ``evaluated_at`` set by this service) once both the overall rating (1–5) and the
  summary are given, and is re-stamped whenever either changes; clearing either undoes it;
- "no lessons learned" cannot be stated while the project has lessons; recording a lesson withdraws
  an earlier "no lessons" statement (with its own change record);
- the sign-off names a contact of the project's customer and a date that is not in the future;
  contact and date go together (both or neither);
- a goal's evaluation says whether it was achieved, partly or not, with the actual value and a note;
  saving again replaces it;
- lessons learned can be recorded, edited and deleted in any open phase.

Errors: ``ValidationError`` (422 / field errors) for bad input, ``ConflictError`` (409) for a phase
that does not allow the write, ``StaleVersionError`` (409) for a stale version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.projects.models import Closeout, Goal, GoalEvaluation, LessonLearned, Phase, Project
from clientpm.projects.services.projects import project_ensure_editable

CLOSEOUT_FIELDS = frozenset(
    {"overall_rating", "summary", "no_lessons", "signoff_contact", "signoff_date", "signoff_note"}
)
LESSON_FIELDS = frozenset({"category", "what_happened", "impact", "recommendation"})
CLOSEOUT_PHASES = (Phase.EXECUTION, Phase.CLOSING)
"""The phases in which the closeout may be recorded."""


def closeout_allowed(project: Project) -> bool:
    """Whether the closeout of ``project`` may be recorded now (execution phase on, still open)."""
    phase = project.phase_before_hold if project.phase == Phase.ON_HOLD else project.phase
    return phase in CLOSEOUT_PHASES


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _closeout_project(project_id: int) -> Project:
    """The project row, locked so its closeout row is created once; 409 before execution or closed."""
    project = Project.objects.select_for_update().get(pk=project_id)
    project_ensure_editable(project)
    if not closeout_allowed(project):
        raise ConflictError(
            _("The closeout is recorded from the execution phase on; project %(code)s is in %(phase)s.")
            % {"code": project.code, "phase": project.get_phase_display().lower()}
        )
    return project


def _validate_closeout(closeout: Closeout, project: Project) -> None:
    closeout.summary = (closeout.summary or "").strip()
    closeout.signoff_note = (closeout.signoff_note or "").strip()
    errors: dict[str, list[str]] = {}
    if closeout.no_lessons and LessonLearned.objects.filter(project=project).exists():
        errors["no_lessons"] = [
            _("This project has lessons learned; delete them before stating there are none.")
        ]
    contact = closeout.signoff_contact
    if contact is not None and contact.customer_id != project.customer_id:
        errors["signoff_contact"] = [_("Choose a contact of the project's customer.")]
    if closeout.signoff_date is not None and closeout.signoff_date > timezone.localdate():
        errors["signoff_date"] = [_("The sign-off date cannot be in the future.")]
    if closeout.signoff_date is not None and contact is None:
        errors.setdefault("signoff_contact", []).append(_("Say which customer contact signed off."))
    if contact is not None and closeout.signoff_date is None:
        errors.setdefault("signoff_date", []).append(_("Give the date of the sign-off."))
    if errors:
        raise ValidationError(errors)
    closeout.full_clean(exclude=["project", "signoff_contact", "evaluated_by"])


def _stamp_evaluation(closeout: Closeout, before: dict[str, Any], actor: User | None) -> None:
    """Mark the final evaluation done (by ``actor``, now) once rating and summary are both given."""
    complete = closeout.overall_rating is not None and bool(closeout.summary)
    if not complete:
        closeout.evaluated_by = None
        closeout.evaluated_at = None
        return
    changed = (before.get("overall_rating"), before.get("summary")) != (
        closeout.overall_rating,
        closeout.summary,
    )
    if changed or closeout.evaluated_at is None:
        closeout.evaluated_by = actor if getattr(actor, "pk", None) else None
        closeout.evaluated_at = timezone.now()


@transaction.atomic
def closeout_update(*, actor: User | None, project: Project, version: int | None, **fields: Any) -> Closeout:
    """Save some closeout fields of ``project`` (the rest keep their value); the first save creates
    the closeout, whose version is then 1. ``version`` is the closeout version the caller saw."""
    _check_fields(fields, CLOSEOUT_FIELDS)
    project = _closeout_project(project.pk)
    existing = Closeout.objects.filter(project=project).first()
    if existing is None:
        if version is not None and version != 1:
            raise StaleVersionError(1)
        closeout, before = Closeout(project=project), {}
    else:
        closeout = lock_for_update(Closeout.objects.all(), existing.pk, version)
        before = snapshot(closeout)
    for name, value in fields.items():
        setattr(closeout, name, value)
    _validate_closeout(closeout, project)
    _stamp_evaluation(closeout, before, actor)
    if existing is None:
        closeout.save()
        record_create(actor, closeout)
    else:
        if snapshot(closeout) == before:
            return closeout
        bump_version(closeout)
        closeout.save()
        record_update(actor, closeout, before)
    return closeout


@transaction.atomic
def goal_evaluation_set(
    *,
    actor: User | None,
    goal: Goal,
    outcome: str,
    actual_value: Any = None,
    note: str = "",
) -> GoalEvaluation:
    """Record (or replace) the final evaluation of ``goal``: achieved, partly or not achieved."""
    _closeout_project(goal.project_id)
    evaluation = GoalEvaluation.objects.select_for_update().filter(goal_id=goal.pk).first()
    before = snapshot(evaluation) if evaluation is not None else None
    if evaluation is None:
        evaluation = GoalEvaluation(goal=goal)
    evaluation.outcome = outcome
    evaluation.actual_value = actual_value
    evaluation.note = (note or "").strip()
    evaluation.evaluated_by = actor if getattr(actor, "pk", None) else None
    evaluation.full_clean(exclude=["goal", "evaluated_by"])
    evaluation.save()
    if before is None:
        record_create(actor, evaluation)
    else:
        record_update(actor, evaluation, before)
    return evaluation


# Lessons learned ------------------------------------------------------------------------------------


def _prepare_lesson(lesson: LessonLearned) -> None:
    for name in ("what_happened", "impact", "recommendation"):
        setattr(lesson, name, (getattr(lesson, name) or "").strip())
    lesson.full_clean(exclude=["project", "recorded_by"])


def _withdraw_no_lessons(actor: User | None, project: Project) -> None:
    closeout = Closeout.objects.select_for_update().filter(project=project, no_lessons=True).first()
    if closeout is None:
        return
    before = snapshot(closeout)
    closeout.no_lessons = False
    bump_version(closeout)
    closeout.save()
    record_update(actor, closeout, before)


@transaction.atomic
def lesson_create(
    *,
    actor: User | None,
    project: Project,
    category: str,
    what_happened: str,
    recommendation: str,
    impact: str = "",
) -> LessonLearned:
    """Record a lesson learned on ``project``; it joins the cross-project knowledge base."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    project_ensure_editable(project)
    lesson = LessonLearned(
        project=project,
        category=category,
        what_happened=what_happened,
        impact=impact,
        recommendation=recommendation,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    _prepare_lesson(lesson)
    lesson.save()
    record_create(actor, lesson)
    _withdraw_no_lessons(actor, project)
    return lesson


@transaction.atomic
def lesson_update(
    *, actor: User | None, lesson: LessonLearned, version: int | None, **fields: Any
) -> LessonLearned:
    """Change a lesson's category or texts; ``version`` is the one the caller saw (stale → 409)."""
    _check_fields(fields, LESSON_FIELDS)
    project_ensure_editable(Project.objects.get(pk=lesson.project_id))
    lesson = lock_for_update(LessonLearned.objects.all(), lesson.pk, version)
    before = snapshot(lesson)
    for name, value in fields.items():
        setattr(lesson, name, value)
    _prepare_lesson(lesson)
    if snapshot(lesson) == before:
        return lesson
    bump_version(lesson)
    lesson.save()
    record_update(actor, lesson, before)
    return lesson


@transaction.atomic
def lesson_delete(*, actor: User | None, lesson: LessonLearned, version: int | None = None) -> None:
    project_ensure_editable(Project.objects.get(pk=lesson.project_id))
    lesson = lock_for_update(LessonLearned.objects.all(), lesson.pk, version)
    record_delete(actor, lesson, snapshot(lesson))
    lesson.delete()
