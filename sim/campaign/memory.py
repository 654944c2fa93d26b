"""How many local workers a machine's memory holds: each runs one replication at a time, and a
large fleet's replication takes gigabytes (the serviced gigawatt about 5.6 GiB), so as many
workers as cores can exhaust memory where cores are many. The estimate is deliberately
generous; it is calibrated on replications measured on a 2-core Linux machine
(``benchmarks/bench_scale.py``, peak resident memory; figures in docs/performance.md).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sim.campaign.executors import default_workers
from sim.env_settings import env_number
from sim.model.power.shared import kept_orbits_bytes
from sim.scenario import Scenario
from sim.units import YEAR_S

MIB = 2**20
# A worker's interpreter with numpy, SimPy and skyfield loaded, and its copy of the scenario,
# bytes: a 1,000-satellite replication of the reference design peaks at 0.18 GB.
PROCESS_BYTES = 200 * MIB
# Each satellite's part tree and unit lives, whatever the horizon, bytes: 48,000 satellites of
# the reference design with failures only peak at 1.2 GB (about 25 kB each above the process).
SATELLITE_FIXED_BYTES = 25_000
# What a satellite adds over 20 years, bytes: its power states and changes (eclipses and power
# alone, no plane kept: 31 kB a satellite in all), or, with radiation, servicing or training
# jobs, its outages, job changes and upsets as well (the serviced gigawatt with radiation and
# jobs: 82 kB a satellite above the process and its planes at 48,000 satellites, 118 kB at
# 1,200, where servicers, depots and each group's upsets weigh more; 100 kB in all here).
SATELLITE_20_YEARS_BYTES = 6_000
EVENTFUL_SATELLITE_20_YEARS_BYTES = 75_000
# And a fleet group with any of those over 20 years, bytes: its servicers' and depots' records
# and, at its jobs' settling, its upsets (a 1,200-satellite cut of the gigawatt in four groups
# took about 12 MiB a group beyond 82 kB a satellite).
EVENTFUL_GROUP_20_YEARS_BYTES = 16 * MIB
# One orbit plane's orbits and power tables over 20 years, bytes (a 53° plane; a
# sun-synchronous one takes a quarter of it).
PLANE_20_YEARS_BYTES = 17 * MIB
TWENTY_YEARS_S = 20 * YEAR_S
# Share of the memory available that workers may take together: the rest is left to the
# campaign's own process and to the system.
USABLE_SHARE = 0.9
# Memory a campaign may use, MiB (unset: what the machine, or its control group, has free).
MEMORY_ENV = "ORBSIM_MEMORY_MIB"
_MEMINFO = Path("/proc/meminfo")
_STATUS = Path("/proc/self/status")
_CGROUP = Path("/sys/fs/cgroup")


def replication_bytes(scenario: Scenario, kept_budget_bytes: int | None = None) -> int:
    """The peak memory of one replication of ``scenario`` in a worker, bytes (an estimate
    meant to be at or above what it takes): the process, each satellite and fleet group, and
    the orbit planes of groups with power, kept up to ``kept_budget_bytes``
    (``$ORBSIM_KEPT_ORBITS_MIB``'s budget by default) plus the one being rebuilt."""
    years = scenario.horizon_s / TWENTY_YEARS_S
    eventful = scenario.radiation is not None or scenario.servicing is not None or any(
        group.workload is not None for group in scenario.fleet)
    growing = EVENTFUL_SATELLITE_20_YEARS_BYTES if eventful else SATELLITE_20_YEARS_BYTES
    satellites = scenario.n_satellites * (SATELLITE_FIXED_BYTES + growing * years)
    groups = len(scenario.fleet) * EVENTFUL_GROUP_20_YEARS_BYTES * years if eventful else 0.0
    planes = sum(getattr(group.orbit, "planes", 1) for group in scenario.fleet
                 if group.orbit is not None and group.design.power is not None)
    plane_bytes = PLANE_20_YEARS_BYTES * years
    budget = kept_orbits_bytes() if kept_budget_bytes is None else kept_budget_bytes
    orbits = min(planes * plane_bytes, budget + plane_bytes)
    return round(PROCESS_BYTES + satellites + groups + orbits)


@dataclass(frozen=True)
class WorkerPlan:
    """Local workers for a campaign: how many, and why fewer than asked or than cores."""

    workers: int
    replication_bytes: int
    available_bytes: int | None
    # One line for the user where memory decided (None: it did not).
    note: str | None = None


def plan_workers(scenario: Scenario, requested: int | None, cores: int,
                 available_bytes: int | None, replications: int | None = None) -> WorkerPlan:
    """As many workers as ``requested``, or as cores, but by default no more than the memory
    available holds (at least one, with a warning where not even one fits); a request beyond
    it is kept, with a warning. With ``replications`` to run, no more than those run at
    once, and only those are weighed against the memory."""
    each = replication_bytes(scenario)
    if replications is not None:
        cores = max(1, min(cores, replications))
        if requested is not None:
            requested = max(1, min(requested, replications))
    if available_bytes is None:
        return WorkerPlan(requested or cores, each, None)
    fits = math.floor(USABLE_SHARE * available_bytes / each)
    needed = f"a replication of {scenario.name} takes about {_gb(each)}"
    # Keeping no orbit plane across replications takes less, where there are planes to keep.
    less = (" (ORBSIM_KEPT_ORBITS_MIB=0 takes less)"
            if replication_bytes(scenario, kept_budget_bytes=0) < each else "")
    if fits < 1:
        return WorkerPlan(requested or 1, each, available_bytes,
                          f"warning: {needed}, more than the {_gb(available_bytes)} free: it "
                          f"may not finish{less}")
    if requested is None:
        if fits >= cores:
            return WorkerPlan(cores, each, available_bytes)
        return WorkerPlan(fits, each, available_bytes,
                          f"note: {fits} worker(s), not {cores} (one a core): {needed}, and "
                          f"{_gb(available_bytes)} is free; --workers sets the number")
    if requested > fits:
        return WorkerPlan(requested, each, available_bytes,
                          f"warning: --workers {requested}: {needed}, {_gb(requested * each)} "
                          f"for {requested} at once, and {_gb(available_bytes)} is free; "
                          f"--workers {fits} fits{less}")
    return WorkerPlan(requested, each, available_bytes)


def worker_plan(scenario: Scenario, requested: int | None = None,
                replications: int | None = None) -> WorkerPlan:
    """``plan_workers`` on this machine: its cores (those this process may run on) and the
    memory free (``available_bytes``)."""
    return plan_workers(scenario, requested, default_workers(), available_bytes(),
                        replications)


def available_bytes(environ: Mapping[str, str] = os.environ) -> int | None:
    """Memory a campaign may use, bytes: ``$ORBSIM_MEMORY_MIB`` where set, else the smaller of
    the machine's available memory and its control group's room (None where neither is
    known)."""
    mib = env_number(environ, MEMORY_ENV, "MiB", positive=True)
    if mib is not None:
        return round(mib * MIB)
    found = [value for value in (_meminfo_available(), _cgroup_room()) if value is not None]
    return min(found) if found else None


def peak_resident_bytes() -> int | None:
    """This process's own peak resident memory, bytes (``VmHWM``; None off Linux). Not
    ``ru_maxrss``, which keeps across ``exec`` the peak of the parent a process was forked
    from."""
    return _proc_kib(_STATUS, "VmHWM:")


def _meminfo_available() -> int | None:
    """``MemAvailable`` of /proc/meminfo, bytes (None off Linux)."""
    return _proc_kib(_MEMINFO, "MemAvailable:")


def _proc_kib(path: Path, key: str) -> int | None:
    """The value in kB of the line starting with ``key`` in a /proc file, in bytes (None
    where there is no such file or line)."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_room() -> int | None:
    """What this process's control group (v2) may still take, bytes (None: no limit)."""
    try:
        limit = (_CGROUP / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((_CGROUP / "memory.current").read_text().strip()))
    except (OSError, ValueError):
        return None


def _gb(value: float) -> str:
    """Bytes as GB to a tenth, or as MB below 1 GB (where tenths of a GB would make two
    different sizes look the same)."""
    return f"{value / 1e9:.1f} GB" if value >= 1e9 else f"{value / 1e6:.0f} MB"
