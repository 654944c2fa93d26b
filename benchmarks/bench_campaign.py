"""Campaign throughput: replications per second for 1 and 2 local workers and a 2-worker Dask
LocalCluster, on the 81-satellite reference cluster (20 years, eclipses and power), or on
another scenario (``--config``, e.g. configs/reference-cluster-serviced.yaml).

Each configuration runs ``-n`` replications into a fresh temporary directory (the eclipse
schedules come from the on-disk cache, filled first). Figures, not pass/fail.

    python benchmarks/bench_campaign.py [-n 200] [--config FILE] [--no-dask]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sim.api import fleet_geometry, load_scenario, run_campaign

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "configs" / "reference-cluster.yaml"


def measure(label: str, n: int, workers: int, scheduler: str | None,
            config: Path = REFERENCE) -> float:
    """Wall time of one campaign; prints replications per second."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run_campaign(config, n=n, workers=workers, scheduler=scheduler, out=out, seed=7)
        wall = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    workers_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print(f"{label:<34} {n:>5} replications {wall:>8.1f} s {n / wall:>8.2f} replications/s"
          f"   peak RSS {own:>5.0f} MiB here, {workers_mib:>5.0f} MiB largest worker so far")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="replications per configuration")
    parser.add_argument("--config", type=Path, default=REFERENCE, help="scenario file")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    args = parser.parse_args()
    start = time.perf_counter()
    fleet_geometry(load_scenario(args.config))
    print(f"{args.config.name}: eclipse geometry (cache filled): "
          f"{time.perf_counter() - start:.1f} s")
    one = measure("local, 1 worker (in-process)", args.n, 1, None, args.config)
    two = measure("local, 2 worker processes", args.n, 2, None, args.config)
    print(f"speed-up, 2 local workers: {one / two:.2f}x")
    if not args.no_dask:
        dask = measure("Dask LocalCluster, 2 workers", args.n, 2, "local", args.config)
        print(f"speed-up, Dask: {one / dask:.2f}x")
    print(f"projected 1,000 replications on 2 local workers: {1000 * two / args.n:.0f} s")


if __name__ == "__main__":
    main()
