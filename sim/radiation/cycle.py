"""The 11-year solar cycle as multipliers on upset and dose rates and on the storm rate.

Trapped-proton and cosmic-ray fluxes in low Earth orbit are highest at solar minimum (the
atmosphere contracts and the heliosphere shields less), while solar particle events cluster
around solar maximum and nearly vanish in the years around minimum (docs/sources.md §6.4).
Both are modelled as functions of the cycle's phase with a mean of 1 over a cycle, so rates
given "per year" are cycle averages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from sim.units import YEAR_S

# Mean length of a solar cycle, s (~11 years, docs/sources.md §6.4).
CYCLE_PERIOD_S = 11.0 * YEAR_S
# NASA and NOAA declared cycle 25's maximum period on 15 October 2024 (docs/sources.md §6.4).
CYCLE_25_MAXIMUM_UTC = datetime(2024, 10, 15, tzinfo=UTC)
# Share of each cycle, centred on minimum, with no solar particle events: ~3 of 11 years (A).
QUIET_SHARE = 3.0 / 11.0
TWO_PI = 2.0 * math.pi


@dataclass(frozen=True, slots=True)
class SolarCycle:
    """The cycle's phase (a maximum at ``maximum_s`` seconds since the scenario's start) and
    the swing of upset and dose rates about their cycle mean (highest at minimum)."""

    maximum_s: float
    period_s: float = CYCLE_PERIOD_S
    upset_amplitude: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.period_s) and self.period_s > 0):
            raise ValueError(f"period_s: must be > 0, got {self.period_s}")
        if not 0.0 <= self.upset_amplitude < 1.0:
            raise ValueError(f"upset_amplitude: must be in [0, 1), got {self.upset_amplitude}")

    def _phase(self, t_s: np.ndarray | float) -> np.ndarray:
        return TWO_PI * (np.asarray(t_s, dtype=float) - self.maximum_s) / self.period_s

    def upset_factor(self, t_s: np.ndarray | float) -> np.ndarray:
        """Multiplier on upset and dose rates at ``t_s``: 1 − a·cos(phase), mean 1."""
        return 1.0 - self.upset_amplitude * np.cos(self._phase(t_s))

    def upset_integral(self, t_s: np.ndarray | float) -> np.ndarray:
        """∫₀ᵗ upset_factor, s (exact)."""
        scale = self.upset_amplitude * self.period_s / TWO_PI
        return np.asarray(t_s, dtype=float) - scale * (np.sin(self._phase(t_s))
                                                       - np.sin(self._phase(0.0)))

    def storm_factor(self, t_s: np.ndarray | float) -> np.ndarray:
        """Multiplier on the storm rate at ``t_s``: max(0, cos(phase) − c), scaled to a mean
        of 1 over a cycle, with c chosen so it is zero over ``QUIET_SHARE`` of each cycle."""
        return np.maximum(0.0, np.cos(self._phase(t_s)) - STORM_OFFSET) / STORM_MEAN

    @property
    def storm_peak(self) -> float:
        """The largest storm factor (at maximum): about 2.3."""
        return (1.0 - STORM_OFFSET) / STORM_MEAN


def cycle_from_dates(start_utc: datetime, upset_amplitude: float,
                     maximum_utc: datetime = CYCLE_25_MAXIMUM_UTC,
                     period_s: float = CYCLE_PERIOD_S) -> SolarCycle:
    """The cycle phased on real dates: a maximum at ``maximum_utc`` (cycle 25's by default)."""
    return SolarCycle((maximum_utc - start_utc).total_seconds(), period_s, upset_amplitude)


def _storm_shape() -> tuple[float, float]:
    """(c, mean of max(0, cos φ − c)) for a quiet share q: the zero window |φ − π| < πq."""
    offset = -math.cos(math.pi * QUIET_SHARE)
    half_width = math.acos(offset)
    mean = (math.sin(half_width) - half_width * offset) / math.pi
    return offset, mean


STORM_OFFSET, STORM_MEAN = _storm_shape()
