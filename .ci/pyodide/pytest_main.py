"""pytest inside Pyodide: ``node run.mjs DIST WHEELS ROOT .ci/pyodide/pytest_main.py [PYTEST ARGS]``."""
import sys

import pytest

sys.exit(pytest.main(sys.argv[1:]))
