"""Print the ratio table of a pytest-benchmark JSON file (see `make bench`)."""
import json
import sys
from collections import defaultdict

from fastmath.contract import CONTRACTS


def machine_line(info: dict) -> str:
    """Which machine the file was measured on: ratios differ between machines of this kind
    (float32 sin against NumPy at 2^20: 1.45x on one, 1.07x on an AMD EPYC family 25 model
    17, whose AVX-512 units are 256 bits wide)."""
    cpu = info.get("cpu", {})
    return (f"machine: {cpu.get('brand_raw', '?')}, family {cpu.get('family', '?')} model {cpu.get('model', '?')}, "
            f"{cpu.get('count', '?')} cores, {info.get('machine', '?')}")


def main(path):
    data = json.load(open(path))
    runs = data["benchmarks"]
    print(machine_line(data.get("machine_info", {})))
    med = defaultdict(dict)
    for b in runs:
        e = b["extra_info"]
        if e["kind"] in ("ufunc", "njit"):  # (files from before float64 rows have no dtype: float32)
            med[(e["kind"], e["function"], e.get("dtype", "float32"), e["n"])][e["side"]] = b["stats"]["median"] / e["n"] * 1e9
        else:
            med[(e["kind"], e["function"], e["n"])][e["side"]] = b["stats"]["median"] / e["n"] * 1e9
    ufuncs = sorted((k for k in med if k[0] == "ufunc"), key=lambda k: (k[1], k[2], k[3]))
    if ufuncs:
        print("median ns per element; ratio = other / fastmath (> 1: fastmath faster)")
        print(f"{'function':8} {'dtype':12} {'n':>9} | {'fastmath':>8} {'peer':>8} {'ratio':>6} {'(peer)':<18} | "
              f"{'njit fm':>8} {'njit libm':>9} {'ratio':>6}")
    for (kind, function, dtype, n) in ufuncs:
        u, j = med[("ufunc", function, dtype, n)], med.get(("njit", function, dtype, n), {})
        row = f"{function:8} {dtype:12} {n:>9} | {u.get('fastmath', float('nan')):8.3f} {u.get('peer', float('nan')):8.3f} " \
              f"{u.get('peer', float('nan')) / u.get('fastmath', float('nan')):6.2f} {CONTRACTS[function].peer:<18} | "
        if j:
            row += f"{j.get('fastmath', float('nan')):8.3f} {j.get('libm', float('nan')):9.3f} " \
                   f"{j.get('libm', float('nan')) / j.get('fastmath', float('nan')):6.2f}"
        if "copyto" in u:
            row += f" | np.copyto {u['copyto']:.3f} ns: copyto / fastmath {u['copyto'] / u.get('fastmath', float('nan')):.2f}"
        print(row)
    passes = sorted(k for k in med if k[0].startswith("pass-"))
    if passes:
        print("\nNumba pass: same @njit source; median ns per element (per option, per (sample, query) pair); "
              "ratio = numba / pass (> 1: the pass is faster)")
        print(f"{'kind':13} {'function':14} {'n':>9} | {'numba':>8} {'pass':>8} {'ratio':>6} | {'fastmath ufunc in njit':>22}")
        for key in passes:
            kind, function, n = key
            m, nan = med[key], float("nan")
            print(f"{kind:13} {function:14} {n:>9} | {m.get('numba', nan):8.3f} {m.get('pass', nan):8.3f} "
                  f"{m.get('numba', nan) / m.get('pass', nan):6.2f} | "
                  + (f"{m['ufunc']:22.3f}" if "ufunc" in m else ""))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".benchmarks/latest.json")
