"""Single-event effects on a satellite's units: what each effect does, when they arrive, and
the outages (reboots, latch-up power cycles) they cause.

Arrivals are drawn at once per part across a fleet group, never stepped through time: a
unit's effects form a Poisson process of rate λ·m(t) (m from the solar cycle and storms, read
from the replication's ``Exposure``), further modulated along the orbit by the South Atlantic
Anomaly when a filter is given (thinning: candidates at the highest rate, each kept with the
ratio of its rate to that highest rate). Only outages become SimPy events; upsets that are
only counted are drawn as one Poisson count, and the job interruptions that leave the device
up go to the workload, which settles them at the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import simpy

from sim.model.distributions import Distribution

if TYPE_CHECKING:
    from sim.model.parts import Unit
    from sim.model.satellite import Satellite
    from sim.radiation.exposure import Exposure

# Causes of the capacity a unit loses while radiation holds it down.
CAUSE_REBOOT = "radiation_reboot"
CAUSE_LATCHUP = "radiation_latchup"
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

    @property
    def peak_factor(self) -> float:
        """The highest multiplier on the orbit-averaged rate."""
        ...

    def keep(self, members: np.ndarray, times_s: np.ndarray,
             uniforms: np.ndarray) -> np.ndarray:
        """Which candidates (drawn at ``peak_factor`` times the rate) are arrivals."""
        ...


def poisson_arrivals(rate_per_s: float, units: int, exposure: Exposure,
                     rng: np.random.Generator, members: np.ndarray,
                     where: ArrivalFilter | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times of ``units`` independent Poisson processes of rate ``rate_per_s``·m(t)
    over the horizon, as (unit index, time) sorted by unit then time; ``members[u]`` is the
    fleet-group member of unit ``u`` (what ``where`` reads)."""
    if rate_per_s <= 0 or units == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    peak = where.peak_factor if where is not None else 1.0
    total_s = exposure.total_upset_exposure_s
    counts = rng.poisson(rate_per_s * peak * total_s, units)
    unit = np.repeat(np.arange(units), counts)
    times = exposure.time_at_upset_exposure(rng.uniform(0.0, total_s, unit.size))
    if where is not None:
        kept = where.keep(members[unit], times, rng.uniform(0.0, 1.0, unit.size))
        unit, times = unit[kept], times[kept]
    order = np.lexsort((times, unit))
    return unit[order], times[order]


def poisson_count(rate_per_s: float, units: int, exposure: Exposure,
                  rng: np.random.Generator) -> int:
    """How many upsets ``units`` units meet over the horizon (counted, not simulated)."""
    if rate_per_s <= 0 or units == 0:
        return 0
    return int(rng.poisson(rate_per_s * units * exposure.total_upset_exposure_s))


def outages(env: simpy.Environment, satellite: Satellite, unit: Unit, times_s: list[float],
            durations_s: list[float], causes: list[str]) -> Generator[simpy.Event, Any, None]:
    """Take ``unit`` down at each arrival for its duration. An arrival while the unit is down
    (for any reason) is not met: a unit that is off meets no effect, and for a Poisson process
    dropping those arrivals leaves the later ones exact. A unit that failed (or was swapped)
    during the outage is left to whatever took it over."""
    for time_s, duration_s, cause in zip(times_s, durations_s, causes, strict=True):
        if time_s < env.now:
            continue
        yield env.timeout(time_s - env.now)
        if unit.failed_cause is not None:
            continue
        satellite.interrupt(env.now, unit, cause,
                            EVENT_REBOOT if cause == CAUSE_REBOOT else EVENT_LATCHUP)
        yield env.timeout(duration_s)
        if unit.failed_cause == cause:
            satellite.resume(env.now, unit)
