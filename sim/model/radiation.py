"""One replication's radiation: the shared storms and clocks, each part's upsets and outages,
the lives radiation ends, and what the jobs meet.

Streams: the storms come from ``radiation/storms``; everything drawn for one part across a
fleet group from ``radiation/<group>/<part stream>`` in a fixed order (counts, outages, job
upsets), and the lives radiation ends from ``radiation-wear/<group>/<part stream>``, so that
each part's draws stay as they were when anything else changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.model.calendar import Calendar
from sim.model.parts import Group, Unit
from sim.model.satellite import Satellite
from sim.model.upsets import (
    CAUSE_LATCHUP,
    CAUSE_REBOOT,
    ArrivalFilter,
    Outages,
    OutageStream,
    RadiationEffects,
    poisson_arrivals,
    poisson_count,
)
from sim.model.workload import JobLog
from sim.radiation.cycle import SolarCycle
from sim.radiation.exposure import Exposure
from sim.radiation.storms import StormLevel, draw_storms
from sim.rng import Streams
from sim.units import YEAR_S

if TYPE_CHECKING:
    from sim.radiation.where import SaaFilter

# Upset counts reported as ``radiation.<name>``.
# Latch-ups that destroy their unit are failures of its part (``failures.<part>``), not counted
# here; ``latchups`` are those a power cycle clears.
COUNTS = ("corrected_upsets", "sdc", "uncorrectable", "functional_interrupts", "latchups")


@dataclass(frozen=True, slots=True)
class RadiationEnvironment:
    """The space weather every satellite of a scenario shares: the solar cycle (None: rates
    constant) and the storm levels (empty: no storms)."""

    cycle: SolarCycle | None = None
    storms: tuple[StormLevel, ...] = ()


class RadiationLife:
    """When radiation ends the life of a unit of one part installed at a given time: the
    first of its dose tolerance being reached and a damaging latch-up."""

    __slots__ = ("_damage_per_s", "_dose_rate", "_exposure", "_rng", "_tolerance")

    def __init__(self, effects: RadiationEffects, exposure: Exposure,
                 dose_rad_per_s: float, rng: Callable[[], np.random.Generator]):
        self._tolerance = effects.dose_tolerance_rad
        self._damage_per_s = effects.damaging_latchups_per_s
        self._dose_rate = dose_rad_per_s
        self._exposure = exposure
        self._rng = rng

    def lifetimes_s(self, installed_s: np.ndarray) -> np.ndarray:
        """One radiation lifetime for a unit installed at each of ``installed_s`` (inf when
        radiation does not end it before the horizon)."""
        rng = self._rng()
        n = installed_s.size
        found = np.full(n, np.inf)
        exposure = self._exposure
        if self._tolerance is not None:
            reached = exposure.dose_rad(self._dose_rate, installed_s)
            tolerance = self._tolerance.sample_many(rng, n)
            found = np.minimum(found, exposure.time_at_dose(self._dose_rate, reached + tolerance)
                               - installed_s)
        if self._damage_per_s > 0:
            needed = exposure.upset_exposure_s_at(installed_s) + rng.exponential(
                1.0 / self._damage_per_s, n)
            at = np.where(needed > exposure.total_upset_exposure_s, np.inf,
                          exposure.time_at_upset_exposure(needed))
            found = np.minimum(found, at - installed_s)
        return found

    def after(self, installed_s: float) -> float:
        """The radiation lifetime of one unit installed at ``installed_s``: as
        ``lifetimes_s`` of one, with the same draws and the same values, in scalars (called
        at every swap)."""
        rng = self._rng()
        exposure = self._exposure
        found = math.inf
        if self._tolerance is not None:
            reached = exposure.dose_one(self._dose_rate, installed_s)
            tolerance = self._tolerance.sample(rng)
            found = exposure.time_at_dose_one(self._dose_rate, reached + tolerance) - installed_s
        if self._damage_per_s > 0:
            needed = exposure.upset_exposure_one(installed_s) + rng.exponential(
                1.0 / self._damage_per_s)
            if needed <= exposure.total_upset_exposure_s:
                found = min(found, exposure.time_at_upset_exposure_one(needed) - installed_s)
        return found


class _JobUpsets:
    """The upsets of one part across a fleet group that may interrupt its jobs. Only the
    jobs' settling reads them, so they are drawn when the first of the jobs is settled (from
    the part's stream, where its outages left it: the same draws as at the start) and each
    job drops them once settled: one group's upsets are held at a time, not the fleet's."""

    __slots__ = ("_effects", "_jobs", "_members", "_radiation", "_rng", "_units", "_where")

    def __init__(self, radiation: Radiation, effects: RadiationEffects, units: int,
                 members: np.ndarray, rng: np.random.Generator, where: ArrivalFilter | None,
                 jobs: Sequence[tuple[JobLog, range]]):
        self._radiation = radiation
        self._effects = effects
        self._units = units
        self._members: np.ndarray | None = members
        self._rng = rng
        self._where = where
        self._jobs = jobs

    def draw(self) -> None:
        """Draw the upsets (once) and hand each job its slice."""
        members = self._members
        if members is None:
            return
        self._members = None
        effects, rng = self._effects, self._rng
        unit, times = poisson_arrivals(effects.job_interrupts_per_s, self._units,
                                       self._radiation.exposure, rng, members, self._where)
        self._radiation.counts["uncorrectable"] += int(np.count_nonzero(
            rng.uniform(0.0, effects.job_interrupts_per_s, unit.size)
            < effects.uncorrectable_per_s))
        member = members[unit]
        del unit
        uniforms = rng.uniform(0.0, 1.0, member.size)
        # By member (stable: each member's arrivals stay in the order drawn), so that each
        # job's are one slice; one array at a time, to hold one copy beside the originals.
        order = np.argsort(member, kind="stable")
        member = member[order]
        times = times[order]
        uniforms = uniforms[order]
        del order
        # Every job's slice at once (searching with the members' own type: a search with
        # other values would convert the whole array at each call).
        jobs = self._jobs
        bounds = np.array([(m.start, m.stop) for _, m in jobs], dtype=np.int32)
        firsts = np.searchsorted(member, bounds[:, 0]).tolist()
        ends = np.searchsorted(member, bounds[:, 1]).tolist()
        for (job, job_members), first, end in zip(jobs, firsts, ends, strict=True):
            mine = slice(first, end)
            job.add_upsets(member[mine], times[mine], uniforms[mine], job_members.start)
        self._jobs = ()


@dataclass
class Radiation:
    """One replication's radiation model, wired part by part as the fleet is built."""

    env: simpy.Environment
    environment: RadiationEnvironment
    horizon_s: float
    streams: Streams
    exposure: Exposure = field(init=False)
    # Where the outages' arrivals wait.
    calendar: Calendar = field(init=False)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    dose_rad_sum: float = 0.0
    satellites: int = 0
    # Whether any satellite meets dose (then the dose metrics are reported).
    dosed: bool = False
    # The upset counts some part can meet (the others are not reported).
    counted: set[str] = field(default_factory=set)

    # The SAA filters of the fleet groups, for where upsets fell.
    filters: list[SaaFilter] = field(default_factory=list)
    # Satellites settled alone (``upsets.replay``), by index, and their units' outages, kept
    # for the replay rather than started as ``Outages``.
    alone: set[int] = field(default_factory=set)
    alone_outages: dict[int, list[tuple[Unit, list[float], list[float], list[str]]]] = field(
        default_factory=dict)
    # Outages of satellites that take them as a stream, by index, until ``start_streams``.
    streamed: dict[int, tuple[Satellite, list[tuple[Unit, list[float], list[float], list[str]]]]
                   ] = field(default_factory=dict)

    def __post_init__(self) -> None:
        storms = []
        if self.environment.storms:
            storms = draw_storms(self.environment.storms, self.environment.cycle,
                                 self.horizon_s, self.streams.get("radiation/storms"))
        self.exposure = Exposure(self.horizon_s, self.environment.cycle, storms)
        self.calendar = Calendar(self.env, self.horizon_s)

    def add_part(self, group_name: str, stream_name: str, effects: RadiationEffects,
                 satellites: Sequence[Satellite], groups: Sequence[Group],
                 jobs: Sequence[tuple[JobLog, range]] = (),
                 where: ArrivalFilter | None = None) -> None:
        """The upsets of one part on every satellite of a group: ``groups[m]`` holds the units
        of the part on ``satellites[m]``; ``jobs`` pairs each job with its members."""
        rng = self.streams.get(f"radiation/{group_name}/{stream_name}")
        per_satellite = groups[0].count if groups else 0
        units = len(groups) * per_satellite
        members = np.repeat(np.arange(len(groups), dtype=np.int32), per_satellite)
        exposure = self.exposure
        self.counted.update(name for name, rate in (
            ("corrected_upsets", effects.corrected_per_s), ("sdc", effects.sdc_per_s),
            ("uncorrectable", effects.uncorrectable_per_s),
            ("functional_interrupts", effects.sefi_per_s),
            ("latchups", effects.transient_latchups_per_s)) if rate > 0)
        self.counts["corrected_upsets"] += poisson_count(effects.corrected_per_s, units,
                                                         exposure, rng)
        self.counts["sdc"] += poisson_count(effects.sdc_per_s, units, exposure, rng)
        self._outages(effects, satellites, groups, members, rng, where)
        if jobs and effects.job_interrupts_per_s > 0:
            upsets = _JobUpsets(self, effects, units, members, rng, where, jobs)
            for job, _ in jobs:
                job.before_settling(upsets.draw)
        else:
            self.counts["uncorrectable"] += poisson_count(effects.uncorrectable_per_s, units,
                                                          exposure, rng)

    def _outages(self, effects: RadiationEffects, satellites: Sequence[Satellite],
                 groups: Sequence[Group], members: np.ndarray, rng: np.random.Generator,
                 where: ArrivalFilter | None) -> None:
        rate = effects.outages_per_s
        if rate <= 0:
            return
        unit, times = poisson_arrivals(rate, members.size, self.exposure, rng, members, where)
        order = np.lexsort((times, unit))
        unit, times = unit[order], times[order]
        reboots = rng.uniform(0.0, rate, unit.size) < effects.sefi_per_s
        durations = np.empty(unit.size)
        if reboots.any():
            assert effects.reboot is not None
            durations[reboots] = effects.reboot.sample_many(rng, int(reboots.sum()))
        if (~reboots).any():
            assert effects.power_cycle is not None
            durations[~reboots] = effects.power_cycle.sample_many(rng, int((~reboots).sum()))
        self.counts["functional_interrupts"] += int(reboots.sum())
        self.counts["latchups"] += int((~reboots).sum())
        causes = np.where(reboots, CAUSE_REBOOT, CAUSE_LATCHUP)
        per_satellite = groups[0].count
        cuts = np.flatnonzero(np.diff(unit)) + 1
        for block in np.split(np.arange(unit.size), cuts):
            if block.size == 0:
                continue
            u = int(unit[block[0]])
            member, slot = divmod(u, per_satellite)
            outages = (groups[member].units[slot], times[block].tolist(),
                       durations[block].tolist(), causes[block].tolist())
            satellite = satellites[member]
            if satellite.index in self.alone:
                self.alone_outages.setdefault(satellite.index, []).append(outages)
            elif satellite.takes_brief_outages and outages[0].group.gates:
                self.streamed.setdefault(satellite.index, (satellite, []))[1].append(outages)
            else:
                Outages(self.env, self.calendar, satellite, *outages)

    def start_streams(self) -> None:
        """Give each satellite that takes brief outages the outages of every part added so far
        as one stream (``OutageStream``)."""
        for satellite, outages in self.streamed.values():
            satellite.take_outages(OutageStream(self.env, self.calendar, satellite, outages))
        self.streamed = {}

    def life(self, group_name: str, stream_name: str, effects: RadiationEffects,
             dose_rad_per_s: float) -> RadiationLife | None:
        """The lives radiation ends for one part of a group (None if it ends none)."""
        if not effects.wears_out:
            return None
        return RadiationLife(effects, self.exposure, dose_rad_per_s,
                             self.streams.lazy(f"radiation-wear/{group_name}/{stream_name}"))

    def add_dose(self, dose_rad_per_s: float, satellites: int) -> None:
        """Count ``satellites`` satellites flying at this dose rate in the fleet's mean dose."""
        self.dose_rad_sum += satellites * float(self.exposure.dose_rad(dose_rad_per_s,
                                                                        self.horizon_s))
        self.satellites += satellites
        self.dosed = self.dosed or dose_rad_per_s > 0 or any(
            level.dose_rad > 0 for level in self.environment.storms)

    def summary(self) -> dict[str, float]:
        """``radiation.*`` metrics: upset counts, storms by level, the mean dose."""
        found: dict[str, float] = {name: float(n) for name, n in self.counts.items()
                                   if name in self.counted}
        storms = self.exposure.storms
        if self.environment.storms:
            found["storms"] = float(len(storms))
        for level in self.environment.storms:
            found[f"storms_{level.level}"] = float(sum(s.level == level.level for s in storms))
        if self.satellites and self.dosed:
            found["dose_rad_per_satellite"] = self.dose_rad_sum / self.satellites
            found["dose_rad_per_satellite_year"] = (self.dose_rad_sum / self.satellites
                                                    / (self.horizon_s / YEAR_S))
        kept = sum(f.kept for f in self.filters)
        if kept:
            found["saa_upset_share"] = sum(f.kept_inside for f in self.filters) / kept
        return dict(sorted(found.items()))
