"""Resource leveling of a project through the query (preview) and the service (apply), against
hand-computed dates, with the independent validator judging every saved plan.

Projects run on the Monday–Friday calendar from Monday 2 March 2026: working days Mon 2, Tue 3,
Wed 4, Thu 5, Fri 6, then Mon 9, Tue 10, Wed 11 (the weekend 7–8 is skipped)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from clientpm.core.errors import ConflictError
from clientpm.core.models import ChangeRecord
from clientpm.projects.models import Task, TaskDependency
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.models import Assignment, Resource
from clientpm.resources.queries import leveling_preview, project_resource_load
from clientpm.scheduling.calendar import monday_to_friday, working_day_index
from clientpm.scheduling.validator import validate_schedule

D = dt.date
MONDAY = D(2026, 3, 2)
TYPES = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}


def assign(pm, task, resource, units="1"):
    return services.assignment_create(actor=pm, task=task, resource=resource, units=Decimal(units))


def dates(project):
    return {
        t.name: (t.start_date, t.finish_date)
        for t in Task.objects.filter(project=project, is_summary=False).order_by("wbs_code")
    }


def stored_plan_check(project):
    """The validator on the plan as stored: start points from the stored dates, durations, the
    stored dependencies, demand and capacity in hundredths — no code shared with the leveling."""
    tasks = list(Task.objects.filter(project=project, is_summary=False).order_by("pk"))
    number = {t.pk: i for i, t in enumerate(tasks)}
    start = working_day_index(monday_to_friday(), [t.start_date for t in tasks], origin=MONDAY)
    links = [
        d for d in TaskDependency.objects.filter(successor__project=project) if d.predecessor_id in number
    ]
    resources = list(Resource.objects.order_by("pk"))
    column = {r.pk: k for k, r in enumerate(resources)}
    demand = np.zeros((len(tasks), len(resources)), dtype=np.int64)
    for a in Assignment.objects.filter(task__in=tasks):
        demand[number[a.task_id], column[a.resource_id]] += int(a.units * 100)
    return validate_schedule(
        start,
        [t.duration_days for t in tasks],
        pred=[number[d.predecessor_id] for d in links],
        succ=[number[d.successor_id] for d in links],
        dep_type=[TYPES[d.dependency_type] for d in links],
        lag=[d.lag_days for d in links],
        demand=demand,
        capacity=[int(r.capacity_units * 100) for r in resources],
    )


@pytest.fixture
def parallel(pm, project, alice, new_task):
    """1 需求调研 and 2 接口开发: 3 days each from Mon 2 (Mon 2–Wed 4), both need Alice × 1."""
    a, b = new_task(project, "需求调研", 3), new_task(project, "接口开发", 3)
    assign(pm, a, alice)
    assign(pm, b, alice)
    return a, b


def test_the_preview_moves_the_second_task_by_three_working_days(
    project, parallel, django_assert_max_num_queries
):
    assert dates(project) == {
        "需求调研": (D(2026, 3, 2), D(2026, 3, 4)),
        "接口开发": (D(2026, 3, 2), D(2026, 3, 4)),
    }
    assert stored_plan_check(project).capacity  # Alice is asked for 2 units on Mon 2, Tue 3, Wed 4
    with django_assert_max_num_queries(6):
        preview = leveling_preview(project=project)
    # Alice can do one at a time: 1 keeps Mon 2–Wed 4 (WBS order breaks the tie), 2 waits three
    # working days: Thu 5, Fri 6, Mon 9. The project finishes on Mon 9 instead of Wed 4.
    assert [
        (
            m.wbs_code,
            m.name,
            m.start_date,
            m.leveled_start_date,
            m.leveled_finish_date,
            m.delay_days,
            m.by_resource,
        )
        for m in preview.moves
    ] == [("2", "接口开发", D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 9), 3, True)]
    assert (preview.finish_date, preview.leveled_finish_date, preview.finish_delay_days) == (
        D(2026, 3, 4),
        D(2026, 3, 9),
        3,
    )
    # 6 working days of work for one person: the energy bound is reached, so it is proven optimal
    assert (preview.method, preview.status, preview.makespan_days, preview.lower_bound_days) == (
        "heuristic",
        "optimal",
        6,
        6,
    )
    assert preview.gap == 0
    assert preview.conflicts == []
    assert dates(project)["接口开发"] == (D(2026, 3, 2), D(2026, 3, 4))  # nothing stored


def test_apply_saves_a_start_no_earlier_than_constraint_and_the_overload_is_gone(pm, project, parallel):
    a, b = parallel
    assert len(project_resource_load(project=project).over_allocations) == 1
    preview = leveling_preview(project=project)
    applied = services.leveling_apply(
        actor=pm, project=project, starts=dict(preview.starts), token=preview.token
    )
    assert (applied.finish_date, applied.tasks_moved, applied.constraints_set) == (D(2026, 3, 9), 1, 1)
    b.refresh_from_db()
    assert (b.constraint_type, b.constraint_date, b.version) == ("snet", D(2026, 3, 5), 2)
    assert Task.objects.get(pk=a.pk).constraint_type == "asap"
    assert dates(project) == {
        "需求调研": (D(2026, 3, 2), D(2026, 3, 4)),
        "接口开发": (D(2026, 3, 5), D(2026, 3, 9)),
    }
    check = stored_plan_check(project)
    assert check.valid, [str(p) for p in check.problems]
    assert project_resource_load(project=project).over_allocations == []
    project.refresh_from_db()
    assert project.scheduled_finish_date == D(2026, 3, 9)
    record = ChangeRecord.objects.filter(object_id=b.pk, action="update").latest("pk")
    assert record.actor == pm
    assert record.changes == {"constraint_date": [None, "2026-03-05"], "constraint_type": ["asap", "snet"]}
    # levelled once, nothing is left to move
    assert leveling_preview(project=project).moves == []


def test_a_successor_follows_without_a_constraint_of_its_own(pm, project, alice, parallel, new_task):
    """1 is followed by 3 系统测试 (5 days), 2 by 4 上线 (2 days), both FS and without resources.
    Delaying 1 would end the plan on Fri 13; delaying 2 by 3 working days (Thu 5 – Mon 9) moves 4
    to Tue 10 – Wed 11, still within 3's finish (Thu 5 … Wed 11): the finish stays Wed 11."""
    a, b = parallel
    d, c = new_task(project, "系统测试", 5), new_task(project, "上线", 2)
    plan_services.dependency_create(actor=pm, predecessor=a, successor=d)
    plan_services.dependency_create(actor=pm, predecessor=b, successor=c)
    preview = leveling_preview(project=project)
    assert [
        (m.name, m.leveled_start_date, m.leveled_finish_date, m.delay_days, m.by_resource)
        for m in preview.moves
    ] == [
        ("接口开发", D(2026, 3, 5), D(2026, 3, 9), 3, True),
        ("上线", D(2026, 3, 10), D(2026, 3, 11), 3, False),
    ]
    assert (preview.finish_date, preview.leveled_finish_date, preview.finish_delay_days) == (
        D(2026, 3, 11),
        D(2026, 3, 11),
        0,
    )
    applied = services.leveling_apply(
        actor=pm, project=project, starts=dict(preview.starts), token=preview.token
    )
    assert (applied.tasks_moved, applied.constraints_set) == (2, 1)
    c.refresh_from_db()
    assert (c.constraint_type, c.start_date, c.finish_date) == ("asap", D(2026, 3, 10), D(2026, 3, 11))
    assert stored_plan_check(project).valid


def test_a_milestone_after_a_moved_task_is_accepted_on_its_leveled_date(pm, project, parallel, new_task):
    """2 接口开发 moves to Thu 5 – Mon 9; the milestone 验收 (FS after it) is dated on its
    predecessor's finish day, Mon 9. The preview's dates, accepted as they are, must save."""
    _a, b = parallel
    gate = new_task(project, "验收", 0)
    plan_services.dependency_create(actor=pm, predecessor=b, successor=gate)
    preview = leveling_preview(project=project)
    moved = {m.name: (m.leveled_start_date, m.leveled_finish_date) for m in preview.moves}
    assert moved == {"接口开发": (D(2026, 3, 5), D(2026, 3, 9)), "验收": (D(2026, 3, 9), D(2026, 3, 9))}
    services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert dates(project)["验收"] == (D(2026, 3, 9), D(2026, 3, 9))


def test_a_started_task_keeps_its_actual_dates(pm, project, alice, new_task):
    """1 设计 is not started, 2 开发 started on Mon 2: without the rule the tie would move 2 (higher
    WBS); it has started, so 1 waits until Thu 5."""
    first = new_task(project, "设计", 3)
    started = new_task(project, "开发", 3, actual_start_date=MONDAY, percent_complete=30)
    assign(pm, first, alice)
    assign(pm, started, alice)
    preview = leveling_preview(project=project)
    assert [(m.name, m.leveled_start_date, m.delay_days) for m in preview.moves] == [
        ("设计", D(2026, 3, 5), 3)
    ]
    with pytest.raises(ValidationError) as refused:
        services.leveling_apply(
            actor=pm, project=project, starts={started.pk: D(2026, 3, 5)}, token=preview.token
        )
    assert refused.value.message_dict == {"starts": ["“2 开发” has started: it keeps its dates."]}
    services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert dates(project) == {"设计": (D(2026, 3, 5), D(2026, 3, 9)), "开发": (D(2026, 3, 2), D(2026, 3, 4))}
    started.refresh_from_db()
    assert (started.actual_start_date, started.constraint_type, started.version) == (MONDAY, "asap", 1)


def test_as_late_as_possible_tasks_with_a_resource_are_pinned(pm, project, parallel, team, new_task):
    """3 文档 and 4 培训 are 1-day "as late as possible" tasks without successors, so they sit on the
    plan's last day, Wed 4. Leveling moves 2 to Thu 5 – Mon 9 and the finish to Mon 9: 4 needs the
    team, so it keeps Wed 4 with a start-no-earlier-than constraint (drifting to Mon 9 could
    overload the team); 3 needs nothing and stays as late as possible, now Mon 9."""
    docs = new_task(project, "文档", 1, constraint_type="alap")
    training = new_task(project, "培训", 1, constraint_type="alap")
    assign(pm, training, team)
    assert dates(project)["文档"] == dates(project)["培训"] == (D(2026, 3, 4), D(2026, 3, 4))
    preview = leveling_preview(project=project)
    assert [m.name for m in preview.moves] == ["接口开发"]
    applied = services.leveling_apply(
        actor=pm, project=project, starts=dict(preview.starts), token=preview.token
    )
    assert applied.constraints_set == 2
    docs.refresh_from_db()
    training.refresh_from_db()
    assert (training.constraint_type, training.constraint_date, training.start_date) == (
        "snet",
        D(2026, 3, 4),
        D(2026, 3, 4),
    )
    assert (docs.constraint_type, docs.start_date) == ("alap", D(2026, 3, 9))
    assert stored_plan_check(project).valid


def test_a_demand_above_the_capacity_is_a_clear_message(pm, project, team, new_task):
    """The services refuse units above a capacity both ways (assigning, and lowering the capacity),
    so the case is built by lowering the capacity behind their back — as a row written before the
    rule existed, or by another tool, would be."""
    phase = new_task(project, "开发", 1)
    new_task(project, "数据库设计", 2, parent=phase)
    api_task = new_task(project, "接口开发", 3, parent=phase)
    assign(pm, api_task, team, "2")
    Resource.objects.filter(pk=team.pk).update(capacity_units=Decimal("1"))
    with pytest.raises(ValidationError) as refused:
        leveling_preview(project=project)
    assert refused.value.messages == [
        "Task 1.2 接口开发 needs 2 units of 开发团队 per day, more than its capacity of 1."
    ]


def test_started_tasks_overloading_a_resource_are_planned_around(pm, project, alice, new_task):
    """调研 (Mon 2 – Wed 4) and 访谈 (Tue 3 – Wed 4) have started and both need Alice × 1: on Tue 3
    and Wed 4 she is asked for 2. Leveling cannot undo that; it says so and plans 整理 (2 days,
    Alice × 1, not started) after them: Thu 5 – Fri 6 instead of Mon 2 – Tue 3."""
    a = new_task(project, "调研", 3, actual_start_date=MONDAY)
    b = new_task(project, "访谈", 2, actual_start_date=D(2026, 3, 3))
    c = new_task(project, "整理", 2)
    for task in (a, b, c):
        assign(pm, task, alice)
    preview = leveling_preview(project=project)
    assert preview.notes == [
        "Tasks that cannot move (started, or held by a date) already ask up to 2 units of Alice between "
        "2026-03-03 and 2026-03-04, more than its capacity of 1: leveling plans the other tasks around "
        "them (1 调研; 2 访谈)."
    ]
    assert [(m.name, m.leveled_start_date, m.leveled_finish_date, m.delay_days) for m in preview.moves] == [
        ("整理", D(2026, 3, 5), D(2026, 3, 6), 3)
    ]
    services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert dates(project) == {
        "调研": (D(2026, 3, 2), D(2026, 3, 4)),
        "访谈": (D(2026, 3, 3), D(2026, 3, 4)),
        "整理": (D(2026, 3, 5), D(2026, 3, 6)),
    }
    # the started tasks' own overload (Tue 3 – Wed 4) is all that is left
    assert [(o.first_date, o.last_date) for o in project_resource_load(project=project).over_allocations] == [
        (D(2026, 3, 3), D(2026, 3, 4))
    ]


def test_other_projects_tasks_stay_and_their_followers_are_rescheduled_after_commit(
    pm, project, new_project, parallel, new_task, django_capture_on_commit_callbacks
):
    """Another project of the customer: 前置 (2 days, Mon 2 – Tue 3) precedes this project's 2 (FS),
    which now starts Wed 4 (Wed 4 – Fri 6) and overlaps 1 on Wed 4 for Alice: leveling moves 2 one
    working day, to Thu 5 – Mon 9. 验证 in the other project follows 2, so that project is
    re-scheduled by the background job once the save commits."""
    _a, b = parallel
    other = new_project("二期项目")
    before = new_task(other, "前置", 2)
    after = new_task(other, "验证", 1)
    plan_services.dependency_create(actor=pm, predecessor=before, successor=b)
    plan_services.dependency_create(actor=pm, predecessor=b, successor=after)
    preview = leveling_preview(project=project)
    assert [(m.name, m.start_date, m.leveled_start_date, m.delay_days) for m in preview.moves] == [
        ("接口开发", D(2026, 3, 4), D(2026, 3, 5), 1)
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert [callback.args for callback in callbacks] == [(other.pk,)]
    assert Task.objects.get(pk=before.pk).start_date == D(2026, 3, 2)
    assert stored_plan_check(project).valid


def test_a_finished_task_is_history_and_loads_nothing(pm, project, alice, new_task):
    done = new_task(project, "启动会", 2, actual_start_date=MONDAY, actual_finish_date=D(2026, 3, 3))
    other = new_task(project, "调研", 2)
    assign(pm, done, alice)
    assign(pm, other, alice)
    preview = leveling_preview(project=project)
    assert preview.moves == []


def test_a_stale_preview_is_refused_and_nothing_is_saved(pm, project, parallel, new_task):
    a, _b = parallel
    preview = leveling_preview(project=project)
    plan_services.task_update(actor=pm, task=a, version=None, duration_days=2)
    with pytest.raises(ConflictError) as refused:
        services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert refused.value.detail == "The plan changed since the preview; preview again."
    assert Task.objects.filter(constraint_type="snet").count() == 0
    # an assignment change alone (no re-schedule) makes it stale too
    preview = leveling_preview(project=project)
    services.assignment_update(actor=pm, assignment=Assignment.objects.first(), units=Decimal("0.5"))
    with pytest.raises(ConflictError):
        services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)


def test_starts_that_break_a_capacity_or_come_early_are_refused(pm, project, parallel):
    _a, b = parallel
    token = leveling_preview(project=project).token
    with pytest.raises(ValidationError) as refused:
        services.leveling_apply(actor=pm, project=project, starts={b.pk: D(2026, 3, 3)}, token=token)
    # 2 from Tue 3 (Tue 3–Thu 5) still overlaps 1 on Tue 3 and Wed 4
    assert refused.value.message_dict == {
        "starts": ["Alice would be asked for 2 units on 2026-03-03, more than its capacity of 1."]
    }
    with pytest.raises(ValidationError) as refused:
        services.leveling_apply(
            actor=pm, project=project, starts={b.pk: D(2026, 2, 27), 999999: D(2026, 3, 5)}, token=token
        )
    assert refused.value.message_dict["starts"] == [
        "These are not tasks of this project with work of their own: 999999.",
        "“2 接口开发” cannot start before 2026-03-02: leveling only delays tasks.",
    ]
    with pytest.raises(ValidationError) as refused:
        services.leveling_apply(actor=pm, project=project, starts={b.pk: D(2026, 3, 7)}, token=token)
    assert refused.value.message_dict["starts"] == [
        "2026-03-07 is not a working day of the project's calendar (“2 接口开发”)."
    ]
    assert Task.objects.filter(constraint_type="snet").count() == 0


def test_a_move_that_would_break_a_must_start_on_date_is_flagged_and_refused(pm, project, parallel, new_task):
    """3 验收 must start on Thu 5, right after 2 (FS). Leveling moves 2 to Thu 5 – Mon 9, so 3 would
    start before its predecessor finishes: the preview says so and saving is refused."""
    _a, b = parallel
    c = new_task(project, "验收", 1)
    plan_services.dependency_create(actor=pm, predecessor=b, successor=c)
    plan_services.task_update(
        actor=pm, task=c, version=None, constraint_type="mso", constraint_date=D(2026, 3, 5)
    )
    preview = leveling_preview(project=project)
    assert [m.name for m in preview.moves] == ["接口开发"]
    assert preview.conflicts == [
        "“3 验收” would miss its date constraint: leveling moves “2 接口开发”, which it follows, too late."
    ]
    with pytest.raises(ConflictError) as refused:
        services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert refused.value.detail == "Saving the leveled plan would break a date constraint."
    assert Task.objects.filter(constraint_type="snet").count() == 0


def test_optimal_mode_proves_what_the_heuristic_cannot(pm, project, alice, new_task):
    """Three 2-day tasks need Alice × 0.6: no two fit together (1.2 > 1), so the best plan runs them
    one after the other, 6 working days (Mon 2 – Mon 9). The energy bound only says 3 × 2 × 0.6 =
    3.6 → 4 days, so the heuristic finds 6 but cannot prove it (gap (6 − 4) / 6 = 33.3 %); CP-SAT
    proves 6 optimal (gap 0)."""
    for name in ("甲", "乙", "丙"):
        assign(pm, new_task(project, name, 2), alice, "0.6")
    fast = leveling_preview(project=project, mode="fast")
    assert (fast.status, fast.makespan_days, fast.lower_bound_days, fast.gap_percent) == (
        "feasible",
        6,
        4,
        33.3,
    )
    best = leveling_preview(project=project, mode="optimal", time_limit=10)
    assert (best.method, best.status, best.gap, best.makespan_days, best.lower_bound_days) == (
        "cp-sat",
        "optimal",
        0,
        6,
        6,
    )
    assert best.leveled_finish_date == D(2026, 3, 9)
    assert sorted(m.delay_days for m in best.moves) == [2, 4]  # Wed 4 – Thu 5 and Fri 6 – Mon 9
    services.leveling_apply(actor=pm, project=project, starts=dict(best.starts), token=best.token)
    assert stored_plan_check(project).valid


def test_summary_tasks_and_a_bigger_plan_in_a_fixed_number_of_queries(
    pm, project, alice, team, new_task, django_assert_max_num_queries
):
    """Four phases of five 2-day tasks each, every task on Alice: 20 × 2 = 40 working days of one
    person, so leveling puts them end to end and the plan finishes on working day 40."""
    for p in range(4):
        phase = new_task(project, f"阶段{p + 1}", 1)
        for t in range(5):
            assign(pm, new_task(project, f"任务{p + 1}.{t + 1}", 2, parent=phase), alice)
    with django_assert_max_num_queries(6):
        preview = leveling_preview(project=project)
    assert (preview.tasks, preview.makespan_days, preview.status, len(preview.moves)) == (
        20,
        40,
        "optimal",
        19,
    )
    services.leveling_apply(actor=pm, project=project, starts=dict(preview.starts), token=preview.token)
    assert stored_plan_check(project).valid
    # working day 40 from Mon 2 March: 8 weeks, the last one ending Fri 24 April
    assert Task.objects.filter(project=project).latest("finish_date").finish_date == D(2026, 4, 24)


def test_a_closed_project_is_refused(pm, project, parallel):
    preview = leveling_preview(project=project)
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    project.refresh_from_db()
    for attempt in (
        lambda: leveling_preview(project=project),
        lambda: services.leveling_apply(
            actor=pm, project=project, starts=dict(preview.starts), token=preview.token
        ),
    ):
        with pytest.raises(ConflictError) as refused:
            attempt()
        assert refused.value.detail == f"Project {project.code} is cancelled; reopen it before changing it."


def test_bad_settings_are_field_errors(project, parallel):
    with pytest.raises(ValidationError) as refused:
        leveling_preview(project=project, mode="magic", time_limit=0)
    assert refused.value.message_dict == {
        "mode": ["Choose “fast” or “optimal”."],
        "time_limit": ["Give a time limit of 1 to 30 seconds."],
    }


def test_a_project_without_tasks_has_nothing_to_move(project):
    preview = leveling_preview(project=project)
    assert (preview.moves, preview.finish_date, preview.tasks) == ([], None, 0)
