"""Helpers for tests: repository paths, and the orbsim command line run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
SMOKE = CONFIGS / "smoke.yaml"


def orbsim(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in a subprocess, capturing text output."""
    result = subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT
    )
    if check and result.returncode != 0:
        raise AssertionError(f"orbsim {' '.join(args)} failed: {result.stderr}")
    return result


def orbsim_json(*args: str) -> dict[str, Any]:
    """Run ``orbsim ... --json`` and parse the one JSON object it prints."""
    result = orbsim(*args, "--json", check=True)
    return json.loads(result.stdout)
