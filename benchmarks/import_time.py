"""Start-up cost: `import numba` vs `import fastmath` vs first use of a function (warm and
cold Numba cache). Medians of fresh interpreter runs; prints a small table."""
import os
import statistics
import subprocess
import sys
import tempfile

SNIPPETS = {
    "import numba": "import numba",
    "import fastmath": "import fastmath",
    "import fastmath; fastmath.exp (warm cache)": "import fastmath; fastmath.exp",
    "import fastmath; all four (warm cache)": "import fastmath; [getattr(fastmath, f) for f in ('exp','log','sin','erf')]",
    "import fastmath; all five, cos too (warm cache)": "import fastmath; [getattr(fastmath, f) for f in fastmath.FUNCTIONS]",
}


def run(code: str, env=None) -> float:
    out = subprocess.run([sys.executable, "-c", f"import time; t=time.perf_counter(); {code}; "
                          "print(time.perf_counter()-t)"], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def main(repeats: int = 7):
    for code in SNIPPETS.values():  # warm the disk cache and Numba's cache
        run(code)
    print(f"{'what':45} {'median s':>9}")
    for name, code in SNIPPETS.items():
        print(f"{name:45} {statistics.median(run(code) for _ in range(repeats)):9.3f}")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = run("import fastmath; fastmath.exp", env)
        print(f"{'import fastmath; fastmath.exp (cold cache)':45} {cold:9.3f}")


if __name__ == "__main__":
    main()
