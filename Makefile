# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The reference cluster over 20 years, 1,000 replications, without servicing and with it, each
# with its report, then the two compared replication by replication (same seed: common random
# numbers). A finished or killed campaign is resumed (nothing recomputed); remove its folder
# under results/ to start afresh.
DEMO_BASE := results/reference-cluster
DEMO_SERVICED := results/reference-cluster-serviced

demo: $(STAMP)
	$(BIN)/orbsim campaign configs/reference-cluster.yaml -n 1000 --workers 2 \
		--out $(DEMO_BASE) $$(test -f $(DEMO_BASE)/manifest.json && echo --resume)
	$(BIN)/orbsim report $(DEMO_BASE)
	$(BIN)/orbsim campaign configs/reference-cluster-serviced.yaml -n 1000 --workers 2 \
		--out $(DEMO_SERVICED) $$(test -f $(DEMO_SERVICED)/manifest.json && echo --resume)
	$(BIN)/orbsim report $(DEMO_SERVICED)
	$(BIN)/orbsim compare $(DEMO_BASE) $(DEMO_SERVICED) --figure results/compare-cluster.png

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_reliability.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
