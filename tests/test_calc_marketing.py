"""Marketing metrics: budget, uplift and ROI, funnel."""
from __future__ import annotations

import pytest

from dealerxl.calc import CalcError
from dealerxl.calc.marketing import funnel, promotion_uplift


def test_promotion_that_only_moves_volume_at_lower_margin_loses_its_cost():
    result = promotion_uplift([1500], [1000], [0.2], [0.3], [20])
    assert result.loc[0, "roi"] == -1.0


def test_profitable_promotion_has_positive_roi():
    result = promotion_uplift([2000], [1000], [0.25], [0.3], [100])
    assert result.loc[0, "incremental_margin"] == pytest.approx(200) and result.loc[0, "roi"] == pytest.approx(1.0)


def test_funnel_steps_must_narrow():
    with pytest.raises(CalcError, match="must not exceed"):
        funnel([10], [20], [1], [1], [5])


def test_negative_cost_is_refused():
    with pytest.raises(CalcError, match="cannot be negative"):
        promotion_uplift([1], [1], [0.1], [0.1], [-1])
