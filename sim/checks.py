"""Checks of a scenario against its geometry, which the file's schema alone cannot make.

A power design must survive the longest eclipse its satellites see, with compute shed: its
battery must carry the bus through it within the depth-of-discharge limit, and its new array
must carry the bus and recharge the battery in the sunlight after it, with the Sun at its
farthest. ``orbsim run`` and campaigns check against the eclipse schedules they compute
anyway (``check_power``); ``orbsim validate`` against an upper bound on the longest eclipse
found in seconds without them (``check_power_bound``, ``sim.orbits.bound``), so a design it
passes may still fail by a few seconds of eclipse in ``run``, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.config.errors import Problem, ScenarioError
from sim.eclipses import (
    FleetGeometry,
    check_ephemeris,
    fleet_geometry,
    orbit_period_s,
    reference_orbits,
)
from sim.model.power import PowerDesign
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, KWH_J, MINUTE_S

if TYPE_CHECKING:
    from sim.orbits import SunDistance


def check_power(scenario: Scenario, geometry: FleetGeometry) -> None:
    """Raise ScenarioError, one problem per fault, for each power design whose battery cannot
    carry its bus through the longest eclipse its satellites see, or whose new array cannot
    carry the bus and recharge the battery in the sunlight after it."""
    starts = np.cumsum([0, *(group.count for group in scenario.fleet)])
    _check(scenario, lambda index: geometry.longest_eclipse_s(int(starts[index]),
                                                              scenario.fleet[index].count),
           _weakest_sunlight(geometry.sun, geometry.horizon_s), bound=False)


def check_power_bound(scenario: Scenario) -> None:
    """``check_power`` against an upper bound on each group's longest eclipse (seconds for
    any scenario, no eclipse search); also the ephemeris's dates (ScenarioError)."""
    from sim.orbits import sun_distance
    from sim.orbits.bound import longest_eclipse_bounds_s

    if not scenario.has_orbits:
        return
    check_ephemeris(scenario)

    def longest_s(index: int) -> float:
        orbits = reference_orbits(scenario.fleet[index].orbit)
        return max(longest_eclipse_bounds_s(orbits, scenario.start_utc, scenario.horizon_s))

    sun = sun_distance(scenario.start_utc, scenario.horizon_s)
    _check(scenario, longest_s, _weakest_sunlight(sun, scenario.horizon_s), bound=True)


def _check(scenario: Scenario, longest_s: Callable[[int], float], farthest: float,
           bound: bool) -> None:
    """One problem per fault of each group's power design against its longest eclipse
    (``longest_s(group index)``); ``bound``: that is an upper bound, and says so."""
    problems = []
    for index, group in enumerate(scenario.fleet):
        power = group.design.power
        if power is not None and group.orbit is not None:
            longest = longest_s(index)
            where = f"fleet.{index}.design.power"
            label = f"{longest / MINUTE_S:.1f} min"
            if bound:
                label = f"≤ {label}: a bound; run and campaign check the eclipses searched"
            problems += _battery_problems(power, longest, label, where)
            problems += _array_problems(power, group, longest, label, farthest, where)
    if problems:
        raise ScenarioError(problems)


def _weakest_sunlight(sun: SunDistance | None, horizon_s: float) -> float:
    """The least (1 AU / r)² over the horizon (1 where the Sun's distance is not known)."""
    if sun is None:
        return 1.0
    days = np.arange(0.0, horizon_s + DAY_S, DAY_S)
    return float(np.min(sun.irradiance_factor(np.minimum(days, horizon_s))))


def _battery_problems(power: PowerDesign, longest_s: float, label: str,
                      where: str) -> list[Problem]:
    battery = power.battery
    needed_j = power.bus_load_w * longest_s / battery.discharge_efficiency
    if battery.new_usable_j >= needed_j:
        return []
    needed_kwh = needed_j / battery.max_depth_of_discharge / KWH_J
    return [Problem(f"{where}.battery.capacity_kwh",
                    f"cannot carry the bus ({power.bus_load_w / 1000:g} kW) through the longest "
                    f"eclipse ({label}) within its depth of discharge: "
                    f"needs ≥ {needed_kwh:.2f} kWh, got {battery.capacity_j / KWH_J:g}")]


def _array_problems(power: PowerDesign, group: FleetGroup, longest_s: float, label: str,
                    farthest: float, where: str) -> list[Problem]:
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
                    f"battery after the longest eclipse ({label}) with "
                    f"compute shed: needs ≥ {needed_w / 1000:.2f} kW at 1 AU, got "
                    f"{power.array_bol_w / 1000:g}")]


def checked_geometry(scenario: Scenario, cache_dir: str | None = None,
                     workers: int | None = None,
                     progress: Callable[[int, int], None] | None = None
                     ) -> FleetGeometry | None:
    """The scenario's eclipse geometry (None without orbits), its power designs checked
    against it; ``progress(done, total)`` as ``fleet_geometry``."""
    if not scenario.has_orbits:
        return None
    geometry = fleet_geometry(scenario, cache_dir=cache_dir, workers=workers,
                              progress=progress)
    check_power(scenario, geometry)
    return geometry
