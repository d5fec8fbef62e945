"""Issued templates offer as many input rows as asked (the protected table cannot grow)."""
from __future__ import annotations

import zipfile

import pytest
from support.postgres import store_url  # noqa: F401  (fixture)
from support.keys import department_key  # noqa: F401  (fixture)
from test_exchange import MONTH, collect, fill, issued_file, monthly_rows

from dealerxl.build.layout import FIRST_DATA_ROW, HEADER_ROW
from dealerxl.cli import main


def table_ref(path) -> str:
    with zipfile.ZipFile(path) as package:
        table = next(package.read(n).decode() for n in package.namelist() if n.startswith("xl/tables/"))
    return table.split('ref="', 1)[1].split('"', 1)[0]


def test_issued_files_offer_the_rows_asked_for_and_come_back_with_all_of_them(tmp_path, sample_book, store_url):
    folder = tmp_path / "issued"
    assert main(["templates", "issue", "--form", "dealer_monthly", "--month", MONTH, "--dealers", "D00001",
                 "--rows", "450", "--out", str(folder), "--quiet"]) == 0
    path = issued_file(folder, "D00001")
    assert table_ref(path).endswith(f"{HEADER_ROW + 1 + 450}")  # header row + 450 input rows
    rows = monthly_rows(450)
    fill(path, tmp_path / "inbox" / "D00001.xlsx", rows, first_row=FIRST_DATA_ROW + 1)
    result = collect([tmp_path / "inbox"], store_url, tmp_path, sample_book, form_id="dealer_monthly", period=MONTH)
    assert [(o.recipient, o.status, o.rows) for o in result.collection.outcomes] == [("D00001", "accepted", 450)]


def test_issued_files_keep_the_usual_rows_without_the_option(tmp_path):
    from dealerxl.build.workbook import ISSUED_ROWS

    folder = tmp_path / "issued"
    assert main(["templates", "issue", "--form", "dealer_monthly", "--month", MONTH, "--dealers", "D00001",
                 "--out", str(folder), "--quiet"]) == 0
    assert table_ref(issued_file(folder, "D00001")).endswith(f"{HEADER_ROW + 1 + ISSUED_ROWS}")


@pytest.mark.parametrize("rows", ["0", "-5", "50001", "many", "2.5"])
def test_a_row_count_outside_what_a_file_can_offer_is_refused(rows, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["templates", "issue", "--form", "dealer_monthly", "--month", MONTH, "--dealers", "D00001",
              "--rows", rows, "--out", str(tmp_path / "issued")])
    assert stop.value.code == 2 and "--rows" in capsys.readouterr().err
    assert not (tmp_path / "issued").exists()
