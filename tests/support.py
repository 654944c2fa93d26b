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


def cli_problems(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    """(path, message) of every ``error: PATH: message`` line, after checking the bad-input
    contract: exit status 2, nothing on stdout, no traceback, at least one problem."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines, "no problem reported"
    found = []
    for line in lines:
        assert line.startswith("error: "), line
        path, sep, message = line.removeprefix("error: ").partition(": ")
        assert sep and path and message.strip(), line
        found.append((path, message))
    return found
