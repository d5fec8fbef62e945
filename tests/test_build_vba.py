"""The generated VBA: UDF wrappers from the registry, the dispatcher, and the ASCII rule."""
from __future__ import annotations

import re

import pytest

from dealerxl.build.vba import ON_ACTION, check_ascii, dispatcher_module, udf_wrappers
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
