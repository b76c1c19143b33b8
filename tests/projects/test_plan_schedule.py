"""Plan services, the schedule: every write re-schedules and stores the dates (hand-checked on the
China calendar around the 2026 Spring Festival: 15–23 February off, Saturdays 14 and 28 February
worked), dependency types and lags, cycles, cross-project dependencies, impossible constraints,
calendars, the status date, and the background job for big projects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY

from clientpm.core.audit import current_source
from clientpm.core.errors import ConflictError
from clientpm.customers.services import customer_create
from clientpm.projects import planning
from clientpm.projects.models import ConstraintType, Project, Task, WorkCalendar
from clientpm.projects.queries.plan import schedule_data
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_create, project_update
from clientpm.projects.tasks import project_reschedule_job

D = dt.date


@pytest.fixture
def festival(project, pm):
    """The project starting Monday 9 February 2026, the week before the Spring Festival."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 2, 9)
    )


def add(pm, project, name, duration, **fields):
    return services.task_create(actor=pm, project=project, name=name, duration_days=duration, **fields)


def link(pm, predecessor, successor, kind="FS", lag=0):
    return services.dependency_create(
        actor=pm, predecessor=predecessor, successor=successor, dependency_type=kind, lag_days=lag
    )


def dates(task):
    task = Task.objects.get(pk=task.pk)
    return task.start_date, task.finish_date


def test_every_dependency_type_and_lag_around_the_spring_festival(pm, festival):
    a = add(pm, festival, "A 需求调研", 5)
    b = add(pm, festival, "B 方案设计", 3)
    c = add(pm, festival, "C 原型", 2)
    d = add(pm, festival, "D 评审", 4)
    e = add(pm, festival, "E 启动会", 1)
    f = add(pm, festival, "F 准备", 2)
    m = add(pm, festival, "M 方案确认", 0)
    link(pm, a, b)  # FS
    link(pm, b, c, "SS", 2)
    link(pm, b, d, "FF", 1)
    link(pm, a, e, "FS", -1)  # a lead of one day
    link(pm, e, f, "SF")
    link(pm, c, m)
    link(pm, d, m)
    # A Mon 9 – Fri 13; B Sat 14 (调休) then, after the festival, Tue 24 – Wed 25
    assert dates(a) == (D(2026, 2, 9), D(2026, 2, 13))
    assert dates(b) == (D(2026, 2, 14), D(2026, 2, 25))
    # C starts two working days after B starts: 14 → 24 → 25
    assert dates(c) == (D(2026, 2, 25), D(2026, 2, 26))
    # D finishes one working day after B finishes (26th); four days back from there starts on the 14th
    assert dates(d) == (D(2026, 2, 14), D(2026, 2, 26))
    # E may start on A's last day (lead of one), F must finish no earlier than E starts
    assert dates(e) == (D(2026, 2, 13), D(2026, 2, 13))
    assert dates(f) == (D(2026, 2, 11), D(2026, 2, 12))
    assert dates(m) == (D(2026, 2, 26), D(2026, 2, 26))
    floats = {t.name[0]: (t.total_float_days, t.is_critical) for t in Task.objects.filter(project=festival)}
    assert floats == {
        "A": (0, True),
        "B": (0, True),
        "C": (0, True),
        "D": (0, True),
        "E": (4, False),  # may start as late as point 8 (the 26th)
        "F": (5, False),
        "M": (0, True),
    }
    festival.refresh_from_db()
    assert festival.scheduled_finish_date == D(2026, 2, 26)
    schedule = schedule_data(project=festival)
    assert schedule["finish"] == "2026-02-26"
    assert schedule["duration_days"] == 9  # 9–13, 14, 24, 25, 26 February
    assert schedule["critical_path"][:2] == [a.pk, b.pk]
    assert schedule["critical_path"][-1] == m.pk
    assert sorted(map(tuple, schedule["critical_paths"])) == sorted(
        [(a.pk, b.pk, c.pk, m.pk), (a.pk, b.pk, d.pk, m.pk)]
    )


def test_a_duration_change_moves_the_successors(pm, festival):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 3)
    link(pm, a, b)
    a = Task.objects.get(pk=a.pk)
    services.task_update(actor=pm, task=a, version=a.version, duration_days=1)
    assert dates(b) == (D(2026, 2, 10), D(2026, 2, 12))


def test_a_cycle_is_refused_naming_its_tasks_in_order(pm, festival):
    a = add(pm, festival, "设计", 2)
    b = add(pm, festival, "开发", 2)
    c = add(pm, festival, "测试", 2)
    link(pm, a, b)
    link(pm, b, c)
    with pytest.raises(ValidationError) as refused:
        link(pm, c, a)
    assert refused.value.message_dict == {
        "predecessor": [
            "These tasks would depend on each other in a circle: 3 测试 → 1 设计 → 2 开发 → 3 测试."
        ]
    }
    assert Task.objects.get(pk=a.pk).predecessor_links.count() == 0


def test_a_cycle_through_a_summary_task_is_refused_and_nothing_is_saved(pm, festival):
    phase = add(pm, festival, "实施", 1)
    deploy = add(pm, festival, "部署", 2, parent=phase)
    check = add(pm, festival, "验收", 1)
    link(pm, deploy, check)
    with pytest.raises(ValidationError) as refused:
        link(pm, check, phase)  # the summary follows 验收 which follows its own subtask
    assert refused.value.messages == [
        "These tasks depend on each other in a circle: 1 实施 → 1.1 部署 → 2 验收 → 1 实施."
    ]
    assert not Task.objects.get(pk=phase.pk).predecessor_links.exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("self", "A task cannot depend on itself."),
        ("parent", "A task cannot be linked with its own summary task."),
        ("twice", "“2 开发” already depends on “1.1 调研”."),
    ],
)
def test_links_that_cannot_be_scheduled_are_refused(pm, festival, kind, message):
    phase = add(pm, festival, "设计", 1)
    research = add(pm, festival, "调研", 2, parent=phase)
    build = add(pm, festival, "开发", 2)
    if kind == "twice":
        link(pm, research, build)
    predecessor, successor = {
        "self": (build, build),
        "parent": (phase, research),
        "twice": (research, build),
    }[kind]
    with pytest.raises(ValidationError) as refused:
        link(pm, predecessor, successor)
    assert refused.value.message_dict == {"predecessor": [message]}


def test_finish_links_into_a_summary_are_refused(pm, festival):
    phase = add(pm, festival, "设计", 1)
    add(pm, festival, "调研", 2, parent=phase)
    kickoff = add(pm, festival, "启动", 1)
    with pytest.raises(ValidationError) as refused:
        link(pm, kickoff, phase, "FF")
    assert refused.value.message_dict == {
        "dependency_type": [
            "A summary task (“1 设计”) can follow only by its start (finish-to-start or start-to-start)."
        ]
    }
    link(pm, kickoff, phase, "FS")
    assert dates(phase) == (D(2026, 2, 10), D(2026, 2, 11))


def test_an_impossible_constraint_is_refused_naming_the_tasks(pm, festival):
    a = add(pm, festival, "A 数据准备", 5)
    b = add(pm, festival, "B 迁移", 2)
    link(pm, a, b)
    b = Task.objects.get(pk=b.pk)
    with pytest.raises(ValidationError) as refused:
        services.task_update(
            actor=pm,
            task=b,
            version=b.version,
            constraint_type=ConstraintType.MSO,
            constraint_date=D(2026, 2, 11),
        )
    assert refused.value.messages == [
        "“2 B 迁移” cannot keep its constraint “must start on 2026-02-11”: it conflicts with “1 A 数据准备”."
    ]
    b.refresh_from_db()
    assert (b.constraint_type, b.start_date) == (ConstraintType.ASAP, D(2026, 2, 14))


def test_a_missed_deadline_is_reported_as_negative_float_not_refused(pm, festival):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 3, deadline_date=D(2026, 2, 14))
    link(pm, a, b)
    b = Task.objects.get(pk=b.pk)
    assert b.total_float_days == -2  # finishes on the 25th, two working days after the 14th
    assert schedule_data(project=festival)["negative_float"] == [a.pk, b.pk]


# --- cross-project dependencies ------------------------------------------------------------------------------


def test_a_dependency_across_projects_of_one_customer_moves_the_other_project(pm, festival, customer):
    second = project_create(
        actor=pm, customer=customer, name="二期", manager=pm, planned_start_date=D(2026, 2, 9)
    )
    platform = add(pm, festival, "平台上线", 5)
    rollout = add(pm, second, "推广", 2)
    link(pm, platform, rollout)
    assert dates(rollout) == (D(2026, 2, 14), D(2026, 2, 24))
    platform = Task.objects.get(pk=platform.pk)
    services.task_update(actor=pm, task=platform, version=platform.version, duration_days=6)
    assert dates(rollout) == (D(2026, 2, 24), D(2026, 2, 25))  # the other project followed
    second.refresh_from_db()
    assert second.scheduled_finish_date == D(2026, 2, 25)


def test_a_dependency_on_another_customers_project_is_refused(pm, festival, account_manager):
    stranger = customer_create(actor=account_manager, name="西南能源", owner=account_manager)
    foreign = project_create(actor=pm, customer=stranger, name="能源项目", manager=pm)
    theirs = add(pm, foreign, "接口", 2)
    ours = add(pm, festival, "联调", 2)
    with pytest.raises(ValidationError) as refused:
        link(pm, theirs, ours)
    assert refused.value.message_dict == {
        "predecessor": [
            f"“1 接口” belongs to project {foreign.code} of another customer; dependencies link only "
            "projects of the same customer."
        ]
    }


def test_deleting_a_predecessor_frees_its_successors(pm, festival):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 2)
    link(pm, a, b)
    services.task_delete(actor=pm, task=Task.objects.get(pk=a.pk))
    assert dates(b) == (D(2026, 2, 9), D(2026, 2, 10))


def test_removing_and_changing_a_dependency_reschedules(pm, festival):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 2)
    dependency = link(pm, a, b)
    services.dependency_update(actor=pm, dependency=dependency, lag_days=1)
    assert dates(b) == (D(2026, 2, 24), D(2026, 2, 25))  # one working day (the 14th) between
    services.dependency_delete(actor=pm, dependency=dependency)
    assert dates(b) == (D(2026, 2, 9), D(2026, 2, 10))


# --- progress and the status date ------------------------------------------------------------------------------


def test_remaining_work_is_scheduled_after_the_status_date(pm, festival):
    a = add(pm, festival, "A", 4, actual_start_date=D(2026, 2, 9), percent_complete=50)
    b = add(pm, festival, "B", 1)
    link(pm, a, b)
    # no status date: A keeps its planned four days from its actual start
    assert dates(a) == (D(2026, 2, 9), D(2026, 2, 12))
    services.project_plan_update(
        actor=pm, project=festival, version=festival.version, status_date=D(2026, 2, 24)
    )
    # two days left (50 % of 4), done from the status date: 24 and 25 February; B follows
    assert dates(a) == (D(2026, 2, 9), D(2026, 2, 25))
    assert dates(b) == (D(2026, 2, 26), D(2026, 2, 26))


def test_finished_work_stays_where_it_happened(pm, festival):
    a = add(pm, festival, "A", 3, actual_start_date=D(2026, 2, 10), actual_finish_date=D(2026, 2, 14))
    assert dates(a) == (D(2026, 2, 10), D(2026, 2, 14))
    assert Task.objects.get(pk=a.pk).status == "done"


# --- calendars --------------------------------------------------------------------------------------------------


def test_a_company_calendar_changes_the_dates_and_its_edits_reschedule(pm, festival, admin_user):
    calendar = services.calendar_create(
        actor=admin_user,
        name="华东工厂",
        base="mon_fri",
        working_weekdays="1111110",  # Saturdays worked
        holidays=["2026-02-16", "2026-02-17"],
        extra_working_days=[],
    )
    a = add(pm, festival, "A", 8)
    assert dates(a) == (D(2026, 2, 9), D(2026, 2, 25))  # China: 9–13, 14, 24, 25
    festival = services.project_plan_update(
        actor=pm, project=festival, version=festival.version, calendar=calendar
    )
    # Mon–Sat without the festival, minus the 16th and 17th: 9–14, 18, 19
    assert dates(a) == (D(2026, 2, 9), D(2026, 2, 19))
    services.calendar_update(actor=admin_user, calendar=calendar, version=calendar.version, holidays=[])
    assert dates(a) == (D(2026, 2, 9), D(2026, 2, 17))
    with pytest.raises(ConflictError) as in_use:
        services.calendar_delete(actor=admin_user, calendar=WorkCalendar.objects.get(pk=calendar.pk))
    assert (
        in_use.value.detail
        == f"Projects use this calendar: {festival.code}. Give them another calendar first."
    )


def test_built_in_calendars_cannot_change_and_bad_calendars_are_refused(admin_user):
    china = WorkCalendar.objects.get(name="China")
    with pytest.raises(ConflictError) as builtin:
        services.calendar_update(actor=admin_user, calendar=china, version=china.version, name="Mine")
    assert builtin.value.detail == "The built-in calendar “China” cannot be changed."
    with pytest.raises(ValidationError) as bad:
        services.calendar_create(
            actor=admin_user,
            name="坏日历",
            working_weekdays="0000000",
            holidays=["2026-05-01", "not a date"],
            extra_working_days=["2026-05-01"],
        )
    assert bad.value.message_dict == {
        "working_weekdays": ["Seven flags from Monday to Sunday, 1 for working, with at least one 1."],
        "holidays": ["“not a date” is not a date (YYYY-MM-DD)."],
        "extra_working_days": ["A day cannot be both a holiday and a working day: 2026-05-01"],
    }
    assert not WorkCalendar.objects.filter(name="坏日历").exists()


def test_the_schedule_reports_calendar_years_without_holiday_data(pm, project):
    project = project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2099, 3, 2)
    )
    add(pm, project, "远期", 5)
    assert schedule_data(project=project)["uncovered_years"] == [2099]


# --- big projects: the background job --------------------------------------------------------------------------


@pytest.fixture
def immediate_huey():
    """Huey runs jobs as they are enqueued (in memory) for the test."""
    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before


def test_big_projects_are_rescheduled_by_the_job_after_commit(
    pm, festival, settings, immediate_huey, django_capture_on_commit_callbacks
):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 2)
    settings.CLIENTPM_SCHEDULE_INLINE_MAX_TASKS = 1  # more than one task: the job
    with django_capture_on_commit_callbacks(execute=False) as pending:
        link(pm, a, b)
        c = add(pm, festival, "C", 1)
    assert dates(b) == (D(2026, 2, 9), D(2026, 2, 10))  # not in the request
    assert dates(c) == (None, None)
    assert len(pending) == 2
    for callback in pending:
        callback()  # the transaction committed: the jobs run (immediate mode)
    assert dates(b) == (D(2026, 2, 14), D(2026, 2, 24))
    assert dates(c) == (D(2026, 2, 9), D(2026, 2, 9))


def test_big_projects_still_refuse_a_cycle_in_the_request(pm, festival, settings):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 2, parent=a)
    settings.CLIENTPM_SCHEDULE_INLINE_MAX_TASKS = 1
    with pytest.raises(ValidationError) as refused:
        services.task_move(actor=pm, task=Task.objects.get(pk=a.pk), parent=b, position=0)
    assert refused.value.message_dict == {
        "parent": ["“1 A” cannot move under itself or one of its subtasks."]
    }
    c = add(pm, festival, "C", 1)
    link(pm, c, Task.objects.get(pk=b.pk))
    with pytest.raises(ValidationError) as cycle:
        link(pm, Task.objects.get(pk=a.pk), c)
    assert cycle.value.messages == ["These tasks depend on each other in a circle: 1 A → 2 C → 1.1 B → 1 A."]


def test_the_job_is_idempotent_and_records_as_a_job(pm, festival, monkeypatch):
    a = add(pm, festival, "A", 5)
    b = add(pm, festival, "B", 2)
    link(pm, a, b)
    Task.objects.filter(pk=b.pk).update(start_date=None, finish_date=None)  # as if never scheduled
    sources = []
    real = planning.project_reschedule

    def spy(project, **kwargs):
        sources.append(current_source())
        return real(project, **kwargs)

    monkeypatch.setattr(planning, "project_reschedule", spy)
    assert project_reschedule_job.call_local(festival.pk) == 1
    assert dates(b) == (D(2026, 2, 14), D(2026, 2, 24))
    assert project_reschedule_job.call_local(festival.pk) == 0  # nothing left to change
    assert sources == ["job", "job"]
    assert project_reschedule_job.call_local(999_999) == 0  # a deleted project is skipped
    assert Project.objects.get(pk=festival.pk).scheduled_finish_date == D(2026, 2, 24)
