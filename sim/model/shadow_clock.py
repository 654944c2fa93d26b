"""Time spent in Earth's shadow since the start, and its inverse: the clock of failure modes
that age only in eclipse (thermal cycling). One curve per set of orbits, shared by the
satellites that fly them (each at its own lag)."""

from __future__ import annotations

import math

import numpy as np

from sim.model.power.orbits import Orbits

# Where a set of orbits keeps its curve (``Orbits.profiles``).
_KEY = "shadow_curve"


class ShadowCurve:
    """Cumulative shadow time C(t) over the eclipses [start, end) of a set of orbits
    (seconds since the start, in the orbits' time)."""

    __slots__ = ("_after", "_before", "_end", "_start")

    def __init__(self, start_s: np.ndarray, end_s: np.ndarray):
        self._start = np.asarray(start_s, dtype=float)
        self._end = np.asarray(end_s, dtype=float)
        duration = self._end - self._start
        self._after = np.cumsum(duration)
        self._before = self._after - duration

    @classmethod
    def of(cls, orbits: Orbits) -> ShadowCurve:
        """The curve of ``orbits``, made once and kept with them."""
        curve = orbits.profiles.get(_KEY)
        if curve is None:
            curve = orbits.profiles[_KEY] = cls(orbits.start_s, orbits.eclipse_end_s)
        return curve  # type: ignore[no-any-return]

    def at(self, t_s: float) -> float:
        """C(t_s)."""
        k = int(np.searchsorted(self._start, t_s, side="right")) - 1
        if k < 0:
            return 0.0
        return float(self._before[k] + min(max(t_s - self._start[k], 0.0),
                                           self._end[k] - self._start[k]))

    def when(self, shadow_s: float) -> float:
        """The earliest time at which C reaches ``shadow_s`` > 0 (inf: not within the
        orbits)."""
        k = int(np.searchsorted(self._after, shadow_s, side="left"))
        if k >= len(self._after):
            return math.inf
        return float(self._start[k] + (shadow_s - self._before[k]))
