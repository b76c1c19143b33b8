"""What a simulation is given: three-point estimates, risk events, settings — and their validation.

Validation collects every problem before refusing, each naming its task and the field at fault
(:class:`InputProblem`), so that an adapter can show them next to the right form field; the
refusal is a :class:`SimulationInputError`, a
:class:`~clientpm.scheduling.exceptions.SchedulingError`.

>>> try:
...     validate_settings(iterations=10, distribution="normal", seed=None)
... except SimulationInputError as error:
...     [problem.field for problem in error.problems]
['iterations', 'distribution']
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple, get_args

import numpy as np
from numpy.typing import NDArray

from clientpm.scheduling.exceptions import SchedulingError

__all__ = [
    "MAX_CELLS",
    "MAX_ITERATIONS",
    "MIN_ITERATIONS",
    "Distribution",
    "Estimate",
    "InputProblem",
    "RiskEvent",
    "SimulationInputError",
    "validate_estimates",
    "validate_risks",
    "validate_settings",
]

Distribution = Literal["triangular", "pert"]
"""How durations are drawn from a three-point estimate: triangular, or PERT-beta with λ = 4."""

MIN_ITERATIONS: Final = 100
"""Fewer iterations give percentiles too coarse to be worth showing."""
MAX_ITERATIONS: Final = 100_000
"""More iterations add nothing a planner can see and cost memory (tasks × iterations × 4 bytes)."""
MAX_CELLS: Final = 200_000_000
"""At most this many tasks × iterations (the sampled durations take 4 bytes each: 800 MB)."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A task's three-point estimate in working days: optimistic ≤ most likely ≤ pessimistic."""

    optimistic: float
    most_likely: float
    pessimistic: float


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A risk that, with ``probability``, delays ``task_id`` by ``delay`` working days.

    A task may carry several risk events; each happens (or not) independently in each iteration.
    ``risk_id`` is the risk register's identifier, kept for the caller.
    """

    task_id: Hashable
    probability: float
    delay: float
    risk_id: Hashable | None = None


class InputProblem(NamedTuple):
    """One reason to refuse a simulation: the task (None for a setting), the field and a message."""

    task: Hashable | None
    field: str
    message: str


class SimulationInputError(SchedulingError):
    """The simulation's input is invalid; ``problems`` lists every reason, naming task and field."""

    problems: tuple[InputProblem, ...]

    def __init__(self, problems: Iterable[InputProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            " ".join(
                problem.message if problem.task is None else f"Task {problem.task}: {problem.message}"
                for problem in self.problems
            )
        )


FloatArray = NDArray[np.float64]


def validate_settings(*, iterations: int, distribution: str, seed: int | None, tasks: int = 0) -> None:
    """Refuse bad settings: iterations out of range (or too many for ``tasks``), an unknown
    distribution, a negative seed."""
    problems: list[InputProblem] = []
    if isinstance(iterations, bool) or not isinstance(iterations, int | np.integer):
        problems.append(InputProblem(None, "iterations", "The number of iterations must be a whole number."))
    elif not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        problems.append(
            InputProblem(
                None,
                "iterations",
                f"The number of iterations must be between {MIN_ITERATIONS:,} and {MAX_ITERATIONS:,}.",
            )
        )
    elif tasks * iterations > MAX_CELLS:
        problems.append(
            InputProblem(
                None,
                "iterations",
                f"With {tasks:,} tasks the simulation can run at most {MAX_CELLS // tasks:,} iterations.",
            )
        )
    if distribution not in get_args(Distribution):
        problems.append(
            InputProblem(
                None,
                "distribution",
                f"The distribution must be 'triangular' or 'pert', not {distribution!r}.",
            )
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0):
        problems.append(InputProblem(None, "seed", "The seed must be a whole number ≥ 0."))
    if problems:
        raise SimulationInputError(problems)


def validate_estimates(
    optimistic: FloatArray, most_likely: FloatArray, pessimistic: FloatArray, labels: Sequence[Hashable]
) -> None:
    """Refuse estimates that are partial, negative, not finite or out of order (NaN = no estimate)."""
    problems: list[InputProblem] = []
    values = np.stack([optimistic, most_likely, pessimistic])
    given = ~np.isnan(values)
    fields = ("optimistic", "most_likely", "pessimistic")
    words = ("optimistic", "most likely", "pessimistic")
    partial = given.any(axis=0) & ~given.all(axis=0)
    for task in np.flatnonzero(partial).tolist():
        missing = next(row for row in range(3) if not given[row, task])
        problems.append(
            InputProblem(
                labels[task],
                fields[missing],
                "a three-point estimate needs optimistic, most likely and pessimistic values.",
            )
        )
    complete = given.all(axis=0)
    for row in range(3):
        bad = complete & (~np.isfinite(values[row]) | (values[row] < 0))
        for task in np.flatnonzero(bad).tolist():
            problems.append(
                InputProblem(labels[task], fields[row], f"the {words[row]} estimate must be a number ≥ 0.")
            )
    with np.errstate(invalid="ignore"):
        low = complete & (optimistic > most_likely)
        high = complete & (most_likely > pessimistic)
    for task in np.flatnonzero(low).tolist():
        problems.append(
            InputProblem(
                labels[task],
                "most_likely",
                f"the most likely estimate ({most_likely[task]:g}) is below the optimistic one "
                f"({optimistic[task]:g}).",
            )
        )
    for task in np.flatnonzero(high).tolist():
        problems.append(
            InputProblem(
                labels[task],
                "most_likely",
                f"the most likely estimate ({most_likely[task]:g}) exceeds the pessimistic one "
                f"({pessimistic[task]:g}).",
            )
        )
    if problems:
        raise SimulationInputError(problems)


def validate_risks(
    task: NDArray[np.int64], probability: FloatArray, delay: FloatArray, labels: Sequence[Hashable]
) -> None:
    """Refuse risk events on unknown tasks, with a probability outside [0, 1] or a negative delay."""
    problems: list[InputProblem] = []
    n = len(labels)
    if not task.size == probability.size == delay.size:
        raise SimulationInputError(
            [InputProblem(None, "risk_events", "Each risk event needs a task, a probability and a delay.")]
        )
    for event in range(task.size):
        number = int(task[event])
        if not 0 <= number < n:
            problems.append(
                InputProblem(None, "risk_events", f"Risk event {event + 1}: unknown task {number}.")
            )
            continue
        p, days = float(probability[event]), float(delay[event])
        if not 0.0 <= p <= 1.0:  # also refuses NaN
            problems.append(
                InputProblem(
                    labels[number], "probability", f"a risk's probability must be between 0 and 1, not {p:g}."
                )
            )
        if not (np.isfinite(days) and days >= 0):
            problems.append(
                InputProblem(
                    labels[number], "delay", f"a risk's delay must be a number of days ≥ 0, not {days:g}."
                )
            )
    if problems:
        raise SimulationInputError(problems)
