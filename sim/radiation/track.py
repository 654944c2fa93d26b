"""A satellite's mean ground track from SGP4's secular rates: cheap enough to evaluate at
every candidate upset of a fleet.

For a near-circular orbit the sub-satellite point follows from the argument of latitude u and
the node Ω, both advancing at SGP4's own secular rates, and the Earth's rotation (GMST, linear
in time): latitude = asin(sin i · sin u), longitude = Ω + atan2(cos i · sin u, cos u) − GMST.
SGP4's periodic terms are left out; against full SGP4 the point is off by under 0.2° (tested),
small beside the SAA region, which is itself an assumption (docs/sources.md §6.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sgp4.api import Satrec

from sim.orbits.propagation import secular_rates
from sim.orbits.timebase import UtcClock
from sim.radiation.saa import GMST_COEFFS_S, JULIAN_CENTURY_DAYS, SECONDS_PER_DEG, gmst_rad
from sim.units import DAY_S

# Earth's rotation in GMST, rad/s: the IAU-82 polynomial's linear term (its T² term moves
# GMST by under 0.004 s over 20 years).
EARTH_ROTATION_RAD_S = math.radians(GMST_COEFFS_S[1] / SECONDS_PER_DEG
                                    / (JULIAN_CENTURY_DAYS * DAY_S))


class MeanTracks:
    """The mean ground tracks of several satellites, evaluated together."""

    def __init__(self, satrecs: Sequence[Satrec], clock: UtcClock):
        rates = [secular_rates(satrec, clock) for satrec in satrecs]
        self.node_rate = np.array([r.node_rate_rad_s for r in rates])
        self.latitude_rate = np.array([r.latitude_rate_rad_s for r in rates])
        # Node and argument of latitude at the clock's start.
        self.node_at_start = np.array([r.raan_at_epoch_rad - r.node_rate_rad_s * r.epoch_offset_s
                                       for r in rates])
        self.latitude_at_start = np.array([r.arg_latitude_at_epoch_rad
                                           - r.latitude_rate_rad_s * r.epoch_offset_s
                                           for r in rates])
        inclination = np.array([r.inclination_rad for r in rates])
        self.sin_i = np.sin(inclination)
        self.cos_i = np.cos(inclination)
        jd, fr = clock.sgp4_time(np.zeros(1))
        self.gmst_at_start = float(gmst_rad(jd, fr)[0])
        # The same values as one number where every member shares them (a Walker shell's
        # rates and inclination): no gather per point.
        self._node_rate = _shared(self.node_rate)
        self._latitude_rate = _shared(self.latitude_rate)
        self._sin_i = _shared(self.sin_i)
        self._cos_i = _shared(self.cos_i)

    def within_latitudes(self, members: np.ndarray, times_s: np.ndarray, low_rad: float,
                         high_rad: float) -> np.ndarray:
        """Whether satellite ``members[k]`` is between two latitudes at ``times_s[k]`` (one
        sine per point: what ``points`` costs a fraction of)."""
        u = self.latitude_at_start[members] + _of(self._latitude_rate, members) * times_s
        sin_latitude = _of(self._sin_i, members) * np.sin(u)
        return (sin_latitude >= math.sin(low_rad)) & (sin_latitude <= math.sin(high_rad))

    def points(self, members: np.ndarray, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Geocentric latitude and longitude (degrees, longitude in [-180, 180)) of satellite
        ``members[k]`` at ``times_s[k]``."""
        u = self.latitude_at_start[members] + _of(self._latitude_rate, members) * times_s
        sin_u = np.sin(u)
        latitude = np.arcsin(_of(self._sin_i, members) * sin_u)
        node = self.node_at_start[members] + _of(self._node_rate, members) * times_s
        longitude = (node + np.arctan2(_of(self._cos_i, members) * sin_u, np.cos(u))
                     - self.gmst_at_start - EARTH_ROTATION_RAD_S * times_s)
        return np.degrees(latitude), (np.degrees(longitude) + 180.0) % 360.0 - 180.0


def _shared(values: np.ndarray) -> float | np.ndarray:
    """``values[0]`` if every member has it, else ``values``."""
    return float(values[0]) if values.size and np.all(values == values[0]) else values


def _of(values: float | np.ndarray, members: np.ndarray) -> float | np.ndarray:
    """Each member's value (``_shared``'s number as it is)."""
    return values if isinstance(values, float) else values[members]
