"""The task (WBS) endpoints under /api/v1: create (201, WBS code, computed dates), read, list in
WBS order (with its query count), PATCH with a version (409 when stale), delete, and
indent/outdent/move renumbering the WBS.

Dates are on the China calendar from Monday 21 September 2026: Mid-Autumn Friday 25 – Sunday 27
September and National Day 1–7 October are off, Saturday 10 October is worked (调休)."""

from __future__ import annotations

from plan_api_support import INVALID, D, add, call

from clientpm.core.models import ChangeRecord
from clientpm.projects.models import Task, TaskDependency
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_create


def outline(client, project):
    """(WBS code, name, depth) of every task, read through the list endpoint."""
    body = call(client, "get", f"/projects/{project.pk}/tasks?page_size=200").json()
    return [(t["wbs_code"], t["name"], t["depth"]) for t in body["items"]]


# --- create, read, list ------------------------------------------------------------------------------


def test_create_returns_201_with_the_wbs_code_and_the_computed_dates(api, pm, autumn, member):
    client = api(pm)
    created = call(
        client,
        "post",
        f"/projects/{autumn.pk}/tasks",
        {
            "name": "需求调研",
            "duration_days": 4,
            "owner_id": pm.pk,
            "assignee_ids": [member.pk],
            "effort_hours": "32",
            "deadline_date": "2026-09-30",
        },
    )
    assert created.status_code == 201
    body = created.json()
    # 4 working days from Mon 21 September: 21, 22, 23, 24 (Friday 25th is Mid-Autumn)
    assert (body["wbs_code"], body["version"], body["start_date"], body["finish_date"]) == (
        "1",
        1,
        "2026-09-21",
        "2026-09-24",
    )
    assert (body["owner"]["id"], [u["id"] for u in body["assignees"]], body["effort_hours"]) == (
        pm.pk,
        [member.pk],
        32.0,
    )
    # it is the whole plan: critical; a deadline (Wed 30 Sep) later than the finish adds no float
    assert (body["total_float_days"], body["is_critical"], body["is_milestone"], body["status"]) == (
        0,
        True,
        False,
        "not_started",
    )
    first = body["id"]
    child = call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "访谈", "parent_id": first}).json()
    after = call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "方案", "after_id": first}).json()
    milestone = call(
        client,
        "post",
        f"/projects/{autumn.pk}/tasks",
        {"name": "启动会", "duration_days": 0, "after_id": first},
    ).json()
    # 方案 was 2 when created; the milestone inserted right after 1 takes 2 and pushes 方案 to 3
    assert (child["wbs_code"], after["wbs_code"], milestone["wbs_code"]) == ("1.1", "2", "2")
    assert (milestone["is_milestone"], milestone["start_date"]) == (True, "2026-09-21")
    read = call(client, "get", f"/tasks/{first}").json()
    # now a summary: it takes its dates from 访谈 (1 day, Monday 21st)
    assert (read["is_summary"], read["start_date"], read["finish_date"], read["duration_days"]) == (
        True,
        "2026-09-21",
        "2026-09-21",
        1,
    )
    assert outline(client, autumn) == [
        ("1", "需求调研", 0),
        ("1.1", "访谈", 1),
        ("2", "启动会", 0),
        ("3", "方案", 0),
    ]


def test_a_three_point_estimate_gives_the_pert_duration(api, pm, autumn):
    body = call(
        api(pm),
        "post",
        f"/projects/{autumn.pk}/tasks",
        {"name": "数据迁移", "optimistic_days": "2", "most_likely_days": "3", "pessimistic_days": "10"},
    ).json()
    # (2 + 4 × 3 + 10) / 6 = 4 → four working days 21–24 September
    assert (body["duration_days"], body["expected_days"], body["finish_date"]) == (4, 4, "2026-09-24")


def test_the_list_is_paged_in_wbs_order(api, pm, autumn):
    for i in range(12):
        add(pm, autumn, f"步骤{i + 1}")
    body = call(api(pm), "get", f"/projects/{autumn.pk}/tasks?page=2&page_size=5").json()
    assert (body["count"], body["page"]) == (12, 2)
    assert [t["wbs_code"] for t in body["items"]] == ["6", "7", "8", "9", "10"]


def test_the_list_costs_the_same_queries_for_30_tasks_as_for_3(
    api, pm, autumn, member, django_assert_max_num_queries
):
    def grow(total):
        while Task.objects.filter(project=autumn).count() < total:
            n = Task.objects.filter(project=autumn).count()
            parent = Task.objects.filter(project=autumn, parent=None).order_by("-id").first()
            add(pm, autumn, f"任务{n}", owner=pm, assignees=[pm, member], parent=parent if n % 3 else None)

    client = api(pm)
    call(client, "get", f"/projects/{autumn.pk}/tasks")  # the token's last use is stamped once
    counts = []
    for total in (3, 30):
        grow(total)
        # token (+ user), 2 × permissions, project, tasks (+ owners), prefetched assignees
        with django_assert_max_num_queries(6) as captured:
            body = call(client, "get", f"/projects/{autumn.pk}/tasks?page_size=50").json()
        assert body["count"] == total
        assert all(len(t["assignees"]) == 2 for t in body["items"])
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- update, delete ----------------------------------------------------------------------------------


def test_patch_needs_the_current_version_and_a_stale_one_is_409(api, pm, autumn):
    task = add(pm, autumn, "方案设计", 3, owner=pm)
    client = api(pm)
    changed = call(
        client, "patch", f"/tasks/{task.pk}", {"version": 1, "name": "方案编写", "duration_days": 5}
    )
    assert changed.status_code == 200
    # five working days: 21–24 and Monday 28 September
    assert (changed.json()["version"], changed.json()["finish_date"]) == (2, "2026-09-28")
    stale = call(client, "patch", f"/tasks/{task.pk}", {"version": 1, "name": "旧名"})
    assert (stale.status_code, stale.json()["current_version"], list(stale.json()["errors"])) == (
        409,
        2,
        ["version"],
    )
    cleared = call(client, "patch", f"/tasks/{task.pk}", {"version": 2, "owner_id": None})
    assert (cleared.json()["owner"], cleared.json()["name"]) == (None, "方案编写")
    refused = call(client, "patch", f"/tasks/{task.pk}", {"version": 3, "name": None})
    assert (refused.status_code, refused.json()["errors"]) == (422, {"name": ["This field cannot be null."]})
    missing = call(client, "patch", f"/tasks/{task.pk}", {"name": "无版本"})
    assert (missing.status_code, list(missing.json()["errors"])) == (422, ["version"])
    assert Task.objects.get(pk=task.pk).name == "方案编写"


def test_patch_start_date_moves_the_task_and_a_move_before_its_predecessor_is_422(api, pm, autumn):
    design = add(pm, autumn, "设计", 4)
    build = add(pm, autumn, "开发", 2)
    services.dependency_create(actor=pm, predecessor=design, successor=build)
    client = api(pm)
    # build follows design (21–24): Monday 28 September at the earliest
    early = call(client, "patch", f"/tasks/{build.pk}", {"version": 1, "start_date": "2026-09-22"})
    assert early.status_code == 422
    assert early.json()["errors"] == {
        "start_date": [
            "“2 开发” cannot start on 2026-09-22: its predecessors, summary task or the status date allow "
            "2026-09-28 at the earliest."
        ]
    }
    # a move onto the National Day holiday starts on the next working day, Thursday 8 October, and
    # runs 8–9 October
    moved = call(client, "patch", f"/tasks/{build.pk}", {"version": 1, "start_date": "2026-10-01"}).json()
    assert (
        moved["constraint_type"],
        moved["constraint_date"],
        moved["start_date"],
        moved["finish_date"],
    ) == (
        "snet",
        "2026-10-01",
        "2026-10-08",
        "2026-10-09",
    )


def test_delete_takes_the_subtree_and_renumbers_and_a_stale_version_is_409(api, pm, autumn):
    a = add(pm, autumn, "A")
    a1 = add(pm, autumn, "A1", parent=a)
    b = add(pm, autumn, "B")
    services.dependency_create(actor=pm, predecessor=a1, successor=b)
    client = api(pm)
    call(client, "patch", f"/tasks/{a.pk}", {"version": 1, "name": "A+"})
    assert call(client, "delete", f"/tasks/{a.pk}?version=1").status_code == 409
    assert call(client, "delete", f"/tasks/{a.pk}?version=2").status_code == 204
    assert outline(client, autumn) == [("1", "B", 0)]
    assert not Task.objects.filter(pk__in=[a.pk, a1.pk]).exists()
    assert not TaskDependency.objects.exists()
    assert call(client, "get", f"/tasks/{a.pk}").status_code == 404
    # B no longer waits for A1: it starts on the project start again
    assert call(client, "get", f"/tasks/{b.pk}").json()["start_date"] == "2026-09-21"


# --- the tree: indent, outdent, move -----------------------------------------------------------------


def test_indent_outdent_and_move_renumber_the_wbs(api, pm, autumn):
    a = add(pm, autumn, "A")
    b = add(pm, autumn, "B")
    c = add(pm, autumn, "C")
    add(pm, autumn, "C1", parent=c)
    d = add(pm, autumn, "D")
    client = api(pm)
    # 1 A, 2 B, 3 C, 3.1 C1, 4 D → B under A (the task above it): 1 A, 1.1 B, 2 C, 2.1 C1, 3 D
    indented = call(client, "post", f"/tasks/{b.pk}/indent")
    assert (indented.status_code, indented.json()["wbs_code"], indented.json()["parent_id"]) == (
        200,
        "1.1",
        a.pk,
    )
    # C (with C1) under A too, after B: 1 A, 1.1 B, 1.2 C, 1.2.1 C1, 2 D
    assert call(client, "post", f"/tasks/{c.pk}/indent").json()["wbs_code"] == "1.2"
    assert outline(client, autumn) == [
        ("1", "A", 0),
        ("1.1", "B", 1),
        ("1.2", "C", 1),
        ("1.2.1", "C1", 2),
        ("2", "D", 0),
    ]
    # B out again: right after A, before D; C stays under A as 1.1
    assert call(client, "post", f"/tasks/{b.pk}/outdent").json()["wbs_code"] == "2"
    assert outline(client, autumn) == [
        ("1", "A", 0),
        ("1.1", "C", 1),
        ("1.1.1", "C1", 2),
        ("2", "B", 0),
        ("3", "D", 0),
    ]
    # D first at the top level: 1 D, 2 A, 2.1 C, 2.1.1 C1, 3 B
    assert (
        call(client, "post", f"/tasks/{d.pk}/move", {"parent_id": None, "position": 0}).json()["wbs_code"]
        == "1"
    )
    # C (with C1) under B, past the end = last: 1 D, 2 A, 3 B, 3.1 C, 3.1.1 C1
    moved = call(client, "post", f"/tasks/{c.pk}/move", {"parent_id": b.pk, "position": 9})
    assert (moved.json()["wbs_code"], moved.json()["parent_id"]) == ("3.1", b.pk)
    assert outline(client, autumn) == [
        ("1", "D", 0),
        ("2", "A", 0),
        ("3", "B", 0),
        ("3.1", "C", 1),
        ("3.1.1", "C1", 2),
    ]
    summaries = dict(Task.objects.filter(project=autumn).values_list("name", "is_summary"))
    assert summaries == {"A": False, "B": True, "C": True, "C1": False, "D": False}


def test_tree_moves_that_cannot_be_done_are_422_naming_the_task(api, pm, autumn, customer):
    a = add(pm, autumn, "A")
    a1 = add(pm, autumn, "A1", parent=a)
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    foreign = add(pm, other, "外部任务")
    client = api(pm)
    cases = [
        (
            "post",
            f"/tasks/{a.pk}/indent",
            None,
            {"parent_id": ["“1 A” has no task above it at its level to go under."]},
        ),
        ("post", f"/tasks/{a.pk}/outdent", None, {"parent_id": ["“1 A” is already at the top level."]}),
        (
            "post",
            f"/tasks/{a.pk}/move",
            {"parent_id": a1.pk, "position": 0},
            {"parent_id": ["“1 A” cannot move under itself or one of its subtasks."]},
        ),
        (
            "post",
            f"/tasks/{a.pk}/move",
            {"parent_id": foreign.pk, "position": 0},
            {"parent_id": ["Choose a task of this project."]},
        ),
        (
            "post",
            f"/tasks/{a.pk}/move",
            {"parent_id": None, "position": -1},
            {"position": ["Input should be greater than or equal to 0"]},
        ),
    ]
    for method, url, data, errors in cases:
        response = call(client, method, url, data)
        assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors}), url
    assert outline(client, autumn) == [("1", "A", 0), ("1.1", "A1", 1)]


def test_indenting_a_task_under_its_own_predecessor_is_422_and_changes_nothing(api, pm, autumn):
    a = add(pm, autumn, "A", 2)
    b = add(pm, autumn, "B", 2)
    services.dependency_create(actor=pm, predecessor=a, successor=b)
    client = api(pm)
    records = ChangeRecord.objects.count()
    response = call(client, "post", f"/tasks/{b.pk}/indent")
    # B under A would follow its own summary task; the names are those the move would have given
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"__all__": ["“1.1 B” cannot depend on or be a predecessor of its own summary task “1 A”."]},
    )
    assert outline(client, autumn) == [("1", "A", 0), ("2", "B", 0)]
    assert list(Task.objects.order_by("id").values_list("parent_id", "is_summary", "start_date")) == [
        (None, False, D(2026, 9, 21)),
        (None, False, D(2026, 9, 23)),
    ]
    assert ChangeRecord.objects.count() == records
