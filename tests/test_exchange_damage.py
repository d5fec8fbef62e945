"""Damaged submissions: each is either stored exactly as meant or rejected with a reason.

Hypothesis builds returned files the way they go wrong in practice (text in number cells,
extra or missing columns, rows inserted above the table, merged cells, formulas returning
errors, full-width digits, dates typed as text, another form's file, a truncated copy, a
password-protected file) and the way they are made to go wrong (the table moved elsewhere,
a cell far outside it, a part that unpacks beyond the limit, numbers that are not finite).
Collecting one never raises, and a rejected file leaves the store exactly as it was.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.packages import add_rows, form_sheet_part, number_cell, rewrite, set_cell, table_part, text_cell
from support.postgres import store_url  # noqa: F401  (fixture)
from test_exchange import fill, monthly_rows

from dealerxl.build.workbook import write_template
from dealerxl.exchange import issue_templates
from dealerxl.exchange.collect import collect_one
from dealerxl.exchange.manifest import KEY_VARIABLE
from dealerxl.exchange.package_check import DEFAULT_LIMITS, Limits
from dealerxl.store import open_store

KEY = "da" * 16
MONTH = "2026-03"
FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
NUMBER_COLUMNS = ["opening_stock_qty", "received_qty", "sell_out_qty", "sell_out_amount", "dealer_stock_qty"]


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    with pytest.MonkeyPatch.context() as patch:  # the key for the module's issue only
        patch.setenv(KEY_VARIABLE, KEY)
        issue_templates("dealer_monthly", MONTH, folder, recipients=["DM1"], lang="en")
        issue_templates("survey_responses", MONTH, folder, recipients=["DS1"], lang="zh-Hans")
    return {"dealer_monthly": folder / f"dealer_monthly_{MONTH}_DM1.xlsx",
            "survey_responses": folder / f"survey_responses_{MONTH}_DS1.xlsx"}


def survey_rows(n: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": [f"R{seed}-{i}" for i in range(n)],
        "survey_date": [pd.Timestamp(f"{MONTH}-{1 + (seed + i) % 28:02d}") for i in range(n)],
        "survey_type": [("post_purchase", "post_service", "periodic")[(seed + i) % 3] for i in range(n)],
        "csat_score": [1 + (seed + i) % 5 for i in range(n)],
        "comment": [f"comment {i}" for i in range(n)],
    })


@dataclass
class Built:
    path: Path
    form: str
    recipient: str
    expected: pd.DataFrame | None  # the rows a correct acceptance stores
    must_reject: bool
    limits: Limits = DEFAULT_LIMITS  # what the collection allows (small ones make a part oversized cheaply)


def edit(path: Path, change) -> None:
    book = openpyxl.load_workbook(path)
    change(book.worksheets[0])
    book.save(path)


def error_cell(path: Path, address: str, error: str) -> None:
    """Give a formula cell a cached Excel error, as Excel saves ``=1/0`` (openpyxl cannot)."""
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    name = "xl/worksheets/sheet1.xml"
    pattern = re.compile(rb'<c r="' + address.encode() + rb'"([^>]*)><f>([^<]*)</f><v\s*/>')
    parts[name], count = pattern.subn(lambda m: b'<c r="' + address.encode() + b'"' + m.group(1) + b' t="e"><f>'
                                      + m.group(2) + b"</f><v>" + error.encode() + b"</v>", parts[name])
    assert count == 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part, data in parts.items():
            package.writestr(part, data)
    path.write_bytes(buffer.getvalue())


def build(kind: str, n: int, seed: int, pick: int, templates, folder: Path) -> Built:
    path = folder / f"{kind}.xlsx"
    rows = monthly_rows(n, seed)
    expected = rows.assign(dealer_id="DM1", month=pd.Timestamp(f"{MONTH}-01"))
    column = NUMBER_COLUMNS[pick % len(NUMBER_COLUMNS)]
    letter = "EFGHJ"[pick % len(NUMBER_COLUMNS)]
    row = 5 + pick % n
    form = "dealer_monthly"
    if kind in ("wrong_type", "full_width"):
        typed = rows.astype(object)
        original = typed.loc[pick % n, column]
        typed.loc[pick % n, column] = "many" if kind == "wrong_type" else f"{original:g}".translate(FULL_WIDTH)
        fill(templates[form], path, typed)
        return Built(path, form, "DM1", expected, kind == "wrong_type")
    if kind == "date_text":
        survey = survey_rows(n, seed)
        typed = survey.astype(object)
        typed["survey_date"] = [d.strftime("%Y/%m/%d") if i % 2 else d.strftime("%Y-%m-%d")
                                for i, d in enumerate(survey["survey_date"])]
        fill(templates["survey_responses"], path, typed, "survey_responses")
        return Built(path, "survey_responses", "DS1", survey.assign(dealer_id="DS1"), False)
    if kind == "other_form":
        survey = survey_rows(n, seed)
        fill(templates["survey_responses"], path, survey, "survey_responses")
        return Built(path, "survey_responses", "DS1", survey.assign(dealer_id="DS1"), False)
    if kind == "plain_template":
        write_template(path, "dealer_monthly", lang="en")
        edit(path, lambda sheet: [sheet.cell(5 + i, 3, f"SKU{i}") for i in range(n)])
        return Built(path, form, "DM1", None, True)
    fill(templates[form], path, rows)
    if kind == "extra_column":
        edit(path, lambda sheet: [sheet.cell(4, 13, "Extra")] + [sheet.cell(5 + i, 13, i) for i in range(n)])
    elif kind == "missing_column":
        edit(path, lambda sheet: sheet.delete_cols(5 + pick % 6))
    elif kind == "rows_above":
        edit(path, lambda sheet: sheet.insert_rows(1 + pick % 4, 1 + pick % 2))
    elif kind == "merged":
        edit(path, lambda sheet: sheet.merge_cells(f"{letter}{row}:{chr(ord(letter) + 1)}{row + pick % 2}"))
    elif kind == "formula_error":
        edit(path, lambda sheet: sheet.__setitem__(f"{letter}{row}", "=1/0"))
        error_cell(path, f"{letter}{row}", "#DIV/0!")
        return Built(path, form, "DM1", expected, True)
    elif kind == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: max(1, len(data) * (1 + pick % 9) // 10)])
        return Built(path, form, "DM1", expected, True)
    elif kind == "password":
        from msoffcrypto.format.ooxml import OOXMLFile

        with open(path, "rb") as plain:
            source = OOXMLFile(plain)
            target = folder / "locked.xlsx"
            with open(target, "wb") as out:
                source.encrypt("secret", out)
        return Built(target, form, "DM1", expected, True)
    elif kind in CRAFTED:
        made = CRAFTED[kind](path, pick, seed)
        return Built(made[0], form, "DM1", expected, True, *made[1:])
    # a column typed next to the table is outside what was issued: refused, like rows added below it
    return Built(path, form, "DM1", expected, kind in ("missing_column", "rows_above", "merged", "extra_column"))


def _letters(index: int) -> str:
    from dealerxl.book.problems import column_letters

    return column_letters(index)


def relocated_table(path: Path, pick: int, seed: int) -> tuple[Path]:
    """The table's range moved (header and a row for another dealer written at the new place)."""
    top, left = 306 + pick * 37 + seed, 13 + (pick * 7 + seed) % 40
    ref = f"{_letters(left)}{top}:{_letters(left + 11)}{top + 1}"
    cells = b"".join(text_cell(f"{_letters(left + i)}{top}", f"H{i}") for i in range(12))
    other = text_cell(f"{_letters(left)}{top + 1}", "D00002") + number_cell(f"{_letters(left + 4)}{top + 1}", "5")
    rows = b'<row r="%d">' % top + cells + b"</row>" + b'<row r="%d">' % (top + 1) + other + b"</row>"
    rewrite(path, path, {table_part(path): lambda xml: xml.replace(b'ref="A4:L304"', f'ref="{ref}"'.encode()),
                         form_sheet_part(path): lambda xml: add_rows(xml, rows)})
    return (path,)


def far_cell(path: Path, pick: int, seed: int) -> tuple[Path]:
    """One value somewhere beyond the issued rows or columns, up to Excel's last cell."""
    row = 305 + (pick * 104_729 + seed * 7_919) % (1_048_576 - 304)
    col = (pick * 977 + seed * 131) % 16_384 if pick % 2 else (pick + seed) % 12
    rewrite(path, path, {form_sheet_part(path): lambda xml: add_rows(
        xml, b'<row r="%d">' % row + number_cell(f"{_letters(col)}{row}", "1") + b"</row>")})
    return (path,)


def oversized_part(path: Path, pick: int, seed: int) -> tuple[Path, Limits]:
    """A sheet padded beyond what the collection allows a part to unpack to."""
    pad = b"<!--" + b" " * ((1 + pick % 4) << 20) + b"-->"
    rewrite(path, path, {form_sheet_part(path): lambda xml: xml.replace(b"<sheetData", pad + b"<sheetData", 1)})
    return path, Limits(part_bytes=1 << 20, total_bytes=2 << 20)


def non_finite(path: Path, pick: int, seed: int) -> tuple[Path]:
    """A quantity or amount that is no finite number, as a number cell or as text."""
    address = f"{'EFGHJ'[pick % 5]}5"
    text = ("inf", "-inf", "1e309", "-1e400", "NaN", "1e999")[(pick + seed) % 6]
    cell = number_cell(address, text) if (pick + seed) % 2 == 0 else text_cell(address, text)
    rewrite(path, path, {form_sheet_part(path): lambda xml: set_cell(xml, address, cell)})
    return (path,)


CRAFTED = {"relocated_table": relocated_table, "far_cell": far_cell, "oversized_part": oversized_part,
           "non_finite": non_finite}


KINDS = ["none", "wrong_type", "extra_column", "missing_column", "rows_above", "merged", "formula_error",
         "full_width", "date_text", "other_form", "plain_template", "truncated", "password", *CRAFTED]


def snapshot(store):
    return store.submissions(), store.read("dealer_monthly"), store.read("survey_responses")


def stored(store, built: Built) -> pd.DataFrame:
    key = "sku" if built.form == "dealer_monthly" else "response_id"
    frame = store.read(built.form, filters={"dealer_id": built.recipient})
    return frame[list(built.expected.columns)].sort_values(key).reset_index(drop=True)


@settings(max_examples=45, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), n=st.integers(1, 6), seed=st.integers(0, 50), pick=st.integers(0, 30))
def test_a_damaged_submission_is_stored_as_meant_or_rejected_with_a_reason_and_no_change(
        templates, store_url, tmp_path_factory, monkeypatch, kind, n, seed, pick):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    folder = tmp_path_factory.mktemp("case")
    built = build(kind, n, seed, pick, templates, folder)
    with open_store(store_url) as store:
        before = snapshot(store)
        outcome = collect_one(built.path, store, KEY.encode(), folder / "archive", limits=built.limits)
        assert (folder / "archive").is_dir() and len(list((folder / "archive").iterdir())) == 1
        if outcome.status == "rejected":
            assert outcome.problems
            assert all(p.message(outcome.lang or "en").strip() for p in outcome.problems)
            after = snapshot(store)
            for old, new in zip(before, after):
                pd.testing.assert_frame_equal(old, new)
            return
        assert not built.must_reject, f"{kind} was accepted"
        assert outcome.status in ("accepted", "replaced", "duplicate")
        assert (outcome.form, outcome.recipient) == (built.form, built.recipient)
        if outcome.status == "duplicate":
            # The same file came in an earlier example: nothing changes, even when a later
            # submission has replaced it since.
            for old, new in zip(before, snapshot(store)):
                pd.testing.assert_frame_equal(old, new)
            return
        pd.testing.assert_frame_equal(stored(store, built), built.expected.reset_index(drop=True),
                                      check_dtype=False)


@pytest.mark.parametrize("kind", ["none", "full_width", "date_text", "other_form"])
def test_harmless_differences_are_accepted(templates, tmp_path, monkeypatch, kind):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    built = build(kind, 3, 1, 2, templates, tmp_path)
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        outcome = collect_one(built.path, store, KEY.encode(), tmp_path / "archive")
        assert outcome.status == "accepted", [p.message("en") for p in outcome.problems]
        pd.testing.assert_frame_equal(stored(store, built), built.expected.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("kind, code", [
    ("wrong_type", "wrong_type"), ("missing_column", "exchange.locked_changed"),
    # rows inserted above push the issued rows below the table's end: outside what was issued
    ("rows_above", "exchange.outside_table"), ("extra_column", "exchange.outside_table"),
    ("formula_error", "error_value"),
    ("plain_template", "exchange.no_manifest"), ("truncated", "corrupt_workbook"),
    ("password", "password_protected"), ("merged", "exchange.merged"),
    ("relocated_table", "exchange.outside_table"), ("far_cell", "exchange.outside_table"),
    ("oversized_part", "exchange.unpacks_too_large"), ("non_finite", "wrong_type")])
def test_each_kind_of_damage_is_rejected_for_its_own_reason(templates, tmp_path, monkeypatch, kind, code):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    built = build(kind, 3, 1, 2, templates, tmp_path)
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        outcome = collect_one(built.path, store, KEY.encode(), tmp_path / "archive", limits=built.limits)
        assert outcome.status == "rejected"
        assert code in {p.code for p in outcome.problems} | {p.code.replace("_file", "") for p in outcome.problems}
        assert store.submissions().empty
