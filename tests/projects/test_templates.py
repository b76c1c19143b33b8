"""Templates: a project's outline saved and instantiated for another customer with shifted dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clientpm.customers.services import customer_create
from clientpm.projects.models import (
    ChecklistItem,
    Deliverable,
    Milestone,
    ProjectMember,
    RaciAssignment,
    ScopeItem,
)
from clientpm.projects.services.lifecycle import checklist_item_add
from clientpm.projects.services.projects import project_update
from clientpm.projects.services.templates import project_create_from_template, project_template_save


@pytest.fixture
def outlined(project, pm):
    """A project starting 2026-03-02 with a milestone 30 days in and a deliverable due on day 28."""
    project = project_update(
        actor=pm,
        project=project,
        version=project.version,
        planned_start_date=dt.date(2026, 3, 2),
        planned_finish_date=dt.date(2026, 6, 30),
    )
    milestone = Milestone.objects.create(project=project, name="UAT passed", due_date=dt.date(2026, 4, 1))
    deliverable = Deliverable.objects.create(
        project=project,
        name="Requirements specification",
        due_date=dt.date(2026, 3, 30),
        milestone=milestone,
        acceptance_criteria="Signed by the customer",
    )
    lead = ProjectMember.objects.create(project=project, user=pm, project_role="Project manager")
    analyst = ProjectMember.objects.create(project=project, project_role="Business analyst")
    RaciAssignment.objects.create(deliverable=deliverable, member=lead, role="A")
    RaciAssignment.objects.create(deliverable=deliverable, member=analyst, role="R")
    ScopeItem.objects.create(project=project, kind="out", text="Data migration")
    checklist_item_add(actor=pm, project=project, phase="initiation", text="Kick-off held")
    return project


def test_instantiating_shifts_every_date_to_the_new_start(outlined, pm, account_manager):
    template = project_template_save(actor=pm, project=outlined, name="CRM rollout")
    assert template.duration_days == 120  # 2026-03-02 → 2026-06-30
    other = customer_create(actor=account_manager, name="西南物流", owner=account_manager)
    new = project_create_from_template(
        actor=pm, template=template, customer=other, name="西南 CRM", planned_start_date=dt.date(2027, 1, 4)
    )
    assert new.customer == other
    assert new.planned_finish_date == dt.date(2027, 5, 4)  # 120 days after 2027-01-04
    milestone = Milestone.objects.get(project=new)
    assert milestone.due_date == dt.date(2027, 2, 3)  # 30 days in
    deliverable = Deliverable.objects.get(project=new)
    assert (deliverable.due_date, deliverable.milestone) == (dt.date(2027, 2, 1), milestone)  # day 28
    assert deliverable.acceptance_criteria == "Signed by the customer"
    assert deliverable.status == "planned"


def test_roles_arrive_open_with_their_raci_letters(outlined, pm, customer):
    template = project_template_save(actor=pm, project=outlined, name="CRM rollout")
    new = project_create_from_template(actor=pm, template=template, customer=customer, name="Second rollout")
    members = list(ProjectMember.objects.filter(project=new).order_by("id"))
    assert [(m.project_role, m.user) for m in members] == [
        ("Project manager", None),
        ("Business analyst", None),
    ]
    cells = sorted(
        (c.member.project_role, c.role) for c in RaciAssignment.objects.filter(member__project=new)
    )
    assert cells == [("Business analyst", "R"), ("Project manager", "A")]
    assert list(ScopeItem.objects.filter(project=new).values_list("kind", "text")) == [
        ("out", "Data migration")
    ]
    assert list(ChecklistItem.objects.filter(project=new).values_list("text", "is_done")) == [
        ("Kick-off held", False)
    ]


def test_template_names_are_unique(outlined, pm):
    project_template_save(actor=pm, project=outlined, name="CRM rollout")
    with pytest.raises(ValidationError) as invalid:
        project_template_save(actor=pm, project=outlined, name="CRM rollout")
    assert list(invalid.value.message_dict) == ["name"]


def test_the_source_project_is_untouched(outlined, pm, customer):
    template = project_template_save(actor=pm, project=outlined, name="CRM rollout")
    project_create_from_template(actor=pm, template=template, customer=customer, name="Copy")
    assert Deliverable.objects.filter(project=outlined).count() == 1
    assert ProjectMember.objects.get(project=outlined, project_role="Project manager").user == pm
