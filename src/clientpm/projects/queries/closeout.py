"""Reads of the closeout and of lessons learned: the project's closeout (or a blank one), its goals
with their final evaluations, its lessons, the cross-project lessons knowledge base in the reader's
scope, the sign-off contact picker and the closeout tab — each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.customers.models import Contact
from clientpm.projects.models import Closeout, Goal, GoalEvaluation, LessonLearned, Project
from clientpm.projects.queries.projects import project_scope
from clientpm.projects.services.closeout import closeout_allowed


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    return project_scope(user=user).values("pk")


# The closeout ---------------------------------------------------------------------------------------


def closeout_get(*, project: Project) -> Closeout:
    """The project's closeout with the sign-off contact and evaluator; an unsaved blank one (version
    1) before the first write."""
    found = Closeout.objects.select_related("signoff_contact", "evaluated_by").filter(project=project).first()
    return found or Closeout(project=project)


def number_text(value: Decimal | None) -> str:
    """A stored decimal without trailing zeros (``99.5000`` → ``99.5``); empty for None."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def goal_evaluation_of(goal: Goal) -> GoalEvaluation | None:
    """The goal's final evaluation, or None (no query when loaded by ``goal_list_with_evaluations``)."""
    return getattr(goal, "evaluation", None)


def goal_list_with_evaluations(*, project: Project) -> QuerySet[Goal]:
    """The project's goals by deadline, each with its final evaluation and evaluator (one query)."""
    return (
        Goal.objects.filter(project=project)
        .select_related("evaluation", "evaluation__evaluated_by")
        .order_by("deadline_date", "id")
    )


def evaluation_goal_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> Goal:
    """A goal of a project the user may see (of ``project`` when given), with its evaluation, else
    ``Goal.DoesNotExist``."""
    qs = Goal.objects.filter(project__in=_visible(user)).select_related(
        "project", "evaluation", "evaluation__evaluated_by"
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs.get(pk=pk)


def signoff_contact_choices(*, project: Project) -> QuerySet[Contact]:
    """The people who may sign the project off: the contacts of the project's customer."""
    return Contact.objects.filter(customer_id=project.customer_id).order_by("name", "id")


def signoff_contact(*, project: Project, pk: int, field: str) -> Contact:
    """Contact ``pk`` of the project's customer; any other id is a field error naming ``field``."""
    found = signoff_contact_choices(project=project).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("Choose a contact of the project's customer.")]})
    return found


# Lessons learned ------------------------------------------------------------------------------------


def _lesson_rows(qs: QuerySet[LessonLearned]) -> QuerySet[LessonLearned]:
    return qs.select_related("project", "project__customer", "recorded_by").order_by("-created_at", "-id")


def lesson_list(*, project: Project) -> QuerySet[LessonLearned]:
    """The project's lessons learned, newest first, with who recorded them (one query)."""
    return _lesson_rows(LessonLearned.objects.filter(project=project))


def lesson_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> LessonLearned:
    """A lesson of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = LessonLearned.objects.filter(project__in=_visible(user))
    if project is not None:
        qs = qs.filter(project=project)
    return _lesson_rows(qs).get(pk=pk)


def lesson_search(
    *,
    user: User | AnonymousUser,
    q: str = "",
    category: str = "",
    project_id: int | None = None,
) -> QuerySet[LessonLearned]:
    """The lessons knowledge base: lessons of every project the user may see, newest first, matching
    ``q`` anywhere in what happened, the impact, the recommendation or the project's name (or the
    project's code exactly), optionally of one ``category`` or project. One query per page."""
    qs = LessonLearned.objects.filter(project__in=_visible(user))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(what_happened__icontains=q)
            | Q(impact__icontains=q)
            | Q(recommendation__icontains=q)
            | Q(project__name__icontains=q)
            | Q(project__code__iexact=q)
        )
    if category:
        qs = qs.filter(category=category)
    if project_id:
        qs = qs.filter(project_id=project_id)
    return _lesson_rows(qs)


# The closeout tab -----------------------------------------------------------------------------------


@dataclass
class CloseoutTab:
    """Everything the project page's closeout tab shows."""

    project: Project
    closeout: Closeout
    goals: list[Goal] = field(default_factory=list)
    lessons: list[LessonLearned] = field(default_factory=list)
    allowed: bool = False

    @property
    def evaluated_goals(self) -> int:
        return sum(1 for g in self.goals if goal_evaluation_of(g) is not None)

    @property
    def can_change(self) -> bool:
        """Whether closeout fields may be written now (open project, execution phase on)."""
        return self.project.is_open and self.allowed


def closeout_tab(*, project: Project) -> CloseoutTab:
    """The closeout tab of a project already loaded through the reader's scope (three queries)."""
    goals = list(goal_list_with_evaluations(project=project))
    for goal in goals:
        final = goal_evaluation_of(goal)
        goal.final = final  # type: ignore[attr-defined]
        goal.target_text = number_text(goal.target_value)  # type: ignore[attr-defined]
        goal.actual_text = number_text(final.actual_value if final else None)  # type: ignore[attr-defined]
    return CloseoutTab(
        project=project,
        closeout=closeout_get(project=project),
        goals=goals,
        lessons=list(lesson_list(project=project)),
        allowed=closeout_allowed(project),
    )
