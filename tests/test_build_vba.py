"""The generated VBA: UDF wrappers from the registry, the dispatcher, the help registration,
the ASCII rule and the reserved-word rule."""
from __future__ import annotations

import re

import pytest

from dealerxl.build.vba import (DISPATCHER, ON_ACTION, REGISTER_HELP, check_ascii, dispatcher_module, udf_wrappers,
                                vba_arguments, workbook_module)
from dealerxl.build.vba_names import check_names, reserved_names
from dealerxl.excel.functions.registry import UdfInfo


def _info(name, args, optional=()):
    return UdfInfo(name, tuple(args), tuple(optional), (), lambda *a: None)


def test_a_registered_udf_gets_a_wrapper_calling_python_with_its_arguments():
    source = udf_wrappers({"DX_TRIAL": _info("DX_TRIAL", ["values", "periods", "alpha"], optional=["alpha"])})
    assert "Function DX_TRIAL(values, periods, Optional alpha)" in source
    assert ('DX_TRIAL = XLPy.CallUDF("dealerxl.excel.functions", "DX_TRIAL", Array(values, periods, alpha), '
            'ThisWorkbook, Application.Caller)') in source
    assert source.count("End Function") == 1
    assert source.isascii()


def test_wrappers_come_out_in_name_order_whatever_the_registration_order():
    source = udf_wrappers({"DX_ZETA": _info("DX_ZETA", ["x"]), "DX_ALPHA": _info("DX_ALPHA", ["x"])})
    assert re.findall(r"(?m)^Function (\w+)\(", source) == ["DX_ALPHA", "DX_ZETA"]


def test_the_dispatcher_passes_the_button_id_to_the_ribbon_module():
    source = dispatcher_module()
    assert f"Public Sub {ON_ACTION}(control As IRibbonControl)" in source
    assert "r.on_button('\" & control.Id & \"')" in source


def test_non_ascii_vba_source_is_refused():
    with pytest.raises(ValueError, match="non-ASCII"):
        check_ascii("DealerXL", "' 說明\r\n")


def test_a_reserved_word_as_an_argument_gets_its_vba_name_and_still_passes_by_position():
    from dealerxl.excel.functions import UDFS

    source = udf_wrappers({"DX_WORKING_HOURS": UDFS["DX_WORKING_HOURS"]})
    assert "Function DX_WORKING_HOURS(start, end_time, Optional day_start_hour," in source
    assert 'Array(start, end_time, day_start_hour, day_end_hour, holidays, weekmask)' in source
    assert vba_arguments(UDFS["DX_WORKING_HOURS"])[1] == "end_time"
    assert UDFS["DX_WORKING_HOURS"].args[1] == "end"  # the Python name stays


def test_a_reserved_argument_without_a_vba_name_is_refused():
    with pytest.raises(ValueError, match="'date' is a word VBA reserves"):
        udf_wrappers({"DX_TRIAL": _info("DX_TRIAL", ["values", "date"])})


@pytest.mark.parametrize("source, kind, name", [
    ("Function F(start, end)\r\nEnd Function", "parameter", "end"),
    ("Sub Print()\r\nEnd Sub", "procedure", "Print"),
    ("Sub S()\r\n    Dim x As Long, date As String\r\nEnd Sub", "variable", "date"),
    ("Private Const Len As Long = 3", "constant", "Len"),
    ("Public Enum Modes\r\n    Each = 1\r\nEnd Enum", "enum member", "Each"),
    ("Sub S()\r\n    For Each Next In items\r\n    Next\r\nEnd Sub", "variable", "Next"),
    ("Private Declare PtrSafe Function Stop Lib \"k\" (ByVal Input As Long) As Long", "procedure", "Stop"),
])
def test_a_reserved_word_is_found_in_every_kind_of_declaration(source, kind, name):
    found = reserved_names(source)
    assert [(d.kind, d.name) for d in found][:1] == [(kind, name)]
    with pytest.raises(ValueError, match="reserved words"):
        check_names("Trial", source)


def test_names_that_only_contain_reserved_words_and_words_in_strings_or_comments_are_allowed():
    source = ('Function Ending(start_date, end_time, ByVal Optional_ As Long) \' end, Date, Print\r\n'
              '    Dim dates As Variant: dates = "End Sub"\r\n'
              '    Ending = Len(dates)\r\n'
              'End Function')
    assert reserved_names(source) == []
    check_names("Trial", source)


def test_the_workbook_registers_the_functions_help_when_it_opens():
    assert f"    {REGISTER_HELP}" in workbook_module().splitlines()
    source = dispatcher_module()
    assert f"Public Sub {REGISTER_HELP}()" in source
    assert "Application.MacroOptions Macro:=macroName" in source and "ArgumentDescriptions:=HelpArguments" in source
    assert 'ThisWorkbook.Worksheets("_dx_help")' in source
    assert "ThisWorkbook.Saved = wasSaved" in source
    check_names(DISPATCHER, source)
    check_ascii(DISPATCHER, source)
