"""Summary tasks: roll the dates and progress of leaf tasks up a WBS tree.

The WBS tree itself lives in Django; here it is only a mapping ``child → parent`` (``None`` for a
root). A *summary task* is any task that is some task's parent: it starts with its earliest
descendant leaf and finishes with its latest, and its percent complete is the leaves' percent
complete weighted by their duration (as MS Project does); summaries whose leaves are all
milestones take the plain average. A summary's own dates and progress, if given, are ignored.

>>> from datetime import date
>>> parents = {"1": None, "1.1": "1", "1.2": "1", "1.2.1": "1.2", "1.2.2": "1.2"}
>>> leaves = {
...     "1.1": Leaf(date(2026, 3, 2), date(2026, 3, 6), duration=5, percent_complete=100),
...     "1.2.1": Leaf(date(2026, 3, 9), date(2026, 3, 10), duration=2, percent_complete=50),
...     "1.2.2": Leaf(date(2026, 3, 11), date(2026, 3, 13), duration=3),
... }
>>> rolled = summary_rollup(parents, leaves)
>>> rolled["1"]
Rollup(start=datetime.date(2026, 3, 2), finish=datetime.date(2026, 3, 13), percent_complete=60.0)
>>> rolled["1.2"].percent_complete
20.0
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from clientpm.scheduling.exceptions import CycleError

__all__ = ["Leaf", "Rollup", "summary_rollup"]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A leaf task's scheduled dates, duration in working days and percent complete."""

    start: date
    finish: date
    duration: int = 0
    percent_complete: float = 0.0


@dataclass(frozen=True, slots=True)
class Rollup:
    """A summary task's rolled-up dates and percent complete."""

    start: date
    finish: date
    percent_complete: float


@dataclass
class _Totals:
    start: date
    finish: date
    weighted: float
    weight: int
    percent_sum: float
    count: int


def summary_rollup(
    parents: Mapping[Hashable, Hashable | None], leaves: Mapping[Hashable, Leaf]
) -> dict[Hashable, Rollup]:
    """The rolled-up dates of every summary task that has at least one leaf below it.

    ``leaves`` may hold summary tasks too; their values are ignored.

    Raises :class:`~clientpm.scheduling.exceptions.CycleError` if the parent links loop.
    Cost: one walk up the tree per leaf (leaves × depth).
    """
    summaries = {parent for parent in parents.values() if parent is not None}
    totals: dict[Hashable, _Totals] = {}
    for task, leaf in leaves.items():
        if task in summaries:
            continue
        seen: list[Hashable] = [task]
        parent = parents.get(task)
        while parent is not None:
            if parent in seen:
                cycle = seen[seen.index(parent) :]
                cycle.reverse()  # parent → child order
                raise CycleError(cycle)
            seen.append(parent)
            entry = totals.get(parent)
            if entry is None:
                totals[parent] = _Totals(
                    leaf.start,
                    leaf.finish,
                    leaf.duration * leaf.percent_complete,
                    leaf.duration,
                    leaf.percent_complete,
                    1,
                )
            else:
                entry.start = min(entry.start, leaf.start)
                entry.finish = max(entry.finish, leaf.finish)
                entry.weighted += leaf.duration * leaf.percent_complete
                entry.weight += leaf.duration
                entry.percent_sum += leaf.percent_complete
                entry.count += 1
            parent = parents.get(parent)
    return {
        task: Rollup(
            entry.start,
            entry.finish,
            entry.weighted / entry.weight if entry.weight else entry.percent_sum / entry.count,
        )
        for task, entry in totals.items()
    }
