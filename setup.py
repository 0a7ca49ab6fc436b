"""Packages: fastmath (runtime) and generated/ installed as fastmath.generated, one
subpackage per published version, so `pip install .` ships the kernels."""
from pathlib import Path

from setuptools import setup

versions = sorted(p.name for p in Path("generated").glob("v*") if (p / "__init__.py").exists())
setup(
    packages=["fastmath", "fastmath.generated"] + [f"fastmath.generated.{v}" for v in versions],
    package_dir={"fastmath": "fastmath", "fastmath.generated": "generated"},
    package_data={"fastmath.generated": ["CURRENT"], **{f"fastmath.generated.{v}": ["manifest.json", "*.csv"] for v in versions}},
)
