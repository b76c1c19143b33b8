"""The resources services: validation with field-level messages, the change log, refusals (summary
tasks, closed projects, stale versions, resources in use) and transactions that leave nothing
behind when they fail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.models import Assignment, Resource


def records(obj, action: str | None = None):
    qs = ChangeRecord.objects.filter(content_type__model=obj._meta.model_name, object_id=obj.pk)
    return qs.filter(action=action) if action else qs


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- resources -----------------------------------------------------------------------------------------


def test_create_records_the_resource_with_every_field(pm, team_member):
    resource = services.resource_create(
        actor=pm, name="  Bob  ", capacity_units="0.5", user=team_member, notes="part time"
    )
    assert (resource.name, resource.capacity_units, resource.user, resource.kind, resource.version) == (
        "Bob",
        Decimal("0.5"),
        team_member,
        "person",
        1,
    )
    record = records(resource, "create").get()
    assert record.actor == pm
    assert record.changes["name"] == [None, "Bob"]
    assert record.changes["capacity_units"] == [None, "0.50"]
    assert record.changes["user"] == [None, team_member.pk]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the resource a name."),
        ({"name": "alice"}, "name", "A resource called “alice” exists already."),
        (
            {"capacity_units": "0"},
            "capacity_units",
            "The capacity must be more than 0 units per working day.",
        ),
        (
            {"capacity_units": "-1"},
            "capacity_units",
            "The capacity must be more than 0 units per working day.",
        ),
        ({"capacity_units": "abc"}, "capacity_units", "Enter a number."),
        ({"kind": "robot"}, "kind", "Value 'robot' is not a valid choice."),
    ],
)
def test_create_refuses_bad_input_next_to_the_field(pm, alice, fields, field, message):
    data = {"name": "Carol", **fields}
    with pytest.raises(ValidationError) as excinfo:
        services.resource_create(actor=pm, **data)
    assert message in errors_of(excinfo)[field]
    assert Resource.objects.count() == 1  # only Alice


def test_a_user_is_one_resource_and_must_be_active(pm, team_member, executive):
    services.resource_create(actor=pm, name="Member", user=team_member)
    with pytest.raises(ValidationError) as excinfo:
        services.resource_create(actor=pm, name="Member again", user=team_member)
    assert errors_of(excinfo)["user"] == ["Member is the resource “Member” already."]
    executive.is_active = False
    executive.save()
    with pytest.raises(ValidationError) as excinfo:
        services.resource_create(actor=pm, name="Exec", user=executive)
    assert errors_of(excinfo)["user"] == ["Exec is deactivated."]


def test_update_bumps_the_version_and_records_only_what_changed(pm, alice):
    saved = services.resource_update(actor=pm, resource=alice, version=1, capacity_units=Decimal("1.5"))
    assert (saved.version, Resource.objects.get().capacity_units) == (2, Decimal("1.5"))
    assert records(alice, "update").get().changes == {"capacity_units": ["1.00", "1.50"]}
    with pytest.raises(StaleVersionError):
        services.resource_update(actor=pm, resource=alice, version=1, name="Alicia")
    assert Resource.objects.get().name == "Alice"
    # 1.5 again (stored as 1.50): no change, so no second change record
    services.resource_update(actor=pm, resource=alice, version=2, capacity_units="1.5")
    assert records(alice, "update").count() == 1


def test_update_refuses_unknown_fields(pm, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.resource_update(actor=pm, resource=alice, version=1, colour="red")
    assert errors_of(excinfo) == {"colour": ["Unknown field."]}


def test_capacity_cannot_drop_below_what_a_task_needs(pm, team, project, new_task):
    task = new_task(project, "接口开发", 3)
    services.assignment_create(actor=pm, task=task, resource=team, units=Decimal("1.5"))
    with pytest.raises(ValidationError) as excinfo:
        services.resource_update(actor=pm, resource=team, version=1, capacity_units=Decimal("1"), name="Devs")
    assert errors_of(excinfo)["capacity_units"] == [
        f"These tasks need more than a capacity of 1: {project.code} 1 接口开发. Lower their units first."
    ]
    team.refresh_from_db()  # nothing half-written: neither the name nor the version moved
    assert (team.name, team.version, team.capacity_units) == ("开发团队", 1, Decimal("2"))
    assert not records(team, "update").exists()


def test_delete_is_refused_while_tasks_need_the_resource_and_names_them(pm, alice, project, new_task):
    first, second = new_task(project, "调研", 2), new_task(project, "设计", 3)
    for task in (first, second):
        services.assignment_create(actor=pm, task=task, resource=alice)
    with pytest.raises(ConflictError) as excinfo:
        services.resource_delete(actor=pm, resource=alice)
    assert excinfo.value.detail.startswith("“Alice” is assigned to 2 tasks; remove the assignments first")
    assert excinfo.value.reasons == [f"{project.code} 1 调研", f"{project.code} 2 设计"]
    assert Resource.objects.filter(pk=alice.pk).exists()
    assert not records(alice, "delete").exists()


def test_delete_names_at_most_twenty_tasks_then_counts_the_rest(pm, alice, project, new_task):
    for i in range(22):
        services.assignment_create(actor=pm, task=new_task(project, f"T{i}", 1), resource=alice)
    with pytest.raises(ConflictError) as excinfo:
        services.resource_delete(actor=pm, resource=alice)
    # 22 tasks: 20 named, then "… and 2 more tasks"
    assert len(excinfo.value.reasons) == 21
    assert excinfo.value.reasons[-1] == "… and 2 more tasks"


def test_delete_an_unused_resource_records_its_last_values(pm, alice):
    pk = alice.pk
    services.resource_delete(actor=pm, resource=alice, version=1)
    assert not Resource.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(content_type__model="resource", object_id=pk, action="delete")
    assert record.changes["name"] == ["Alice", None]


# --- assignments -------------------------------------------------------------------------------------


def test_assign_records_the_assignment(pm, alice, project, new_task):
    task = new_task(project, "调研", 3)
    assignment = services.assignment_create(actor=pm, task=task, resource=alice, units="0.5")
    assert (assignment.task, assignment.resource, assignment.units) == (task, alice, Decimal("0.5"))
    record = records(assignment, "create").get()
    assert record.changes == {
        "task": [None, task.pk],
        "resource": [None, alice.pk],
        "units": [None, "0.50"],
    }


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ("0", "The units must be more than 0 (1 = one unit for the whole task)."),
        ("-0.5", "The units must be more than 0 (1 = one unit for the whole task)."),
        ("1.5", "“Alice” has a capacity of 1 per working day; a task cannot need more (1.5)."),
        ("0.001", "Use at most 2 decimal places."),
    ],
)
def test_units_must_be_positive_and_within_the_capacity(pm, alice, project, new_task, units, message):
    task = new_task(project, "调研", 3)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_create(actor=pm, task=task, resource=alice, units=units)
    assert message in errors_of(excinfo)["units"]
    assert not Assignment.objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="assignment").exists()


def test_a_summary_task_is_refused(pm, alice, project, new_task):
    summary = new_task(project, "设计", 1)
    new_task(project, "调研", 2, parent=summary)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_create(actor=pm, task=summary, resource=alice)
    assert errors_of(excinfo)["task"] == ["“1 设计” is a summary task: assign resources to its subtasks."]


def test_an_inactive_resource_and_a_second_assignment_of_the_same_resource_are_refused(
    pm, alice, team, project, new_task
):
    task = new_task(project, "调研", 2)
    services.assignment_create(actor=pm, task=task, resource=alice)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_create(actor=pm, task=task, resource=alice)
    assert errors_of(excinfo)["resource"] == [
        "“Alice” is assigned to this task already; change its units instead."
    ]
    services.resource_update(actor=pm, resource=team, version=1, is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_create(actor=pm, task=task, resource=team)
    assert errors_of(excinfo)["resource"] == [
        "“开发团队” is inactive: activate it or choose another resource."
    ]
    assert Assignment.objects.count() == 1


def test_an_inactive_resource_keeps_its_assignments_and_their_units_can_change(pm, alice, project, new_task):
    assignment = services.assignment_create(actor=pm, task=new_task(project, "调研", 2), resource=alice)
    services.resource_update(actor=pm, resource=alice, version=1, is_active=False)
    saved = services.assignment_update(actor=pm, assignment=assignment, units=Decimal("0.25"))
    assert saved.units == Decimal("0.25")


def test_update_changes_units_or_resource_and_records_the_change(pm, alice, team, project, new_task):
    assignment = services.assignment_create(actor=pm, task=new_task(project, "调研", 2), resource=alice)
    services.assignment_update(actor=pm, assignment=assignment, resource=team, units=Decimal("2"))
    assignment.refresh_from_db()
    assert (assignment.resource, assignment.units) == (team, Decimal("2"))
    assert records(assignment, "update").get().changes == {
        "resource": [alice.pk, team.pk],
        "units": ["1.00", "2.00"],
    }
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_update(actor=pm, assignment=assignment, units=Decimal("3"))
    assert (
        "“开发团队” has a capacity of 2 per working day; a task cannot need more (3)."
        in errors_of(excinfo)["units"]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_update(actor=pm, assignment=assignment, task=None)
    assert errors_of(excinfo) == {"task": ["Unknown field."]}


def test_moving_an_assignment_onto_a_resource_already_on_the_task_is_refused(
    pm, alice, team, project, new_task
):
    task = new_task(project, "调研", 2)
    services.assignment_create(actor=pm, task=task, resource=alice)
    other = services.assignment_create(actor=pm, task=task, resource=team)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_update(actor=pm, assignment=other, resource=alice)
    assert "resource" in errors_of(excinfo)
    other.refresh_from_db()
    assert other.resource == team


def test_delete_records_the_assignment(pm, alice, project, new_task):
    assignment = services.assignment_create(actor=pm, task=new_task(project, "调研", 2), resource=alice)
    pk = assignment.pk
    services.assignment_delete(actor=pm, assignment=assignment)
    assert not Assignment.objects.exists()
    record = ChangeRecord.objects.get(content_type__model="assignment", object_id=pk, action="delete")
    assert record.changes["units"] == ["1.00", None]


def test_a_cancelled_project_refuses_every_assignment_write(pm, alice, team, project, new_task):
    task = new_task(project, "调研", 2)
    assignment = services.assignment_create(actor=pm, task=task, resource=alice)
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    refusal = f"Project {project.code} is cancelled; reopen it before changing it."
    with pytest.raises(ConflictError, match=refusal):
        services.assignment_create(actor=pm, task=task, resource=team)
    with pytest.raises(ConflictError, match=refusal):
        services.assignment_update(actor=pm, assignment=assignment, units=Decimal("0.5"))
    with pytest.raises(ConflictError, match=refusal):
        services.assignment_delete(actor=pm, assignment=assignment)
    assert list(Assignment.objects.values_list("resource_id", "units")) == [(alice.pk, Decimal("1"))]


def test_a_failure_after_saving_leaves_nothing_behind(pm, alice, project, new_task, monkeypatch):
    """The save and its change record are one transaction: if recording fails, the row goes too."""
    task = new_task(project, "调研", 2)

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record_create", broken)
    with pytest.raises(RuntimeError):
        services.assignment_create(actor=pm, task=task, resource=alice)
    with pytest.raises(RuntimeError):
        services.resource_create(actor=pm, name="Ghost")
    assert not Assignment.objects.exists()
    assert not Resource.objects.filter(name="Ghost").exists()
