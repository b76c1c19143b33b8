"""Starts a user accepts from a preview, as the full schedule to save: checked by the independent
validator, with the tasks that need a start-no-earlier-than constraint to keep their dates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientpm.resources.leveling.preview import driven_starts
from clientpm.resources.leveling.problem import Int64Array, LevelingInput, units_text
from clientpm.scheduling.calendar import is_working_day, working_day_index
from clientpm.scheduling.validator import validate_schedule

__all__ = ["PlannedStarts", "planned_starts"]

_MAX_NAMED = 10


@dataclass(frozen=True)
class PlannedStarts:
    """Accepted starts as a full schedule: ``start`` points per node, the SNET dates to set
    (``constrain``, task id → date) and every working leaf's expected start date."""

    start: Int64Array
    constrain: dict[int, date]
    expected: dict[int, date]
    moved: int


def _start_errors(data: LevelingInput, starts: Mapping[int, date]) -> tuple[dict[int, int], list[str]]:
    """The accepted starts as points per node, and what is wrong with them."""
    errors: list[str] = []
    wanted = [
        (task_id, day, data.index.get(task_id)) for task_id, day in starts.items() if isinstance(task_id, int)
    ]
    unknown = [str(task_id) for task_id, _day, i in wanted if i is None]
    if unknown:
        errors.append(
            _("These are not tasks of this project with work of their own: %(ids)s.")
            % {"ids": ", ".join(unknown)}
        )
    known = [(task_id, day, i) for task_id, day, i in wanted if i is not None]
    if not known:
        return {}, errors
    days = [day for _task, day, _i in known]
    working = is_working_day(data.calendar, days).tolist()
    day_index = working_day_index(data.calendar, days, origin=data.origin).tolist()
    # A date moves a node by its distance from the node's current start date; a milestone's point
    # is not its date's index (it sits at the end of the day it follows), so convert the shift.
    points = [
        int(data.start[i]) + int(index) - int(data.start_day[i])
        for (_task, _day, i), index in zip(known, day_index, strict=True)
    ]
    posted: dict[int, int] = {}
    reasons = {
        "started": _("“%(task)s” has started: it keeps its dates."),
        "constraint": _("“%(task)s” is held by its date constraint: it keeps its dates."),
    }
    for (_task_id, day, i), is_working, point in zip(known, working, points, strict=True):
        label = data.label(i)
        if not is_working:
            errors.append(
                _("%(date)s is not a working day of the project's calendar (“%(task)s”).")
                % {"date": day.isoformat(), "task": label}
            )
        elif i in data.fixed and point != data.start[i]:
            errors.append(reasons.get(data.fixed[i], reasons["started"]) % {"task": label})
        elif point < data.start[i]:
            errors.append(
                _("“%(task)s” cannot start before %(date)s: leveling only delays tasks.")
                % {"task": label, "date": data.dates([data.start_day[i]])[0].isoformat()}
            )
        else:
            posted[i] = point
    return posted, errors


def _schedule_errors(data: LevelingInput, start: Int64Array) -> list[str]:
    """The independent validator's findings on ``start``, as messages naming tasks and resources."""
    problem = data.problem
    assert problem is not None
    check = validate_schedule(
        start,
        problem.duration,
        pred=problem.pred,
        succ=problem.succ,
        dep_type=problem.dep_type,
        lag=problem.lag,
        demand=problem.demand,
        capacity=problem.capacity,
        fixed_start=[int(data.start[i]) if i in data.fixed else None for i in range(len(data.nodes))],
        release=problem.release,
    )
    errors = [
        _("“%(task)s” would start before “%(other)s” allows.")
        % {"task": data.label(v.succ), "other": data.label(v.pred)}
        for v in check.dependencies
    ]
    seen: set[int] = set()
    for v in check.capacity:
        if v.resource in seen:
            continue
        seen.add(v.resource)
        errors.append(
            _(
                "%(resource)s would be asked for %(units)s units on %(date)s, more than its capacity of %(capacity)s."
            )
            % {
                "resource": data.resources[v.resource][1],
                "units": units_text(v.used),
                "date": data.dates([v.day])[0].isoformat(),
                "capacity": units_text(v.capacity),
            }
        )
    return list(dict.fromkeys(errors))[:_MAX_NAMED]


def planned_starts(data: LevelingInput, starts: Mapping[int, date]) -> PlannedStarts:
    """The schedule the accepted ``starts`` (leaf task id → start date) make: those tasks at those
    dates, every other free task as early as its release and predecessors allow, fixed ones where
    they are. Refuses (``ValidationError`` on ``starts``) unknown tasks, a start on a non-working
    day, before the current start or of a fixed task, and a schedule the validator finds breaking a
    dependency or a capacity."""
    problem = data.problem
    if problem is None:
        if starts:
            raise ValidationError({"starts": [_("The project has no tasks to level.")]})
        return PlannedStarts(np.zeros(0, dtype=np.int64), {}, {}, 0)
    posted, errors = _start_errors(data, starts)
    if errors:
        raise ValidationError({"starts": errors[:_MAX_NAMED]})
    start = data.start.copy()
    incoming: list[list[tuple[int, int]]] = [[] for _node in data.nodes]
    keep = problem.enforced.tolist()
    for p, s, dist, kept in zip(
        problem.pred.tolist(), problem.succ.tolist(), problem.distance.tolist(), keep, strict=True
    ):
        if kept:
            incoming[s].append((p, dist))
    release = problem.release.tolist()
    for j in problem.levels.order.tolist():
        if j in data.fixed:
            continue
        if j in posted:
            start[j] = posted[j]
        else:
            start[j] = max([release[j], *(int(start[p]) + dist for p, dist in incoming[j])])
    errors = _schedule_errors(data, start)
    if errors:
        raise ValidationError({"starts": errors})
    delay = start - data.start
    moved = delay != 0
    driven = driven_starts(data, start)
    # An ALAP task sits as late as its successors (or the project finish) allow, so it drifts when
    # they move. One that needs a resource is pinned at its leveled start (drifting could overload
    # it); one that needs none may drift — it never pushes a successor — and is not checked.
    follows_moved = np.zeros(len(data.nodes), dtype=bool)
    follows_moved[problem.pred[moved[problem.succ]]] = True
    has_successor = np.zeros(len(data.nodes), dtype=bool)
    has_successor[problem.pred] = True
    finish_moved = int((start + problem.duration).max()) != int(data.finish.max())
    loads = problem.demand.any(axis=1)
    drifts = moved | follows_moved | (finish_moved & ~has_successor)
    leaves = [i for i, node in enumerate(data.nodes) if not isinstance(node, tuple) and i not in data.fixed]
    pinned = [i for i in leaves if start[i] > driven[i] or (i in data.alap and loads[i] and drifts[i])]
    pin_dates = data.dates((data.start_day + delay)[pinned]) if pinned else []
    working = [i for i in leaves if problem.duration[i] > 0 and (i not in data.alap or loads[i])]
    expected = data.dates((data.start_day + delay)[working]) if working else []
    return PlannedStarts(
        start=start,
        constrain={data.task_id(i): day for i, day in zip(pinned, pin_dates, strict=True)},
        expected={data.task_id(i): day for i, day in zip(working, expected, strict=True)},
        moved=sum(1 for i in leaves if moved[i]),
    )
