"""The schedule engine: framework-free, typed functions over plain data (no Django import).

One module per topic, each with its ``__all__`` as table of contents:

- :mod:`~clientpm.scheduling.calendar` — working calendars (Monday–Friday, China with 调休),
  dates ↔ working-day indices, JSON-ready serialisation;
- :mod:`~clientpm.scheduling.dag` — topological levels (Kahn's algorithm in NumPy) and cycles;
- :mod:`~clientpm.scheduling.cpm` — the critical path method on arrays, with the conventions
  (finish dates, lags, constraints, milestones, progress) in its docstring;
- :mod:`~clientpm.scheduling.schedule` — the same with dataclasses and dates, for the Django
  adapter;
- :mod:`~clientpm.scheduling.rollup` — summary-task roll-up over a WBS tree;
- :mod:`~clientpm.scheduling.exceptions` — ``SchedulingError``, ``CycleError``, ``InfeasibleError``;
- :mod:`~clientpm.scheduling.montecarlo` — Monte Carlo schedule risk (its own ``__all__``);
- :mod:`~clientpm.scheduling.mspdi` — Microsoft Project XML read and write (its own ``__all__``).

The most used names are re-exported here.
"""

from clientpm.scheduling.calendar import (
    WorkingCalendar,
    calendar_from_dict,
    calendar_to_dict,
    china_calendar,
    monday_to_friday,
)
from clientpm.scheduling.cpm import ConstraintType, CpmResult, DependencyType, cpm
from clientpm.scheduling.exceptions import CycleError, InfeasibleError, SchedulingError
from clientpm.scheduling.rollup import Leaf, Rollup, summary_rollup
from clientpm.scheduling.schedule import Dependency, Schedule, Task, TaskSchedule, require_feasible, schedule

__all__ = [
    "ConstraintType",
    "CpmResult",
    "CycleError",
    "Dependency",
    "DependencyType",
    "InfeasibleError",
    "Leaf",
    "Rollup",
    "Schedule",
    "SchedulingError",
    "Task",
    "TaskSchedule",
    "WorkingCalendar",
    "calendar_from_dict",
    "calendar_to_dict",
    "china_calendar",
    "cpm",
    "monday_to_friday",
    "require_feasible",
    "schedule",
    "summary_rollup",
]
