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

# The reference cluster over 20 years, 1,000 replications, and its report. A finished or killed
# campaign in $(DEMO_OUT) is resumed (nothing recomputed); remove the folder to start afresh.
DEMO_OUT := results/reference-cluster

demo: $(STAMP)
	$(BIN)/orbsim campaign configs/reference-cluster.yaml -n 1000 --workers 2 \
		--out $(DEMO_OUT) $$(test -f $(DEMO_OUT)/manifest.json && echo --resume)
	$(BIN)/orbsim report $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_reliability.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
