"""The project's resource load against hand-computed values: units spread over each task's working
days on its project's calendar, other projects' demand as a separate series, over-allocated days
and their runs; plus the array functions and the chart geometry on plain values.

Projects run on the Monday–Friday calendar from Monday 2 March 2026: working days Mon 2, Tue 3,
Wed 4, Thu 5, Fri 6, then Mon 9 (the weekend 7–8 has no column)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from clientpm.projects.models import CalendarBase, Task
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.charts import load_chart
from clientpm.resources.load import Run, over_runs, spread_demand
from clientpm.resources.queries import project_resource_load

D = dt.date
WEEK = [D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 6), D(2026, 3, 9)]


@pytest.fixture
def plan(pm, project, alice, team, new_task):
    """On ``project``: A 3 days from Mon 2 (Mon 2–Wed 4) needs Alice × 1 and the team × 2;
    B 2 days from Wed 4 (Wed 4–Thu 5) needs Alice × 0.5; C 2 days from Fri 6 (Fri 6, Mon 9 — the
    weekend is skipped) needs Alice × 1; M is a milestone on Alice (no working days, no load)."""
    a = new_task(project, "A", 3)
    b = new_task(project, "B", 2, start=D(2026, 3, 4))
    c = new_task(project, "C", 2, start=D(2026, 3, 6))
    m = new_task(project, "M", 0, start=D(2026, 3, 5))
    for task, resource, units in (
        (a, alice, "1"),
        (a, team, "2"),
        (b, alice, "0.5"),
        (c, alice, "1"),
        (m, alice, "1"),
    ):
        services.assignment_create(actor=pm, task=task, resource=resource, units=units)
    return {"a": a, "b": b, "c": c, "m": m}


def by_name(load):
    return {item.resource.name: item for item in load.resources}


def test_the_scheduled_dates_the_hand_computation_relies_on(plan):
    dates = {t.name: (t.start_date, t.finish_date) for t in Task.objects.all()}
    assert dates == {
        "A": (D(2026, 3, 2), D(2026, 3, 4)),
        "B": (D(2026, 3, 4), D(2026, 3, 5)),
        "C": (D(2026, 3, 6), D(2026, 3, 9)),
        "M": (D(2026, 3, 5), D(2026, 3, 5)),
    }


def test_demand_per_working_day_matches_the_hand_computation(project, plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        load = project_resource_load(project=project)
    assert (load.start, load.finish, load.calendar) == (D(2026, 3, 2), D(2026, 3, 9), "Monday–Friday")
    assert load.days == WEEK
    alice, team = by_name(load)["Alice"], by_name(load)["开发团队"]
    # Alice: Mon 2 A 1 | Tue 3 A 1 | Wed 4 A 1 + B 0.5 = 1.5 | Thu 5 B 0.5 | Fri 6 C 1 | Mon 9 C 1
    assert alice.demand == [1, 1, 1.5, 0.5, 1, 1]
    assert alice.other_demand == [0, 0, 0, 0, 0, 0]
    assert alice.over == [False, False, True, False, False, False]  # 1.5 > 1 on Wed 4 only
    assert (alice.over_days, alice.peak) == (1, Decimal("1.5"))
    # the team: A × 2 on Mon 2–Wed 4, within its capacity of 2
    assert team.demand == [2, 2, 2, 0, 0, 0]
    assert team.over == [False] * 6
    assert [
        (o.resource_name, o.first_date, o.last_date, o.working_days, o.peak, o.capacity)
        for o in load.over_allocations
    ] == [("Alice", D(2026, 3, 4), D(2026, 3, 4), 1, Decimal("1.5"), Decimal("1.00"))]


def test_other_projects_load_the_same_days_in_a_separate_series(
    pm, project, plan, alice, new_project, new_task
):
    """Another project's task D, 2 days from Thu 5 (Thu 5–Fri 6), needs Alice × 0.75."""
    other = new_project("华南区域项目")
    d = new_task(other, "D", 2, start=D(2026, 3, 5))
    services.assignment_create(actor=pm, task=d, resource=alice, units="0.75")
    alice_load = by_name(project_resource_load(project=project))["Alice"]
    assert alice_load.demand == [1, 1, 1.5, 0.5, 1, 1]
    assert alice_load.other_demand == [0, 0, 0, 0.75, 0.75, 0]
    # totals 1, 1, 1.5, 1.25, 1.75, 1 → over on Wed 4, Thu 5, Fri 6: one run of 3 working days, peak 1.75
    assert alice_load.over == [False, False, True, True, True, False]
    assert [(p.first_date, p.last_date, p.working_days, p.peak) for p in alice_load.periods] == [
        (D(2026, 3, 4), D(2026, 3, 6), 3, Decimal("1.75"))
    ]
    # seen from the other project: its own demand is D, this project's is "other"; its span is Thu 5–Fri 6
    seen = by_name(project_resource_load(project=other))["Alice"]
    assert (seen.demand, seen.other_demand) == ([0.75, 0.75], [0.5, 1])


def test_another_projects_task_loads_only_its_own_calendars_working_days(
    pm, project, plan, alice, new_project, new_task
):
    """The other project's calendar has Friday 6 March off: D (2 days from Thu 5) runs Thu 5 and
    Mon 9, so it loads Alice on Thu 5 and Mon 9, not on Fri 6."""
    site = plan_services.calendar_create(
        actor=pm, name="Site", base=CalendarBase.MON_FRI, holidays=["2026-03-06"]
    )
    other = new_project("华南区域项目", calendar=site)
    d = new_task(other, "D", 2, start=D(2026, 3, 5))
    assert (d.start_date, Task.objects.get(pk=d.pk).finish_date) == (D(2026, 3, 5), D(2026, 3, 9))
    services.assignment_create(actor=pm, task=d, resource=alice, units="0.75")
    alice_load = by_name(project_resource_load(project=project))["Alice"]
    assert alice_load.other_demand == [0, 0, 0, 0.75, 0, 0.75]
    # totals 1, 1, 1.5, 1.25, 1, 1.75 → runs Wed 4–Thu 5 (peak 1.5) and Mon 9 (peak 1.75)
    assert [(p.first_date, p.last_date, p.working_days, p.peak) for p in alice_load.periods] == [
        (D(2026, 3, 4), D(2026, 3, 5), 2, Decimal("1.5")),
        (D(2026, 3, 9), D(2026, 3, 9), 1, Decimal("1.75")),
    ]


def test_cancelled_projects_and_summary_tasks_do_not_load(pm, project, plan, alice, new_project, new_task):
    other = new_project("华南区域项目")
    services.assignment_create(actor=pm, task=new_task(other, "D", 2, start=D(2026, 3, 5)), resource=alice)
    project_transition(actor=pm, project=other, to_phase="cancelled", version=other.version, reason="取消")
    # B gets a subtask: it becomes a summary task, whose assignment no longer counts
    new_task(project, "B1", 1, parent=plan["b"], start=D(2026, 3, 9))
    alice_load = by_name(project_resource_load(project=project))["Alice"]
    # Mon 2 A 1 | Tue 3 A 1 | Wed 4 A 1 | Thu 5 — | Fri 6 C 1 | Mon 9 C 1
    assert alice_load.demand == [1, 1, 1, 0, 1, 1]
    assert alice_load.other_demand == [0] * 6
    assert alice_load.periods == []


def test_a_project_without_assignments_or_dates_has_no_columns(project, new_task):
    assert project_resource_load(project=project).days == []
    new_task(project, "A", 2)
    load = project_resource_load(project=project)
    assert (load.days, load.resources) == ([], [])


# --- the array functions and the chart -----------------------------------------------------------------


def test_spread_demand_cuts_rows_at_the_edges_and_masks_each_calendar():
    """Two calendars over Mon 2–Sun 8 March: 0 = Monday–Friday, 1 = Monday–Saturday.
    Row 1: resource 0, calendar 0, Thu 5 → Tue 10 (cut at Sun 8), 1 unit: Thu 5, Fri 6.
    Row 2: resource 0, calendar 1, Fri 27 Feb → Mon 2 (starts before the window), 0.5: Mon 2.
    Row 3: resource 1, calendar 1, Fri 6 → Sat 7, 2 units: Fri 6, Sat 7 (Saturday worked)."""
    working = np.array([[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 0]], dtype=bool)
    demand = spread_demand(
        first=D(2026, 3, 2),
        n_days=7,
        n_resources=2,
        resource=np.array([0, 0, 1]),
        calendar=np.array([0, 1, 1]),
        starts=np.array(["2026-03-05", "2026-02-27", "2026-03-06"], dtype="datetime64[D]"),
        finishes=np.array(["2026-03-10", "2026-03-02", "2026-03-07"], dtype="datetime64[D]"),
        units=np.array([100, 50, 200]),
        working=working,
    )
    assert demand.tolist() == [[50, 0, 0, 100, 100, 0, 0], [0, 0, 0, 0, 200, 200, 0]]


def test_over_runs_takes_each_runs_own_peak_per_resource():
    """Resource 0 (capacity 1): over on days 1–2 (1.5, 1.2) and 4 (1.3). Resource 1 (capacity 5)
    is never over, although its 4 is higher than resource 0's peaks."""
    total = np.array([[100, 150, 120, 90, 130], [400, 400, 400, 400, 400]])
    assert over_runs(total, np.array([100, 500])) == [Run(0, 1, 2, 150), Run(0, 4, 4, 130)]
    assert over_runs(total, np.array([200, 500])) == []


def test_chart_geometry_bars_capacity_line_and_red_days():
    """Capacity 1, totals 1, 2 (over), 0.5: the scale tops at 2 × 1.15 = 2.3 over the 122-pixel plot
    (150 − 8 − 20); the baseline is at y = 130."""
    days = [D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4)]
    chart = load_chart(days, [1, 1.5, 0.5], [0, 0.5, 0], Decimal("1"))
    assert [bar.over for bar in chart.bars] == [False, True, False]
    # capacity 1 → y = 130 − 1 / 2.3 × 122 = 76.96
    assert chart.capacity_y == 76.96
    # day 2: this project 1.5 → height 1.5 / 2.3 × 122 = 79.57; others 0.5 on top → 26.52
    second = chart.bars[1]
    assert (second.height, second.other_height) == (79.57, 26.52)
    # three bars share the 680-pixel plot (720 − 34 − 6): 226.67 each, 15 % of it as the gap
    assert (chart.bars[0].x, chart.bars[0].width) == (51.0, 192.67)
    assert [tick.label for tick in chart.ticks] == ["03-02", "03-03", "03-04"]
    assert second.title == "2026-03-03: 2 of 1 (this project 1.5, other projects 0.5)"
