"""Whether points of a Walker shell's mean ground tracks lie in the SAA, read from two tables
over the argument of latitude: what thinning a shell's upsets asks at tens of millions of
candidate points, without four trigonometric functions a point.

On a mean track (``sim.radiation.track``) the latitude is a function of the argument of
latitude u alone, and the longitude is Λ + φ(u), where Λ = Ω − GMST moves linearly in time
and φ(u) = atan2(cos i · sin u, cos u). A point lies in the region's ellipse when
wrap(Λ + φ(u) − λc)² ≤ g(u), with g(u) = h_λ² (1 − ((lat(u) − latc) / h_lat)²), negative
outside the region's latitudes. Both φ and g are smooth in u for the members of a shell (one
inclination, one set of rates), so they are tabulated over [0, 2π) and read by linear
interpolation. The tables' largest error is measured when built, at the middle of every
interval where it could change an answer, and a table off by more than ``PHASE_TOLERANCE_RAD``
or ``WIDTH_TOLERANCE_RAD2`` is not used (a polar orbit's φ jumps by π at the poles).
"""

from __future__ import annotations

import math

import numpy as np

from sim.radiation.saa import SaaRegion
from sim.radiation.track import EARTH_ROTATION_RAD_S, MeanTracks

# Points of each table over one revolution of u (2π / 2¹⁶ ≈ 1e-4 rad apart: linear
# interpolation of φ and g is then within ~1e-8 of the formula for LEO inclinations).
TABLE_POINTS = 1 << 16
# Largest error accepted on φ, rad (1e-7 rad is under a metre of ground track), and on g,
# rad² (it moves the ellipse's edge in longitude by about that over twice the half-width:
# under 1e-7 rad for the default region). The mean track itself is within 0.2° of SGP4.
PHASE_TOLERANCE_RAD = 1e-7
WIDTH_TOLERANCE_RAD2 = 1e-7

_TWO_PI = 2.0 * math.pi


class RegionTable:
    """The SAA test of ``MeanTracks`` members sharing inclination and rates, from tables."""

    def __init__(self, tracks: MeanTracks, region: SaaRegion, points: int = TABLE_POINTS):
        sin_i, cos_i, latitude_rate, node_rate = (
            _shared(values) for values in (tracks.sin_i, tracks.cos_i, tracks.latitude_rate,
                                           tracks.node_rate))
        self._sin_i, self._cos_i = sin_i, cos_i
        self._region = region
        # Each member's argument of latitude at the start, rad, and its rate, rad/s.
        self.latitude_at_start = tracks.latitude_at_start
        self.latitude_rate = latitude_rate
        # Λ − λc at the start, per member, and its drift (node regression less the Earth's
        # rotation), rad and rad/s.
        self._longitude_at_start = (tracks.node_at_start - tracks.gmst_at_start
                                    - math.radians(region.centre_lon_deg))
        self._longitude_rate = node_rate - EARTH_ROTATION_RAD_S
        self._points = points
        self._scale = points / _TWO_PI
        u = np.arange(points + 1) / self._scale
        self._phase, self._phase_slope = _table(np.unwrap(self._phase_at(u)))
        self._width, self._width_slope = _table(self._width_at(u))
        self.phase_error_rad, self.width_error_rad2 = self._errors()

    @classmethod
    def build(cls, tracks: MeanTracks, region: SaaRegion) -> RegionTable | None:
        """The table, or None where it cannot stand in for the formula (members with their
        own inclinations or rates, or an interpolation error above the tolerances)."""
        try:
            table = cls(tracks, region)
        except ValueError:
            return None
        if (table.phase_error_rad > PHASE_TOLERANCE_RAD
                or table.width_error_rad2 > WIDTH_TOLERANCE_RAD2):
            return None
        return table

    def inside(self, members: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        """Whether satellite ``members[k]`` is over the region at ``times_s[k]``."""
        u = self.latitude_at_start[members] + self.latitude_rate * times_s
        points = self._points
        x = u * self._scale
        x -= np.floor(x * (1.0 / points)) * points
        cell = np.minimum(x.astype(np.int64), points - 1)
        fraction = x - cell
        width = self._width[cell] + fraction * self._width_slope[cell]
        found = np.zeros(times_s.size, dtype=bool)
        near = np.flatnonzero(width >= 0.0)
        if near.size == 0:
            return found
        cell, fraction = cell[near], fraction[near]
        offset = (self._longitude_at_start[members[near]] + self._longitude_rate * times_s[near]
                  + self._phase[cell] + fraction * self._phase_slope[cell])
        offset -= np.floor((offset + math.pi) * (1.0 / _TWO_PI)) * _TWO_PI
        found[near] = offset * offset <= width[near]
        return found

    def reach(self) -> list[tuple[float, float]]:
        """The arguments of latitude at which ``inside`` can answer yes, as (start, width)
        rad: the table's intervals where g is not below 0 at either end, one interval wider
        on each side."""
        points = self._points
        near = (self._width >= 0.0) | (self._width + self._width_slope >= 0.0)
        near = near | np.roll(near, 1) | np.roll(near, -1)
        if near.all():
            return [(0.0, _TWO_PI)]
        # Runs of cells, starting after a cell out of reach so that none wraps around.
        shift = int(np.flatnonzero(~near)[0]) + 1
        rolled = np.roll(near, -shift)
        edges = np.flatnonzero(np.diff(np.concatenate([[False], rolled, [False]]).astype(int)))
        return [(((start + shift) % points) / self._scale, (stop - start) / self._scale)
                for start, stop in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)]

    def _phase_at(self, u: np.ndarray) -> np.ndarray:
        """φ(u), rad."""
        return np.arctan2(self._cos_i * np.sin(u), np.cos(u))

    def _width_at(self, u: np.ndarray) -> np.ndarray:
        """g(u), rad²."""
        region = self._region
        latitude_deg = np.degrees(np.arcsin(np.clip(self._sin_i * np.sin(u), -1.0, 1.0)))
        across = (latitude_deg - region.centre_lat_deg) / region.half_lat_deg
        return math.radians(region.half_lon_deg) ** 2 * (1.0 - across * across)

    def _errors(self) -> tuple[float, float]:
        """The tables' largest errors at the middles of their intervals, where a point there
        could be inside (the formula's or the table's g not below 0 at either end or in the
        middle)."""
        middle = (np.arange(self._points) + 0.5) / self._scale
        width = self._width_at(middle)
        left, slope = self._width, self._width_slope
        read_width = left + 0.5 * slope
        relevant = (width >= 0.0) | (read_width >= 0.0) | (left >= 0.0) | (left + slope >= 0.0)
        if not relevant.any():
            return 0.0, 0.0
        phase = self._phase + 0.5 * self._phase_slope
        phase_error = np.abs(np.angle(np.exp(1j * (phase - self._phase_at(middle)))))
        return (float(np.max(phase_error[relevant])),
                float(np.max(np.abs(read_width - width)[relevant])))


def _shared(values: np.ndarray) -> float:
    """The one value every member has."""
    if values.size == 0 or not np.all(values == values[0]):
        raise ValueError("members do not share inclination and rates")
    return float(values[0])


def _table(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values at the points and the slope to the next, per interval (the last point closes
    the revolution)."""
    return values[:-1].copy(), np.diff(values)
