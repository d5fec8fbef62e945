"""The Replenishment job: proposal per SKU × location, missing parameters listed, the headless
report (a new workbook, the input untouched) and the ribbon button on a stand-in open book."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.cli import main
from dealerxl.excel.ribbon import load_buttons, on_button
from dealerxl.forms import FORMS, get_form
from dealerxl.i18n import tr
from dealerxl.jobs.replenish import run_replenishment
from workbook_fixtures import WritableStandInBook, labelled, settings_rows, write_workbook

AS_OF = "2026-10-31"
BLANKED_SKU = "SKU00002"
# The item master's lead-time column as a sheet column letter (tables start in column A).
LEAD_TIME_COLUMN = chr(ord("A") + [c.id for c in FORMS["item_master"].columns].index("lead_time_days"))


@pytest.fixture(scope="session")
def result(sample_book):
    return run_replenishment(sample_book, as_of=AS_OF)


def sample_variant(path, sample_data, changes):
    """The sample workbook with ``changes`` (form id → function of its frame) applied."""
    forms = {}
    for form_id in FORMS:
        if form_id == "settings":
            forms[form_id] = settings_rows("zh-Hant")
            continue
        frame = sample_data.get(form_id)
        if form_id in changes:
            frame = changes[form_id](frame.copy())
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, "zh-Hant")
    return write_workbook(path, forms, "zh-Hant")


@pytest.fixture(scope="session")
def blanked_book(tmp_path_factory, sample_data):
    """The sample workbook with one item's lead time left blank."""
    def blank_lead_time(items):
        items.loc[items["sku"] == BLANKED_SKU, "lead_time_days"] = np.nan
        return items

    return sample_variant(tmp_path_factory.mktemp("blanked") / "blanked.xlsx", sample_data,
                          {"item_master": blank_lead_time})


def test_without_scorecards_the_supplier_and_shipment_forms_are_not_read(sample_data, tmp_path):
    from dealerxl.jobs.replenish import SCORECARD_FORMS

    forms = {"settings": settings_rows("zh-Hant")}
    for form_id in FORMS:
        frame = sample_data.get(form_id)
        if form_id not in SCORECARD_FORMS and frame is not None:
            forms[form_id] = labelled(form_id, frame.astype(object).where(frame.notna(), None).to_dict("records"),
                                      "zh-Hant")
    book = write_workbook(tmp_path / "no-suppliers.xlsx", forms, "zh-Hant")
    lean = run_replenishment(book, as_of=AS_OF, scorecards=False)
    assert not [p for p in lean.problems if p.code == "missing_sheet"]
    assert set(lean.tables) == {"proposal", "missing"} and len(lean.tables["proposal"])
    full = run_replenishment(book, as_of=AS_OF)
    assert {p.form_id for p in full.problems if p.code == "missing_sheet"} >= {"suppliers", "shipments"}


def orders_of(result):
    proposal = result.tables["proposal"]
    return proposal[proposal["replenishment_reason"] != "missing_parameters"]


# ---- the proposal ---------------------------------------------------------------------------

def test_orders_are_proposed_only_where_available_is_at_or_below_the_reorder_point(result):
    orders = orders_of(result)
    ordering = orders["proposed_qty"] > 0
    assert ordering.any() and (~ordering).any()
    assert (orders.loc[ordering, "available"] <= orders.loc[ordering, "reorder_point"] + 1e-9).all()
    below = (orders["available"] <= orders["reorder_point"]) & (orders["order_up_to"] > orders["available"])
    stopped = orders["replenishment_reason"] == "not_replenished"
    assert ordering[below & ~stopped].all()


def test_available_is_on_hand_plus_on_order_minus_reserved(result):
    orders = orders_of(result)
    assert np.allclose(orders["available"], orders["on_hand"] + orders["on_order"] - orders["reserved"])


def test_quantities_respect_moq_and_pack_size(result, sample_data):
    items = sample_data["item_master"].set_index("sku")
    orders = orders_of(result)
    ordered = orders[orders["proposed_qty"] > 0]
    moq = items.loc[ordered["sku"], "moq"].fillna(0).to_numpy()
    pack = items.loc[ordered["sku"], "pack_size"].fillna(1).to_numpy()
    qty = ordered["proposed_qty"].to_numpy()
    assert (qty >= moq).all()
    assert np.allclose(qty / pack, np.round(qty / pack))


def test_arrival_supplier_and_value_come_from_the_item_master(result, sample_data):
    items = sample_data["item_master"].set_index("sku")
    ordered = orders_of(result).query("proposed_qty > 0")
    lead = items.loc[ordered["sku"], "lead_time_days"].to_numpy()
    expected = pd.Timestamp(AS_OF) + pd.to_timedelta(np.ceil(lead), unit="D")
    assert (ordered["expected_arrival"].to_numpy() == expected.to_numpy()).all()
    assert (ordered["supplier_id"].to_numpy() == items.loc[ordered["sku"], "supplier_id"].to_numpy()).all()
    unit_cost = items.loc[ordered["sku"], "unit_cost"].to_numpy()
    assert np.allclose(ordered["order_value"], ordered["proposed_qty"] * unit_cost)


def test_every_stock_position_is_listed_exactly_once(result, sample_data):
    keys = pd.concat([sample_data["stock_ledger"][["sku", "location"]],
                      sample_data["demand_history"][["sku", "location"]]]).drop_duplicates()
    proposal = result.tables["proposal"]
    assert not proposal.duplicated(["sku", "location"]).any()
    assert set(map(tuple, proposal[["sku", "location"]].to_numpy())) == set(map(tuple, keys.to_numpy()))
    assert result.summary["positions"] == len(proposal)


def test_an_item_override_wins_over_the_policy_service_level(sample_book, sample_data):
    from dealerxl.jobs.common import load_inputs
    from dealerxl.jobs.replenish import INPUT_FORMS, stock_positions

    positions = stock_positions(load_inputs(sample_book, list(INPUT_FORMS)), pd.Timestamp(AS_OF))
    overrides = sample_data["item_master"].dropna(subset=["service_level_override"]).set_index("sku")
    chosen = positions[positions["sku"].isin(overrides.index)]
    assert len(chosen) and np.allclose(chosen["service_level"],
                                       overrides.loc[chosen["sku"], "service_level_override"].to_numpy())
    policy = {("A", "X"): 0.98, ("B", "Y"): 0.95, ("C", "Z"): 0.80}
    for (abc, xyz), level in policy.items():
        box = positions[(positions["abc_class"] == abc) & (positions["xyz_class"] == xyz)
                        & ~positions["sku"].isin(overrides.index)]
        assert np.allclose(box["service_level"], level)


def test_each_item_carries_the_review_rule_of_its_policy_box(result, sample_data):
    from dealerxl.forms import DEFAULT_ROWS

    policy = pd.DataFrame(sample_data.get("abc_xyz_policy", pd.DataFrame()))
    policy = policy if len(policy) else pd.DataFrame(DEFAULT_ROWS["abc_xyz_policy"])
    rules = {(r.abc_class, r.xyz_class): r.review_rule for r in policy.itertuples()}
    classed = orders_of(result).dropna(subset=["abc_class", "xyz_class"])
    expected = [rules[(a, x)] for a, x in zip(classed["abc_class"], classed["xyz_class"])]
    assert len(classed) and classed["review_rule"].tolist() == expected


def test_periodic_policy_boxes_protect_over_their_review_period_plus_the_lead_time(result, sample_book):
    from dealerxl.calc.inventory import reorder_point
    from dealerxl.jobs.common import load_inputs
    from dealerxl.jobs.replenish import INPUT_FORMS, stock_positions

    positions = stock_positions(load_inputs(sample_book, list(INPUT_FORMS)), pd.Timestamp(AS_OF)).set_index(
        ["sku", "location"])
    orders = orders_of(result).set_index(["sku", "location"])
    orders = orders[~orders["demand_class"].isin(["intermittent", "lumpy"])]  # counted, not normal: see below
    periodic = orders[orders["review_rule"].isin(["periodic_order_up_to", "min_max"])]
    assert len(periodic), "the sample has no periodic box in use"
    p = positions.loc[periodic.index]
    assert (p["review_period_days"] > 0).all()
    expected = reorder_point(p["mean_demand"], p["sd_demand"], p["lead_time_days"] + p["review_period_days"],
                             p["service_level"], p["lead_time_sd_days"].fillna(0.0))
    assert np.allclose(periodic["reorder_point"], expected)
    up_to = periodic["review_rule"] == "periodic_order_up_to"
    assert up_to.any() and np.allclose(periodic.loc[up_to, "order_up_to"], periodic.loc[up_to, "reorder_point"])
    watched = orders[orders["review_rule"] == "continuous_eoq"]
    w = positions.loc[watched.index]
    assert len(watched) and np.allclose(watched["reorder_point"], reorder_point(
        w["mean_demand"], w["sd_demand"], w["lead_time_days"], w["service_level"], w["lead_time_sd_days"].fillna(0.0)))


def test_make_to_order_items_hold_no_safety_stock_and_order_only_for_reserved_demand(result):
    orders = orders_of(result)
    to_order = orders[orders["review_rule"] == "make_to_order"]
    assert len(to_order), "the sample has no make-to-order box in use"
    assert (to_order["safety_stock"] == 0).all() and (to_order["reorder_point"] == 0).all()
    ordering = to_order[to_order["proposed_qty"] > 0]
    assert (ordering["available"] < 0).all()
    assert (ordering["proposed_qty"] >= -ordering["available"] - 1e-9).all()
    assert (to_order.loc[to_order["available"] >= 0, "proposed_qty"] == 0).all()


def test_manual_review_proposals_are_flagged_and_left_out_of_the_orders_count(result):
    proposal = result.tables["proposal"]
    review = proposal["replenishment_reason"] == "manual_review"
    assert review.any(), "the sample has no manual-review proposal"
    assert (proposal.loc[review, "review_rule"] == "manual_review").all()
    assert (proposal.loc[review, "proposed_qty"] > 0).all()
    placed = (proposal["proposed_qty"].fillna(0) > 0) & ~review
    assert result.summary["orders"] == int(placed.sum()) and result.summary["for_review"] == int(review.sum())
    assert result.summary["review_value"] == pytest.approx(proposal.loc[review, "order_value"].sum())
    assert proposal.loc[review, "reason_text"].str.startswith("待人工審核").all()


# ---- missing parameters and bad rows --------------------------------------------------------

def test_a_blank_lead_time_is_reported_and_the_item_listed_with_what_is_missing(blanked_book):
    blanked = run_replenishment(blanked_book, as_of=AS_OF)
    sheet = tr(get_form("item_master").label_key("sheet"), "zh-Hant")
    assert any(p.sheet == sheet and p.column_id == "lead_time_days" for p in blanked.problems)
    missing = blanked.tables["missing"]
    rows = missing[missing["sku"] == BLANKED_SKU]
    assert len(rows) >= 1
    assert rows["missing_parameters"].str.contains(tr("col.lead_time_days", "zh-Hant"), regex=False).all()
    proposal = blanked.tables["proposal"].set_index(["sku", "location"])
    assert (proposal.loc[BLANKED_SKU, "replenishment_reason"] == "missing_parameters").all()
    assert proposal.loc[BLANKED_SKU, "proposed_qty"].isna().all()


def test_items_with_too_little_history_are_listed_not_dropped(result, sample_data):
    history = sample_data["demand_history"]
    months = pd.to_datetime(history["month"]).dt.to_period("M")
    first = months.groupby([history["sku"], history["location"]]).min()
    periods = (months.max() - first).map(lambda offset: offset.n) + 1
    short = set(periods[periods < 6].index)  # min_history_months
    missing = result.tables["missing"]
    assert short and set(map(tuple, missing[["sku", "location"]].to_numpy())) == short
    assert (missing["missing_parameters"] == tr("report.replenish.param.sd_demand", "zh-Hant")).all()
    assert len(missing) == result.summary["missing_parameters"]


def test_logistics_cost_per_region_adds_up_to_the_shipments_up_to_the_planning_date(result, sample_data):
    shipments = sample_data["shipments"]
    counted = shipments[(shipments["shipment_status"] != "cancelled")
                        & (pd.to_datetime(shipments["ship_date"]) <= pd.Timestamp(AS_OF))]
    regions = result.tables["regions"]
    assert regions["cost"].sum() == pytest.approx(counted["cost"].sum())
    assert regions["shipments"].sum() == len(counted) == result.tables["routes"]["shipments"].sum()
    assert np.allclose(regions["cost_per_unit"], regions["cost"] / regions["shipped_units"])


def test_the_supplier_scorecard_grades_every_supplier_with_deliveries(result, sample_data):
    suppliers = result.tables["suppliers"]
    delivered = set(sample_data["supplier_deliveries"]["supplier_id"])
    assert set(suppliers["supplier_id"]) == delivered
    assert suppliers["supplier_name"].notna().all()
    assert set(suppliers["supplier_grade"].dropna()) <= {"A", "B", "C", "D"}
    assert ((suppliers["score"] >= 0) & (suppliers["score"] <= 100)).all()


# ---- reasons in words -----------------------------------------------------------------------

def test_reasons_are_sentences_in_the_workbooks_language(result):
    row = orders_of(result).query("replenishment_reason == 'below_reorder_point'").iloc[0]
    assert "再訂購點" in row.reason_text and "建議訂購" in row.reason_text
    assert f"{row.proposed_qty:,.0f}" in row.reason_text


def test_reasons_follow_the_language_asked_for(sample_book):
    english = run_replenishment(sample_book, as_of=AS_OF, lang="en", scorecards=False)
    orders = orders_of(english)
    row = orders.query("replenishment_reason == 'no_order_needed'").iloc[0]
    available = f"{row.available:,.0f}" if abs(row.available - round(row.available)) < 0.05 else f"{row.available:,.1f}"
    assert row.reason_text.startswith(f"Available {available} is above the reorder point ")
    assert row.reason_text.endswith("; no order needed")
    missing = english.tables["proposal"].query("replenishment_reason == 'missing_parameters'")
    assert missing["reason_text"].str.startswith("Missing parameters: Demand variability").all()


# ---- the command line -----------------------------------------------------------------------

def test_headless_run_writes_a_new_localised_workbook_and_leaves_the_input_unchanged(sample_book, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = book.read_bytes()
    assert main(["replenish", str(book), "--as-of", AS_OF]) == 0
    report = tmp_path / "reports" / "補貨建議_2026-10-31.xlsx"
    assert report.exists() and book.read_bytes() == before
    assert str(report) in capsys.readouterr().out
    workbook = CalamineWorkbook.from_path(str(report))
    assert workbook.sheet_names == ["補貨建議", "缺少參數", "供應商評分", "物流成本（路線）", "物流成本（區域）"]
    rows = workbook.get_sheet_by_name("補貨建議").to_python()
    expected = [tr(c.label_key, "zh-Hant") for c in get_form("replenishment_proposal").columns] + ["原因說明"]
    assert rows[0] == expected
    reasons = {r[expected.index(tr("col.replenishment_reason", "zh-Hant"))] for r in rows[1:]}
    assert tr("enum.replenishment_reason.below_reorder_point", "zh-Hant") in reasons
    assert len(rows) - 1 == run_replenishment(book, as_of=AS_OF, scorecards=False).summary["positions"]


def test_out_and_json_report_what_was_written(sample_book, tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert main(["replenish", str(sample_book), "--as-of", AS_OF, "--out", str(out), "--json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outputs"] == [str(out)] and printed["problems"] == []
    assert printed["rows"]["proposal"] == printed["summary"]["positions"]
    assert CalamineWorkbook.from_path(str(out)).sheet_names[:2] == ["Replenishment proposal", "Missing parameters"]


def test_input_problems_are_printed_with_their_cells_and_exit_with_one(blanked_book, tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert main(["replenish", str(blanked_book), "--as-of", AS_OF, "--out", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    sheet = tr(get_form("item_master").label_key("sheet"), "zh-Hant")
    assert any(line.startswith(f"{sheet}!{LEAD_TIME_COLUMN}") for line in lines)
    assert out.exists()


def test_quiet_prints_nothing(sample_book, tmp_path, capsys):
    assert main(["replenish", str(sample_book), "--as-of", AS_OF, "--out", str(tmp_path / "q.xlsx"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_an_unreadable_workbook_exits_with_two_and_writes_nothing(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert main(["replenish", str(broken), "--out", str(tmp_path / "never.xlsx")]) == 2
    assert "broken.xlsx" in capsys.readouterr().err
    assert not (tmp_path / "never.xlsx").exists()


def test_a_planning_date_that_is_not_a_date_exits_with_two(sample_book, tmp_path, capsys):
    assert main(["replenish", str(sample_book), "--as-of", "31/31/2026", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()


def test_a_policy_table_without_a_box_in_use_exits_with_two_and_names_the_box(sample_data, tmp_path, capsys):
    from dealerxl.forms import DEFAULT_ROWS

    book = sample_variant(tmp_path / "policy.xlsx", sample_data,
                          {"abc_xyz_policy": lambda _: pd.DataFrame(DEFAULT_ROWS["abc_xyz_policy"][:1])})
    assert main(["replenish", str(book), "--as-of", AS_OF, "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("無法計算補貨建議：") and "AY" in err
    assert not (tmp_path / "x.xlsx").exists()


# ---- the ribbon button ----------------------------------------------------------------------

def proposal_table(book):
    name = get_form("replenishment_proposal").table_name
    return next(t for s in book.sheets for t in s.tables if t.name == name)


def test_replenish_button_is_on_the_inventory_group():
    button = load_buttons()["replenish"]
    assert (button.group, button.image_mso, button.order) == ("inventory", "ForecastInsert", 300)


def test_ribbon_writes_the_proposal_table_and_says_what_was_done(sample_book):
    book = WritableStandInBook(sample_book)
    text = on_button("replenish", book)
    (written,) = proposal_table(book).written
    assert list(written.columns) == [tr(c.label_key, "zh-Hant") for c in get_form("replenishment_proposal").columns]
    assert len(written) > 100
    cells = written.to_numpy().ravel()
    # Excel takes None as an empty cell; NaN or NaT would arrive as numbers or errors.
    assert not any(v is pd.NaT or (isinstance(v, float) and np.isnan(v)) for v in cells)
    assert any(v is None for v in cells)
    assert book.app.status_history[0].startswith("補貨建議") and book.app.status_history[-1] is False
    (alert,) = book.app.alerts
    assert alert["title"] == "經銷商管理" and alert["prompt"] == text
    assert f"{len(written)} 列寫入「補貨建議」" in text


def test_ribbon_without_the_table_writes_nothing_and_says_so(tmp_path):
    forms = {"settings": settings_rows("en")}
    path = write_workbook(tmp_path / "no-table.xlsx", forms, "en")
    book = WritableStandInBook(path)
    text = on_button("replenish", book)
    assert "tbl_replenishment_proposal" in text and "nothing was written" in text
    assert book.app.status_history[-1] is False



def test_ribbon_names_the_first_input_problem(blanked_book):
    book = WritableStandInBook(blanked_book)
    text = on_button("replenish", book)
    sheet = tr(get_form("item_master").label_key("sheet"), "zh-Hant")
    assert f"輸入資料有 1 個問題，相關列未納入計算；第一個：{sheet}!{LEAD_TIME_COLUMN}" in text
    written = proposal_table(book).written[0]
    blanked = written[written[tr("col.sku", "zh-Hant")] == BLANKED_SKU]
    assert (blanked[tr("col.replenishment_reason", "zh-Hant")]
            == tr("enum.replenishment_reason.missing_parameters", "zh-Hant")).all()


def test_slow_movers_are_classed_and_get_whole_unit_reorder_points_from_a_count_distribution(result, sample_book):
    from dealerxl.calc.intermittent import count_reorder_point
    from dealerxl.jobs.common import load_inputs
    from dealerxl.jobs.replenish import INPUT_FORMS, stock_positions

    orders = orders_of(result).set_index(["sku", "location"])
    assert orders["demand_class"].notna().all()
    counted = orders[orders["demand_class"].isin(["intermittent", "lumpy"])
                     & (orders["review_rule"] != "make_to_order")]
    assert len(counted), "the sample has no intermittent or lumpy item"
    positions = stock_positions(load_inputs(sample_book, list(INPUT_FORMS)), pd.Timestamp(AS_OF)).set_index(
        ["sku", "location"]).loc[counted.index]
    periods = (positions["lead_time_days"] + positions["review_period_days"].fillna(0.0)) / 30.4375
    expected = count_reorder_point(positions["mean_demand"], positions["sd_demand"] ** 2, periods,
                                   positions["service_level"], positions["lead_time_sd_days"].fillna(0.0) / 30.4375)
    assert np.allclose(counted["reorder_point"], expected["reorder_point"])
    assert np.allclose(counted["reorder_point"], counted["reorder_point"].round())
