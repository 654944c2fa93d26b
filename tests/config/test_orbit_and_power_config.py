"""Scenario orbits (formation, sun-synchronous, Walker shell, TLE) and power sections: how
they load and convert to SI, and every bad input through ``orbsim validate``: exit status 2,
nothing on stdout, one ``error: PATH: message`` line per problem, no traceback.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import cli_problems, orbsim, orbsim_here

from sim.config import ScenarioError, load_scenario
from sim.orbits import Formation, MeanElements, TwoLineElements, WalkerShell
from sim.orbits.elements import tle_checksum
from sim.scenario import Scenario
from sim.units import KWH_J, YEAR_S

Change = Callable[[dict[str, Any]], Any]

ORBIT = "fleet.0.orbit"
POWER = "fleet.0.design.power"

# Dawn-dusk SSO at 650 km, as in configs/reference-cluster.yaml; June is its eclipse season.
BASE: dict[str, Any] = {
    "name": "orbit-power",
    "start_utc": "2027-06-15T00:00:00Z",
    "horizon_days": 10,
    "sla_fraction": 0.9,
    "fleet": [{
        "name": "cluster",
        "count": 4,
        "orbit": {"kind": "formation", "altitude_km": 650, "inclination_deg": "sso",
                  "ltan_h": 18},
        "design": {
            "nominal_compute_pflops": 32,
            "power": {
                "array_bol_kw": 28,
                "array_degradation_per_year": 0.005,
                "bus_load_kw": 2.5,
                "compute_load_kw": 21,
                "eclipse_rule": "ride_through",
                "battery": {
                    "capacity_kwh": 31,
                    "max_depth_of_discharge": 0.3,
                    "charge_efficiency": 0.95,
                    "discharge_efficiency": 0.9,
                    "fade_per_cycle": 7.4e-6,
                    "calendar_fade_per_year": 0.002,
                    "part": "battery",
                },
            },
            "parts": [
                {"name": "battery", "role": "battery", "count": 8, "required": 6,
                 "failure": {"distribution": "exponential", "mean_years": 60}},
                {"name": "bus", "role": "bus", "count": 1,
                 "failure": {"distribution": "exponential", "mean_years": 20}},
            ],
        },
    }],
}


def with_checksum(line: str) -> str:
    """The first 68 columns of ``line`` and their checksum."""
    line = line[:68].ljust(68)
    return line + str(tle_checksum(line))


def synthetic_tle(raan_deg: float = 222.0) -> tuple[str, str]:
    """An ISS-like element set at 2027-01-01 with valid checksums."""
    line1 = "1 25544U 98067A   27001.00000000  .00000000  00000-0  00000-0 0  999"
    line2 = f"2 25544  51.6400 {raan_deg:8.4f} 0005000  90.0000 270.0000 15.50000000    1"
    return with_checksum(line1), with_checksum(line2)


def number_after(pattern: str, text: str) -> float:
    """The number captured by ``pattern`` (one group) in ``text``."""
    match = re.search(pattern, text)
    assert match, (pattern, text)
    return float(match.group(1))


def document(*changes: Change) -> dict[str, Any]:
    """The base scenario after ``changes`` edit it in place."""
    result = copy.deepcopy(BASE)
    for change in changes:
        change(result)
    return result


def orbit(**values: Any) -> Change:
    """Replace the first group's orbit section."""
    return lambda d: d["fleet"][0].update(orbit=values)


def set_orbit(**values: Any) -> Change:
    """Set (or, with None, remove) keys of the first group's orbit section."""
    def change(d: dict[str, Any]) -> None:
        for key, value in values.items():
            if value is None:
                d["fleet"][0]["orbit"].pop(key, None)
            else:
                d["fleet"][0]["orbit"][key] = value
    return change


def set_power(**values: Any) -> Change:
    return lambda d: d["fleet"][0]["design"]["power"].update(values)


def set_battery(**values: Any) -> Change:
    return lambda d: d["fleet"][0]["design"]["power"]["battery"].update(values)


def set_top(**values: Any) -> Change:
    return lambda d: d.update(values)


def write(tmp_path: Path, content: dict[str, Any], name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True))
    return path


def load(tmp_path: Path, *changes: Change) -> Scenario:
    return load_scenario(write(tmp_path, document(*changes)))




# --- loading ---------------------------------------------------------------------------------


def test_formation_with_inclination_and_raan(tmp_path: Path) -> None:
    scenario = load(tmp_path, orbit(kind="formation", altitude_km=550, inclination_deg=53.0,
                                     raan_deg=40.0, arg_latitude_deg=30.0, eccentricity=0.001,
                                     arg_perigee_deg=90.0))
    formation = scenario.fleet[0].orbit
    assert isinstance(formation, Formation)
    assert formation.count == 4
    elements = formation.orbit
    assert isinstance(elements, MeanElements)
    assert elements.altitude_m == pytest.approx(550e3, abs=1e-6)
    assert elements.eccentricity == 0.001
    assert elements.inclination_rad == pytest.approx(math.radians(53.0), abs=1e-15)
    assert elements.raan_rad == pytest.approx(math.radians(40.0), abs=1e-15)
    assert elements.arg_perigee_rad == pytest.approx(math.radians(90.0), abs=1e-15)
    assert elements.arg_latitude_rad == pytest.approx(math.radians(30.0), abs=1e-12)
    assert elements.epoch_utc == scenario.start_utc


def test_sun_synchronous_formation_with_ltan(tmp_path: Path) -> None:
    """docs/sources.md §4 gives 97.99° at 650 km; LTAN 18 h puts the node 90° east of the Sun."""
    from sim.orbits import raan_from_ltan_rad

    scenario = load(tmp_path)
    elements = scenario.fleet[0].orbit.orbit
    assert math.degrees(elements.inclination_rad) == pytest.approx(97.99, abs=0.01)
    assert elements.raan_rad == pytest.approx(raan_from_ltan_rad(scenario.start_utc, 18.0))


def test_sun_synchronous_eccentric_orbit(tmp_path: Path) -> None:
    scenario = load(tmp_path, set_orbit(altitude_km=800, eccentricity=0.01, ltan_h=10.5))
    elements = scenario.fleet[0].orbit.orbit
    assert elements.eccentricity == 0.01
    assert 98.0 < math.degrees(elements.inclination_rad) < 99.2


def test_walker_shell(tmp_path: Path) -> None:
    scenario = load(tmp_path, orbit(kind="walker", altitude_km=550, inclination_deg=53,
                                    raan_deg=10, planes=3, per_plane=2, phasing=1),
                    lambda d: d["fleet"][0].update(count=6))
    shell = scenario.fleet[0].orbit
    assert isinstance(shell, WalkerShell)
    assert (shell.planes, shell.satellites_per_plane, shell.phasing) == (3, 2, 1)
    assert shell.total == scenario.fleet[0].count == 6
    assert shell.altitude_m == 550e3
    assert shell.inclination_rad == pytest.approx(math.radians(53))
    assert shell.raan0_rad == pytest.approx(math.radians(10))
    raans = sorted(math.degrees(p.reference.raan_rad) for p in shell.plane_groups())
    assert raans == pytest.approx([10, 130, 250])


def test_tle_orbit(tmp_path: Path) -> None:
    line1, line2 = synthetic_tle()
    scenario = load(tmp_path, orbit(kind="tle", line1=line1, line2=line2))
    formation = scenario.fleet[0].orbit
    assert isinstance(formation, Formation)
    assert isinstance(formation.orbit, TwoLineElements)
    assert (formation.orbit.line1, formation.orbit.line2) == (line1, line2)
    assert math.degrees(formation.orbit.inclination_rad) == pytest.approx(51.64)


def test_group_without_orbit_or_power(tmp_path: Path) -> None:
    def strip(d: dict[str, Any]) -> None:
        group = d["fleet"][0]
        del group["orbit"], group["design"]["power"]
        group["design"]["parts"].pop(0)

    scenario = load(tmp_path, strip)
    assert scenario.fleet[0].orbit is None
    assert scenario.fleet[0].design.power is None
    assert not scenario.has_orbits


@pytest.mark.parametrize(("rule", "fraction", "level"), [
    ("ride_through", None, 1.0),
    ("shed", None, 0.0),
    ("shed_to_fraction", 0.25, 0.25),
    ("shed_to_fraction", 0.0, 0.0),
])
def test_eclipse_rules(tmp_path: Path, rule: str, fraction: float | None, level: float) -> None:
    extra = {} if fraction is None else {"eclipse_compute_fraction": fraction}
    power = load(tmp_path, set_power(eclipse_rule=rule, **extra)).fleet[0].design.power
    assert power is not None
    assert power.eclipse_compute_level == level


def test_power_in_si_units(tmp_path: Path) -> None:
    power = load(tmp_path).fleet[0].design.power
    assert power is not None
    assert power.array_bol_w == 28_000.0
    assert power.bus_load_w == 2_500.0
    assert power.compute_load_w == 21_000.0
    assert power.array_degradation_per_year == 0.005
    battery = power.battery
    assert battery.capacity_j == pytest.approx(31 * KWH_J, rel=1e-15)
    assert battery.capacity_j == pytest.approx(31 * 3.6e6, rel=1e-15)
    assert battery.calendar_fade_per_s == pytest.approx(0.002 / (365.25 * 86_400), rel=1e-15)
    assert battery.calendar_fade_per_s * YEAR_S == pytest.approx(0.002, rel=1e-15)
    assert battery.fade_per_cycle == 7.4e-6
    assert (battery.max_depth_of_discharge, battery.charge_efficiency,
            battery.discharge_efficiency) == (0.3, 0.95, 0.9)
    assert (battery.fade_reference_dod, battery.fade_exponent) == (0.3, 1.0)
    assert battery.part == "battery"


def test_load_reports_orbit_problems_per_group(tmp_path: Path) -> None:
    def two_groups(d: dict[str, Any]) -> None:
        second = copy.deepcopy(d["fleet"][0])
        second["name"] = "far"
        d["fleet"].append(second)
        for group in d["fleet"]:
            group["orbit"]["altitude_km"] = 7000

    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, two_groups)
    assert [p.path for p in caught.value.problems] == ["fleet.0.orbit", "fleet.1.orbit"]


def test_validate_accepts_each_orbit_kind(tmp_path: Path) -> None:
    line1, line2 = synthetic_tle()
    walker = {"kind": "walker", "altitude_km": 550, "inclination_deg": 53, "raan_deg": 0,
              "planes": 2, "per_plane": 2}
    cases = {
        "sso": document(),
        "raan": document(set_orbit(ltan_h=None, inclination_deg=97.9, raan_deg=120)),
        "walker": document(orbit(**walker)),
        "tle": document(orbit(kind="tle", line1=line1, line2=line2)),
    }
    for name, content in cases.items():
        result = orbsim_here("validate", str(write(tmp_path, content, f"{name}.yaml")))
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith("ok: orbit-power: 4 satellites"), result.stdout


# --- bad input through the command line -------------------------------------------------------


def sso_without_solution(d: dict[str, Any]) -> None:
    d["fleet"][0]["orbit"]["altitude_km"] = 6500


def tle_with(line1: str | None = None, line2: str | None = None) -> Change:
    good1, good2 = synthetic_tle()
    return orbit(kind="tle", line1=good1 if line1 is None else line1,
                 line2=good2 if line2 is None else line2)


def bad_checksum(line: str) -> str:
    return line[:-1] + str((int(line[-1]) + 1) % 10)


LINE1, LINE2 = synthetic_tle()
WALKER = {"kind": "walker", "altitude_km": 550, "inclination_deg": 53, "raan_deg": 0,
          "planes": 2, "per_plane": 2}


def battery_part_without_power(d: dict[str, Any]) -> None:
    design = d["fleet"][0]["design"]
    del design["power"]
    design["parts"][0] = {"name": "cells", "role": "battery", "count": 1,
                          "failure": {"distribution": "exponential", "mean_years": 9}}


BAD_CASES = [
    # orbit shape
    pytest.param(set_orbit(altitude_km=100), f"{ORBIT}.altitude_km",
                 "perigee at 100 km altitude; it must be ≥ 150 km", id="perigee-below-150km"),
    pytest.param(set_orbit(altitude_km=-7000), f"{ORBIT}.altitude_km",
                 "(inside the Earth)", id="altitude-inside-earth"),
    pytest.param(set_orbit(altitude_km=500, eccentricity=0.06), f"{ORBIT}.eccentricity",
                 "perigee at 87 km altitude; it must be ≥ 150 km", id="eccentric-perigee-low"),
    pytest.param(set_orbit(altitude_km=500, eccentricity=0.5), f"{ORBIT}.eccentricity",
                 "(inside the Earth)", id="eccentric-perigee-inside-earth"),
    pytest.param(set_orbit(eccentricity=1.0), f"{ORBIT}.eccentricity", "must be < 1, got 1.0",
                 id="eccentricity-1"),
    pytest.param(set_orbit(eccentricity=1.5), f"{ORBIT}.eccentricity", "must be < 1",
                 id="eccentricity-hyperbolic"),
    pytest.param(set_orbit(altitude_km=200_000), f"{ORBIT}.altitude_km", "must be ≤ 100000",
                 id="altitude-too-high"),
    # inclination
    pytest.param(set_orbit(inclination_deg=200, ltan_h=None, raan_deg=0),
                 f"{ORBIT}.inclination_deg", "must be 'sso' or a number from 0 to 180, got 200",
                 id="inclination-200"),
    pytest.param(set_orbit(inclination_deg=-0.5, ltan_h=None, raan_deg=0),
                 f"{ORBIT}.inclination_deg", "from 0 to 180, got -0.5", id="inclination-negative"),
    pytest.param(set_orbit(inclination_deg="polar"), f"{ORBIT}.inclination_deg",
                 "must be 'sso' or a number from 0 to 180, got 'polar'", id="inclination-word"),
    pytest.param(sso_without_solution, ORBIT,
                 "inclination_deg: no sun-synchronous inclination at altitude 6500 km",
                 id="sso-no-solution"),
    pytest.param(orbit(**{**WALKER, "inclination_deg": "sso"}), f"{ORBIT}.inclination_deg",
                 "'sso' is not available for Walker shells", id="sso-walker"),
    # orientation
    pytest.param(set_orbit(raan_deg=10), ORBIT, "give exactly one of raan_deg, ltan_h",
                 id="raan-and-ltan"),
    pytest.param(set_orbit(ltan_h=None), ORBIT, "give exactly one of raan_deg, ltan_h",
                 id="neither-raan-nor-ltan"),
    pytest.param(set_orbit(ltan_h=24), f"{ORBIT}.ltan_h", "must be < 24", id="ltan-24"),
    pytest.param(set_orbit(raan_deg=float("nan"), ltan_h=None, inclination_deg=50),
                 f"{ORBIT}.raan_deg", "must be a finite number", id="raan-nan"),
    # kinds
    pytest.param(set_orbit(kind="helix"), f"{ORBIT}.kind",
                 "must be one of 'formation', 'walker', 'tle', got 'helix'", id="unknown-kind"),
    pytest.param(set_orbit(kind=None), f"{ORBIT}.kind", "required key is missing",
                 id="missing-kind"),
    pytest.param(lambda d: d["fleet"][0].update(orbit="sso"), ORBIT,
                 "must be a mapping with a 'kind' key, got str 'sso'", id="orbit-not-mapping"),
    pytest.param(set_orbit(planes=2), f"{ORBIT}.planes", "unknown key here",
                 id="walker-key-on-formation"),
    # Walker shells
    pytest.param(orbit(**{**WALKER, "planes": 3}), "fleet.0.count",
                 "must equal orbit.planes × orbit.per_plane (6), got 4", id="walker-count"),
    pytest.param(orbit(**{**WALKER, "phasing": 2}), f"{ORBIT}.phasing",
                 "must be < planes (2), got 2", id="walker-phasing"),
    pytest.param(orbit(**{**WALKER, "eccentricity": 0.01}), f"{ORBIT}.eccentricity",
                 "must be 0", id="walker-eccentric"),
    pytest.param(orbit(**{**WALKER, "raan_deg": None, "ltan_h": 6.0}), f"{ORBIT}.ltan_h",
                 "give raan_deg", id="walker-ltan"),
    # TLEs
    pytest.param(tle_with(line1=bad_checksum(LINE1)), ORBIT,
                 "tle line 1 column 69 (checksum)", id="tle-checksum-line1"),
    pytest.param(tle_with(line2=bad_checksum(LINE2)), ORBIT,
                 "tle line 2 column 69 (checksum)", id="tle-checksum-line2"),
    pytest.param(tle_with(line1=LINE1[:60]), ORBIT, "tle line 1: must be 69 columns, got 60",
                 id="tle-short-line"),
    pytest.param(tle_with(line2=LINE2 + "0"), ORBIT, "tle line 2: must be 69 columns, got 70",
                 id="tle-long-line"),
    pytest.param(tle_with(line1=LINE2, line2=LINE1), ORBIT, "must start with '1 '",
                 id="tle-lines-swapped"),
    pytest.param(tle_with(line2=with_checksum(LINE2.replace("0005000", "0.00500"))), ORBIT,
                 "tle line 2 columns 27-33 (eccentricity)", id="tle-eccentricity-column"),
    pytest.param(orbit(kind="tle", line1=LINE1), f"{ORBIT}.line2", "required key is missing",
                 id="tle-missing-line"),
    # supported dates (sim.dates)
    pytest.param(set_top(start_utc="2101-01-01T00:00:00Z"), "start_utc",
                 "2101-01-01T00:00:00+00:00 is outside the supported range (1950-01-01 to "
                 "2100-12-31)", id="start-after-2100"),
    pytest.param(set_top(start_utc="1949-12-31T23:59:59Z"), "start_utc",
                 "1949-12-31T23:59:59+00:00 is outside the supported range (1950-01-01 to "
                 "2100-12-31)", id="start-before-1950"),
    pytest.param(lambda d: (tle_with()(d), d.update(start_utc="2150-01-01T00:00:00Z")),
                 "start_utc", "2150-01-01T00:00:00+00:00 is outside the supported range",
                 id="tle-start-after-2100"),
    # power
    pytest.param(set_power(eclipse_rule="shed_to_fraction"),
                 f"{POWER}.eclipse_compute_fraction",
                 "required with eclipse_rule shed_to_fraction", id="shed-to-fraction-alone"),
    pytest.param(set_power(eclipse_compute_fraction=0.5), f"{POWER}.eclipse_compute_fraction",
                 "and only then", id="fraction-without-shed-to-fraction"),
    pytest.param(set_power(eclipse_rule="shed_to_fraction", eclipse_compute_fraction=1.5),
                 f"{POWER}.eclipse_compute_fraction", "must be ≤ 1", id="fraction-above-1"),
    pytest.param(set_power(eclipse_rule="dim"), f"{POWER}.eclipse_rule",
                 "must be one of 'ride_through', 'shed' or 'shed_to_fraction'",
                 id="unknown-eclipse-rule"),
    pytest.param(set_battery(part="cells"), f"{POWER}.battery.part",
                 "must name a part with role battery (here: battery), got 'cells'",
                 id="battery-part-unknown"),
    pytest.param(set_battery(part="bus"), f"{POWER}.battery.part",
                 "must name a part with role battery (here: battery), got 'bus'",
                 id="battery-part-not-a-battery"),
    pytest.param(lambda d: d["fleet"][0]["design"]["power"]["battery"].pop("part"),
                 f"{POWER}.battery.part", "name the battery part, here 'battery'",
                 id="battery-part-not-named"),
    pytest.param(lambda d: d["fleet"][0]["design"].pop("power"), POWER,
                 "battery part 'battery' needs a power section",
                 id="battery-part-without-power"),
    pytest.param(lambda d: d["fleet"][0].pop("orbit"), ORBIT,
                 "required key is missing (a design with a power section needs an orbit",
                 id="power-without-orbit"),
    pytest.param(set_power(bus_load_kw=28), f"{POWER}.bus_load_kw",
                 "must be < array_bol_kw (28), got 28", id="bus-load-equals-array"),
    pytest.param(set_power(bus_load_kw=40), f"{POWER}.bus_load_kw",
                 "must be < array_bol_kw (28), got 40", id="bus-load-above-array"),
    pytest.param(set_battery(max_depth_of_discharge=0), f"{POWER}.battery.max_depth_of_discharge",
                 "must be > 0", id="depth-of-discharge-0"),
    pytest.param(set_power(array_degradation_per_year=1), f"{POWER}.array_degradation_per_year",
                 "must be < 1", id="array-degradation-1"),
    pytest.param(set_battery(capacity_kwh=2.9), f"{POWER}.battery.capacity_kwh",
                 "cannot carry the bus (2.5 kW) through the longest eclipse", id="battery-small"),
    pytest.param(battery_part_without_power, POWER,
                 "battery part 'cells' needs a power section",
                 id="battery-part-alone"),
]


@pytest.mark.parametrize(("change", "path", "fragment"), BAD_CASES)
def test_bad_input(tmp_path: Path, change: Change, path: str, fragment: str) -> None:
    result = orbsim_here("validate", str(write(tmp_path, document(change))))
    found = cli_problems(result)
    assert [p for p, _ in found] == [path], result.stderr
    assert fragment in found[0][1], result.stderr


def test_sso_has_no_solution_above_about_5970_km(tmp_path: Path) -> None:
    """cos i = −Ω̇☉ / (1.5 n J2 (R/p)²) leaves [−1, 1] between 5,900 and 6,000 km."""
    assert load(tmp_path, set_orbit(altitude_km=5900)).fleet[0].orbit is not None
    result = orbsim("validate", str(write(tmp_path, document(set_orbit(altitude_km=6000)))))
    [(path, message)] = cli_problems(result)
    assert path == ORBIT
    assert message.startswith("inclination_deg: no sun-synchronous inclination at altitude "
                              "6000 km, e = 0.0 (J2 precession is too slow: would need cos i = ")
    assert -1.05 < number_after(r"cos i = (-[\d.]+)", message) < -1.0


def test_battery_check_names_what_it_needs(tmp_path: Path) -> None:
    """Bus 2.5 kW through a ~20 min eclipse at 90 % discharge efficiency and 30 % DoD needs
    2.5 × 20/60 / 0.9 / 0.3 ≈ 3.09 kWh; 3.2 kWh is enough, 3.0 kWh is not. ``validate``
    checks against an upper bound on the longest eclipse (20.0 min searched), and says so."""
    short = orbsim("validate", str(write(tmp_path, document(set_battery(capacity_kwh=3.0)))))
    [(path, message)] = cli_problems(short)
    assert path == f"{POWER}.battery.capacity_kwh"
    longest_min = number_after(r"longest eclipse \(≤ ([\d.]+) min: a bound; run and "
                               r"campaign check the eclipses searched\)", message)
    needed_kwh = number_after(r"needs ≥ ([\d.]+) kWh", message)
    assert 20.0 <= longest_min <= 20.6
    assert needed_kwh == pytest.approx(2.5 * longest_min / 60 / 0.9 / 0.3, abs=0.02)
    assert message.endswith("got 3")
    enough = orbsim("validate", str(write(tmp_path, document(set_battery(capacity_kwh=3.2)))))
    assert enough.returncode == 0, enough.stderr


def test_one_line_per_group(tmp_path: Path) -> None:
    def two_bad_groups(d: dict[str, Any]) -> None:
        second = copy.deepcopy(d["fleet"][0])
        second["name"] = "second"
        second["orbit"]["inclination_deg"] = 190
        d["fleet"].append(second)
        d["fleet"][0]["design"]["power"]["bus_load_kw"] = 30

    found = cli_problems(orbsim("validate", str(write(tmp_path, document(two_bad_groups)))))
    assert sorted(p for p, _ in found) == [f"{POWER}.bus_load_kw",
                                           "fleet.1.orbit.inclination_deg"]


def test_batteries_checked_in_every_group(tmp_path: Path) -> None:
    def two_small_batteries(d: dict[str, Any]) -> None:
        d["fleet"][0]["design"]["power"]["battery"]["capacity_kwh"] = 1
        second = copy.deepcopy(d["fleet"][0])
        second["name"] = "second"
        d["fleet"].append(second)

    found = cli_problems(orbsim("validate", str(write(tmp_path, document(two_small_batteries)))))
    assert [p for p, _ in found] == [f"{POWER}.battery.capacity_kwh",
                                     "fleet.1.design.power.battery.capacity_kwh"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = orbsim("validate", str(write(tmp_path, document(sso_without_solution))), "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_semi_major_axis_and_mean_anomaly_are_alternatives(tmp_path: Path) -> None:
    """``semi_major_axis_km`` gives the same orbit as the altitude it implies; ``mean_anomaly_deg``
    plus the argument of perigee gives the same phase as ``arg_latitude_deg``."""
    from support import SMOKE

    from sim.config import load_scenario, read_document

    def orbit_of(**keys: object) -> object:
        document = read_document(SMOKE)
        document["fleet"][0]["orbit"] = {"kind": "formation", "inclination_deg": 53.0,
                                         "raan_deg": 10.0, "eccentricity": 0.001, **keys}
        path = tmp_path / "orbit.yaml"
        path.write_text(yaml.safe_dump(document))
        return load_scenario(path).fleet[0].orbit.orbit

    by_altitude = orbit_of(altitude_km=600.0, arg_latitude_deg=40.0, arg_perigee_deg=30.0)
    by_axis = orbit_of(semi_major_axis_km=6978.135, mean_anomaly_deg=10.0, arg_perigee_deg=30.0)
    assert by_axis.semi_major_axis_m == pytest.approx(by_altitude.semi_major_axis_m, abs=1e-6)
    assert by_axis.mean_anomaly_rad == pytest.approx(by_altitude.mean_anomaly_rad, abs=1e-12)
