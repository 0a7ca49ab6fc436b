"""Which generated version the runtime uses, and loading its kernels and manifest.

One place selects the version: the file ``generated/CURRENT`` (installed as
``fastmath/generated/CURRENT``). The environment variable ``FASTMATH_KERNELS``
(e.g. ``FASTMATH_KERNELS=v1``) points the runtime at another published version.
"""
from __future__ import annotations

import functools
import importlib
import json
import os
import re
from importlib import resources

ENV_VAR = "FASTMATH_KERNELS"
_VERSION_RE = re.compile(r"^v[0-9]+$")


def _generated():
    return resources.files("fastmath.generated")


def version_names(names) -> list[str]:
    """The names that are version directories ("v<N>"), in publication order."""
    return sorted((n for n in names if _VERSION_RE.match(n)), key=lambda v: int(v[1:]))


def available_versions() -> list[str]:
    return version_names(p.name for p in _generated().iterdir() if p.is_dir())


@functools.cache
def current_version() -> str:
    version = os.environ.get(ENV_VAR) or _generated().joinpath("CURRENT").read_text().strip()
    if version not in available_versions():
        raise LookupError(f"fastmath: kernel version {version!r} (from "
                          f"{'$' + ENV_VAR if os.environ.get(ENV_VAR) else 'generated/CURRENT'}) "
                          f"is not published; available: {', '.join(available_versions()) or 'none'}")
    return version


@functools.cache
def manifest(version: str | None = None) -> dict:
    version = version or current_version()
    return json.loads(_generated().joinpath(version, "manifest.json").read_text())


def kernel_name(function: str, dtype: str = "float32") -> str:
    """What a kernel is called in its generated module: <function>_f32 or <function>_f64."""
    return f"{function}_f{int(dtype.removeprefix('float'))}"


def kernel(function: str, dtype: str = "float32", version: str | None = None):
    """A version's kernel of one function for dtype (float32 always; float64 where the
    version ships one, else None)."""
    module = kernel_module(function, version) if dtype == "float32" else float64_module(function, version)
    return None if module is None else getattr(module, kernel_name(function, dtype))


def kernel_module(function: str, version: str | None = None):
    """The generated module of one function (it defines ``<function>_f32``)."""
    version = version or current_version()
    return importlib.import_module(f"fastmath.generated.{version}.{function}")


def float64_module(function: str, version: str | None = None):
    """The generated float64 kernel module of one function (``<function>_f64``), or None
    if the version ships none for it (its float64 loop is then the contract's ``float64``)."""
    version = version or current_version()
    entry = manifest(version)["functions"].get(function, {}).get("float64", {})
    if "source" not in entry:  # none made, or one that did not verify
        return None
    return importlib.import_module(f"fastmath.generated.{version}.{entry['source'].removesuffix('.py')}")
