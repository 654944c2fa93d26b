"""Power physics through the command line, on the shipped reference cluster and its variants:
an array too small is refused, a failed battery browns satellites out, the reference carries
its own compute, no cause is negative, long horizons run, and the array follows the Sun."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from support import CONFIGS, cli_problems, orbsim, orbsim_json

REFERENCE = CONFIGS / "reference-cluster.yaml"
NEVER = "{distribution: fixed, duration_years: 1000}"
# Every part of the reference design: (dotted path of its failure law).
PARTS = ("fleet.0.design.parts.0", "fleet.0.design.parts.1", "fleet.0.design.parts.2.parts.0",
         "fleet.0.design.parts.2.parts.1", "fleet.0.design.parts.2.parts.2")


def no_failures(*but: str) -> list[str]:
    """``--set`` arguments switching off the failures (and what radiation does) of every
    reference part not in ``but``."""
    arguments = []
    for part in PARTS:
        if part not in but:
            arguments += ["--set", f"{part}.failure={NEVER}", "--set", f"{part}.radiation="]
    return arguments


def test_validate_refuses_an_array_that_cannot_recharge_the_battery() -> None:
    """400 km, 51.6°, a 3 kW array, compute shed: the bus alone drains 1.6 kWh a 36-minute
    eclipse and the 0.5 kW left in sunlight cannot put it back."""
    result = orbsim("validate", str(REFERENCE), "--set", "horizon_years=1",
                    "--set", "fleet.0.orbit.altitude_km=400",
                    "--set", "fleet.0.orbit.inclination_deg=51.6",
                    "--set", "fleet.0.orbit.ltan_h=null", "--set", "fleet.0.orbit.raan_deg=0",
                    "--set", "fleet.0.design.power.array_bol_kw=3",
                    "--set", "fleet.0.design.power.eclipse_rule=shed")
    problems = cli_problems(result)
    assert len(problems) == 1
    path, message = problems[0]
    assert path == "fleet.0.design.power.array_bol_kw"
    assert "needs ≥ 4.4" in message and "kW" in message and "got 3" in message


def test_a_failing_battery_browns_the_satellites_out() -> None:
    """Battery strings with a mean life of a year and nothing else failing, to mid-season of
    the second year: the satellites whose batteries fell below six strings lose bus power in
    every eclipse and are down until a day after the last; every outage is a brownout."""
    result = orbsim_json("run", str(REFERENCE), "--set", "horizon_days=540",
                         "--set", "fleet.0.design.parts.0.failure="
                                  "{distribution: exponential, mean_years: 1}",
                         *no_failures("fleet.0.design.parts.0"))
    events, causes = result["events"], result["downtime_by_cause"]
    assert events["brownouts"] > 0 and result["power"]["bus_unpowered_hours"] > 0
    assert causes["brownout"] > 0.01 and set(causes) <= {"brownout", "battery_failed",
                                                         "battery_degraded", "array_degraded",
                                                         "sunlit_shortfall",
                                                         "eclipse_shortfall"}
    assert events["satellite_outages"] == events["brownouts"]
    # Each outage ended in a recovery or lasted to the horizon, mid-season.
    assert (events["satellite_outages"]
            == events["satellite_recoveries"] + result["satellites_down_at_end"])
    assert result["satellites_down_at_end"] > 0
    assert result["power"]["unmet_bus_kwh"] > 0
    assert result["uptime"] + sum(causes.values()) == pytest.approx(1.0, abs=1e-9)


def test_the_reference_cluster_carries_its_own_compute() -> None:
    """With no part failing, the design delivers its compute through 20 years of eclipse
    seasons, to the end of the array's life."""
    result = orbsim_json("run", str(REFERENCE), *no_failures())
    assert result["uptime"] >= 0.995
    assert result["events"]["brownouts"] == 0 and result["power"]["unmet_bus_kwh"] == 0.0


def test_no_cause_is_negative_at_400_km() -> None:
    """The reference design in a 400 km orbit falls short in eclipse and in sunlight, its
    batteries failing and fading: every cause is ≥ 0 and they add up."""
    result = orbsim_json("run", str(REFERENCE), "--set", "horizon_days=120",
                         "--set", "fleet.0.orbit.altitude_km=400",
                         "--set", "fleet.0.orbit.inclination_deg=51.6",
                         "--set", "fleet.0.orbit.ltan_h=null",
                         "--set", "fleet.0.orbit.raan_deg=0",
                         "--set", "fleet.0.design.parts.0.failure="
                                  "{distribution: exponential, mean_years: 3}")
    causes = result["downtime_by_cause"]
    assert {"eclipse_shortfall", "battery_degraded"} <= set(causes)
    assert all(share >= 0.0 for share in causes.values()), causes
    assert result["uptime"] + sum(causes.values()) == pytest.approx(1.0, abs=1e-9)


def small_powered_fleet(tmp_path: Path, orbit: dict[str, Any], **horizon: float) -> Path:
    """Three satellites of the reference design (failures as shipped) on ``orbit``."""
    document = yaml.safe_load(REFERENCE.read_text())
    document.pop("horizon_years")
    document.update(horizon)
    document["fleet"][0]["count"] = 3
    document["fleet"][0]["workload"]["satellites_per_job"] = 3
    document["fleet"][0]["orbit"] = orbit
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_a_30_year_run_from_2027_completes(tmp_path: Path) -> None:
    """Past DE421's end in 2053: the Sun from ERFA's epv00 beyond it."""
    path = small_powered_fleet(tmp_path, {"kind": "formation", "altitude_km": 650,
                                          "inclination_deg": "sso", "ltan_h": 18},
                               horizon_years=30)
    result = orbsim_json("run", str(path))
    assert result["horizon_years"] == 30
    assert len(result["monthly_capacity_fraction"]) == 360
    assert 0.0 < result["uptime"] < 1.0
    assert result["power"]["battery_cycles"] > 0


@pytest.mark.slow
def test_a_100_year_run_from_2027_completes(tmp_path: Path) -> None:
    """A century, to 2127, in a cheap orbit to search (two eclipse seasons a year)."""
    path = small_powered_fleet(tmp_path, {"kind": "formation", "altitude_km": 20_200,
                                          "inclination_deg": 55, "raan_deg": 0},
                               horizon_years=100)
    result = orbsim_json("run", str(path), "--set", "fleet.0.design.power.bus_load_kw=1",
                         "--set", "fleet.0.design.power.battery.capacity_kwh=200")
    assert result["horizon_years"] == 100
    assert len(result["monthly_capacity_fraction"]) == 1200
    assert result["power"]["battery_cycles"] > 0


def test_array_output_follows_the_suns_distance_from_the_ephemeris() -> None:
    """On real orbits: the sunlit output in early July over early January is
    (r_Jan / r_Jul)² to 1e-6, with r from Skyfield's DE421 at the middle of each sunlight."""
    from skyfield.api import load_file

    from sim.api import GeometryOrbits, fleet_geometry, load_scenario
    from sim.orbits.ephemeris import builtin_timescale, de421_path

    scenario = load_scenario(REFERENCE, ["horizon_days=200",
                                         "fleet.0.orbit.inclination_deg=53",
                                         "fleet.0.orbit.ltan_h=null",
                                         "fleet.0.orbit.raan_deg=0"])
    orbits = GeometryOrbits(fleet_geometry(scenario)).orbits_for(0)
    design = scenario.fleet[0].design.power
    assert design is not None
    array = orbits.array(design)
    middle_s = 0.5 * (orbits.eclipse_end_s + orbits.end_s)
    jan = int(np.searchsorted(middle_s, 2.5 * 86_400))
    jul = int(np.searchsorted(middle_s, 184.5 * 86_400))
    timescale = builtin_timescale()
    kernel = load_file(de421_path())
    try:
        sun = kernel["sun"] - kernel["earth"]
        start = scenario.start_utc.timestamp()

        def distance_km(t_s: float) -> float:
            moment = timescale.from_datetime(datetime.fromtimestamp(start + t_s, tz=UTC))
            return float(np.linalg.norm(sun.at(moment).position.km))

        expected = (distance_km(middle_s[jan]) / distance_km(middle_s[jul])) ** 2
    finally:
        kernel.close()
    assert array.sunlit_bol_w[jul] / array.sunlit_bol_w[jan] == pytest.approx(expected,
                                                                             rel=1e-6)
    assert 0.93 < expected < 0.94
