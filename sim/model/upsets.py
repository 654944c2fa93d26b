"""Single-event effects on a satellite's units: what each effect does, when they arrive, and
the outages (reboots, latch-up power cycles) they cause.

Arrivals are drawn at once per part across a fleet group, never stepped through time: a
unit's effects form a Poisson process of rate λ·m(t) (m from the solar cycle and storms, read
from the replication's ``Exposure``), further modulated along the orbit by the South Atlantic
Anomaly when a filter is given (``sim.radiation.where``: the lower rate everywhere, plus the
difference where the higher one holds). Only outages become SimPy events; upsets that are
only counted are drawn as one Poisson count, and the job interruptions that leave the device
up go to the workload, which settles them at the horizon.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import simpy

from sim.model.distributions import Distribution
from sim.radiation.exposure import pooled_exposures

if TYPE_CHECKING:
    from sim.model.calendar import Calendar
    from sim.model.parts import Unit
    from sim.model.satellite import Satellite
    from sim.radiation.exposure import Exposure

# Causes of the capacity a unit loses while radiation holds it down.
CAUSE_REBOOT = "radiation_reboot"
CAUSE_LATCHUP = "radiation_latchup"
# The causes of a working unit held down for a while (a failure then takes it over).
OUTAGE_CAUSES = frozenset((CAUSE_REBOOT, CAUSE_LATCHUP))
# Event kinds counted per part.
EVENT_REBOOT = "radiation_reboots"
EVENT_LATCHUP = "radiation_latchups"


@dataclass(frozen=True, slots=True)
class RadiationEffects:
    """One unit's single-event effects, as rates per second at mean conditions (the cycle's
    mean, outside storms, averaged over the orbit), and its tolerance to dose."""

    corrected_per_s: float = 0.0
    sdc_per_s: float = 0.0
    # Share of silent data corruptions a training job detects (and rolls back from).
    sdc_detected_share: float = 0.0
    uncorrectable_per_s: float = 0.0
    sefi_per_s: float = 0.0
    reboot: Distribution | None = None
    latchup_per_s: float = 0.0
    power_cycle: Distribution | None = None
    latchup_damage_probability: float = 0.0
    # Total dose (rad) at which a unit fails, drawn per unit installed.
    dose_tolerance_rad: Distribution | None = None

    def __post_init__(self) -> None:
        for name in ("corrected_per_s", "sdc_per_s", "uncorrectable_per_s", "sefi_per_s",
                     "latchup_per_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: must be ≥ 0, got {value}")
        for name in ("sdc_detected_share", "latchup_damage_probability"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}: must be in [0, 1], got {value}")
        if self.sefi_per_s > 0 and self.reboot is None:
            raise ValueError("reboot: required when functional interrupts occur")
        if self.transient_latchups_per_s > 0 and self.power_cycle is None:
            raise ValueError("power_cycle: required when latch-ups occur")

    @property
    def job_interrupts_per_s(self) -> float:
        """Effects that leave the device up but roll a training job back."""
        return self.uncorrectable_per_s + self.sdc_per_s * self.sdc_detected_share

    @property
    def transient_latchups_per_s(self) -> float:
        """Latch-ups cleared by a power cycle."""
        return self.latchup_per_s * (1.0 - self.latchup_damage_probability)

    @property
    def damaging_latchups_per_s(self) -> float:
        """Latch-ups that destroy the unit (a failure of its part)."""
        return self.latchup_per_s * self.latchup_damage_probability

    @property
    def outages_per_s(self) -> float:
        return self.sefi_per_s + self.transient_latchups_per_s

    @property
    def wears_out(self) -> bool:
        """Whether radiation can end a unit's life (dose, or a damaging latch-up)."""
        return self.dose_tolerance_rad is not None or self.damaging_latchups_per_s > 0


class ArrivalFilter(Protocol):
    """Where along its orbit each satellite meets upsets (the South Atlantic Anomaly)."""

    def arrivals(self, rate_per_s: float, units: int, exposure: Exposure,
                 rng: np.random.Generator, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """As ``poisson_arrivals``, with the rate modulated along each member's orbit."""
        ...


def poisson_arrivals(rate_per_s: float, units: int, exposure: Exposure,
                     rng: np.random.Generator, members: np.ndarray,
                     where: ArrivalFilter | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times of ``units`` independent Poisson processes of rate ``rate_per_s``·m(t)
    over the horizon, as (unit index, time); ``members[u]`` is the fleet-group member of unit
    ``u`` (what ``where`` reads)."""
    if rate_per_s <= 0 or units == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if where is not None:
        return where.arrivals(rate_per_s, units, exposure, rng, members)
    times = pooled_exposures(rate_per_s * units, exposure.total_upset_exposure_s, rng)
    return rng.integers(0, units, times.size), exposure.time_at_upset_exposure(times)


def poisson_count(rate_per_s: float, units: int, exposure: Exposure,
                  rng: np.random.Generator) -> int:
    """How many upsets ``units`` units meet over the horizon (counted, not simulated)."""
    if rate_per_s <= 0 or units == 0:
        return 0
    return int(rng.poisson(rate_per_s * units * exposure.total_upset_exposure_s))


class Outages:
    """The radiation outages of one unit: down at each arrival for its duration.

    An arrival while the unit is down (for any reason) is not met: a unit that is off meets no
    effect, and for a Poisson process dropping those arrivals leaves the later ones exact. A
    unit that failed (or was swapped) during an outage is left to whatever took it over. An
    outage's arrival waits in ``calendar``; its end is a SimPy timeout (no process to resume)
    only where the satellite cannot take it as a brief outage (``Satellite.brief_outage``)."""

    __slots__ = ("_causes", "_durations", "_next", "_times", "calendar", "env", "satellite",
                 "unit")

    def __init__(self, env: simpy.Environment, calendar: Calendar, satellite: Satellite,
                 unit: Unit, times_s: list[float], durations_s: list[float], causes: list[str]):
        self.env = env
        self.calendar = calendar
        self.satellite = satellite
        self.unit = unit
        self._times = times_s
        self._durations = durations_s
        self._causes = causes
        self._next = 0
        self._wait()

    def _wait(self, from_s: float | None = None) -> None:
        """Sleep until the next arrival met (one not before ``from_s``, by default now), if
        any."""
        times = self._times
        index = self._next
        now = self.env.now if from_s is None else from_s
        while index < len(times) and times[index] < now:
            index += 1
        self._next = index
        if index < len(times):
            self.calendar.at(times[index], self._arrive)

    def _arrive(self, _: None) -> None:
        index = self._next
        self._next = index + 1
        unit = self.unit
        if unit.failed_cause is not None:
            self._wait()
            return
        cause = self._causes[index]
        kind = EVENT_REBOOT if cause == CAUSE_REBOOT else EVENT_LATCHUP
        now = self.env.now
        end_s = now + self._durations[index]
        if self.satellite.brief_outage(now, unit, cause, kind, end_s, self._resume):
            self._wait(end_s)
            return
        self.satellite.interrupt(now, unit, cause, kind)
        self.env.timeout(self._durations[index], value=cause).callbacks.append(self._end)

    def _resume(self, event: simpy.Event) -> None:
        """The outage's end: the unit works again unless something else took it over."""
        if self.unit.failed_cause == event.value:
            self.satellite.resume(self.env.now, self.unit)

    def _end(self, event: simpy.Event) -> None:
        self._resume(event)
        self._wait()


class OutageStream:
    """The radiation outages of one satellite's units, in time order, taken as brief outages
    (``Satellite.brief_outage``) when the satellite next changes or is read, not each at its
    own event.

    Between two changes of a satellite nothing else touches it, so every outage that began in
    between met the state the satellite was left in and the outages before it: taken late, in
    order, at their drawn times, they give what events would have given (the fleet's capacity
    takes them as dips out of time order, as it takes every brief outage). An outage that
    begins before an earlier one of the same satellite has ended would meet that one while it
    is under way, which puts it into the part tree at the later one's time: such an outage
    waits in ``calendar`` and is taken at its time. The same arrival rule as ``Outages``: an
    arrival while its unit is down, or during its unit's own outage, is not met.
    """

    __slots__ = ("_causes", "_clock", "_durations", "_ends", "_next", "_resumers", "_times",
                 "_units", "next_s", "satellite")

    def __init__(self, clock: simpy.Environment, calendar: Calendar, satellite: Satellite,
                 outages: list[tuple[Unit, list[float], list[float], list[str]]]):
        merged = sorted((time_s, order, unit, duration_s, cause)
                        for order, (unit, times_s, durations_s, causes) in enumerate(outages)
                        for time_s, duration_s, cause in zip(times_s, durations_s, causes,
                                                             strict=True))
        self.satellite = satellite
        self._clock = clock
        self._times = [row[0] for row in merged]
        self._units = [row[2] for row in merged]
        self._durations = [row[3] for row in merged]
        self._causes = [row[4] for row in merged]
        self._next = 0
        # When each unit's outage under way ends (an arrival before then is not met).
        self._ends: dict[int, float] = {}
        self._resumers: dict[int, Callable[[simpy.Event], None]] = {}
        latest_end_s = -math.inf
        for index, (time_s, duration_s) in enumerate(zip(self._times, self._durations,
                                                         strict=True)):
            if time_s < latest_end_s:
                calendar.at(time_s, self._timed, index)
            latest_end_s = max(latest_end_s, time_s + duration_s)
        # When the first outage not yet taken begins (inf: none left).
        self.next_s = self._times[0] if self._times else math.inf

    def catch_up(self, now_s: float) -> None:
        """Take every outage that began before ``now_s``."""
        self._take(now_s, 0)

    def _timed(self, index: int) -> None:
        """An outage that may meet an earlier one under way, at its time."""
        if self._next <= index:
            now_s = self._clock.now
            self._take(now_s, index + 1, now_s)

    def _take(self, now_s: float, through: int, at_s: float | None = None) -> None:
        """Take the outages that began before ``now_s``, and every one before index
        ``through`` (the last of those at ``at_s`` if given: the time its event came)."""
        times, units = self._times, self._units
        satellite = self.satellite
        ends = self._ends
        index = self._next
        while index < len(times) and (times[index] < now_s or index < through):
            time_s = times[index]
            if at_s is not None and index == through - 1:
                time_s = at_s
            unit = units[index]
            index += 1
            self._next = index
            self.next_s = times[index] if index < len(times) else math.inf
            key = id(unit)
            if unit.failed_cause is not None or time_s < ends.get(key, -math.inf):
                continue
            cause = self._causes[index - 1]
            end_s = time_s + self._durations[index - 1]
            ends[key] = end_s
            kind = EVENT_REBOOT if cause == CAUSE_REBOOT else EVENT_LATCHUP
            if not satellite.brief_outage(time_s, unit, cause, kind, end_s,
                                          self._resumer(unit)):
                raise AssertionError("an outage stream needs brief outages on gating units")

    def _resumer(self, unit: Unit) -> Callable[[simpy.Event], None]:
        """What ends ``unit``'s outage once it is in the part tree (as ``Outages._resume``)."""
        found = self._resumers.get(id(unit))
        if found is None:
            satellite, clock = self.satellite, self._clock

            def resume(event: simpy.Event) -> None:
                if unit.failed_cause == event.value:
                    satellite.resume(clock.now, unit)

            found = self._resumers[id(unit)] = resume
        return found


class _Replayed:
    """One unit's outages as ``replay`` walks them: the next arrival not yet taken."""

    __slots__ = ("causes", "durations_s", "next", "times_s", "unit")

    def __init__(self, unit: Unit, times_s: list[float], durations_s: list[float],
                 causes: list[str]):
        self.unit = unit
        self.times_s = times_s
        self.durations_s = durations_s
        self.causes = causes
        self.next = 0


def replay(satellite: Satellite, failures: list[tuple[float, Unit, str]],
           outages: list[tuple[Unit, list[float], list[float], list[str]]],
           horizon_s: float) -> None:
    """One satellite's failures (time, unit, cause; parts never repaired) and radiation
    outages (as ``Outages`` takes them), handed over in time order with no event: what the
    event loop would do with ``fail`` timeouts and ``Outages``, step for step (the same
    arrival rule; each arrival at its drawn time, where the calendar's timeout may land a
    rounding away), for a satellite nothing else touches."""
    queue: list[tuple[float, int, int, Any]] = []
    order = itertools.count()
    for at_s, unit, cause in failures:
        heapq.heappush(queue, (at_s, next(order), _FAIL, (unit, cause)))

    def wait(unit_outages: _Replayed, now_s: float) -> None:
        """As ``Outages._wait``: the next arrival not in the past, if any."""
        times, index = unit_outages.times_s, unit_outages.next
        while index < len(times) and times[index] < now_s:
            index += 1
        unit_outages.next = index
        if index < len(times):
            heapq.heappush(queue, (times[index], next(order), _ARRIVE, unit_outages))

    for outage in outages:
        wait(_Replayed(*outage), 0.0)
    while queue and queue[0][0] < horizon_s:
        now_s, _, kind, payload = heapq.heappop(queue)
        if kind == _FAIL:
            unit, cause = payload
            satellite.fail(now_s, unit, cause)
        elif kind == _END:
            unit_outages, cause = payload
            if unit_outages.unit.failed_cause == cause:
                satellite.resume(now_s, unit_outages.unit)
            wait(unit_outages, now_s)
        else:
            unit_outages = payload
            index = unit_outages.next
            unit_outages.next = index + 1
            unit = unit_outages.unit
            if unit.failed_cause is not None:
                wait(unit_outages, now_s)
                continue
            cause = unit_outages.causes[index]
            satellite.interrupt(now_s, unit, cause,
                                EVENT_REBOOT if cause == CAUSE_REBOOT else EVENT_LATCHUP)
            heapq.heappush(queue, (now_s + unit_outages.durations_s[index], next(order), _END,
                                   (unit_outages, cause)))


# What a replayed satellite's queue holds: a failure, an outage's arrival, an outage's end.
_FAIL, _ARRIVE, _END = range(3)
