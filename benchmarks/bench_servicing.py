"""Servicing throughput: one replication of the serviced reference cluster and of the serviced
1,584-satellite shell (20 years, eclipses and power), in satellite-years simulated per second,
beside the same scenarios without servicing. Figures, not pass/fail.

    python benchmarks/bench_servicing.py [--replications 5] [--no-shell]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from sim.api import GeometryOrbits, fleet_geometry, load_scenario, run_replicate

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def measure(name: str, replications: int) -> None:
    """Mean wall time per replication after a first one that builds the shared power
    profiles; prints satellite-years per second and the jobs the servicers did."""
    scenario = load_scenario(CONFIGS / name)
    orbits = GeometryOrbits(fleet_geometry(scenario))
    run_replicate(scenario, 0, 7, orbits)
    start = time.perf_counter()
    results = [run_replicate(scenario, replicate, 7, orbits)
               for replicate in range(1, replications + 1)]
    wall = (time.perf_counter() - start) / replications
    jobs = sum(r.servicing.get("jobs", 0) for r in results) / replications
    uptime = sum(r.uptime for r in results) / replications
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"{name:<36} {wall:>8.3f} s/replication {scenario.satellite_years / wall:>10,.0f} "
          f"sat-yr/s   uptime {uptime:.4f}   jobs {jobs:>8,.0f}   peak RSS {rss:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--no-shell", action="store_true", help="skip the 1,584-satellite shell")
    args = parser.parse_args()
    measure("reference-cluster.yaml", args.replications)
    measure("reference-cluster-serviced.yaml", args.replications)
    if not args.no_shell:
        measure("reference-shell.yaml", 1)
        measure("reference-shell-serviced.yaml", 1)


if __name__ == "__main__":
    main()
