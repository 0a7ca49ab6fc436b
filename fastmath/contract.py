"""The one table of fastmath's functions: what each promises, and how the rest names it.

Adding a function is one entry here plus its home in the generator
(``generator/functions/<name>/``); the runtime (ufuncs, float64 loops, the Numba pass),
the tests, the docs and the emitter read everything else from this table.

``max_ulp`` is a strict bound: for every float32 input x, |fastmath.f(x) - f(x)| < max_ulp
ulp32(f(x)), where f(x) is the exact value and ulp32(e) = 2^(max(floor(log2 |e|), -126) - 23)
(so 2^-149 below 2^-126, and the top binade's 2^104 beyond FLT_MAX). Non-finite and
signed-zero results must match C99 Annex F exactly (see ``generator/verify.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Contract:
    name: str  # also the name of the C library function (math.<name>): float64 reference and loop
    domain: str
    max_ulp: float
    reference: str  # what the exhaustive check (make verify) compares against
    mp_reference: str  # mpmath function used by the property tests
    symmetry: str | None  # "odd", "even" or None
    monotonic: bool  # non-decreasing on the whole domain (float32 results)
    special_values: tuple[tuple[float, float], ...]  # (input, exact expected output)
    rewrites: tuple[str, ...]  # what the Numba pass replaces, as "module.attribute"
    peer: str  # what users call instead ("module.attribute"), for benchmarks
    loops: str  # the ufunc's loop types in numpy's resolution order ("efdgFDG": as numpy.exp's):
    #            f: the kernel; d: see float64; others (float16 too) the peer's own: numpy's float16
    #            loops are as accurate as the float32 kernel rounded to float16 (tests/fastmath/test_dtypes.py)
    #            and faster than running it (0.56-0.92x numpy's speed vectorised, 2026-12-02)
    flags: tuple[str, ...]  # the floating-point flags the function raises on some input (its exact
    #                         result's, C99 Annex F; "invalid" for signalling NaN too), as
    #                         np.errstate names them; the ufunc raises no other, whatever the mix
    #                         of inputs (tests/fastmath/test_special_values.py)
    domain64: str = ""  # what a float64 kernel's domain is (a function with a float64 scaffold)
    float64: str  # who computes float64 where no float64 kernel ships: "peer" (the peer's own loop,
    #              where it is at least as accurate as the C library's and faster) or "libm"
    scalar64: str = "kernel"  # who computes float64 calls in a loop LLVM leaves scalar (the Numba
    #                           pass): "kernel", or "libm" where the C library's call is faster there
    ufunc64: str = "kernel"  # who runs the ufunc's float64 loop (and float64 array calls in @njit
    #                          code) where a float64 kernel ships: "kernel", or "peer" (the peer's
    #                          own loop) where the kernel's loop is not faster than it (measured)

    def float64_loop(self, float64_kernel: bool = False) -> str:
        """Who runs the ufunc's d->d loop: "kernel", "peer" (its own loop) or "libm";
        `float64_kernel`: whether the kernel version in use ships a float64 kernel."""
        if float64_kernel and self.ufunc64 == "kernel":
            return "kernel"
        return self.float64

    def loop_sources(self, float64_kernel: bool = False) -> dict[str, str]:
        """Who computes each loop of the ufunc ("f->f": ...); `float64_kernel`: whether the
        kernel version in use ships a float64 kernel for this function."""
        own = {"f": "fastmath kernel"}
        own["d"] = {"kernel": "fastmath float64 kernel", "libm": f"C library {self.name} (float64)",
                    "peer": f"{self.peer} (its own float64 loop)"}[self.float64_loop(float64_kernel)]
        return {f"{c}->{c}": own.get(c, self.peer) for c in self.loops}

    def peer_function(self):
        """The peer itself (imports its module: scipy.special for erf)."""
        import importlib
        module, _, attr = self.peer.rpartition(".")
        return getattr(importlib.import_module(module), attr)

    @property
    def libm(self):
        """The C library's float64 function (Python's math.<name>)."""
        return getattr(math, self.name)


NUMPY_LOOPS = "efdgFDG"  # numpy.exp's, log's, sin's and cos's loop types (but the object loop)
INF = float("inf")
NAN = float("nan")


def _glibc(name: str, note: str = "") -> str:
    return f"float64 libm {name} (glibc, < 1 ULP of float64{note})"


CONTRACTS = {c.name: c for c in (
    Contract(name="exp", domain="all float32; overflows to +inf above 88.7228, underflows to 0 below -103.98",
             max_ulp=1.0, reference=_glibc("exp"), mp_reference="exp", symmetry=None, monotonic=True,
             special_values=((0.0, 1.0), (-0.0, 1.0), (INF, INF), (-INF, 0.0), (NAN, NAN), (100.0, INF),
                             (-110.0, 0.0)),
             rewrites=("math.exp", "numpy.exp"), peer="numpy.exp", loops=NUMPY_LOOPS,
             flags=("invalid", "over", "under"),
             float64="peer", domain64="all float64; overflows to +inf above 709.7827, subnormal below -708.3964, "
                                       "+0 below -745.1332",
             # scalar, v16's kernel takes 4.7 ns per element, glibc's exp 3.0 (vectorised: 1.0);
             # the ufunc: the kernel's loop 0.96-1.01x numpy's on clean data, 0.54-0.87x with NaN,
             # -inf or overflowing inputs (docs/results.md), so numpy's own loop runs there
             scalar64="libm", ufunc64="peer"),
    Contract(name="log", domain="all float32; x < 0 gives NaN (invalid), ±0 gives -inf (divide-by-zero)",
             max_ulp=1.0, reference=_glibc("log"), mp_reference="log", symmetry=None, monotonic=True,
             special_values=((1.0, 0.0), (0.0, -INF), (-0.0, -INF), (-1.0, NAN), (INF, INF), (-INF, NAN),
                             (NAN, NAN)),
             rewrites=("math.log", "numpy.log"), peer="numpy.log", loops=NUMPY_LOOPS, flags=("invalid", "divide"),
             float64="peer", domain64="all float64; x < 0 gives NaN (invalid), ±0 gives -inf (divide-by-zero)",
             # scalar, the v20 kernel takes 8.0-8.6 ns per element, glibc's log 3.8-4.6; vectorised
             # 1.2-1.4 (numpy's loop 0.94-1.27, the kernel's common path 0.83-1.07: level with
             # it at best, and the full kernel where a chunk holds a zero or a negative)
             scalar64="libm", ufunc64="peer"),
    Contract(name="sin", domain="all finite float32, reduced exactly mod pi/2 however large; ±inf gives NaN (invalid)",
             max_ulp=1.0, reference=_glibc("sin", ", exact reduction"), mp_reference="sin", symmetry="odd",
             monotonic=False, special_values=((0.0, 0.0), (-0.0, -0.0), (INF, NAN), (-INF, NAN), (NAN, NAN)),
             rewrites=("math.sin", "numpy.sin"), peer="numpy.sin", loops=NUMPY_LOOPS, flags=("invalid", "under"),
             float64="peer", domain64="all float64, reduced mod pi/2 to ~2^-150 however large (Payne-Hanek from 2^28); ±inf gives NaN (invalid)"),
    Contract(name="erf", domain="all float32; |x| >= 3.92 gives ±1",
             max_ulp=1.0, reference=_glibc("erf"), mp_reference="erf", symmetry="odd", monotonic=True,
             special_values=((0.0, 0.0), (-0.0, -0.0), (INF, 1.0), (-INF, -1.0), (NAN, NAN), (10.0, 1.0)),
             # SciPy's loop types and order: float16 and int8 resolve to float64 as there; complex
             # runs SciPy's own loops
             rewrites=("math.erf", "scipy.special.erf"), peer="scipy.special.erf", loops="dfDF",
             flags=("invalid", "under"),
             float64="libm",  # scipy's float64 erf reaches 2.8 ULP (sampled); glibc's is < 1
             domain64="all float64; |x| >= 5.9215871957945 gives ±1 (erf rounds to 1 there)"),
    Contract(name="cos", domain="all finite float32, reduced exactly mod pi/2 however large; ±inf gives NaN (invalid)",
             max_ulp=1.0, reference=_glibc("cos", ", exact reduction"), mp_reference="cos", symmetry="even",
             monotonic=False, special_values=((0.0, 1.0), (-0.0, 1.0), (INF, NAN), (-INF, NAN), (NAN, NAN)),
             rewrites=("math.cos", "numpy.cos"), peer="numpy.cos", loops=NUMPY_LOOPS,
             flags=("invalid", "under"),  # under: float16 results near odd multiples of pi/2
             float64="peer", domain64="all float64, reduced mod pi/2 to ~2^-150 however large (Payne-Hanek from 2^28); ±inf gives NaN (invalid)"),
)}

FUNCTIONS = tuple(CONTRACTS)
