"""Reads of projects: the row-level scope, the filtered list, the kanban board and the project page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.customers.queries import customer_scope
from clientpm.projects.filters import PROJECT_SORTS, ProjectFilters
from clientpm.projects.gates import ConditionResult, gate_evaluate
from clientpm.projects.models import ACTIVE_PHASES, PHASE_ORDER, GateDecision, Phase, Project, ProjectMember


def project_scope(*, user: User | AnonymousUser) -> QuerySet[Project]:
    """Projects ``user`` may see: all with ``view_all_projects``; else those they manage, sponsor or
    are a member of, and those of the customers they may see (account managers follow their
    customers' projects). The Platform issue folds this into the one scoping layer."""
    qs = Project.objects.all()
    if not user.is_authenticated or not user.has_perm("projects.view_project"):
        return qs.none()
    if user.has_perm("projects.view_all_projects"):
        return qs
    member = ProjectMember.objects.filter(project_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(
        Q(manager_id=user.pk)
        | Q(sponsor_id=user.pk)
        | Exists(member)
        | Q(customer__in=customer_scope(user=user).values("pk"))
    )


def _rows(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.select_related("customer", "manager")


def project_filter(
    qs: QuerySet[Project], filters: ProjectFilters, *, user: User | AnonymousUser
) -> QuerySet[Project]:
    """Apply ``filters`` to a project queryset (no ordering, no scoping)."""
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(customer__name__icontains=q))
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.phase:
        qs = qs.filter(phase__in=filters.phase)
    if filters.manager:
        qs = qs.filter(manager_id=filters.manager)
    if filters.health:
        qs = qs.filter(health__in=filters.health)
    if filters.project_type:
        qs = qs.filter(project_type__in=filters.project_type)
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority)
    if filters.mine:
        member = ProjectMember.objects.filter(project_id=OuterRef("pk"), user_id=user.pk)
        qs = qs.filter(Q(manager_id=user.pk) | Exists(member))
    return qs


def project_list(*, user: User | AnonymousUser, filters: ProjectFilters) -> QuerySet[Project]:
    """The project list: scoped, filtered, sorted, with customer and manager in the same query."""
    qs = project_filter(project_scope(user=user), filters, user=user)
    return _rows(qs).order_by(PROJECT_SORTS[filters.sort], "-id")


def project_get(*, user: User | AnonymousUser, pk: int) -> Project:
    """One project the user may see, or ``Project.DoesNotExist`` (a 404 that never leaks existence)."""
    return _rows(project_scope(user=user)).select_related("sponsor", "customer_sponsor").get(pk=pk)


def project_visible(*, user: User | AnonymousUser, pk: int) -> bool:
    return project_scope(user=user).filter(pk=pk).exists()


def projects_by_ids(*, user: User | AnonymousUser, ids: Iterable[int], field: str) -> list[Project]:
    """Projects by id for a write that refers to them; an unknown or invisible id is a field error."""
    wanted = list(dict.fromkeys(ids))
    found = {p.pk: p for p in project_scope(user=user).filter(pk__in=wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {field: [_("Unknown project: %(ids)s") % {"ids": ", ".join(map(str, missing))}]}
        )
    return [found[i] for i in wanted]


@dataclass
class BoardColumn:
    phase: str
    label: str
    projects: list[Project] = field(default_factory=list)


def project_board(*, user: User | AnonymousUser, filters: ProjectFilters) -> list[BoardColumn]:
    """The kanban board: one column per phase (closed and cancelled only when asked for), one query."""
    phases = list(filters.phase) or [*ACTIVE_PHASES, Phase.ON_HOLD]
    columns = {
        p: BoardColumn(phase=p, label=str(Phase(p).label))
        for p in [*PHASE_ORDER, Phase.ON_HOLD, Phase.CANCELLED]
        if p in phases
    }
    board_filters = filters.model_copy(update={"phase": phases})
    for project in project_list(user=user, filters=board_filters)[:1000]:
        columns[project.phase].projects.append(project)
    return list(columns.values())


def project_counts_by_phase(*, user: User | AnonymousUser, customer_id: int | None = None) -> dict[str, int]:
    """How many visible projects sit in each phase, in one aggregate query."""
    qs = project_scope(user=user)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return dict(qs.values_list("phase").annotate(n=Count("id")).values_list("phase", "n"))


@dataclass
class ProjectOverview:
    """What the project page's header and overview tab show."""

    project: Project
    gate: list[ConditionResult]
    decisions: list[GateDecision]
    team_size: int
    next_phase: str | None


def next_phase(project: Project) -> str | None:
    """The phase the forward gate leads to, or None when there is no forward move."""
    if project.phase not in ACTIVE_PHASES:
        return None
    return PHASE_ORDER[PHASE_ORDER.index(project.phase) + 1]


def project_overview(*, user: User | AnonymousUser, pk: int) -> ProjectOverview:
    project = project_get(user=user, pk=pk)
    return ProjectOverview(
        project=project,
        gate=gate_evaluate(project) if project.phase in ACTIVE_PHASES else [],
        decisions=list(project.gate_decisions.select_related("decided_by")[:20]),
        team_size=project.members.filter(user__isnull=False).count(),
        next_phase=next_phase(project),
    )
