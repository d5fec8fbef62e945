"""The Set targets job: the month × dealer table adds up exactly (months to the seasonal
split of the year, dealers to their allocation, all to the annual target), floors and
ceilings hold, the headless report is a new localised workbook, and the ribbon button
writes the open workbook's table through Excel."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.calc.targets import seasonal_split
from dealerxl.cli import main
from dealerxl.excel.ribbon import load_buttons, on_button
from dealerxl.forms import FORMS, get_form
from dealerxl.i18n import tr
from dealerxl.jobs.targets import balanced_cells, run_targets
from workbook_fixtures import WritableStandInBook, labelled, settings_rows, write_workbook

YEAR = 2026
UNIT = 1000.0


@pytest.fixture(scope="session")
def result(sample_book):
    return run_targets(sample_book, YEAR)


def sample_variant(path, sample_data, changes, lang="zh-Hant"):
    forms = {}
    for form_id in FORMS:
        if form_id == "settings":
            forms[form_id] = settings_rows(lang)
            continue
        frame = sample_data.get(form_id)
        if form_id in changes:
            frame = changes[form_id](frame.copy())
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, lang)
    return write_workbook(path, forms, lang)


@pytest.fixture(scope="session")
def bounded_book(tmp_path_factory, sample_data):
    """The sample with the dealers' potential, floors and ceilings moved to the target year."""
    def this_year(inputs):
        # Next year's inputs (every dealer under contract at the end, bounds for some) in place of this year's.
        return inputs[inputs["year"] == YEAR + 1].assign(year=YEAR)

    return sample_variant(tmp_path_factory.mktemp("bounded") / "bounded.xlsx", sample_data,
                          {"target_inputs": this_year})


def annual(sample_data, scope):
    rows = sample_data["annual_targets"]
    return float(rows.loc[(rows["year"] == YEAR) & (rows["target_scope"] == scope), "target_amount"].iloc[0])


# ---- the table ------------------------------------------------------------------------------

def test_every_cell_is_a_whole_rounding_unit(result):
    amounts = result.tables["monthly_targets"]["target_amount"]
    assert (amounts >= 0).all() and np.allclose(amounts / UNIT, np.round(amounts / UNIT))


def test_the_total_is_the_sum_of_the_regions_annual_targets_exactly(result, sample_data):
    table = result.tables["monthly_targets"]
    for scope in ("north", "central", "south", "east", "west"):
        assert table.loc[table["region"] == scope, "target_amount"].sum() == annual(sample_data, scope)
    assert table["target_amount"].sum() == annual(sample_data, "company")


def test_each_regions_months_are_its_seasonal_split_with_the_override_kept(result, sample_data):
    table = result.tables["monthly_targets"]
    north = table[table["region"] == "north"]
    by_month = north.groupby("month")["target_amount"].sum()
    indices = north.groupby("month")["seasonal_index"].first().to_numpy()
    assert indices.sum() == pytest.approx(12)
    overrides = sample_data["target_overrides"]
    june = float(overrides.loc[(overrides["target_scope"] == "north")
                               & (overrides["month"] == f"{YEAR}-06-01"), "target_amount"].iloc[0])
    expected = seasonal_split(annual(sample_data, "north"), indices, [None] * 5 + [june] + [None] * 6, UNIT)["target"]
    assert by_month.to_numpy().tolist() == expected.tolist()
    assert by_month.iloc[5] == june


@pytest.fixture(scope="session")
def unbounded(tmp_path_factory, sample_data):
    """The targets of the sample with this year's floors and ceilings taken away."""
    def no_bounds(inputs):
        this_year = inputs["year"] == YEAR
        inputs.loc[this_year, ["target_floor", "target_ceiling"]] = np.nan
        return inputs

    book = sample_variant(tmp_path_factory.mktemp("unbounded") / "unbounded.xlsx", sample_data,
                          {"target_inputs": no_bounds})
    return run_targets(book, YEAR)


def test_every_dealer_has_twelve_months_adding_up_to_its_share(unbounded):
    table = unbounded.tables["monthly_targets"]
    assert (table.groupby("dealer_id").size() == 12).all()
    per_dealer = table.groupby("dealer_id").agg(total=("target_amount", "sum"), share=("allocation_share", "first"),
                                                region=("region", "first"))
    region_total = per_dealer.groupby("region")["total"].transform("sum")
    # Rounded to whole units of 1000, each dealer is within one unit per dealer of its exact share.
    assert np.all(np.abs(per_dealer["total"] - per_dealer["share"] * region_total) <= UNIT * len(per_dealer))
    assert per_dealer.groupby("region")["share"].sum().round(9).eq(1).all()


def test_floors_and_ceilings_bound_each_dealers_year(bounded_book, sample_data):
    """A dealer under contract for part of the year has its floor and ceiling for that part:
    scaled by the share of the year's targets falling in its months."""
    table = run_targets(bounded_book, YEAR).tables["monthly_targets"]
    per_dealer = table.groupby("dealer_id")["target_amount"].sum()
    month_totals = table.groupby([table["region"], table["month"]])["target_amount"].sum()
    master = sample_data["dealer_master"].set_index("dealer_id").reindex(per_dealer.index)
    months = pd.date_range(f"{YEAR}-01-01", periods=12, freq="MS")
    joined = pd.to_datetime(master["join_date"])
    ended = pd.to_datetime(master["termination_date"])
    under = np.array([[(pd.isna(j) or j <= m + pd.offsets.MonthEnd(0)) and (pd.isna(e) or e >= m) for m in months]
                      for j, e in zip(joined, ended)])
    region_months = np.array([month_totals.loc[region].reindex(months).to_numpy() for region in master["region"]])
    fraction = (region_months * under).sum(axis=1) / region_months.sum(axis=1)
    moved = sample_data["target_inputs"]
    bounds = moved[moved["year"] == YEAR + 1].set_index("dealer_id").reindex(per_dealer.index)
    floors, ceilings = bounds["target_floor"] * fraction, bounds["target_ceiling"] * fraction
    assert floors.notna().any() and ceilings.notna().any() and (fraction < 1).any()
    assert (per_dealer[floors.notna()] >= floors.dropna() - UNIT).all()
    assert (per_dealer[ceilings.notna()] <= ceilings.dropna() + UNIT).all()
    assert per_dealer.sum() == annual(sample_data, "company")


def test_balanced_cells_keep_both_totals():
    rows = np.array([7, 0, 13, 5])
    columns = np.array([3, 11, 9, 2])
    cells = balanced_cells(rows, columns)
    assert cells.sum(axis=1).tolist() == rows.tolist() and cells.sum(axis=0).tolist() == columns.tolist()
    assert np.all(np.abs(cells - np.outer(rows, columns) / 25) < 1)


def test_a_year_without_annual_targets_says_so(sample_book):
    from dealerxl.calc import CalcError

    with pytest.raises(CalcError, match="no row for 2031"):
        run_targets(sample_book, 2031)


# ---- the command line -----------------------------------------------------------------------

def test_headless_run_writes_a_new_localised_workbook_and_leaves_the_input_unchanged(sample_book, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = book.read_bytes()
    assert main(["targets", str(book), "--year", str(YEAR)]) == 0
    title = tr(get_form("monthly_targets").label_key("sheet"), "zh-Hant")
    report = tmp_path / "reports" / f"{title}_{YEAR}.xlsx"
    assert report.exists() and book.read_bytes() == before
    assert str(report) in capsys.readouterr().out
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_name(title).to_python()
    assert rows[0] == [tr(c.label_key, "zh-Hant") for c in get_form("monthly_targets").columns]
    assert tr("enum.region.north", "zh-Hant") in {r[3] for r in rows[1:]}


def test_english_headers_json_and_out(sample_book, sample_data, tmp_path, capsys):
    out = tmp_path / "targets.xlsx"
    assert main(["targets", str(sample_book), "--year", str(YEAR), "--out", str(out), "--json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outputs"] == [str(out)] and printed["problems"] == []
    assert printed["summary"]["total"] == annual(sample_data, "company")
    workbook = CalamineWorkbook.from_path(str(out))
    rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    assert rows[0] == [tr(c.label_key, "en") for c in get_form("monthly_targets").columns]
    assert len(rows) - 1 == printed["rows"]["monthly_targets"]


def test_input_problems_are_printed_with_their_cells_and_exit_with_one(sample_data, tmp_path, capsys):
    def blank_a_date(transactions):
        transactions["invoice_date"] = transactions["invoice_date"].astype(object)
        transactions.loc[5, "invoice_date"] = "not a date"
        return transactions

    book = sample_variant(tmp_path / "bad.xlsx", sample_data, {"sales_transactions": blank_a_date})
    out = tmp_path / "t.xlsx"
    assert main(["targets", str(book), "--year", str(YEAR), "--out", str(out)]) == 1
    sheet = tr(get_form("sales_transactions").label_key("sheet"), "zh-Hant")
    assert any(line.startswith(f"{sheet}!C") for line in capsys.readouterr().out.splitlines())
    assert out.exists()


def test_quiet_prints_nothing(sample_book, tmp_path, capsys):
    assert main(["targets", str(sample_book), "--year", str(YEAR), "--out", str(tmp_path / "q.xlsx"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_a_bad_year_or_a_year_without_targets_exits_with_two_and_writes_nothing(sample_book, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["targets", str(sample_book), "--year", "20x6", "--out", str(out)]) == 2
    assert main(["targets", str(sample_book), "--year", "2031", "--out", str(out)]) == 2
    assert "無法設定目標" in capsys.readouterr().err and not out.exists()


# ---- the ribbon button ----------------------------------------------------------------------

def test_targets_button_is_on_the_sales_group():
    button = load_buttons()["targets"]
    assert (button.group, button.image_mso, button.order) == ("sales", "ChartTrendline", 200)


def test_ribbon_writes_the_target_table_and_says_what_was_done(sample_book, sample_data):
    from dealerxl.excel.actions.targets import targets_book

    book = WritableStandInBook(sample_book)
    text = targets_book(book, YEAR)
    name = get_form("monthly_targets").table_name
    (written,) = next(t for s in book.sheets for t in s.tables if t.name == name).written
    assert list(written.columns) == [tr(c.label_key, "zh-Hant") for c in get_form("monthly_targets").columns]
    assert sum(written[tr("col.target_amount", "zh-Hant")]) == annual(sample_data, "company")
    assert book.app.status_history[0].startswith("設定目標") and book.app.status_history[-1] is False
    (alert,) = book.app.alerts
    assert alert["prompt"] == text and f"{len(written)} 列寫入" in text


def test_ribbon_without_the_table_writes_nothing_and_says_so(tmp_path):
    path = write_workbook(tmp_path / "no-table.xlsx", {"settings": settings_rows("en")}, "en")
    book = WritableStandInBook(path)
    text = on_button("targets", book)
    assert book.app.alerts and book.app.status_history[-1] is False
    assert "cannot be set" in text or "tbl_monthly_targets" in text


def test_a_dealer_whose_returns_exceed_its_sales_gets_no_history_share_not_an_error():
    import numpy as np
    import pandas as pd

    from dealerxl.calc.targets import allocate_targets
    from dealerxl.jobs.targets import dealer_basis

    months = pd.period_range("2025-01", "2026-06", freq="M")
    history = pd.DataFrame([np.full(len(months), 100.0), np.r_[np.full(len(months) - 1, 0.0), -50.0]],
                           index=["D1", "D2"], columns=months)
    basis = dealer_basis(history, 3)
    assert basis["history"].tolist() == [1200.0, 0.0]
    allocated = allocate_targets(1000.0, basis, weight_history=1.0, weight_growth=0.0, weight_potential=0.0)
    assert allocated["target_amount"].tolist() == [1000.0, 0.0]
