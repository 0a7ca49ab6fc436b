"""Borrowing numpy's own loops by pointer (fastmath/_numpy_loops.py)."""
import numpy as np
import scipy.special

from fastmath._numpy_loops import loop_of


def test_reads_numpys_loops_as_the_ufunc_describes_them():
    loop = loop_of(np.exp, "d")
    assert loop is not None and loop.function and loop.types == "d->d" and loop.ufunc == "exp"
    assert loop_of(np.exp, "D").data  # complex loops take their function as data
    assert loop_of(scipy.special.erf, "g") is None  # no longdouble erf in scipy


def test_refuses_what_is_not_a_one_in_one_out_ufunc():
    assert loop_of(np.add, "d") is None
    assert loop_of(len, "d") is None
    assert loop_of(np.vectorize(abs), "d") is None
