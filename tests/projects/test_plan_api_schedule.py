"""The schedule, Gantt and plan-settings endpoints under /api/v1: the computed schedule of a small
network with its floats and critical path, negative float when a deadline or a constraint cannot be
met, a hard constraint breaking a dependency refused, the Gantt data with a baseline overlay, and
the project's calendar and status date.

Every date is hand-checked on the China calendar of autumn 2026 (chinesecalendar 1.11): Sunday 20
September is worked (调休), Mid-Autumn Friday 25 – Sunday 27 September and National Day 1–7 October
are off, Saturday 10 October is worked (调休). From Monday 21 September the working days, numbered
from 0, are:

    0 Mon 21.9   1 Tue 22.9   2 Wed 23.9   3 Thu 24.9   4 Mon 28.9   5 Tue 29.9   6 Wed 30.9
    7 Thu 8.10   8 Fri 9.10   9 Sat 10.10 10 Mon 12.10 11 Tue 13.10 12 Wed 14.10 13 Thu 15.10

A task of d days starting on day s works days s … s+d−1; FS lag L starts the successor on day
(predecessor's last day + 1 + L)."""

from __future__ import annotations

import pytest
from plan_api_support import FORBIDDEN, NOT_FOUND, D, add, call, dates, link, state

from clientpm.core.models import ChangeRecord
from clientpm.projects.models import Project, Task
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.team import member_add

# --- the schedule ----------------------------------------------------------------------------------------


@pytest.fixture
def network(pm, autumn):
    """A 需求 (4) → B 设计 (3) → C 开发 (5) → E 验收 (milestone); B →SS+1→ D 文档 (2) → F 培训 (1) → E."""
    a = add(pm, autumn, "需求", 4)
    b = add(pm, autumn, "设计", 3)
    c = add(pm, autumn, "开发", 5)
    d = add(pm, autumn, "文档", 2)
    f = add(pm, autumn, "培训", 1)
    e = add(pm, autumn, "验收", 0)
    for predecessor, successor, kind, lag in [
        (a, b, "FS", 0),
        (b, c, "FS", 0),
        (b, d, "SS", 1),
        (d, f, "FS", 0),
        (f, e, "FS", 0),
        (c, e, "FS", 0),
    ]:
        link(pm, predecessor, successor, kind, lag)
    return {"A": a, "B": b, "C": c, "D": d, "F": f, "E": e}


def test_the_schedule_has_hand_checked_dates_floats_and_the_critical_path(api, pm, autumn, network):
    body = call(api(pm), "get", f"/projects/{autumn.pk}/schedule").json()
    # Forward pass (points: a task of d days from point s ends at point s + d):
    #   A 0→4 (21–24 Sep); B 4→7 (28–30 Sep); C 7→12 (8, 9, 10 调休, 12, 13 Oct);
    #   D starts at B's start + 1 = 5 → 7 (29–30 Sep); F 7→8 (8 Oct); E at max(12, 8) = 12, the end
    #   of day 11 (13 Oct). The project finishes on 13 October, 12 working days after its start.
    # Backward pass from 12: E 12; C 7→12; F 11→12; D 9→11 (Sat 10 Oct 调休 – Mon 12 Oct);
    #   B finishes by min(C 7, D's late start 9 − 1) = 7 → 4; A 0→4.
    # Total float = late − early start: D 9 − 5 = 4, F 11 − 7 = 4, the rest 0.
    # Free float: D 0 (F starts right after it), F 12 − 8 = 4 (E waits for C).
    tasks = {t["name"]: t for t in body["tasks"]}
    assert list(tasks) == ["需求", "设计", "开发", "文档", "培训", "验收"]
    expected = {
        "需求": ("2026-09-21", "2026-09-24", "2026-09-21", "2026-09-24", 0, 0, True),
        "设计": ("2026-09-28", "2026-09-30", "2026-09-28", "2026-09-30", 0, 0, True),
        "开发": ("2026-10-08", "2026-10-13", "2026-10-08", "2026-10-13", 0, 0, True),
        "文档": ("2026-09-29", "2026-09-30", "2026-10-10", "2026-10-12", 4, 0, False),
        "培训": ("2026-10-08", "2026-10-08", "2026-10-13", "2026-10-13", 4, 4, False),
        "验收": ("2026-10-13", "2026-10-13", "2026-10-13", "2026-10-13", 0, 0, True),
    }
    got = {
        name: (
            t["start"],
            t["finish"],
            t["late_start"],
            t["late_finish"],
            t["total_float"],
            t["free_float"],
            t["is_critical"],
        )
        for name, t in tasks.items()
    }
    assert got == expected
    assert (
        tasks["文档"]["is_near_critical"],
        tasks["验收"]["is_milestone"],
        tasks["开发"]["duration_days"],
    ) == (
        True,
        True,
        5,
    )
    ids = {name: task.pk for name, task in network.items()}
    assert body["critical_path"] == [ids["A"], ids["B"], ids["C"], ids["E"]]
    assert body["critical_paths"] == [body["critical_path"]]
    assert (body["calendar"], body["start"], body["finish"], body["duration_days"]) == (
        "China",
        "2026-09-21",
        "2026-10-13",
        12,
    )
    assert (body["negative_float"], body["violated_dependencies"], body["uncovered_years"]) == ([], [], [])
    # the stored dates (what the task endpoints show) are the computed ones
    assert call(api(pm), "get", f"/tasks/{ids['D']}").json()["late_start_date"] == "2026-10-10"


def test_a_deadline_the_plan_cannot_meet_shows_as_negative_float(api, pm, autumn, network):
    client = api(pm)
    e = network["E"]
    response = call(client, "patch", f"/tasks/{e.pk}", {"version": 1, "deadline_date": "2026-10-09"})
    assert response.status_code == 200  # a deadline is reported, not refused
    body = call(client, "get", f"/projects/{autumn.pk}/schedule").json()
    # E must be reached by the end of Fri 9 Oct (point 9) but comes at point 12: 10, 12, 13 October
    # are three working days too late for E, C, B and A; D and F now have 1 day: F's late start
    # 9 − 1 = 8 vs 7, D's 8 − 2 = 6 vs 5.
    floats = {t["name"]: t["total_float"] for t in body["tasks"]}
    assert floats == {"需求": -3, "设计": -3, "开发": -3, "文档": 1, "培训": 1, "验收": -3}
    assert body["negative_float"] == sorted(network[k].pk for k in "ABCE")
    assert Task.objects.get(pk=e.pk).total_float_days == -3  # stored too


def test_a_constraint_the_status_date_makes_impossible_is_reported(api, pm, autumn):
    prepare = add(pm, autumn, "准备", 3)  # days 0–2: 21–23 September
    go_live = add(pm, autumn, "上线", 2, constraint_type="mso", constraint_date=D(2026, 9, 24))
    link(pm, prepare, go_live)  # 上线 on day 3 (24 Sep) and day 4 (28 Sep): the constraint holds
    assert dates(go_live) == (D(2026, 9, 24), D(2026, 9, 28))
    autumn.refresh_from_db()
    response = call(
        api(pm),
        "patch",
        f"/projects/{autumn.pk}/plan",
        {"version": autumn.version, "status_date": "2026-09-23"},
    )
    assert (response.status_code, response.json()["status_date"]) == (200, "2026-09-23")
    body = call(api(pm), "get", f"/projects/{autumn.pk}/schedule").json()
    # nothing has started, so 准备 cannot start before the status date (day 2): days 2–4, 23–28 Sep.
    # 上线 must start on day 3 and keeps it; 准备 should have finished by day 2: −2 working days.
    tasks = {t["name"]: t for t in body["tasks"]}
    assert (tasks["准备"]["start"], tasks["准备"]["finish"], tasks["准备"]["total_float"]) == (
        "2026-09-23",
        "2026-09-28",
        -2,
    )
    assert (tasks["上线"]["start"], tasks["上线"]["finish"]) == ("2026-09-24", "2026-09-28")
    assert prepare.pk in body["negative_float"]
    assert body["violated_dependencies"] == [
        {
            "predecessor_id": prepare.pk,
            "successor_id": go_live.pk,
            "dependency_type": "FS",
            "lag_days": 0,
            "message": "“2 上线” cannot keep its constraint “must start on 2026-09-24”: it conflicts with “1 准备”.",
        }
    ]


def test_a_hard_constraint_that_breaks_a_dependency_is_422_and_nothing_changes(api, pm, autumn, network):
    c = network["C"]
    client = api(pm)
    before = state(autumn)
    response = call(
        client,
        "patch",
        f"/tasks/{c.pk}",
        {"version": 1, "constraint_type": "mfo", "constraint_date": "2026-10-09"},
    )
    # finishing C on 9 October means starting it on 28 September, while B (设计) runs to the 30th
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {
            "__all__": [
                "“3 开发” cannot keep its constraint “must finish on 2026-10-09”: it conflicts with “2 设计”."
            ]
        },
    )
    assert state(autumn) == before


def test_the_schedule_and_the_gantt_cost_the_same_queries_for_30_tasks_as_for_3(
    api, pm, autumn, django_assert_max_num_queries
):
    client = api(pm)
    call(client, "get", f"/projects/{autumn.pk}/schedule")
    previous, counts = None, []
    for total in (3, 30):
        while Task.objects.filter(project=autumn).count() < total:
            task = add(pm, autumn, "任务", 2)
            if previous is not None:
                link(pm, previous, task)
            previous = task
        baseline = services.baseline_save(actor=pm, project=autumn, name=f"v{total}")
        # token (+ user), 2 × permissions, project, project (+ calendar), tasks, links, names
        with django_assert_max_num_queries(8) as schedule:
            body = call(client, "get", f"/projects/{autumn.pk}/schedule").json()
        assert len(body["tasks"]) == total
        # token (+ user), 2 × permissions, project, baseline, tasks, links, the baseline's dates
        with django_assert_max_num_queries(8) as gantt:
            body = call(client, "get", f"/projects/{autumn.pk}/gantt?baseline_id={baseline.pk}").json()
        assert len(body["tasks"]) == total
        counts.append((len(schedule), len(gantt)))
    assert counts[0] == counts[1]


# --- the Gantt data and the plan settings ------------------------------------------------------------------


def test_the_gantt_has_tasks_in_wbs_order_with_links_and_a_baseline_overlay(api, pm, autumn, customer):
    phase = add(pm, autumn, "设计阶段")
    a = add(pm, autumn, "调研", 4, parent=phase)  # 21–24 September
    b = add(pm, autumn, "评审", 0)
    link(pm, a, b)
    baseline = services.baseline_save(actor=pm, project=autumn, name="v1")
    a = Task.objects.get(pk=a.pk)
    services.task_update(actor=pm, task=a, version=a.version, duration_days=5)  # to Mon 28 September
    client = api(pm)
    body = call(client, "get", f"/projects/{autumn.pk}/gantt?baseline_id={baseline.pk}").json()
    rows = [
        (
            t["wbs"],
            t["name"],
            t["start"],
            t["end"],
            t["depth"],
            t["dependencies"],
            t["baseline_end"],
            t["is_milestone"],
        )
        for t in body["tasks"]
    ]
    assert rows == [
        ("1", "设计阶段", "2026-09-21", "2026-09-28", 0, [], "2026-09-24", False),
        ("1.1", "调研", "2026-09-21", "2026-09-28", 1, [], "2026-09-24", False),
        ("2", "评审", "2026-09-28", "2026-09-28", 0, [str(a.pk)], "2026-09-24", True),
    ]
    assert (body["finish"], body["status_date"], body["tasks"][1]["parent"]) == ("2026-09-28", None, phase.pk)
    assert call(client, "get", f"/projects/{autumn.pk}/gantt").json()["tasks"][0]["baseline_start"] is None
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    add(pm, other, "X")
    foreign = services.baseline_save(actor=pm, project=other, name="v1")
    assert call(client, "get", f"/projects/{autumn.pk}/gantt?baseline_id={foreign.pk}").json() == NOT_FOUND


def test_the_plan_settings_change_the_calendar_and_status_date(api, pm, autumn, admin_user, account_manager):
    task = add(pm, autumn, "实施", 8)  # China: 21–24, 28–30 September, 8 October
    assert dates(task)[1] == D(2026, 10, 8)
    saturdays = services.calendar_create(
        actor=admin_user, name="周六上班", base="mon_fri", working_weekdays="1111110"
    )
    client = api(pm)
    url = f"/projects/{autumn.pk}/plan"
    changed = call(client, "patch", url, {"version": autumn.version, "calendar_id": saturdays.pk})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["project_id"], body["calendar_id"], body["scheduled_finish_date"]) == (
        autumn.pk,
        saturdays.pk,
        "2026-09-29",  # Monday–Saturday, no festival: 21–26 and 28–29 September
    )
    assert dates(task) == (D(2026, 9, 21), D(2026, 9, 29))
    assert call(client, "get", f"/projects/{autumn.pk}/schedule").json()["calendar"] == "周六上班"
    stale = call(client, "patch", url, {"version": autumn.version, "calendar_id": None})
    assert (stale.status_code, list(stale.json()["errors"])) == (409, ["version"])
    assert call(client, "patch", url, {"version": body["version"], "calendar_id": 999_999}).json()[
        "errors"
    ] == {"calendar_id": ["Unknown calendar."]}
    assert call(client, "patch", url, {"version": body["version"], "colour": "red"}).status_code == 422
    # the customer's account manager may set the plan's calendar too (change_project)
    back = call(api(account_manager), "patch", url, {"version": body["version"], "calendar_id": None})
    assert (back.status_code, back.json()["calendar_id"], back.json()["scheduled_finish_date"]) == (
        200,
        None,
        "2026-10-08",
    )
    records = ChangeRecord.objects.filter(content_type__model="project", object_id=autumn.pk, action="update")
    assert list(records.order_by("id").values_list("source", flat=True))[-2:] == ["api", "api"]


def test_the_schedule_names_a_company_calendar_even_without_own_days(api, pm, autumn, admin_user):
    plain = services.calendar_create(actor=admin_user, name="总部日历")  # China base, nothing added
    add(pm, autumn, "实施", 8)
    services.project_plan_update(actor=pm, project=autumn, version=autumn.version, calendar=plain)
    body = call(api(pm), "get", f"/projects/{autumn.pk}/schedule").json()
    assert (body["calendar"], body["finish"]) == ("总部日历", "2026-10-08")


def test_plan_settings_scope_and_permissions(api, pm, autumn, team_member, other_manager):
    member_add(actor=pm, project=autumn, user=team_member, project_role="Consultant")
    url = f"/projects/{autumn.pk}/plan"
    data = {"version": autumn.version, "status_date": "2026-09-22"}
    assert call(api(team_member), "patch", url, data).json() == FORBIDDEN
    assert call(api(team_member), "get", f"/projects/{autumn.pk}/schedule").status_code == 200
    outsider = api(other_manager)
    assert call(outsider, "patch", url, data).json() == NOT_FOUND
    assert call(outsider, "get", f"/projects/{autumn.pk}/schedule").json() == NOT_FOUND
    assert call(outsider, "get", f"/projects/{autumn.pk}/gantt").json() == NOT_FOUND
    assert Project.objects.get(pk=autumn.pk).status_date is None
