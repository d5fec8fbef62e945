"""Generating ``DealerWorkbook.xlsm`` and ``templates/`` from the form declarations.

``write_workbook`` writes the master workbook (XlsxWriter), ``vba`` adds the VBA project
(pyopenvba), ``package`` adds the ribbon and the macro-enabled content type as the last
zip step; ``write_template`` writes one distributable form; ``build_all`` does all of it.
"""
from .workbook import MASTER_NAME, TEMPLATES_DIR, build_all, write_template, write_workbook

__all__ = ["MASTER_NAME", "TEMPLATES_DIR", "build_all", "write_template", "write_workbook"]
