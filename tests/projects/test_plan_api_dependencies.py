"""The dependency endpoints under /api/v1: the four dependency types with lags and leads, change and
removal with their change records, cycles (also through a summary task and another project) and
other customers' tasks refused with 422 naming the tasks and leaving nothing behind, cross-project
dependencies rescheduling the other project, scope, permissions and the list's query count.

Every date is hand-checked on the China calendar of autumn 2026 (chinesecalendar 1.11): Sunday 20
September is worked (调休), Mid-Autumn Friday 25 – Sunday 27 September and National Day 1–7 October
are off, Saturday 10 October is worked (调休). From Monday 21 September the working days, numbered
from 0, are:

    0 Mon 21.9   1 Tue 22.9   2 Wed 23.9   3 Thu 24.9   4 Mon 28.9   5 Tue 29.9   6 Wed 30.9
    7 Thu 8.10   8 Fri 9.10   9 Sat 10.10 10 Mon 12.10 11 Tue 13.10 12 Wed 14.10 13 Thu 15.10

A task of d days starting on day s works days s … s+d−1; FS lag L starts the successor on day
(predecessor's last day + 1 + L)."""

from __future__ import annotations

from plan_api_support import FORBIDDEN, INVALID, NOT_FOUND, D, add, call, dates, link, state

from clientpm.core.models import ChangeRecord
from clientpm.customers.services import customer_create
from clientpm.projects.models import Project, TaskDependency
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.team import member_add

# --- dependencies ----------------------------------------------------------------------------------------


def test_the_four_dependency_types_with_lags_and_a_lead(api, pm, autumn):
    a = add(pm, autumn, "A 调研", 4)  # days 0–3: 21–24 September
    b = add(pm, autumn, "B 设计", 2)
    c = add(pm, autumn, "C 访谈", 1)
    d = add(pm, autumn, "D 报告", 3)
    e = add(pm, autumn, "E 评审", 2)
    f = add(pm, autumn, "F 准备", 1)
    client = api(pm)
    url = f"/projects/{autumn.pk}/dependencies"
    cases = [
        # FS +2: two working days (28, 29 September) after A's last day → days 6–7: 30 Sep, 8 Oct
        (b, "FS", 2, (D(2026, 9, 30), D(2026, 10, 8))),
        # SS +3: three working days after A starts → day 3: 24 September
        (c, "SS", 3, (D(2026, 9, 24), D(2026, 9, 24))),
        # FF +1: finishes one working day after A → last day 4 (28 Sep), so days 2–4: 23–28 Sep
        (d, "FF", 1, (D(2026, 9, 23), D(2026, 9, 28))),
        # SF +5: finishes no earlier than five working days after A starts → last day 4, days 3–4
        (e, "SF", 5, (D(2026, 9, 24), D(2026, 9, 28))),
        # FS −2 (a lead): may start two working days before A's end → day 2: 23 September
        (f, "FS", -2, (D(2026, 9, 23), D(2026, 9, 23))),
    ]
    for successor, kind, lag, expected in cases:
        response = call(
            client,
            "post",
            url,
            {"predecessor_id": a.pk, "successor_id": successor.pk, "dependency_type": kind, "lag_days": lag},
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["dependency_type"], body["lag_days"], body["is_cross_project"]) == (kind, lag, False)
        assert (body["predecessor"]["wbs_code"], body["successor"]["id"]) == ("1", successor.pk)
        assert body["predecessor"]["project_code"] == autumn.code
        assert dates(successor) == expected, successor.name
    listed = call(client, "get", url).json()
    assert listed["count"] == 5
    assert [item["successor"]["name"] for item in listed["items"]] == [
        "B 设计",
        "C 访谈",
        "D 报告",
        "E 评审",
        "F 准备",
    ]


def test_a_dependency_is_changed_and_removed_and_each_write_is_recorded(api, pm, autumn):
    a = add(pm, autumn, "A", 4)
    b = add(pm, autumn, "B", 2)
    client = api(pm)
    created = call(
        client, "post", f"/projects/{autumn.pk}/dependencies", {"predecessor_id": a.pk, "successor_id": b.pk}
    ).json()
    assert (created["dependency_type"], created["lag_days"]) == ("FS", 0)
    assert dates(b) == (D(2026, 9, 28), D(2026, 9, 29))  # days 4–5, after the Mid-Autumn weekend
    url = f"/dependencies/{created['id']}"
    changed = call(client, "patch", url, {"dependency_type": "SS", "lag_days": 1})
    assert (changed.status_code, changed.json()["dependency_type"], changed.json()["lag_days"]) == (
        200,
        "SS",
        1,
    )
    assert dates(b) == (D(2026, 9, 22), D(2026, 9, 23))  # day 0 + 1 = day 1
    assert call(client, "get", url).json()["lag_days"] == 1
    bad = call(client, "patch", url, {"lag_days": None})
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["lag_days"])
    assert call(client, "patch", url, {"lag_days": 1000}).status_code == 422
    assert call(client, "delete", url).status_code == 204
    assert dates(b) == (D(2026, 9, 21), D(2026, 9, 22))
    assert call(client, "get", url).status_code == 404
    records = ChangeRecord.objects.filter(content_type__model="taskdependency", object_id=created["id"])
    assert list(records.order_by("id").values_list("action", "source", "actor")) == [
        ("create", "api", pm.pk),
        ("update", "api", pm.pk),
        ("delete", "api", pm.pk),
    ]
    assert records.get(action="update").changes == {"dependency_type": ["FS", "SS"], "lag_days": [0, 1]}


def test_a_cycle_is_422_naming_its_tasks_and_leaves_nothing_behind(api, pm, autumn):
    a = add(pm, autumn, "设计", 2)
    b = add(pm, autumn, "开发", 2)
    c = add(pm, autumn, "测试", 2)
    link(pm, a, b)
    link(pm, b, c)
    client = api(pm)
    before = state(autumn)
    response = call(
        client, "post", f"/projects/{autumn.pk}/dependencies", {"predecessor_id": c.pk, "successor_id": a.pk}
    )
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": INVALID,
            "errors": {
                "predecessor_id": [
                    "These tasks would depend on each other in a circle: 3 测试 → 1 设计 → 2 开发 → 3 测试."
                ]
            },
        },
    )
    assert state(autumn) == before


def test_a_cycle_through_a_summary_is_422_and_leaves_nothing_behind(api, pm, autumn):
    phase = add(pm, autumn, "实施")
    deploy = add(pm, autumn, "部署", 2, parent=phase)
    check = add(pm, autumn, "验收", 1)
    link(pm, deploy, check)
    client = api(pm)
    before = state(autumn)
    response = call(
        client,
        "post",
        f"/projects/{autumn.pk}/dependencies",
        {"predecessor_id": check.pk, "successor_id": phase.pk},
    )
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"__all__": ["These tasks depend on each other in a circle: 1 实施 → 1.1 部署 → 2 验收 → 1 实施."]},
    )
    assert state(autumn) == before


def test_other_customers_and_unknown_tasks_are_refused_with_a_clear_message(
    api, pm, autumn, account_manager, other_manager
):
    stranger = customer_create(actor=account_manager, name="西南能源", owner=account_manager)
    foreign = project_create(actor=pm, customer=stranger, name="能源项目", manager=pm)
    theirs = add(pm, foreign, "接口", 2)
    hidden_customer = customer_create(actor=other_manager, name="北方物流", owner=other_manager)
    hidden = add(
        other_manager, project_create(actor=other_manager, customer=hidden_customer, name="物流项目"), "仓储"
    )
    ours = add(pm, autumn, "联调", 2)
    mine = add(pm, autumn, "上线", 1)
    client = api(pm)
    before = state(autumn)
    url = f"/projects/{autumn.pk}/dependencies"
    cases = [
        (
            {"predecessor_id": theirs.pk, "successor_id": ours.pk},
            {
                "predecessor_id": [
                    f"“1 接口” belongs to project {foreign.code} of another customer; dependencies link only "
                    "projects of the same customer."
                ]
            },
        ),
        ({"predecessor_id": hidden.pk, "successor_id": ours.pk}, {"predecessor_id": ["Unknown task."]}),
        (
            {"predecessor_id": ours.pk, "successor_id": theirs.pk},
            {"successor_id": ["Choose a task of this project."]},
        ),
        (
            {"predecessor_id": ours.pk, "successor_id": ours.pk},
            {"predecessor_id": ["A task cannot depend on itself."]},
        ),
        ({"predecessor_id": ours.pk, "successor_id": mine.pk, "dependency_type": "XX"}, "dependency_type"),
        ({"predecessor_id": ours.pk, "successor_id": mine.pk, "lag_days": -1000}, "lag_days"),
    ]
    for data, errors in cases:
        response = call(client, "post", url, data)
        assert response.status_code == 422, data
        if isinstance(errors, str):
            assert list(response.json()["errors"]) == [errors]
        else:
            assert response.json()["errors"] == errors
    assert state(autumn) == before
    call(client, "post", url, {"predecessor_id": ours.pk, "successor_id": mine.pk})
    twice = call(client, "post", url, {"predecessor_id": ours.pk, "successor_id": mine.pk})
    assert twice.json()["errors"] == {"predecessor_id": ["“2 上线” already depends on “1 联调”."]}


def test_a_dependency_across_projects_of_one_customer_reschedules_the_other_project(
    api, pm, autumn, customer
):
    second = project_create(
        actor=pm, customer=customer, name="二期推广", manager=pm, planned_start_date=D(2026, 9, 21)
    )
    platform = add(pm, autumn, "平台上线", 5)  # days 0–4: 21–28 September
    rollout = add(pm, second, "推广", 2)
    client = api(pm)
    created = call(
        client,
        "post",
        f"/projects/{second.pk}/dependencies",
        {"predecessor_id": platform.pk, "successor_id": rollout.pk},
    )
    assert created.status_code == 201
    body = created.json()
    assert (
        body["is_cross_project"],
        body["predecessor"]["project_code"],
        body["successor"]["project_code"],
    ) == (
        True,
        autumn.code,
        second.code,
    )
    assert dates(rollout) == (D(2026, 9, 29), D(2026, 9, 30))  # days 5–6
    # the predecessor's project lists the link too
    assert call(client, "get", f"/projects/{autumn.pk}/dependencies").json()["count"] == 1
    # one more day for the platform (days 0–5, to the 29th) moves the other project: days 6–7
    call(client, "patch", f"/tasks/{platform.pk}", {"version": 1, "duration_days": 6})
    assert dates(rollout) == (D(2026, 9, 30), D(2026, 10, 8))
    assert Project.objects.get(pk=second.pk).scheduled_finish_date == D(2026, 10, 8)
    # deleting the platform task frees the rollout: it starts with its own project again
    call(client, "delete", f"/tasks/{platform.pk}")
    assert dates(rollout) == (D(2026, 9, 21), D(2026, 9, 22))


def test_a_cycle_through_another_projects_task_and_a_summary_is_422(api, pm, autumn, customer):
    """The engine sees another project's task as fixed dates, so this cycle must be found before:
    accepted, the two projects would push each other later on every re-schedule."""
    second = project_create(
        actor=pm, customer=customer, name="二期推广", manager=pm, planned_start_date=D(2026, 9, 21)
    )
    phase = add(pm, autumn, "实施")
    deploy = add(pm, autumn, "部署", 2, parent=phase)  # 21–22 September
    rollout = add(pm, second, "推广", 2)
    client = api(pm)
    first = call(
        client,
        "post",
        f"/projects/{second.pk}/dependencies",
        {"predecessor_id": deploy.pk, "successor_id": rollout.pk},
    )
    assert first.status_code == 201
    assert dates(rollout) == (D(2026, 9, 23), D(2026, 9, 24))
    before = state(autumn), state(second)
    # 实施 after 推广 means 部署 (inside 实施) after 推广, which follows 部署
    response = call(
        client,
        "post",
        f"/projects/{autumn.pk}/dependencies",
        {"predecessor_id": rollout.pk, "successor_id": phase.pk},
    )
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {
            "predecessor_id": [
                f"These tasks would depend on each other in a circle: {second.code} 1 推广 → 1 实施 → "
                f"1.1 部署 → {second.code} 1 推广."
            ]
        },
    )
    assert (state(autumn), state(second)) == before
    # the same cycle made by changing a start-to-start link from the summary into a finish-to-start one
    kickoff = add(pm, second, "启动", 1)
    link(pm, phase, kickoff, "SS")
    link(pm, kickoff, deploy, "FS")
    start_to_start = TaskDependency.objects.get(successor=kickoff)
    changed = call(client, "patch", f"/dependencies/{start_to_start.pk}", {"dependency_type": "FS"})
    assert (changed.status_code, changed.json()["errors"]) == (
        422,
        {
            "predecessor_id": [
                f"These tasks would depend on each other in a circle: {autumn.code} 1 实施 → 2 启动 → "
                f"{autumn.code} 1.1 部署 → {autumn.code} 1 实施."
            ]
        },
    )
    assert TaskDependency.objects.get(pk=start_to_start.pk).dependency_type == "SS"


def test_dependency_permissions_and_scope(api, pm, autumn, team_member, other_manager):
    a = add(pm, autumn, "A")
    b = add(pm, autumn, "B")
    dependency = link(pm, a, b)
    member_add(actor=pm, project=autumn, user=team_member, project_role="Consultant")
    member = api(team_member)
    url = f"/projects/{autumn.pk}/dependencies"
    assert call(member, "get", url).json()["count"] == 1
    assert call(member, "post", url, {"predecessor_id": b.pk, "successor_id": a.pk}).json() == FORBIDDEN
    assert call(member, "patch", f"/dependencies/{dependency.pk}", {"lag_days": 2}).status_code == 403
    assert call(member, "delete", f"/dependencies/{dependency.pk}").status_code == 403
    outsider = api(other_manager)
    for method, path, data in [
        ("get", url, None),
        ("post", url, {"predecessor_id": a.pk, "successor_id": b.pk}),
        ("get", f"/dependencies/{dependency.pk}", None),
        ("patch", f"/dependencies/{dependency.pk}", {"lag_days": 2}),
        ("delete", f"/dependencies/{dependency.pk}", None),
    ]:
        assert call(outsider, method, path, data).json() == NOT_FOUND, (method, path)
    assert TaskDependency.objects.get().lag_days == 0


def test_the_dependency_list_shows_links_into_projects_the_reader_cannot_see_to_nobody(
    api, pm, autumn, customer, team_member
):
    """A link belongs to its successor's project (``GET /dependencies/{id}`` needs that project):
    a member of the predecessor's project alone does not learn the other project's task names."""
    second = project_create(actor=pm, customer=customer, name="二期推广", manager=pm)
    member_add(actor=pm, project=autumn, user=team_member, project_role="Consultant")
    platform = add(pm, autumn, "平台上线", 5)
    check = add(pm, autumn, "验收", 1)
    outward = link(pm, platform, add(pm, second, "推广", 2))
    inward = link(pm, add(pm, second, "接口准备", 1), check)
    url = f"/projects/{autumn.pk}/dependencies"
    mine = call(api(team_member), "get", url).json()
    assert [item["id"] for item in mine["items"]] == [inward.pk]
    assert call(api(team_member), "get", f"/dependencies/{outward.pk}").json() == NOT_FOUND
    assert sorted(item["id"] for item in call(api(pm), "get", url).json()["items"]) == [outward.pk, inward.pk]


def test_the_dependency_list_costs_the_same_queries_for_many_links(
    api, pm, autumn, django_assert_max_num_queries
):
    client = api(pm)
    call(client, "get", f"/projects/{autumn.pk}/dependencies")
    counts = []
    previous = add(pm, autumn, "起点")
    for total in (2, 20):
        while TaskDependency.objects.count() < total:
            task = add(pm, autumn, "任务")
            link(pm, previous, task)
            previous = task
        # token (+ user), 2 × permissions, project, the page (+ both tasks and projects), the count
        with django_assert_max_num_queries(6) as captured:
            body = call(client, "get", f"/projects/{autumn.pk}/dependencies?page_size=50").json()
        assert body["count"] == total
        counts.append(len(captured))
    assert counts[0] == counts[1]
