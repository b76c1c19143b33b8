"""The figures of a feasibility assessment, in plain Python (no Django): return on investment,
payback period and the overall score.

- ROI = (expected benefit − cost) / cost, a ratio (0.5 = 50 %); None without a cost or benefit, or
  when the cost is 0 (nothing was invested, so there is no return to speak of).
- Payback (months) = cost / (benefit / benefit period in months), assuming the benefit accrues
  evenly over the period; None without a cost or benefit, or when the benefit is 0 (it never pays
  back). A payback longer than the period means the benefit does not cover the cost within it.
- The overall score is the mean of the dimension scores that were given (1–5), None when none was.

Example: cost 1,000,000, benefit 1,500,000 over 12 months → ROI 0.5, payback 8 months.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Amount = Decimal | int

RATIO_PLACES = Decimal("0.0001")
MONTH_PLACES = Decimal("0.1")
SCORE_PLACES = Decimal("0.1")


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def roi(*, cost: Amount | None, benefit: Amount | None) -> Decimal | None:
    """(benefit − cost) / cost, rounded to four places; None when undefined."""
    if cost is None or benefit is None or cost == 0:
        return None
    return _round((Decimal(benefit) - Decimal(cost)) / Decimal(cost), RATIO_PLACES)


def payback_months(
    *, cost: Amount | None, benefit: Amount | None, period_months: int | None
) -> Decimal | None:
    """Months until the evenly accruing benefit equals the cost, rounded to 0.1; None when undefined."""
    if cost is None or benefit is None or benefit == 0 or not period_months:
        return None
    monthly = Decimal(benefit) / Decimal(period_months)
    return _round(Decimal(cost) / monthly, MONTH_PLACES)


def overall_score(scores: Iterable[int | None]) -> Decimal | None:
    """The mean of the given scores, rounded to 0.1; None when no score was given."""
    given = [s for s in scores if s is not None]
    if not given:
        return None
    return _round(Decimal(sum(given)) / len(given), SCORE_PLACES)


@dataclass(frozen=True)
class Figures:
    roi: Decimal | None
    payback_months: Decimal | None
    overall_score: Decimal | None
    pays_back_in_period: bool | None  # None when there is no payback figure

    @property
    def roi_percent(self) -> Decimal | None:
        return None if self.roi is None else _round(self.roi * 100, Decimal("0.1"))


def figures(
    *,
    scores: Iterable[int | None],
    cost: Amount | None,
    benefit: Amount | None,
    period_months: int | None,
) -> Figures:
    """Every computed figure of an assessment at once."""
    payback = payback_months(cost=cost, benefit=benefit, period_months=period_months)
    return Figures(
        roi=roi(cost=cost, benefit=benefit),
        payback_months=payback,
        overall_score=overall_score(scores),
        pays_back_in_period=None if payback is None or not period_months else payback <= period_months,
    )
