"""Numba intrinsics the kernels are written in: fused multiply-add and bit casts.

Each maps to one LLVM instruction, so a kernel built from them stays branch-free
and vectorisable, and evaluates with exactly IEEE-754 semantics (fma rounds once).
"""
import functools

import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_LLVM_FLOAT = {types.float32: "f32", types.float64: "f64"}
_SAME_WIDTH_INT = {types.float32: types.int32, types.float64: types.int64}
_SAME_WIDTH_FLOAT = {types.int32: types.float32, types.int64: types.float64}


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c rounded once (llvm.fma); all three operands of one float type."""
    if a not in _LLVM_FLOAT or not (a == b == c):
        return None

    def codegen(context, builder, signature, args):
        lty = context.get_value_type(a)
        fnty = ir.FunctionType(lty, [lty] * 3)
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.fma." + _LLVM_FLOAT[a])
        return builder.call(fn, args)

    return a(a, b, c), codegen


@intrinsic
def fdiv(typingctx, a, b):
    """a / b rounded once, IEEE (fdiv): no ZeroDivisionError check, whatever the caller's
    error model. A float64 kernel is inlined into its callers by Numba (``inline_kernel``),
    where ``/`` would take the caller's model ("python" in plain @njit code), whose check on
    the divisor keeps the caller's loop from vectorising."""
    if a not in _LLVM_FLOAT or a != b:
        return None

    def codegen(context, builder, signature, args):
        return builder.fdiv(*args)

    return a(a, b), codegen


@intrinsic
def float_bits(typingctx, x):
    """The IEEE-754 bit pattern of x as a signed integer of the same width."""
    if x not in _SAME_WIDTH_INT:
        return None
    ity = _SAME_WIDTH_INT[x]

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(ity))

    return ity(x), codegen


@intrinsic
def bits_float(typingctx, i):
    """The float whose IEEE-754 bit pattern is the signed integer i (int32 or int64)."""
    if i not in _SAME_WIDTH_FLOAT:
        return None
    fty = _SAME_WIDTH_FLOAT[i]

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(fty))

    return fty(i), codegen


def kernel(fn):
    """Compile a kernel function: numpy's error model (no Python exceptions on 0/0, so
    nothing blocks vectorisation), strict IEEE arithmetic (no fastmath flags: the
    evaluation order written is the order run), cached on disk.

    fastmath=False is explicit because a dispatcher that leaves it unset inherits the
    flag of the function that first calls it (Numba's ConfigStack): a caller compiled
    with fastmath=True would otherwise get a kernel LLVM may reassociate."""
    return numba.njit(error_model="numpy", fastmath=False, cache=True)(fn)


def inline_kernel(fn):
    """``kernel``, inlined by Numba into every caller (inline="always"): for kernels too
    large for LLVM's inliner (the float64 ones, about 100 operations), which called as
    functions keep their caller's loop scalar."""
    return numba.njit(error_model="numpy", fastmath=False, cache=True, inline="always")(fn)


@functools.cache
def vectorise_ordered_reductions() -> None:
    """Let LLVM vectorise float reductions that must keep their order (``s += f(x[i])``
    without ``fastmath=True``, the usual Numba loop): it then adds the lanes one after
    another, in the loop's own order, so the sum's bits are those of the sequential loop,
    while the kernel calls run 8 or 16 at a time. Without it such a loop stays scalar, and
    there exp and log kernels are slower than the C library's expf and logf they replace
    (docs/numba.md). A process-wide LLVM option, set when a fastmath ufunc is built or the
    pass installed: later compilations in the process, with or without fastmath, may
    vectorise such loops too, with unchanged results."""
    import llvmlite.binding as llvm
    llvm.set_option("fastmath", "-force-ordered-reductions")


def _int32_op(name: str, doc: str):
    """An int32 (op) int32 -> int32 intrinsic: one LLVM i32 instruction, wrapping as C does.
    Numba widens int32 arithmetic to int64, and the widened ops then take two vectors of
    8 lanes where one of 16 would do; kernels computing in float32 use these instead."""
    @intrinsic
    def op(typingctx, a, b):
        if a != types.int32 or b != types.int32:
            return None

        def codegen(context, builder, signature, args):
            return getattr(builder, name)(*args)

        return types.int32(a, b), codegen

    op.__doc__ = doc
    return op


add_i32 = _int32_op("add", "a + b in int32 (wrapping).")
sub_i32 = _int32_op("sub", "a - b in int32 (wrapping).")
shl_i32 = _int32_op("shl", "a << b in int32, 0 <= b < 32.")
sar_i32 = _int32_op("ashr", "a >> b in int32 (arithmetic: rounds toward -inf), 0 <= b < 32.")
and_i32 = _int32_op("and_", "a & b in int32.")

_SCALE_FORMAT = {types.float32: (ir.IntType(32), 127, 23), types.float64: (ir.IntType(64), 1023, 52)}


def _has_avx512f(context) -> bool:
    """Whether the code being compiled targets AVX-512F (Numba compiles for the host CPU,
    or NUMBA_CPU_NAME/NUMBA_CPU_FEATURES; its cache is keyed by them)."""
    return "+avx512f" in getattr(context.codegen(), "_tm_features", "")


def _scale_by_multiplies(builder, y, k, fty):
    """y 2^k as (y 2^k1) 2^(k - k1), k1 = k >> 1: the first product is exact (for y in
    [0.5, 2] and the kernels' k), the second rounds once, as ldexp does. The powers of two
    are made from their exponent fields: exact for |k| <= 2 (bias - 1)."""
    ity, bias, mant = _SCALE_FORMAT[fty]
    kk = builder.sext(k, ity) if ity.width > 32 else k
    k1 = builder.ashr(kk, ir.Constant(ity, 1))
    k2 = builder.sub(kk, k1)
    lty = ir.FloatType() if fty == types.float32 else ir.DoubleType()

    def power(e):
        return builder.bitcast(builder.shl(builder.add(e, ir.Constant(ity, bias)), ir.Constant(ity, mant)), lty)

    return builder.fmul(builder.fmul(y, power(k1)), power(k2))


def _ldexp_intrinsic(always_multiply: bool):
    @intrinsic
    def ldexp(typingctx, y, k):
        if y not in _SCALE_FORMAT or k != types.int32:
            return None

        def codegen(context, builder, signature, args):
            if always_multiply or not _has_avx512f(context):
                return _scale_by_multiplies(builder, *args, y)
            lty = context.get_value_type(y)
            fnty = ir.FunctionType(lty, [lty, ir.IntType(32)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.ldexp.{_LLVM_FLOAT[y]}.i32")
            return builder.call(fn, args)

        return y(y, k), codegen
    return ldexp


ldexp = _ldexp_intrinsic(always_multiply=False)
ldexp.__doc__ = """y 2^k rounded once (y float32 or float64, k int32; in the kernels y is in
[0.5, 2] and |k| <= 2 (bias - 1)). On AVX-512F, llvm.ldexp: one vscalefps, which makes
subnormal and zero results at full speed (two multiplies producing a subnormal ran 3-4x
slower here); elsewhere two multiplies by powers of two (llvm.ldexp would be a libm call
there, and the loop would not vectorise). Both give the same bits (tests/fastmath/test_ops.py)."""
ldexp_by_multiplies = _ldexp_intrinsic(always_multiply=True)  # the non-AVX-512 code, for the tests


# What kernels are written in (generator.emit imports those a kernel uses, besides `kernel`).
INTRINSICS = ("fma", "fdiv", "float_bits", "bits_float", "add_i32", "sub_i32", "shl_i32", "sar_i32", "and_i32", "ldexp")


# ---- Pointers, for the ufunc loops (fastmath._loops) ---------------------------------------
def _pointer_intrinsic(fty, lty):
    @intrinsic
    def pointer(typingctx, address, byte_offset):
        if address != types.voidptr or not isinstance(byte_offset, types.Integer):
            return None

        def codegen(context, builder, signature, args):
            base, offset = args
            offset = context.cast(builder, offset, byte_offset, types.intp)
            moved = builder.gep(base, [offset])
            return builder.bitcast(moved, ir.PointerType(lty))

        return types.CPointer(fty)(address, byte_offset), codegen

    pointer.__doc__ = (f"The {fty} pointer at ``address + byte_offset`` (a void pointer and a byte count, "
                       "which may be negative or not a multiple of the item size: numpy's strides are in bytes).")
    return pointer


def _stack_intrinsic(fty, lty):
    @intrinsic
    def stack(typingctx, count):
        if not isinstance(count, types.IntegerLiteral):
            return None
        size = count.literal_value

        def codegen(context, builder, signature, args):
            return cgutils.alloca_once(builder, lty, size=size)

        return types.CPointer(fty)(count), codegen

    stack.__doc__ = (f"A {fty} buffer of ``count`` (a compile-time constant) elements on the stack of the "
                     "function being compiled, allocated once in its entry block.")
    return stack


float32_pointer = _pointer_intrinsic(types.float32, ir.FloatType())
float64_pointer = _pointer_intrinsic(types.float64, ir.DoubleType())
stack_float32 = _stack_intrinsic(types.float32, ir.FloatType())
stack_float64 = _stack_intrinsic(types.float64, ir.DoubleType())


@intrinsic
def address_of(typingctx, pointer):
    """A void pointer's address, as an integer (to compare two pointers)."""
    if pointer != types.voidptr:
        return None

    def codegen(context, builder, signature, args):
        return builder.ptrtoint(args[0], context.get_value_type(types.intp))

    return types.intp(pointer), codegen


@intrinsic
def data_address(typingctx, array):
    """An array's data pointer, as a void pointer."""
    if not isinstance(array, types.Array):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(array)(context, builder, value=args[0]).data
        return builder.bitcast(data, ir.IntType(8).as_pointer())

    return types.voidptr(array), codegen


# ---- Floating-point status, for the ufunc loops' speculative common path -------------------
def _mxcsr_call(builder, name: str, slot):
    fnty = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer()])
    fn = cgutils.get_or_insert_function(builder.module, fnty, name)
    builder.call(fn, [builder.bitcast(slot, ir.IntType(8).as_pointer())])


@intrinsic
def fp_status(typingctx):
    """The x86 SSE control and status register (MXCSR, ``stmxcsr``): its low six bits are
    the sticky floating-point flags of SSE and AVX arithmetic."""
    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        _mxcsr_call(builder, "llvm.x86.sse.stmxcsr", slot)
        return builder.load(slot)

    return types.int32(), codegen


@intrinsic
def set_fp_status(typingctx, value):
    """Load MXCSR (``ldmxcsr``) with a value ``fp_status`` returned: the flags raised since
    are undone (and the control bits, unchanged in between, stay)."""
    if value != types.int32:
        return None

    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        builder.store(args[0], slot)
        _mxcsr_call(builder, "llvm.x86.sse.ldmxcsr", slot)
        return context.get_dummy_value()

    return types.none(value), codegen

