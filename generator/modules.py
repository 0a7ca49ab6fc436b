"""Loading generated source as modules: the one place the generator imports a file by path."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"


def load_module(path: Path, source: str | None = None, name: str | None = None, reuse: bool = False):
    """Import the file at `path` (written first from `source` if it does not exist) as a
    module named `name` (default: from the path). With `reuse` (for content-addressed
    files), a module already imported under that name is returned as it is."""
    from .emit import write_text_atomic
    if source is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, source)
    name = name or "fastmath_loaded_" + "_".join(path.with_suffix("").parts[-2:]).replace("-", "_").replace(".", "")
    if reuse and name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
