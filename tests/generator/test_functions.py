"""One home per function: every function of the contract table has one, and its scaffolds
are real code that the emitter writes out and the probe binds, without editing text."""
import importlib

import numpy as np
import pytest

from fastmath.contract import CONTRACTS, FUNCTIONS
from generator import emit
from generator.functions import home
from generator.program import Program
from generator.scaffold import ConstantTable

ALL_SCAFFOLDS = [s for f in FUNCTIONS for s in (*home(f).variants, *home(f).float64_variants)]
PROVENANCE = {"version": "t", "seed": 0, "config_hash": "t", "generator_commit": "t", "domain": "t",
              "max_ulp_contract": 1.0, "method": "test"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_a_home(function):
    h = home(function)
    assert h.name == function and h.variants and h.variant() is h.variants[0]
    assert all(s.function == function for s in h.variants)
    assert len({s.variant for s in h.variants}) == len(h.variants)
    x = h.draw_search_inputs(np.random.default_rng(0), 1000)
    assert x.dtype == np.float32 and x.size == 1000 and np.isfinite(x).all()
    assert h.bench_inputs(np.random.default_rng(0), 100).dtype == np.float32
    with pytest.raises(KeyError, match="no scaffold variant"):
        h.variant("f16")
    if h.float64_variants:  # float64 kernels: their own variants and search inputs
        assert h.variant(dtype="float64") is h.float64_variants[0]
        assert all(s.dtype == "float64" and s.function == function for s in h.float64_variants)
        x64 = h.draw_search_inputs(np.random.default_rng(0), 1000, "float64")
        assert x64.dtype == np.float64 and x64.size == 1000 and np.isfinite(x64).all()


def test_unknown_function_has_no_home():
    with pytest.raises(KeyError, match="unknown function 'tan'"):
        home("tan")


@pytest.mark.parametrize("chosen", ALL_SCAFFOLDS, ids=lambda s: s.label)
def test_scaffold_is_real_code_calling_its_core_slots(chosen):
    module = importlib.import_module(chosen.kernel.__module__)
    assert chosen.kernel.__name__ == chosen.kernel_name == f"{chosen.function}_f{32 if chosen.dtype == 'float32' else 64}"
    called = set(chosen.kernel.__code__.co_names)
    for spec in chosen.cores:
        assert spec.slot in called, f"{chosen.label} never calls {spec.slot}"
        assert getattr(module, spec.slot) is spec  # the slot the kernel names is the declared core
    with pytest.raises(RuntimeError, match="core slot"):
        chosen.cores[0](0.5)
    names = [c.name for c in chosen.constants]
    assert len(names) == len(set(names))
    for c in chosen.constants:  # each constant is what the kernel's module binds under its name
        owner = [m for m in (module, *(importlib.import_module(h.__module__) for h in chosen.helpers))
                 if c.name in vars(m)]
        assert owner and all(np.array_equal(np.asarray(vars(m)[c.name]), np.asarray(c.value)) for m in owner)
    assert chosen.method and chosen.budget


def test_constant_table_names_by_binding_and_refuses_ambiguity():
    k = ConstantTable()
    namespace = {"A": k.f32(1 / 3, "a third"), "B": k.bits(0x7F800000, "inf bits"), "C": k.f64(0.1, "tenth")}
    named = k.named(namespace)
    assert [c.name for c in named] == ["A", "B", "C"]
    assert named[0].source == 'np.float32(float.fromhex("0x1.5555560000000p-2"))'
    assert named[1].source == "0x7F800000" and named[2].source == 'float.fromhex("0x1.999999999999ap-4")'
    with pytest.raises(ValueError, match="exactly one"):
        k.named({**namespace, "D": namespace["A"]})


def test_constant_degrees_number_a_horner_polynomial_by_power():
    p = Program.polynomial([0.5, 1 / 6, 1 / 24, 1 / 120], "poly")  # lowest degree first
    degrees = [d for d in p.constant_degrees() if d is not None]
    by_value = {n.value: d for n, d in zip(p.nodes, p.constant_degrees()) if n.op == "const"}
    assert sorted(degrees) == [0, 1, 2, 3]
    assert by_value[0.5] == 0 and by_value[1 / 120] == 3
    odd = Program.polynomial([1.0, -1 / 6], "odd")  # u (1 - u^2/6)
    assert sorted(d for d in odd.constant_degrees() if d is not None) == [1, 3]
    assert Program.identity().constant_degrees() == [None]


@pytest.mark.parametrize("chosen", ALL_SCAFFOLDS, ids=lambda s: s.label)
def test_emitted_kernel_reads_top_to_bottom(chosen):
    programs = {spec.name: Program.polynomial([1.0, 0.5, 0.25], spec.form) for spec in chosen.cores}
    source = emit.render_kernel(chosen, programs, PROVENANCE)
    order = [source.index(mark) for mark in
             ("DO NOT EDIT", "Method:", "Error budget:", "# ---- Constants", "# ---- Core", "# ---- Kernel", "PROVENANCE =")]
    assert order == sorted(order)
    for spec in chosen.cores:
        prefix = spec.name.upper() + "_C"
        assert f"def {spec.slot}(u):" in source and (f"{prefix}0 =" in source or f"{prefix}1 =" in source)
        if spec.precision == "float32":  # the float32 value used, not a 53-bit one rounded at load
            assert 'np.float32(float.fromhex("0x1.0000000000000p-1"))' in source
    assert f"def {chosen.kernel_name}(x):" in source
    compile(source, "<kernel>", "exec")


def test_contract_table_drives_the_numba_pass_and_peers():
    import math
    for name, c in CONTRACTS.items():
        assert c.libm is getattr(math, name)
        assert c.peer in c.rewrites or c.peer.startswith("scipy.")
        for path in c.rewrites:
            module, _, attr = path.rpartition(".")
            assert module in ("math", "numpy", "scipy.special") and attr == name


def test_runtime_never_imports_the_generator():
    import subprocess
    import sys
    code = ("import sys, numpy as np, fastmath\n"
            "[getattr(fastmath, f)(np.float32(0.5)) for f in fastmath.contract.FUNCTIONS]\n"
            "fastmath.enable_numba()\n"
            "print(any(m == 'generator' or m.startswith('generator.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
