"""A scenario's deterministic geometry: every satellite's eclipse schedule, computed once.

Schedules come from ``sim.orbits`` (cached on disk, one search per distinct orbit or Walker
plane). Campaigns compute this once and hand it to every replication, which turns schedules
into the model's eclipse cycles (``sim.replicate``). Nothing here knows the model.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sim.config.errors import Problem, ScenarioError
from sim.constants import WGS72_RADIUS_M
from sim.scenario import Scenario
from sim.units import DAY_S, YEAR_S

if TYPE_CHECKING:
    from sim.orbits import EclipseSchedule, SunDistance


@dataclass(frozen=True)
class ScheduleSource:
    """Where a satellite's schedule comes from: member ``index`` of ``members`` (a formation's
    one shared schedule, or a Walker plane whose members are derived on access)."""

    members: Sequence[EclipseSchedule]
    index: int
    shared: bool


@dataclass(frozen=True)
class FleetGeometry:
    """Per satellite (by index): where its eclipse schedule comes from, or None.

    A formation's one schedule serves all its satellites. A shell member's schedule is derived
    from its plane's when asked for (holding all 1,584 members of a 20-year shell at once would
    take about 8 GB).
    """

    sources: tuple[ScheduleSource | None, ...]
    horizon_s: float
    # The Earth–Sun distance over the horizon (solar arrays' output follows it).
    sun: SunDistance | None = None

    def schedule(self, index: int) -> EclipseSchedule:
        """Satellite ``index``'s eclipse schedule."""
        source = self.sources[index]
        if source is None:
            raise ValueError(f"satellite {index} has no orbit")
        return source.members[source.index]

    def shared_key(self, index: int) -> int | None:
        """A key common to every satellite that shares satellite ``index``'s schedule (None
        for a satellite whose schedule is its own, or that has none)."""
        source = self.sources[index]
        return id(source.members) if source is not None and source.shared else None

    def plane_lag(self, index: int) -> tuple[int, float] | None:
        """For a Walker member: a key common to its plane, and how far ahead of its plane's
        mean member it runs, s (it passes every point of the orbit that much earlier); None
        for any other satellite."""
        from sim.orbits.phasing import PlaneSchedules

        source = self.sources[index]
        if source is None or source.shared or not isinstance(source.members, PlaneSchedules):
            return None
        plane = source.members
        return id(plane), plane.lag_s(source.index)

    def plane_schedule(self, index: int) -> EclipseSchedule:
        """The schedule of the mean member of satellite ``index``'s Walker plane over the
        horizon (``PlaneSchedules.mean_member``)."""
        source = self.sources[index]
        assert source is not None
        return source.members.mean_member()  # type: ignore[attr-defined]

    def longest_eclipse_s(self, first: int, count: int) -> float:
        """Longest eclipse (penumbra to penumbra) among satellites [first, first + count).

        A Walker plane is represented by its first member: its members' eclipses differ by
        seconds at most (``sim.orbits.phasing``)."""
        distinct = {id(s.members): s.members for s in self.sources[first:first + count]
                    if s is not None}
        return max((members[0].longest_eclipse_s() for members in distinct.values()),
                   default=0.0)


# Progress of the eclipse search: (orbits searched, orbits to search).
Progress = Callable[[int, int], None]


def fleet_geometry(scenario: Scenario, cache_dir: str | os.PathLike[str] | None = None,
                   workers: int | None = None, progress: Progress | None = None
                   ) -> FleetGeometry:
    """Eclipse schedules of every satellite with an orbit, over the scenario's horizon;
    ``progress(done, total)`` in orbits (Walker planes) searched, group by group.

    Raises ScenarioError if the horizon reaches beyond the ephemeris.
    """
    from sim.orbits import (
        Formation,
        WalkerShell,
        eclipse_schedules,
        sun_distance,
        walker_schedules,
    )

    check_ephemeris(scenario)
    sources: list[ScheduleSource | None] = []
    for group in scenario.fleet:
        orbit = group.orbit
        if orbit is None:
            sources.extend([None] * group.count)
        elif isinstance(orbit, WalkerShell):
            planes = walker_schedules(orbit, scenario.start_utc, scenario.horizon_s,
                                      workers=workers, cache_dir=cache_dir,
                                      progress=progress)
            sources.extend(ScheduleSource(plane, k, shared=False)
                           for plane in planes for k in range(len(plane)))
        else:
            assert isinstance(orbit, Formation)
            shared = tuple(eclipse_schedules([orbit.orbit], scenario.start_utc,
                                             scenario.horizon_s, cache_dir=cache_dir,
                                             progress=progress))
            sources.extend([ScheduleSource(shared, 0, shared=True)] * group.count)
    return FleetGeometry(tuple(sources), scenario.horizon_s,
                         sun_distance(scenario.start_utc, scenario.horizon_s))


def reference_orbits(orbit: Any) -> list[Any]:
    """The orbits whose eclipses stand for a group's: a formation's one orbit, a Walker
    shell's plane references (its members' eclipses differ from those by seconds)."""
    from sim.orbits import Formation, WalkerShell

    if isinstance(orbit, WalkerShell):
        return [plane.reference for plane in orbit.plane_groups()]
    if isinstance(orbit, Formation):
        return [orbit.orbit]
    return [orbit]


def orbit_period_s(orbit: Any) -> float:
    """Keplerian period of an orbit (elements, a TLE, a formation or a Walker shell), s."""
    from sim.orbits import Formation, WalkerShell
    from sim.orbits.elements import mean_motion_rad_s

    if isinstance(orbit, Formation):
        orbit = orbit.orbit
    if isinstance(orbit, WalkerShell):
        return 2.0 * math.pi / mean_motion_rad_s(WGS72_RADIUS_M + orbit.altitude_m)
    return 2.0 * math.pi / orbit.mean_motion_rad_s


def ephemeris_overrun(start_utc: datetime, span_s: float, orbits: Sequence[Any]
                      ) -> tuple[Literal["start", "end"], str] | None:
    """Which end of [start_utc, start_utc + span_s] is outside the supported dates, and why.

    Starts must lie in ``sim.dates.SCENARIO_STARTS`` and spans be at most ``MAX_SPAN_YEARS``;
    the search also reads the Sun a day plus two orbital periods beyond each end of the span
    (``sim.orbits.eclipse.sun_pad_s``), which must stay where the Sun is served (``SUN_DATES``:
    DE421, then ERFA epv00).
    """
    from sim.dates import MAX_SPAN_YEARS, SCENARIO_STARTS, SUN_DATES

    problem = SCENARIO_STARTS.problem(start_utc)
    if problem is not None:
        return "start", problem
    end_utc = start_utc + timedelta(seconds=span_s)
    if span_s > MAX_SPAN_YEARS * YEAR_S:
        return "end", (f"the span ends {end_utc:%Y-%m-%d %H:%M}, more than "
                       f"{MAX_SPAN_YEARS:g} years after the start")
    pad = timedelta(seconds=DAY_S + 2.0 * max(orbit_period_s(o) for o in orbits))
    if end_utc + pad not in SUN_DATES:
        return "end", (f"the span ends {end_utc:%Y-%m-%d %H:%M}, too close to or past the end of "
                       f"the Sun ephemeris ({SUN_DATES}): the eclipse search reads the Sun "
                       f"{pad / timedelta(days=1):.2f} days beyond the end")
    return None


def check_ephemeris(scenario: Scenario) -> None:
    """Every group's eclipse search must fit in the supported dates over the horizon."""
    problems = []
    for index, group in enumerate(scenario.fleet):
        if group.orbit is None:
            continue
        overrun = ephemeris_overrun(scenario.start_utc, scenario.horizon_s, [group.orbit])
        if overrun is not None:
            key = "start_utc" if overrun[0] == "start" else "start_utc + horizon"
            problems.append(Problem(f"fleet.{index}.orbit", f"{key}: {overrun[1]}"))
    if problems:
        raise ScenarioError(problems)
