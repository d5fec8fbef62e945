"""The small sample as the Lite edition's tests compare it, made on CPython.

``python tests/support/lite_fixture.py FOLDER`` (or :func:`make`) writes into FOLDER:

* ``DealerWorkbook-Lite.xlsx``: the Lite workbook filled with the small sample, with a few
  cells typed wrong so validation has something to find (a negative stock quantity, text in an
  amount, a date that is not one);
* ``book.json``: its cells, tables and names as xlwings Lite hands them to a script
  (:func:`lite_book.snapshot_from_xlsx`), so the Lite code can read it inside Pyodide;
* ``desktop.json``: what the desktop edition gives for the same file, read the desktop way
  (python-calamine): the validation report, and each month-end job's tables and input problems.

``python tests/support/lite_fixture.py --functions FILE`` writes every ``DX_`` function's cells
for the Lite tests' cases as CPython computes them, for the Pyodide job to compare with.

Inside Pyodide there is no reader for the file, so the desktop results travel as this JSON.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: `support` and its siblings

from support.lite_book import encode, snapshot_from_xlsx  # noqa: E402

LANG = "zh-Hant"
MONTH = "2026-10"          # the sample's last month
AS_OF = "2026-10-31"
TARGET_YEAR = 2027
WRONG_CELLS = (  # form, row, column, value: what a hurried colleague types
    ("stock_ledger", 0, "on_hand", -5.0),
    ("receivables", 3, "amount", "約十萬"),
    ("receivables", 5, "due_date", "下個月"),
)


def frame_json(frame: pd.DataFrame) -> dict:
    return {"columns": [str(c) for c in frame.columns],
            "rows": [[encode(v) for v in row] for row in frame.astype(object).to_numpy().tolist()]}


def sample_data() -> dict[str, pd.DataFrame]:
    from dealerxl.sample import generate

    data = generate("small")
    for form_id, row, column, value in WRONG_CELLS:
        frame = data[form_id].astype({column: object})
        frame.loc[frame.index[row], column] = value
        data[form_id] = frame
    return data


def desktop_results(path: Path) -> dict:
    """The desktop edition on the saved file, with the same arguments as the Lite tests use: the
    ribbon buttons' jobs on the workbook as desktop xlwings hands it over (what each button writes
    into its table), the statements and the monthly report as the command line works them out,
    and the validation report of ``dealerxl check``."""
    from workbook_fixtures import WritableStandInBook

    from dealerxl.excel.actions.replenish import replenish_book
    from dealerxl.excel.actions.risk import review_book
    from dealerxl.excel.actions.targets import targets_book
    from dealerxl.excel.actions.validate import validation_report
    from dealerxl.forms import get_form
    from dealerxl.jobs.incentives import run_incentives, statement_sheets
    from dealerxl.jobs.replenish import PROPOSAL_FORM, run_replenishment
    from dealerxl.jobs.risk import REVIEW_FORM, run_risk_review
    from dealerxl.jobs.targets import OUTPUT_FORM, run_targets
    from dealerxl.lite.scripts import summary_frame
    from dealerxl.report.monthly import run_monthly_report

    def problems(result) -> list[str]:
        return [p.message(LANG) for p in result.problems]

    def written_by(button, form_id: str, *args) -> dict:
        book = WritableStandInBook(path)
        button(book, *args)
        table = next(t for s in book.sheets for t in s.tables if t.name == get_form(form_id).table_name)
        return frame_json(table.written[-1])

    incentives = run_incentives(path, MONTH, lang=LANG)
    monthly = run_monthly_report(path, MONTH)
    return {
        "validate": validation_report(path)[1],
        "replenish": {"table": written_by(replenish_book, PROPOSAL_FORM, AS_OF),
                      "problems": problems(run_replenishment(path, as_of=AS_OF, scorecards=False))},
        "risk": {"table": written_by(review_book, REVIEW_FORM, MONTH), "problems": problems(run_risk_review(path, MONTH))},
        "targets": {"table": written_by(targets_book, OUTPUT_FORM, TARGET_YEAR),
                    "problems": problems(run_targets(path, TARGET_YEAR))},
        "incentives": {"sheets": {name: frame_json(frame) for name, frame in statement_sheets(incentives).items()},
                       "problems": problems(incentives)},
        "monthly_summary": {"table": frame_json(summary_frame(monthly, LANG)), "problems": problems(monthly)},
    }


def make(folder: Path) -> Path:
    from dealerxl.lite.workbook import LITE_NAME, write_lite_workbook

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = write_lite_workbook(folder / LITE_NAME, lang=LANG, data=sample_data())
    (folder / "book.json").write_text(json.dumps(snapshot_from_xlsx(path), ensure_ascii=False), encoding="utf-8")
    (folder / "desktop.json").write_text(json.dumps(desktop_results(path), ensure_ascii=False), encoding="utf-8")
    return folder


def write_function_outcomes(path: Path) -> Path:
    """Every ``DX_`` function's cells for the Lite tests' cases, computed here (CPython), as JSON."""
    from test_lite_edition import LANG as TESTS_LANG, lite_outcomes

    from dealerxl.lite.code import main_py
    from support.lite_book import LiteRuntime

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(lite_outcomes(LiteRuntime(main_py(TESTS_LANG))), ensure_ascii=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    # lite_fixture.py FOLDER: the sample and the desktop results; --functions FILE: the functions' cells
    if sys.argv[1] == "--functions":
        print(write_function_outcomes(Path(sys.argv[2])))
    else:
        print(make(Path(sys.argv[1])))
