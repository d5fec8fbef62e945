"""The package parts the reader takes from the file itself: where Excel Tables sit, and
whether a sheet holds error cells (read in pieces)."""
import io
import zipfile

import pytest
import xlsxwriter

from dealerxl.book import workbook_file
from dealerxl.book.grid import TableRef
from dealerxl.book.workbook_file import WorkbookFile


def _book_with_tables(path):
    book = xlsxwriter.Workbook(str(path))
    first = book.add_worksheet("一覽")
    first.add_table("B3:D10", {"name": "tbl_Dealers", "columns": [{"header": h} for h in ("a", "b", "c")]})
    second = book.add_worksheet("Other")
    second.add_table("A6:B9", {"name": "tbl_no_header", "header_row": False})
    book.add_worksheet("Plain").write("A1", "x")
    book.close()
    return path


def test_tables_are_found_by_name_in_any_case_with_their_header_row_and_columns(tmp_path):
    source = WorkbookFile(_book_with_tables(tmp_path / "tables.xlsx"))
    expected = TableRef("一覽", header_row=2, first_column=1, last_column=3, column_names=("a", "b", "c"))
    assert source.table("tbl_Dealers") == expected
    assert source.table("TBL_DEALERS") == expected
    assert source.table("tbl_missing") is None


def test_a_table_without_a_header_row_points_at_the_row_above_its_data(tmp_path):
    source = WorkbookFile(_book_with_tables(tmp_path / "tables.xlsx"))
    assert source.table("tbl_no_header") == TableRef("Other", header_row=4, first_column=0, last_column=1)
    assert source.table("tbl_no_header").column_names == ()  # no header row: no names to find columns by


def test_a_workbook_without_tables_has_none(tmp_path):
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1").write("A1", 1)
    book.close()
    assert WorkbookFile(path).table("tbl_anything") is None


@pytest.mark.parametrize("offset", range(12))
def test_an_error_cell_is_found_wherever_it_falls_between_the_pieces_read(monkeypatch, offset):
    monkeypatch.setattr(workbook_file, "_CHUNK", 7)
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("with.xml", b"x" * offset + b'<c r="A1" t="e"><v>#N/A</v></c>' + b"y" * 9)
        z.writestr("without.xml", b"x" * offset + b'<c r="A1" t="s"><v>1</v></c>' * 3)
    with zipfile.ZipFile(package) as z:
        assert workbook_file._holds_error_cells(z, "with.xml")
        assert not workbook_file._holds_error_cells(z, "without.xml")
