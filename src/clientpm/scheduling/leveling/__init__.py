"""Resource leveling (资源平衡): schedules that honour every dependency and never exceed a capacity.

- :mod:`~clientpm.scheduling.leveling.model` — the problem (an RCPSP instance) and the result;
- :mod:`~clientpm.scheduling.leveling.sgs` — the serial generation scheme and justification;
- :mod:`~clientpm.scheduling.leveling.heuristic` — the fast heuristic for interactive use;
- :mod:`~clientpm.scheduling.leveling.cpsat` — the optimising mode with OR-Tools CP-SAT.
"""

from clientpm.scheduling.leveling.heuristic import level_heuristic, priority_rules
from clientpm.scheduling.leveling.model import (
    InfeasibleDemandError,
    LevelingProblem,
    LevelingResult,
    LevelingStatus,
    leveling_problem,
)

__all__ = [
    "InfeasibleDemandError",
    "LevelingProblem",
    "LevelingResult",
    "LevelingStatus",
    "level_heuristic",
    "leveling_problem",
    "priority_rules",
]
