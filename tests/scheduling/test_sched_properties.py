"""Properties of the engine on random DAGs, checked by validators written here (not engine code)
and by networkx as an oracle for the finish-to-start, zero-lag longest path."""

from __future__ import annotations

import graphlib
import itertools
from datetime import date, timedelta

import chinese_calendar
import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpm.scheduling import ConstraintType as C
from clientpm.scheduling import Dependency, DependencyType, Task, china_calendar, cpm, schedule
from clientpm.scheduling.calendar import china_calendar_years
from clientpm.scheduling.cpm import NO_DAY

FS, SS, FF, SF = (int(kind) for kind in DependencyType)


@st.composite
def networks(draw, *, mixed=True, min_duration=0, max_tasks=25):
    """A random DAG: tasks in a random order, dependencies only from earlier to later tasks."""
    n = draw(st.integers(1, max_tasks))
    durations = draw(st.lists(st.integers(min_duration, 8), min_size=n, max_size=n))
    rank = draw(st.permutations(range(n)))  # hide the topological order from the engine
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda pair: pair[0] < pair[1]),
            max_size=3 * n,
            unique=True,
        )
        if n > 1
        else st.just([])
    )
    m = len(pairs)
    types = draw(st.lists(st.sampled_from([FS, SS, FF, SF]), min_size=m, max_size=m)) if mixed else [FS] * m
    lags = draw(st.lists(st.integers(-3, 4), min_size=m, max_size=m)) if mixed else [0] * m
    pred = [rank[a] for a, _ in pairs]
    succ = [rank[b] for _, b in pairs]
    ordered = [0] * n
    for position, task in enumerate(rank):
        ordered[task] = durations[position]
    return ordered, pred, succ, types, lags


def reference_cpm(durations, pred, succ, types, lags):
    """A plain-Python CPM with each dependency written as the inequality it stands for."""
    n = len(durations)
    graph = {task: set() for task in range(n)}
    for p, s in zip(pred, succ, strict=True):
        graph[s].add(p)
    order = list(graphlib.TopologicalSorter(graph).static_order())
    incoming = {task: [] for task in range(n)}
    outgoing = {task: [] for task in range(n)}
    for p, s, kind, lag in zip(pred, succ, types, lags, strict=True):
        incoming[s].append((p, kind, lag))
        outgoing[p].append((s, kind, lag))
    start, finish = {}, {}
    for task in order:
        d = durations[task]
        earliest = 0
        for p, kind, lag in incoming[task]:
            if kind == FS:  # start ≥ finish(p) + lag
                earliest = max(earliest, finish[p] + lag)
            elif kind == SS:  # start ≥ start(p) + lag
                earliest = max(earliest, start[p] + lag)
            elif kind == FF:  # finish ≥ finish(p) + lag
                earliest = max(earliest, finish[p] + lag - d)
            else:  # SF: finish ≥ start(p) + lag
                earliest = max(earliest, start[p] + lag - d)
        start[task], finish[task] = earliest, earliest + d
    end = max(finish.values())
    late_start, late_finish = {}, {}
    for task in reversed(order):
        d = durations[task]
        latest = end
        for s, kind, lag in outgoing[task]:
            if kind == FS:  # finish ≤ late start(s) − lag
                latest = min(latest, late_start[s] - lag)
            elif kind == SS:  # start ≤ late start(s) − lag
                latest = min(latest, late_start[s] - lag + d)
            elif kind == FF:  # finish ≤ late finish(s) − lag
                latest = min(latest, late_finish[s] - lag)
            else:  # SF: start ≤ late finish(s) − lag
                latest = min(latest, late_finish[s] - lag + d)
        late_finish[task], late_start[task] = latest, latest - d
    return [start[t] for t in range(n)], [late_start[t] for t in range(n)], end


def honoured(kind, lag, pred_start, pred_finish, succ_start, succ_finish):
    """Whether one dependency holds between points (start, finish) of its two tasks."""
    return {
        FS: succ_start >= pred_finish + lag,
        SS: succ_start >= pred_start + lag,
        FF: succ_finish >= pred_finish + lag,
        SF: succ_finish >= pred_start + lag,
    }[kind]


@settings(max_examples=200, deadline=None)
@given(networks())
def test_random_networks_match_the_reference_and_honour_every_dependency(network):
    durations, pred, succ, types, lags = network
    result = cpm(durations, pred, succ, types, lags)
    early, late, end = reference_cpm(durations, pred, succ, types, lags)
    es, ef, ls, lf = (
        array.tolist()
        for array in (result.early_start, result.early_finish, result.late_start, result.late_finish)
    )

    assert es == early
    assert ls == late
    assert result.project_finish == end
    for task, d in enumerate(durations):
        assert ef[task] - es[task] == d
        assert lf[task] - ls[task] == d
        assert 0 <= es[task] <= ls[task]  # early ≤ late, and nothing before the project start
        assert lf[task] <= end
    for p, s, kind, lag in zip(pred, succ, types, lags, strict=True):
        assert honoured(kind, lag, es[p], ef[p], es[s], ef[s])
        assert honoured(kind, lag, ls[p], lf[p], ls[s], lf[s])
    total, free = result.total_float.tolist(), result.free_float.tolist()
    assert all(t >= 0 for t in total)  # no hard constraints, no deadline
    assert all(0 <= f <= t for f, t in zip(free, total, strict=True))
    assert result.violated_dependencies.size == 0

    # the critical path is a chain of dependencies spanning the whole project
    path = result.critical_path.tolist()
    assert path
    assert all(total[task] == 0 for task in path)
    links = set(zip(pred, succ, strict=True))
    assert all((a, b) in links for a, b in itertools.pairwise(path))
    assert es[path[0]] == 0
    assert ef[path[-1]] == end
    assert ef[path[-1]] - es[path[0]] == result.project_finish - result.project_start


@settings(max_examples=150, deadline=None)
@given(networks(), st.data())
def test_soft_constraints_keep_float_non_negative_and_dependencies_honoured(network, data):
    durations, pred, succ, types, lags = network
    n = len(durations)
    kinds = data.draw(st.lists(st.sampled_from([C.ASAP, C.ALAP, C.SNET, C.FNET]), min_size=n, max_size=n))
    days = data.draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    result = cpm(durations, pred, succ, types, lags, constraint_type=kinds, constraint_day=days)
    es, ls, start = result.early_start.tolist(), result.late_start.tolist(), result.start.tolist()
    finish = result.finish.tolist()
    for task, (kind, day, d) in enumerate(zip(kinds, days, durations, strict=True)):
        assert es[task] <= start[task] <= max(ls[task], es[task])
        if kind == C.SNET:
            assert es[task] >= day
        if kind == C.FNET:
            assert es[task] + d >= day + 1  # finishes at the end of that day or later
        if kind != C.ALAP:
            assert start[task] == es[task]
    assert all(t >= 0 for t in result.total_float.tolist())
    assert max(finish) == result.project_finish  # ALAP tasks never extend the project
    for p, s, kind, lag in zip(pred, succ, types, lags, strict=True):
        assert honoured(kind, lag, start[p], finish[p], start[s], finish[s])


@settings(max_examples=150, deadline=None)
@given(networks(), st.data())
def test_hard_constraints_are_reported_not_refused(network, data):
    durations, pred, succ, types, lags = network
    n = len(durations)
    kinds = data.draw(st.lists(st.sampled_from(list(C)), min_size=n, max_size=n))
    days = data.draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    result = cpm(durations, pred, succ, types, lags, constraint_type=kinds, constraint_day=days)
    start, finish = result.start.tolist(), result.finish.tolist()
    for task, (kind, day) in enumerate(zip(kinds, days, strict=True)):
        if kind == C.MSO:
            assert start[task] == day
        if kind == C.MFO:
            assert finish[task] == day + 1
        if kind == C.SNLT:
            assert start[task] <= day
        if kind == C.FNLT:
            assert finish[task] <= day + 1
    broken = {
        e
        for e, (p, s, kind, lag) in enumerate(zip(pred, succ, types, lags, strict=True))
        if not honoured(kind, lag, start[p], finish[p], start[s], finish[s])
    }
    assert set(result.violated_dependencies.tolist()) == broken
    if broken:  # somebody is late: a predecessor of a broken dependency has negative float
        assert result.negative_float.any()
    assert (result.late_start - result.early_start == result.total_float).all()


@settings(max_examples=150, deadline=None)
@given(networks(min_duration=1), st.integers(0, 30))
def test_rescheduling_from_a_status_date_keeps_the_past_and_moves_the_rest(network, status):
    durations, pred, succ, types, lags = network
    planned = cpm(durations, pred, succ, types, lags)
    es, ef = planned.early_start.tolist(), planned.early_finish.tolist()
    # progress as planned up to the status date: work before it is done or under way
    actual_start = [start if start < status else NO_DAY for start in es]
    actual_finish = [finish - 1 if finish <= status else NO_DAY for finish in ef]
    result = cpm(
        durations, pred, succ, types, lags,
        actual_start_day=actual_start, actual_finish_day=actual_finish, status_day=status,
    )  # fmt: skip
    start, finish = result.start.tolist(), result.finish.tolist()
    for task in range(len(durations)):
        if actual_finish[task] != NO_DAY:  # finished: stays where it happened
            assert (start[task], finish[task]) == (es[task], ef[task])
            assert not result.critical[task]
        elif actual_start[task] != NO_DAY:  # in progress: keeps its start, the rest from the status date
            assert start[task] == es[task]
            assert finish[task] == status + durations[task]
        else:  # not started: not before the status date
            assert start[task] >= status
    for p, s, kind, lag in zip(pred, succ, types, lags, strict=True):
        if actual_start[s] == NO_DAY:  # dependencies into work not started still hold
            assert honoured(kind, lag, start[p], finish[p], start[s], finish[s])
    assert result.violated_dependencies.size == 0


def networkx_project_duration(durations, pred, succ):
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(durations)))
    graph.add_node("end")
    for p, s in zip(pred, succ, strict=True):
        graph.add_edge(p, s, weight=durations[p])
    for task, d in enumerate(durations):
        graph.add_edge(task, "end", weight=d)
    return nx.dag_longest_path_length(graph, weight="weight")


@settings(max_examples=150, deadline=None)
@given(networks(mixed=False))
def test_finish_to_start_zero_lag_duration_equals_the_networkx_longest_path(network):
    durations, pred, succ, _, _ = network
    result = cpm(durations, pred, succ)
    expected = networkx_project_duration(durations, pred, succ)
    assert result.project_finish == expected
    path = result.critical_path.tolist()
    assert sum(durations[task] for task in path) == expected


def test_a_large_random_network_against_networkx():
    rng = np.random.default_rng(4)
    n = 3000
    durations = rng.integers(0, 10, n)
    a = rng.integers(0, n, 3 * n)
    b = rng.integers(0, n, 3 * n)
    keep = a != b
    pred, succ = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
    result = cpm(durations, pred, succ)
    assert result.project_finish == networkx_project_duration(
        durations.tolist(), pred.tolist(), succ.tolist()
    )
    graph = nx.DiGraph(list(zip(pred.tolist(), succ.tolist(), strict=True)))
    graph.add_nodes_from(range(n))
    position = {task: i for i, task in enumerate(result.levels.order.tolist())}
    assert all(position[p] < position[s] for p, s in graph.edges)


# --- dates: an independent day-by-day validator on the China calendar ----------------------------


def china_working_day(day: date) -> bool:
    first, last = china_calendar_years()
    if first <= day.year <= last:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5  # no data: Monday to Friday


def ordinals(first: date, last: date) -> dict[date, int]:
    """Working days numbered one date at a time."""
    numbers, count, day = {}, 0, first
    while day <= last:
        if china_working_day(day):
            numbers[day] = count
            count += 1
        day += timedelta(days=1)
    return numbers


@settings(max_examples=60, deadline=None)
@given(networks(min_duration=1, max_tasks=15), st.dates(date(2025, 12, 1), date(2026, 9, 30)))
def test_dates_on_the_china_calendar_honour_every_dependency(network, start):
    durations, pred, succ, types, lags = network
    tasks = [Task(f"t{i}", d) for i, d in enumerate(durations)]
    links = [
        Dependency(f"t{p}", f"t{s}", DependencyType(kind), lag)
        for p, s, kind, lag in zip(pred, succ, types, lags, strict=True)
    ]
    plan = schedule(tasks, links, calendar=china_calendar(2025, 2028), project_start=start)
    number = ordinals(start - timedelta(days=30), plan.project_finish)
    first_day = min(day for day in number if day >= start)
    for task, d in zip(tasks, durations, strict=True):
        entry = plan.tasks[task.id]
        assert entry.start in number
        assert entry.finish in number
        assert number[entry.finish] - number[entry.start] + 1 == d
        assert entry.start >= first_day
    for link in links:
        p, s = plan.tasks[link.predecessor], plan.tasks[link.successor]
        # as points: a task starts at the start of its first day and finishes at the end of its last
        assert honoured(
            int(link.type),
            link.lag,
            number[p.start],
            number[p.finish] + 1,
            number[s.start],
            number[s.finish] + 1,
        ), link
