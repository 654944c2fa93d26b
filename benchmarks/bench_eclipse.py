"""Eclipse-schedule cost: a 72-plane Walker shell over 20 years, first time and from the cache.

Prints, for a 550 km, 53°, 72 × 22 Walker-delta shell from 2027-01-01 over 20 years:

- the 72 plane schedules computed into an empty cache with ``--workers`` processes (wall and
  CPU seconds, CPU including the workers);
- the same request answered from the cache;
- the search's cost per orbit-year in one process, and SGP4 evaluations per eclipse;
- deriving members' schedules from their plane's (per member, and for the whole shell);
- memory: one plane schedule's arrays, and peak resident memory of this process and workers.

Figures, not pass/fail. ``--quick`` runs 2 years instead of 20.

    python benchmarks/bench_eclipse.py [--quick] [--workers N]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import tempfile
import time
from datetime import UTC, datetime

from sim.orbits import WalkerShell, circular_orbit, walker_schedules
from sim.orbits.ephemeris import open_ephemeris
from sim.orbits.schedule import ARRAY_FIELDS
from sim.orbits.search import find_eclipses
from sim.orbits.sun import sun_track
from sim.orbits.timebase import UtcClock
from sim.units import YEAR_S

START_UTC = datetime(2027, 1, 1, tzinfo=UTC)
PLANES = 72
PER_PLANE = 22


def cpu_s() -> float:
    """CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(call):
    wall, cpu = time.perf_counter(), cpu_s()
    result = call()
    return result, time.perf_counter() - wall, cpu_s() - cpu


def search_cost(years: float) -> tuple[float, float]:
    """Seconds per orbit-year of one search in this process and SGP4 evaluations per eclipse,
    for one 550 km, 53° orbit over ``years``."""
    orbit = circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=0.0)
    span_s = years * YEAR_S
    with open_ephemeris() as ephemeris:
        clock = UtcClock.from_start(ephemeris.timescale, START_UTC)
        sun = sun_track(ephemeris, clock, span_s, pad_s=3 * 86_400.0)
    started = time.perf_counter()
    raw, evaluations = find_eclipses(orbit.satrec(), clock, sun, span_s)
    elapsed = time.perf_counter() - started
    return elapsed / years, evaluations / raw.penumbra_start_s.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 years instead of 20")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args()
    years = 2.0 if args.quick else 20.0
    span_s = years * YEAR_S
    shell = WalkerShell(START_UTC, 550e3, math.radians(53), PLANES, PER_PLANE, phasing=1)
    print(
        f"shell: {PLANES} planes × {PER_PLANE}, 550 km, 53°, {years:.0f} years from "
        f"{START_UTC.date()}, {args.workers} worker processes, {os.cpu_count()} CPUs"
    )

    with tempfile.TemporaryDirectory(prefix="orbsim-bench-") as cache_dir:
        planes, wall, cpu = timed(
            lambda: walker_schedules(
                shell, START_UTC, span_s, workers=args.workers, cache_dir=cache_dir
            )
        )
        eclipses = sum(len(p.reference) for p in planes)
        print(
            f"first time:  {wall:7.2f} s wall, {cpu:7.2f} s CPU for {PLANES} plane schedules "
            f"({eclipses:,} eclipses; {wall / (PLANES * years) * 1e3:.1f} ms wall per orbit-year)"
        )
        _, wall, cpu = timed(
            lambda: walker_schedules(shell, START_UTC, span_s, cache_dir=cache_dir)
        )
        print(f"from cache:  {wall:7.3f} s wall, {cpu:7.3f} s CPU (72 .npz files read)")

    per_year_s, evaluations = search_cost(min(years, 1.0))
    per_year_long_s, _ = search_cost(years)
    print(
        f"search:      {per_year_s * 1e3:.1f} ms per orbit-year over 1 year, "
        f"{per_year_long_s * 1e3:.1f} ms over {years:.0f} years; "
        f"{evaluations:.2f} SGP4 evaluations per eclipse"
    )

    plane = planes[0]
    members, wall, _ = timed(lambda: list(plane))
    print(
        f"members:     {wall / len(members) * 1e3:.1f} ms per member derived from its plane "
        f"({wall / len(members) * PLANES * PER_PLANE:.1f} s for all {PLANES * PER_PLANE})"
    )

    plane_mb = sum(getattr(plane.reference, f).nbytes for f in ARRAY_FIELDS) / 1e6
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"memory:      {plane_mb:.1f} MB per plane schedule ({PLANES * plane_mb:.0f} MB for the "
        f"shell); peak RSS {own_mb:.0f} MB here, {worker_mb:.0f} MB in the largest worker"
    )


if __name__ == "__main__":
    main()
