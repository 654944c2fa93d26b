"""Solar particle events: one process shared by every satellite of a replication.

Storms of each NOAA S-scale level arrive as a Poisson process at their per-cycle frequency,
modulated by the solar cycle (none near minimum, about twice the mean near maximum). Each
multiplies every satellite's upset rates for its duration and adds dose (docs/sources.md §6.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.radiation.cycle import CYCLE_PERIOD_S, SolarCycle


@dataclass(frozen=True, slots=True)
class StormLevel:
    """One S-scale level: how often per solar cycle, how long, how hard."""

    level: str
    per_cycle: float
    duration_s: float
    upset_factor: float
    dose_rad: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.per_cycle) and self.per_cycle >= 0):
            raise ValueError(f"{self.level}.per_cycle: must be ≥ 0, got {self.per_cycle}")
        if not (math.isfinite(self.duration_s) and self.duration_s > 0):
            raise ValueError(f"{self.level}.duration: must be > 0, got {self.duration_s}")
        if not (math.isfinite(self.upset_factor) and self.upset_factor >= 1):
            raise ValueError(f"{self.level}.upset_factor: must be ≥ 1, got {self.upset_factor}")
        if not (math.isfinite(self.dose_rad) and self.dose_rad >= 0):
            raise ValueError(f"{self.level}.dose_rad: must be ≥ 0, got {self.dose_rad}")


@dataclass(frozen=True, slots=True)
class Storm:
    """One solar particle event as every satellite meets it."""

    level: str
    start_s: float
    end_s: float
    upset_factor: float
    dose_rad: float


def draw_storms(levels: tuple[StormLevel, ...], cycle: SolarCycle | None, horizon_s: float,
                rng: np.random.Generator) -> list[Storm]:
    """Every storm starting in ``[0, horizon_s)``, by thinning a Poisson process at the peak
    rate (a constant rate without a cycle), sorted by start."""
    storms: list[Storm] = []
    period_s = cycle.period_s if cycle is not None else CYCLE_PERIOD_S
    peak = cycle.storm_peak if cycle is not None else 1.0
    for level in levels:
        rate_per_s = level.per_cycle / period_s * peak
        n = int(rng.poisson(rate_per_s * horizon_s))
        starts = np.sort(rng.uniform(0.0, horizon_s, n))
        keep = rng.uniform(0.0, 1.0, n)
        if cycle is not None:
            starts = starts[keep * peak < cycle.storm_factor(starts)]
        storms.extend(Storm(level.level, float(s), float(s) + level.duration_s,
                            level.upset_factor, level.dose_rad) for s in starts)
    storms.sort(key=lambda storm: storm.start_s)
    return storms
