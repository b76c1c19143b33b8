"""Leveling a project's problem and reading the result as what would move (nothing is stored)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.utils.translation import gettext as _

from clientpm.resources.leveling.problem import FAST_SECONDS, Int64Array, LevelingInput
from clientpm.scheduling.leveling import LevelingProblem, LevelingResult, level_heuristic

__all__ = ["LevelingMove", "LevelingPreview", "driven_starts", "leveling_preview"]


@dataclass(frozen=True)
class LevelingMove:
    """A leaf task the leveled schedule starts later; ``by_resource`` when a resource holds it back
    (else it only follows a predecessor that moved)."""

    task_id: int
    wbs_code: str
    name: str
    start_date: date
    finish_date: date
    leveled_start_date: date
    leveled_finish_date: date
    delay_days: int
    by_resource: bool


@dataclass(frozen=True)
class LevelingPreview:
    """What leveling would change, before anything is saved (see ``queries.leveling_preview``).

    ``makespan_days`` and ``lower_bound_days`` count working days from the first point a task can
    use; ``gap`` is how far the finish may be from the best possible (0 = proven optimal);
    ``conflicts`` name date constraints the leveled plan would break (saving is then refused);
    ``notes`` where tasks that cannot move already overload a resource (planned around)."""

    project_id: int
    mode: str
    method: str
    status: str
    finish_date: date | None
    leveled_finish_date: date | None
    finish_delay_days: int
    makespan_days: int
    lower_bound_days: int
    gap: float
    seconds: float
    moves: list[LevelingMove]
    conflicts: list[str]
    notes: list[str]
    token: str
    tasks: int
    resources: int

    @property
    def starts(self) -> list[tuple[int, date]]:
        """The leveled starts of the tasks that move, as ``apply`` takes them."""
        return [(move.task_id, move.leveled_start_date) for move in self.moves]

    @property
    def gap_percent(self) -> float:
        return round(self.gap * 100, 1)


def _level(problem: LevelingProblem, mode: str, time_limit: int) -> LevelingResult:
    if mode != "optimal":
        return level_heuristic(problem, schedules=500, time_limit=FAST_SECONDS, seed=0)
    # Imported here: OR-Tools is heavy to load and only the optimising mode needs it.
    from clientpm.scheduling.leveling.cpsat import level_optimal

    result = level_optimal(problem, time_limit=float(time_limit), num_workers=2, seed=0)
    # CP-SAT minimises the finish only, so tasks off the critical path may sit anywhere within their
    # float: one pass of the generation scheme in the order of its starts moves each of them back to
    # the earliest point the others leave (never a later finish; kept only if no worse).
    packed = level_heuristic(problem, schedules=1, initial=result.start.tolist())
    if packed.project_finish > result.project_finish:
        return result
    finish = packed.project_finish
    return dataclasses.replace(
        result,
        start=packed.start,
        finish=packed.finish,
        project_finish=finish,
        lower_bound=min(result.lower_bound, finish),
        status="optimal" if finish <= result.lower_bound else result.status,
    )


def driven_starts(data: LevelingInput, start: Int64Array) -> Int64Array:
    """Per node, the earliest start its release and its predecessors (at ``start``) allow."""
    problem = data.problem
    assert problem is not None
    driven = problem.release.copy()
    keep = problem.enforced
    np.maximum.at(driven, problem.succ[keep], start[problem.pred[keep]] + problem.distance[keep])
    return driven


def _conflicts(data: LevelingInput, start: Int64Array) -> list[str]:
    """Date constraints the schedule ``start`` breaks that the current plan keeps: a task held by a
    hard constraint does not move, so a predecessor leveled past it breaks the dependency."""
    problem = data.problem
    assert problem is not None
    out: list[str] = []
    required = start[problem.pred] + problem.distance
    before = data.start[problem.pred] + problem.distance
    for e in np.flatnonzero(required > start[problem.succ]).tolist():
        j, p = int(problem.succ[e]), int(problem.pred[e])
        if data.fixed.get(j) == "constraint" and before[e] <= data.start[j]:
            out.append(
                _(
                    "“%(task)s” would miss its date constraint: leveling moves “%(other)s”, which it follows, too late."
                )
                % {"task": data.label(j), "other": data.label(p)}
            )
    return list(dict.fromkeys(out))


def _moves(data: LevelingInput, start: Int64Array, driven: Int64Array) -> list[LevelingMove]:
    delay = start - data.start
    leaves = [i for i, node in enumerate(data.nodes) if not isinstance(node, tuple) and delay[i] > 0]
    if not leaves:
        return []
    days = data.dates(
        np.concatenate(
            [
                data.start_day[leaves],
                data.finish_day[leaves],
                (data.start_day + delay)[leaves],
                (data.finish_day + delay)[leaves],
            ]
        )
    )
    m = len(leaves)
    moves = []
    for row, i in enumerate(leaves):
        task_id = data.task_id(i)
        wbs, name = data.rows.get(task_id, ("", ""))
        moves.append(
            LevelingMove(
                task_id=task_id,
                wbs_code=wbs,
                name=name,
                start_date=days[row],
                finish_date=days[m + row],
                leveled_start_date=days[2 * m + row],
                leveled_finish_date=days[3 * m + row],
                delay_days=int(delay[i]),
                by_resource=bool(start[i] > driven[i]),
            )
        )
    return moves


def leveling_preview(data: LevelingInput, *, mode: str, time_limit: int) -> LevelingPreview:
    """Level ``data``'s problem in ``mode`` (``fast``: the heuristic; ``optimal``: CP-SAT for up to
    ``time_limit`` seconds) and say what would move. Nothing is stored."""
    problem = data.problem
    if problem is None:
        return LevelingPreview(
            data.project_id, mode, "", "optimal", None, None, 0, 0, 0, 0.0, 0.0, [], [], [], data.token, 0, 0
        )
    result = _level(problem, mode, time_limit)
    start = result.start.astype(np.int64)
    delay = start - data.start
    current_last, leveled_last = int(data.finish_day.max()), int((data.finish_day + delay).max())
    finish_date, leveled_finish_date = data.dates([max(current_last, 0), max(leveled_last, 0)])
    return LevelingPreview(
        project_id=data.project_id,
        mode=mode,
        method=result.method,
        status=result.status,
        finish_date=finish_date,
        leveled_finish_date=leveled_finish_date,
        finish_delay_days=int(result.project_finish - int(data.finish.max())),
        makespan_days=int(result.makespan),
        lower_bound_days=int(result.lower_bound - result.origin),
        gap=float(result.gap),
        seconds=float(result.seconds),
        moves=_moves(data, start, driven_starts(data, start)),
        conflicts=_conflicts(data, start),
        notes=data.notes,
        token=data.token,
        tasks=sum(1 for node in data.nodes if not isinstance(node, tuple)),
        resources=len(data.resources),
    )
