"""Beta angle and the closed-form eclipse relations of a circular orbit in a cylindrical shadow.

β is the Sun's elevation above the orbit plane: sin β = ĥ·ŝ with ĥ the orbit normal and ŝ the
Sun direction. In a cylindrical shadow of radius R, a circular orbit at altitude h is eclipsed
when |β| < β* = asin(R/(R+h)), for a fraction of each revolution

    f = (1/π)·acos(√(h² + 2Rh) / ((R+h)·cos β)).

Notes
-----
Against the conical umbra/penumbra of :mod:`sim.orbits.search`: MEASURE-BETA.
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
    """β of ``orbit`` (SGP4 osculating plane, DE421 Sun) at ``t_s`` seconds since start."""
    ephemeris = open_ephemeris()
    clock = UtcClock.from_start(ephemeris.timescale, require_utc(start_utc, "start_utc"))
    t_s = np.atleast_1d(np.asarray(t_s, dtype=float))
    r_km, v_km_s = propagate_km(orbit.satrec(), clock, t_s)
    normal = np.cross(r_km, v_km_s)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    sun = sun_samples_teme_km(ephemeris, clock, t_s)
    sun /= np.linalg.norm(sun, axis=1, keepdims=True)
    return np.arcsin(np.clip(np.sum(normal * sun, axis=1), -1.0, 1.0))
