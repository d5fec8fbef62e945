"""The VBA project: xlwings' standalone module, one ribbon dispatcher, the registration of
the functions' help, and UDF wrappers.

All VBA is ASCII (non-ASCII text is lost in a VBA module); every label people read lives
in the ribbon XML, the cells or Python. The UDF wrappers are generated from the registry
in :mod:`dealerxl.excel.functions`, so nobody has to click "Import Functions". No module
may use a word VBA reserves as a name (:mod:`.vba_names`): Excel would then compile none of
that module's procedures.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from pyopenvba import ExcelFile
from pyopenvba.vba import VBAModuleKind, normalize_class_source

from dealerxl.excel.functions.registry import UDF_MODULE

from .layout import HELP_SHEET
from .vba_names import check_names, is_reserved

DISPATCHER = "DealerXL"
UDF_MODULE_NAME = "DealerXL_Functions"
WORKBOOK_MODULE = "ThisWorkbook"
ON_ACTION = "DX_OnAction"
REGISTER_HELP = "DX_RegisterHelp"

# Python argument names VBA reserves, and the name the VBA wrapper gives the argument instead.
# Arguments pass by position, so only the name shown in Excel's Function Arguments dialog changes.
VBA_ARGUMENT_NAMES: dict[str, dict[str, str]] = {
    "DX_WORKING_HOURS": {"end": "end_time"},
}


def _wheel_file(*parts: str) -> str:
    path = resources.files("xlwings").joinpath(*parts)
    return path.read_text(encoding="ascii")


def xlwings_module() -> str:
    """xlwings' standalone VBA module, as shipped in the installed (pinned) xlwings wheel."""
    return _wheel_file("xlwings.bas")


def dictionary_class() -> str:
    """The Dictionary class xlwings' module needs on macOS (shipped in the same wheel)."""
    return _wheel_file("addin", "Dictionary.cls")


def dispatcher_module() -> str:
    """One ribbon callback for every button (it passes the button's id to Python), and the
    registration of the functions' help for Excel's Insert Function dialog."""
    return "\r\n".join([
        f'Attribute VB_Name = "{DISPATCHER}"',
        "Option Explicit",
        "",
        "' Every ribbon button calls this; Python decides what the button does.",
        f"Public Sub {ON_ACTION}(control As IRibbonControl)",
        "    RunPython \"import dealerxl.excel.ribbon as r; r.on_button('\" & control.Id & \"')\"",
        "End Sub",
        "",
        *help_registration(),
    ])


def help_registration() -> list[str]:
    """VBA that registers each function's description and argument descriptions with
    ``Application.MacroOptions``, reading them from the hidden help sheet (its layout is
    :mod:`.help_sheet`'s), so the texts can be in the workbook's language while the VBA
    stays ASCII. Registering marks the workbook as changed; its saved state is put back,
    so opening and closing it asks nothing."""
    return [
        "' Excel's Insert Function dialog shows the texts registered here; they live on the",
        f"' hidden sheet {HELP_SHEET}: one row per function (name, description, category,",
        "' number of arguments, one description per argument).",
        f"Public Sub {REGISTER_HELP}()",
        "    Dim helpSheet As Object, helpRow As Long, wasSaved As Boolean",
        "    On Error GoTo done",
        "    wasSaved = ThisWorkbook.Saved",
        f'    Set helpSheet = ThisWorkbook.Worksheets("{HELP_SHEET}")',
        "    helpRow = 2",
        "    Do While Len(helpSheet.Cells(helpRow, 1).Value) > 0",
        "        RegisterFunctionHelp helpSheet, helpRow",
        "        helpRow = helpRow + 1",
        "    Loop",
        "done:",
        "    ThisWorkbook.Saved = wasSaved",
        "End Sub",
        "",
        "Private Sub RegisterFunctionHelp(helpSheet As Object, helpRow As Long)",
        "    Dim macroName As String",
        "    ' One function's help failing (a protected project, say) must not stop the others.",
        "    On Error Resume Next",
        "    macroName = \"'\" & Replace(ThisWorkbook.Name, \"'\", \"''\") & \"'!\" & helpSheet.Cells(helpRow, 1).Value",
        "    If helpSheet.Cells(helpRow, 4).Value > 0 Then",
        "        Application.MacroOptions Macro:=macroName, Description:=CStr(helpSheet.Cells(helpRow, 2).Value), _",
        "            Category:=CStr(helpSheet.Cells(helpRow, 3).Value), ArgumentDescriptions:=HelpArguments(helpSheet, helpRow)",
        "    Else",
        "        Application.MacroOptions Macro:=macroName, Description:=CStr(helpSheet.Cells(helpRow, 2).Value), _",
        "            Category:=CStr(helpSheet.Cells(helpRow, 3).Value)",
        "    End If",
        "End Sub",
        "",
        "' The argument descriptions of one help row, in the order of the function's arguments.",
        "Public Function HelpArguments(helpSheet As Object, helpRow As Long) As Variant",
        "    Dim argumentCount As Long, position As Long, texts() As String",
        "    argumentCount = helpSheet.Cells(helpRow, 4).Value",
        "    ReDim texts(0 To argumentCount - 1)",
        "    For position = 0 To argumentCount - 1",
        "        texts(position) = CStr(helpSheet.Cells(helpRow, 5 + position).Value)",
        "    Next position",
        "    HelpArguments = texts",
        "End Function",
        "",
    ]


def workbook_module() -> str:
    """``ThisWorkbook``'s code: register the functions' help each time the workbook opens."""
    return "\r\n".join([
        "Private Sub Workbook_Open()",
        f"    {REGISTER_HELP}",
        "End Sub",
        "",
    ])


def vba_arguments(info) -> tuple[str, ...]:
    """The names the VBA wrapper of ``info`` gives its arguments: the Python names, except
    those VBA reserves, which :data:`VBA_ARGUMENT_NAMES` renames. A reserved name without a
    replacement is refused."""
    renamed = VBA_ARGUMENT_NAMES.get(info.name, {})
    names = []
    for arg in info.args:
        name = renamed.get(arg, arg)
        if is_reserved(name):
            raise ValueError(f"UDF {info.name}: argument {arg!r} is a word VBA reserves; give it a VBA name in "
                             "dealerxl.build.vba.VBA_ARGUMENT_NAMES")
        names.append(name)
    return tuple(names)


def udf_wrappers(udfs) -> str:
    """One VBA function per registered UDF, calling Python through xlwings (as xlwings'
    own "Import Functions" would write them)."""
    lines = [f'Attribute VB_Name = "{UDF_MODULE_NAME}"',
             "' Generated by dealerxl build from dealerxl.excel.functions; rebuild instead of editing.",
             '#Const App = "Microsoft Excel"', ""]
    for info in sorted(udfs.values(), key=lambda u: u.name):
        args = vba_arguments(info)
        optional = {vba for vba, arg in zip(args, info.args) if arg in info.optional}
        params = ", ".join(f"Optional {a}" if a in optional else a for a in args)
        call_args = ", ".join(args)
        name = info.name
        lines += [
            f"Function {name}({params})",
            "    If TypeOf Application.Caller Is Range Then On Error GoTo failed",
            f'    {name} = XLPy.CallUDF("{UDF_MODULE}", "{name}", Array({call_args}), ThisWorkbook, Application.Caller)',
            "    Exit Function",
            "failed:",
            f"    {name} = Err.Description",
            "End Function",
            "",
        ]
    return "\r\n".join(lines)


def modules(udfs) -> dict[str, tuple[str, VBAModuleKind]]:
    """Every module of the project: name → (source, kind)."""
    return {
        "xlwings": (xlwings_module(), VBAModuleKind.standard),
        "Dictionary": (dictionary_class(), VBAModuleKind.other),
        DISPATCHER: (dispatcher_module(), VBAModuleKind.standard),
        UDF_MODULE_NAME: (udf_wrappers(udfs), VBAModuleKind.standard),
    }


def crlf(source: str) -> str:
    """VBA modules use Windows line ends."""
    return source.replace("\r\n", "\n").replace("\n", "\r\n")


def check_ascii(name: str, source: str) -> None:
    bad = next((ch for ch in source if ord(ch) > 127), None)
    if bad is not None:
        raise ValueError(f"VBA module {name} holds the non-ASCII character {bad!r}; VBA would lose it")


def add_vba_project(path: Path, udfs) -> None:
    """Give the macro-enabled workbook at ``path`` its VBA project, in place."""
    with ExcelFile(path) as book:
        project = book.add_vba_project()
        for name, (source, kind) in modules(udfs).items():
            check_ascii(name, source)
            check_names(name, source)
            source = crlf(source)
            if kind is VBAModuleKind.other:
                source = normalize_class_source(source)
            project.add_module(name, source, kind=kind)
        workbook = project.get_module(WORKBOOK_MODULE)
        check_ascii(WORKBOOK_MODULE, workbook_module())
        check_names(WORKBOOK_MODULE, workbook_module())
        workbook.body = crlf(workbook_module())
        book.save()
