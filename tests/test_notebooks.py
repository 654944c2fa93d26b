"""Every notebook in notebooks/ runs top to bottom without a cell error, and is stored with its
outputs (so that it reads well where the code is hosted) at a modest size; ``make notebooks``
opens them in JupyterLab from the project's venv.

The run here executes a copy in memory: the stored outputs are never compared, only checked to
be there (``make notebook-outputs`` refreshes them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from support import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT_S = 300
# A notebook with its outputs: a few small figures, not megabytes of base64.
MAX_STORED_BYTES = 400_000


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert errors == []


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_with_its_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
        "run top to bottom and stored: make notebook-outputs")
    assert any(cell.outputs for cell in code)
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not [cell for cell in code if "execution" in cell.metadata], "timings stored"
    assert path.stat().st_size <= MAX_STORED_BYTES


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_notebooks_opens_jupyterlab_from_the_venv() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert any(r.startswith("jupyterlab") for r in extras["notebooks"])
    # Under `make test` the outer make's variables would make this one print directories.
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    plan = subprocess.run(["make", "--no-print-directory", "-n", "-B", "notebooks"], cwd=ROOT,
                          capture_output=True, text=True, check=True,
                          env=environment).stdout.splitlines()
    assert any("pip install" in line and "notebooks]" in line for line in plan)
    assert plan[-1] == ".venv/bin/jupyter lab notebooks/"
