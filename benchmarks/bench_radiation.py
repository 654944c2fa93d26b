"""What radiation and training jobs cost: one 20-year replication of a reference scenario as
shipped (per-chip upset rates, solar cycle, storms, the SAA, training jobs) beside the same
scenario with every part's radiation and the workload taken out, measured in one run.
Figures, not pass/fail.

    python benchmarks/bench_radiation.py [--replications 8] [--shell]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from pathlib import Path

from sim.api import GeometryOrbits, fleet_geometry, load_scenario, run_replicate
from sim.model.design import Part
from sim.scenario import Scenario

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def _quiet(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    return tuple(dataclasses.replace(p, radiation=None, parts=_quiet(p.parts)) for p in parts)


def without_radiation(scenario: Scenario) -> Scenario:
    """The scenario with no part meeting radiation and every group's compute independent."""
    fleet = tuple(dataclasses.replace(g, workload=None, design=dataclasses.replace(
        g.design, parts=_quiet(g.design.parts))) for g in scenario.fleet)
    return dataclasses.replace(scenario, fleet=fleet, radiation=None, saa=None)


def measure(label: str, scenario: Scenario, replications: int) -> float:
    """Mean wall time per replication after a first one that builds what replications share
    (power profiles, the SAA windows); prints satellite-years per second."""
    orbits = GeometryOrbits(fleet_geometry(scenario))
    run_replicate(scenario, 0, 7, orbits)
    start = time.perf_counter()
    results = [run_replicate(scenario, replicate, 7, orbits)
               for replicate in range(1, replications + 1)]
    wall = (time.perf_counter() - start) / replications
    uptime = sum(r.uptime for r in results) / replications
    goodput = sum(r.goodput for r in results) / replications
    events = sum(r.sim_events for r in results) / replications
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"{label:<44} {wall:>8.3f} s/replication {scenario.satellite_years / wall:>8,.0f} "
          f"sat-yr/s  uptime {uptime:.4f}  goodput {goodput:.4f}  events {events:>9,.0f}  "
          f"peak RSS {rss:,.0f} MiB")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--shell", action="store_true",
                        help="also the 1,584-satellite shell (about 2 minutes a replication)")
    args = parser.parse_args()
    names = ["reference-cluster.yaml", "reference-cluster-serviced.yaml"]
    if args.shell:
        names.append("reference-shell.yaml")
    for name in names:
        scenario = load_scenario(CONFIGS / name)
        replications = args.replications if "shell" not in name else 1
        with_it = measure(f"{name} (as shipped)", scenario, replications)
        without = measure(f"{name} (no radiation, independent work)",
                          without_radiation(scenario), replications)
        print(f"{'':<44} radiation and jobs cost {with_it / without:.2f}× the run without")


if __name__ == "__main__":
    main()
