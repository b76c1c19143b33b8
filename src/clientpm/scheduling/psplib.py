"""Reading PSPLIB single-mode RCPSP files (``.sm``), the benchmark set for resource leveling.

PSPLIB (Kolisch & Sprecher, 1997) is the library every resource-constrained scheduler is measured
on; its ``j30``/``j60``/``j120`` sets have proven optima or best-known makespans. A file lists the
jobs (a dummy source first and a dummy sink last), their successors (finish-to-start, no lag),
durations, demands for each renewable resource, and the resources' capacities. Time is discrete:
a job starting at ``s`` with duration ``d`` works in periods ``s … s+d−1`` — the engine's
working-day points, so an instance maps directly onto a
:class:`~clientpm.scheduling.leveling.model.LevelingProblem` (jobs numbered from 0).

>>> text = '''jobs (incl. supersource/sink ):  3
... horizon                       :  2
...   - renewable                 :  1   R
... MPM-Time
...     1      1      0       2       0        2
... PRECEDENCE RELATIONS:
... jobnr.    #modes  #successors   successors
...    1        1          1           2
...    2        1          1           3
...    3        1          0
... REQUESTS/DURATIONS:
... jobnr. mode duration  R 1
... ------------------------------------------------------------------------
...   1      1     0       0
...   2      1     2       3
...   3      1     0       0
... RESOURCEAVAILABILITIES:
...   R 1
...    4
... '''
>>> instance = parse_psplib(text, name="tiny")
>>> instance.duration.tolist(), instance.successors, instance.capacity.tolist()
([0, 2, 0], ((1,), (2,), ()), [4])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from clientpm.scheduling.exceptions import SchedulingError
from clientpm.scheduling.leveling.model import LevelingProblem, leveling_problem

__all__ = ["PsplibInstance", "parse_psplib", "read_psplib"]


@dataclass(frozen=True, eq=False)
class PsplibInstance:
    """One single-mode instance; jobs are numbered from 0 (PSPLIB's job ``i`` is ``i − 1``)."""

    name: str
    duration: NDArray[np.int64]
    demand: NDArray[np.int64]
    capacity: NDArray[np.int64]
    successors: tuple[tuple[int, ...], ...]
    horizon: int

    @property
    def n_jobs(self) -> int:
        return int(self.duration.size)

    def edges(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The precedence relations as ``pred``/``succ`` arrays (all finish-to-start, no lag)."""
        pairs = [(job, nxt) for job, following in enumerate(self.successors) for nxt in following]
        pred = np.array([p for p, _ in pairs], dtype=np.int64)
        succ = np.array([s for _, s in pairs], dtype=np.int64)
        return pred, succ

    def problem(self) -> LevelingProblem:
        """The instance as a leveling problem (names ``job1 …`` and ``R1 …`` as in the file)."""
        pred, succ = self.edges()
        return leveling_problem(
            self.duration,
            self.demand,
            self.capacity,
            pred,
            succ,
            task_names=[f"job{i + 1}" for i in range(self.n_jobs)],
            resource_names=[f"R{k + 1}" for k in range(self.capacity.size)],
        )


def _ints(line: str) -> list[int]:
    return [int(token) for token in line.split()]


def _find(lines: Sequence[str], prefix: str) -> int:
    for number, line in enumerate(lines):
        if line.strip().startswith(prefix):
            return number
    raise SchedulingError(f"Not a PSPLIB .sm file: no line starting with {prefix!r}.")


def _header_value(lines: Sequence[str], prefix: str) -> int:
    line = lines[_find(lines, prefix)]
    match = re.search(r":\s*(\d+)", line)
    if match is None:
        raise SchedulingError(f"Not a PSPLIB .sm file: no number on the line {line.strip()!r}.")
    return int(match.group(1))


def parse_psplib(text: str, name: str = "") -> PsplibInstance:
    """Parse the text of a PSPLIB single-mode file; raises ``SchedulingError`` if it is malformed."""
    lines = text.splitlines()
    n = _header_value(lines, "jobs (incl. supersource/sink )")
    k = _header_value(lines, "- renewable")
    horizon = _header_value(lines, "horizon")
    try:
        first = _find(lines, "PRECEDENCE RELATIONS:") + 2
        successors: list[tuple[int, ...]] = []
        for job, line in enumerate(lines[first : first + n]):
            values = _ints(line)
            if values[0] != job + 1 or len(values) != 3 + values[2]:
                raise SchedulingError(f"Malformed precedence line for job {job + 1}: {line.strip()!r}.")
            successors.append(tuple(value - 1 for value in values[3:]))
        first = _find(lines, "REQUESTS/DURATIONS:") + 3
        rows = [_ints(line) for line in lines[first : first + n]]
        if len(rows) != n or any(len(row) != 3 + k or row[0] != job + 1 for job, row in enumerate(rows)):
            raise SchedulingError("Malformed REQUESTS/DURATIONS section.")
        capacity = _ints(lines[_find(lines, "RESOURCEAVAILABILITIES:") + 2])
    except (IndexError, ValueError) as error:
        raise SchedulingError(f"Not a PSPLIB .sm file: {error}.") from error
    if len(successors) != n or len(capacity) != k:
        raise SchedulingError("Not a PSPLIB .sm file: the job or resource counts do not match.")
    if any(not 0 <= nxt < n for following in successors for nxt in following):
        raise SchedulingError("A successor refers to a job outside the file.")
    table = np.array(rows, dtype=np.int64).reshape(n, 3 + k)
    return PsplibInstance(
        name=name,
        duration=table[:, 2].copy(),
        demand=table[:, 3:].copy(),
        capacity=np.array(capacity, dtype=np.int64),
        successors=tuple(successors),
        horizon=horizon,
    )


def read_psplib(path: str | Path) -> PsplibInstance:
    """Read a ``.sm`` file; the instance's name is the file's stem (e.g. ``j301_1``)."""
    file = Path(path)
    return parse_psplib(file.read_text(encoding="ascii"), name=file.stem)
