"""A calculation's reason reaches the user in the workbook's language: every CalcError and
JobError the package raises names a message key of the translation table (never English text),
each key exists in all three languages with the same fields, and a real failure reads as a
Chinese sentence with no English in it."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import numpy as np
import pytest

import dealerxl
from dealerxl.calc import CalcError
from dealerxl.i18n import LANGS, all_labels, has
from dealerxl.jobs.errors import JobError, reason

PACKAGE = Path(dealerxl.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"(?<![\w./<$-])[a-z]{4,}(?:\s+[a-z]{3,})+")  # "no row for", not ids or paths
ERRORS = {"CalcError", "JobError"}


def _raised_errors():
    """(where, first argument node) of every CalcError(...) / JobError(...) call in the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ERRORS:
                    yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node.args[0]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_no_error_is_raised_with_text_instead_of_a_key():
    texts = [where for where, first in _raised_errors()
             if isinstance(first, ast.JoinedStr)
             or (isinstance(first, ast.Constant) and not str(first.value).startswith("msg."))]
    assert texts == []


def test_every_key_exists_in_three_languages_with_the_same_fields():
    keys = {first.value for _, first in _raised_errors() if isinstance(first, ast.Constant)}
    keys.add("msg.calc.incentives.plan_prefix")
    assert len(keys) > 200
    missing = sorted(key for key in keys if not has(key))
    assert missing == []
    for key in keys:
        labels = all_labels(key)
        assert len(labels) == len(LANGS)
        assert _fields(labels[0]) == _fields(labels[1]) == _fields(labels[2]), key
        assert labels[0] != labels[2] and labels[1] != labels[2], key


def test_every_subject_a_reason_names_is_a_label():
    subjects = {node.value for path in PACKAGE.rglob("*.py")
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.Constant) and str(node.value).startswith("calc.subject.")}
    assert len(subjects) > 50
    assert sorted(subject for subject in subjects if not has(subject)) == []


def test_calc_errors_tsv_is_chinese_without_english_sentences():
    from dealerxl.i18n import table

    for key, (hant, hans, _) in table().items():
        if key.startswith("msg.calc."):
            for text in (hant, hans):
                assert not ENGLISH_WORDS.search(re.sub(r"\{[^}]*\}", "", text)), (key, text)


def _chinese(error: BaseException, lang: str) -> str:
    said = reason(error, lang)
    assert CJK.search(said) and not ENGLISH_WORDS.search(said), said
    return said


def test_a_dx_function_with_a_bad_argument_says_why_in_chinese():
    from dealerxl.excel.functions.sales import DX_ALLOCATE, DX_SEASONAL_SPLIT

    with pytest.raises(CalcError) as floors:
        DX_ALLOCATE(100, np.array([[1.0], [1.0]]), floors=np.array([[80.0], [80.0]]))
    assert str(floors.value) == "the floors add up to 160, more than the total 100"
    assert _chinese(floors.value, "zh-Hant") == "下限合計 160，超過總額 100"
    assert _chinese(floors.value, "zh-Hans") == "下限合计 160，超过总额 100"

    with pytest.raises(CalcError) as overrides:
        DX_SEASONAL_SPLIT(100, np.ones((1, 12)), overrides=np.array([[90.0, 90.0] + [None] * 10], dtype=object))
    assert "more than the annual target 100" in str(overrides.value)
    assert "超過年度目標 100" in _chinese(overrides.value, "zh-Hant")


def test_what_a_reason_is_about_is_translated_too():
    from dealerxl.calc.sales import sales_matrix
    import pandas as pd

    with pytest.raises(CalcError) as lacking:
        sales_matrix(pd.DataFrame({"dealer_id": ["D1"]}))
    assert str(lacking.value).startswith("the sales table needs the column(s) ")
    assert _chinese(lacking.value, "zh-Hant").startswith("銷售表 需要欄位 ")
    assert _chinese(lacking.value, "zh-Hans").startswith("销售表 需要列 ")


def test_a_dx_function_in_a_chinese_workbook_shows_the_calculations_reason_in_chinese():
    from test_udf_language import Book
    from xlwings_udf import call_udf, shown

    for lang, expected in (("zh-Hant", "下限合計 160，超過總額 100"), ("zh-Hans", "下限合计 160，超过总额 100"),
                           ("en", "the floors add up to 160, more than the total 100")):
        cell = shown(call_udf("DX_ALLOCATE", [[100.0]], [[1.0], [1.0]], [[80.0], [80.0]], book=Book(lang)))
        assert cell == [[f"#VALUE! {expected}"]], cell


def test_a_named_plan_and_a_nested_reason_are_said_in_the_same_language():
    from dealerxl.calc.incentives import IncentivePlan

    with pytest.raises(CalcError) as refused:
        IncentivePlan(band_lower=(0.0, 100.0), rate=(0.02,), plan_id="P1")
    assert str(refused.value) == "plan P1: 2 band lower bounds but 1 rates"
    assert _chinese(refused.value, "zh-Hant").startswith("方案 P1：")
    assert _chinese(refused.value, "zh-Hans").startswith("方案 P1：")

    outer = CalcError("msg.calc.appraisal.metric_invalid", what="W", row="sales", error=refused.value)
    assert str(outer) == "W, sales: plan P1: 2 band lower bounds but 1 rates"
    assert "有 2 個級距下限，卻有 1 個費率" in outer.message("zh-Hant")


def test_a_job_error_is_a_calc_error_with_its_key():
    error = JobError("msg.month.not_a_month", value="13/2026")
    assert isinstance(error, CalcError) and error.key == "msg.month.not_a_month"
    assert reason(error, "zh-Hant") != str(error)
    assert CalcError("kept as it is").message("zh-Hant") == "kept as it is"
