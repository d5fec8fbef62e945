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


# ---- promotion sales against the weeks before -----------------------------------------------

def _promotions(**scope):
    import pandas as pd

    row = {"promotion_id": "P1", "start_date": pd.Timestamp("2026-03-15"), "end_date": pd.Timestamp("2026-03-28"),
           "product_group": "TV", "sku": None, "dealer_id": None, "region": None}
    return pd.DataFrame([row | scope])


def _sales():
    import pandas as pd

    return pd.DataFrame({
        "date": pd.to_datetime(["2026-03-01", "2026-03-08", "2026-03-16", "2026-03-20", "2026-03-20", "2026-04-02"]),
        "amount": [700.0, 700.0, 900.0, 500.0, 300.0, 999.0],
        "product_group": ["TV", "TV", "TV", "TV", "TV", "TV"],
        "sku": ["A", "B", "A", "B", "A", "A"],
        "dealer_id": ["D1", "D2", "D1", "D2", "D2", "D1"],
        "region": ["north", "south", "north", "south", "south", "north"],
    })


def test_promotion_sales_count_only_the_promotion_days_and_scale_the_baseline_to_them():
    from dealerxl.calc.marketing import promotion_sales

    # Two weeks of promotion against the two weeks before (1,400): baseline 1,400 · 14 / 14.
    row = promotion_sales(_promotions(), _sales(), 2, "2026-10-31").iloc[0]
    assert row["promotion_days"] == 14 and row["promo_sales"] == 1700.0 and row["baseline_sales"] == 1400.0


def test_promotion_scope_narrows_to_its_sku_dealer_and_region():
    from dealerxl.calc.marketing import promotion_sales

    assert promotion_sales(_promotions(sku="A"), _sales(), 2, "2026-10-31").iloc[0]["promo_sales"] == 1200.0
    dealer = promotion_sales(_promotions(dealer_id="D2"), _sales(), 2, "2026-10-31").iloc[0]
    assert dealer["promo_sales"] == 800.0 and dealer["baseline_sales"] == 700.0
    assert promotion_sales(_promotions(region="north", product_group=None), _sales(), 2,
                           "2026-10-31").iloc[0]["promo_sales"] == 900.0


def test_a_running_promotion_is_measured_up_to_the_review_day():
    from dealerxl.calc.marketing import promotion_sales

    row = promotion_sales(_promotions(), _sales(), 2, "2026-03-18").iloc[0]
    # 15–18 March: 4 days, the baseline scaled to them.
    assert row["promotion_days"] == 4 and row["promo_sales"] == 900.0 and row["baseline_sales"] == 1400.0 * 4 / 14


def test_a_promotion_not_started_by_the_review_day_is_refused():
    from dealerxl.calc.marketing import promotion_sales

    with pytest.raises(CalcError, match="not started"):
        promotion_sales(_promotions(), _sales(), 2, "2026-03-01")


def test_lines_under_a_dealer_promotion_leave_the_baseline_but_its_days_stay():
    import pandas as pd

    from dealerxl.calc.marketing import promotion_sales

    dealer = _promotions(promotion_id="P0", dealer_id="D2", start_date=pd.Timestamp("2026-03-08"),
                         end_date=pd.Timestamp("2026-03-09"))
    both = pd.concat([_promotions(), dealer], ignore_index=True)
    row = promotion_sales(_promotions(), _sales(), 2, "2026-10-31", both).iloc[0]
    # D2's 700 on 8 March sold under its own promotion; only D1's 700 is the baseline, over all 14 days.
    assert row["baseline_sales"] == 700.0


def test_a_baseline_promoted_every_day_is_unknown():
    import pandas as pd

    from dealerxl.calc.marketing import promotion_sales

    before = _promotions(promotion_id="P0", start_date=pd.Timestamp("2026-02-01"), end_date=pd.Timestamp("2026-03-14"))
    row = promotion_sales(_promotions(), _sales(), 2, "2026-10-31", pd.concat([_promotions(), before])).iloc[0]
    assert pd.isna(row["baseline_sales"]) and row["promo_sales"] == 1700.0
