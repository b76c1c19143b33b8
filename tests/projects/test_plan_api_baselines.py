"""The working-calendar and baseline endpoints under /api/v1: calendars are managed by
administrators (built-in ones and calendars in use are refused with 409 and a message), baselines
are saved (at most ten), listed, compared with the current plan (variance in working days, the
slipped tasks) and deleted.

Dates are on the China calendar of autumn 2026 from Monday 21 September; the working days, numbered
from 0, are 0–3 = 21–24 September (Friday 25th is Mid-Autumn), 4–6 = 28–30 September, then
National Day 1–7 October is off: 7 = Thu 8, 8 = Fri 9, 9 = Sat 10 October (调休), 10 = Mon 12."""

from __future__ import annotations

import pytest
from plan_api_support import FORBIDDEN, NOT_FOUND, D, add, call, dates

from clientpm.core.models import ChangeRecord
from clientpm.projects.models import Baseline, BaselineTask, Task, WorkCalendar
from clientpm.projects.services import plan as services
from clientpm.projects.services.team import member_add

# --- calendars ---------------------------------------------------------------------------------------


def test_an_administrator_creates_changes_and_deletes_a_company_calendar(api, admin_user, pm, autumn):
    client = api(admin_user)
    created = call(
        client,
        "post",
        "/calendars",
        {
            "name": "华东工厂",
            "base": "china",
            "working_weekdays": "1111110",
            "holidays": ["2026-09-22"],
            "extra_working_days": ["2026-10-04"],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["base"], body["holidays"], body["extra_working_days"], body["is_builtin"]) == (
        "华东工厂",
        "china",
        ["2026-09-22"],
        ["2026-10-04"],
        False,
    )
    listed = call(client, "get", "/calendars").json()
    assert [(c["name"], c["is_builtin"], c["project_count"]) for c in listed["items"]] == [
        ("China", True, 0),
        ("Monday–Friday", True, 0),
        ("华东工厂", False, 0),
    ]
    task = add(pm, autumn, "实施", 7)  # China: days 0–6, 21–24 and 28–30 September
    assert dates(task) == (D(2026, 9, 21), D(2026, 9, 30))
    services.project_plan_update(
        actor=pm, project=autumn, version=autumn.version, calendar=WorkCalendar.objects.get(pk=body["id"])
    )
    # China's days without 22 September: 21, 23, 24, 28, 29, 30; the Saturdays 26 September and
    # 3 October are Mid-Autumn and National Day, so the seventh day is the extra Sunday, 4 October
    assert dates(task) == (D(2026, 9, 21), D(2026, 10, 4))
    assert call(client, "get", f"/calendars/{body['id']}").json()["project_count"] == 1
    changed = call(client, "patch", f"/calendars/{body['id']}", {"version": 1, "holidays": []})
    assert (changed.status_code, changed.json()["version"], changed.json()["holidays"]) == (200, 2, [])
    assert dates(task) == (D(2026, 9, 21), D(2026, 9, 30))  # the project followed: 21–24, 28–30
    stale = call(client, "patch", f"/calendars/{body['id']}", {"version": 1, "name": "旧"})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    in_use = call(client, "delete", f"/calendars/{body['id']}")
    assert (in_use.status_code, in_use.json()["detail"]) == (
        409,
        f"Projects use this calendar: {autumn.code}. Give them another calendar first.",
    )
    autumn.refresh_from_db()
    services.project_plan_update(actor=pm, project=autumn, version=autumn.version, calendar=None)
    assert call(client, "delete", f"/calendars/{body['id']}?version=2").status_code == 204
    assert not WorkCalendar.objects.filter(pk=body["id"]).exists()
    records = ChangeRecord.objects.filter(content_type__model="workcalendar", object_id=body["id"])
    assert list(records.order_by("id").values_list("action", "source")) == [
        ("create", "api"),
        ("update", "api"),
        ("delete", "api"),
    ]


def test_built_in_calendars_cannot_be_changed_or_deleted(api, admin_user):
    client = api(admin_user)
    for name in ("China", "Monday–Friday"):
        calendar = WorkCalendar.objects.get(name=name)
        message = f"The built-in calendar “{name}” cannot be changed."
        changed = call(
            client, "patch", f"/calendars/{calendar.pk}", {"version": calendar.version, "name": "Mine"}
        )
        assert (changed.status_code, changed.json()["detail"]) == (409, message)
        deleted = call(client, "delete", f"/calendars/{calendar.pk}")
        assert (deleted.status_code, deleted.json()["detail"]) == (409, message)
    assert set(WorkCalendar.objects.values_list("name", flat=True)) == {"China", "Monday–Friday"}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"working_weekdays": "0000000"},
            {"working_weekdays": ["Seven flags from Monday to Sunday, 1 for working, with at least one 1."]},
        ),
        (
            {"working_weekdays": "11111"},
            {"working_weekdays": ["Seven flags from Monday to Sunday, 1 for working, with at least one 1."]},
        ),
        (
            {"holidays": ["2026-10-10"], "extra_working_days": ["2026-10-10"]},
            {"extra_working_days": ["A day cannot be both a holiday and a working day: 2026-10-10"]},
        ),
        ({"holidays": ["not a date"]}, "holidays"),
        ({"base": "moon"}, "base"),
        ({"name": "China"}, {"name": ["Working calendar with this Name already exists."]}),
        ({"name": ""}, "name"),
    ],
)
def test_bad_calendars_are_422_naming_the_field(api, admin_user, data, errors):
    response = call(api(admin_user), "post", "/calendars", {"name": "新日历", **data})
    assert response.status_code == 422
    if isinstance(errors, str):
        assert list(response.json()["errors"]) == [errors]
    else:
        assert response.json()["errors"] == errors
    assert WorkCalendar.objects.count() == 2


def test_only_administrators_manage_calendars(api, pm, team_member, executive, admin_user):
    calendar = services.calendar_create(actor=admin_user, name="总部")
    for user in (pm, team_member, executive):
        client = api(user)
        assert call(client, "get", "/calendars").json()["count"] == 3
        assert call(client, "get", f"/calendars/{calendar.pk}").status_code == 200
        assert call(client, "post", "/calendars", {"name": "我的"}).json() == FORBIDDEN
        assert (
            call(client, "patch", f"/calendars/{calendar.pk}", {"version": 1, "name": "X"}).json()
            == FORBIDDEN
        )
        assert call(client, "delete", f"/calendars/{calendar.pk}").json() == FORBIDDEN
    assert call(api(pm), "get", "/calendars/999999").json() == NOT_FOUND
    assert list(WorkCalendar.objects.filter(is_builtin=False).values_list("name", flat=True)) == ["总部"]


# --- baselines ---------------------------------------------------------------------------------------


def test_at_most_ten_baselines_are_saved_and_listed_newest_first(api, pm, autumn):
    add(pm, autumn, "A", 4)
    add(pm, autumn, "B", 2)
    client = api(pm)
    url = f"/projects/{autumn.pk}/baselines"
    first = call(client, "post", url, {"name": "  计划 v1 "})
    assert first.status_code == 201
    body = first.json()
    assert (body["name"], body["task_count"], body["saved_by"]["id"], body["project_id"]) == (
        "计划 v1",
        2,
        pm.pk,
        autumn.pk,
    )
    assert call(client, "post", url, {"name": "计划 v1"}).json()["errors"] == {
        "name": ["A baseline called “计划 v1” exists already."]
    }
    for i in range(2, 11):
        assert call(client, "post", url, {"name": f"v{i}"}).status_code == 201
    full = call(client, "post", url, {"name": "v11"})
    message = "A project keeps at most 10 baselines; delete one before saving another."
    assert (full.status_code, full.json()["detail"]) == (409, message)
    listed = call(client, "get", url).json()
    assert listed["count"] == 10
    assert [b["name"] for b in listed["items"]][:3] == ["v10", "v9", "v8"]
    assert listed["items"][-1]["name"] == "计划 v1"
    assert call(client, "delete", f"/baselines/{body['id']}").status_code == 204
    assert call(client, "get", f"/baselines/{body['id']}").json() == NOT_FOUND
    assert call(client, "post", url, {"name": "v11"}).status_code == 201
    assert Baseline.objects.filter(project=autumn).count() == 10
    assert not BaselineTask.objects.filter(baseline_id=body["id"]).exists()
    records = ChangeRecord.objects.filter(content_type__model="baseline", object_id=body["id"])
    assert list(records.order_by("id").values_list("action", "source")) == [
        ("create", "api"),
        ("delete", "api"),
    ]


def test_an_empty_plan_has_nothing_to_baseline(api, pm, autumn):
    response = call(api(pm), "post", f"/projects/{autumn.pk}/baselines", {"name": "v1"})
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"__all__": ["The plan has no tasks to save in a baseline."]},
    )
    assert not Baseline.objects.exists()


def test_variance_after_moving_a_task_and_the_slipped_filter(api, pm, autumn):
    a = add(pm, autumn, "A 调研", 4)  # days 0–3: 21–24 September
    b = add(pm, autumn, "B 设计", 3)
    c = add(pm, autumn, "C 采购", 2)  # days 0–1: 21–22 September
    services.dependency_create(actor=pm, predecessor=a, successor=b)  # B days 4–6: 28–30 September
    client = api(pm)
    baseline = call(client, "post", f"/projects/{autumn.pk}/baselines", {"name": "v1"}).json()
    # A one day shorter: days 0–2 (21–23), so B moves to days 3–5 (24, 28, 29 September)
    call(client, "patch", f"/tasks/{a.pk}", {"version": 1, "duration_days": 3})
    # C dragged onto National Day: it starts on the next working day, Thu 8 October (day 7), and
    # ends on Fri 9 October (day 8)
    moved = call(client, "patch", f"/tasks/{c.pk}", {"version": 1, "start_date": "2026-10-01"}).json()
    assert (moved["start_date"], moved["finish_date"]) == ("2026-10-08", "2026-10-09")
    url = f"/baselines/{baseline['id']}/variance"
    rows = {
        row["name"]: (
            row["start_variance_days"],
            row["finish_variance_days"],
            row["duration_variance_days"],
            row["slipped"],
        )
        for row in call(client, "get", url).json()["items"]
    }
    assert rows == {
        "A 调研": (0, -1, -1, False),  # finish day 3 → 2
        "B 设计": (-1, -1, 0, False),  # days 4–6 → 3–5
        "C 采购": (7, 7, 0, True),  # days 0–1 → 7–8: seven working days later, the holidays not counted
    }
    slipped = call(client, "get", url + "?slipped=true").json()
    assert slipped["count"] == 1
    row = slipped["items"][0]
    assert (row["task_id"], row["wbs_code"], row["baseline_start"], row["baseline_finish"]) == (
        c.pk,
        "3",
        "2026-09-21",
        "2026-09-22",
    )
    assert (row["current_start"], row["current_finish"], row["finish_variance_days"]) == (
        "2026-10-08",
        "2026-10-09",
        7,
    )


def test_baselines_scope_and_permissions(api, pm, autumn, team_member, other_manager):
    add(pm, autumn, "A")
    baseline = services.baseline_save(actor=pm, project=autumn, name="v1")
    member_add(actor=pm, project=autumn, user=team_member, project_role="Consultant")
    member = api(team_member)
    url = f"/projects/{autumn.pk}/baselines"
    assert call(member, "get", url).json()["count"] == 1
    assert call(member, "get", f"/baselines/{baseline.pk}/variance").status_code == 200
    assert call(member, "post", url, {"name": "v2"}).json() == FORBIDDEN
    assert call(member, "delete", f"/baselines/{baseline.pk}").json() == FORBIDDEN
    outsider = api(other_manager)
    for method, path, data in [
        ("get", url, None),
        ("post", url, {"name": "v2"}),
        ("get", f"/baselines/{baseline.pk}", None),
        ("get", f"/baselines/{baseline.pk}/variance", None),
        ("delete", f"/baselines/{baseline.pk}", None),
    ]:
        assert call(outsider, method, path, data).json() == NOT_FOUND, (method, path)
    assert list(Baseline.objects.values_list("name", flat=True)) == ["v1"]


def test_the_baseline_list_and_variance_cost_the_same_queries_for_many_rows(
    api, pm, autumn, django_assert_max_num_queries
):
    client = api(pm)
    baseline = None
    counts = []
    for total in (2, 20):
        while Task.objects.filter(project=autumn).count() < total:
            add(pm, autumn, "任务", owner=pm, assignees=[pm])
        baseline = services.baseline_save(actor=pm, project=autumn, name=f"v{total}")
        call(client, "get", f"/projects/{autumn.pk}/baselines")
        # token (+ user), 2 × permissions, project, the page (+ saved_by, task count), the count
        with django_assert_max_num_queries(6) as listing:
            call(client, "get", f"/projects/{autumn.pk}/baselines")
        # token (+ user), 2 × permissions, baseline (+ project), project (+ calendar), the baseline's
        # tasks, the tasks (+ owners), their assignees
        with django_assert_max_num_queries(8) as variance:
            body = call(client, "get", f"/baselines/{baseline.pk}/variance?page_size=50").json()
        assert body["count"] == total
        counts.append((len(listing), len(variance)))
    assert counts[0] == counts[1]
