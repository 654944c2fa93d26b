"""Gigawatt scale: what a replication costs as the fleet grows, each case in a fresh process
(its own peak memory), measured in one run. Figures: a goal missed is reported, never an
error.

Cases:

- ``shell``: the 1,584-satellite reference shell with eclipses and power (radiation and the
  training jobs taken out), members read from their planes' orbits at their phase lags, beside
  ``shell-exact`` (each member on its own interpolated schedule, the reference) and
  ``shell-shipped`` (as shipped: radiation and training jobs too). When ``shell`` and
  ``shell-exact`` both run, the largest differences of the lagged members from the exact ones
  are printed after the table.
- ``hardware-1000`` and ``hardware-48000``: the reference cluster's design without orbits,
  power, radiation or jobs (failures alone), 1,000 and 48,000 satellites.
- ``power-1200`` and ``power-48000``: the gigawatt fleet (configs/gigawatt.yaml) with eclipses
  and power only, one plane of 300 per shell (1,200 satellites) and every plane (48,000).
- ``gigawatt``: configs/gigawatt.yaml as shipped (servicing, radiation, training jobs).

Each case runs ``--replications`` replications after building what replications share (the
eclipse schedules from the cache; the first replication, timed apart, builds the planes' power
tables) and prints the mean wall time, satellite-years per second and peak memory. Planes'
orbits and tables are kept across replications up to the model's budget, or ``--kept-mib``
(0: every plane rebuilt in each replication, the least memory).

Then the scale goals (one core), each judged when its cases ran, met or not:

- ``shell``: 10,000 satellite-years/s or more;
- ``hardware-48000`` against ``hardware-1000``, and ``power-48000`` against ``power-1200``:
  satellite-years/s within 20 % of the small case's;
- ``gigawatt``: a replication in under 2 minutes, and under 8 GB.

    python benchmarks/bench_scale.py [--cases shell hardware-1000 ...] [--replications 2]
                                     [--kept-mib MiB]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("shell", "shell-exact", "shell-shipped", "hardware-1000", "hardware-48000",
         "power-1200", "power-48000", "gigawatt")


def _quiet(parts):  # type: ignore[no-untyped-def]
    return tuple(dataclasses.replace(p, radiation=None, parts=_quiet(p.parts)) for p in parts)


def _unrepaired(parts):  # type: ignore[no-untyped-def]
    from sim.model.repair import NoRepair

    return tuple(dataclasses.replace(p, repair=NoRepair(), parts=_unrepaired(p.parts))
                 for p in parts)


def power_only(scenario):  # type: ignore[no-untyped-def]
    """The scenario with no radiation, independent work, and no servicing."""
    fleet = tuple(dataclasses.replace(g, workload=None, design=dataclasses.replace(
        g.design, parts=_unrepaired(_quiet(g.design.parts)))) for g in scenario.fleet)
    return dataclasses.replace(scenario, fleet=fleet, radiation=None, saa=None, servicing=None)


def hardware_only(scenario):  # type: ignore[no-untyped-def]
    """Failures alone: no orbits, power, radiation, jobs or servicing."""
    scenario = power_only(scenario)
    fleet = tuple(dataclasses.replace(g, orbit=None, design=dataclasses.replace(
        g.design, power=None)) for g in scenario.fleet)
    return dataclasses.replace(scenario, fleet=fleet)


def scenario_of(case: str):  # type: ignore[no-untyped-def]
    from sim.api import load_scenario

    configs = ROOT / "configs"
    if case.startswith("shell"):
        scenario = load_scenario(configs / "reference-shell.yaml")
        return scenario if case == "shell-shipped" else power_only(scenario)
    if case.startswith("hardware"):
        count = int(case.split("-")[1])
        return hardware_only(load_scenario(configs / "reference-cluster.yaml", [
            f"fleet.0.count={count}", "fleet.0.workload.satellites_per_job=1"]))
    if case == "power-1200":
        overrides = [item for k in range(4) for item in (
            f"fleet.{k}.orbit.planes=1", f"fleet.{k}.orbit.phasing=0", f"fleet.{k}.count=300")]
        return power_only(load_scenario(configs / "gigawatt.yaml", overrides))
    scenario = load_scenario(configs / "gigawatt.yaml")
    return scenario if case == "gigawatt" else power_only(scenario)


def peak_rss_mib() -> float:
    """This process's own peak resident memory, MiB (``ru_maxrss`` off Linux)."""
    from sim.campaign.memory import peak_resident_bytes

    found = peak_resident_bytes()
    if found is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return found / 2**20


def run_case(case: str, replications: int, kept_mib: float | None) -> dict[str, float | str]:
    from sim.api import fleet_geometry, run_replicate
    from sim.replicate import GeometryOrbits

    scenario = scenario_of(case)
    start = time.perf_counter()
    orbits = None
    if scenario.has_orbits:
        kept_bytes = None if kept_mib is None else round(kept_mib * 2**20)
        orbits = GeometryOrbits(fleet_geometry(scenario, workers=1),
                                "exact" if case == "shell-exact" else "shifted", kept_bytes)
    geometry_s = time.perf_counter() - start
    walls, results = [], []
    for replicate in range(replications + 1):
        result = run_replicate(scenario, replicate, 2027, orbits)
        walls.append(result.wall_s)
        results.append(result)
    later = walls[1:] or walls
    wall = sum(later) / len(later)
    first = results[0]
    return {
        "case": case, "satellites": scenario.n_satellites,
        "satellite_years": scenario.satellite_years, "geometry_s": geometry_s,
        "first_s": walls[0], "wall_s": wall, "sat_years_per_s": scenario.satellite_years / wall,
        "peak_rss_mib": peak_rss_mib(),
        "uptime": first.uptime, "availability": first.availability,
        "causes": first.downtime_by_cause, "power": first.power,
        "monthly": first.monthly_capacity_fraction,
    }


def compare(lagged: dict, exact: dict) -> None:  # type: ignore[type-arg]
    print("lagged members against their own schedules (replication 0):")
    print(f"  uptime {lagged['uptime'] - exact['uptime']:+.2e}   availability "
          f"{lagged['availability'] - exact['availability']:+.2e}")
    for cause in sorted(exact["causes"].keys() | lagged["causes"].keys()):
        difference = lagged["causes"].get(cause, 0) - exact["causes"].get(cause, 0)
        print(f"  {cause:<24} {difference:+.2e}")
    months = max(abs(a - b) for a, b in zip(lagged["monthly"], exact["monthly"], strict=True))
    print(f"  monthly capacity, largest difference {months:.2e}")
    for name in ("battery_cycles", "min_state_of_charge"):
        print(f"  power.{name:<20} {lagged['power'][name]:.6g} vs {exact['power'][name]:.6g}")


# The scale goals, on one core: the reference shell with power at 10,000 satellite-years/s
# or more; a gigawatt replication in under 2 minutes and 8 GB; satellite-years/s at 48,000
# satellites within 20 % of the figure at 1,000 or 1,200 (hardware alone, and with power).
SHELL_SAT_YEARS_PER_S = 10_000
GIGAWATT_S = 120.0
GIGAWATT_MIB = 8e9 / 2**20
LINEAR_WITHIN = 0.2


def goals(found: dict) -> list[tuple[str, str, bool]]:  # type: ignore[type-arg]
    """(goal, what was measured, met) for each goal the cases run can judge."""
    judged = []
    if "shell" in found:
        rate = found["shell"]["sat_years_per_s"]
        judged.append((f"shell with power >= {SHELL_SAT_YEARS_PER_S:,} sat-yr/s",
                       f"{rate:,.0f}", rate >= SHELL_SAT_YEARS_PER_S))
    for small, large in (("hardware-1000", "hardware-48000"), ("power-1200", "power-48000")):
        if small in found and large in found:
            ratio = found[large]["sat_years_per_s"] / found[small]["sat_years_per_s"]
            judged.append((f"{large} sat-yr/s within {LINEAR_WITHIN:.0%} of {small}",
                           f"{ratio:.2f} of it", ratio >= 1.0 - LINEAR_WITHIN))
    if "gigawatt" in found:
        row = found["gigawatt"]
        judged.append((f"gigawatt replication < {GIGAWATT_S:.0f} s", f"{row['wall_s']:.0f} s",
                       row["wall_s"] < GIGAWATT_S))
        judged.append(("gigawatt peak memory < 8 GB", f"{row['peak_rss_mib']:,.0f} MiB",
                       row["peak_rss_mib"] < GIGAWATT_MIB))
    return judged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES),
                        help="cases to run, each in a fresh process (default: all; the "
                             "gigawatt takes about 10 minutes a replication)")
    parser.add_argument("--replications", type=int, default=2,
                        help="replications timed after the first (default: 2)")
    parser.add_argument("--kept-mib", type=float, default=None,
                        help="MiB of shared orbits kept across replications (default: "
                             "$ORBSIM_KEPT_ORBITS_MIB, else the model's 1.5 GiB)")
    parser.add_argument("--one", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.kept_mib is not None and not args.kept_mib >= 0:
        parser.error(f"--kept-mib: must be ≥ 0, got {args.kept_mib}")
    if args.one:
        print(json.dumps(run_case(args.one, args.replications, args.kept_mib)))
        return
    print(f"{'case':<16} {'sats':>7} {'first s':>8} {'s/rep':>8} {'sat-yr/s':>9} "
          f"{'peak MiB':>9} {'kB/sat':>7}")
    found = {}
    for case in args.cases:
        kept = [] if args.kept_mib is None else ["--kept-mib", str(args.kept_mib)]
        done = subprocess.run([sys.executable, __file__, "--one", case, "--replications",
                               str(0 if case == "shell-exact" else args.replications), *kept],
                              capture_output=True, text=True, check=True)
        row = found[case] = json.loads(done.stdout.splitlines()[-1])
        print(f"{case:<16} {row['satellites']:>7,} {row['first_s']:>8.1f} {row['wall_s']:>8.2f} "
              f"{row['sat_years_per_s']:>9,.0f} {row['peak_rss_mib']:>9,.0f} "
              f"{1024 * row['peak_rss_mib'] / row['satellites']:>7.1f}", flush=True)
    if "shell" in found and "shell-exact" in found:
        compare(found["shell"], found["shell-exact"])
    judged = goals(found)
    if not judged:
        print("no goal judged: the goals need shell, gigawatt, or the pairs hardware-1000 and "
              "hardware-48000, power-1200 and power-48000")
        return
    print("goals (one core):")
    for goal, measured, met in judged:
        print(f"  {'met    ' if met else 'NOT MET'}  {goal}: {measured}")


if __name__ == "__main__":
    main()
