"""Checks of a scenario against its geometry, which the file's schema alone cannot make.

A power design must survive the longest eclipse its satellites see: its battery must carry the
bus through it within the depth-of-discharge limit. Run once, before any replication, by
``orbsim validate``, ``orbsim run`` and campaigns.
"""

from __future__ import annotations

from sim.config.errors import Problem, ScenarioError
from sim.eclipses import FleetGeometry, fleet_geometry
from sim.scenario import Scenario
from sim.units import KWH_J, MINUTE_S


def check_power(scenario: Scenario, geometry: FleetGeometry) -> None:
    """Raise ScenarioError, one problem per fleet group, for each power design that cannot
    carry its bus through the longest eclipse of its satellites."""
    problems = []
    first = 0
    for index, group in enumerate(scenario.fleet):
        power = group.design.power
        if power is not None:
            longest_s = geometry.longest_eclipse_s(first, group.count)
            battery = power.battery
            needed_j = power.bus_load_w * longest_s / battery.discharge_efficiency
            usable_j = battery.capacity_j * battery.max_depth_of_discharge
            if usable_j < needed_j:
                needed_kwh = needed_j / battery.max_depth_of_discharge / KWH_J
                problems.append(Problem(
                    f"fleet[{index}].design.power.battery.capacity_kwh",
                    f"cannot carry the bus ({power.bus_load_w / 1000:g} kW) through the "
                    f"longest eclipse ({longest_s / MINUTE_S:.1f} min) within its depth of "
                    f"discharge: needs ≥ {needed_kwh:.2f} kWh, got "
                    f"{battery.capacity_j / KWH_J:g}"))
        first += group.count
    if problems:
        raise ScenarioError(problems)


def checked_geometry(scenario: Scenario, cache_dir: str | None = None,
                     workers: int | None = None) -> FleetGeometry | None:
    """The scenario's eclipse geometry (None without orbits), its power designs checked
    against it."""
    if not scenario.has_orbits:
        return None
    geometry = fleet_geometry(scenario, cache_dir=cache_dir, workers=workers)
    check_power(scenario, geometry)
    return geometry
