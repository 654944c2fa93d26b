"""Beta angle and the closed-form eclipse relations of a circular orbit in a cylindrical shadow.

β is the Sun's elevation above the orbit plane: sin β = ĥ·ŝ with ĥ the orbit normal and ŝ the
Sun direction. In a cylindrical shadow of radius R, a circular orbit at altitude h is eclipsed
when |β| < β* = asin(R/(R+h)), for a fraction of each revolution

    f = (1/π)·acos(√(h² + 2Rh) / ((R+h)·cos β)).

Notes
-----
Against the conical umbra and penumbra of :mod:`sim.orbits.search`, 2027
(``tests/orbits/test_beta_formula.py``): evaluated per eclipse at its β and its SGP4 radius at
mid-eclipse, the formula lies between the umbra and penumbra durations of every eclipse away
from the season edges (|β| < β* − 2°) for 400–1,200 km LEO, the dawn–dusk SSO at 650 km and
GEO, within 0.52 % of their mean (≤ 7.4 s in LEO, 12 s at GEO). Integrated over the year at the
mean altitude, the shadow fraction agrees to 0.07 % in LEO and 0.17 % at GEO, but only to
1.75 % for the dawn–dusk SSO: at β ≈ 58–65° the duration is very sensitive to the few-km J2/J3
radius terms a constant altitude ignores.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from sim.constants import EARTH_SHADOW_RADIUS_M
from sim.orbits.elements import Orbit
from sim.orbits.ephemeris import open_ephemeris
from sim.orbits.propagation import propagate_km
from sim.orbits.sun import sun_samples_teme_km
from sim.orbits.timebase import UtcClock, require_utc


def beta_star_rad(altitude_m: float, earth_radius_m: float = EARTH_SHADOW_RADIUS_M) -> float:
    """Largest |β| with an eclipse in a cylindrical shadow, rad."""
    return math.asin(earth_radius_m / (earth_radius_m + altitude_m))


def eclipse_fraction(
    beta_rad: np.ndarray | float,
    altitude_m: float,
    earth_radius_m: float = EARTH_SHADOW_RADIUS_M,
) -> np.ndarray:
    """Fraction of a circular orbit in a cylindrical shadow at beta angle ``beta_rad``."""
    beta = np.abs(np.asarray(beta_rad, dtype=float))
    r = earth_radius_m + altitude_m
    chord = math.sqrt(altitude_m**2 + 2.0 * earth_radius_m * altitude_m)
    ratio = chord / (r * np.cos(beta))
    with np.errstate(invalid="ignore"):
        fraction = np.arccos(np.minimum(ratio, 1.0)) / math.pi
    return np.where(beta < beta_star_rad(altitude_m, earth_radius_m), fraction, 0.0)


def eclipse_duration_s(
    beta_rad: np.ndarray | float,
    altitude_m: float,
    period_s: float,
    earth_radius_m: float = EARTH_SHADOW_RADIUS_M,
) -> np.ndarray:
    """Cylindrical-shadow eclipse duration per revolution, s."""
    return eclipse_fraction(beta_rad, altitude_m, earth_radius_m) * period_s


def beta_angle_rad(orbit: Orbit, start_utc: datetime, t_s: np.ndarray) -> np.ndarray:
    """β of ``orbit`` (SGP4 osculating plane, the ephemeris Sun) at ``t_s`` seconds since start."""
    t_s = np.atleast_1d(np.asarray(t_s, dtype=float))
    with open_ephemeris() as ephemeris:
        clock = UtcClock.from_start(ephemeris.timescale, require_utc(start_utc, "start_utc"))
        sun = sun_samples_teme_km(ephemeris, clock, t_s)
    r_km, v_km_s = propagate_km(orbit.satrec(), clock, t_s)
    normal = np.cross(r_km, v_km_s)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    sun /= np.linalg.norm(sun, axis=1, keepdims=True)
    return np.arcsin(np.clip(np.sum(normal * sun, axis=1), -1.0, 1.0))
