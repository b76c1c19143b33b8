"""Resource leveling (资源平衡) of a project: its rows as the engine's leveling problem, and the
engine's result as the rows a preview shows and a save writes.

How the problem is built (:func:`leveling_input`):

- the network is the one the schedule uses (``planning.project_network``): leaf tasks, each summary
  as a start and a finish milestone, other projects' predecessors as fixed tasks; the current
  schedule is computed from it with the engine (``scheduling.schedule``, the same call the plan
  makes), so every node has its current start point;
- **leveling only delays tasks**, as Microsoft Project's leveling does: a free task's *release* is
  its current start, which keeps the project start, the status date and start-no-earlier-than
  constraints honoured without modelling them again;
- **fixed** (they keep their dates): tasks already started (actual start or finish) — from their
  start to their scheduled finish; other projects' tasks; and tasks or summaries held by a hard
  constraint (must start/finish on, start/finish no later than) at their current start;
- **demand and capacity** in hundredths of a unit (the models keep two decimals, so sums are
  exact): each assignment of a leaf task with working days, except finished tasks (their work is
  history). Summary and external nodes demand nothing; external ones keep their span as duration
  because dependencies from them are measured from their finish;
- only this project's demand is levelled against each resource's full capacity: other projects'
  load shows on the Resources tab but is not moved (the projects are planned one at a time);
- tasks are numbered in WBS order, so equal priorities go to the task higher in the plan.

The result becomes *moves* (leaf tasks that start later, with their new dates and delay in working
days); :func:`planned_starts` turns the starts a user accepts back into the full schedule, checks it
with the independent validator and says which tasks need a start-no-earlier-than constraint (those
held back by a resource — the others follow their predecessors by themselves). A *token* (a hash of
everything the problem was built from) tells whether the plan changed between preview and save.
"""

from clientpm.resources.leveling.accept import PlannedStarts, planned_starts
from clientpm.resources.leveling.preview import LevelingMove, LevelingPreview, leveling_preview
from clientpm.resources.leveling.problem import (
    FAST_SECONDS,
    MAX_OPTIMAL_SECONDS,
    MODES,
    LevelingInput,
    leveling_input,
)

__all__ = [
    "FAST_SECONDS",
    "MAX_OPTIMAL_SECONDS",
    "MODES",
    "LevelingInput",
    "LevelingMove",
    "LevelingPreview",
    "PlannedStarts",
    "leveling_input",
    "leveling_preview",
    "planned_starts",
]
