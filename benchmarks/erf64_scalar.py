"""float64 erf in a loop LLVM leaves scalar (an early exit): plain Numba's math.erf (the C library)
against the Numba pass's kernel, on [-5, 5] and on each piece's range, 2^16 elements, medians of 21
interleaved rounds:

    PYTHONPATH=. .venv/bin/python benchmarks/erf64_scalar.py
"""
import math

import numba
import numpy as np

import fastmath
from fastmath import numba_pass
from generator.measure import median_ns_per_element
@numba.njit
def plain_first_over(x, t):  # early exit: LLVM cannot vectorise it
    for i in range(x.size):
        if math.erf(x[i]) > t:
            return i
    return -1
passed = fastmath.jit(plain_first_over.py_func)
for name, lo, hi in (("[-5,5]", -5, 5), ("[0,0.5]", 0, 0.5), ("[0.5,1.5]", 0.5, 1.5), ("[1.5,6]", 1.5, 6)):
    x = np.random.default_rng(0).uniform(lo, hi, 1 << 16)
    f1 = lambda a, out=None: plain_first_over(a, 2.0)
    f2 = lambda a, out=None: passed(a, 2.0)
    f1(x); f2(x)
    a, b = median_ns_per_element([f1, f2], x, 21)
    print(name, "plain (math.erf) %.2f  pass (kernel) %.2f  ratio %.2f" % (a, b, a / b), numba_pass.left_to_numba(passed))
