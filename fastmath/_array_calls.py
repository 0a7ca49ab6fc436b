"""Direct calls of fastmath's ufuncs on arrays in @njit code, kept out of Numba's array
expressions.

Numba's array-expression rewrite (``RewriteArrayExprs``) takes every call of a numpy ufunc on
an array, fastmath's too, and lowers it element by element through the ufunc's scalar
implementation, fused with the array operations around it. A float64 kernel in such a loop
stays scalar: ``fastmath.exp(x)`` on 2^16 float64 took 5.9 ns per element, Numba's own
``np.exp(x)`` 4.2, the ufunc's block loop 0.8; and a float32 kernel stays scalar whenever a
later array expression reads its result (the Numba pass found 4.4 against 1.1 ns). This
after-inference rewrite, run before Numba's, makes each such call (one array argument, no
``out``; not in ``parallel=True`` functions, where fusion into a parfor is the point) a call
of a plain function whose overload runs the ufunc's block loop (``_ufuncs._array_impl``).

``CalleeSwap`` is the part it shares with the Numba pass's ``_ResolveCalls``: a call's global
swapped for another, typed by Numba's ordinary overload resolution, and left as it is where
the new signature would not return the type already inferred.
"""
from __future__ import annotations

import threading

import numpy as np
from numba.core import ir, ir_utils, types
from numba.core.rewrites import Rewrite, rewrite_registry

_callee_of: dict = {}  # fastmath ufunc -> the plain function its array calls become
_lock = threading.Lock()


class CalleeSwap(Rewrite):
    """An after-inference rewrite that swaps the callee of the calls ``match`` listed in
    ``self._sites`` as (statement index, new callee)."""

    def __init__(self, state=None):
        super().__init__(state)
        self._state = state
        parallel = getattr(getattr(state, "flags", None), "auto_parallel", None)
        self._parallel = bool(getattr(parallel, "enabled", False))
        self._kept = set()  # ids of calls left as they are (the registry re-matches each block)
        self._sites = []

    def apply(self):
        typingctx = self._state.typingctx
        block = self._block.copy()
        body = list(block.body)
        for index, callee in reversed(self._sites):
            stmt = body[index]
            expr = stmt.value
            fnty = typingctx.resolve_value_type(callee)
            args = tuple(self._typemap[a.name] for a in expr.args)
            kws = {k: self._typemap[v.name] for k, v in expr.kws}
            sig = typingctx.resolve_function_type(fnty, args, kws)
            if sig is None or sig.return_type != self._typemap[stmt.target.name]:
                self._kept.add(id(expr))
                continue
            var = ir.Var(block.scope, ir_utils.mk_unique_var("$fastmath_callee"), expr.loc)
            value = ir.Global(getattr(callee, "__name__", "callee"), callee, expr.loc)
            self._typemap[var.name] = fnty
            self._func_ir._definitions[var.name] = [value]
            expr.func = var
            del self._calltypes[expr]  # a UniqueDict: no overwriting
            self._calltypes[expr] = sig
            body.insert(index, ir.Assign(value, var, expr.loc))
        block.body = body
        return block


class _ArrayCalls(CalleeSwap):
    def match(self, func_ir, block, typemap, calltypes):
        self._sites = []
        if typemap is None or self._parallel:
            return False
        for index, stmt in enumerate(block.body):
            expr = stmt.value if isinstance(stmt, ir.Assign) else None
            if not (isinstance(expr, ir.Expr) and expr.op == "call" and expr in calltypes and not expr.vararg
                    and not expr.kws and len(expr.args) == 1 and id(expr) not in self._kept):
                continue
            fnty = typemap.get(expr.func.name)
            key = getattr(fnty, "typing_key", None) if isinstance(fnty, types.Function) else None
            callee = _callee_of.get(key) if isinstance(key, np.ufunc) else None
            if callee is not None and isinstance(calltypes[expr].args[0], types.Array):
                self._sites.append((index, callee))
        self._func_ir, self._block, self._typemap, self._calltypes = func_ir, block, typemap, calltypes
        return bool(self._sites)


def register(ufunc, callee) -> None:
    """Array calls of ``ufunc`` in @njit code become calls of ``callee`` (a function with a
    Numba overload for arrays); the rewrite is installed with the first."""
    with _lock:
        if not _callee_of:
            # first among the after-inference rewrites: before RewriteArrayExprs fuses calls
            rewrite_registry.rewrites["after-inference"].insert(0, _ArrayCalls)
        _callee_of[ufunc] = callee
