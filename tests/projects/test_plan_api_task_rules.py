"""The task endpoints' rules under /api/v1: bad input (422 naming the field, nothing saved), 404
outside the caller's scope, 403 without the permission (accounts/roles.py: team members change
tasks but neither add nor delete them; account managers and executives only read), 409 for a
closed project, the change records of API writes (source "api"), and "my tasks".

Dates are on the China calendar from Monday 21 September 2026: Mid-Autumn Friday 25 – Sunday 27
September is off."""

from __future__ import annotations

import pytest
from plan_api_support import FORBIDDEN, INVALID, NOT_FOUND, D, add, call

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import customer_create
from clientpm.projects.models import Task
from clientpm.projects.services import plan as services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.team import member_add, member_remove


def api_records(model, pk):
    return list(
        ChangeRecord.objects.filter(content_type__model=model, object_id=pk)
        .order_by("id")
        .values_list("action", "source")
    )


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"duration_days": -1}, {"duration_days": ["Input should be greater than or equal to 0"]}),
        (
            {"optimistic_days": "8", "pessimistic_days": "5"},
            {"optimistic_days": ["The optimistic estimate must not exceed the pessimistic one."]},
        ),
        (
            {"optimistic_days": "2", "most_likely_days": "1", "pessimistic_days": "5"},
            {"most_likely_days": ["The most likely estimate must not be below the optimistic one."]},
        ),
        (
            {"constraint_type": "snet"},
            {"constraint_date": ["The constraint “Start no earlier than” needs a date."]},
        ),
        ({"constraint_type": "mfo"}, {"constraint_date": ["The constraint “Must finish on” needs a date."]}),
        ({"constraint_type": "someday"}, "constraint_type"),
        ({"status": "paused"}, "status"),
        ({"recurrence": "daily", "recurrence_count": 3}, "recurrence"),
        ({"recurrence": "weekly"}, {"recurrence_count": ["Say how many times the task repeats."]}),
        ({"percent_complete": 101}, "percent_complete"),
        ({"deadline_date": "2026-02-30"}, "deadline_date"),
        ({"colour": "red"}, {"colour": ["Extra inputs are not permitted"]}),
        ({"owner_id": 999_999}, "owner_id"),
        ({"assignee_ids": [999_999]}, "assignee_ids"),
        ({"parent_id": 999_999}, {"parent_id": ["Choose a task of this project."]}),
        ({"milestone_id": 999_999}, {"milestone_id": ["Choose a milestone of this project."]}),
        (
            {"start_date": "2026-09-28", "constraint_type": "mfo", "constraint_date": "2026-10-09"},
            {"start_date": ["Move the task or change its constraint, not both at once."]},
        ),
        (
            {"start_date": "2026-09-28", "constraint_date": "2026-10-09"},
            {"start_date": ["Move the task or change its constraint, not both at once."]},
        ),
        ({"name": "   "}, {"name": ["Give the task a name."]}),
        ({"name": ""}, "name"),
    ],
)
def test_bad_task_input_is_422_naming_the_field_and_nothing_is_saved(api, pm, autumn, data, errors):
    response = call(api(pm), "post", f"/projects/{autumn.pk}/tasks", {"name": "任务", **data})
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID
    if isinstance(errors, str):
        assert list(response.json()["errors"]) == [errors]
    else:
        assert response.json()["errors"] == errors
    assert not Task.objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="task").exists()


def test_a_start_date_with_the_default_constraint_starts_the_task_there(api, pm, autumn):
    body = call(
        api(pm),
        "post",
        f"/projects/{autumn.pk}/tasks",
        {"name": "培训", "duration_days": 2, "start_date": "2026-09-28", "constraint_type": "asap"},
    ).json()
    assert (body["constraint_type"], body["constraint_date"], body["start_date"], body["finish_date"]) == (
        "snet",
        "2026-09-28",
        "2026-09-28",
        "2026-09-29",
    )


def test_bad_patch_input_is_422_and_the_task_is_unchanged(api, pm, autumn):
    task = add(pm, autumn, "测试", 3)
    client = api(pm)
    for data, field in [
        ({"duration_days": -2}, "duration_days"),
        ({"optimistic_days": "9", "pessimistic_days": "4"}, "optimistic_days"),
        ({"constraint_type": "fnlt"}, "constraint_date"),
        ({"constraint_type": "later"}, "constraint_type"),
        ({"recurrence": "weekly"}, "recurrence"),
        ({"start_date": "2026-09-28", "constraint_type": "asap"}, "start_date"),
    ]:
        response = call(client, "patch", f"/tasks/{task.pk}", {"version": 1, **data})
        assert (response.status_code, list(response.json()["errors"])) == (422, [field]), data
    task.refresh_from_db()
    assert (task.version, task.duration_days, task.constraint_type, task.finish_date) == (
        1,
        3,
        "asap",
        D(2026, 9, 23),
    )


# --- scope and permissions -----------------------------------------------------------------------------


def test_everything_outside_the_callers_scope_is_404(api, pm, autumn, other_manager, team_member):
    task = add(pm, autumn, "A")
    for outsider in (other_manager, team_member):  # neither on the project nor its customer's team
        client = api(outsider)
        requests = [
            ("get", f"/projects/{autumn.pk}/tasks", None),
            ("post", f"/projects/{autumn.pk}/tasks", {"name": "X"}),
            ("get", f"/tasks/{task.pk}", None),
            ("patch", f"/tasks/{task.pk}", {"version": 1, "name": "X"}),
            ("delete", f"/tasks/{task.pk}", None),
            ("post", f"/tasks/{task.pk}/indent", None),
            ("post", f"/tasks/{task.pk}/outdent", None),
            ("post", f"/tasks/{task.pk}/move", {"parent_id": None, "position": 0}),
        ]
        for method, url, data in requests:
            response = call(client, method, url, data)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), (outsider, method, url)
    task.refresh_from_db()
    assert (task.name, task.version, Task.objects.count()) == ("A", 1, 1)


def test_a_team_member_changes_tasks_but_cannot_add_or_delete_them(api, pm, autumn, member):
    task = add(pm, autumn, "A", 2)
    add(pm, autumn, "B")
    client = api(member)
    assert call(client, "get", f"/projects/{autumn.pk}/tasks").json()["count"] == 2
    created = call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "X"})
    assert (created.status_code, created.json()) == (403, FORBIDDEN)
    progress = call(client, "patch", f"/tasks/{task.pk}", {"version": 1, "percent_complete": 50})
    assert (progress.status_code, progress.json()["status"]) == (200, "in_progress")
    assert call(client, "delete", f"/tasks/{task.pk}").status_code == 403
    assert Task.objects.count() == 2


def test_the_customers_account_manager_and_an_executive_read_but_do_not_plan(
    api, pm, autumn, account_manager, executive
):
    task = add(pm, autumn, "A")
    for reader in (account_manager, executive):
        client = api(reader)
        assert call(client, "get", f"/tasks/{task.pk}").status_code == 200
        assert call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "X"}).status_code == 403
        assert call(client, "patch", f"/tasks/{task.pk}", {"version": 1, "name": "X"}).status_code == 403
        assert call(client, "post", f"/tasks/{task.pk}/indent").status_code == 403
    assert Task.objects.get(pk=task.pk).name == "A"


def test_a_closed_project_refuses_task_writes_with_409(api, pm, autumn, admin_user):
    task = add(pm, autumn, "A")
    autumn.refresh_from_db()
    project_transition(
        actor=admin_user, project=autumn, to_phase="cancelled", version=autumn.version, reason="客户取消"
    )
    client = api(pm)
    assert call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "B"}).status_code == 409
    assert call(client, "patch", f"/tasks/{task.pk}", {"version": 1, "name": "B"}).status_code == 409
    assert Task.objects.get(pk=task.pk).name == "A"


# --- the change log ------------------------------------------------------------------------------------


def test_task_writes_through_the_api_leave_change_records_marked_api(api, pm, autumn):
    client = api(pm)
    body = call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "A", "duration_days": 2}).json()
    other = call(client, "post", f"/projects/{autumn.pk}/tasks", {"name": "B"}).json()
    call(client, "patch", f"/tasks/{body['id']}", {"version": 1, "duration_days": 3})
    call(client, "post", f"/tasks/{other['id']}/indent")
    call(client, "delete", f"/tasks/{other['id']}")
    assert api_records("task", body["id"]) == [("create", "api"), ("update", "api")]
    assert api_records("task", other["id"]) == [("create", "api"), ("update", "api"), ("delete", "api")]
    update = ChangeRecord.objects.get(content_type__model="task", object_id=body["id"], action="update")
    assert (update.actor, update.changes["duration_days"]) == (pm, [2, 3])
    indent = ChangeRecord.objects.get(content_type__model="task", object_id=other["id"], action="update")
    assert indent.changes["parent"] == [None, body["id"]]


# --- my tasks ------------------------------------------------------------------------------------------


def test_my_tasks_lists_only_the_callers_open_tasks_by_finish(api, pm, autumn, member, customer):
    other_project = project_create(
        actor=pm, customer=customer, name="二期", manager=pm, planned_start_date=D(2026, 9, 28)
    )
    member_add(actor=pm, project=other_project, user=member, project_role="Developer")
    someone = user_create(actor=None, username="dev", password="pw-Secret-123", roles=[roles.TEAM_MEMBER])
    member_add(actor=pm, project=autumn, user=someone, project_role="Developer")
    member_add(actor=pm, project=other_project, user=someone, project_role="Developer")
    late = add(pm, autumn, "测试", 5, assignees=[member])  # 21–28 September
    phase = add(pm, autumn, "实施", owner=member)  # becomes a summary: not listed
    early = add(pm, autumn, "部署", 1, parent=phase, owner=member)  # 21 September
    add(pm, autumn, "别人的任务", 1, owner=someone, assignees=[someone])
    done = add(pm, autumn, "已完成", 1, owner=member)
    services.task_update(actor=pm, task=done, version=done.version, status="done")
    second = add(pm, other_project, "培训", 2, assignees=[member, someone])  # 28–29 September
    body = call(api(member), "get", "/me/tasks").json()
    assert [(t["id"], t["finish_date"]) for t in body["items"]] == [
        (early.pk, "2026-09-21"),
        (late.pk, "2026-09-28"),
        (second.pk, "2026-09-29"),
    ]
    assert body["items"][2]["project_code"] == other_project.code
    assert body["items"][2]["customer_name"] == customer.name
    theirs = {t["name"] for t in call(api(someone), "get", "/me/tasks").json()["items"]}
    assert theirs == {"别人的任务", "培训"}
    assert call(api(pm), "get", "/me/tasks").json()["count"] == 0  # the manager owns none of them


def test_my_tasks_costs_the_same_queries_for_many_tasks(
    api, pm, autumn, member, django_assert_max_num_queries
):
    client = api(member)
    call(client, "get", "/me/tasks")
    counts = []
    for total in (3, 30):
        while Task.objects.filter(project=autumn).count() < total:
            add(pm, autumn, "任务", owner=member, assignees=[member])
        # token (+ user), 2 × permissions, the page (+ projects, customers, owners), the count
        with django_assert_max_num_queries(5) as captured:
            body = call(client, "get", "/me/tasks?page_size=50").json()
        assert body["count"] == total
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_my_tasks_skips_projects_the_caller_cannot_see(api, pm, autumn, member, account_manager):
    stranger = customer_create(actor=account_manager, name="西南能源", owner=account_manager)
    theirs = project_create(actor=pm, customer=stranger, name="能源项目", manager=pm)
    joined = member_add(actor=pm, project=theirs, user=member, project_role="Developer")
    add(pm, theirs, "他们的任务", owner=member)
    member_remove(actor=pm, member=joined)  # off that project's team now: its task is not visible
    mine = add(pm, autumn, "我的任务", owner=member)
    assert [t["id"] for t in call(api(member), "get", "/me/tasks").json()["items"]] == [mine.pk]


def test_my_tasks_not_yet_scheduled_come_last_on_every_database(api, pm, autumn, member, settings):
    later = add(pm, autumn, "测试", 3, owner=member)  # 21–23 September
    sooner = add(pm, autumn, "准备", 1, owner=member)  # 21 September
    settings.CLIENTPM_SCHEDULE_INLINE_MAX_TASKS = 0  # from now on the background job schedules
    waiting = add(pm, autumn, "上线", 1, owner=member)
    assert Task.objects.get(pk=waiting.pk).finish_date is None  # the job has not run yet
    body = call(api(member), "get", "/me/tasks").json()
    assert [t["id"] for t in body["items"]] == [sooner.pk, later.pk, waiting.pk]
