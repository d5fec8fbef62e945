"""Workbook I/O: reading a form's table out of a workbook into a typed, validated DataFrame.

``read_form(source, form_id)`` → :class:`FormRead` (clean rows, problems with cells);
``read_settings(source)`` → setting id → typed value; ``read_workbook(source)`` → every
form. ``source`` is a workbook path, or an xlwings ``Book`` open in Excel.
"""
from .problems import Problem, WorkbookUnreadable
from .read import SettingValues, WorkbookRead, open_source, read_form, read_settings, read_workbook, workbook_language
from .validate import FormRead

__all__ = ["FormRead", "Problem", "SettingValues", "WorkbookRead", "WorkbookUnreadable", "open_source", "read_form",
           "read_settings", "read_workbook", "workbook_language"]
