"""float64: sampled, not proven (see generator/verify64.py for what is sampled and against what).

float64 runs fastmath's float64 kernel where the version ships one (sin and cos since v13),
else the peer's own loop (numpy's exp, log) or the C library's function (erf, where scipy's
reaches 2 ULP): < 1 ULP on every sampled input, and never less accurate than the peer (up to
the reference's own error, ``PEER_SLACK``).
"""
import numpy as np
import pytest

import fastmath
from fastmath.contract import CONTRACTS, FUNCTIONS
from fastmath import _kernels
from generator.verify64 import PEER_SLACK, check, max_ulp, ulp64


@pytest.mark.parametrize("function", FUNCTIONS)
def test_float64_is_under_one_ulp_and_no_worse_than_the_peer(function):
    results, _ = check(function, blocks=1, seed=7)
    ours, theirs = results["fastmath"], results[CONTRACTS[function].peer]
    assert ours[2] > 10_000, "too few inputs counted"
    assert ours[0] < CONTRACTS[function].max_ulp, (function, ours)
    assert ours[0] <= theirs[0] + PEER_SLACK, (function, ours, theirs)


@pytest.mark.parametrize("function", [f for f in FUNCTIONS if CONTRACTS[f].float64_loop(
    _kernels.float64_module(f) is not None) == "peer"])
def test_float64_runs_the_peers_own_loop(function):
    x = np.random.default_rng(3).uniform(-700, 700, 4099)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(getattr(fastmath, function)(x[::3]), CONTRACTS[function].peer_function()(x[::3]))


def test_ulp_check_can_fail():
    x = np.array([1.0, 2.0])
    reference = np.array([1.0, 2.0], np.longdouble)
    off = np.nextafter(np.nextafter(x, 3), 3)  # 2 ULP up
    assert max_ulp(off, reference, x)[0] == 2.0
    assert ulp64(np.array([1.0]))[0] == np.longdouble(2.0) ** -52
