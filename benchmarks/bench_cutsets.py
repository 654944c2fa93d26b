"""Cut sets and importance of every shipped design, and what the reliability extensions cost a
replication. Figures, not pass/fail.

Prints, for each scenario in ``configs/`` (validation cases aside): the time to build each
design's structure, list its minimal cut sets by unit and compute every part's importance at
the horizon (median of ``--repeats``), the number of sets and kinds; for
``reference-cluster-reliability.yaml`` also the sets by mode. Then the CPU time of a
replication of the reference cluster (no extension used) beside its reliability variant.

    python benchmarks/bench_cutsets.py [--repeats 5] [--replications 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.api import (
    GeometryOrbits,
    ages_in_eclipse,
    cut_set_analysis,
    fleet_geometry,
    load_scenario,
    run_replicate,
    shadow_fractions,
)
from sim.structure.cutsets import CutSetError, minimal_cut_sets
from sim.structure.tree import Timing, structure

ROOT = Path(__file__).resolve().parent.parent
RELIABILITY = ROOT / "configs" / "reference-cluster-reliability.yaml"
CLUSTER = ROOT / "configs" / "reference-cluster.yaml"


def cut_sets(repeats: int) -> None:
    print(f"{'scenario':40} {'ms':>8} {'sets':>8} {'kinds':>6}")
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        scenario = load_scenario(path)
        shadow = (shadow_fractions(scenario, fleet_geometry(scenario))
                  if ages_in_eclipse(scenario) else None)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            analysis = cut_set_analysis(scenario, shadow=shadow)
            times.append(time.perf_counter() - start)
        sets = sum(group["cut_sets"] for group in analysis["groups"])
        kinds = sum(len(group["kinds"]) for group in analysis["groups"])
        print(f"{path.name:40} {1000 * statistics.median(times):8.1f} {sets:8,} {kinds:6,}")
    scenario = load_scenario(RELIABILITY)
    start = time.perf_counter()
    try:
        by_mode = minimal_cut_sets(structure(scenario.fleet[0].design,
                                             Timing(scenario.phases)))
        found = f"{len(by_mode):,} sets"
    except CutSetError as exc:
        found = f"refused ({exc})"
    print(f"{RELIABILITY.name} by mode (each mode and demand its own event): {found}, "
          f"{time.perf_counter() - start:.2f} s")


def replication_cpu_s(path: Path, replications: int) -> tuple[float, float]:
    scenario = load_scenario(path)
    orbits = GeometryOrbits(fleet_geometry(scenario))
    run_replicate(scenario, 0, orbits=orbits)
    times = []
    for replicate in range(replications):
        start = time.process_time()
        result = run_replicate(scenario, replicate, orbits=orbits)
        times.append(time.process_time() - start)
    return statistics.median(times), result.uptime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--replications", type=int, default=20)
    args = parser.parse_args()
    cut_sets(args.repeats)
    for path in (CLUSTER, RELIABILITY):
        cpu_s, uptime = replication_cpu_s(path, args.replications)
        print(f"{path.name}: {cpu_s:.3f} s CPU per replication (median of "
              f"{args.replications}), uptime of the last {uptime:.4f}")


if __name__ == "__main__":
    main()
