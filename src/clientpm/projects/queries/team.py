"""Reads of the project team: members, the RACI matrix, stakeholders with their place on the
power-interest grid, and everything the project page's Team tab shows (a fixed number of queries,
however many deliverables, members or stakeholders there are)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpm.accounts.models import User
from clientpm.customers.models import Contact
from clientpm.projects.models import (
    Deliverable,
    Engagement,
    Project,
    ProjectMember,
    RaciAssignment,
    RaciRole,
    Stakeholder,
)
from clientpm.projects.queries.projects import project_scope

PROJECT_ROLE_SUGGESTIONS = (
    gettext_lazy("Project manager"),
    gettext_lazy("Business analyst"),
    gettext_lazy("Consultant"),
    gettext_lazy("Developer"),
    gettext_lazy("Tester"),
    gettext_lazy("Trainer"),
    gettext_lazy("Customer liaison"),
)
"""Common project roles offered in a datalist; any other role may be typed."""

HIGH_SCORE = 4
"""Influence or interest of 4 or 5 (on 1–5) is "high" on the power-interest grid.

Why not 3: 3 is the scale's middle and the default a new stakeholder gets before anyone assessed
them. Counting it as high would put every unassessed stakeholder into "manage closely", the
quadrant that costs the most attention, and the grid would stop telling the team where to spend it.
A stakeholder must be rated above the middle to move up or right.
"""

ENGAGEMENT_ORDER = list(Engagement.values)
"""Engagement levels from lowest to highest (unaware < resistant < neutral < supportive < leading)."""


class Quadrant(TextChoices):
    """The four cells of the power-interest grid (power = the stakeholder's influence)."""

    MANAGE_CLOSELY = "manage_closely", gettext_lazy("Manage closely")
    KEEP_SATISFIED = "keep_satisfied", gettext_lazy("Keep satisfied")
    KEEP_INFORMED = "keep_informed", gettext_lazy("Keep informed")
    MONITOR = "monitor", gettext_lazy("Monitor")


def stakeholder_quadrant(*, influence: int, interest: int) -> Quadrant:
    """Where a stakeholder sits on the grid; "high" is ``HIGH_SCORE`` or more (see there why).

    >>> stakeholder_quadrant(influence=4, interest=3)
    <Quadrant.KEEP_SATISFIED: 'keep_satisfied'>
    """
    high_power, high_interest = influence >= HIGH_SCORE, interest >= HIGH_SCORE
    if high_power:
        return Quadrant.MANAGE_CLOSELY if high_interest else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if high_interest else Quadrant.MONITOR


def engagement_gap(*, current: str, desired: str) -> bool:
    """True when the current engagement is below the desired one (the team has work to do)."""
    return ENGAGEMENT_ORDER.index(current) < ENGAGEMENT_ORDER.index(desired)


# Members -------------------------------------------------------------------------------------------


def member_list(*, project: Project) -> QuerySet[ProjectMember]:
    """The project's members with their user and how many RACI cells they hold, in one query."""
    return (
        ProjectMember.objects.filter(project=project)
        .select_related("user")
        .annotate(raci_count=Count("raci"))
        .order_by("id")
    )


def member_get(*, user: User | AnonymousUser, pk: int, project_id: int | None = None) -> ProjectMember:
    """A member of a project ``user`` may see (of ``project_id`` when given), or
    ``ProjectMember.DoesNotExist`` (a 404 that never leaks existence)."""
    qs = ProjectMember.objects.filter(project__in=project_scope(user=user))
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    return (
        qs.select_related("project", "project__customer", "user")
        .annotate(raci_count=Count("raci"))
        .get(pk=pk)
    )


def user_for_team(*, pk: int | None, field: str) -> User | None:
    """The user ``pk`` for a member or stakeholder (deactivated ones too: the service says why it
    refuses them), None for None, or a field error for an unknown id."""
    if pk is None:
        return None
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise ValidationError({field: [_("Unknown user.")]})
    return person


# RACI ----------------------------------------------------------------------------------------------


def raci_row_problems(letters: list[str]) -> list[str]:
    """What is wrong with one deliverable row's letters: empty when the row has exactly one A and at
    least one R, or no letter at all (a row not assigned yet is allowed)."""
    if not letters:
        return []
    problems = []
    accountable = letters.count(RaciRole.ACCOUNTABLE)
    if accountable == 0:
        problems.append(_("no Accountable (A); exactly one is needed"))
    elif accountable > 1:
        problems.append(_("%(count)d Accountable (A); exactly one is allowed") % {"count": accountable})
    if RaciRole.RESPONSIBLE not in letters:
        problems.append(_("no Responsible (R); at least one is needed"))
    return problems


@dataclass
class RaciRow:
    """One deliverable's row: a letter (or "") per member column, and what is wrong with it."""

    deliverable: Deliverable
    cells: list[tuple[ProjectMember, str]]
    problems: list[str]

    @property
    def assigned(self) -> bool:
        return any(letter for _m, letter in self.cells)


@dataclass
class RaciMatrix:
    members: list[ProjectMember]
    rows: list[RaciRow] = field(default_factory=list)

    @property
    def letters(self) -> dict[tuple[int, int], str]:
        return {(r.deliverable.pk, m.pk): letter for r in self.rows for m, letter in r.cells if letter}


def raci_matrix(
    *, project: Project, members: list[ProjectMember] | None = None, overrides: dict | None = None
) -> RaciMatrix:
    """Deliverables (rows) × members (columns) in three queries: deliverables, members, cells.

    ``overrides`` (``(deliverable_id, member_id) → letter``) shows what a user typed on a refused
    save instead of what is stored.
    """
    if members is None:
        members = list(member_list(project=project))
    deliverables = list(Deliverable.objects.filter(project=project).only("id", "name", "status", "position"))
    letters = {
        (d, m): role
        for d, m, role in RaciAssignment.objects.filter(deliverable__project=project).values_list(
            "deliverable_id", "member_id", "role"
        )
    }
    if overrides:
        letters.update(overrides)
    rows = []
    for d in deliverables:
        cells = [(m, letters.get((d.pk, m.pk)) or "") for m in members]
        rows.append(RaciRow(d, cells, raci_row_problems([x for _m, x in cells if x])))
    return RaciMatrix(members=members, rows=rows)


# Stakeholders --------------------------------------------------------------------------------------


def stakeholder_list(*, project: Project) -> QuerySet[Stakeholder]:
    """The project's stakeholders, most powerful first, contact and user in the same query."""
    return Stakeholder.objects.filter(project=project).select_related("contact", "user")


def stakeholder_get(*, user: User | AnonymousUser, pk: int, project_id: int | None = None) -> Stakeholder:
    """A stakeholder of a project ``user`` may see (of ``project_id`` when given), or
    ``Stakeholder.DoesNotExist`` (404)."""
    qs = Stakeholder.objects.filter(project__in=project_scope(user=user))
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    return qs.select_related("project", "project__customer", "contact", "user").get(pk=pk)


def stakeholder_contact_choices(*, project: Project) -> QuerySet[Contact]:
    """Contacts a stakeholder may be: those of the project's customer."""
    return (
        Contact.objects.filter(customer_id=project.customer_id).only("id", "name", "title").order_by("name")
    )


def contact_for_stakeholder(*, project: Project, pk: int | None, field: str) -> Contact | None:
    """The contact ``pk`` of the project's customer, None for None, else a field error (the same
    one for an unknown id and another customer's contact, so ids of other customers never leak)."""
    if pk is None:
        return None
    contact = stakeholder_contact_choices(project=project).filter(pk=pk).first()
    if contact is None:
        raise ValidationError(
            {
                field: [
                    _("Choose a contact of the project's customer, %(customer)s.")
                    % {"customer": project.customer.name}
                ]
            }
        )
    return contact


@dataclass
class GridCell:
    quadrant: Quadrant
    stakeholders: list[Stakeholder]


def power_interest_grid(stakeholders: list[Stakeholder]) -> list[GridCell]:
    """The 2×2 grid in reading order (high power on top): keep satisfied, manage closely, monitor,
    keep informed, each with its stakeholders."""
    cells = {
        q: GridCell(q, [])
        for q in (Quadrant.KEEP_SATISFIED, Quadrant.MANAGE_CLOSELY, Quadrant.MONITOR, Quadrant.KEEP_INFORMED)
    }
    for s in stakeholders:
        cells[stakeholder_quadrant(influence=s.influence, interest=s.interest)].stakeholders.append(s)
    return list(cells.values())


# The Team tab --------------------------------------------------------------------------------------


@dataclass
class TeamTab:
    project: Project
    members: list[ProjectMember]
    raci: RaciMatrix
    stakeholders: list[Stakeholder]
    grid: list[GridCell]

    @property
    def open_roles(self) -> int:
        return sum(1 for m in self.members if m.user_id is None)

    @property
    def unassigned_rows(self) -> int:
        return sum(1 for r in self.raci.rows if not r.assigned)


def team_tab(*, project: Project, raci_overrides: dict | None = None) -> TeamTab:
    """Members, the RACI matrix and stakeholders with the grid: five queries in all."""
    members = list(member_list(project=project))
    stakeholders = list(stakeholder_list(project=project))
    for s in stakeholders:
        s.quadrant = stakeholder_quadrant(influence=s.influence, interest=s.interest)
        s.engagement_gap = engagement_gap(current=s.engagement_current, desired=s.engagement_desired)
    return TeamTab(
        project=project,
        members=members,
        raci=raci_matrix(project=project, members=members, overrides=raci_overrides),
        stakeholders=stakeholders,
        grid=power_interest_grid(stakeholders),
    )
