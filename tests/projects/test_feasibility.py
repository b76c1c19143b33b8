"""The figures of a feasibility assessment: ROI, payback and the overall score, hand-computed."""

from __future__ import annotations

from decimal import Decimal

from clientpm.projects.feasibility import figures, overall_score, payback_months, roi


def test_roi_and_payback_of_a_profitable_project():
    # cost 1,000,000; benefit 1,500,000 over 12 months → ROI (1.5M − 1M) / 1M = 0.5;
    # monthly benefit 125,000 → payback 1,000,000 / 125,000 = 8 months
    cost, benefit = Decimal("1000000.00"), Decimal("1500000.00")
    assert roi(cost=cost, benefit=benefit) == Decimal("0.5")
    assert payback_months(cost=cost, benefit=benefit, period_months=12) == Decimal("8.0")


def test_roi_and_payback_of_a_loss_making_project():
    # cost 300,000; benefit 240,000 over 24 months → ROI −60,000 / 300,000 = −0.2;
    # monthly 10,000 → payback 30 months, longer than the 24-month period
    result = figures(scores=[], cost=Decimal("300000"), benefit=Decimal("240000"), period_months=24)
    assert (result.roi, result.roi_percent) == (Decimal("-0.2"), Decimal("-20.0"))
    assert result.payback_months == Decimal("30.0")
    assert result.pays_back_in_period is False


def test_rounding():
    # cost 700, benefit 900 over 12 months: ROI 200/700 = 0.285714… → 0.2857;
    # payback 700 / 75 = 9.333… → 9.3
    assert roi(cost=Decimal("700"), benefit=Decimal("900")) == Decimal("0.2857")
    assert payback_months(cost=Decimal("700"), benefit=Decimal("900"), period_months=12) == Decimal("9.3")


def test_zero_cost_or_zero_benefit_have_no_figure_instead_of_failing():
    assert roi(cost=Decimal("0"), benefit=Decimal("1000")) is None
    assert payback_months(cost=Decimal("0"), benefit=Decimal("1000"), period_months=12) == Decimal("0.0")
    assert roi(cost=Decimal("1000"), benefit=Decimal("0")) == Decimal("-1")
    assert payback_months(cost=Decimal("1000"), benefit=Decimal("0"), period_months=12) is None
    assert roi(cost=None, benefit=Decimal("1000")) is None
    assert payback_months(cost=Decimal("1000"), benefit=None, period_months=12) is None
    nothing = figures(scores=[None, None], cost=None, benefit=None, period_months=12)
    assert (nothing.roi, nothing.roi_percent, nothing.payback_months, nothing.pays_back_in_period) == (
        None,
        None,
        None,
        None,
    )


def test_overall_score_is_the_mean_of_the_given_scores():
    assert overall_score([4, 3, 5, 2]) == Decimal("3.5")
    assert overall_score([4, None, 5, None]) == Decimal("4.5")
    assert overall_score([4, 4, 5]) == Decimal("4.3")  # 13 / 3 = 4.333…
    assert overall_score([None, None, None, None]) is None


def test_payback_within_the_period():
    result = figures(scores=[3], cost=Decimal("120"), benefit=Decimal("120"), period_months=12)
    assert (result.payback_months, result.pays_back_in_period, result.roi) == (
        Decimal("12.0"),
        True,
        Decimal("0"),
    )
