"""The critical path method on hand-checked networks: every dependency type, lags, constraints,
milestones, deadlines, progress from a status date, cycles, floats and the critical path.

Dates use the Monday–Friday calendar from Monday 2 March 2026 unless a test says otherwise; the
working-day indices are 0 = Mon 2, 4 = Fri 6, 5 = Mon 9, 9 = Fri 13, 10 = Mon 16 March.
"""

from __future__ import annotations

import doctest
import importlib
from datetime import date

import pytest

from clientpm.scheduling import (
    ConstraintType,
    CycleError,
    Dependency,
    DependencyType,
    InfeasibleError,
    Leaf,
    SchedulingError,
    Task,
    china_calendar,
    cpm,
    monday_to_friday,
    require_feasible,
    schedule,
    summary_rollup,
)
from clientpm.scheduling.calendar import china_calendar_years
from clientpm.scheduling.cpm import NO_DAY, critical_paths

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF
MON = date(2026, 3, 2)


def march(day: int) -> date:
    return date(2026, 3, day)


def plan(tasks, dependencies=(), **options):
    options.setdefault("calendar", monday_to_friday())
    options.setdefault("project_start", MON)
    return schedule(tasks, dependencies, **options)


def dates(result, task):
    entry = result.tasks[task]
    return entry.start, entry.finish


# --- dependency types and lags -------------------------------------------------------------------


def test_finish_to_start_with_zero_positive_and_negative_lag():
    result = plan(
        [Task("a", 5), Task("b", 2), Task("c", 2), Task("d", 3)],
        [Dependency("a", "b"), Dependency("a", "c", FS, 2), Dependency("a", "d", FS, -2)],
    )
    assert dates(result, "a") == (march(2), march(6))
    assert dates(result, "b") == (march(9), march(10))  # the next working day after Friday
    assert dates(result, "c") == (march(11), march(12))  # Mon 9 and Tue 10 are the lag
    assert dates(result, "d") == (march(5), march(9))  # a lead of 2 days: Thu, Fri, Mon
    assert result.project_finish == march(12)
    assert result.duration == 9


def test_start_to_start_with_lag():
    result = plan([Task("a", 4), Task("b", 2)], [Dependency("a", "b", SS, 1)])
    assert dates(result, "b") == (march(3), march(4))
    assert result.tasks["b"].total_float == 1
    assert result.tasks["b"].late_finish == march(5)
    assert result.critical_path == ("a",)


def test_finish_to_finish_with_lag():
    result = plan([Task("a", 4), Task("b", 2)], [Dependency("a", "b", FF, 1)])
    assert dates(result, "b") == (march(5), march(6))  # finishes one day after a (Thu 5)
    assert result.critical_path == ("a", "b")


def test_start_to_finish_with_lag():
    result = plan([Task("a", 2), Task("b", 2)], [Dependency("a", "b", SF, 3)])
    # b must finish no earlier than 3 working days after a starts: at the end of Wed 4
    assert dates(result, "b") == (march(3), march(4))
    assert result.critical_path == ("a", "b")
    assert [result.tasks[t].total_float for t in "ab"] == [0, 0]


def test_start_to_finish_never_moves_a_task_before_the_project_start():
    result = plan([Task("a", 2), Task("b", 3)], [Dependency("a", "b", SF, 0)])
    assert dates(result, "b") == (march(2), march(4))
    assert result.tasks["a"].total_float == 1


def test_all_dependency_types_on_arrays():
    # a (4 d) →SS+1 b (2 d), a →FF c (3 d), b →FS−1 d (2 d), c →SF+2 e (1 d)
    result = cpm([4, 2, 3, 2, 1], [0, 0, 1, 2], [1, 2, 3, 4], [SS, FF, FS, SF], [1, 0, -1, 2])
    assert result.early_start.tolist() == [0, 1, 1, 2, 2]
    assert result.early_finish.tolist() == [4, 3, 4, 4, 3]
    assert result.late_start.tolist() == [0, 1, 1, 2, 3]
    assert result.total_float.tolist() == [0, 0, 0, 0, 1]
    assert result.critical_path.tolist() in ([0, 1, 3], [0, 2])


# --- constraints ---------------------------------------------------------------------------------

C = ConstraintType


@pytest.mark.parametrize(
    ("kind", "day", "early_start", "late_start"),
    [
        (C.ASAP, NO_DAY, 2, 8),
        (C.SNET, 5, 5, 8),  # raises the early start only
        (C.FNET, 8, 7, 8),  # finish no earlier than the end of day 8
        (C.SNLT, 4, 2, 4),  # limits the late start
        (C.FNLT, 5, 2, 4),  # finish by the end of day 5
        (C.MSO, 4, 4, 4),
        (C.MFO, 6, 5, 5),
    ],
)
def test_each_constraint_type(kind, day, early_start, late_start):
    # a (2 d) → b (2 d, constrained); c (10 d) sets the project finish at point 10
    result = cpm(
        [2, 2, 10],
        [0],
        [1],
        constraint_type=[C.ASAP, kind, C.ASAP],
        constraint_day=[NO_DAY, day, NO_DAY],
    )
    assert result.early_start[1] == early_start
    assert result.late_start[1] == late_start
    assert result.total_float[1] == late_start - early_start
    assert result.total_float[0] == min(late_start - 2, 6)
    assert not result.negative_float.any()


def test_constraint_dates_on_non_working_days_use_the_working_time_around_them():
    result = plan(
        [Task("a", 2, C.SNET, march(7)), Task("b", 2, C.FNLT, march(8)), Task("c", 12)],
    )
    assert dates(result, "a") == (march(9), march(10))  # Saturday → Monday
    assert result.tasks["b"].late_finish == march(6)  # Sunday → the end of Friday


def test_must_start_on_a_date_that_the_predecessors_cannot_make_reports_negative_float():
    result = plan(
        [Task("a", 5), Task("b", 2, C.MSO, march(4))],
        [Dependency("a", "b")],
    )
    assert dates(result, "b") == (march(4), march(5))  # the constraint date is honoured
    assert result.tasks["a"].total_float == -3
    assert result.negative_float == ("a",)
    assert result.violated_dependencies == (Dependency("a", "b"),)
    with pytest.raises(InfeasibleError) as refused:
        require_feasible(result)
    assert refused.value.tasks == ("a",)


def test_start_no_later_than_overrides_the_dependency_as_ms_project_does():
    result = cpm([5, 2], [0], [1], constraint_type=[C.ASAP, C.SNLT], constraint_day=[NO_DAY, 3])
    assert result.early_start.tolist() == [0, 3]
    assert result.total_float.tolist() == [-2, 0]
    assert result.violated_dependencies.tolist() == [0]


def test_as_late_as_possible_uses_the_float_before_its_successor():
    # a (2 d, ALAP) → c (1 d); b (6 d) → c: a can start at day 4 without delaying c
    result = plan(
        [Task("a", 2, C.ALAP), Task("b", 6), Task("c", 1)],
        [Dependency("a", "c"), Dependency("b", "c")],
    )
    assert dates(result, "a") == (march(6), march(9))
    assert result.tasks["a"].early_start == march(2)
    assert result.tasks["a"].total_float == 4
    assert dates(result, "c") == (march(10), march(10))
    assert result.violated_dependencies == ()


def test_as_late_as_possible_does_not_push_its_successors():
    # a (2 d, ALAP) → b (1 d) → d; c (6 d) → d: b keeps its early start, so a cannot move
    result = cpm([2, 1, 6, 1], [0, 1, 2], [1, 3, 3], constraint_type=[C.ALAP, C.ASAP, C.ASAP, C.ASAP])
    assert result.start.tolist() == [0, 2, 0, 6]
    assert result.late_start.tolist() == [3, 5, 0, 6]
    # a chain of ALAP tasks moves together, and a lone ALAP task moves to the project finish
    chain = cpm([2, 1, 6, 1, 1], [0, 1, 2], [1, 3, 3], constraint_type=[C.ALAP, C.ALAP, 0, 0, C.ALAP])
    assert chain.start.tolist() == [3, 5, 0, 6, 6]


# --- deadlines -----------------------------------------------------------------------------------


def test_a_project_deadline_before_the_early_finish_gives_negative_float():
    result = plan(
        [Task("a", 3), Task("b", 2)],
        [Dependency("a", "b")],
        project_deadline=march(5),
    )
    assert dates(result, "b") == (march(5), march(6))  # the plan is not moved, it is reported
    assert [result.tasks[t].total_float for t in "ab"] == [-1, -1]
    assert result.negative_float == ("a", "b")
    assert result.critical_path == ("a", "b")


def test_a_later_project_deadline_adds_no_float():
    result = plan([Task("a", 3), Task("b", 2)], [Dependency("a", "b")], project_deadline=march(20))
    assert [result.tasks[t].total_float for t in "ab"] == [0, 0]
    assert result.critical_path == ("a", "b")


def test_a_task_deadline_limits_its_late_finish():
    result = plan(
        [Task("a", 3), Task("b", 2, deadline=march(5)), Task("c", 10)],
        [Dependency("a", "b")],
    )
    assert result.tasks["b"].late_finish == march(5)
    assert [result.tasks[t].total_float for t in "abc"] == [-1, -1, 0]


# --- milestones ----------------------------------------------------------------------------------


def test_milestones_take_the_date_of_what_drives_them():
    result = plan(
        [
            Task("kick-off", 0),
            Task("a", 3),
            Task("done", 0),
            Task("ss", 0),
            Task("ff", 0),
            Task("mso", 0, C.MSO, march(10)),
            Task("mfo", 0, C.MFO, march(10)),
            Task("next", 1),
        ],
        [
            Dependency("kick-off", "a"),
            Dependency("a", "done"),
            Dependency("a", "ss", SS, 2),
            Dependency("a", "ff", FF),
            Dependency("done", "next"),
        ],
    )
    assert dates(result, "kick-off") == (march(2), march(2))  # at the start of the project
    assert dates(result, "a") == (march(2), march(4))
    assert dates(result, "done") == (march(4), march(4))  # at the end of a's last day
    assert dates(result, "next") == (march(5), march(5))
    assert dates(result, "ss") == (march(4), march(4))  # at the start of Wed 4
    assert dates(result, "ff") == (march(4), march(4))
    assert dates(result, "mso") == (march(10), march(10))
    assert dates(result, "mfo") == (march(10), march(10))
    assert (result.tasks["done"].late_finish, result.tasks["done"].total_float) == (march(9), 3)
    assert result.tasks["done"].milestone


def test_milestone_late_dates_and_as_late_as_possible_milestones():
    result = plan(
        [
            Task("kick-off", 0),
            Task("a", 5),
            Task("x", 2),
            Task("gate", 0, C.ALAP),
            Task("y", 3, C.SNET, march(11)),
            Task("report", 0, C.ALAP),
        ],
        [Dependency("kick-off", "a"), Dependency("x", "gate"), Dependency("gate", "y")],
    )
    assert result.project_finish == march(13)
    kick_off = result.tasks["kick-off"]
    # reached by the end of Friday 6 at the latest, so that a can still start on Monday 9
    assert (kick_off.early_start, kick_off.late_finish, kick_off.total_float) == (march(2), march(6), 5)
    assert dates(result, "gate") == (march(10), march(10))  # just before y starts on Wednesday 11
    assert result.tasks["gate"].early_finish == march(3)  # at the end of x
    assert dates(result, "report") == (march(13), march(13))  # at the end of the project


# --- progress ------------------------------------------------------------------------------------


def progress_plan(**options):
    return plan(
        [
            Task("a", 5, actual_start=march(2), actual_finish=march(9)),  # took a day longer
            Task("b", 4, actual_start=march(10), percent_complete=25),  # 3 days left
            Task("c", 3),
            Task("d", 2),
            Task("e", 1),
        ],
        [Dependency("a", "b"), Dependency("b", "c"), Dependency("a", "e")],
        **options,
    )


def test_rescheduling_from_a_status_date():
    result = progress_plan(status_date=march(12))
    a, b = result.tasks["a"], result.tasks["b"]
    assert (a.start, a.finish, a.finished, a.critical, a.total_float) == (march(2), march(9), True, False, 0)
    assert (b.start, b.finish, b.in_progress) == (march(10), march(16), True)  # 12, 13, 16 remain
    assert dates(result, "c") == (march(17), march(19))
    assert dates(result, "d") == (march(12), march(13))  # not before the status date
    assert dates(result, "e") == (march(12), march(12))
    assert result.critical_path == ("b", "c")


def test_without_a_status_date_in_progress_work_keeps_its_planned_duration():
    result = progress_plan()
    assert dates(result, "b") == (march(10), march(13))
    assert dates(result, "d") == (march(2), march(3))


def test_progress_overrides_the_logic_into_started_tasks():
    # b started although its predecessor a has not: a is not made late by it
    result = plan(
        [Task("a", 2), Task("b", 3, actual_start=march(3), remaining_duration=1)],
        [Dependency("a", "b")],
        status_date=march(4),
    )
    assert dates(result, "a") == (march(4), march(5))
    assert dates(result, "b") == (march(3), march(4))
    assert result.negative_float == ()
    assert result.violated_dependencies == ()


def test_finished_work_without_an_actual_start_and_finished_milestones():
    result = plan(
        [Task("a", 3, actual_finish=march(6)), Task("m", 0, actual_start=march(6)), Task("b", 1)],
        [Dependency("a", "m"), Dependency("m", "b")],
        status_date=march(5),
    )
    assert dates(result, "a") == (march(4), march(6))
    assert dates(result, "m") == (march(6), march(6))
    assert result.tasks["m"].finished
    assert dates(result, "b") == (march(9), march(9))


# --- floats and critical paths -------------------------------------------------------------------


def test_free_float_and_total_float():
    # a (2) → b (1) → d (1); c (6) → d
    result = cpm([2, 1, 6, 1], [0, 1, 2], [1, 3, 3])
    assert result.total_float.tolist() == [3, 3, 0, 0]
    assert result.free_float.tolist() == [0, 3, 0, 0]
    assert result.critical.tolist() == [False, False, True, True]


def test_near_critical_tasks_have_float_up_to_the_threshold():
    near = cpm([2, 1, 6, 1], [0, 1, 2], [1, 3, 3], near_critical_threshold=3)
    assert near.near_critical.tolist() == [True, True, False, False]
    assert not cpm([2, 1, 6, 1], [0, 1, 2], [1, 3, 3], near_critical_threshold=2).near_critical.any()
    wider = cpm([2, 1, 6, 1], [0, 1, 2], [1, 3, 3], critical_threshold=3)
    assert wider.critical.all()


def test_parallel_critical_paths_are_all_listed():
    result = plan(
        [Task("start", 1), Task("x", 3), Task("y", 3), Task("z", 2), Task("end", 1)],
        [
            Dependency("start", "x"),
            Dependency("start", "y"),
            Dependency("start", "z"),
            Dependency("x", "end"),
            Dependency("y", "end"),
            Dependency("z", "end"),
        ],
    )
    assert result.critical_path == ("start", "x", "end")
    assert set(result.critical_paths) == {("start", "x", "end"), ("start", "y", "end")}
    assert result.tasks["z"].near_critical
    assert critical_paths(result.arrays, [0, 0, 0, 1, 2, 3], [1, 2, 3, 4, 4, 4], limit=1) == [[0, 1, 4]]


# --- calendars and reporting ---------------------------------------------------------------------


def test_china_calendar_three_day_task_across_the_adjusted_saturday():
    result = plan(
        [Task("a", 3), Task("b", 1)],
        [Dependency("a", "b")],
        calendar=china_calendar(2026, 2026),
        project_start=date(2026, 2, 12),
    )
    assert dates(result, "a") == (date(2026, 2, 12), date(2026, 2, 14))
    assert dates(result, "b") == (date(2026, 2, 24), date(2026, 2, 24))  # after the Spring Festival


def test_years_without_holiday_data_are_reported_on_the_schedule():
    last = china_calendar_years()[1]
    result = plan(
        [Task("a", 40)],
        calendar=china_calendar(last, last + 1),
        project_start=date(last, 12, 1),
    )
    assert result.uncovered_years == (last + 1,)


def test_an_empty_project():
    result = plan([])
    assert (result.project_start, result.project_finish, result.critical_path) == (MON, MON, ())
    assert cpm([], [], []).project_finish == 0


# --- refusals ------------------------------------------------------------------------------------


def test_a_cycle_is_refused_naming_its_tasks_in_order():
    with pytest.raises(CycleError) as refused:
        plan(
            [Task("a", 1), Task("b", 1), Task("c", 1), Task("d", 1)],
            [Dependency("a", "b"), Dependency("b", "c"), Dependency("c", "d"), Dependency("d", "b", SS)],
        )
    assert refused.value.cycle == ("b", "c", "d")
    assert str(refused.value) == "Dependency cycle: b → c → d → b"


def test_a_task_depending_on_itself_is_a_cycle():
    with pytest.raises(CycleError) as refused:
        plan([Task("a", 1)], [Dependency("a", "a")])
    assert refused.value.cycle == ("a",)


@pytest.mark.parametrize(
    ("tasks", "dependencies", "message"),
    [
        ([Task("a", -1)], [], "a: the duration cannot be negative"),
        ([Task("a", 1), Task("a", 2)], [], "Task a appears twice"),
        ([Task("a", 1)], [Dependency("a", "ghost")], "unknown tasks: ghost"),
        ([Task("a", 1, C.MSO)], [], "a: the constraint MSO needs a date"),
        ([Task("a", 1, percent_complete=120)], [], "a: the percent complete"),
        ([Task("a", 1, actual_start=march(5), actual_finish=march(4))], [], "a: the actual finish"),
        ([Task("a", 1, remaining_duration=-1)], [], "a: the remaining duration"),
    ],
)
def test_invalid_input_is_refused_naming_the_task(tasks, dependencies, message):
    with pytest.raises(SchedulingError, match=message):
        plan(tasks, dependencies)


def test_invalid_arrays_are_refused():
    with pytest.raises(SchedulingError):
        cpm([1, 2], [0], [5])
    with pytest.raises(SchedulingError):
        cpm([1, 2], [0], [1], [7])
    with pytest.raises(SchedulingError):
        cpm([1], [], [], constraint_type=[C.SNET])


# --- summary tasks -------------------------------------------------------------------------------


def test_summary_rollup_takes_min_start_and_max_finish_of_the_leaves():
    parents = {"1": None, "1.1": "1", "1.2": "1", "1.2.1": "1.2", "2": None}
    leaves = {
        "1": Leaf(march(1), march(31)),  # a summary's own dates are ignored
        "1.1": Leaf(march(3), march(6), duration=4),
        "1.2.1": Leaf(march(2), march(4), duration=3, percent_complete=100),
        "2": Leaf(march(9), march(9), duration=1),
    }
    rolled = summary_rollup(parents, leaves)
    assert set(rolled) == {"1", "1.2"}
    assert (rolled["1"].start, rolled["1"].finish) == (march(2), march(6))
    assert rolled["1"].percent_complete == pytest.approx(300 / 7)
    assert summary_rollup({"m": "s", "s": None}, {"m": Leaf(march(2), march(2))})["s"].percent_complete == 0


def test_summary_rollup_refuses_a_loop():
    with pytest.raises(CycleError):
        summary_rollup({"a": "b", "b": "c", "c": "b"}, {"a": Leaf(march(2), march(2))})


# --- the examples in the docstrings run ----------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    ["calendar", "cpm", "dag", "exceptions", "rollup", "schedule"],
)
def test_docstring_examples(module):
    outcome = doctest.testmod(importlib.import_module(f"clientpm.scheduling.{module}"))
    assert outcome.attempted > 0
    assert outcome.failed == 0
