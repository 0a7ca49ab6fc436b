"""NumPy's own ufunc tests, installed with numpy, pass with fastmath's ufuncs in place of
numpy.exp, log, sin and cos (every function whose peer is numpy's).

Run as a separate pytest process (numpy's tests must see the swap from collection on):
test_umath.py (special values, FP exceptions under np.errstate for float16/32/64 and
longdouble, strides, overlaps, dtypes), test_umath_complex.py (complex exp and log) and
test_umath_accuracy.py (NumPy's validation sets).

What cannot apply: test_umath_accuracy.py's test_validate_fp16_transcendentals is collected
only for ufuncs with an object (O->O) loop, and fastmath's have none (object input raises
TypeError); tests/fastmath/test_dtypes.py checks fastmath's float16 loops on all 2^16 inputs
against the exact values instead. The collected-test counts below say exactly that.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fastmath.contract import CONTRACTS

TESTS = Path(np.__file__).parent / "_core" / "tests"
HERE = Path(__file__).resolve().parent
SWAPPED = [f for f, c in CONTRACTS.items() if c.peer.startswith("numpy.")]


def run_numpy_tests(files, swap=None, plugin=True):
    env = {**os.environ, "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("FASTMATH_SWAP", None)
    if swap:
        env["FASTMATH_SWAP"] = swap
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               *(["-p", "numpy_swap_plugin"] if plugin else []), *[str(TESTS / f) for f in files]]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE, timeout=900)
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped|error)", out.stdout)}
    return out, counts


@pytest.mark.parametrize("file", ["test_umath.py", "test_umath_complex.py"])
def test_numpy_tests_pass_with_fastmath_in_place(file):
    swapped, counts = run_numpy_tests([file])
    assert swapped.returncode == 0 and not counts.get("failed"), swapped.stdout[-4000:]
    plain, plain_counts = run_numpy_tests([file], plugin=False)
    assert counts == plain_counts  # the same tests ran, and all passed as with numpy's own


def test_numpy_accuracy_tests_pass_but_for_the_object_loop_selection():
    swapped, counts = run_numpy_tests(["test_umath_accuracy.py"])
    assert swapped.returncode == 0 and not counts.get("failed"), swapped.stdout[-4000:]
    plain, plain_counts = run_numpy_tests(["test_umath_accuracy.py"], plugin=False)
    # the fp16 test is parametrized over ufuncs with an O->O loop: one test fewer per swapped function
    assert counts["passed"] == plain_counts["passed"] - len(SWAPPED)


def test_the_swapped_suite_can_fail():
    out, counts = run_numpy_tests(["test_umath.py"], swap="exp:log")
    assert counts.get("failed", 0) > 0, out.stdout[-2000:]
