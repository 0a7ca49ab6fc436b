# fastmath: `make kernels` makes and publishes a new kernel version; `make test` runs every
# test, the exhaustive verification included. Each target sets up .venv from scratch if missing.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv kernels reals verify test test-fast bench bench-pass clean

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

kernels: $(STAMP)
	$(PY) -m generator kernels

reals: $(STAMP)
	$(PY) -m generator reals --out results/reals

verify: $(STAMP)
	$(PY) -m generator verify

# Test files run whole on TEST_WORKERS processes (--dist loadfile: a file's cases share one
# process, its compiled loops and cache files).
TEST_WORKERS ?= 2

test-fast: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests

test: test-fast verify

bench: $(STAMP)
	mkdir -p .benchmarks
	$(PY) -m pytest -q benchmarks -p no:randomly --benchmark-enable --benchmark-min-rounds=7 --benchmark-max-time=0.3 --benchmark-json=.benchmarks/latest.json --benchmark-autosave --benchmark-compare --benchmark-columns=median,iqr,rounds
	$(PY) benchmarks/report.py .benchmarks/latest.json
	PYTHONPATH=. $(PY) benchmarks/ratios.py

bench-pass: $(STAMP)
	mkdir -p .benchmarks
	$(PY) -m pytest -q benchmarks/test_bench_numba_pass.py -p no:randomly --benchmark-enable --benchmark-min-rounds=11 --benchmark-max-time=0.5 --benchmark-json=.benchmarks/pass.json
	$(PY) benchmarks/report.py .benchmarks/pass.json
	PYTHONPATH=. $(PY) benchmarks/pass_shapes.py 15

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .benchmarks
