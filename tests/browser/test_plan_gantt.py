"""A real browser drags bars on the Plan tab's Gantt chart: moving a task moves its successor once the
server has rescheduled, stretching a bar's end changes the duration in working days, and a move the
dependencies do not allow snaps back with the server's reason."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import customer_create
from clientpm.projects.models import Task
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY_WIDTH = 45  # Frappe Gantt's column width in the day view


def bar(page, task):
    return page.locator(f"[data-testid=gantt] .bar-wrapper[data-id='{task.pk}']")


def bar_box(page, task):
    return bar(page, task).locator(".bar").bounding_box()


def drag(page, x, y, dx):
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + dx * step / 5, y)
    page.mouse.up()


def wait_start(page, task, day):
    page.wait_for_selector(
        f"[data-testid=gantt][data-state=ready] .bar-wrapper[data-id='{task.pk}'][data-start='{day}']"
    )


@pytest.fixture
def plan(db):
    """Workshops (3 days, Mon 2 – Wed 4 March 2026) → Blueprint (2 days, Thu 5 – Fri 6), on the China
    calendar (no holiday in those weeks)."""
    pm = user_create(
        actor=None,
        username="zhao",
        password="pw-Secret-123",
        roles=[roles.PROJECT_MANAGER],
        display_name="赵敏",
    )
    customer = customer_create(actor=None, name="华东医药集团", owner=pm)
    project = project_create(
        actor=pm,
        customer=customer,
        name="华东区域实施项目",
        manager=pm,
        planned_start_date=dt.date(2026, 3, 2),
    )
    workshops = services.task_create(actor=pm, project=project, name="Workshops", duration_days=3)
    blueprint = services.task_create(actor=pm, project=project, name="Blueprint", duration_days=2)
    services.dependency_create(actor=pm, predecessor=workshops, successor=blueprint)
    return project, workshops, blueprint


def open_gantt(live_server, page, project):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "zhao")
    page.fill("#id_password", "pw-Secret-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/customers/")
    page.evaluate("localStorage.clear()")
    page.goto(f"{live_server.url}/projects/{project.pk}/#tab-plan")
    page.wait_for_selector("[data-testid=gantt][data-state=ready]")
    page.click("[data-gantt-mode=Day]")
    page.wait_for_selector("[data-testid=gantt][data-state=ready] .bar-wrapper.gt-critical")


def test_dragging_a_bar_moves_its_successor(live_server, page, plan):
    project, workshops, blueprint = plan
    open_gantt(live_server, page, project)
    rows = page.locator("[data-testid=gantt-row] .gt-name").all_text_contents()
    assert [row.strip() for row in rows] == ["Workshops", "Blueprint"]
    wait_start(page, blueprint, "2026-03-05")
    before = bar_box(page, blueprint)
    box = bar_box(page, workshops)

    # Two days to the right: Workshops starts Wed 4 March, so Blueprint follows on Mon 9 – Tue 10.
    drag(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, 2 * DAY_WIDTH + 10)

    wait_start(page, blueprint, "2026-03-09")
    after = bar_box(page, blueprint)
    assert after["x"] - before["x"] == pytest.approx(4 * DAY_WIDTH, abs=1)  # Thu 5 → Mon 9
    assert bar(page, workshops).get_attribute("data-start") == "2026-03-04"
    workshops.refresh_from_db()
    blueprint.refresh_from_db()
    assert (workshops.constraint_type, workshops.constraint_date) == ("snet", dt.date(2026, 3, 4))
    assert (blueprint.start_date, blueprint.finish_date) == (dt.date(2026, 3, 9), dt.date(2026, 3, 10))
    assert page.locator("[data-testid=gantt-alert]").is_hidden()


def test_stretching_a_bar_changes_its_duration(live_server, page, plan):
    project, workshops, blueprint = plan
    open_gantt(live_server, page, project)
    box = bar_box(page, workshops)
    page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)  # hovering shows the handles
    handle = bar(page, workshops).locator(".handle.right")
    handle.wait_for(state="visible")
    grip = handle.bounding_box()
    # Wed 4 → Thu 5: four working days.
    drag(page, grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2, DAY_WIDTH + 10)

    page.wait_for_selector(
        f"[data-testid=gantt][data-state=ready] .bar-wrapper[data-id='{workshops.pk}'][data-end='2026-03-05']"
    )
    wait_start(page, blueprint, "2026-03-06")
    workshops.refresh_from_db()
    blueprint.refresh_from_db()
    assert (workshops.duration_days, workshops.constraint_type) == (4, "asap")
    assert (blueprint.start_date, blueprint.finish_date) == (dt.date(2026, 3, 6), dt.date(2026, 3, 9))


def test_a_refused_move_snaps_back_with_the_reason(live_server, page, plan):
    project, _workshops, blueprint = plan
    open_gantt(live_server, page, project)
    before = bar_box(page, blueprint)

    # One day to the left: Blueprint would start before Workshops finishes.
    drag(page, before["x"] + before["width"] / 2, before["y"] + before["height"] / 2, -DAY_WIDTH - 10)

    alert = page.locator("[data-testid=gantt-alert]")
    alert.wait_for(state="visible")
    assert "cannot start on 2026-03-04" in alert.text_content()
    assert "2026-03-05 at the earliest" in alert.text_content()
    page.wait_for_selector("[data-testid=gantt][data-state=ready]")
    wait_start(page, blueprint, "2026-03-05")
    assert bar_box(page, blueprint)["x"] == pytest.approx(before["x"], abs=1)
    blueprint.refresh_from_db()
    assert (blueprint.constraint_type, blueprint.start_date) == ("asap", dt.date(2026, 3, 5))
    assert Task.objects.get(pk=blueprint.pk).version == 1
