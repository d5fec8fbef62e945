"""The Risk review job: receivables ageing, the ECL provision, the early-warning levels per
dealer, the headless report (a new workbook, the input untouched) and the ribbon button on a
stand-in open book."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.cli import main
from dealerxl.excel.actions.risk import last_complete_month, review_book
from dealerxl.excel.ribbon import load_buttons
from dealerxl.forms import FORMS, get_form
from dealerxl.i18n import tr
from dealerxl.jobs.risk import run_risk_review
from workbook_fixtures import WritableStandInBook, labelled, settings_rows, write_workbook

MONTH = "2026-10"
AS_OF = pd.Timestamp("2026-10-31")
CRAFTED = "D99999"


@pytest.fixture(scope="session")
def result(sample_book):
    return run_risk_review(sample_book, MONTH)


def sample_variant(path, sample_data, changes, settings=None):
    """The sample workbook with ``changes`` (form id → function of its frame) applied and
    ``settings`` (setting id → value) changed."""
    forms = {}
    for form_id in FORMS:
        if form_id == "settings":
            rows = settings_rows("zh-Hant")
            for row in rows:
                row["setting_value"] = (settings or {}).get(row["setting_id"], row["setting_value"])
            forms[form_id] = rows
            continue
        frame = sample_data.get(form_id)
        if form_id in changes:
            frame = changes[form_id](frame.copy())
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, "zh-Hant")
    return write_workbook(path, forms, "zh-Hant")


def add_row(frame, **values):
    return pd.concat([frame, pd.DataFrame([values])], ignore_index=True)


@pytest.fixture(scope="session")
def crafted_book(tmp_path_factory, sample_data):
    """The sample plus a dealer whose only invoice is long overdue, an invoice of a dealer that
    does not exist and an invoice with a negative amount."""
    def dealers(frame):
        row = frame.iloc[0].to_dict() | {"dealer_id": CRAFTED, "dealer_name": "逾期測試有限公司", "credit_limit": 5_000_000.0,
                                         "termination_date": None}
        return add_row(frame, **row)

    def invoices(frame):
        frame = add_row(frame, invoice_no="INV-CRAFTED-1", dealer_id=CRAFTED, invoice_date=pd.Timestamp("2026-06-01"),
                        due_date=pd.Timestamp("2026-07-01"), amount=800_000.0, paid_amount=0.0, disputed="no")
        frame = add_row(frame, invoice_no="INV-GHOST-1", dealer_id="D00999", invoice_date=pd.Timestamp("2026-09-01"),
                        due_date=pd.Timestamp("2026-10-01"), amount=1_000.0, paid_amount=0.0, disputed="no")
        return add_row(frame, invoice_no="INV-NEGATIVE-1", dealer_id="D00001", invoice_date=pd.Timestamp("2026-09-01"),
                       due_date=pd.Timestamp("2026-10-01"), amount=-5_000.0, paid_amount=0.0, disputed="no")

    return sample_variant(tmp_path_factory.mktemp("crafted") / "crafted.xlsx", sample_data,
                          {"dealer_master": dealers, "receivables": invoices})


def expected_open_amounts(sample_data) -> pd.DataFrame:
    """Open amount per invoice at the month end worked out from the sample data directly."""
    invoices = sample_data["receivables"]
    invoices = invoices[invoices["invoice_date"] <= AS_OF].copy()
    paid = invoices["paid_amount"].fillna(0.0).where(invoices["paid_date"].isna() | (invoices["paid_date"] <= AS_OF), 0.0)
    offs = sample_data["write_offs"]
    written = offs[offs["write_off_date"] <= AS_OF].groupby("invoice_no")["write_off_amount"].sum()
    invoices["open"] = (invoices["amount"] - paid - invoices["invoice_no"].map(written).fillna(0.0)).clip(lower=0.0)
    return invoices


# ---- receivables and the provision ----------------------------------------------------------

def test_ageing_per_dealer_adds_up_to_the_total_open_receivables(result, sample_data):
    ageing = result.tables["ageing"]
    dealers, total = ageing[ageing["dealer_id"] != "total"], ageing[ageing["dealer_id"] == "total"].iloc[0]
    buckets = ["current", "d1_30", "d31_60", "d61_90", "d91_180", "d180_plus"]
    assert np.allclose(dealers[buckets].sum(axis=1), dealers["total"])
    assert dealers["total"].sum() == pytest.approx(total["total"])
    assert total["total"] == pytest.approx(result.summary["open_receivables"])
    assert total["total"] == pytest.approx(expected_open_amounts(sample_data)["open"].sum())
    assert result.tables["review"]["open_receivables"].sum() == pytest.approx(total["total"])
    assert total["total"] > 0 and total["d1_30"] + total["d31_60"] > 0


def test_overdue_amount_is_the_open_amount_past_its_due_date(result, sample_data):
    open_items = expected_open_amounts(sample_data)
    overdue = open_items[(open_items["due_date"] < AS_OF) & (open_items["open"] > 0)]
    per_dealer = overdue.groupby("dealer_id")["open"].sum()
    review = result.tables["review"].set_index("dealer_id")
    assert np.allclose(review["overdue_amount"], per_dealer.reindex(review.index).fillna(0.0))


def test_credit_use_is_open_orders_plus_open_receivables_over_the_limit(result, sample_data):
    review = result.tables["review"].set_index("dealer_id")
    limits = sample_data["dealer_master"].set_index("dealer_id")["credit_limit"].reindex(review.index)
    assert np.allclose(review["exposure"], review["open_orders"] + review["open_receivables"])
    assert np.allclose(review["credit_use"], review["exposure"] / limits)


def test_ecl_is_the_bucket_balances_times_loss_rates_times_the_factor(result):
    provision = result.tables["provision"]
    buckets = provision[provision["ageing_bucket"] != "total"]
    chain = result.tables["roll_rates"].set_index("ageing_bucket")["lifetime_loss_rate"]
    assert result.summary["loss_rate_source"] == "roll_rates"
    assert np.allclose(buckets["roll_rate_loss_rate"],
                       np.minimum(chain.reindex(buckets["ageing_bucket"]).to_numpy()
                                  * result.summary["forward_looking_factor"], 1.0))
    assert np.allclose(buckets["roll_rate_ecl"], buckets["balance"] * buckets["roll_rate_loss_rate"])
    assert result.summary["ecl"] == pytest.approx((buckets["balance"] * buckets["roll_rate_loss_rate"]).sum())
    assert provision.iloc[-1]["roll_rate_ecl"] == pytest.approx(result.summary["ecl"])
    ageing = result.tables["ageing"]
    assert ageing.loc[ageing["dealer_id"] == "total", "ecl"].iloc[0] == pytest.approx(result.summary["ecl"])


def test_without_roll_rates_the_provision_matrix_settings_are_scaled_by_the_factor(tmp_path, sample_data):
    book = sample_variant(tmp_path / "factor.xlsx", sample_data, {},
                          settings={"use_roll_rates": 0, "ecl_forward_looking_factor": 1.5})
    result = run_risk_review(book, MONTH)
    provision = result.tables["provision"].iloc[:-1]
    matrix = sample_data["provision_matrix"].set_index("ageing_bucket")["loss_rate"]
    # Scaled rates are capped at 100 % (the 70 % of the oldest bucket would become 105 %).
    scaled = np.minimum(matrix.reindex(provision["ageing_bucket"]).to_numpy() * 1.5, 1.0)
    assert result.summary["loss_rate_source"] == "settings" and scaled[-1] == 1.0
    assert np.allclose(provision["matrix_loss_rate"], scaled)
    assert provision.iloc[-1]["capped"] == "yes"
    assert result.summary["ecl"] == pytest.approx((provision["balance"] * scaled).sum())


def test_bad_debts_net_loss_is_written_off_less_recovered(result, sample_data):
    debts = result.tables["bad_debts"]
    total = debts[debts["dealer_id"] == "total"].iloc[0]
    offs = sample_data["write_offs"]
    assert total["written_off"] == pytest.approx(offs.loc[offs["write_off_date"] <= AS_OF, "write_off_amount"].sum())
    assert np.allclose(debts["net_loss"], debts["written_off"] - debts["recovered"])


def test_warnings_listed_for_follow_up_are_unanswered_or_have_overdue_actions(result):
    follow = result.tables["unanswered"]
    assert len(follow) > 0
    assert (follow["unanswered"] | (follow["overdue_actions"] > 0)).all()
    assert not follow["warning_status"].isin(["closed", "false_alarm"]).any()
    assert (follow.loc[follow["unanswered"], "days_open"] > 7).all()


# ---- early warning --------------------------------------------------------------------------

def test_every_dealer_gets_a_score_a_class_and_its_triggered_rules(result):
    review = result.tables["review"]
    assert review["dealer_id"].is_unique and review["risk_class"].isin(["red", "amber", "green"]).all()
    triggered = result.tables["triggered"]
    counts = triggered.groupby(["dealer_id", "level"]).size().unstack(fill_value=0)
    counts = counts.reindex(review["dealer_id"]).fillna(0)
    assert (counts.get("red", 0).to_numpy() == review["red_rules"].to_numpy()).all()
    decisive = {"overdue_share", "days_past_due", "credit_use"}
    red_on_money = triggered.query("level == 'red'").loc[lambda t: t["rule"].isin(decisive), "dealer_id"]
    assert (review.loc[review["dealer_id"].isin(red_on_money), "risk_class"] == "red").all()
    assert (review.loc[review["red_rules"] + review["amber_rules"] > 0, "risk_class"] != "green").all()
    assert (review.loc[review["red_rules"] + review["amber_rules"] == 0, "triggered_rules"] == "").all()


def test_a_dealer_with_a_large_overdue_share_is_red_with_the_rule_and_its_numbers(crafted_book):
    result = run_risk_review(crafted_book, MONTH)
    row = result.tables["review"].set_index("dealer_id").loc[CRAFTED]
    assert row["risk_class"] == "red" and row["overdue_share"] == pytest.approx(1.0)
    assert row["days_past_due"] == (AS_OF - pd.Timestamp("2026-07-01")).days
    rules = result.tables["triggered"].query("dealer_id == @CRAFTED").set_index("rule")
    assert rules.loc["overdue_share", "level"] == "red"
    assert rules.loc["overdue_share", "value"] == pytest.approx(1.0)
    assert rules.loc["overdue_share", "threshold"] == pytest.approx(0.25)
    assert rules.loc["days_past_due", "threshold"] == pytest.approx(90.0)
    assert "逾期占比 1.00 ≥ 0.25" in row["triggered_rules"]


def test_unknown_dealers_and_bad_rows_are_reported_with_sheet_and_cell_and_left_out(crafted_book, result, sample_data):
    crafted = run_risk_review(crafted_book, MONTH)
    sheet = tr(get_form("receivables").label_key("sheet"), "zh-Hant")
    # Header on row 4, the sample's invoices below it, then the crafted, the unknown and the negative one.
    ghost_row = 4 + len(sample_data["receivables"]) + 2
    addresses = sorted(p.address for p in crafted.problems)
    assert addresses == [f"{sheet}!B{ghost_row}", f"{sheet}!E{ghost_row + 1}", f"{sheet}!F{ghost_row + 1}"]
    ghost = next(p for p in crafted.problems if p.cell.startswith("B"))
    assert "D00999" in ghost.message("zh-Hant") and ghost.message("zh-Hant").startswith(f"{sheet}!B")
    assert "D00999" not in set(crafted.tables["ageing"]["dealer_id"])
    # The negative invoice is left out: the dealer's receivables are those of the plain sample.
    before = result.tables["review"].set_index("dealer_id").loc["D00001", "open_receivables"]
    assert crafted.tables["review"].set_index("dealer_id").loc["D00001", "open_receivables"] == pytest.approx(before)


# ---- the command line -----------------------------------------------------------------------

def test_headless_run_writes_a_new_localised_workbook_and_leaves_the_input_unchanged(sample_book, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = book.read_bytes()
    assert main(["risk", str(book), "--month", MONTH]) == 0
    report = tmp_path / "reports" / "風險檢視_2026-10.xlsx"
    assert report.exists() and book.read_bytes() == before
    assert str(report) in capsys.readouterr().out
    workbook = CalamineWorkbook.from_path(str(report))
    assert workbook.sheet_names == ["經銷商風險評估", "觸發的預警規則", "應收帳齡（經銷商）", "減損準備（兩種方法）",
                                    "帳齡轉移率", "呆帳", "待回應預警", "未列入的資料列"]
    rows = workbook.get_sheet_by_name("經銷商風險評估").to_python()
    assert rows[0] == [tr(c.label_key, "zh-Hant") for c in get_form("dealer_risk_review").columns]
    assert {r[rows[0].index("風險等級")] for r in rows[1:]} <= {"紅", "黃", "綠"}
    ageing = workbook.get_sheet_by_name("應收帳齡（經銷商）").to_python()
    assert ageing[0][:3] == ["經銷商編號", "經銷商名稱", "未到期"] and ageing[-1][0] == "合計"


def test_english_report_has_english_headers_and_json_says_what_was_written(sample_book, tmp_path, capsys):
    out = tmp_path / "risk.xlsx"
    assert main(["risk", str(sample_book), "--month", MONTH, "--out", str(out), "--json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outputs"] == [str(out)] and printed["problems"] == []
    assert printed["rows"]["review"] == printed["summary"]["dealers"]
    workbook = CalamineWorkbook.from_path(str(out))
    assert workbook.sheet_names[:3] == ["Dealer risk review", "Triggered rules", "Ageing by dealer"]
    triggered = workbook.get_sheet_by_name("Triggered rules").to_python()
    assert triggered[0] == ["Dealer ID", "Rule", "Level", "Value", "Threshold"]
    assert {r[2] for r in triggered[1:]} <= {"Red", "Amber"}


def test_input_problems_are_printed_with_their_cells_and_exit_with_one(crafted_book, tmp_path, capsys):
    out = tmp_path / "risk.xlsx"
    assert main(["risk", str(crafted_book), "--month", MONTH, "--out", str(out)]) == 1
    sheet = tr(get_form("receivables").label_key("sheet"), "zh-Hant")
    assert any(line.startswith(f"{sheet}!B") for line in capsys.readouterr().out.splitlines())
    assert out.exists()


def test_quiet_prints_nothing(sample_book, tmp_path, capsys):
    assert main(["risk", str(sample_book), "--month", MONTH, "--out", str(tmp_path / "q.xlsx"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_an_unreadable_workbook_exits_with_two_and_writes_nothing(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert main(["risk", str(broken), "--month", MONTH, "--out", str(tmp_path / "never.xlsx")]) == 2
    assert "broken.xlsx" in capsys.readouterr().err
    assert not (tmp_path / "never.xlsx").exists()


def test_a_month_that_is_not_a_month_exits_with_two(sample_book, tmp_path, capsys):
    assert main(["risk", str(sample_book), "--month", "2026-13", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "YYYY-MM" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()


# ---- the ribbon button ----------------------------------------------------------------------

def review_table(book):
    name = get_form("dealer_risk_review").table_name
    return next(t for s in book.sheets for t in s.tables if t.name == name)


def test_risk_button_is_on_the_risk_group():
    button = load_buttons()["risk"]
    assert (button.group, button.image_mso, button.order) == ("risk", "ConditionalFormattingIconSetsGallery", 400)
    assert tr("ribbon.risk", "en") == "Risk review" and tr("ribbon_group.risk", "zh-Hant") == "風險"


def test_the_ribbon_reviews_the_month_before_today():
    import datetime as dt

    assert last_complete_month(dt.date(2026, 11, 26)) == "2026-10"
    assert last_complete_month(dt.date(2027, 1, 1)) == "2026-12"


def test_ribbon_writes_the_review_table_and_says_what_was_done(sample_book, result):
    book = WritableStandInBook(sample_book)
    text = review_book(book, MONTH)
    (written,) = review_table(book).written
    assert list(written.columns) == [tr(c.label_key, "zh-Hant") for c in get_form("dealer_risk_review").columns]
    assert len(written) == result.summary["dealers"]
    cells = written.to_numpy().ravel()
    assert not any(v is pd.NaT or (isinstance(v, float) and np.isnan(v)) for v in cells)
    assert set(written["風險等級"]) <= {"紅", "黃", "綠"}
    assert book.app.status_history[0].startswith("風險評估") and book.app.status_history[-1] is False
    (alert,) = book.app.alerts
    assert alert["title"] == "經銷商管理" and alert["prompt"] == text
    assert f"{len(written)} 列寫入「經銷商風險評估」" in text and f"紅燈 {result.summary['red']} 家" in text


def test_ribbon_without_the_table_writes_nothing_and_says_so(tmp_path):
    import datetime as dt

    invoice = {"invoice_no": "I1", "dealer_id": "D1", "invoice_date": dt.date(2026, 10, 5),
               "due_date": dt.date(2026, 11, 4), "amount": 1000}  # the month has data: only the table is missing
    path = write_workbook(tmp_path / "no-table.xlsx", {"settings": settings_rows("en"),
                                                      "receivables": labelled("receivables", [invoice], "en")}, "en")
    book = WritableStandInBook(path)
    text = review_book(book, MONTH)
    assert "tbl_dealer_risk_review" in text and "nothing was written" in text
    assert book.app.status_history[-1] is False


def test_ribbon_names_the_first_input_problem(crafted_book):
    book = WritableStandInBook(crafted_book)
    text = review_book(book, MONTH)
    sheet = tr(get_form("receivables").label_key("sheet"), "zh-Hant")
    assert f"輸入資料有 3 個問題，相關列未納入計算；第一個：{sheet}!E" in text
    written = review_table(book).written[0]
    assert CRAFTED in set(written[tr("col.dealer_id", "zh-Hant")])
