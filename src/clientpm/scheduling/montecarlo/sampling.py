"""Drawing durations: one row per task, one column per iteration, by inverse transform sampling.

Every uncertain task (pessimistic > optimistic) gets one row of uniform numbers from the seeded
generator, in task order, turned into durations by the inverse of the distribution's cumulative
function: the triangular one in closed form, PERT-beta through a per-task table of its quantile
function at 2,049 evenly spaced probabilities, read by linear interpolation (NumPy has no inverse
incomplete beta; the table's mean and variance are within 10⁻⁴ of the range (pessimistic −
optimistic) of the exact ones, and reading it is several times faster than drawing beta variates). Both distributions therefore read the same uniforms:
switching between them with the same seed changes the shape only (common random numbers).
Risk events then draw one uniform row each and add their delay where it falls below their
probability.

>>> rng = np.random.default_rng(7)
>>> low, mode, high = np.array([2.0, 4.0]), np.array([2.0, 5.0]), np.array([2.0, 9.0])
>>> durations = sample_durations(low, mode, high, distribution="pert", iterations=1000, rng=rng)
>>> durations.shape, durations.dtype, bool((durations[0] == 2).all())
((2, 1000), dtype('float32'), True)
>>> bool(4.0 <= durations[1].min()) and bool(durations[1].max() <= 9.0)
True
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from clientpm.scheduling.montecarlo.inputs import Distribution

__all__ = ["PERT_LAMBDA", "add_risk_delays", "pert_shape", "sample_durations"]

PERT_LAMBDA: Final = 4.0
"""The weight of the most likely value in PERT-beta: mean = (a + λ·m + b) / (λ + 2)."""

_CELLS: Final = 2048  # cells of the PERT-beta tables
_TINY: Final = 1e-300
_BLOCK_CELLS: Final = 1 << 20  # tasks × iterations transformed at once (bounds the temporary memory)

FloatArray = NDArray[np.float64]
Float32Array = NDArray[np.float32]


def pert_shape(low: FloatArray, mode: FloatArray, high: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The beta shape parameters α, β of PERT-beta on [low, high] with ``mode`` (λ = 4).

    >>> [value.tolist() for value in pert_shape(np.array([0.0]), np.array([1.0]), np.array([4.0]))]
    [[2.0], [4.0]]
    """
    width = high - low
    alpha: FloatArray = 1 + PERT_LAMBDA * (mode - low) / width
    beta: FloatArray = 1 + PERT_LAMBDA * (high - mode) / width
    return alpha, beta


def _pert_quantiles(alpha: FloatArray, beta: FloatArray) -> Float32Array:
    """The quantile function of Beta(α, β) at ``_CELLS + 1`` evenly spaced probabilities, per task.

    The density is integrated by Simpson's rule on ``_CELLS`` cells of [0, 1] (its logarithm
    reads one shared table of log x and log(1 − x)), and the cumulative function inverted at each
    probability by linear interpolation.
    """
    x = np.linspace(0.0, 1.0, 2 * _CELLS + 1)
    log_x = np.log(np.maximum(x, _TINY))
    log_rest = np.log(np.maximum(1 - x, _TINY))
    log_x[0] = log_rest[-1] = -1e300  # so that 0 ** 0 is 1 and 0 ** a is 0, without warnings
    density = np.exp((alpha[:, None] - 1) * log_x + (beta[:, None] - 1) * log_rest)
    cells = density[:, 0:-1:2] + 4 * density[:, 1::2] + density[:, 2::2]
    cumulative = np.zeros((alpha.size, _CELLS + 1))
    np.cumsum(cells, axis=1, out=cumulative[:, 1:])
    cumulative /= cumulative[:, -1:]
    grid, probabilities = x[::2], np.linspace(0.0, 1.0, _CELLS + 1)
    quantiles = np.empty((alpha.size, _CELLS + 1), dtype=np.float32)
    for row in range(alpha.size):
        quantiles[row] = np.interp(probabilities, cumulative[row], grid)
    return quantiles


def _triangular(uniform: Float32Array, low: FloatArray, mode: FloatArray, high: FloatArray) -> Float32Array:
    a, m, b = (value.astype(np.float32)[:, None] for value in (low, mode, high))
    turn = (m - a) / (b - a)  # the cumulative probability at the mode
    rising = a + np.sqrt(uniform * ((b - a) * (m - a)))
    falling = b - np.sqrt((1 - uniform) * ((b - a) * (b - m)))
    result: Float32Array = np.where(uniform < turn, rising, falling)
    return result


def _pert(uniform: Float32Array, low: FloatArray, mode: FloatArray, high: FloatArray) -> Float32Array:
    quantiles = _pert_quantiles(*pert_shape(low, mode, high))
    quantiles *= (high - low).astype(np.float32)[:, None]
    quantiles += low.astype(np.float32)[:, None]
    values, slopes = quantiles[:, :-1].ravel(), np.diff(quantiles, axis=1).ravel()
    position = uniform * np.float32(_CELLS)
    cell = position.astype(np.int32)
    np.minimum(cell, _CELLS - 1, out=cell)
    position -= cell  # the fraction of the cell
    cell += (np.arange(uniform.shape[0], dtype=np.int32) * _CELLS)[:, None]
    result: Float32Array = values[cell]
    position *= slopes[cell]
    result += position
    return result


def sample_durations(
    low: FloatArray,
    mode: FloatArray,
    high: FloatArray,
    *,
    distribution: Distribution,
    iterations: int,
    rng: np.random.Generator,
    rows: NDArray[np.int64] | None = None,
) -> Float32Array:
    """Durations in working days, shape (tasks, iterations), float32; task ``i`` fills row ``rows[i]``.

    Tasks with ``high == low`` are constant and draw nothing. The estimates are assumed valid
    (see :func:`~clientpm.scheduling.montecarlo.inputs.validate_estimates`).
    """
    n = low.size
    where = np.arange(n, dtype=np.int64) if rows is None else rows
    durations = np.empty((n, iterations), dtype=np.float32)
    uncertain = np.flatnonzero(high > low)
    constant = np.flatnonzero(high <= low)
    durations[where[constant]] = low[constant].astype(np.float32)[:, None]
    transform = _pert if distribution == "pert" else _triangular
    block = max(1, _BLOCK_CELLS // max(iterations, 1))
    for first in range(0, uncertain.size, block):  # drawn block by block: the same stream, less memory
        tasks = uncertain[first : first + block]
        uniform = rng.random((tasks.size, iterations), dtype=np.float32)
        durations[where[tasks]] = transform(uniform, low[tasks], mode[tasks], high[tasks])
    return durations


def add_risk_delays(
    durations: Float32Array,
    rows: NDArray[np.int64],
    probability: FloatArray,
    delay: FloatArray,
    rng: np.random.Generator,
) -> None:
    """Add each risk event's delay to row ``rows[event]`` in the iterations where it happens.

    A negative row skips the event (a finished task). Every event draws its uniforms (even one with probability 0 or 1), so that adding or
    changing one event does not change which iterations the events before it hit.
    """
    iterations = durations.shape[1]
    for event in range(rows.size):
        hit = rng.random(iterations, dtype=np.float32) < probability[event]
        if delay[event] > 0 and rows[event] >= 0:
            durations[rows[event]] += hit * np.float32(delay[event])
