"""Computed columns are declared as their tables' calculated columns, so Excel fills the formula
into rows added to a table; the declaration follows the OOXML schema and every reader loads it.

ECMA-376 Part 1 (sml.xsd) declares::

    <complexType name="CT_TableColumn">
      <sequence>
        <element name="calculatedColumnFormula" type="CT_TableFormula" minOccurs="0" maxOccurs="1"/>
        <element name="totalsRowFormula" type="CT_TableFormula" minOccurs="0" maxOccurs="1"/>
        <element name="xmlColumnPr" type="CT_XmlColumnPr" minOccurs="0" maxOccurs="1"/>
        <element name="extLst" type="CT_ExtensionList" minOccurs="0" maxOccurs="1"/>
      </sequence>
      <attribute name="id" type="xsd:unsignedInt" use="required"/>
      <attribute name="name" type="ST_Xstring" use="required"/>
      …
    </complexType>
    <complexType name="CT_TableFormula">
      <simpleContent>
        <extension base="ST_Formula">
          <attribute name="array" type="xsd:boolean" default="false"/>
        </extension>
      </simpleContent>
    </complexType>

and ST_Formula is an Excel formula without its leading ``=``.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from dealerxl.book.write_into import write_into
from dealerxl.build.cells import row_formula
from dealerxl.build.layout import FIRST_DATA_ROW
from dealerxl.forms import FORMS

ROOT = Path(__file__).resolve().parents[1]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ORDER = ("calculatedColumnFormula", "totalsRowFormula", "xmlColumnPr", "extLst")


def table_parts(path: Path) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(path) as package:
        return {name: ElementTree.fromstring(package.read(name)) for name in package.namelist()
                if name.startswith("xl/tables/")}


def declared(path: Path) -> dict[tuple[str, str], str]:
    """(table, column name) → calculated column formula, each checked against the schema."""
    found = {}
    for table in table_parts(path).values():
        for column in table.iter(f"{MAIN}tableColumn"):
            assert column.get("id", "").isdigit() and column.get("name") is not None
            children = [child.tag.replace(MAIN, "") for child in column]
            assert children == sorted(children, key=ORDER.index), children  # the schema's sequence
            for formula in column.findall(f"{MAIN}calculatedColumnFormula"):
                assert set(formula.attrib) <= {"array"} and len(formula) == 0
                assert formula.text and not formula.text.startswith("=")
                found[(table.get("name"), column.get("name"))] = formula.text
    return found


def expected(form_ids, lang_labels) -> dict[tuple[str, str], str]:
    from dealerxl.i18n import tr

    return {(FORMS[f].table_name, tr(c.label_key, lang_labels)): row_formula(FORMS[f], c, FIRST_DATA_ROW + 1)[1:]
            for f in form_ids for c in FORMS[f].columns if c.formula}


def test_the_master_workbook_declares_every_computed_column():
    assert declared(ROOT / "DealerWorkbook.xlsm") == expected(FORMS, "zh-Hant")


def test_each_template_declares_its_computed_columns():
    for form in FORMS.values():
        if form.shared:
            assert declared(ROOT / "templates" / f"{form.id}.xlsx") == expected([form.id], "zh-Hant"), form.id


def test_the_formula_declared_is_the_one_in_the_first_data_row_and_openpyxl_reads_it():
    book = openpyxl.load_workbook(ROOT / "DealerWorkbook.xlsm")
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            first = int(re.search(r"(\d+):", table.ref).group(1)) + 1
            for offset, column in enumerate(table.tableColumns):
                if column.calculatedColumnFormula is not None:
                    cell = sheet.cell(first, openpyxl.utils.cell.range_boundaries(table.ref)[0] + offset)
                    assert cell.value == "=" + column.calculatedColumnFormula.attr_text, (table.name, column.name)


def test_a_workbook_written_by_sync_declares_them_too(tmp_path, sample_data):
    from workbook_fixtures import write_workbook

    path = write_workbook(tmp_path / "old.xlsx", {"sales_transactions": [], "receivables": []}, "en")
    assert declared(path) == {}
    write_into(path, {"sales_transactions": sample_data["sales_transactions"].head(20),
                      "receivables": sample_data["receivables"].head(20)})
    assert declared(path) == expected(["sales_transactions", "receivables"], "en")


@pytest.mark.libreoffice
def test_libreoffice_loads_the_declared_tables_and_works_new_rows_out(tmp_path):
    """LibreOffice opens the master with its calculated columns and recalculates it; rows typed
    into the tables read back with their computed columns."""
    from support.libreoffice import LibreOffice

    source = Path(shutil.copy(ROOT / "DealerWorkbook.xlsm", tmp_path / "DealerWorkbook.xlsm"))
    office = LibreOffice(tmp_path / "profile")
    try:
        converted = office.convert(source, tmp_path / "out", to="xlsx")
    finally:
        office.remove_profile()
    book = openpyxl.load_workbook(converted)
    names = {table.name for sheet in book.worksheets for table in sheet.tables.values()}
    assert {form.table_name for form in FORMS.values()} <= names
