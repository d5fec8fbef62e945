"""Forms, dropdown lists and settings of chapters 5 (inventory, supply chain) and 8 (risk,
receivables, bad debt) are complete, consistent with the calculations that read them, and
labelled in the three languages."""
from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from dealerxl.calc import receivables, risk
from dealerxl.forms import DEFAULT_ROWS, ENUMS, FORMS, SETTINGS, DateOrder, NotAbove, chapter05, chapter08
from dealerxl.i18n import has, tr

MODULES = (chapter05, chapter08)
OUR_FORMS = [form for form in FORMS.values() if form.chapter in (5, 8)]
OUR_ENUM_IDS = {e.id for module in MODULES for e in module.ENUMS}
OUR_SETTINGS = [s for module in MODULES for s in module.SETTINGS]
# Columns whose meaning and label belong to the sales chapter's invoices; reused here so
# receivables join the invoices they come from.
SALES_COLUMNS = {"invoice_no", "invoice_date"}
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
NUMERIC = {"int", "number", "money", "percent"}


def label_keys():
    for form in OUR_FORMS:
        for part in ("sheet", "title", "purpose", "instruction"):
            yield form.label_key(part)
        for column in form.columns:
            if column.id not in SALES_COLUMNS:
                yield column.label_key
            if column.unit:
                yield f"unit.{column.unit}"
            if column.enum:
                yield from (f"enum.{column.enum}.{code}" for code in ENUMS[column.enum].codes)
    for enum_id in OUR_ENUM_IDS:
        yield from (f"enum.{enum_id}.{code}" for code in ENUMS[enum_id].codes)
    for setting in OUR_SETTINGS:
        yield from (f"setting.{setting.id}", f"setting.{setting.id}.help", f"setting_group.{setting.group}")
        if setting.unit:
            yield f"unit.{setting.unit}"


def own_table_keys() -> list[str]:
    text = resources.files("dealerxl.i18n").joinpath("ch05_08.tsv").read_text(encoding="utf-8")
    return [line.split("\t")[0] for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("form_id", [
    "item_master", "warehouses", "stock_ledger", "demand_history", "dealer_stock", "suppliers",
    "supplier_deliveries", "shipments", "replenishment_proposal", "abc_thresholds", "xyz_thresholds",
    "abc_xyz_policy", "supplier_score_weights", "supplier_grade_bands",
    "dealer_risk_review", "warning_log", "response_actions", "receivables", "open_orders", "write_offs",
    "ageing_history", "ageing_buckets", "provision_matrix", "warning_rules"])
def test_manual_form_is_declared_with_a_key(form_id):
    assert FORMS[form_id].chapter in (5, 8)
    assert FORMS[form_id].key_columns


def test_every_label_exists_in_three_languages():
    missing = sorted({key for key in label_keys() if not has(key)})
    assert missing == []


def test_the_own_label_file_holds_only_labels_these_chapters_use():
    used = set(label_keys())
    unused = [key for key in own_table_keys() if key not in used]
    assert unused == []


def test_invoice_columns_are_labelled_by_the_sales_chapter():
    if "sales_transactions" not in FORMS:
        pytest.skip("the sales chapter's transactions form is not declared in this tree")
    sales = {c.id for c in FORMS["sales_transactions"].columns}
    assert SALES_COLUMNS <= sales
    assert all(has(f"col.{column}") for column in SALES_COLUMNS)










def test_simplified_labels_differ_from_traditional_where_characters_differ():
    # Traditional forms of characters these labels use often; Simplified text never holds them.
    traditional_only = set("庫帳應貨訂風險預單價數據門檻類質變與無為時間項額銷壞齡歷週準係費運達實際購廠倉區")
    for key in own_table_keys():
        assert not traditional_only & set(tr(key, "zh-Hans")), key


def test_rules_compare_columns_of_matching_types():
    for form in OUR_FORMS:
        for rule in form.rules:
            if isinstance(rule, DateOrder):
                types = {form.column(rule.earlier).type, form.column(rule.later).type}
                assert types <= {"date", "datetime"}, (form.id, rule)
            else:
                types = {form.column(rule.part).type, form.column(rule.whole).type}
                assert types <= NUMERIC, (form.id, rule)


def test_formulas_name_only_input_columns_of_their_form():
    for form in OUR_FORMS:
        for column in form.columns:
            if column.formula:
                names = set(re.findall(r"\{(\w+)\}", column.formula))
                inputs = {c.id for c in form.columns if c.is_input}
                assert names and names <= inputs, (form.id, column.id)


def test_available_stock_is_on_hand_plus_on_order_minus_reserved():
    assert FORMS["stock_ledger"].column("available").formula == "{on_hand}+{on_order}-{reserved}"


def test_receivables_refuse_overpayment_and_due_dates_before_the_invoice():
    form = FORMS["receivables"]
    assert NotAbove("paid_amount", "amount") in form.rules
    assert DateOrder("invoice_date", "due_date") in form.rules
    assert form.column("open_amount").formula == "{amount}-{paid_amount}"
    assert form.key_columns == ("invoice_no",)


def test_write_offs_cannot_recover_more_than_was_written_off():
    rules = FORMS["write_offs"].rules
    assert NotAbove("recovered_amount", "write_off_amount") in rules
    assert DateOrder("write_off_date", "recovery_date") in rules


def test_item_master_carries_every_replenishment_parameter():
    needed = {"sku", "sku_name", "product_group", "unit", "list_price", "unit_cost", "supplier_id",
              "lead_time_days", "lead_time_sd_days", "order_cost", "holding_cost_rate", "moq", "pack_size", "status"}
    assert needed <= {c.id for c in FORMS["item_master"].columns}
    assert FORMS["item_master"].key_columns == ("sku",)


def test_replenishment_proposal_is_an_output_with_what_buyers_need():
    form = FORMS["replenishment_proposal"]
    assert form.kind == "output" and form.key_columns == ("sku", "location")
    needed = {"on_hand", "on_order", "reserved", "reorder_point", "proposed_qty", "expected_arrival",
              "supplier_id", "order_value", "replenishment_reason", "missing_parameters"}
    assert needed <= {c.id for c in form.columns}


def test_credit_limits_stay_on_the_dealer_master():
    assert all("credit_limit" not in {c.id for c in form.columns} for form in OUR_FORMS)
    assert "credit_limit" in {c.id for c in FORMS["dealer_master"].columns}


def test_warning_levels_use_the_common_traffic_light_list():
    assert FORMS["warning_log"].column("warning_level").enum == "rag"
    assert FORMS["dealer_risk_review"].column("risk_class").enum == "rag"


def test_response_actions_use_the_statuses_the_follow_up_check_treats_as_closed():
    assert FORMS["response_actions"].column("status").enum == "task_status"
    assert {"done", "cancelled"} <= set(ENUMS["task_status"].codes)


def test_warning_rules_cover_the_seven_early_warning_signals():
    assert set(ENUMS["warning_rule"].codes) == {"overdue_share", "days_past_due", "credit_use", "sales_drop",
                                                "stock_build_up", "complaint_rate", "nps_drop"}
    review = {c.id for c in FORMS["dealer_risk_review"].columns}
    assert set(ENUMS["warning_rule"].codes) <= review


def test_ageing_buckets_match_the_receivables_calculation():
    assert ENUMS["ageing_bucket"].codes == receivables.DEFAULT_BUCKET_CODES
    buckets = pd.DataFrame(DEFAULT_ROWS["ageing_buckets"])
    assert tuple(buckets["to_days"].dropna().astype(int)) == receivables.DEFAULT_BUCKET_UPPER_DAYS
    # Each bucket starts the day after the previous one ends.
    assert (buckets["from_days"].iloc[1:].to_numpy() == buckets["to_days"].iloc[:-1].to_numpy() + 1).all()


def test_default_loss_rates_rise_with_age():
    rates = pd.DataFrame(DEFAULT_ROWS["provision_matrix"]).set_index("ageing_bucket")["loss_rate"]
    assert list(rates.index) == list(ENUMS["ageing_bucket"].codes)
    assert rates.is_monotonic_increasing and rates.iloc[-1] < 1


def test_default_warning_rules_are_accepted_by_the_risk_assessment():
    rules = pd.DataFrame(DEFAULT_ROWS["warning_rules"])
    assert list(rules["warning_rule"]) == list(ENUMS["warning_rule"].codes)
    direction = np.where(rules["risk_direction"] == "higher_riskier", 1, -1)
    levels = risk.rule_levels(rules["red_threshold"], rules["amber_threshold"], rules["red_threshold"], direction)
    assert list(levels) == ["red"] * len(rules)
    # D1 is amber on every rule, D2 only on the overdue share: with the default cut-offs
    # the first adds up to a red score, the second stays amber.
    amber = rules["amber_threshold"].to_numpy()
    only_first = np.where(np.arange(len(rules)) == 0, amber, 0.0)
    metrics = pd.DataFrame([amber, only_first], columns=rules["warning_rule"], index=["D1", "D2"])
    table = rules.rename(columns={"warning_rule": "rule", "amber_threshold": "amber", "red_threshold": "red"})
    cutoffs = (SETTINGS["risk_amber_score"].default, SETTINGS["risk_red_score"].default)
    summary, triggered = risk.assess(metrics, table.assign(direction=direction), cutoffs)
    assert list(summary["risk_class"]) == ["red", "amber"]
    assert len(triggered) == len(rules) + 1 and set(triggered["level"]) == {"amber"}


def test_default_abc_and_xyz_limits_rise_and_end_open():
    abc = pd.DataFrame(DEFAULT_ROWS["abc_thresholds"])
    assert list(abc["abc_class"]) == ["A", "B", "C"]
    assert abc["max_cumulative_share"].is_monotonic_increasing and abc["max_cumulative_share"].iloc[-1] == 1
    xyz = pd.DataFrame(DEFAULT_ROWS["xyz_thresholds"])
    assert list(xyz["xyz_class"]) == ["X", "Y", "Z"]
    assert xyz["max_cv"].iloc[:-1].is_monotonic_increasing and pd.isna(xyz["max_cv"].iloc[-1])


def test_policy_table_gives_every_box_a_rule_and_more_service_to_steadier_valuable_items():
    policy = pd.DataFrame(DEFAULT_ROWS["abc_xyz_policy"]).set_index(["abc_class", "xyz_class"])
    assert len(policy) == 9 and policy.index.is_unique
    level = policy["service_level"].unstack()
    assert (level.diff(axis=0).iloc[1:] <= 0).all().all()  # A ≥ B ≥ C within a demand pattern
    assert (level.diff(axis=1).iloc[:, 1:] <= 0).all().all()  # X ≥ Y ≥ Z within a value class
    periodic = policy["review_rule"] != "continuous_eoq"
    assert policy.loc[periodic, "review_period_days"].notna().all()


def test_supplier_weights_add_up_to_one_and_grades_fall_to_zero():
    weights = pd.DataFrame(DEFAULT_ROWS["supplier_score_weights"])
    assert list(weights["supplier_criterion"]) == list(ENUMS["supplier_criterion"].codes)
    assert weights["weight"].sum() == pytest.approx(1.0) and (weights["target"] > 0).all()
    bands = pd.DataFrame(DEFAULT_ROWS["supplier_grade_bands"])
    assert list(bands["supplier_grade"]) == list(ENUMS["supplier_grade"].codes)
    assert bands["min_score"].is_monotonic_decreasing and bands["min_score"].iloc[-1] == 0


@pytest.mark.parametrize("form_id", [f for module in MODULES for f in module.DEFAULT_ROWS])
def test_default_rows_fit_their_form(form_id):
    form = FORMS[form_id]
    frame = pd.DataFrame(DEFAULT_ROWS[form_id])
    assert list(frame.columns) == [c.id for c in form.columns]
    assert not frame.duplicated(list(form.key_columns)).any()
    for column in form.columns:
        values = frame[column.id].dropna()
        if column.required:
            assert len(values) == len(frame), column.id
        if column.enum:
            assert set(values) <= set(ENUMS[column.enum].codes), column.id
        if column.min is not None:
            assert (values >= column.min).all(), column.id
        if column.max is not None:
            assert (values <= column.max).all(), column.id
    for rule in form.rules:
        if isinstance(rule, NotAbove):
            both = frame[[rule.part, rule.whole]].dropna()
            assert (both[rule.part] <= both[rule.whole]).all()


@pytest.mark.parametrize("setting", OUR_SETTINGS, ids=lambda s: s.id)
def test_setting_default_lies_within_its_bounds(setting):
    assert SETTINGS[setting.id] is setting
    assert setting.min is not None and setting.max is not None and setting.min < setting.max
    assert setting.min <= setting.default <= setting.max


def test_settings_the_inventory_and_risk_jobs_read_are_declared():
    needed = {"default_service_level", "fill_rate_target", "demand_period_days", "slow_moving_months",
              "obsolete_cover_months", "ecl_forward_looking_factor", "roll_rate_history_months",
              "warning_action_days", "risk_amber_score", "risk_red_score"}
    assert needed <= set(SETTINGS)


def test_related_settings_are_in_a_sensible_order():
    value = {s.id: s.default for s in OUR_SETTINGS}
    assert value["risk_amber_score"] < value["risk_red_score"]
    assert value["roll_rate_min_months"] <= value["roll_rate_history_months"]
    assert value["slow_moving_months"] <= value["obsolete_no_sales_months"]
    assert value["excess_cover_months"] <= value["obsolete_cover_months"]
    assert value["min_history_months"] <= value["demand_history_months"]
