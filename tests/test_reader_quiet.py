"""Reading a workbook prints nothing of the readers' own: a column of mixed cells is read cell by
cell, so the fast reader's warning about it would only confuse the person running a job."""
from __future__ import annotations

import subprocess
import sys


def test_reading_every_form_of_a_workbook_with_mixed_columns_prints_no_reader_warning(sample_book, tmp_path):
    from openpyxl import load_workbook

    # a text in a number column: the fast reader cannot type that column and says so in its log
    mixed = tmp_path / "mixed.xlsx"
    book = load_workbook(sample_book)
    sheet = next(ws for ws in book.worksheets if ws.tables)
    table = next(iter(sheet.tables.values()))
    first_data_row = int("".join(ch for ch in table.ref.split(":")[0] if ch.isdigit())) + 1
    numeric = next(cell for cell in sheet[first_data_row] if isinstance(cell.value, (int, float)))
    numeric.value = "not a number"
    book.save(mixed)
    script = ("import sys; from dealerxl.book import read_workbook; read_workbook(sys.argv[1])")
    done = subprocess.run([sys.executable, "-c", script, str(mixed)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dtype" not in done.stderr and "falling back" not in done.stderr, done.stderr[-2000:]
