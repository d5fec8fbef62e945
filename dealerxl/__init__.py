"""dealerxl: Python inside Excel for a dealer management department (經銷商管理部)."""

__version__ = "0.1.0"

import pandas as _pd

# Text columns hold Python strings whatever else is installed: with pyarrow present pandas
# would otherwise store them in Arrow, where matching against a list of values (``isin``:
# ids against a master, invoices against returns) walks the list in Python, many times slower.
# The reader still takes text from fastexcel as Arrow and turns it into strings once.
_pd.set_option("mode.string_storage", "python")
