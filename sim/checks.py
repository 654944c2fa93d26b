"""Checks of a scenario against its geometry, which the file's schema alone cannot make.

A power design must survive the longest eclipse its satellites see, with compute shed: its
battery must carry the bus through it within the depth-of-discharge limit, and its new array
must carry the bus and recharge the battery in the sunlight after it, with the Sun at its
farthest. Run once, before any replication, by ``orbsim validate``, ``orbsim run`` and
campaigns.
"""

from __future__ import annotations

import numpy as np

from sim.config.errors import Problem, ScenarioError
from sim.eclipses import FleetGeometry, fleet_geometry, orbit_period_s
from sim.model.power import PowerDesign
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, KWH_J, MINUTE_S


def check_power(scenario: Scenario, geometry: FleetGeometry) -> None:
    """Raise ScenarioError, one problem per fault, for each power design whose battery cannot
    carry its bus through the longest eclipse its satellites see, or whose new array cannot
    carry the bus and recharge the battery in the sunlight after it."""
    problems = []
    first = 0
    farthest = _weakest_sunlight(geometry)
    for index, group in enumerate(scenario.fleet):
        power = group.design.power
        if power is not None and group.orbit is not None:
            longest_s = geometry.longest_eclipse_s(first, group.count)
            where = f"fleet[{index}].design.power"
            problems += _battery_problems(power, longest_s, where)
            problems += _array_problems(power, group, longest_s, farthest, where)
        first += group.count
    if problems:
        raise ScenarioError(problems)


def _weakest_sunlight(geometry: FleetGeometry) -> float:
    """The least (1 AU / r)² over the horizon (1 where the Sun's distance is not known)."""
    if geometry.sun is None:
        return 1.0
    days = np.arange(0.0, geometry.horizon_s + DAY_S, DAY_S)
    return float(np.min(geometry.sun.irradiance_factor(np.minimum(days, geometry.horizon_s))))


def _battery_problems(power: PowerDesign, longest_s: float, where: str) -> list[Problem]:
    battery = power.battery
    needed_j = power.bus_load_w * longest_s / battery.discharge_efficiency
    if battery.new_usable_j >= needed_j:
        return []
    needed_kwh = needed_j / battery.max_depth_of_discharge / KWH_J
    return [Problem(f"{where}.battery.capacity_kwh",
                    f"cannot carry the bus ({power.bus_load_w / 1000:g} kW) through the longest "
                    f"eclipse ({longest_s / MINUTE_S:.1f} min) within its depth of discharge: "
                    f"needs ≥ {needed_kwh:.2f} kWh, got {battery.capacity_j / KWH_J:g}")]


def _array_problems(power: PowerDesign, group: FleetGroup, longest_s: float, farthest: float,
                    where: str) -> list[Problem]:
    """The new array, at the Sun's farthest, must give the bus its load and put back, over
    the sunlight after the longest eclipse, what the bus drew from the battery in it."""
    battery = power.battery
    sunlit_s = orbit_period_s(group.orbit) - longest_s
    drawn_j = power.bus_load_w * longest_s / battery.discharge_efficiency
    if sunlit_s <= 0.0:
        needed_w = np.inf
    else:
        needed_w = (power.bus_load_w + drawn_j / (battery.charge_efficiency * sunlit_s)) / farthest
    if power.array_bol_w >= needed_w:
        return []
    return [Problem(f"{where}.array_bol_kw",
                    f"cannot carry the bus ({power.bus_load_w / 1000:g} kW) and recharge the "
                    f"battery after the longest eclipse ({longest_s / MINUTE_S:.1f} min) with "
                    f"compute shed: needs ≥ {needed_w / 1000:.2f} kW at 1 AU, got "
                    f"{power.array_bol_w / 1000:g}")]


def checked_geometry(scenario: Scenario, cache_dir: str | None = None,
                     workers: int | None = None) -> FleetGeometry | None:
    """The scenario's eclipse geometry (None without orbits), its power designs checked
    against it."""
    if not scenario.has_orbits:
        return None
    geometry = fleet_geometry(scenario, cache_dir=cache_dir, workers=workers)
    check_power(scenario, geometry)
    return geometry
