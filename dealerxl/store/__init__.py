"""The history store: what dealers and colleagues submit, and history too long for a sheet.

``open_store(url)`` opens SQLite (``sqlite:///path/file.sqlite``; by default the workbook's
stem + ``.sqlite`` beside it) or PostgreSQL (``postgresql://user:pass@host:port/db``),
creating and migrating its tables from the form declarations. The URL comes from the
argument (the caller passes the settings sheet's value), else ``$DEALERXL_STORE_URL``,
else the default beside the workbook.
"""
from .api import (EXCEL_MAX_ROWS, URL_VARIABLE, LatestPeriods, LoadResult, Store, default_url,
                  open_store, resolve_url)
from .errors import StoreError

__all__ = ["EXCEL_MAX_ROWS", "URL_VARIABLE", "LatestPeriods", "LoadResult", "Store", "StoreError",
           "default_url", "open_store", "resolve_url"]
