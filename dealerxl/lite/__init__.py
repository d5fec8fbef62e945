"""The Excel on the web and on Mac edition: the same functions and month-end jobs in xlwings Lite.

xlwings Lite runs Python inside Excel through Pyodide (no Python install, Windows, macOS and
Excel on the web): ``@func`` functions become native Excel functions, ``@script`` functions run
from its task pane or from buttons on a sheet, and the code (``main.py``) and
``requirements.txt`` live in the workbook. ``dealerxl build --lite`` writes them, generated
from the function registry and the jobs here, next to ``DealerWorkbook-Lite.xlsx`` (the same
forms, index and settings as the desktop workbook, no macros) and the wheel of this package
that ``requirements.txt`` points at.

* :mod:`.functions` runs a ``DX_`` function for Lite and hands its result over as Lite writes it;
* :mod:`.scripts` are the jobs on the open workbook (validate, replenishment, risk review,
  targets, incentives, the monthly summary), read and written through xlwings' ``Book`` API;
* :mod:`.code` generates ``main.py`` and ``requirements.txt``; :mod:`.workbook` the workbook
  with its buttons; :mod:`.wheel` the wheel.
"""
