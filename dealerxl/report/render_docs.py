"""``python -m dealerxl.report.render_docs [--out docs]``: the README's pictures, made again.

Writes the small sample workbook (zh-Hant) in a temporary folder, makes the dealer
statements of the sample's last month and renders one dealer's statement page to
``statement.png``; renders the first page of the monthly report's summary sheet to
``report-summary.png``. Both go through LibreOffice and pdftoppm exactly as ``--pdf`` does,
so the pictures show what users print.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from dealerxl.report.render import RenderFailed, RenderUnavailable, pdf_to_png, to_pdf

DPI = 110


def sample_workbook(folder: Path) -> Path:
    """The small sample as a zh-Hant workbook in ``folder``, as saved by a spreadsheet application.

    The builder writes formula columns without results (Excel works them out on opening);
    LibreOffice opens it, recalculates and saves it, as a user's Excel would.
    """
    from dealerxl.build import write_workbook
    from dealerxl.report.render import LibreOffice
    from dealerxl.sample import generate

    built = write_workbook(folder / "built" / "sample.xlsx", lang="zh-Hant", data=generate("small"), macro=False)
    office = LibreOffice()
    try:
        return office.convert(built, folder / "saved", "xlsx")
    finally:
        office.remove_profile()


def showcase_dealer(result) -> str:
    """The dealer whose statement fills the most sections (a rebate, open complaints, overdue money)."""
    dealers = result.tables["dealers"]["dealer_id"]
    rebates = set(result.tables["incentives"]["dealer_id"])
    complaints = set(result.tables["complaints"]["dealer_id"])
    ageing = result.tables["ageing"].set_index("dealer_id")
    overdue = set(ageing.index[ageing["overdue_amount"] > 0])
    score = dealers.map(lambda d: (d in rebates) * 4 + (d in complaints) * 2 + (d in overdue))
    return str(dealers.iloc[int(score.to_numpy().argmax())])


def statement_picture(workbook: Path, month: str, target: Path, work: Path) -> Path:
    """One dealer's statement page of ``month`` as the PNG ``target``."""
    from dealerxl.report.statements import run_statements, write_statements

    result = run_statements(workbook, month)
    dealer = showcase_dealer(result)
    single = write_statements(result, work / "statement.xlsx", dealers=[dealer])
    (pdf,) = to_pdf([single], work / "pdf")
    return pdf_to_png(pdf, target, page=1, dpi=DPI)


def summary_picture(workbook: Path, month: str, target: Path, work: Path) -> Path:
    """The first page of the monthly report's summary sheet as the PNG ``target``."""
    from dealerxl.report.monthly import summary_workbook

    single = summary_workbook(workbook, month, work / "summary.xlsx")
    (pdf,) = to_pdf([single], work / "pdf")
    return pdf_to_png(pdf, target, page=1, dpi=DPI)


def render_docs(out: Path) -> list[Path]:
    """Write ``statement.png`` and ``report-summary.png`` into ``out``; return them."""
    from dealerxl.sample import DEFAULT_END

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dealerxl-docs-") as folder:
        work = Path(folder)
        workbook = sample_workbook(work)
        return [statement_picture(workbook, DEFAULT_END, out / "statement.png", work),
                summary_picture(workbook, DEFAULT_END, out / "report-summary.png", work)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dealerxl.report.render_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder of the pictures (default: docs)")
    args = parser.parse_args(argv)
    try:
        for path in render_docs(args.out):
            print(path)
    except (RenderUnavailable, RenderFailed) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
