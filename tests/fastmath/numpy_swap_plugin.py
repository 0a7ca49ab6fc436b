"""pytest plugin: put fastmath's ufuncs in place of numpy's (numpy.<f> and numpy._core.umath.<f>)
for every function whose peer is numpy's, before numpy's own tests are collected.
FASTMATH_SWAP=exp:log puts fastmath.log in place of numpy.exp instead (to show the suite can fail)."""
import os

import numpy as np
import numpy._core.umath as ncu

import fastmath
from fastmath.contract import CONTRACTS


def pytest_configure(config):
    swaps = {name: name for name, c in CONTRACTS.items() if c.peer.startswith("numpy.")}
    if os.environ.get("FASTMATH_SWAP"):
        target, source = os.environ["FASTMATH_SWAP"].split(":")
        swaps = {target: source}
    for target, source in swaps.items():
        ufunc = getattr(fastmath, source)
        setattr(np, target, ufunc)
        setattr(ncu, target, ufunc)
    assert all(getattr(np, t) is getattr(fastmath, s) for t, s in swaps.items())
