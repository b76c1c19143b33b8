"""MSPDI read → write → read round trips: every test file, and random outlines with links and lags."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpm.scheduling.cpm import DependencyType
from clientpm.scheduling.mspdi import MspdiLink, MspdiProject, MspdiTask, ProjectInfo, read_mspdi
from clientpm.scheduling.mspdi.writer import mspdi_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "msproject"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml")), ids=lambda path: path.name)
def test_read_write_read_keeps_tasks_links_dates_resources_and_calendars(path):
    first, first_report = read_mspdi(path)
    second, report = read_mspdi(mspdi_bytes(first))
    assert second.tasks == first.tasks
    assert second.links == first.links
    assert second.resources == first.resources
    assert second.assignments == first.assignments
    resolved = [
        (c.uid, c.name, c.base_uid, c.weekmask, c.holidays, c.extra_working_days) for c in first.calendars
    ]
    assert [
        (c.uid, c.name, c.base_uid, c.weekmask, c.holidays, c.extra_working_days) for c in second.calendars
    ] == resolved
    assert second.info.start == first.info.start
    assert second.info.minutes_per_day == first.info.minutes_per_day
    # the export adds no warning the source did not already have
    assert {item.code for item in report.warnings} <= {item.code for item in first_report.warnings}


@st.composite
def outlines(draw: st.DrawFn) -> MspdiProject:
    """Random valid outlines with random durations and links (predecessor before successor)."""
    count = draw(st.integers(1, 12))
    levels = [1]
    for _ in range(count - 1):
        levels.append(draw(st.integers(1, levels[-1] + 1)))
    tasks = [
        MspdiTask(
            uid=index + 1, name=f"T{index + 1}", outline_level=level, working_days=draw(st.integers(0, 40))
        )
        for index, level in enumerate(levels)
    ]
    pairs = draw(
        st.sets(
            st.tuples(st.integers(1, count), st.integers(1, count)).filter(lambda p: p[0] < p[1]), max_size=15
        )
    )
    links = [
        MspdiLink(p, s, draw(st.sampled_from(list(DependencyType))), lag_days=draw(st.integers(-5, 20)))
        for p, s in sorted(pairs)
    ]
    return MspdiProject(
        ProjectInfo(minutes_per_day=draw(st.sampled_from([420, 450, 480, 600]))),
        (),
        tuple(tasks),
        tuple(links),
    )


@settings(max_examples=60, deadline=None)
@given(outlines())
def test_random_outlines_links_and_lags_survive_a_round_trip(original):
    project, report = read_mspdi(mspdi_bytes(original))
    assert [(t.uid, t.outline_level, t.working_days) for t in project.tasks] == [
        (t.uid, t.outline_level, t.working_days) for t in original.tasks
    ]
    assert sorted(
        (link.predecessor_uid, link.successor_uid, link.type, link.lag_days) for link in project.links
    ) == [(link.predecessor_uid, link.successor_uid, link.type, link.lag_days) for link in original.links]
    parents = {t.uid: t.parent_uid for t in project.tasks}
    for task in project.tasks:  # each parent is the nearest earlier task one level up
        parent = parents[task.uid]
        earlier = [t for t in project.tasks if t.uid < task.uid and t.outline_level == task.outline_level - 1]
        assert parent == (earlier[-1].uid if earlier else None)
    assert not report.warnings
