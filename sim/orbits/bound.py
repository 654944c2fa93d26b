"""An upper bound on the longest eclipse of an orbit over a span, in seconds, without searching.

``orbsim validate`` checks power designs against it instead of the exact eclipse schedules,
which take minutes to compute for a new shell (``orbsim run`` and campaigns still check
against the schedules). The bound is the shadow passage of the penumbra, not the umbra:

- β, the Sun's elevation above the orbit plane, is sampled once a day from the SGP4
  osculating plane and the ephemeris Sun (seconds for 72 planes over 20 years). If β changes
  sign between samples, β = 0 is reached; otherwise its least |β| is lowered by the larger
  daily change of β either side of that sample (β is smooth, so its true least value lies
  within one sample of the sampled one).
- The shadow is a cylinder widened to contain the penumbra where the orbit can meet it: the
  penumbra cone's radius (the Sun at its largest angular radius, at perihelion) at the
  farthest the orbit gets behind Earth while that close to the shadow's axis,
  √(r_max² − R²).
- The shadow arc is the one at the orbit's least radius, flown at its least angular rate (both
  over the daily samples, the radius lowered by ``RADIUS_MARGIN_M`` for what the samples miss).

For the reference shell (550 km, 53°) the bound is 36.0 min against 35.9 min searched; for
a dawn–dusk sun-synchronous orbit, whose least β is near the edge of eclipses, it is within a
few per cent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from sim.constants import AU_M, EARTH_SHADOW_RADIUS_M, SUN_RADIUS_M
from sim.orbits.elements import Orbit
from sim.orbits.ephemeris import open_ephemeris
from sim.orbits.propagation import propagate_km
from sim.orbits.sun import sun_samples_teme_km
from sim.orbits.timebase import UtcClock, require_utc
from sim.units import DAY_S

# Sampling step of β, s: the node and the Sun move by a few degrees a day at most.
BETA_STEP_S = DAY_S
# The Sun's largest angular radius seen from Earth, rad: solar radius over the perihelion
# distance (0.9833 AU, IAU nominal values).
SUN_MAX_ANGULAR_RADIUS_RAD = math.asin(SUN_RADIUS_M / (0.9833 * AU_M))
# Lowered from the least sampled radius, m: the osculating radius's short-period excursions
# (J2, a few km in LEO) fall between daily samples.
RADIUS_MARGIN_M = 1_000.0


def longest_eclipse_bounds_s(orbits: Sequence[Orbit], start_utc: datetime,
                             span_s: float) -> list[float]:
    """For each orbit, an upper bound on its longest eclipse (penumbra to penumbra) over
    [start_utc, start_utc + span_s], s."""
    start_utc = require_utc(start_utc, "start_utc")
    t_s = np.append(np.arange(0.0, span_s, BETA_STEP_S), span_s)
    with open_ephemeris() as ephemeris:
        clock = UtcClock.from_start(ephemeris.timescale, start_utc)
        sun = sun_samples_teme_km(ephemeris, clock, t_s)
    sun /= np.linalg.norm(sun, axis=1, keepdims=True)
    return [_bound_s(orbit, clock, t_s, sun) for orbit in orbits]


def least_beta_rad(beta_rad: np.ndarray) -> float:
    """A lower bound on |β| between daily samples ``beta_rad`` (0 if β changes sign)."""
    if len(beta_rad) < 2 or np.any(np.sign(beta_rad[1:]) != np.sign(beta_rad[:-1])):
        return 0.0
    magnitude = np.abs(beta_rad)
    k = int(np.argmin(magnitude))
    steps = np.abs(np.diff(magnitude))
    local = max(steps[k - 1] if k > 0 else 0.0, steps[k] if k < len(steps) else 0.0)
    return max(0.0, float(magnitude[k]) - float(local))


def penumbra_radius_m(distance_m: float) -> float:
    """Radius of the penumbra cone ``distance_m`` behind Earth's centre, at the Sun's largest
    angular radius."""
    alpha = SUN_MAX_ANGULAR_RADIUS_RAD
    return EARTH_SHADOW_RADIUS_M / math.cos(alpha) + distance_m * math.tan(alpha)


def _bound_s(orbit: Orbit, clock: UtcClock, t_s: np.ndarray, sun: np.ndarray) -> float:
    r_km, v_km_s = propagate_km(orbit.satrec(), clock, t_s)
    momentum = np.cross(r_km, v_km_s)
    h = np.linalg.norm(momentum, axis=1)
    beta = np.arcsin(np.clip(np.sum(momentum / h[:, None] * sun, axis=1), -1.0, 1.0))
    radius_m = np.linalg.norm(r_km, axis=1) * 1e3
    r_min_m = float(radius_m.min()) - RADIUS_MARGIN_M
    r_max_m = float(radius_m.max()) + RADIUS_MARGIN_M
    # Angular rate h/r² is least at the largest radius.
    rate_rad_s = float(np.min(h * 1e6 / r_max_m**2))
    if r_min_m <= EARTH_SHADOW_RADIUS_M:
        return math.inf
    shadow_m = penumbra_radius_m(math.sqrt(r_max_m**2 - EARTH_SHADOW_RADIUS_M**2))
    if shadow_m >= r_min_m:
        return math.inf
    cos_beta = math.cos(least_beta_rad(beta))
    # In the widened cylinder when r²(1 − cos²θ cos²β) < R², θ from the anti-Sun direction.
    ratio = math.sqrt(r_min_m**2 - shadow_m**2) / (r_min_m * cos_beta)
    if ratio >= 1.0:
        return 0.0
    return 2.0 * math.acos(ratio) / rate_rad_s
