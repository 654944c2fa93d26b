# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS_STAMP := $(VENV)/.notebooks-installed

.PHONY: help install demo test lint bench notebooks notebook-outputs clean
.DEFAULT_GOAL := help

help:
	@echo "make install           create .venv and install orbsim in it (what the others do"
	@echo "                       first), then use .venv/bin/orbsim"
	@echo "make demo              reference cluster without and with servicing: campaigns,"
	@echo "                       reports, comparison (results/)"
	@echo "make test              ruff and the whole test suite"
	@echo "make lint              ruff only"
	@echo "make bench             performance figures (benchmarks/)"
	@echo "make notebooks         open notebooks/ in JupyterLab (installed into .venv once)"
	@echo "make notebook-outputs  re-run the notebooks and store their outputs in place"
	@echo "make clean             remove .venv and the tools' caches"
	@echo "All but help and clean create .venv and install orbsim into it first if needed."

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The reference cluster over 20 years, 500 replications without servicing and 500 with it, each
# with its report, then the two compared replication by replication (same seed: common random
# numbers). A finished or killed campaign is resumed (nothing recomputed); remove its folder
# under results/ to start afresh.
DEMO_BASE := results/reference-cluster
DEMO_SERVICED := results/reference-cluster-serviced

demo: $(STAMP)
	$(BIN)/orbsim campaign configs/reference-cluster.yaml -n 500 --workers 2 \
		--out $(DEMO_BASE) $$(test -f $(DEMO_BASE)/manifest.json && echo --resume)
	$(BIN)/orbsim report $(DEMO_BASE)
	$(BIN)/orbsim campaign configs/reference-cluster-serviced.yaml -n 500 --workers 2 \
		--out $(DEMO_SERVICED) $$(test -f $(DEMO_SERVICED)/manifest.json && echo --resume)
	$(BIN)/orbsim report $(DEMO_SERVICED)
	$(BIN)/orbsim compare $(DEMO_BASE) $(DEMO_SERVICED) --figure results/compare-cluster.png
	@echo "reports: $(DEMO_BASE)/report.html and $(DEMO_SERVICED)/report.html;" \
		"comparison: results/compare-cluster.png"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_reliability.py

# JupyterLab (the notebooks extra) in the project's venv, so the notebooks import this orbsim.
$(NOTEBOOKS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks]'
	touch $(NOTEBOOKS_STAMP)

notebooks: $(NOTEBOOKS_STAMP)
	$(BIN)/jupyter lab notebooks/

# The notebooks are stored with their outputs, so that they read well where the code is hosted;
# rerun this after changing one (no timings are recorded, to keep the diffs to what changed).
notebook-outputs: $(NOTEBOOKS_STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
