"""Monte Carlo schedule risk on arrays: :func:`monte_carlo`, the counterpart of :func:`cpm.cpm`.

The network is given exactly as to :func:`~clientpm.scheduling.cpm.cpm` (task numbers, working-day
indices, :data:`~clientpm.scheduling.cpm.NO_DAY` for missing values), plus optional three-point
estimates (NaN where a task has none) and risk events. See :mod:`clientpm.scheduling.montecarlo`
for the model.

>>> result = monte_carlo([3, 2], pred=[0], succ=[1], optimistic=[2, np.nan], most_likely=[3, np.nan],
...                      pessimistic=[7, np.nan], iterations=2000, seed=1)
>>> round(result.mean_finish, 1), result.criticality.tolist()  # (2 + 3 + 7) / 3 + 2 = 6
(6.0, [1.0, 1.0])
>>> result.sensitivity.round(3).tolist()  # the only uncertain task drives the finish
[1.0, 0.0]
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clientpm.scheduling.cpm import NO_DAY, ConstraintType, _progress
from clientpm.scheduling.exceptions import SchedulingError
from clientpm.scheduling.montecarlo.inputs import (
    Distribution,
    validate_estimates,
    validate_risks,
    validate_settings,
)
from clientpm.scheduling.montecarlo.passes import (
    EPSILON,
    Network,
    backward_pass,
    build_network,
    forward_pass,
    milestone_days,
)
from clientpm.scheduling.montecarlo.sampling import add_risk_delays, sample_durations
from clientpm.scheduling.montecarlo.stats import spearman

__all__ = ["MonteCarloResult", "monte_carlo"]

_CHUNK_CELLS: Final = 1 << 19  # tasks × iterations per pass block (4 MB per float64 array)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Per-iteration finishes and per-task indices (arrays by task number).

    ``finish`` is each iteration's finish point on the working-day axis (see :mod:`cpm`), and
    ``finish_day`` the working-day index of its finish date. ``criticality`` is the fraction of
    iterations in which a task drove the finish (zero total float), ``sensitivity`` Spearman's
    rank correlation of its sampled duration (remaining duration for work in progress, risk
    delays included) with the finish, and ``mean_duration`` the mean of those samples.
    """

    finish: FloatArray
    finish_day: IntArray
    criticality: FloatArray
    sensitivity: FloatArray
    mean_duration: FloatArray
    iterations: int
    seed: int
    distribution: Distribution
    project_start: int
    deadline_day: int | None

    @property
    def mean_finish(self) -> float:
        """The mean duration from the project start to the finish, in working days."""
        return float(self.finish.mean()) - self.project_start

    @property
    def std_finish(self) -> float:
        """The standard deviation of the finish, in working days (sample estimate, n − 1)."""
        return float(self.finish.std(ddof=1))

    @property
    def deadline_probability(self) -> float | None:
        """The fraction of iterations whose finish date is on or before the deadline's day."""
        if self.deadline_day is None:
            return None
        return float(np.count_nonzero(self.finish_day <= self.deadline_day)) / self.iterations

    def percentile_day(self, probability: float) -> int:
        """The first finish day by which at least ``probability`` of the iterations finish (P80: 0.8)."""
        if not 0 < probability <= 1:
            raise SchedulingError("A percentile's probability must be in (0, 1].")
        days, counts = self.histogram()
        reached = np.cumsum(counts) >= probability * self.iterations - 1e-9
        return int(days[np.argmax(reached)])

    def histogram(self) -> tuple[IntArray, IntArray]:
        """Every working day from the earliest to the latest finish, and how many iterations finish on it."""
        first = int(self.finish_day.min())
        counts = np.bincount(self.finish_day - first).astype(np.int64)
        return np.arange(first, first + counts.size, dtype=np.int64), counts


def _floats(values: ArrayLike | None, n: int, what: str) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size != n:
        raise SchedulingError(f"{what} must have one value per item ({n}), not {array.size}.")
    return array


def _ints(values: ArrayLike | None, n: int, default: int, what: str) -> IntArray:
    if values is None:
        return np.full(n, default, dtype=np.int64)
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if array.size != n:
        raise SchedulingError(f"{what} must have one value per item ({n}), not {array.size}.")
    return array


def _refuse(bad: NDArray[np.bool_], names: Sequence[Hashable], message: str) -> None:
    if bad.any():
        tasks = ", ".join(str(names[task]) for task in np.flatnonzero(bad).tolist())
        raise SchedulingError(f"{message} (tasks {tasks}).")


def _dependencies(
    pred: ArrayLike, succ: ArrayLike, dep_type: ArrayLike | None, lag: ArrayLike | None
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    preds = np.asarray(pred, dtype=np.int64).reshape(-1)
    succs = np.asarray(succ, dtype=np.int64).reshape(-1)
    types = _ints(dep_type, preds.size, 0, "dep_type")
    if types.size and (types.min() < 0 or types.max() > 3):
        raise SchedulingError("dep_type codes must be 0 (FS), 1 (SS), 2 (FF) or 3 (SF).")
    lags = np.zeros(preds.size) if lag is None else np.asarray(lag, dtype=np.float64).reshape(-1)
    if lags.size != preds.size or not np.isfinite(lags).all():
        raise SchedulingError(f"lag must hold one finite number per dependency ({preds.size}).")
    return preds, succs, types, lags


def _ranges(
    estimates: tuple[FloatArray, FloatArray, FloatArray],
    durations: IntArray,
    remaining_duration: ArrayLike | None,
    resuming: NDArray[np.bool_],
    finished: NDArray[np.bool_],
    fixed_span: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each task's (low, mode, high) to draw from: its estimate, else its duration, after progress.

    Work resumed from the status date draws its remaining share of the estimate (or its remaining
    duration); finished work keeps the span it took.
    """
    n = durations.size
    estimated = ~np.isnan(estimates[0])
    planned = durations.astype(np.float64)
    ranges = [np.where(estimated, values, planned) for values in estimates]
    if resuming.any():
        remaining = _ints(remaining_duration, n, NO_DAY, "remaining_duration")
        left = np.where(remaining == NO_DAY, durations, remaining).astype(np.float64)
        share = left / np.maximum(durations, 1)
        for values in ranges:
            values[resuming] = np.where(estimated, values * share, left)[resuming]
    for values in ranges:
        values[finished] = fixed_span[finished]
    return ranges[0], ranges[1], ranges[2]


def _passes(
    net: Network, durations: NDArray[np.float32], base: FloatArray, in_progress: IntArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Finish points, milestone days and critical counts (by position), block by block."""
    n, iterations = durations.shape
    finish = np.empty(iterations)
    milestone_day = np.empty(iterations)
    critical = np.zeros(n, dtype=np.int64)
    block = max(1, _CHUNK_CELLS // max(n, 1))
    live = ~net.finished[:, None]
    for first in range(0, iterations, block):
        span = durations[:, first : first + block].astype(np.float64)
        if in_progress.size:  # remaining work from the status date, at least to one day after start
            span[in_progress] = np.maximum(span[in_progress] + base, 1.0)
        times, bounds = forward_pass(net, span)
        end = times[n:].max(axis=0, initial=float(net.project_start))
        finish[first : first + block] = end
        milestone_day[first : first + block] = milestone_days(net, times, bounds)
        late = backward_pass(net, span, end, bounds)
        late -= times[:n]
        critical += np.count_nonzero((late <= EPSILON) & live, axis=1)
    return finish, milestone_day, critical


def monte_carlo(
    duration: ArrayLike,
    pred: ArrayLike,
    succ: ArrayLike,
    dep_type: ArrayLike | None = None,
    lag: ArrayLike | None = None,
    *,
    optimistic: ArrayLike | None = None,
    most_likely: ArrayLike | None = None,
    pessimistic: ArrayLike | None = None,
    distribution: Distribution = "triangular",
    risk_task: ArrayLike | None = None,
    risk_probability: ArrayLike | None = None,
    risk_delay: ArrayLike | None = None,
    iterations: int = 10_000,
    seed: int | None = None,
    constraint_type: ArrayLike | None = None,
    constraint_day: ArrayLike | None = None,
    actual_start_day: ArrayLike | None = None,
    actual_finish_day: ArrayLike | None = None,
    remaining_duration: ArrayLike | None = None,
    status_day: int | None = None,
    project_start: int = 0,
    deadline_day: int | None = None,
    labels: Sequence[Hashable] | None = None,
) -> MonteCarloResult:
    """Simulate ``iterations`` schedules of the network with durations drawn from the estimates.

    ``duration`` is the deterministic duration (working days) used where a task has no estimate
    (NaN in the three estimate arrays); the other network arguments are those of
    :func:`~clientpm.scheduling.cpm.cpm`. Risk event ``e`` delays task ``risk_task[e]`` by
    ``risk_delay[e]`` working days with probability ``risk_probability[e]``. ``seed=None`` picks a
    seed, reported in the result. ``labels`` name the tasks in error messages. Raises
    :class:`~clientpm.scheduling.montecarlo.inputs.SimulationInputError` naming the tasks and
    fields at fault, ``CycleError`` for a cycle, ``SchedulingError`` for malformed arrays.
    """
    durations = np.asarray(duration, dtype=np.int64).reshape(-1)
    n = durations.size
    validate_settings(iterations=iterations, distribution=distribution, seed=seed, tasks=n)
    names: Sequence[Hashable] = labels if labels is not None else range(n)
    if len(names) != n:
        raise SchedulingError(f"labels must name every task ({n}), not {len(names)}.")
    _refuse(durations < 0, names, "Durations cannot be negative")
    low, mode, high = (
        _floats(values, n, what)
        for values, what in (
            (optimistic, "optimistic"),
            (most_likely, "most_likely"),
            (pessimistic, "pessimistic"),
        )
    )
    validate_estimates(low, mode, high, names)
    preds, succs, types, lags = _dependencies(pred, succ, dep_type, lag)
    kinds = _ints(constraint_type, n, ConstraintType.ASAP, "constraint_type")
    if kinds.size and (kinds.min() < 0 or kinds.max() > 7):
        raise SchedulingError("constraint_type codes must be between 0 (ASAP) and 7 (MFO).")
    c_day = _ints(constraint_day, n, NO_DAY, "constraint_day")
    _refuse((kinds >= ConstraintType.SNET) & (c_day == NO_DAY), names, "A constraint needs its date")
    risk_rows = np.asarray([] if risk_task is None else risk_task, dtype=np.int64).reshape(-1)
    risk_p = _floats([] if risk_probability is None else risk_probability, risk_rows.size, "risk_probability")
    risk_d = _floats([] if risk_delay is None else risk_delay, risk_rows.size, "risk_delay")
    validate_risks(risk_rows, risk_p, risk_d, names)

    # progress (as cpm): finished tasks are fixed, in-progress ones draw their remaining work
    finished, in_progress, fixed_start, fixed_span = _progress(
        durations, actual_start_day, actual_finish_day, remaining_duration, status_day
    )
    resuming = in_progress if status_day is not None else np.zeros(n, dtype=bool)
    low, mode, high = _ranges(
        (low, mode, high), durations, remaining_duration, resuming, finished, fixed_span.astype(np.float64)
    )
    at_risk = np.zeros(n, dtype=bool)
    at_risk[risk_rows[(risk_d > 0) & (risk_p > 0)]] = True
    milestone = (high == 0) & ~at_risk

    net = build_network(
        n, preds, succs, types, lags,
        kinds=kinds, constraint_day=c_day, finished=finished, in_progress=in_progress,
        fixed_start=fixed_start, milestone=milestone, project_start=project_start, status_day=status_day,
    )  # fmt: skip
    used_seed = int(seed) if seed is not None else secrets.randbits(32)
    rng = np.random.default_rng(used_seed)
    samples = sample_durations(
        low, mode, high, distribution=distribution, iterations=iterations, rng=rng, rows=net.position
    )
    add_risk_delays(samples, np.where(finished[risk_rows], -1, net.position[risk_rows]), risk_p, risk_d, rng)

    resuming_rows = net.position[np.flatnonzero(resuming)]
    actual = fixed_start[net.order[resuming_rows]].astype(np.float64)
    base = (np.maximum(actual, float(status_day or 0)) - actual)[:, None]
    finish, milestone_day, critical = _passes(net, samples, base, resuming_rows)
    days = np.maximum(np.ceil(finish - EPSILON) - 1, milestone_day)
    finish_day = np.maximum(days, project_start).astype(np.int64)
    varying = net.position[(high > low) | at_risk & ~finished]  # the other rows are constant: ρ = 0
    sensitivity = np.zeros(n)
    sensitivity[varying] = spearman(samples, finish, rows=varying)
    by_task = net.position
    return MonteCarloResult(
        finish=finish,
        finish_day=finish_day,
        criticality=critical[by_task] / iterations,
        sensitivity=sensitivity[by_task],
        mean_duration=samples.mean(axis=1, dtype=np.float64)[by_task],
        iterations=iterations,
        seed=used_seed,
        distribution=distribution,
        project_start=project_start,
        deadline_day=deadline_day,
    )
