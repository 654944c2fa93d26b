"""Conical Earth-shadow geometry seen from a satellite.

With θ the angle between the Sun's centre and the Earth's centre seen from the satellite,
ρ_E = asin(R_E/|r|) and ρ_S = asin(R_S/|r_sun - r|) their angular radii:

- penumbra (any part of the Sun hidden): θ < ρ_E + ρ_S;
- umbra (all of it hidden): θ < ρ_E − ρ_S;
- Skyfield's ``is_sunlit`` switches at θ = ρ_E (the Sun's centre on the limb), in between.

Notes
-----
- Spherical Earth of radius ``EARTH_SHADOW_RADIUS_M`` (Skyfield's), no oblateness (which moves
  real LEO boundaries by up to a few seconds), no atmosphere (refraction and extinction add
  tens of seconds of partial dimming), geometric Sun (no light-time, no aberration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sgp4.api import Satrec

from sim.constants import EARTH_SHADOW_RADIUS_M, SUN_RADIUS_M
from sim.orbits.propagation import propagate_km
from sim.orbits.sun import SunTrack
from sim.orbits.timebase import UtcClock

EARTH_SHADOW_RADIUS_KM = EARTH_SHADOW_RADIUS_M / 1000.0
SUN_RADIUS_KM = SUN_RADIUS_M / 1000.0


@dataclass(frozen=True)
class ShadowGeometry:
    """θ, ρ_E, ρ_S (rad) and the time derivative of θ − ρ_E (rad/s) at a set of instants."""

    separation_rad: np.ndarray
    earth_radius_rad: np.ndarray
    sun_radius_rad: np.ndarray
    margin_rate_rad_s: np.ndarray

    def margin_rad(self, umbra: bool | np.ndarray) -> np.ndarray:
        """θ − (ρ_E + ρ_S) for the penumbra, θ − (ρ_E − ρ_S) for the umbra; < 0 in shadow."""
        sign = np.where(umbra, -1.0, 1.0)
        return self.separation_rad - self.earth_radius_rad - sign * self.sun_radius_rad

    @property
    def centre_margin_rad(self) -> np.ndarray:
        """θ − ρ_E: negative exactly where Skyfield's ``is_sunlit`` is False."""
        return self.separation_rad - self.earth_radius_rad


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", a, b)


def shadow_geometry(
    r_km: np.ndarray, v_km_s: np.ndarray, sun_km: np.ndarray, sun_v_km_s: np.ndarray
) -> ShadowGeometry:
    """Shadow angles for satellite states ``(r, v)`` and Earth→Sun states, all ``(n, 3)``."""
    to_sun = sun_km - r_km
    to_sun_km = np.sqrt(_dot(to_sun, to_sun))
    radius_km = np.sqrt(_dot(r_km, r_km))
    sun_dir = to_sun / to_sun_km[:, None]
    earth_dir = -r_km / radius_km[:, None]
    cos_sep = np.clip(_dot(sun_dir, earth_dir), -1.0, 1.0)
    sin_sep = np.sqrt(np.maximum(1.0 - cos_sep * cos_sep, 1e-300))

    to_sun_rate = sun_v_km_s - v_km_s
    sun_dir_rate = (to_sun_rate - sun_dir * _dot(sun_dir, to_sun_rate)[:, None]) / to_sun_km[
        :, None
    ]
    earth_dir_rate = (-v_km_s - earth_dir * _dot(earth_dir, -v_km_s)[:, None]) / radius_km[:, None]
    cos_rate = _dot(sun_dir_rate, earth_dir) + _dot(sun_dir, earth_dir_rate)

    earth_radius = np.arcsin(EARTH_SHADOW_RADIUS_KM / radius_km)
    radial_rate = _dot(r_km, v_km_s) / radius_km
    earth_radius_rate = (
        -EARTH_SHADOW_RADIUS_KM * radial_rate / (radius_km * radius_km * np.cos(earth_radius))
    )
    return ShadowGeometry(
        separation_rad=np.arccos(cos_sep),
        earth_radius_rad=earth_radius,
        sun_radius_rad=np.arcsin(SUN_RADIUS_KM / to_sun_km),
        margin_rate_rad_s=-cos_rate / sin_sep - earth_radius_rate,
    )


@dataclass
class ShadowFunction:
    """Shadow geometry of one SGP4 orbit at arbitrary times (seconds since ``clock``'s start).

    Counts SGP4 evaluations, the unit of the search's cost.
    """

    satrec: Satrec
    clock: UtcClock
    sun: SunTrack
    evaluations: int = 0

    def states(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Satellite position, velocity and Earth→Sun vector (km, km/s) at ``t_s``."""
        r_km, v_km_s = propagate_km(self.satrec, self.clock, t_s)
        self.evaluations += int(np.size(t_s))
        return r_km, v_km_s, self.sun.position_km(t_s)

    def __call__(self, t_s: np.ndarray) -> ShadowGeometry:
        r_km, v_km_s = propagate_km(self.satrec, self.clock, t_s)
        self.evaluations += int(np.size(t_s))
        return shadow_geometry(r_km, v_km_s, *self.sun.state_km(t_s))
