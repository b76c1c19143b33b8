"""Resource load arithmetic on plain arrays (no database): spreading assignments' units over their
tasks' working days, and finding the runs of days a resource is over its capacity.

Units are integers in hundredths (the models keep two decimal places), so sums and comparisons
with the capacity are exact. Days are calendar days from ``first``; each demand row belongs to a
working calendar (its project's), given as a boolean mask of working days over the same days, so
a task of a project on another calendar loads the resource only on that calendar's working days.

>>> import numpy as np
>>> from datetime import date
>>> working = np.array([[1, 1, 1, 1, 1, 0, 0, 1]], dtype=bool)  # Mon 2 … Mon 9 March 2026
>>> spread_demand(
...     first=date(2026, 3, 2), n_days=8, n_resources=1,
...     resource=np.array([0, 0]), calendar=np.array([0, 0]),
...     starts=np.array(["2026-03-02", "2026-03-06"], dtype="datetime64[D]"),
...     finishes=np.array(["2026-03-04", "2026-03-09"], dtype="datetime64[D]"),
...     units=np.array([100, 50]), working=working,
... ).tolist()
[[100, 100, 100, 0, 50, 0, 0, 50]]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

__all__ = ["Run", "over_runs", "spread_demand"]

IntArray = NDArray[np.int64]


def spread_demand(
    *,
    first: date,
    n_days: int,
    n_resources: int,
    resource: NDArray[np.integer],
    calendar: NDArray[np.integer],
    starts: NDArray[np.datetime64],
    finishes: NDArray[np.datetime64],
    units: NDArray[np.integer],
    working: NDArray[np.bool_],
) -> IntArray:
    """Demand per resource and calendar day: a ``(n_resources, n_days)`` array of hundredths.

    Row ``i`` needs ``units[i]`` of resource ``resource[i]`` on every working day (of calendar
    ``calendar[i]``, a row of ``working``) from ``starts[i]`` to ``finishes[i]`` inclusive; the parts
    outside ``first … first + n_days - 1`` are cut off. A difference array per calendar and
    resource, one cumulative sum, one mask: no loop over days or tasks."""
    n_calendars = working.shape[0] if working.ndim == 2 else 0
    out = np.zeros((n_resources, n_days), dtype=np.int64)
    if n_days <= 0 or n_resources == 0 or n_calendars == 0 or len(units) == 0:
        return out
    origin = np.datetime64(first, "D")
    begin = np.clip((starts.astype("datetime64[D]") - origin).astype(np.int64), 0, n_days)
    end = np.clip((finishes.astype("datetime64[D]") - origin).astype(np.int64) + 1, 0, n_days)
    keep = begin < end
    rows, cals = resource[keep].astype(np.int64), calendar[keep].astype(np.int64)
    amount = units[keep].astype(np.int64)
    diff = np.zeros((n_calendars, n_resources, n_days + 1), dtype=np.int64)
    np.add.at(diff, (cals, rows, begin[keep]), amount)
    np.add.at(diff, (cals, rows, end[keep]), -amount)
    daily = np.cumsum(diff[:, :, :n_days], axis=2)
    return (daily * working[:, None, :n_days]).sum(axis=0)


@dataclass(frozen=True)
class Run:
    """Consecutive positions ``first … last`` (inclusive) where a resource is over capacity."""

    resource: int
    first: int
    last: int
    peak: int


def over_runs(total: IntArray, capacity: IntArray) -> list[Run]:
    """The runs of consecutive days (columns of ``total``, one row per resource) above the row's
    ``capacity``, with each run's peak demand, by resource then date.

    >>> over_runs(np.array([[100, 150, 120, 90, 130]]), np.array([100])) == [
    ...     Run(0, 1, 2, 150), Run(0, 4, 4, 130)]
    True
    """
    over = total > capacity[:, None]
    if not over.any():
        return []
    padded = np.zeros((over.shape[0], over.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = over
    steps = np.diff(padded, axis=1)
    starts = np.argwhere(steps == 1)  # (resource, first) in row-major order
    ends = np.argwhere(steps == -1)  # (resource, last + 1), same order
    return [
        Run(int(r), int(s), int(e) - 1, int(total[r, s:e].max()))
        for (r, s), (_r, e) in zip(starts, ends, strict=True)
    ]
