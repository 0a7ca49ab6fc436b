"""The C library's x87 long double functions as float64 hi + lo: the reference of the float64
kernels (64-bit significand, about 2^-11 ULP of float64).

NumPy computes exp, log, sin and cos on ``np.longdouble`` (glibc's expl, logl, sinl, cosl).
It has no long double erf, so ``erfl`` (and any other ``<name>l``) is called from a loop
compiled here by llvmlite (LLVM's ``x86_fp80`` is the x87 type) that writes np.longdouble:
about 110 ns per element for erfl. ``hi_lo`` splits either into hi = RN(f(x)) and
lo = RN(f(x) - hi), the difference exact in long double; within 2^-10 ULP of float64 of
mpmath (tests/generator/test_long_double.py).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

_LOOP = r"""
declare x86_fp80 @{name}(x86_fp80)

define void @{name}_loop(double* %x, x86_fp80* %y, i64 %n) {{
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %exit, label %loop
loop:
  %i = phi i64 [0, %entry], [%next, %loop]
  %px = getelementptr double, double* %x, i64 %i
  %xv = load double, double* %px
  %xe = fpext double %xv to x86_fp80
  %ye = call x86_fp80 @{name}(x86_fp80 %xe)
  %py = getelementptr x86_fp80, x86_fp80* %y, i64 %i
  store x86_fp80 %ye, x86_fp80* %py
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}}
"""
SUBNORMAL_SCALE = 2.0**64  # lo of a result below 2^-969 is scaled by it (see hi_lo)
SCALED_BELOW = 2.0**-969  # below it, an ULP of hi is under 2^-1021: RN(f(x) - hi) would need bits below 2^-1074


def available() -> bool:
    """Whether long double is the x87 type here (x86-64 Linux): numpy's longdouble has 63
    fraction bits."""
    return np.finfo(np.longdouble).nmant >= 63


@functools.cache
def _compiled(name: str):
    """(the loop y[i] = name(x[i]) over the C library's long double `name`, its engine)."""
    import llvmlite.binding as llvm
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    llvm.add_symbol(name, ctypes.cast(getattr(libm, name), ctypes.c_void_p).value)
    module = llvm.parse_assembly(_LOOP.format(name=name))
    module.verify()
    machine = llvm.Target.from_default_triple().create_target_machine()
    engine = llvm.create_mcjit_compiler(module, machine)
    engine.finalize_object()
    address = engine.get_function_address(f"{name}_loop")
    loop = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(address)
    return loop, engine


def values(function: str, x: np.ndarray) -> np.ndarray:
    """The C library's long double `function` at each float64 x, as np.longdouble."""
    if not available():
        raise RuntimeError(f"no x87 long double here: the float64 {function} kernel is verified on x86-64 Linux")
    x = np.ascontiguousarray(x, dtype=np.float64)
    if hasattr(np, function):
        with np.errstate(all="ignore"):
            return getattr(np, function)(x.astype(np.longdouble))
    loop, _ = _compiled(f"{function}l")
    y = np.empty(x.shape, np.longdouble)
    loop(x.ctypes.data, y.ctypes.data, x.size)
    return y


def hi_lo(function: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hi, lo): `function` at each float64 x as hi = RN(f(x)) and lo = RN(f(x) - hi), from the
    long double value (lo = 0 where hi is not finite). Where |hi| < 2^-969, f(x) - hi may be
    below float64's least subnormal: lo is then RN((f(x) - hi) 2^64) (``SUBNORMAL_SCALE``),
    which ``generator.verify64.ulp_error64`` undoes."""
    exact = values(function, x)
    with np.errstate(all="ignore"):
        hi = exact.astype(np.float64)
        rest = exact - hi.astype(np.longdouble)
        rest = np.where(np.abs(hi) < SCALED_BELOW, rest * np.longdouble(SUBNORMAL_SCALE), rest)
        lo = np.where(np.isfinite(hi), rest.astype(np.float64), 0.0)
    return hi, lo
