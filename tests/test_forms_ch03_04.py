"""The forms, dropdown lists and settings of chapters 3 (channel expansion) and 4 (sales) are
declared completely: keys, labels in three languages, valid sheet names, the columns the
dealer scorecards, targets, incentives and template collection compute from."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from dealerxl.forms import DEFAULT_ROWS, ENUMS, FORMS, SETTINGS, DateOrder, NotAbove
from dealerxl.forms import chapter03, chapter04
from dealerxl.i18n import has

MODULES = (chapter03, chapter04)
OUR_FORMS = [form for module in MODULES for form in module.FORMS]
OUR_SETTINGS = [s for module in MODULES for s in module.SETTINGS]
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def label_keys():
    for form in OUR_FORMS:
        for part in ("sheet", "title", "purpose", "instruction"):
            yield form.label_key(part)
        for column in form.columns:
            yield column.label_key
            if column.unit:
                yield f"unit.{column.unit}"
            if column.enum:
                yield from (f"enum.{column.enum}.{code}" for code in ENUMS[column.enum].codes)
    for module in MODULES:
        for enum in module.ENUMS:
            yield from (f"enum.{enum.id}.{code}" for code in enum.codes)
    for setting in OUR_SETTINGS:
        yield from (f"setting.{setting.id}", f"setting.{setting.id}.help", f"setting_group.{setting.group}")
        if setting.unit:
            yield f"unit.{setting.unit}"


def own_table_keys() -> list[str]:
    text = resources.files("dealerxl.i18n").joinpath("ch03_04.tsv").read_text(encoding="utf-8")
    return [line.split("\t")[0] for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_form_of_both_chapters_is_registered_with_a_key():
    for form in OUR_FORMS:
        assert FORMS[form.id] is form
        assert form.chapter in (3, 4) and form.section.startswith(str(form.chapter))
        assert form.key_columns, form.id
        assert all(form.column(k).required for k in form.key_columns), form.id


def test_every_label_exists_in_three_languages():
    missing = sorted({key for key in label_keys() if not has(key)})
    assert missing == []


def test_the_own_label_file_holds_only_labels_these_chapters_use():
    used = set(label_keys())
    assert [key for key in own_table_keys() if key not in used] == []






def test_computed_columns_only_reference_columns_of_the_same_row():
    computed = [(form, c) for form in OUR_FORMS for c in form.columns if c.formula]
    assert {c.id for _, c in computed} >= {"amount", "stock_difference", "market_share", "target_growth"}
    for form, column in computed:
        names = PLACEHOLDER.findall(column.formula)
        assert names, column.id
        ids = {c.id for c in form.columns if c.is_input}
        assert set(names) <= ids, (form.id, column.id)
        assert not column.required and not column.key


def test_transaction_amount_is_quantity_times_price_less_discount():
    amount = FORMS["sales_transactions"].column("amount").formula
    assert amount == "ROUND({quantity}*{unit_price}*(1-{discount_rate}),2)"
    assert FORMS["sales_transactions"].key_columns == ("invoice_no", "line_no")
    # Returns are negative quantities, so quantity must not be bounded below.
    assert FORMS["sales_transactions"].column("quantity").min is None


def test_contracts_end_after_they_start_and_carry_renewal_terms():
    contracts = FORMS["dealer_contracts"]
    assert DateOrder("start_date", "end_date") in contracts.rules
    for column in ("auto_renew", "notice_days", "renewal_status", "terms", "end_date"):
        contracts.column(column)


def test_dealer_monthly_is_the_shared_monthly_sales_and_stock_report():
    form = FORMS["dealer_monthly"]
    assert form.shared and form.kind == "input"
    assert form.key_columns == ("dealer_id", "month", "sku")
    for column in ("sell_out_qty", "sell_out_amount", "dealer_stock_qty", "received_qty", "opening_stock_qty"):
        assert form.column(column).required and form.column(column).min == 0


def test_self_evaluation_and_prospect_scores_are_shared_templates():
    assert FORMS["dealer_self_evaluation"].shared
    assert FORMS["prospect_scores"].shared


def test_jobs_write_the_appraisal_prospect_results_and_monthly_targets():
    for form_id in ("dealer_appraisal", "prospect_results", "monthly_targets"):
        assert FORMS[form_id].kind == "output"
    appraisal = {c.id for c in FORMS["dealer_appraisal"].columns}
    assert {"month", "appraisal_score", "grade", "tier", "previous_tier", "tier_change"} <= appraisal
    # Every appraisal metric the weights table can name is a column of the result.
    assert set(ENUMS["appraisal_metric"].codes) <= appraisal
    targets = {c.id for c in FORMS["monthly_targets"].columns}
    assert {"year", "month", "dealer_id", "target_amount", "target_qty"} <= targets


def test_dealer_master_keeps_its_columns_and_gains_address_and_rep():
    columns = [c.id for c in FORMS["dealer_master"].columns]
    assert columns[:14] == ["dealer_id", "dealer_name", "region", "channel_type", "tier", "status", "join_date",
                            "credit_limit", "payment_terms_days", "sales_rep_id", "contact_person", "phone",
                            "email", "language"]
    assert {"city", "address", "opening_date", "termination_date"} <= set(columns)


@pytest.mark.parametrize("form_id", ["prospect_criteria", "appraisal_weights", "dealer_grade_bands", "tier_rules",
                                     "incentive_plans", "incentive_plan_tiers", "incentive_assignments"])
def test_tunable_tables_are_settings_forms(form_id):
    assert FORMS[form_id].kind == "settings"


def default_rows_problems(form_id: str) -> list[str]:
    form = FORMS[form_id]
    found = []
    for row in DEFAULT_ROWS[form_id]:
        assert set(row) <= {c.id for c in form.columns}, form_id
        for column in form.columns:
            value = row.get(column.id)
            if value is None:
                if column.required:
                    found.append(f"{form_id}.{column.id}: blank")
                continue
            if column.enum and value not in ENUMS[column.enum].codes:
                found.append(f"{form_id}.{column.id}: {value!r}")
            if column.min is not None and value < column.min or column.max is not None and value > column.max:
                found.append(f"{form_id}.{column.id}: {value!r} out of range")
        for rule in form.rules:
            if isinstance(rule, NotAbove) and None not in (row.get(rule.part), row.get(rule.whole)):
                if row[rule.part] > row[rule.whole]:
                    found.append(f"{form_id}: {rule.part} above {rule.whole}")
    keys = [tuple(row[k] for k in form.key_columns) for row in DEFAULT_ROWS[form_id]]
    if len(set(keys)) != len(keys):
        found.append(f"{form_id}: duplicate keys")
    return found


@pytest.mark.parametrize("form_id", ["prospect_criteria", "appraisal_weights", "dealer_grade_bands", "tier_rules",
                                     "incentive_plans", "incentive_plan_tiers"])
def test_default_rows_fit_their_form(form_id):
    assert DEFAULT_ROWS[form_id]
    assert default_rows_problems(form_id) == []


def test_default_weights_sum_to_one():
    for form_id in ("prospect_criteria", "appraisal_weights"):
        assert sum(row["weight"] for row in DEFAULT_ROWS[form_id]) == pytest.approx(1.0)


def test_normalisation_defaults_carry_what_their_method_needs():
    for form_id in ("prospect_criteria", "appraisal_weights"):
        for row in DEFAULT_ROWS[form_id]:
            if row["normalisation"] == "target":
                assert row["target"] is not None, row
            else:
                assert row["scale_min"] is not None and row["scale_max"] is not None, row
                assert row["scale_min"] < row["scale_max"]


def test_tier_rules_have_a_gap_between_promotion_and_demotion():
    rules = sorted(DEFAULT_ROWS["tier_rules"], key=lambda r: r["tier_rank"])
    assert [r["tier"] for r in rules] == ["gold", "silver", "bronze"]
    for upper in rules[:-1]:
        assert upper["demote_below_score"] < upper["promote_min_score"]
        assert upper["months_required"] > 1  # hysteresis: one good month does not promote
    promote = [r["promote_min_score"] for r in rules]
    assert promote == sorted(promote, reverse=True)


def test_grade_bands_descend_and_start_at_zero():
    bands = [row["min_score"] for row in DEFAULT_ROWS["dealer_grade_bands"]]
    assert bands == sorted(bands, reverse=True) and bands[-1] == 0
    assert [row["grade"] for row in DEFAULT_ROWS["dealer_grade_bands"]] == list(ENUMS["appraisal_grade"].codes)


def test_every_incentive_tier_belongs_to_a_plan_whose_bands_start_at_zero():
    plans = {row["plan_id"] for row in DEFAULT_ROWS["incentive_plans"]}
    tiers = DEFAULT_ROWS["incentive_plan_tiers"]
    assert {row["plan_id"] for row in tiers} == plans
    for plan in plans:
        lowers = [row["band_lower"] for row in tiers if row["plan_id"] == plan]
        assert lowers == sorted(lowers) and lowers[0] == 0


def test_scalar_settings_have_defaults_within_their_bounds():
    for setting in OUR_SETTINGS:
        assert SETTINGS[setting.id] is setting
        if isinstance(setting.default, str):  # a text setting (the statements' currency) has no bounds
            assert setting.min is None and setting.max is None, setting.id
            continue
        assert setting.min is not None and setting.max is not None, setting.id
        assert setting.min <= setting.default <= setting.max, setting.id


def test_allocation_weights_default_to_a_blend_summing_to_one():
    weights = [SETTINGS[f"target_weight_{part}"].default for part in ("history", "growth", "potential")]
    assert sum(weights) == pytest.approx(1.0)


def test_incentive_parameters_are_settings():
    for setting_id in ("incentive_gate", "incentive_cap", "incentive_accelerator", "incentive_team_share",
                       "clawback_window_months", "contract_renewal_alert_days"):
        assert setting_id in SETTINGS
