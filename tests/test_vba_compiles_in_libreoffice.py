"""The workbook's VBA compiled by a real Basic engine: LibreOffice's, in VBA mode.

What this proves: LibreOffice loads the VBA project of ``DealerWorkbook.xlsm`` (the same
modules, the same code) as a VBA-mode project; every module that holds code (xlwings'
module and Dictionary class, the ribbon dispatcher with the help registration, the
``DX_`` wrappers, ``ThisWorkbook``) compiles, once with the conditional compilation of Excel
on 64-bit Windows and once with that of Excel for Mac; a module with a syntax error or a
reserved word as a name is caught, and the procedure at fault is named; the VBA that reads
the functions' help runs and reads the hidden sheet's texts, Chinese included.

What it cannot prove: LibreOffice's Basic is laxer than Excel's VBA. It accepts undeclared
variables under ``Option Explicit`` and does not check calls into Excel's object model
(``Application.MacroOptions``), into xlwings' DLL or into Windows and macOS libraries
(``Declare``), nor argument types; those only fail, if at all, when the code runs in Excel.
To read the code at all it needs two substitutions, listed by the test that checks them
(``Declare PtrSafe`` → ``Declare``, ``VBA.``-qualified constants in an ``Enum`` → numbers).
Reserved words used as names are therefore also checked against the VBA language
specification's list (:mod:`dealerxl.build.vba_names`), independently of LibreOffice.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlsxwriter
from pyopenvba import ExcelFile
from support.vba_compile import DECLARATIONS, compile_workbook, holds_code, workbook_modules
from support.vba_source import PLATFORMS

from dealerxl.build.help_sheet import help_rows
from dealerxl.build.layout import HELP_SHEET
from dealerxl.build.vba import crlf
from dealerxl.build.vba_names import reserved_names
from dealerxl.excel.functions import UDFS

pytestmark = pytest.mark.libreoffice

MASTER = Path(__file__).resolve().parents[1] / "DealerWorkbook.xlsm"
STANDARD, CLASS, DOCUMENT = 1, 2, 4  # com.sun.star.script.ModuleType

# The wrapper the generator wrote before reserved words were refused: `end` as a parameter name.
OLD_WRAPPER = '''Attribute VB_Name = "OldWrappers"
Function DX_AGING(due_dates, amounts, as_of, Optional buckets)
    DX_AGING = XLPy.CallUDF("dealerxl.excel.functions", "DX_AGING", Array(due_dates, amounts, as_of, buckets), ThisWorkbook, Application.Caller)
End Function

Function DX_WORKING_HOURS(start, end, Optional day_start_hour, Optional day_end_hour, Optional holidays, Optional weekmask)
    If TypeOf Application.Caller Is Range Then On Error GoTo failed
    DX_WORKING_HOURS = XLPy.CallUDF("dealerxl.excel.functions", "DX_WORKING_HOURS", Array(start, end, day_start_hour, day_end_hour, holidays, weekmask), ThisWorkbook, Application.Caller)
    Exit Function
failed:
    DX_WORKING_HOURS = Err.Description
End Function
'''
UNFINISHED = '''Attribute VB_Name = "Unfinished"
Option Explicit

Public Function Fine(x)
    Fine = 2 * x
End Function

Public Function Unclosed(x)
    If x > 0 Then
        Unclosed = 1
End Function
'''
BAD_DECLARATIONS = '''Attribute VB_Name = "BadDeclarations"
Option Explicit
Private Const = 5

Public Function Fine(x)
    Fine = x
End Function
'''
GOOD = '''Attribute VB_Name = "Good"
Option Explicit

#If Mac Then
    Private Const Platform As String = "mac"
#Else
    Private Const Platform As String = "windows"
#End If

Public Function Twice(x)
    Twice = 2 * x
End Function
'''


@pytest.fixture(scope="module")
def master_report():
    return compile_workbook(MASTER, extra={
        "help_arguments": ("DealerXL", f'Join(HelpArguments(ThisWorkbook.Worksheets("{HELP_SHEET}"), 2), "|")'),
        "help_last_row": ("DealerXL", f'ThisWorkbook.Worksheets("{HELP_SHEET}").Cells({len(UDFS) + 1}, 1).Value'),
    })


def macro_workbook(path: Path, modules: dict[str, str]) -> Path:
    """A one-sheet macro workbook holding ``modules`` (name → source)."""
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1")
    book.close()
    with ExcelFile(path) as excel:
        project = excel.add_vba_project()
        for name, source in modules.items():
            project.add_module(name, crlf(source))
        excel.save()
    return path


def test_libreoffice_loads_the_workbooks_vba_project_in_vba_mode(master_report):
    run = master_report.run
    assert run.vba_mode
    assert set(run.loaded) == set(workbook_modules(MASTER))
    assert run.module_types["xlwings"] == run.module_types["DealerXL"] == run.module_types["DealerXL_Functions"] == STANDARD
    assert run.module_types["Dictionary"] == CLASS
    assert run.module_types["ThisWorkbook"] == DOCUMENT
    for name, source in master_report.modules.items():
        ours = [line for line in source.splitlines() if line.strip() and not line.startswith("Attribute ")]
        loaded = [line for line in run.loaded[name].splitlines() if line.strip()]
        assert all(line in loaded for line in ours), f"{name}: LibreOffice loaded other code than the workbook holds"


def test_every_module_compiles_for_excel_on_windows_and_on_mac(master_report):
    assert master_report.run.finished, master_report.run.output
    assert [str(failure) for failure in master_report.failures] == []
    with_code = sorted(name for name, source in workbook_modules(MASTER).items() if holds_code(source))
    assert with_code == sorted(["xlwings", "Dictionary", "DealerXL", "DealerXL_Functions", "ThisWorkbook"])
    for platform in PLATFORMS:
        assert sorted(master_report.compiled[platform]) == with_code, platform


def test_only_the_listed_substitutions_were_needed(master_report):
    for platform, substitutions in master_report.substitutions.items():
        listed = "\n".join(f"  {s.module}:{s.line}: {s.before}  ->  {s.after}" for s in substitutions)
        print(f"substituted for LibreOffice's parser ({platform}):\n{listed}")
        for s in substitutions:
            ptr_safe = s.after == re.sub(r"Declare\s+PtrSafe", "Declare", s.before)
            enum_constant = (s.module == "Dictionary" and re.fullmatch(r"\w+Compare = VBA\.vb\w+Compare", s.before)
                             and re.fullmatch(r"\w+Compare = [012]", s.after))
            assert ptr_safe or enum_constant, s
        assert sum("PtrSafe" in s.before for s in substitutions) >= 4
        assert sum("VBA.vb" in s.before for s in substitutions) == 3


def test_the_help_registration_reads_the_hidden_sheet_in_libreoffice(master_report):
    first = help_rows(UDFS, "zh-Hant")[0]
    assert master_report.extra["help_arguments"] == "|".join(first[4:])
    assert master_report.extra["help_last_row"] == sorted(UDFS)[-1]


def test_no_module_of_the_workbook_uses_a_reserved_word_as_a_name():
    for name, source in workbook_modules(MASTER).items():
        assert reserved_names(source, name) == [], name


def test_broken_modules_fail_and_the_procedure_at_fault_is_named(tmp_path):
    book = macro_workbook(tmp_path / "broken.xlsm", {
        "Good": GOOD, "OldWrappers": OLD_WRAPPER, "Unfinished": UNFINISHED, "BadDeclarations": BAD_DECLARATIONS})
    report = compile_workbook(book)
    assert report.run.finished, report.run.output
    found = {(f.platform, f.module): f.culprits for f in report.failures}
    for platform in PLATFORMS:
        assert report.compiled[platform] == ["Good"]
        assert found[(platform, "OldWrappers")] == ("DX_WORKING_HOURS",)
        assert found[(platform, "Unfinished")] == ("Unclosed",)
        assert found[(platform, "BadDeclarations")] == (DECLARATIONS,)
    assert [d.name for d in reserved_names(OLD_WRAPPER)] == ["end"]
