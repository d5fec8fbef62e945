"""The month-end jobs, each timed as read, compute and write, and the floor under each.

Jobs are driven through their command modules (``dealerxl/cli/<job>.py``), exactly as
``dealerxl <job>`` runs them: the command's ``run_job`` call is intercepted to obtain the
job's own ``run``, ``sheets``/``formats`` or ``write``. Reading is the time spent in
``load_inputs`` (open the workbook, read and validate the forms); compute is the rest of
``run``; write is saving the result workbook. The floor writes the same cells again: the
output tables of most jobs, the sheets of the monthly report and one sheet per dealer for
the statements, so a job that writes more pays for more. A job whose command module is missing is
skipped with a note, so the suite follows the tree as jobs are added.
"""
from __future__ import annotations

import argparse
import sys
import time
from importlib import import_module
from pathlib import Path

from .timing import Stopwatch

# name, command module, arguments after the workbook (month and year of the sample's last month)
JOBS = (
    ("validate", "check", ()),
    ("targets", "targets", ("--year", "{year}")),
    ("incentives", "incentives", ("--month", "{month}")),
    ("replenish", "replenish", ("--as-of", "{month_end}")),
    ("risk", "risk", ("--month", "{month}")),
    ("dealers", "appraise", ("--month", "{month}")),
    ("service", "service", ("--month", "{month}")),
    ("monthly report", "report", ("--month", "{month}")),
    ("statements", "statements", ("--month", "{month}")),
)


def available_jobs() -> tuple[list[tuple], list[str]]:
    """The jobs whose command exists in this tree, and a note for each that does not."""
    found, notes = [], []
    for name, command, argv in JOBS:
        try:
            import_module(f"dealerxl.cli.{command}")
        except ModuleNotFoundError:
            notes.append(f"{name}: skipped, dealerxl.cli.{command} does not exist in this tree")
            continue
        found.append((name, command, argv))
    return found, notes


def _arguments(command: str, workbook: Path, argv, out: Path, end_month: str):
    import pandas as pd

    month = pd.Period(end_month, "M")
    values = {"year": str(month.year), "month": str(month), "month_end": str(month.end_time.date())}
    parser = argparse.ArgumentParser(prog="dealerxl")
    subparsers = parser.add_subparsers()
    import_module(f"dealerxl.cli.{command}").register(subparsers)
    extra = [a.format(**values) for a in argv]
    if command != "check":
        extra += ["--out", str(out), "--quiet"]
    return parser.parse_args([command, str(workbook), *extra])


READERS = (("dealerxl.book.read", "open_source"), ("dealerxl.book", "read_form"),
           ("dealerxl.book", "read_settings"), ("dealerxl.jobs.common", "load_inputs"))


def _time_reading(watch: Stopwatch, forms_read: list) -> None:
    """Wrap the workbook readers wherever a dealerxl module imported them, to time reading
    (outermost call only) and record which forms were read."""
    depth = [0]

    def timed(original, name):
        def reader(*args, **kwargs):
            if name == "read_form" and len(args) > 1 and args[1] not in forms_read:
                forms_read.append(args[1])
            if name == "load_inputs" and len(args) > 1:
                forms_read.extend(f for f in args[1] if f not in forms_read)
            depth[0] += 1
            try:
                if depth[0] > 1:
                    return original(*args, **kwargs)
                with watch("read"):
                    return original(*args, **kwargs)
            finally:
                depth[0] -= 1
        return reader

    for module_name, name in READERS:
        original = getattr(import_module(module_name), name)
        wrapper = timed(original, name)
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("dealerxl") and getattr(module, name, None) is original:
                setattr(module, name, wrapper)


def run_job_measured(command: str, argv, workbook: str, out_dir: str, end_month: str) -> dict:
    """One job in this process: read/compute/write seconds, forms read, and the workbook it
    wrote (whose cells the floor writes again)."""
    out = Path(out_dir)
    watch, forms_read = Stopwatch(), []
    if command == "check":
        from dealerxl.book import read_workbook

        with watch("read"):
            result = read_workbook(Path(workbook))
        from dealerxl.forms import FORMS

        return {"read_s": watch.laps["read"], "compute_s": 0.0, "write_s": 0.0, "problems": len(result.problems),
                "forms_read": [f for f in FORMS if FORMS[f].kind != "output"], "output": None}
    module = import_module(f"dealerxl.cli.{command}")
    captured = {}
    module.run_job = lambda args, lang, **kwargs: captured.update(kwargs) or 0
    args = _arguments(command, Path(workbook), argv, out / f"{command}.xlsx", end_month)
    args.func(args)
    _time_reading(watch, forms_read)
    with watch("run"):
        result = captured["run"]()
    from dealerxl.jobs.common import write_result_workbook

    path = out / f"{command}.xlsx"
    with watch("write"):
        if captured.get("write") is not None:
            list(captured["write"](result, path))
        else:
            formats = captured.get("formats")
            write_result_workbook(path, captured["sheets"](result), formats=formats(result.lang) if formats else None)
    read = watch.laps.get("read", 0.0)
    return {"read_s": read, "compute_s": watch.laps["run"] - read, "write_s": watch.laps["write"],
            "problems": len(result.problems), "forms_read": forms_read, "output": str(path)}


def floor_measured(workbook: str, forms_read: list, output: str | None, out: str, lang: str) -> dict:
    """The least any job can spend: read its input sheets with the fastest reader here, and
    write every cell of the workbook the job wrote (same sheets, values only: no formats,
    charts or page setup) with XlsxWriter in row order (constant memory), nothing else."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    written = []
    if output:  # the job's own output, read back before the clock starts
        produced = CalamineWorkbook.from_path(output)
        written = [(name, produced.get_sheet_by_name(name).to_python()) for name in produced.sheet_names]
    reads = read_floors(workbook, input_sheets(workbook, forms_read, lang))
    reader = min(reads, key=reads.get)
    start = time.perf_counter()
    if written:
        target = xlsxwriter.Workbook(out, {"constant_memory": True, "nan_inf_to_errors": True})
        for name, rows in written:
            sheet = target.add_worksheet(name)
            for index, row in enumerate(rows):
                sheet.write_row(index, 0, row)
        target.close()
    return {"read_s": reads[reader], "reader": reader, "reads": reads, "write_s": time.perf_counter() - start}


def input_sheets(workbook: str, forms_read: list, lang: str) -> list[tuple[str, int | None]]:
    """The sheet of each form read, and its table's header row (0-based) where it has one."""
    from dealerxl.book.workbook_file import WorkbookFile
    from dealerxl.forms import FORMS
    from dealerxl.i18n import tr

    source = WorkbookFile(workbook)
    sheets = []
    for form_id in forms_read:
        table = source.table(FORMS[form_id].table_name)
        sheets.append((tr(FORMS[form_id].label_key("sheet"), lang), table.header_row if table else None))
    return sheets


def read_floors(workbook: str, sheets: list[tuple[str, int | None]]) -> dict[str, float]:
    """Seconds to read the sheets with each fast reader installed: python-calamine (cells as
    Python values) always, fastexcel (typed Arrow columns, told the header row) when it and
    pyarrow are installed."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_path(workbook)
    for name, _ in sheets:
        book.get_sheet_by_name(name).to_python()
    reads = {"python-calamine": time.perf_counter() - start}
    try:
        import fastexcel
        import pyarrow  # noqa: F401  (fastexcel hands its columns over as Arrow)
    except ImportError:
        return reads
    start = time.perf_counter()
    reader = fastexcel.read_excel(workbook)
    for name, header in sheets:
        reader.load_sheet_by_name(name, header_row=header).to_arrow()
    reads["fastexcel"] = time.perf_counter() - start
    return reads
