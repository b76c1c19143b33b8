"""Reads of a project's scope: scope items, milestones and deliverables with their late flags, the
acceptance history, the pickers of the scope forms and the scope tab — each in a fixed number of
queries, whatever the number of rows.

Late flags are computed in SQL against ``today`` (the reader's local date unless a caller fixes it):
a milestone is late when it is not achieved and its date has passed, or was achieved after its date;
a deliverable is late when it is neither accepted nor waived and its due date has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.customers.models import Contact
from clientpm.projects.models import (
    DONE_DELIVERABLE_STATUSES,
    Deliverable,
    DeliverableReview,
    Milestone,
    MilestoneStatus,
    Project,
    ScopeItem,
    ScopeKind,
)
from clientpm.projects.queries.projects import project_scope
from clientpm.projects.services.scope import deliverable_next_statuses

DELIVERABLE_ORDER = ("position", F("due_date").asc(nulls_last=True), "id")


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    return project_scope(user=user).values("pk")


def _late(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# Scope items ----------------------------------------------------------------------------------------


def scope_item_list(*, project: Project, kind: str | None = None) -> QuerySet[ScopeItem]:
    """The project's scope items, in scope first, each list in its order."""
    qs = ScopeItem.objects.filter(project=project)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "position", "id")


def scope_item_get(*, user: User | AnonymousUser, pk: int, project: Project | None = None) -> ScopeItem:
    """A scope item of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = ScopeItem.objects.filter(project__in=_visible(user)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.get(pk=pk)


# Milestones -----------------------------------------------------------------------------------------


def _milestone_rows(qs: QuerySet[Milestone], today: date | None) -> QuerySet[Milestone]:
    day = _today(today)
    linked = Deliverable.objects.order_by(*DELIVERABLE_ORDER).only("id", "name", "status", "milestone_id")
    return qs.annotate(
        is_late=_late(
            (~Q(status=MilestoneStatus.ACHIEVED) & Q(due_date__lt=day))
            | Q(status=MilestoneStatus.ACHIEVED, achieved_date__gt=F("due_date"))
        )
    ).prefetch_related(Prefetch("deliverables", queryset=linked))


def milestone_list(*, project: Project, today: date | None = None) -> QuerySet[Milestone]:
    """The project's milestones by date, with ``is_late`` and the linked deliverables (two queries)."""
    return _milestone_rows(Milestone.objects.filter(project=project), today).order_by("due_date", "id")


def milestone_get(
    *, user: User | AnonymousUser, pk: int, project: Project | None = None, today: date | None = None
) -> Milestone:
    """A milestone of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = Milestone.objects.filter(project__in=_visible(user)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return _milestone_rows(qs, today).get(pk=pk)


def milestone_choices(*, project: Project) -> QuerySet[Milestone]:
    """The milestones a deliverable of ``project`` may be linked to."""
    return Milestone.objects.filter(project=project).order_by("due_date", "id")


def project_milestone(*, project: Project, pk: int, field: str) -> Milestone:
    """Milestone ``pk`` of ``project`` for a write that links to it; any other id is a field error."""
    found = milestone_choices(project=project).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("Choose a milestone of this project.")]})
    return found


# Deliverables ---------------------------------------------------------------------------------------


def _deliverable_rows(qs: QuerySet[Deliverable], today: date | None) -> QuerySet[Deliverable]:
    day = _today(today)
    return qs.select_related("owner", "milestone").annotate(
        is_late=_late(Q(due_date__lt=day) & ~Q(status__in=DONE_DELIVERABLE_STATUSES))
    )


def _reviews() -> QuerySet[DeliverableReview]:
    return DeliverableReview.objects.select_related("reviewer_contact", "recorded_by").order_by(
        "-reviewed_at", "-id"
    )


def deliverable_list(
    *, project: Project, today: date | None = None, with_reviews: bool = False
) -> QuerySet[Deliverable]:
    """The project's deliverables in their order (undated last), with owner, milestone and
    ``is_late``; with ``with_reviews`` also their acceptance history, newest first (one more query)."""
    qs = _deliverable_rows(Deliverable.objects.filter(project=project), today).order_by(*DELIVERABLE_ORDER)
    if with_reviews:
        qs = qs.prefetch_related(Prefetch("reviews", queryset=_reviews()))
    return qs


def deliverable_get(
    *, user: User | AnonymousUser, pk: int, project: Project | None = None, today: date | None = None
) -> Deliverable:
    """A deliverable of a project the user may see (of ``project`` when given), else ``DoesNotExist``."""
    qs = Deliverable.objects.filter(project__in=_visible(user)).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return _deliverable_rows(qs, today).get(pk=pk)


def deliverable_review_list(*, deliverable: Deliverable) -> QuerySet[DeliverableReview]:
    """A deliverable's acceptance history, newest first, with reviewer contact and recorder."""
    return _reviews().filter(deliverable=deliverable)


def review_contact_choices(*, project: Project) -> QuerySet[Contact]:
    """The people who may review a deliverable: the contacts of the project's customer."""
    return Contact.objects.filter(customer_id=project.customer_id).only("id", "name", "title", "customer_id")


def review_contact(*, project: Project, pk: int, field: str) -> Contact:
    """Contact ``pk`` of the project's customer; any other id is a field error naming ``field``."""
    found = review_contact_choices(project=project).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("Choose a contact of the project's customer.")]})
    return found


# The scope tab --------------------------------------------------------------------------------------


@dataclass
class ScopeTab:
    """Everything the project page's scope tab shows."""

    project: Project
    in_scope: list[ScopeItem] = field(default_factory=list)
    out_of_scope: list[ScopeItem] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    deliverables: list[Deliverable] = field(default_factory=list)

    @property
    def late_deliverables(self) -> int:
        return sum(1 for d in self.deliverables if d.is_late)  # type: ignore[attr-defined]

    @property
    def done_deliverables(self) -> int:
        return sum(1 for d in self.deliverables if d.status in DONE_DELIVERABLE_STATUSES)


def _with_next_steps(deliverables: Iterable[Deliverable]) -> list[Deliverable]:
    rows = list(deliverables)
    for d in rows:
        d.next_statuses = deliverable_next_statuses(d.status)  # type: ignore[attr-defined]
    return rows


def scope_tab(*, project: Project, today: date | None = None) -> ScopeTab:
    """The scope tab of a project already loaded through the reader's scope: five queries."""
    items = list(scope_item_list(project=project))
    return ScopeTab(
        project=project,
        in_scope=[i for i in items if i.kind == ScopeKind.IN_SCOPE],
        out_of_scope=[i for i in items if i.kind == ScopeKind.OUT_OF_SCOPE],
        milestones=list(milestone_list(project=project, today=today)),
        deliverables=_with_next_steps(deliverable_list(project=project, today=today, with_reviews=True)),
    )
