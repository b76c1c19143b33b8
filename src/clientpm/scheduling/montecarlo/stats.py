"""Rank correlation in NumPy: Spearman's ρ of many rows against one vector, ties sharing ranks.

Spearman's ρ is Pearson's correlation of the ranks. Tied values get the mean of the ranks they
span (so a task delayed only by a risk event — two distinct values — is ranked fairly), and a
constant row or vector has no correlation (0), not a division by zero.

Each row is sorted once (``argsort``); its correlation is first computed with plain positions as
ranks — one gather and one dot product — and then corrected for the runs of tied values only,
which are few in a continuous sample and cheap to handle in bulk when there are many.

>>> rows = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], [5.0, 5.0, 5.0, 5.0], [1.0, 1.0, 2.0, 2.0]])
>>> spearman(rows, np.array([10.0, 20.0, 30.0, 40.0])).round(4).tolist()
[1.0, -1.0, 0.0, 0.8944]
>>> average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist()
[3.5, 1.0, 3.5, 2.0]
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["average_ranks", "spearman"]

_BLOCK_CELLS: Final = 1 << 19  # values ranked at once (bounds the temporary memory)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _tie_runs(ordered: NDArray[np.floating]) -> tuple[IntArray, IntArray, FloatArray]:
    """Every member of a run of equal values in sorted rows: its row, position and the run's mean position."""
    row, link = np.nonzero(ordered[:, 1:] == ordered[:, :-1])  # position ``link`` equals ``link + 1``
    if row.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    new = np.r_[True, (row[1:] != row[:-1]) | (link[1:] != link[:-1] + 1)]
    run = np.cumsum(new) - 1
    first = link[new].astype(np.int64)
    length = np.bincount(run) + 1
    member_run = np.repeat(np.arange(length.size), length)
    offset = np.arange(member_run.size) - np.repeat(np.cumsum(length) - length, length)
    position = first[member_run] + offset
    mean = first + (length - 1) / 2
    return row[new][member_run].astype(np.int64), position, mean[member_run]


def average_ranks(values: NDArray[np.floating]) -> FloatArray:
    """The 1-based ranks of a vector, ties sharing their mean rank."""
    order = np.argsort(values)
    sorted_ranks = np.arange(1, values.size + 1, dtype=np.float64)
    _, position, mean = _tie_runs(values[order][None, :])
    sorted_ranks[position] = mean + 1
    ranks = np.empty(values.size)
    ranks[order] = sorted_ranks
    return ranks


def spearman(
    matrix: NDArray[np.floating], target: NDArray[np.floating], *, rows: IntArray | None = None
) -> FloatArray:
    """Spearman's rank correlation of each row of ``matrix`` (or of the ``rows`` picked) with ``target``.

    A constant row, or a constant target, has a correlation of 0.
    """
    picked = np.arange(matrix.shape[0]) if rows is None else rows
    count, size = picked.size, matrix.shape[1]
    result = np.zeros(count)
    if size < 2:
        return result
    centre = (size - 1) / 2  # the mean of the 0-based positions
    target_ranks = average_ranks(target) - 1 - centre
    target_spread = float(np.einsum("i,i->", target_ranks, target_ranks))
    if target_spread == 0:
        return result
    plain = np.arange(size) - centre
    plain_spread = float(np.einsum("i,i->", plain, plain))
    step = max(1, _BLOCK_CELLS // size)
    for first in range(0, count, step):
        block = matrix[picked[first : first + step]]
        order = np.argsort(block, axis=1)
        ordered = np.take_along_axis(block, order, axis=1)
        paired = target_ranks[order]  # the target's ranks in the order of the row's values
        together = np.einsum("ij,j->i", paired, plain)  # not BLAS: its threads cost more than they save
        spread = np.full(block.shape[0], plain_spread)
        row, position, mean = _tie_runs(ordered)
        if row.size:  # tied values take the mean of their positions
            shift = mean - position
            together += np.bincount(row, weights=shift * paired[row, position], minlength=block.shape[0])
            spread += np.bincount(
                row, weights=(mean - centre) ** 2 - (position - centre) ** 2, minlength=block.shape[0]
            )
        varied = ordered[:, 0] != ordered[:, -1]
        result[first : first + step][varied] = together[varied] / np.sqrt(spread[varied] * target_spread)
    return result
