"""The schedule engine's exceptions: one base class and two refusals that name the tasks involved.

Every error the engine raises on purpose is a :class:`SchedulingError`, which is also a
``ValueError`` because it always means "this input cannot be scheduled as given". The two
subclasses carry the tasks involved so that a caller can put their names in front of the user:

>>> try:
...     raise CycleError(["design", "build", "test"])
... except SchedulingError as error:
...     print(error)
...     print(error.cycle)
Dependency cycle: design → build → test → design
('design', 'build', 'test')
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

__all__ = ["CycleError", "InfeasibleError", "SchedulingError"]


class SchedulingError(ValueError):
    """The input cannot be scheduled as given (bad value, unknown task, inconsistent calendar…)."""


class CycleError(SchedulingError):
    """The dependencies form a cycle; ``cycle`` lists its tasks in order.

    Each task in ``cycle`` is a predecessor of the next one, and the last is a predecessor of the
    first. A task that depends on itself gives a cycle of one task.
    """

    cycle: tuple[Hashable, ...]

    def __init__(self, cycle: Iterable[Hashable]) -> None:
        self.cycle = tuple(cycle)
        names = [str(task) for task in self.cycle]
        super().__init__("Dependency cycle: " + " → ".join([*names, names[0]] if names else names))


class InfeasibleError(SchedulingError):
    """The schedule cannot meet every constraint and deadline; ``tasks`` are those with negative float.

    The scheduling functions never raise it themselves (they report negative float instead);
    :func:`clientpm.scheduling.schedule.require_feasible` raises it for callers that must refuse
    such a plan.
    """

    tasks: tuple[Hashable, ...]

    def __init__(self, tasks: Iterable[Hashable], message: str | None = None) -> None:
        self.tasks = tuple(tasks)
        super().__init__(
            message
            or "The constraints and deadlines cannot all be met; tasks late: "
            + ", ".join(str(task) for task in self.tasks)
        )
