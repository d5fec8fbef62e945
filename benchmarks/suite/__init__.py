"""The month-end benchmark suite run by ``benchmarks/run.py``: data, isolation, the floor,
the jobs, native formulas, the UDF layer and the scaling fit."""
