"""The Sun's position in SGP4's TEME frame, sampled from the Sun ephemeris and interpolated;
and the Earth–Sun distance, for the solar arrays' irradiance.

The ephemeris (:mod:`sim.orbits.ephemeris`: DE421, ERFA epv00 outside it) gives the geometric
Earth→Sun vector (GCRS) at a sample every ``step_s`` and Skyfield the GCRS→TEME rotation at the
same instants (the rotation Skyfield's ``EarthSatellite`` applies); a cubic spline per
component on the uniform grid then gives the Sun at any time for a few multiply-adds, instead
of ~70 µs per call through Skyfield. Where the samples switch from DE421 to epv00 (2053-10-09)
the vector steps by the sources' difference, 3.1 km and 2.0e-8 rad, which the spline smooths
over a few samples (``tests/orbits/test_sun_sources.py``).

Notes
-----
Measured against direct Skyfield calls (default IAU 2000A nutation) at 20,000 random times over
2027–2047: the Sun direction differs by at most 4.3e-9 rad (0.6 km at 1 AU). Nearly all of it
comes from sampling with IAU 2000B nutation (8× faster); the 6-hour cubic spline alone adds
1.1e-11 rad (1.6 m). A LEO shadow boundary moves by ~4 µs for 4e-9 rad, a GEO one by ~0.1 ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy.interpolate import CubicSpline
from skyfield.nutationlib import iau2000b_radians
from skyfield.sgp4lib import TEME

from sim.orbits.ephemeris import AU_KM, Ephemeris, SunSource, open_ephemeris
from sim.orbits.timebase import UtcClock, require_utc
from sim.units import DAY_S, HOUR_S

# Sun-track sample spacing and margin beyond each end of the span, s (accuracy: module notes).
SUN_STEP_S = 6.0 * HOUR_S
SUN_PAD_S = 2.0 * 86_400.0
# Earth–Sun distance sample spacing and margin beyond each end of the span, s. With 12-hour
# samples the cubic spline of r/AU is within 2.1e-11 of direct DE421 reads (20,000 random times
# over 2027–2047); daily samples give 3.5e-10, the Earth's 29.5-day wobble about the
# Earth–Moon barycentre (4,700 km) dominating.
SUN_DISTANCE_STEP_S = 12.0 * HOUR_S
SUN_DISTANCE_PAD_S = DAY_S


@dataclass(frozen=True)
class SunTrack:
    """Earth→Sun vector in TEME, km, as a uniform-grid cubic spline over seconds since start.

    ``coefficients[k, p, j]`` is the coefficient of ``(t - t_k)**(3 - p)`` for component ``j``
    on the interval starting at ``t_k = first_s + k * step_s``.
    """

    first_s: float
    step_s: float
    coefficients: np.ndarray = field(repr=False)

    @property
    def last_s(self) -> float:
        return self.first_s + self.step_s * self.coefficients.shape[0]

    def _locate(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t_s = np.asarray(t_s, dtype=float)
        if t_s.size and (t_s.min() < self.first_s or t_s.max() > self.last_s):
            raise ValueError(
                f"t_s: {t_s.min():.0f}..{t_s.max():.0f} s is outside the Sun track "
                f"{self.first_s:.0f}..{self.last_s:.0f} s"
            )
        k = np.minimum(
            ((t_s - self.first_s) // self.step_s).astype(np.int64), self.coefficients.shape[0] - 1
        )
        return k, t_s - (self.first_s + k * self.step_s)

    def position_km(self, t_s: np.ndarray) -> np.ndarray:
        """Earth→Sun vector, km, TEME, shape ``t_s.shape + (3,)``."""
        k, dt = self._locate(t_s)
        c = self.coefficients[k]
        dt = dt[..., None]
        return ((c[..., 0, :] * dt + c[..., 1, :]) * dt + c[..., 2, :]) * dt + c[..., 3, :]

    def state_km(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Earth→Sun vector (km) and its time derivative (km/s), TEME."""
        k, dt = self._locate(t_s)
        c = self.coefficients[k]
        dt = dt[..., None]
        c0, c1, c2 = c[..., 0, :], c[..., 1, :], c[..., 2, :]
        position = ((c0 * dt + c1) * dt + c2) * dt + c[..., 3, :]
        velocity = (3.0 * c0 * dt + 2.0 * c1) * dt + c2
        return position, velocity


def sun_samples_teme_km(
    ephemeris: Ephemeris, clock: UtcClock, t_s: np.ndarray, source: SunSource = "auto"
) -> np.ndarray:
    """Earth→Sun vectors in TEME, km, shape ``(len(t_s), 3)``, straight from the ephemeris.

    ``source`` picks DE421 or ERFA epv00 per sample (``"auto"``) or forces one.
    """
    t = clock.skyfield_time(ephemeris.timescale, np.asarray(t_s, dtype=float))
    t._nutation_angles_radians = iau2000b_radians(t)
    gcrs_km = ephemeris.sun_from_earth_km(t, source)
    rotation = TEME.rotation_at(t)
    return np.einsum("ijn,jn->ni", rotation, gcrs_km)


def sun_track(
    ephemeris: Ephemeris,
    clock: UtcClock,
    span_s: float,
    step_s: float = SUN_STEP_S,
    pad_s: float = SUN_PAD_S,
    source: SunSource = "auto",
) -> SunTrack:
    """Spline of the Sun over [-pad_s, span_s + pad_s] seconds since ``clock.start_utc``."""
    n = int(np.ceil((span_s + 2.0 * pad_s) / step_s)) + 1
    grid_s = -pad_s + step_s * np.arange(n)
    spline = CubicSpline(grid_s, sun_samples_teme_km(ephemeris, clock, grid_s, source), axis=0)
    return SunTrack(
        first_s=float(grid_s[0]),
        step_s=float(step_s),
        coefficients=np.ascontiguousarray(np.moveaxis(spline.c, 0, 1)),
    )


@dataclass(frozen=True)
class SunDistance:
    """Earth–Sun distance over seconds since a start, as a uniform-grid cubic spline of r/AU.

    For the solar arrays: irradiance scales as (1 AU / r)², 0.967–1.034 over a year. Holds only
    floats and one numpy array (32 bytes per sample interval, 2.3 MB per century at 12 h), so
    it pickles cheaply to worker processes. ``coefficients[p, k]`` is the coefficient of
    ``(t - t_k)**(3 - p)`` on the interval starting at ``t_k = first_s + k * step_s``; one row
    per power keeps each gather contiguous (~20 ns per time on the development machine).
    """

    first_s: float
    step_s: float
    coefficients: np.ndarray = field(repr=False)

    @property
    def last_s(self) -> float:
        return self.first_s + self.step_s * self.coefficients.shape[1]

    def au(self, t_s: np.ndarray) -> np.ndarray:
        """Earth–Sun distance in astronomical units at ``t_s`` seconds since the start."""
        t_s = np.asarray(t_s, dtype=float)
        if t_s.size and not (t_s.min() >= self.first_s and t_s.max() <= self.last_s):
            raise ValueError(
                f"t_s: {t_s.min():.0f}..{t_s.max():.0f} s is outside the Sun distance's "
                f"{self.first_s:.0f}..{self.last_s:.0f} s"
            )
        k = np.minimum(
            ((t_s - self.first_s) * (1.0 / self.step_s)).astype(np.intp),
            self.coefficients.shape[1] - 1,
        )
        dt = t_s - (self.first_s + k * self.step_s)
        c = self.coefficients
        r = c[0].take(k)
        for p in (1, 2, 3):
            r *= dt
            r += c[p].take(k)
        return r

    def irradiance_factor(self, t_s: np.ndarray) -> np.ndarray:
        """(1 AU / r)² at ``t_s`` seconds since the start: solar flux relative to 1 AU's."""
        r = self.au(t_s)
        return 1.0 / (r * r)


def sun_distance(
    start_utc: datetime,
    span_s: float,
    step_s: float = SUN_DISTANCE_STEP_S,
    pad_s: float = SUN_DISTANCE_PAD_S,
) -> SunDistance:
    """Earth–Sun distance over [-pad_s, span_s + pad_s] seconds since ``start_utc``.

    Read from the same sources as the Sun track (DE421, ERFA epv00 outside it), every
    ``step_s``; ValueError naming the argument if the span leaves the Sun's supported dates.
    """
    start_utc = require_utc(start_utc, "start_utc")
    if not math.isfinite(span_s) or span_s <= 0:
        raise ValueError(f"span_s: must be a positive number of seconds, got {span_s}")
    n = int(np.ceil((span_s + 2.0 * pad_s) / step_s)) + 1
    grid_s = -pad_s + step_s * np.arange(n)
    with open_ephemeris() as ephemeris:
        ephemeris.require_covered(
            start_utc + timedelta(seconds=float(grid_s[0])),
            start_utc + timedelta(seconds=float(grid_s[-1])),
            "start_utc/span_s",
        )
        clock = UtcClock.from_start(ephemeris.timescale, start_utc)
        t = clock.skyfield_time(ephemeris.timescale, grid_s)
        r_au = np.linalg.norm(ephemeris.sun_from_earth_km(t), axis=0) / AU_KM
    spline = CubicSpline(grid_s, r_au)
    return SunDistance(
        first_s=float(grid_s[0]),
        step_s=float(step_s),
        coefficients=np.ascontiguousarray(spline.c),
    )
