"""Comparing a fast path with the general path it stands for: the same result to the bit, or the
same error."""
from __future__ import annotations

import numpy as np


def outcome(call):
    """What a call gives: its result, or the kind and message of its error."""
    try:
        with np.errstate(all="ignore"):  # both paths meet the same overflows (e.g. 1e308 × 1e308)
            return call()
    except (ValueError, TypeError, ArithmeticError, LookupError) as error:
        # CalcError is a ValueError; the general path's own errors (pandas', a failed float()) must match too
        return (type(error).__name__, str(error))


def assert_same(fast, general):
    """Same error, or the same result: arrays of the same shape and dtype, each cell of the same
    type, floats equal to the bit (NaN equal to NaN); mappings column by column."""
    if isinstance(general, tuple) or isinstance(fast, tuple):
        assert fast == general
        return
    if isinstance(general, dict):
        assert list(fast) == list(general)
        for name in general:
            assert_same(fast[name], general[name])
        return
    assert type(fast) is type(general)
    fast, general = np.asarray(fast), np.asarray(general)
    assert fast.shape == general.shape and fast.dtype == general.dtype
    if fast.dtype == object:
        for a, b in zip(fast.ravel().tolist(), general.ravel().tolist()):
            assert type(a) is type(b)
            if isinstance(a, float):
                assert_same(np.array([a]), np.array([b]))
            else:
                assert a == b
        return
    if fast.dtype.kind != "f":
        assert np.array_equal(fast, general)
        return
    both_nan = np.isnan(fast) & np.isnan(general)
    assert np.array_equal(np.where(both_nan, 0.0, fast).view(np.int64), np.where(both_nan, 0.0, general).view(np.int64))
