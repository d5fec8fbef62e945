"""The functions speak the language of the workbook that calls them: result headers, the codes
a person reads (risk lights, forecast methods) and messages come from the translation table in
the workbook's language (its DX_LANG name); codes=TRUE gives the stable English codes instead.
Called through xlwings' own conversion layer, as Excel calls them (see :mod:`xlwings_udf`)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import xlwings

from dealerxl.excel.functions import UDFS, language
from dealerxl.i18n import LANGS, tr
from test_udf_through_xlwings import CASES
from xlwings_udf import MISSING, call_udf, shown

README = Path(__file__).resolve().parents[1] / "README.md"


class _Name:
    def __init__(self, name: str, refers_to: str):
        self.name, self.refers_to = name, refers_to


class _Names(list):
    """A workbook's names as xlwings lists them, and ``names["DX_LANG"]`` as xlwings looks one up."""

    def __init__(self, names, looked_up: list):
        super().__init__(names)
        self.looked_up = looked_up

    def __getitem__(self, key):
        if isinstance(key, str):
            self.looked_up.append(key)
            for name in self:
                if name.name.casefold() == key.casefold():
                    return name
            raise KeyError(key)  # xlwings raises a COM error for a name the workbook lacks
        return super().__getitem__(key)


class _Sheet:
    def __init__(self, name: str):
        self.name = name


class Book:
    """The parts of an xlwings Book the language lookup reads: its names and sheet names."""

    def __init__(self, lang: str | None = None, sheets=("Sheet1",)):
        self.name = "DealerWorkbook.xlsm"
        self.looked_up: list[str] = []
        self.names = _Names([_Name("DX_LANG", f'="{lang}"')] if lang else [], self.looked_up)
        self.sheets = [_Sheet(name) for name in sheets]


def speaking(lang):
    return Book(lang)


def rows_in(lang, name, *args):
    return shown(call_udf(name, *args, book=speaking(lang)))


def test_result_headers_are_in_the_workbooks_language():
    values = [[500.0], [300.0], [100.0], [None], [60.0]]
    pareto = rows_in("zh-Hant", "DX_PARETO", values)
    assert pareto[0] == ["排名", "占比", "累計占比", "ABC 類"]
    assert [row[3] for row in pareto[1:]] == ["A", "A", "B", "C", "B"]  # classes stay A/B/C
    assert rows_in("zh-Hant", "DX_ACHIEVEMENT", [[90.0]], [[100.0]])[0] == ["達成率", "差額"]
    assert rows_in("zh-Hant", "DX_YOY", [[10.0] * 24])[0][:3] == ["實際", "月增率", "年增率"]
    assert rows_in("zh-Hant", "DX_ABC_XYZ", [[500.0]], [[1.0, 2.0, 3.0]])[0][:2] == ["ABC 類", "XYZ 類"]
    assert rows_in("zh-Hant", "DX_SAFETY_STOCK", [[10.0, 20.0, 30.0]], 30.0, 0.95)[0][3] == "安全庫存"
    assert rows_in("zh-Hans", "DX_YOY", [[10.0] * 24])[0][1:3] == ["环比", "同比"]
    assert rows_in("en", "DX_PARETO", values)[0] == ["Rank", "Share", "Cumulative share", "ABC class"]


def test_risk_levels_are_the_lights_the_sheets_use():
    values = [[0.05], [0.12], [0.3]]
    assert rows_in("zh-Hant", "DX_RISK_LEVEL", values, 0.1, 0.25) == [["綠"], ["黃"], ["紅"]]
    assert rows_in("zh-Hans", "DX_RISK_LEVEL", values, 0.1, 0.25) == [["绿"], ["黄"], ["红"]]
    assert rows_in("en", "DX_RISK_LEVEL", values, 0.1, 0.25) == [["Green"], ["Amber"], ["Red"]]
    assert [tr(f"enum.rag.{code}", "zh-Hant") for code in ("green", "amber", "red")] == ["綠", "黃", "紅"]


def test_forecast_methods_and_month_headers_are_worded():
    history = [[float(v) for v in range(1, 37)], [None] * 30 + [5.0] * 6]
    rows = rows_in("zh-Hant", "DX_FORECAST", history, 2)
    assert rows[0] == ["方法", "第 1 個月", "第 2 個月"]
    assert rows[1][0].startswith("ETS(") and rows[2][0] == "ETS(A,N,N)"  # a model's name is the same in every language
    assert rows_in("zh-Hant", "DX_FORECAST", [[None] * 30 + [5.0] * 3], 2)[1][0] == "歷史平均"
    accuracy = rows_in("zh-Hant", "DX_FORECAST_ACCURACY", [[float(v) for v in range(1, 25)]], 6)
    assert accuracy[-1][0] == "整體" and accuracy[0] == ["方法", "模型 WAPE", "季節性簡單法 WAPE"]
    demand = rows_in("zh-Hant", "DX_DEMAND_CLASS", [[None, 1.0, None, None, 30.0, 2.0]])
    assert demand[0][2:4] == ["需求型態", "預測方法"] and demand[1][2:4] == ["塊狀", "TSB 法"]


def test_codes_true_gives_the_stable_english_codes_in_any_workbook():
    values = [[0.05], [0.3]]
    assert rows_in("zh-Hant", "DX_RISK_LEVEL", values, 0.1, 0.25, MISSING, True) == [["green"], ["red"]]
    assert rows_in("zh-Hant", "DX_PARETO", [[1.0]], MISSING, MISSING, "TRUE")[0] == \
        ["rank", "share", "cumulative_share", "pareto_class"]
    assert rows_in("zh-Hant", "DX_PARETO", [[1.0]], MISSING, MISSING, 1.0)[0][0] == "rank"
    assert rows_in("zh-Hant", "DX_PARETO", [[1.0]], MISSING, MISSING, False)[0][0] == "排名"
    assert rows_in("zh-Hant", "DX_PARETO", [[1.0]], MISSING, MISSING, "maybe") == [
        ["#VALUE! codes：「maybe」不是TRUE 或 FALSE"]]


def test_every_function_with_labels_takes_codes_last_and_documents_it():
    with_labels = sorted(name for name, info in UDFS.items() if "codes" in info.args)
    assert len(with_labels) == 20
    for name in with_labels:
        assert UDFS[name].args[-1] == "codes" and "codes" in UDFS[name].optional
        assert all(tr(f"udf.{name}.codes", lang) for lang in LANGS)
    reference = README.read_text(encoding="utf-8")
    assert "`[codes]`" in reference and "give the last argument, `[codes]`, as TRUE" in reference


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
@pytest.mark.parametrize("name", sorted(name for name, info in UDFS.items() if "codes" in info.args))
def test_no_header_or_code_is_left_in_english_in_a_chinese_workbook(name, lang):
    rows = rows_in(lang, name, *CASES[name])
    assert not rows[0][0].startswith("#VALUE!"), rows[0][0]
    words = [v for row in rows for v in row if isinstance(v, str)]
    left = [w for w in words if re.fullmatch(r"[a-z][a-z0-9_]*", w)]
    assert left == []


def test_messages_are_in_the_workbooks_language():
    amounts = [[100.0], ["abc"]]
    assert rows_in("zh-Hant", "DX_AGING", [[46296.0], [46296.0]], amounts, 46326.0) == [
        ["#VALUE! amounts 第 2 列：「abc」不是數字"]]
    assert rows_in("zh-Hans", "DX_AGING", [[46296.0], [46296.0]], amounts, 46326.0) == [
        ["#VALUE! amounts 第 2 行：“abc”不是数字"]]
    assert rows_in("zh-Hant", "DX_AGING", [[46296.0]], [[1.0]], None) == [["#VALUE! as_of 不可空白"]]
    # codes=TRUE changes the headers, not the language a person is told what is wrong in
    assert rows_in("zh-Hant", "DX_PARETO", [["x"]], MISSING, MISSING, True) == [["#VALUE! values：「x」不是數字"]]


def test_a_workbook_without_dx_lang_speaks_the_language_of_its_sheet_names():
    from dealerxl.build.sheets import sheet_name
    from dealerxl.forms import FORMS

    simplified = Book(None, sheets=[sheet_name(form, "zh-Hans") for form in list(FORMS.values())[:5]])
    assert shown(call_udf("DX_RISK_LEVEL", [[0.3]], 0.1, 0.25, book=simplified)) == [["红"]]
    assert shown(call_udf("DX_RISK_LEVEL", [[0.3]], 0.1, 0.25, book=Book(None))) == [["紅"]]  # zh-Hant by default


def test_called_from_python_without_a_workbook_a_function_gives_codes_and_english_messages():
    assert shown(call_udf("DX_RISK_LEVEL", [[0.3]], 0.1, 0.25, book=None)) == [["red"]]
    assert UDFS["DX_RISK_LEVEL"].function(np.array([[0.3]]), 0.1, 0.25).tolist() == [["red"]]
    with language.speaking("zh-Hant"):
        assert UDFS["DX_RISK_LEVEL"].function(np.array([[0.3]]), 0.1, 0.25).tolist() == [["紅"]]


def test_the_calling_workbook_is_the_one_xlwings_names_and_dx_lang_is_looked_up_by_name(monkeypatch):
    book = Book("zh-Hans")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    assert language.caller_book() is book
    assert language.workbook_language() == "zh-Hans"
    assert book.looked_up == ["DX_LANG"]  # one lookup, not a walk through every name
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: (_ for _ in ()).throw(Exception("no Excel"))))
    assert language.caller_book() is None and language.workbook_language() is None
