"""Helpers for tests: repository paths, the orbsim command line run as a user runs it, and
small scenarios shared by several test modules."""

from __future__ import annotations

import contextlib
import gc
import json
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

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


def orbsim_here(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """``orbsim ARGS`` in this process, from the repository's root, as ``orbsim`` returns it:
    the same command and output, without starting Python again (about 1.7 s a call). An
    exception that escapes the command is given as a traceback on stderr, with status 1."""
    from typer.testing import CliRunner

    from sim.cli import app

    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(app, list(args))
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(result.exception))
    if check and result.exit_code != 0:
        raise AssertionError(f"orbsim {' '.join(args)} failed: {stderr}")
    return subprocess.CompletedProcess(["orbsim", *args], result.exit_code, result.stdout,
                                       stderr)


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


def left_for_the_collector(run: Callable[[], object], kinds: tuple[type, ...]) -> list[object]:
    """The objects of ``kinds`` that ``run`` leaves in reference cycles (found by a collection
    with the collector held during the run)."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return [o for o in gc.garbage if isinstance(o, kinds)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def assert_same_results(result: Any, reference: Any, relative: float) -> None:
    """Two replications' results (``ReplicateResult``) agree to ``relative`` in every figure
    the power accounting reaches: uptime, availability, causes, power, monthly capacity."""
    import pytest

    assert result.uptime == pytest.approx(reference.uptime, rel=relative)
    assert result.availability == pytest.approx(reference.availability, rel=relative)
    assert result.downtime_by_cause == pytest.approx(reference.downtime_by_cause, rel=relative)
    assert result.power == pytest.approx(reference.power, rel=relative)
    assert result.monthly_capacity_fraction == pytest.approx(
        reference.monthly_capacity_fraction, rel=relative)
    assert result.events == reference.events
    assert result.satellites_down_at_end == reference.satellites_down_at_end


def not_a_campaign(folder: Path, make: str) -> Path:
    """A path that is no finished campaign's results: an ``empty`` folder, a ``missing``
    one, a ``file``, or an ``unfinished`` folder holding only a manifest."""
    if make == "empty":
        folder.mkdir()
    elif make == "file":
        folder.write_text("not a directory")
    elif make == "unfinished":
        folder.mkdir()
        (folder / "manifest.json").write_text("{}")
    return folder


def stopped_copy(finished: Path, folder: Path) -> int:
    """A copy of a ``finished`` campaign as if stopped before its end: no merged files, and
    its last chunk never committed. Returns how many replications it holds."""
    import shutil

    shutil.copytree(finished, folder)
    for name in ("replicates.parquet", "timeseries.parquet", "summary.json"):
        (folder / name).unlink()
    last = sorted((folder / "parts").glob("rep-*.parquet"))[-1]
    first, stop = (int(x) for x in last.stem.split("-")[1:])
    for part in (folder / "parts").glob(f"*-{first:07d}-{stop:07d}*"):
        part.unlink()
    return first


def quiet_shell(planes: int = 3, per_plane: int = 4, years: int = 1) -> Any:
    """A cut of the reference shell with eclipses and power only (no radiation, no training
    jobs): small enough for a test, with several planes sharing their orbits."""
    import dataclasses

    from sim.api import load_scenario

    scenario = load_scenario(CONFIGS / "reference-shell.yaml", [
        f"fleet.0.orbit.planes={planes}", f"fleet.0.orbit.per_plane={per_plane}",
        f"fleet.0.count={planes * per_plane}", f"horizon_years={years}"])

    def quiet(parts: Any) -> Any:
        return tuple(dataclasses.replace(p, radiation=None, parts=quiet(p.parts)) for p in parts)

    group = scenario.fleet[0]
    group = dataclasses.replace(group, workload=None, design=dataclasses.replace(
        group.design, parts=quiet(group.design.parts)))
    return dataclasses.replace(scenario, fleet=(group,), radiation=None, saa=None)


def scenario_file(tmp_path: Path, servicing: dict[str, Any], **extra: Any) -> Path:
    """20 satellites without orbits for 10 years; each one node of 4 accelerators (1 needed,
    mean life 5 years, swapped by servicers) and a bus that never fails in 10 years."""
    document = {
        "name": "policy-case",
        "horizon_years": 10,
        "sla_fraction": 0.5,
        "launch": {"lead": {"distribution": "fixed", "duration_days": 30}, "usd_per_kg": 1000},
        "fleet": [{
            "name": "fleet",
            "count": 20,
            "design": {
                "nominal_compute_pflops": 4.0,
                "mass_kg": 500,
                "cost_usd": 1.0e6,
                "parts": [
                    {"name": "gpu", "role": "compute", "count": 4, "required": 1,
                     "failure": {"distribution": "exponential", "mean_years": 5},
                     "repair": "servicer", "mass_kg": 2, "cost_usd": 1000},
                    {"name": "bus", "role": "bus", "count": 1,
                     "failure": {"distribution": "exponential", "mean_years": 1.0e6}},
                ],
            },
        }],
        "servicing": servicing,
    }
    document.update(extra)
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def robot(**fields: Any) -> dict[str, Any]:
    """One servicer of the fleet of ``scenario_file`` in visits of 6 hours, or as ``fields``
    say."""
    found = {"name": "robot", "group": "fleet", "count": 1,
             "visit": {"distribution": "fixed", "duration_h": 6}}
    found.update(fields)
    return found


def with_long_reboots(path: Path) -> Path:
    """The case at ``path`` with gpus rebooting 12 times a year for 10 days each (down about
    a quarter of the time)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["radiation"] = {"dose_rad_per_year": 0}
    document["fleet"][0]["design"]["parts"][0]["radiation"] = {
        "functional_interrupts_per_year": 12,
        "reboot": {"distribution": "fixed", "duration_days": 10}}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path
