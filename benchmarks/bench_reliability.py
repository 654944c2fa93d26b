"""Engine throughput beside SimPy's own floor, measured in the same run.

Prints, for a 1,000-satellite 20-year fleet of the reference design (4 nodes × 4 accelerators,
hosts, mirrored SSDs, bus; with and without repairs; hardware only) and for the 81-satellite
reference cluster (hardware only, then with its eclipses and power): wall time, SimPy events,
events/s, satellite-years/s, the cost per event as a multiple of an empty SimPy loop, and peak
memory. ``--shell`` adds one replication of the 1,584-satellite reference shell with eclipses
and power. Figures, not pass/fail.

    python benchmarks/bench_reliability.py [--quick] [--shell]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path

import simpy

from sim.api import GeometryOrbits, Scenario, fleet_geometry, load_scenario, run_replicate

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "configs" / "reference-cluster.yaml"
SHELL = ROOT / "configs" / "reference-shell.yaml"
NODE = "fleet.0.design.parts.2.parts"
REPAIRED = [
    f"{NODE}.0.repair={{distribution: lognormal, median_days: 14, sigma: 0.6}}",
    f"{NODE}.1.repair={{distribution: exponential, mean_days: 7}}",
    f"{NODE}.2.repair={{distribution: exponential, mean_days: 7}}",
]


def simpy_floor(processes: int, timeouts_each: int) -> float:
    """Events per second of processes that do nothing but wait on timeouts."""

    def idle(env: simpy.Environment) -> Generator[simpy.Event, None, None]:
        for _ in range(timeouts_each):
            yield env.timeout(1.0)

    env = simpy.Environment()
    for _ in range(processes):
        env.process(idle(env))
    start = time.perf_counter()
    env.run()
    return processes * (timeouts_each + 1) / (time.perf_counter() - start)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def hardware_only(scenario: Scenario) -> Scenario:
    """The scenario without orbits and power: failures and repairs alone."""
    fleet = tuple(replace(g, orbit=None, design=replace(g.design, power=None))
                  for g in scenario.fleet)
    return replace(scenario, fleet=fleet)


def measure(label: str, scenario: Scenario, replications: int, floor: float) -> None:
    """Run ``replications`` replications and print the median figures."""
    # Kept across replications, as a campaign's worker keeps it.
    orbits = GeometryOrbits(fleet_geometry(scenario)) if scenario.has_orbits else None
    walls, events = [], []
    for replicate in range(replications):
        gc.collect()
        result = run_replicate(scenario, replicate=replicate, root_seed=2027, orbits=orbits)
        walls.append(result.wall_s)
        events.append(result.sim_events)
    wall = statistics.median(walls)
    n_events = statistics.median(events)
    rate = n_events / wall
    print(f"{label:<44} {wall:>8.3f} {n_events:>10,.0f} {rate:>11,.0f} "
          f"{scenario.satellite_years / wall:>12,.0f} {floor / rate:>8.1f}x {peak_rss_mib():>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replications")
    parser.add_argument("--shell", action="store_true", help="also the 1,584-satellite shell")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3

    floor_one = statistics.median(simpy_floor(1, 1_000_000) for _ in range(repeats))
    floor_many = statistics.median(simpy_floor(20_000, 50) for _ in range(repeats))
    print(f"python {sys.version.split()[0]}, simpy {simpy.__version__}")
    print(f"SimPy floor, 1 process × 1,000,000 timeouts:  {floor_one:>12,.0f} events/s")
    print(f"SimPy floor, 20,000 processes × 50 timeouts:   {floor_many:>12,.0f} events/s")
    print()
    print(f"{'case':<44} {'wall s':>8} {'events':>10} {'events/s':>11} "
          f"{'sat-years/s':>12} {'÷ floor':>9} {'RSS MiB':>8}")
    thousand = hardware_only(load_scenario(REFERENCE, ["fleet.0.count=1000"]))
    thousand_repaired = hardware_only(load_scenario(REFERENCE, ["fleet.0.count=1000", *REPAIRED]))
    cluster = load_scenario(REFERENCE)
    measure("1,000 satellites, 20 y, no repair", thousand, repeats, floor_one)
    measure("1,000 satellites, 20 y, repairs", thousand_repaired, repeats, floor_one)
    measure("81-satellite cluster, 20 y, hardware only", hardware_only(cluster), 5 * repeats,
            floor_one)
    measure("81-satellite cluster, 20 y, eclipses + power", cluster, 5 * repeats, floor_one)
    start = time.perf_counter()
    fleet_geometry(cluster)
    print(f"cluster eclipse geometry from the cache: {time.perf_counter() - start:.3f} s")
    if args.shell:
        measure("1,584-satellite shell, 20 y, eclipses + power", load_scenario(SHELL), 1,
                floor_one)


if __name__ == "__main__":
    main()
