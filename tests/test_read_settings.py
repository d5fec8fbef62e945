"""Settings come back typed, a missing row falls back to its default, a bad value is cited."""
from __future__ import annotations

from dealerxl.book import read_settings
from dealerxl.forms import SETTINGS
from dealerxl.i18n import tr
from workbook_fixtures import settings_rows, write_workbook


def book_with(tmp_path, rows, lang="zh-Hant"):
    return write_workbook(tmp_path / "settings.xlsx", {"settings": rows}, lang)


def test_values_typed_and_defaults_for_missing_rows(tmp_path):
    rows = [r for r in settings_rows("zh-Hant") if r["setting_id"] != "prospect_pass_score"]
    for row in rows:
        if row["setting_id"] == "contract_renewal_alert_days":
            row["setting_value"] = "１２０"
    values = read_settings(book_with(tmp_path, rows))
    assert values.problems == []
    assert set(values) == set(SETTINGS)
    assert values["contract_renewal_alert_days"] == 120 and isinstance(values["contract_renewal_alert_days"], int)
    assert values["prospect_pass_score"] == SETTINGS["prospect_pass_score"].default


def test_bad_values_are_cited_and_replaced_by_defaults(tmp_path):
    rows = settings_rows("en")
    where = {}
    for excel_row, row in enumerate(rows, start=5):
        if row["setting_id"] == "contract_renewal_alert_days":
            row["setting_value"], where["type"] = "soon", excel_row
        if row["setting_id"] == "appraisal_window_months":
            row["setting_value"], where["max"] = 99, excel_row
    values = read_settings(book_with(tmp_path, rows, "en"))
    assert [p.message("en") for p in values.problems] == [
        f'Settings!D{where["type"]}: Setting "{tr("setting.contract_renewal_alert_days", "en")}": "soon" is not a whole number',
        f'Settings!D{where["max"]}: Setting "{tr("setting.appraisal_window_months", "en")}": 99 is above the maximum 24',
    ]
    assert values["contract_renewal_alert_days"] == SETTINGS["contract_renewal_alert_days"].default
    assert values["appraisal_window_months"] == SETTINGS["appraisal_window_months"].default


def test_a_setting_given_twice_is_reported_and_keeps_its_default(tmp_path):
    rows = settings_rows("zh-Hant")
    first = dict(rows[0], setting_value=rows[0]["setting_value"] + 1)
    rows.append(first)
    values = read_settings(book_with(tmp_path, rows))
    duplicate_row = 4 + len(rows)
    assert [p.message("zh-Hant") for p in values.problems] == [
        f"參數設定!A{duplicate_row}: 與 A5 重複：參數代碼 相同的資料只能有一列"]
    assert values[first["setting_id"]] == SETTINGS[first["setting_id"]].default
