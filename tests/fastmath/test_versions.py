"""One place selects the kernel version (generated/CURRENT); FASTMATH_KERNELS overrides it."""
import os
import subprocess
import sys

import pytest

import fastmath
from fastmath import _kernels


def run(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env})


def test_current_version_is_published_and_has_all_functions():
    version = fastmath.kernel_version()
    assert version in _kernels.available_versions()
    assert set(_kernels.manifest(version)["functions"]) == set(fastmath.CONTRACTS)


@pytest.mark.parametrize("version", _kernels.available_versions())
def test_environment_variable_selects_a_version(version):
    code = ("import fastmath, numpy as np; print(fastmath.kernel_version(), fastmath.info('exp')['version'],"
            " fastmath.exp(np.float32(1.0)))")
    out = run(code, FASTMATH_KERNELS=version)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == [version, version]


def test_unknown_version_is_a_clear_error():
    out = run("import fastmath; fastmath.exp", FASTMATH_KERNELS="v999")
    assert out.returncode != 0
    assert "kernel version 'v999'" in out.stderr and "is not published" in out.stderr


def test_import_compiles_nothing():
    out = run("import sys, fastmath; print('numba' in sys.modules, 'fastmath._ufuncs' in sys.modules)")
    assert out.stdout.split() == ["False", "False"]


def test_info_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown function 'tan'"):
        fastmath.info("tan")
    with pytest.raises(AttributeError):
        fastmath.tan


def test_a_function_missing_from_an_older_version_is_a_clear_error():
    older = [v for v in _kernels.available_versions()
             if set(_kernels.manifest(v)["functions"]) != set(fastmath.CONTRACTS)]
    if not older:
        pytest.skip("every published version has every function")
    missing = sorted(set(fastmath.CONTRACTS) - set(_kernels.manifest(older[-1])["functions"]))[0]
    out = run(f"import fastmath; fastmath.{missing}", FASTMATH_KERNELS=older[-1])
    assert out.returncode != 0
    assert f"kernel version {older[-1]} has no {missing}" in out.stderr
