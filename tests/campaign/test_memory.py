"""Local workers bounded by the memory free: the estimate of a replication's peak, checked
against one measured, and the plan the command line follows."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from support import CONFIGS, SMOKE, orbsim_here

from sim.api import load_scenario
from sim.campaign import memory
from sim.campaign.memory import (
    MEMORY_ENV,
    MIB,
    USABLE_SHARE,
    available_bytes,
    plan_workers,
    replication_bytes,
)

GIB = 2**30
GIGAWATT = CONFIGS / "gigawatt.yaml"


def gigawatt_cut() -> list[str]:
    """The gigawatt's four shells cut to one plane of 300 each (1,200 satellites), its
    servicers and depots to match."""
    found = []
    for k in range(4):
        found += [f"fleet.{k}.orbit.planes=1", f"fleet.{k}.orbit.phasing=0",
                  f"fleet.{k}.count=300", f"servicing.servicers.{k}.count=9"]
    return found


@pytest.fixture(scope="module")
def gigawatt():
    return load_scenario(GIGAWATT)


def test_a_default_plan_takes_no_more_workers_than_memory_holds(gigawatt) -> None:
    each = replication_bytes(gigawatt)
    free = 64 * GIB
    plan = plan_workers(gigawatt, None, cores=16, available_bytes=free)
    assert plan.workers * each <= USABLE_SHARE * free < (plan.workers + 1) * each
    assert 1 <= plan.workers < 16
    assert plan.note is not None and plan.note.startswith(f"note: {plan.workers} worker(s)")
    assert "--workers" in plan.note


def test_a_request_beyond_memory_is_kept_with_a_warning_naming_what_fits(gigawatt) -> None:
    fits = plan_workers(gigawatt, None, cores=64, available_bytes=64 * GIB).workers
    plan = plan_workers(gigawatt, 16, cores=2, available_bytes=64 * GIB)
    assert plan.workers == 16
    assert plan.note is not None and plan.note.startswith("warning: --workers 16:")
    assert f"--workers {fits} fits" in plan.note
    assert plan_workers(gigawatt, fits, cores=2, available_bytes=64 * GIB).note is None


def test_only_the_replications_to_run_are_weighed(gigawatt) -> None:
    """Two replications run at most two at once, however many workers are asked for."""
    fits = plan_workers(gigawatt, None, cores=64, available_bytes=24 * GIB).workers
    assert fits >= 2
    plan = plan_workers(gigawatt, 8, cores=2, available_bytes=24 * GIB, replications=2)
    assert (plan.workers, plan.note) == (2, None)
    assert plan_workers(gigawatt, None, cores=16, available_bytes=24 * GIB,
                        replications=1).workers == 1


def test_one_worker_at_least_and_one_a_core_where_memory_is_unknown_or_ample(gigawatt) -> None:
    tight = plan_workers(gigawatt, None, cores=8, available_bytes=GIB)
    assert tight.workers == 1
    assert tight.note is not None and tight.note.startswith(
        "warning: a replication of gigawatt takes about")
    assert "more than the 1.1 GB free" in tight.note
    # Below 1 GB in MB, so that two different sizes do not read alike.
    small = plan_workers(load_scenario(SMOKE), None, cores=2, available_bytes=150 * MIB)
    assert small.note is not None and "takes about 210 MB, more than the 157 MB free" in (
        small.note)
    assert tight.note.endswith("(ORBSIM_KEPT_ORBITS_MIB=0 takes less)")
    # Without power there are no planes to keep, and no such hint.
    smoke_tight = plan_workers(load_scenario(SMOKE), None, cores=8, available_bytes=MIB)
    assert smoke_tight.note is not None and "ORBSIM_KEPT_ORBITS_MIB" not in smoke_tight.note
    assert plan_workers(gigawatt, None, cores=8, available_bytes=None).workers == 8
    smoke = load_scenario(SMOKE)
    plan = plan_workers(smoke, None, cores=8, available_bytes=16 * GIB)
    assert (plan.workers, plan.note) == (8, None)


def test_the_estimate_grows_with_the_fleet_the_horizon_and_the_planes_kept(gigawatt) -> None:
    cut = load_scenario(GIGAWATT, gigawatt_cut())
    shorter = load_scenario(GIGAWATT, ["horizon_years=5"])
    assert replication_bytes(cut) < replication_bytes(gigawatt)
    assert replication_bytes(shorter) < replication_bytes(gigawatt)
    assert (replication_bytes(gigawatt, kept_budget_bytes=0)
            < replication_bytes(gigawatt, kept_budget_bytes=10 * GIB))
    # Without power, no orbit planes; without radiation, servicing or jobs, little per satellite.
    plain = load_scenario(SMOKE, ["horizon_years=40", "fleet.0.count=1000"])
    per_satellite = (replication_bytes(plain) - memory.PROCESS_BYTES) / plain.n_satellites
    assert per_satellite == pytest.approx(memory.SATELLITE_FIXED_BYTES
                                          + 2 * memory.SATELLITE_20_YEARS_BYTES, rel=1e-3)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux only")
def test_the_estimate_is_at_or_above_a_measured_peak_and_close_to_it() -> None:
    """One replication of a 1,200-satellite cut of the gigawatt (servicing, radiation, jobs,
    power; 20 years) in a process of its own: its peak resident memory is at most the estimate
    and at least 80 % of it (``peak_resident_bytes``: the process's own, not its parent's)."""
    overrides = gigawatt_cut()
    cut = load_scenario(GIGAWATT, overrides)
    code = (
        "import json, sys\n"
        "from sim.api import fleet_geometry, load_scenario, run_replicate\n"
        "from sim.replicate import GeometryOrbits\n"
        "scenario = load_scenario(sys.argv[2], sys.argv[3:])\n"
        "geometry = fleet_geometry(scenario)\n"
        "if sys.argv[1] == 'run':\n"
        "    run_replicate(scenario, 0, 2027, GeometryOrbits(geometry))\n"
        "from sim.campaign.memory import peak_resident_bytes\n"
        "print(json.dumps(peak_resident_bytes()))\n")
    # First the schedules, cached where the second process reads them (as a campaign's
    # workers receive them computed), then the replication alone.
    for step in ("cache", "run"):
        ran = subprocess.run([sys.executable, "-c", code, step, str(GIGAWATT), *overrides],
                             capture_output=True, text=True, check=True)
    peak = json.loads(ran.stdout.splitlines()[-1])
    estimate = replication_bytes(cut)
    assert 0.8 * estimate <= peak <= estimate, (peak / MIB, estimate / MIB)


def test_memory_free_is_read_from_the_environment_in_mib() -> None:
    assert available_bytes({MEMORY_ENV: "1024"}) == GIB
    assert available_bytes({MEMORY_ENV: " 0.5 "}) == MIB // 2
    found = available_bytes({})
    assert found is None or found > 0


@pytest.mark.parametrize("raw", ["lots", "0", "-5", "nan", "inf"])
def test_a_bad_memory_setting_is_refused_naming_the_variable(raw: str) -> None:
    with pytest.raises(ValueError, match=f"{MEMORY_ENV}: must be a number of MiB > 0"):
        available_bytes({MEMORY_ENV: raw})


def test_the_command_line_refuses_a_bad_memory_setting_in_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "lots")
    result = orbsim_here("validate", str(SMOKE))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"error: {MEMORY_ENV}: must be a number of MiB > 0, got 'lots'\n"


def test_a_campaign_says_when_memory_sets_its_workers(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path) -> None:
    """Four cores and room for one smoke replication: one worker, and a line saying why."""
    monkeypatch.setattr(memory, "default_workers", lambda: 4)
    each = replication_bytes(load_scenario(SMOKE))
    monkeypatch.setenv(MEMORY_ENV, f"{math.ceil(1.5 * each / MIB)}")
    result = orbsim_here("campaign", str(SMOKE), "-n", "4", "--out", str(tmp_path / "c"),
                         "--json")
    assert result.returncode == 0, result.stderr
    assert "note: 1 worker(s), not 4 (one a core): a replication of smoke takes" in (
        result.stderr)
    assert json.loads(result.stdout)["replications"] == 4


def test_a_run_larger_than_the_memory_free_is_warned_of(monkeypatch: pytest.MonkeyPatch) -> None:
    each = replication_bytes(load_scenario(SMOKE))
    monkeypatch.setenv(MEMORY_ENV, f"{math.floor(0.5 * each / MIB)}")
    result = orbsim_here("run", str(SMOKE), "--json")
    assert result.returncode == 0, result.stderr
    assert "warning: a replication of smoke takes about" in result.stderr
    assert json.loads(result.stdout)["satellites"] == 4
    monkeypatch.setenv(MEMORY_ENV, f"{math.ceil(2 * each / MIB)}")
    assert "warning" not in orbsim_here("run", str(SMOKE), "--json").stderr
