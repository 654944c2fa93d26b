"""One replication's radiation clocks: cumulative upset exposure and cumulative dose.

Upset rates vary with the solar cycle and jump during storms; rather than stepping through
time, every process reads a cumulative exposure H(t) = ∫₀ᵗ m(s) ds (seconds at mean
conditions, m the rate multiplier) and its inverse: the arrivals of a Poisson process of rate
λ·m(t) are H⁻¹ of the arrivals of a unit-rate process scaled by 1/λ (a time change), and a
dose tolerance is reached where the cumulative dose first exceeds it. Both clocks are exact at
their knots (storm edges, and a grid for the cycle's sinusoid, whose curvature between knots
6 hours apart moves times by less than 10⁻⁶ s).
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Sequence

import numpy as np

from sim.radiation.cycle import SolarCycle
from sim.radiation.storms import Storm
from sim.units import HOUR_S

# Knot spacing of the clocks where nothing else sets one, s.
KNOT_S = 6.0 * HOUR_S


class Exposure:
    """The upset-exposure and dose clocks shared by every satellite of one replication."""

    def __init__(self, horizon_s: float, cycle: SolarCycle | None = None,
                 storms: Sequence[Storm] = ()):
        self.horizon_s = horizon_s
        self.cycle = cycle
        self.storms = tuple(storms)
        edges = [s for storm in self.storms for s in (storm.start_s, storm.end_s)]
        grid = np.arange(0.0, horizon_s, KNOT_S) if cycle is not None else np.zeros(1)
        knots = np.unique(np.concatenate([grid, np.clip(edges, 0.0, horizon_s), [horizon_s]]))
        self.knots_s = knots
        mean_conditions = self._cycle_integral(knots)
        upsets = mean_conditions.copy()
        dose = np.zeros_like(knots)
        for storm in self.storms:
            # Storm edges are knots: C(clip(t, start, end)) is C at a knot or at an edge.
            first, last = np.searchsorted(knots, [storm.start_s, storm.end_s])
            at_start = mean_conditions[first]
            excess = storm.upset_factor - 1.0
            upsets[first:last] += excess * (mean_conditions[first:last] - at_start)
            upsets[last:] += excess * (mean_conditions[min(last, knots.size - 1)] - at_start)
            inside = np.clip(knots[first:last], storm.start_s, storm.end_s)
            dose[first:last] += storm.dose_rad * (inside - storm.start_s) / (
                storm.end_s - storm.start_s)
            dose[last:] += storm.dose_rad * (min(storm.end_s, horizon_s) - storm.start_s) / (
                storm.end_s - storm.start_s)
        # Cumulative exposure at the knots: of upsets, of the cycle alone (the dose rate's
        # multiplier), and the dose storms add, rad.
        self.upset_exposure_s = upsets
        self.cycle_exposure_s = mean_conditions
        self.storm_dose_rad = dose
        # Cumulative dose at the knots, by mean dose rate (rad/s), built on first use.
        self._doses: dict[float, np.ndarray] = {}
        # The dose clocks as lists, for reading one time at a time (``*_one``).
        self._dose_lists: dict[float, list[float]] = {}

    def _cycle_integral(self, t_s: np.ndarray | float) -> np.ndarray:
        if self.cycle is None:
            return np.asarray(t_s, dtype=float)
        return self.cycle.upset_integral(t_s)

    @property
    def total_upset_exposure_s(self) -> float:
        """H(horizon): the horizon in seconds at mean conditions."""
        return float(self.upset_exposure_s[-1])

    def upset_exposure_s_at(self, t_s: np.ndarray | float) -> np.ndarray:
        """H(t)."""
        return np.interp(t_s, self.knots_s, self.upset_exposure_s)

    def time_at_upset_exposure(self, exposure_s: np.ndarray) -> np.ndarray:
        """H⁻¹: the times at which the upset exposure reaches ``exposure_s``."""
        return np.interp(exposure_s, self.upset_exposure_s, self.knots_s)

    def upset_factor(self, t_s: np.ndarray) -> np.ndarray:
        """m(t): the multiplier on upset rates at ``t_s`` (cycle × storms, storms adding)."""
        t = np.asarray(t_s, dtype=float)
        factor = np.ones_like(t) if self.cycle is None else self.cycle.upset_factor(t)
        extra = np.zeros_like(t)
        for storm in self.storms:
            extra += np.where((t >= storm.start_s) & (t < storm.end_s),
                              storm.upset_factor - 1.0, 0.0)
        return factor * (1.0 + extra)

    def upset_exposure_one(self, t_s: float) -> float:
        """H(t) at one time: ``upset_exposure_s_at``'s value, without numpy's per-call cost."""
        return interp_one(t_s, self._knots, self._upsets)

    def time_at_upset_exposure_one(self, exposure_s: float) -> float:
        """H⁻¹ at one exposure (``time_at_upset_exposure``'s value)."""
        return interp_one(exposure_s, self._upsets, self._knots)

    def dose_one(self, rate_rad_per_s: float, t_s: float) -> float:
        """Cumulative dose at one time (``dose_rad``'s value)."""
        return interp_one(t_s, self._knots, self._dose_list(rate_rad_per_s))

    def time_at_dose_one(self, rate_rad_per_s: float, dose_rad: float) -> float:
        """When the cumulative dose reaches ``dose_rad`` (``time_at_dose``'s value)."""
        cumulative = self._dose_list(rate_rad_per_s)
        if cumulative[-1] <= 0.0 or dose_rad > cumulative[-1]:
            return math.inf
        return interp_one(dose_rad, cumulative, self._knots)

    @functools.cached_property
    def _knots(self) -> list[float]:
        return self.knots_s.tolist()

    @functools.cached_property
    def _upsets(self) -> list[float]:
        return self.upset_exposure_s.tolist()

    def _dose_list(self, rate_rad_per_s: float) -> list[float]:
        found = self._dose_lists.get(rate_rad_per_s)
        if found is None:
            found = self._dose_lists[rate_rad_per_s] = self._dose_at_knots(
                rate_rad_per_s).tolist()
        return found

    def _dose_at_knots(self, rate_rad_per_s: float) -> np.ndarray:
        found = self._doses.get(rate_rad_per_s)
        if found is None:
            found = self._doses[rate_rad_per_s] = (rate_rad_per_s * self.cycle_exposure_s
                                                   + self.storm_dose_rad)
        return found

    def dose_rad(self, rate_rad_per_s: float, t_s: np.ndarray | float) -> np.ndarray:
        """Cumulative dose at ``t_s`` of an orbit whose mean dose rate is ``rate_rad_per_s``."""
        return np.interp(t_s, self.knots_s, self._dose_at_knots(rate_rad_per_s))

    def time_at_dose(self, rate_rad_per_s: float, dose_rad: np.ndarray) -> np.ndarray:
        """The times at which the cumulative dose reaches ``dose_rad`` (inf beyond the
        horizon's)."""
        cumulative = self._dose_at_knots(rate_rad_per_s)
        dose = np.asarray(dose_rad, dtype=float)
        if cumulative[-1] <= 0.0:
            return np.full_like(dose, np.inf)
        times = np.interp(dose, cumulative, self.knots_s)
        return np.where(dose > cumulative[-1], np.inf, times)


def interp_one(x: float, xp: list[float], fp: list[float]) -> float:
    """``np.interp(x, xp, fp)`` for one x, step for step as numpy computes it (the same
    floating-point value), at a bisection's cost: the clocks are read once per swap."""
    last = len(xp) - 1
    if x < xp[0]:
        return fp[0]
    if x >= xp[last]:
        return fp[last]
    j = bisect.bisect_right(xp, x) - 1
    if xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    found = slope * (x - xp[j]) + fp[j]
    if math.isnan(found):
        found = slope * (x - xp[j + 1]) + fp[j + 1]
        if math.isnan(found) and fp[j] == fp[j + 1]:
            found = fp[j]
    return found


def pooled_exposures(rate_per_s: float, total_s: float, rng: np.random.Generator) -> np.ndarray:
    """The points, sorted, of a Poisson process of rate ``rate_per_s`` on [0, ``total_s``):
    the pooled process of several units (their superposition), whose arrivals each belong to
    a unit chosen uniformly. They come sorted from normalised exponential spacings, so mapping
    them through a clock reads it in one ordered pass."""
    n = int(rng.poisson(rate_per_s * total_s))
    if n == 0:
        return np.zeros(0)
    spacings = np.cumsum(rng.exponential(1.0, n + 1))
    return spacings[:-1] * (total_s / spacings[-1])
