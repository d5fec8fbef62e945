"""The default early-warning thresholds: the small sample gets a plausible spread of classes,
and a hand-made dealer crossing each rule's threshold is flagged with the number that did it;
below the minimum volume a rate rule does not fire."""
from __future__ import annotations

import pandas as pd
import pytest

from dealerxl.forms import DEFAULT_ROWS
from dealerxl.jobs.risk import run_risk_review
from test_job_risk import MONTH, add_row, sample_variant

RULES = pd.DataFrame(DEFAULT_ROWS["warning_rules"]).set_index("warning_rule")


@pytest.fixture(scope="session")
def sample_result(sample_book):
    return run_risk_review(sample_book, MONTH)


def test_the_sample_is_mostly_green_with_some_amber_and_a_few_red(sample_result):
    classes = sample_result.tables["review"]["risk_class"].value_counts()
    dealers = classes.sum()
    assert classes["green"] > classes["amber"] > classes["red"] >= 1
    assert classes["green"] >= 0.4 * dealers and classes["red"] <= 0.25 * dealers


def test_every_red_dealer_has_a_decisive_red_rule_or_a_red_composite_score(sample_result):
    review = sample_result.tables["review"].set_index("dealer_id")
    triggered = sample_result.tables["triggered"]
    decisive = RULES.index[RULES["decisive"] == "yes"]
    red_on_money = set(triggered.loc[(triggered["level"] == "red") & triggered["rule"].isin(decisive), "dealer_id"])
    red = review.index[review["risk_class"] == "red"]
    assert all(d in red_on_money or review.loc[d, "risk_score"] >= 50 for d in red)


def test_rate_rules_need_a_minimum_volume(sample_result):
    review = sample_result.tables["review"]
    # Most sample dealers send too few invoices or complaints for a complaint rate to mean anything.
    assert review["complaint_rate"].isna().sum() > len(review) / 2
    assert review["sales_drop"].notna().sum() >= 5 and review["sales_drop"].isna().any()


# ---- hand-made dealers, one per rule --------------------------------------------------------

SALES_DROP, COMPLAINTS, NPS, STOCK, CREDIT, FEW, LATE = "DX0001", "DX0002", "DX0003", "DX0004", "DX0005", "DX0006", \
    "DX0007"


def _month_starts(first: str, last: str) -> list[pd.Timestamp]:
    return list(pd.date_range(first, last, freq="MS"))


@pytest.fixture(scope="session")
def crafted(tmp_path_factory, sample_data):
    return run_risk_review(crafted_book(tmp_path_factory.mktemp("thresholds") / "thresholds.xlsx", sample_data), MONTH)


def crafted_book(path, sample_data, settings=None):
    """The sample plus one hand-made dealer per rule, ``settings`` changed."""
    sku = sample_data["item_master"]["sku"].iloc[0]
    group = sample_data["item_master"]["product_group"].iloc[0]
    rep = sample_data["sales_transactions"]["sales_rep_id"].iloc[0]

    def dealers(frame):
        for dealer_id in (SALES_DROP, COMPLAINTS, NPS, STOCK, CREDIT, FEW, LATE):
            limit = 100_000.0 if dealer_id == CREDIT else 50_000_000.0
            frame = add_row(frame, **(frame.iloc[0].to_dict() | {"dealer_id": dealer_id, "credit_limit": limit,
                                                                 "termination_date": None}))
        return frame

    def sale(frame, dealer_id, day, amount, number):
        return add_row(frame, invoice_no=f"INV-{dealer_id}-{number:03d}", line_no=1, invoice_date=day,
                       transaction_type="sale", dealer_id=dealer_id, sku=sku, quantity=1.0, unit_price=amount,
                       discount_rate=0.0, amount=amount, sales_rep_id=rep)

    def sales(frame):
        # 100,000 a month for the baseline year (Aug 2025 – Jul 2026), then 40,000 a month: 60 % down.
        for number, day in enumerate(_month_starts("2025-08-01", "2026-10-01")):
            frame = sale(frame, SALES_DROP, day + pd.Timedelta(days=4), 100_000.0 if day < pd.Timestamp("2026-08-01")
                         else 40_000.0, number)
        # Two invoices a month over the six-month complaint window: 12 invoices.
        for number, day in enumerate(_month_starts("2026-05-01", "2026-10-01")):
            frame = sale(frame, COMPLAINTS, day + pd.Timedelta(days=2), 50_000.0, 2 * number)
            frame = sale(frame, COMPLAINTS, day + pd.Timedelta(days=15), 50_000.0, 2 * number + 1)
        return sale(sale(frame, FEW, pd.Timestamp("2026-09-03"), 30_000.0, 0), FEW, pd.Timestamp("2026-10-03"),
                    30_000.0, 1)

    def complaints(frame):
        for number, (dealer_id, day) in enumerate([(COMPLAINTS, "2026-06-10"), (COMPLAINTS, "2026-08-10"),
                                                   (COMPLAINTS, "2026-10-10"), (FEW, "2026-10-12"), (FEW, "2026-10-13"),
                                                   (FEW, "2026-10-14")]):
            frame = add_row(frame, complaint_id=f"CP-X{number}", dealer_id=dealer_id,
                            received_at=pd.Timestamp(f"{day} 10:00"), contact_channel="phone", severity="medium",
                            complaint_cause="delivery", description="到貨延遲", case_status="open")
        return frame

    def surveys(frame):
        for number in range(20):
            before = number < 10
            frame = add_row(frame, response_id=f"SV-X{number:02d}", dealer_id=NPS,
                            survey_date=pd.Timestamp("2026-06-15" if before else "2026-09-15"),
                            survey_type="periodic", csat_score=5 if before else 3, nps_score=10 if before else 5)
        return frame

    def stock(frame):
        for day in _month_starts("2026-08-01", "2026-10-01"):
            frame = add_row(frame, dealer_id=STOCK, month=day, product_group=group,
                            dealer_stock_qty=500.0 if day.month == 10 else 200.0, sell_out_qty=100.0)
        return frame

    def receivables(frame):
        frame = add_row(frame, invoice_no="INV-LATE-1", dealer_id=LATE, invoice_date=pd.Timestamp("2026-09-21"),
                        due_date=pd.Timestamp("2026-10-21"), amount=50_000.0, paid_amount=0.0, disputed="no")
        return add_row(frame, invoice_no="INV-CREDIT-1", dealer_id=CREDIT, invoice_date=pd.Timestamp("2026-10-20"),
                       due_date=pd.Timestamp("2026-12-20"), amount=150_000.0, paid_amount=0.0, disputed="no")

    return sample_variant(path, sample_data,
                          {"dealer_master": dealers, "sales_transactions": sales, "complaint_log": complaints,
                           "survey_responses": surveys, "dealer_stock": stock, "receivables": receivables},
                          settings=settings)


def trigger(result, dealer_id: str, rule: str) -> pd.Series:
    rows = result.tables["triggered"].query("dealer_id == @dealer_id and rule == @rule")
    assert len(rows) == 1, f"{rule} did not trigger for {dealer_id}"
    return rows.iloc[0]


def test_the_hand_made_dealers_were_read_without_problems(crafted):
    assert crafted.problems == []


@pytest.mark.parametrize("dealer_id, rule, value, level", [
    (SALES_DROP, "sales_drop", 0.6, "red"),           # 40,000 against a 100,000 run rate
    (COMPLAINTS, "complaint_rate", 25.0, "red"),      # 3 complaints on 12 invoices
    (NPS, "nps_drop", 200.0, "red"),                  # NPS 100 before, −100 now
    (STOCK, "stock_build_up", 5.0, "red"),            # 500 in stock, selling 100 a month
    (CREDIT, "credit_use", 1.5, "red"),               # 150,000 open against a 100,000 limit
])
def test_a_dealer_crossing_a_threshold_is_flagged_with_the_number_that_triggered_it(crafted, dealer_id, rule,
                                                                                   value, level):
    row = trigger(crafted, dealer_id, rule)
    assert row["level"] == level and row["value"] == pytest.approx(value)
    assert row["threshold"] == pytest.approx(RULES.loc[rule, f"{level}_threshold"])
    review = crafted.tables["review"].set_index("dealer_id").loc[dealer_id]
    assert review[rule] == pytest.approx(value) and review["triggered_rules"] != ""


def test_a_red_on_money_makes_the_dealer_red_and_a_red_leading_signal_alone_amber(crafted):
    classes = crafted.tables["review"].set_index("dealer_id")["risk_class"]
    assert classes[CREDIT] == "red"
    assert classes[[SALES_DROP, COMPLAINTS, NPS, STOCK]].eq("amber").all()


def test_a_dealer_below_the_minimum_volume_gets_no_complaint_rate(crafted):
    review = crafted.tables["review"].set_index("dealer_id").loc[FEW]
    # Three complaints on two invoices would be 150 per 100 invoices: noise, not a rate.
    assert pd.isna(review["complaint_rate"]) and pd.isna(review["sales_drop"])
    assert crafted.tables["triggered"].query("dealer_id == @FEW").empty


def test_an_invoice_a_few_days_late_is_overdue_but_within_the_grace_of_the_overdue_share_rule(crafted):
    review = crafted.tables["review"].set_index("dealer_id").loc[LATE]
    # Ten days past due at the month end, within the 15-day grace.
    assert review["overdue_amount"] == 50_000.0 and review["days_past_due"] == 10
    assert review["overdue_share"] == 0.0 and review["risk_class"] == "green"


def test_the_grace_and_the_minimum_volumes_come_from_the_settings(tmp_path, sample_data):
    book = crafted_book(tmp_path / "strict.xlsx", sample_data,
                        settings={"overdue_grace_days": 0, "risk_min_invoices": 1, "complaint_min_count": 1})
    result = run_risk_review(book, MONTH)
    late = trigger(result, LATE, "overdue_share")
    assert late["level"] == "red" and late["value"] == 1.0
    few = trigger(result, FEW, "complaint_rate")
    assert few["value"] == pytest.approx(150.0)  # three complaints on two invoices


def test_a_rules_table_from_before_the_decisive_column_reads_cleanly_and_every_rule_decides(tmp_path):
    from dealerxl.book import read_form
    from dealerxl.jobs.common import Inputs
    from dealerxl.jobs.risk import warning_rule_table
    from workbook_fixtures import labelled, write_workbook

    rows = [dict(r) for r in DEFAULT_ROWS["warning_rules"]]
    path = write_workbook(tmp_path / "old-rules.xlsx", {"warning_rules": labelled("warning_rules", rows, "en")}, "en",
                          drop_columns={"warning_rules": ["decisive"]})
    read = read_form(path, "warning_rules")
    assert read.problems == []
    rules = warning_rule_table(Inputs({"warning_rules": read.data}, {}, [], "en", "old"))
    assert rules["decisive"].all() and len(rules) == len(rows)
