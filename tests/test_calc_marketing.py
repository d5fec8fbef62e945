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


def _reference_promotion_sales(promotions, sales, weeks, as_of, every):
    """promotion_sales worked out the plain way, promotion by promotion and line by line."""
    import numpy as np
    import pandas as pd

    def covers(promo, line):
        return all(pd.isna(promo[c]) or promo[c] == line[c] for c in ("product_group", "sku", "dealer_id", "region"))

    def window(promo):
        start, end = pd.Timestamp(promo["start_date"]), min(pd.Timestamp(promo["end_date"]), pd.Timestamp(as_of))
        return start, end

    days = 7 * weeks
    running = [p for _, p in every.iterrows() if window(p)[1] >= window(p)[0]]
    promoted = [any(covers(p, line) and window(p)[0] <= line["date"] <= window(p)[1] for p in running)
                for _, line in sales.iterrows()]
    rows = []
    for _, promo in promotions.iterrows():
        start, end = window(promo)
        base_start = start - pd.Timedelta(days=days)
        promo_sales = sum(line["amount"] for _, line in sales.iterrows() if covers(promo, line)
                          and start <= line["date"] <= end)
        base = sum(line["amount"] for (_, line), hit in zip(sales.iterrows(), promoted) if covers(promo, line)
                   and base_start <= line["date"] < start and not hit)
        clean = sum(not any(p["promotion_id"] != promo["promotion_id"] and window(p)[0] <= day <= window(p)[1]
                            and all(pd.isna(p[c]) or p[c] == promo[c]
                                      for c in ("product_group", "sku", "dealer_id", "region")) for p in running)
                    for day in pd.date_range(base_start, periods=days))
        n = (end - start).days + 1
        rows.append((promo["promotion_id"], n, float(promo_sales), base * n / clean if clean else np.nan))
    return rows


def test_promotion_sales_agree_with_working_each_promotion_out_line_by_line():
    import numpy as np
    import pandas as pd
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from dealerxl.calc.marketing import promotion_sales

    scope = st.one_of(st.none(), st.sampled_from(["a", "b"]))
    promotion = st.tuples(st.integers(0, 60), st.integers(0, 20), scope, scope, scope, scope)
    line = st.tuples(st.integers(0, 90), st.integers(-5, 50), st.sampled_from(["a", "b"]), st.sampled_from(["a", "b"]),
                     st.sampled_from(["a", "b"]), st.one_of(st.none(), st.sampled_from(["a", "b"])))
    first = pd.Timestamp("2026-01-01")

    @settings(max_examples=40, deadline=None)
    @given(st.lists(promotion, min_size=1, max_size=5), st.lists(line, max_size=25), st.integers(1, 2))
    def check(promos, lines, weeks):
        every = pd.DataFrame([{"promotion_id": f"P{i}", "start_date": first + pd.Timedelta(days=s),
                               "end_date": first + pd.Timedelta(days=s + n), "product_group": g, "sku": k,
                               "dealer_id": d, "region": r} for i, (s, n, g, k, d, r) in enumerate(promos)])
        sales = pd.DataFrame([{"date": first + pd.Timedelta(days=day), "amount": float(amount), "product_group": g,
                               "sku": k, "dealer_id": d, "region": r} for day, amount, g, k, d, r in lines],
                             columns=["date", "amount", "product_group", "sku", "dealer_id", "region"])
        as_of = first + pd.Timedelta(days=80)
        chosen = every.loc[every["start_date"] <= as_of].reset_index(drop=True)
        if chosen.empty:
            return
        got = promotion_sales(chosen, sales, weeks, as_of, every)
        expected = _reference_promotion_sales(chosen, sales, weeks, as_of, every)
        assert got["promotion_id"].tolist() == [e[0] for e in expected]
        assert got["promotion_days"].tolist() == [e[1] for e in expected]
        assert got["promo_sales"].to_numpy() == pytest.approx([e[2] for e in expected])
        assert np.allclose(got["baseline_sales"].to_numpy(float), [e[3] for e in expected], equal_nan=True)

    check()
