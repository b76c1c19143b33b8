"""The independent schedule validator on hand-made schedules: every dependency type with lags,
capacity day by day, fixed starts and releases.

Times are working-day points: a task of duration d starting at s works on days s … s+d−1 and
finishes at point s+d.
"""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

from clientpm.scheduling.validator import (
    CapacityViolation,
    DependencyViolation,
    StartViolation,
    validate_schedule,
)

FS, SS, FF, SF = 0, 1, 2, 3


def test_a_correct_schedule_is_valid():
    # A (3 d, 2 units) on days 0–2, B (2 d, 1 unit) on days 0–1 beside it, C (1 d) after A (FS)
    check = validate_schedule([0, 0, 3], [3, 2, 1], pred=[0], succ=[2], demand=[[2], [1], [3]], capacity=[3])
    assert check.valid
    assert check.problems == ()
    assert check.project_finish == 4  # C finishes at point 3 + 1


def test_finish_to_start_violated_by_one_day():
    # A finishes at point 0 + 3 = 3; B starts at 2 < 3
    check = validate_schedule([0, 2], [3, 2], pred=[0], succ=[1])
    assert not check.valid
    assert check.dependencies == (DependencyViolation(0, 0, 1, "FS", 0, required=3, actual=2),)


@pytest.mark.parametrize(
    ("kind", "lag", "starts", "required", "actual"),
    [
        (FS, 2, [0, 4], 5, 4),  # start_B ≥ finish_A 3 + 2 = 5
        (FS, -1, [0, 1], 2, 1),  # a lead: start_B ≥ 3 − 1 = 2
        (SS, 1, [2, 2], 3, 2),  # start_B ≥ start_A 2 + 1 = 3
        (FF, 1, [0, 1], 4, 3),  # finish_B = 1 + 2 = 3 ≥ finish_A 3 + 1 = 4 fails
        (SF, 4, [0, 1], 4, 3),  # finish_B = 3 ≥ start_A 0 + 4 = 4 fails
    ],
)
def test_each_dependency_type_with_lag_is_checked_from_its_definition(kind, lag, starts, required, actual):
    # A lasts 3 days, B 2 days
    check = validate_schedule(starts, [3, 2], pred=[0], succ=[1], dep_type=[kind], lag=[lag])
    assert [(problem.required, problem.actual) for problem in check.dependencies] == [(required, actual)]


@pytest.mark.parametrize(
    ("kind", "lag", "starts"),
    [
        (FS, 2, [0, 5]),  # 5 ≥ 3 + 2
        (SS, 1, [2, 3]),  # 3 ≥ 2 + 1
        (FF, 1, [0, 2]),  # finish_B 4 ≥ 3 + 1
        (SF, 4, [0, 2]),  # finish_B 4 ≥ 0 + 4
        (FF, -5, [0, 0]),  # finish_B 2 ≥ 3 − 5
    ],
)
def test_each_dependency_type_met_exactly_is_valid(kind, lag, starts):
    assert validate_schedule(starts, [3, 2], pred=[0], succ=[1], dep_type=[kind], lag=[lag]).valid


def test_capacity_exceeded_names_resource_day_and_usage():
    # capacity [2, 5]; A (days 0–2) and B (days 2–3) each need 1 of R0 and 3 of R1:
    # day 2 uses 2 of R0 (fine) and 6 of R1 (> 5); day 3 only B
    check = validate_schedule([0, 2], [3, 2], demand=[[1, 3], [1, 3]], capacity=[2, 5])
    assert check.capacity == (CapacityViolation(resource=1, day=2, used=6, capacity=5),)
    assert str(check.capacity[0]) == "resource 1 on day 2: 6 units used, capacity 5"


def test_capacity_exceeded_on_every_overloaded_day():
    # three 1-unit tasks on capacity 2: days 1 and 2 carry all three
    check = validate_schedule([0, 1, 1], [3, 2, 4], demand=[[1], [1], [1]], capacity=[2])
    assert [(problem.day, problem.used) for problem in check.capacity] == [(1, 3), (2, 3)]


def test_touching_tasks_do_not_overlap():
    # A works on days 0–2 and finishes at point 3, when B starts: never both on one day
    assert validate_schedule([0, 3], [3, 2], demand=[[2], [2]], capacity=[2]).valid


def test_milestones_use_no_capacity():
    # a milestone (duration 0) demanding more than the capacity occupies no day
    assert validate_schedule([0, 1], [2, 0], demand=[[2], [9]], capacity=[2]).valid


def test_moved_fixed_task_and_early_free_task_are_reported():
    # task 0 had to keep start 1; task 1 may not start before its release 2
    check = validate_schedule([0, 1], [2, 2], fixed_start=[1, None], release=[0, 2])
    assert check.starts == (
        StartViolation(task=0, rule="fixed", required=1, actual=0),
        StartViolation(task=1, rule="release", required=2, actual=1),
    )


def test_dependencies_into_a_fixed_task_are_satisfied_by_progress():
    # B already started at 0, before its predecessor A finishes (3): not a violation, as in the engine;
    # C (free) after B (FS) must still wait until B finishes at 2
    check = validate_schedule([0, 0, 1], [3, 2, 1], pred=[0, 1], succ=[1, 2], fixed_start=[None, 0, None])
    assert check.dependencies == (DependencyViolation(1, 1, 2, "FS", 0, required=2, actual=1),)


def test_unknown_dependency_code_is_refused():
    with pytest.raises(ValueError, match="Unknown dependency type code 7"):
        validate_schedule([0, 3], [3, 2], pred=[0], succ=[1], dep_type=[7])


def test_validator_shares_no_code_with_the_engine():
    # it imports nothing from clientpm: each rule is written out independently
    tree = ast.parse(Path(importlib.import_module("clientpm.scheduling.validator").__file__).read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert imported
    assert not [name for name in imported if name and name.startswith("clientpm")]


def test_docstring_examples():
    outcome = doctest.testmod(importlib.import_module("clientpm.scheduling.validator"))
    assert outcome.attempted > 0
    assert outcome.failed == 0
