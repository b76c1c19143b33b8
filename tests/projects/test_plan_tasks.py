"""Plan services, the task tree: WBS codes through insert, move, indent, outdent and delete;
summary tasks rolled up from their subtasks; progress kept consistent; recurring tasks; the
refusals of a task write (each one named, nothing saved)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.projects.models import ConstraintType, Task, TaskStatus
from clientpm.projects.queries.plan import task_tree
from clientpm.projects.services import plan as services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_update
from clientpm.projects.services.team import member_add

D = dt.date


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 2 March 2026 (no holiday nearby on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


@pytest.fixture
def team_member(team_member, project, pm):
    """The team member on the project's team, so tasks may be given to them."""
    member_add(actor=pm, project=project, user=team_member, project_role="Developer")
    return team_member


def add(pm, project, name, **fields):
    return services.task_create(actor=pm, project=project, name=name, **fields)


def outline(project):
    """The task tree as (WBS code, name) in WBS order, straight from the database."""
    return [(t.wbs_code, t.name) for t in task_tree(project=project)]


def fresh(task):
    return Task.objects.get(pk=task.pk)


def test_tasks_go_only_to_people_on_the_project_team(pm, planned):
    outsider = user_create(actor=None, username="dev", password="pw-Secret-123", roles=[roles.TEAM_MEMBER])
    message = "dev is not on the project team; add them to the team first."  # no display name: the username
    with pytest.raises(ValidationError) as refused:
        add(pm, planned, "开发", owner=outsider, assignees=[outsider])
    assert refused.value.message_dict == {"owner": [message], "assignees": [message]}
    assert not Task.objects.filter(project=planned).exists()
    task = add(pm, planned, "开发")
    with pytest.raises(ValidationError) as refused:
        services.task_update(actor=pm, task=task, version=task.version, assignees=[outsider])
    assert refused.value.message_dict == {"assignees": [message]}
    member_add(actor=pm, project=planned, user=outsider, project_role="Developer")
    task = services.task_update(actor=pm, task=task, version=task.version, owner=outsider)
    assert task.owner == outsider


# --- WBS ---------------------------------------------------------------------------------------------


def test_wbs_codes_follow_inserts_after_a_sibling_and_under_a_parent(pm, planned):
    design = add(pm, planned, "设计")
    build = add(pm, planned, "开发")
    add(pm, planned, "需求", after=None, parent=None)
    add(pm, planned, "概要设计", parent=design)
    add(pm, planned, "详细设计", parent=design)
    add(pm, planned, "评审", after=design)  # right after 设计, before 开发
    add(pm, planned, "接口开发", parent=build)
    assert outline(planned) == [
        ("1", "设计"),
        ("1.1", "概要设计"),
        ("1.2", "详细设计"),
        ("2", "评审"),
        ("3", "开发"),
        ("3.1", "接口开发"),
        ("4", "需求"),
    ]
    assert [t.depth for t in task_tree(project=planned)] == [0, 1, 1, 0, 0, 1, 0]
    assert (fresh(design).is_summary, fresh(build).is_summary) == (True, True)


def test_ten_siblings_number_1_10_after_1_9_in_tree_order(pm, planned):
    phase = add(pm, planned, "实施")
    for i in range(10):
        add(pm, planned, f"步骤{i + 1}", parent=phase)
    codes = [code for code, _name in outline(planned)]
    assert codes == ["1", *[f"1.{i}" for i in range(1, 11)]]


def test_indent_puts_the_task_under_the_one_above_and_outdent_after_its_parent(pm, planned):
    a = add(pm, planned, "A")
    b = add(pm, planned, "B")
    c = add(pm, planned, "C")
    add(pm, planned, "C1", parent=c)
    services.task_indent(actor=pm, task=b)
    services.task_indent(actor=pm, task=c)  # C (with C1) goes under A, after B
    assert outline(planned) == [("1", "A"), ("1.1", "B"), ("1.2", "C"), ("1.2.1", "C1")]
    services.task_outdent(actor=pm, task=b)  # B goes right after A; C stays under A
    assert outline(planned) == [("1", "A"), ("1.1", "C"), ("1.1.1", "C1"), ("2", "B")]
    assert fresh(a).is_summary
    assert not fresh(b).is_summary


def test_indent_and_outdent_refuse_at_the_edges_naming_the_task(pm, planned):
    a = add(pm, planned, "A")
    with pytest.raises(ValidationError) as no_task_above:
        services.task_indent(actor=pm, task=a)
    assert no_task_above.value.message_dict == {
        "parent": ["“1 A” has no task above it at its level to go under."]
    }
    with pytest.raises(ValidationError) as top:
        services.task_outdent(actor=pm, task=a)
    assert top.value.message_dict == {"parent": ["“1 A” is already at the top level."]}


def test_move_reorders_and_reparents_and_refuses_moving_under_itself(pm, planned):
    a = add(pm, planned, "A")
    b = add(pm, planned, "B")
    a1 = add(pm, planned, "A1", parent=a)
    add(pm, planned, "A2", parent=a)
    services.task_move(actor=pm, task=b, parent=None, position=0)  # B up to first
    assert outline(planned) == [("1", "B"), ("2", "A"), ("2.1", "A1"), ("2.2", "A2")]
    services.task_move(actor=pm, task=a1, parent=b, position=5)  # past the end = last
    assert outline(planned) == [("1", "B"), ("1.1", "A1"), ("2", "A"), ("2.1", "A2")]
    with pytest.raises(ValidationError) as refused:
        services.task_move(actor=pm, task=b, parent=a1, position=0)
    assert refused.value.message_dict == {
        "parent": ["“1 B” cannot move under itself or one of its subtasks."]
    }
    move = ChangeRecord.objects.filter(object_id=a1.pk, action="update").latest("id")
    assert move.changes["parent"] == [a.pk, b.pk]


def test_delete_removes_the_subtree_and_closes_the_gap(pm, planned):
    a = add(pm, planned, "A")
    add(pm, planned, "A1", parent=a)
    b = add(pm, planned, "B")
    add(pm, planned, "B1", parent=b)
    b2 = add(pm, planned, "B2", parent=b)
    add(pm, planned, "C")
    assert services.task_delete(actor=pm, task=a) == 2
    assert outline(planned) == [("1", "B"), ("1.1", "B1"), ("1.2", "B2"), ("2", "C")]
    services.task_delete(actor=pm, task=fresh(b2))
    services.task_delete(actor=pm, task=Task.objects.get(name="B1"))
    assert outline(planned) == [("1", "B"), ("2", "C")]
    assert not fresh(b).is_summary  # a summary without children is a plain task again
    assert ChangeRecord.objects.filter(action="delete", object_repr__endswith="A1").exists()


def test_delete_with_a_stale_version_is_refused(pm, planned):
    a = add(pm, planned, "A")
    services.task_update(actor=pm, task=a, version=a.version, name="A+")
    with pytest.raises(StaleVersionError):
        services.task_delete(actor=pm, task=a, version=a.version)
    assert Task.objects.filter(pk=a.pk).exists()


# --- summaries -----------------------------------------------------------------------------------------


def test_a_summary_rolls_up_dates_effort_and_duration_weighted_progress(pm, planned):
    phase = add(pm, planned, "蓝图设计")
    first = add(pm, planned, "调研", parent=phase, duration_days=4, effort_hours=Decimal("32"))
    second = add(pm, planned, "方案", parent=phase, duration_days=6, effort_hours=Decimal("40.5"))
    services.dependency_create(actor=pm, predecessor=first, successor=second)
    services.task_update(
        actor=pm, task=fresh(first), version=None, percent_complete=50, actual_start_date=D(2026, 3, 2)
    )
    phase = fresh(phase)
    # 调研 Mon 2 – Thu 5 March, 方案 Fri 6 – Fri 13 March (6 working days); 10 working days in all
    assert (phase.start_date, phase.finish_date, phase.duration_days) == (D(2026, 3, 2), D(2026, 3, 13), 10)
    assert phase.effort_hours == Decimal("72.50")
    assert phase.percent_complete == 20  # (4 × 50 + 6 × 0) / 10
    assert phase.is_summary
    assert phase.is_critical


def test_a_summary_refuses_its_own_duration_effort_and_progress(pm, planned):
    phase = add(pm, planned, "实施")
    add(pm, planned, "部署", parent=phase)
    with pytest.raises(ValidationError) as refused:
        services.task_update(
            actor=pm,
            task=fresh(phase),
            version=None,
            duration_days=9,
            effort_hours=Decimal(8),
            percent_complete=30,
        )
    message = "A summary task takes this from its subtasks."
    assert refused.value.message_dict == {
        "duration_days": [message],
        "effort_hours": [message],
        "percent_complete": [message],
    }


def test_moving_a_summary_moves_its_subtasks(pm, planned):
    phase = add(pm, planned, "上线")
    child = add(pm, planned, "切换", parent=phase, duration_days=2)
    services.task_update(actor=pm, task=fresh(phase), version=None, start_date=D(2026, 3, 9))
    assert (fresh(child).start_date, fresh(child).finish_date) == (D(2026, 3, 9), D(2026, 3, 10))
    assert (fresh(phase).constraint_type, fresh(phase).constraint_date) == (
        ConstraintType.SNET,
        D(2026, 3, 9),
    )


# --- moving a task (a dragged bar) -----------------------------------------------------------------------


def test_start_date_becomes_a_start_no_earlier_than_constraint(pm, planned):
    task = add(pm, planned, "培训", duration_days=3)
    moved = services.task_update(
        actor=pm, task=task, version=task.version, start_date=D(2026, 3, 7)
    )  # a Saturday
    assert (moved.constraint_type, moved.constraint_date) == (ConstraintType.SNET, D(2026, 3, 7))
    assert (moved.start_date, moved.finish_date) == (D(2026, 3, 9), D(2026, 3, 11))  # rolls to Monday
    pinned = services.task_update(
        actor=pm,
        task=moved,
        version=moved.version,
        constraint_type=ConstraintType.MSO,
        constraint_date=D(2026, 3, 12),
    )
    again = services.task_update(actor=pm, task=pinned, version=pinned.version, start_date=D(2026, 3, 16))
    assert (again.constraint_type, again.constraint_date, again.start_date) == (
        ConstraintType.MSO,
        D(2026, 3, 16),
        D(2026, 3, 16),
    )


def test_a_move_before_the_predecessors_allow_is_refused_with_the_earliest_start(pm, planned):
    design = add(pm, planned, "设计", duration_days=5)
    build = add(pm, planned, "开发", duration_days=2)
    services.dependency_create(actor=pm, predecessor=design, successor=build)
    build = fresh(build)
    with pytest.raises(ValidationError) as refused:
        services.task_update(actor=pm, task=build, version=build.version, start_date=D(2026, 3, 4))
    assert refused.value.message_dict == {
        "start_date": [
            "“2 开发” cannot start on 2026-03-04: its predecessors, summary task or the status date allow "
            "2026-03-09 at the earliest."
        ]
    }
    after = fresh(build)
    assert (after.version, after.constraint_type, after.start_date) == (
        build.version,
        ConstraintType.ASAP,
        D(2026, 3, 9),
    )


def test_a_started_task_is_not_moved_by_dragging(pm, planned):
    task = add(pm, planned, "调研", duration_days=3, actual_start_date=D(2026, 3, 2))
    with pytest.raises(ValidationError) as refused:
        services.task_update(actor=pm, task=task, version=task.version, start_date=D(2026, 3, 5))
    assert refused.value.message_dict == {
        "start_date": ["“1 调研” has started; change its actual start instead."]
    }


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"duration_days": -1}, {"duration_days": ["The duration cannot be negative."]}),
        (
            {"optimistic_days": Decimal(8), "pessimistic_days": Decimal(5)},
            {"optimistic_days": ["The optimistic estimate must not exceed the pessimistic one."]},
        ),
        (
            {"optimistic_days": Decimal(2), "most_likely_days": Decimal(9), "pessimistic_days": Decimal(5)},
            {"most_likely_days": ["The most likely estimate must not exceed the pessimistic one."]},
        ),
        (
            {"constraint_type": ConstraintType.MFO},
            {"constraint_date": ["The constraint “Must finish on” needs a date."]},
        ),
        ({"name": "   "}, {"name": ["Give the task a name."]}),
        (
            {"percent_complete": 101},
            {"percent_complete": ["The percent complete must be between 0 and 100."]},
        ),
        ({"recurrence": "monthly"}, {"recurrence_count": ["Say how many times the task repeats."]}),
        (
            {"actual_start_date": D(2026, 3, 5), "actual_finish_date": D(2026, 3, 4)},
            {"actual_finish_date": ["The actual finish cannot be before the actual start."]},
        ),
    ],
)
def test_bad_task_input_is_refused_naming_the_field_and_nothing_is_saved(pm, planned, fields, errors):
    fields = {"name": "任务", **fields}
    with pytest.raises(ValidationError) as refused:
        services.task_create(actor=pm, project=planned, **fields)
    assert refused.value.message_dict == errors
    assert not Task.objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="task").exists()


def test_actual_dates_in_the_future_are_refused(pm, planned):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        add(pm, planned, "调研", actual_start_date=tomorrow)
    assert refused.value.message_dict == {"actual_start_date": ["An actual date cannot be in the future."]}


def test_a_deactivated_owner_and_another_projects_deliverable_are_refused(pm, planned, customer, team_member):
    from clientpm.accounts.services import user_update
    from clientpm.projects.services.projects import project_create
    from clientpm.projects.services.scope import deliverable_create

    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    foreign = deliverable_create(actor=pm, project=other, name="二期方案")
    user_update(actor=None, user=team_member, version=team_member.version, is_active=False)
    team_member.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        add(pm, planned, "方案编写", owner=team_member, deliverable=foreign)
    assert refused.value.message_dict == {
        "owner": [f"{team_member} is deactivated."],
        "deliverable": ["Choose one of this project's own."],
    }


def test_a_closed_project_refuses_plan_changes(pm, planned, admin_user):
    task = add(pm, planned, "A")
    project_transition(
        actor=admin_user, project=planned, to_phase="cancelled", version=planned.version, reason="客户取消"
    )
    with pytest.raises(ConflictError):
        services.task_update(actor=pm, task=task, version=None, name="B")
    with pytest.raises(ConflictError):
        add(pm, planned, "C")


# --- three-point estimate, progress, recurrence --------------------------------------------------------------


def test_three_point_estimate_gives_the_pert_duration_when_none_is_given(pm, planned):
    task = add(
        pm,
        planned,
        "数据迁移",
        optimistic_days=Decimal(4),
        most_likely_days=Decimal(6),
        pessimistic_days=Decimal(11),
    )
    assert task.duration_days == 7  # (4 + 24 + 11) / 6 = 6.5 → 7
    explicit = add(
        pm, planned, "测试", duration_days=3, optimistic_days=Decimal(1), pessimistic_days=Decimal(9)
    )
    assert explicit.duration_days == 3


def test_progress_status_and_actual_dates_stay_consistent(pm, planned):
    task = add(pm, planned, "调研", duration_days=5)  # scheduled 2–6 March 2026
    started = services.task_update(actor=pm, task=task, version=task.version, percent_complete=40)
    assert (started.status, started.actual_start_date) == (TaskStatus.IN_PROGRESS, D(2026, 3, 2))
    done = services.task_update(actor=pm, task=started, version=started.version, status=TaskStatus.DONE)
    assert (done.percent_complete, done.actual_start_date, done.actual_finish_date) == (
        100,
        D(2026, 3, 2),
        D(2026, 3, 6),
    )
    reopened = services.task_update(actor=pm, task=done, version=done.version, status=TaskStatus.IN_PROGRESS)
    assert (reopened.percent_complete, reopened.actual_start_date, reopened.actual_finish_date) == (
        0,
        D(2026, 3, 2),
        None,
    )
    reset = services.task_update(
        actor=pm, task=reopened, version=reopened.version, status=TaskStatus.NOT_STARTED
    )
    assert (reset.percent_complete, reset.actual_start_date) == (0, None)
    with pytest.raises(ValidationError) as refused:
        services.task_update(
            actor=pm,
            task=reset,
            version=reset.version,
            status=TaskStatus.IN_PROGRESS,
            actual_finish_date=D(2026, 3, 6),
        )
    assert refused.value.message_dict == {
        "actual_finish_date": ["A task with an actual finish is done; set its status to done."]
    }


def test_a_recurring_task_becomes_a_series_of_occurrences_under_a_summary(pm, project, team_member):
    project = project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 1, 5)
    )
    series = add(
        pm,
        project,
        "月度客户评审",
        recurrence="monthly",
        recurrence_count=6,
        duration_days=1,
        owner=pm,
        assignees=[team_member],
        start_date=D(2026, 1, 31),
    )
    occurrences = list(Task.objects.filter(parent=series).order_by("position"))
    assert [t.name for t in occurrences] == [f"月度客户评审 {i}" for i in range(1, 7)]
    assert [t.wbs_code for t in occurrences] == [f"1.{i}" for i in range(1, 7)]
    # month ends clamp: 31 Jan, 28 Feb, 31 Mar, 30 Apr, 31 May, 30 Jun
    assert [t.constraint_date for t in occurrences] == [
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
    ]
    # scheduled on the China calendar: 31 Jan is a Saturday → Mon 2 Feb; 28 Feb is a worked Saturday
    # (调休); 31 May is a Sunday → Mon 1 June
    assert [t.start_date for t in occurrences] == [
        D(2026, 2, 2),
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 6, 1),
        D(2026, 6, 30),
    ]
    assert all(t.owner_id == pm.pk and list(t.assignees.all()) == [team_member] for t in occurrences)
    series = fresh(series)
    assert (series.is_summary, series.recurrence, series.recurrence_count) == (True, "monthly", 6)
    assert (series.start_date, series.finish_date) == (D(2026, 2, 2), D(2026, 6, 30))
    with pytest.raises(ValidationError) as refused:
        services.task_update(actor=pm, task=series, version=None, recurrence_count=8)
    assert list(refused.value.message_dict) == ["recurrence_count"]


def test_the_series_can_be_weekly(pm, planned):
    series = add(pm, planned, "周例会", recurrence="weekly", recurrence_count=3, duration_days=0)
    assert [t.constraint_date for t in Task.objects.filter(parent=series).order_by("position")] == [
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
    ]


def test_task_writes_are_recorded_with_assignees(pm, planned, team_member):
    other = user_create(actor=None, username="dev", password="pw-Secret-123", roles=[roles.TEAM_MEMBER])
    member_add(actor=pm, project=planned, user=other, project_role="Tester")
    task = add(pm, planned, "开发", assignees=[team_member])
    services.task_update(actor=pm, task=task, version=task.version, assignees=[team_member, other])
    record = ChangeRecord.objects.filter(object_id=task.pk, action="update").latest("id")
    assert record.changes["assignees"] == [[team_member.pk], sorted([team_member.pk, other.pk])]
    assert record.actor == pm
