"""A scenario's deterministic geometry: every satellite's eclipses, computed once.

Schedules come from ``sim.orbits`` (cached on disk, one search per distinct orbit or Walker
plane); each satellite gets the model's view of them (``Orbits``), shared between satellites
on the same schedule. Campaigns call this once and hand the result to every replication.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.errors import Problem, ScenarioError
from sim.model.power import Orbits
from sim.scenario import Scenario
from sim.units import KWH_J, MINUTE_S

if TYPE_CHECKING:
    from sim.orbits import EclipseSchedule


@dataclass(frozen=True)
class FleetGeometry:
    """Per satellite (by index): its eclipse schedule and orbits, or None without an orbit."""

    schedules: tuple[EclipseSchedule | None, ...]
    orbits: tuple[Orbits | None, ...]

    def longest_eclipse_s(self, first: int, count: int) -> float:
        """Longest eclipse (penumbra to penumbra) among satellites [first, first + count)."""
        distinct = {id(s): s for s in self.schedules[first:first + count] if s is not None}
        return max((s.longest_eclipse_s() for s in distinct.values()), default=0.0)


def fleet_geometry(scenario: Scenario, cache_dir: str | os.PathLike[str] | None = None,
                   workers: int | None = None) -> FleetGeometry:
    """Eclipse schedules of every satellite with an orbit, over the scenario's horizon.

    Raises ScenarioError if a battery cannot carry its bus through the longest eclipse.
    """
    from sim.orbits import Formation, WalkerShell, eclipse_schedule, walker_schedules

    schedules: list[EclipseSchedule | None] = []
    for group in scenario.fleet:
        orbit = group.orbit
        if orbit is None:
            schedules.extend([None] * group.count)
        elif isinstance(orbit, WalkerShell):
            planes = walker_schedules(orbit, scenario.start_utc, scenario.horizon_s,
                                      workers=workers, cache_dir=cache_dir)
            schedules.extend(member for plane in planes for member in plane)
        else:
            assert isinstance(orbit, Formation)
            shared = eclipse_schedule(orbit.orbit, scenario.start_utc, scenario.horizon_s,
                                      cache_dir=cache_dir)
            schedules.extend([shared] * group.count)
    views: dict[int, Orbits] = {}
    orbits: list[Orbits | None] = []
    for schedule in schedules:
        if schedule is None:
            orbits.append(None)
            continue
        view = views.get(id(schedule))
        if view is None:
            view = Orbits.from_eclipses(schedule.penumbra_start, schedule.umbra_start,
                                        schedule.umbra_end, schedule.penumbra_end,
                                        scenario.horizon_s)
            views[id(schedule)] = view
        orbits.append(view)
    geometry = FleetGeometry(tuple(schedules), tuple(orbits))
    check_batteries(scenario, geometry)
    return geometry


def check_batteries(scenario: Scenario, geometry: FleetGeometry) -> None:
    """Every battery must carry its bus through the longest eclipse its satellites see."""
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
