"""SGP4 propagation (WGS72), the orbit model every eclipse schedule is computed with.

Limits of the model, which every schedule inherits:

- SGP4/SDP4 mean-element theory (Vallado et al. 2006), WGS72 constants, TEME frame. Element
  sets are taken as SGP4 mean elements at their epoch; over decades the node precesses and the
  perigee rotates through SGP4's secular J2/J4 terms (and SDP4's lunisolar terms above 225 min).
- No drag unless a B* term is given (then SGP4's own drag model, which is not meant for
  decades), no manoeuvres, no station-keeping, no solar radiation pressure.
- Positions are what SGP4 returns; no accuracy beyond SGP4's own (km-level for real objects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import WGS72, Satrec, jday

from sim.constants import WGS72_MU_M3_S2, WGS72_RADIUS_M
from sim.orbits.timebase import UtcClock

# Days from JD 0 to SGP4's epoch origin, 1949-12-31 00:00 UT (sgp4init's epoch argument).
SGP4_EPOCH_ORIGIN_JD = 2433281.5
MINUTE_S = 60.0


def utc_julian_date(value: datetime) -> tuple[float, float]:
    """UTC Julian date of an aware UTC datetime as ``(whole, fraction)`` (SGP4 convention)."""
    seconds = value.second + value.microsecond * 1e-6
    return jday(value.year, value.month, value.day, value.hour, value.minute, seconds)


def sgp4_satrec(
    epoch_utc: datetime,
    mean_motion_rad_s: float,
    eccentricity: float,
    inclination_rad: float,
    raan_rad: float,
    arg_perigee_rad: float,
    mean_anomaly_rad: float,
    bstar_per_earth_radius: float = 0.0,
    satnum: int = 1,
) -> Satrec:
    """Initialise SGP4 from mean elements (``sgp4init``, WGS72, improved mode, no ṅ/n̈ terms).

    ``mean_motion_rad_s`` is SGP4's (Kozai) mean motion, the quantity a TLE carries.
    """
    whole, fraction = utc_julian_date(epoch_utc)
    satrec = Satrec()
    satrec.sgp4init(
        WGS72,
        "i",
        satnum,
        (whole - SGP4_EPOCH_ORIGIN_JD) + fraction,
        bstar_per_earth_radius,
        0.0,
        0.0,
        eccentricity,
        arg_perigee_rad,
        inclination_rad,
        mean_anomaly_rad,
        mean_motion_rad_s * MINUTE_S,
        raan_rad,
    )
    if satrec.error:
        raise ValueError(f"SGP4 rejected the elements (sgp4init error code {satrec.error})")
    return satrec


@dataclass(frozen=True)
class SecularRates:
    """SGP4's secular rates of a near-Earth orbit, rad/s, and its mean angles at epoch."""

    node_rate_rad_s: float
    latitude_rate_rad_s: float
    raan_at_epoch_rad: float
    arg_latitude_at_epoch_rad: float
    inclination_rad: float
    epoch_offset_s: float

    @property
    def period_s(self) -> float:
        """Draconic (node-to-node) period, s."""
        return 2.0 * math.pi / self.latitude_rate_rad_s


def secular_rates(satrec: Satrec, clock: UtcClock) -> SecularRates:
    """SGP4's secular node and argument-of-latitude rates (``nodedot``, ``mdot + argpdot``).

    ``epoch_offset_s`` is the satrec epoch in seconds since ``clock.start_utc``. These are the
    rates SGP4 itself applies; textbook first-order J2 rates drift by minutes per month.
    """
    jd, fr = clock.sgp4_time(np.zeros(1))
    epoch_offset_s = ((satrec.jdsatepoch - jd[0]) + (satrec.jdsatepochF - fr[0])) * 86_400.0
    return SecularRates(
        node_rate_rad_s=satrec.nodedot / MINUTE_S,
        latitude_rate_rad_s=(satrec.mdot + satrec.argpdot) / MINUTE_S,
        raan_at_epoch_rad=satrec.nodeo,
        arg_latitude_at_epoch_rad=satrec.argpo + satrec.mo,
        inclination_rad=satrec.inclo,
        epoch_offset_s=float(epoch_offset_s),
    )


def is_deep_space(satrec: Satrec) -> bool:
    """True when SGP4 uses its deep-space branch (SDP4, period ≥ 225 min)."""
    return satrec.method == "d"


def propagate_km(satrec: Satrec, clock: UtcClock, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TEME position (km) and velocity (km/s), each shape ``(n, 3)``, at ``t_s`` since start.

    Raises ValueError if SGP4 reports an error (decay, eccentricity out of range).
    """
    jd, fr = clock.sgp4_time(t_s)
    error, r_km, v_km_s = satrec.sgp4_array(jd, fr)
    if error.any():
        bad = int(np.flatnonzero(error)[0])
        raise ValueError(
            f"SGP4 fails ({sgp4_error_text(int(error[bad]))}) at "
            f"t = {float(np.ravel(t_s)[bad]):.0f} s from the start"
        )
    return r_km, v_km_s


# What SGP4's error codes mean (Vallado et al., "Revisiting Spacetrack Report #3", 2006; the
# sgp4 package's ``SGP4_ERRORS``).
SGP4_ERROR_MEANINGS = {
    1: "mean eccentricity out of range",
    2: "mean motion below zero",
    3: "perturbed eccentricity out of range",
    4: "semi-latus rectum below zero",
    6: "the satellite has decayed",
}


def sgp4_error_text(code: int) -> str:
    """An SGP4 error code with what it means: ``error 6: the satellite has decayed``."""
    meaning = SGP4_ERROR_MEANINGS.get(code)
    return f"error {code}: {meaning}" if meaning else f"error {code}"


def first_failure(satrec: Satrec, start_utc: datetime, span_s: float,
                  floor_altitude_m: float, step_s: float = 86_400.0) -> str | None:
    """Why the orbit cannot be flown over [start, start + span], sampled every ``step_s``, and
    from when; None if it can. It cannot once its osculating perigee falls below
    ``floor_altitude_m`` (it re-enters: SGP4's drag model runs on over an orbit that no longer
    exists, until it fails too), or once SGP4 fails."""
    t_s = np.append(np.arange(0.0, span_s, step_s), span_s)
    jd0, fr0 = utc_julian_date(start_utc)
    error, r_km, v_km_s = satrec.sgp4_array(np.full(t_s.size, jd0), fr0 + t_s / 86_400.0)
    with np.errstate(invalid="ignore"):
        low = (error == 0) & (_perigee_altitude_m(r_km, v_km_s) < floor_altitude_m)
    failed = np.flatnonzero((error != 0) | low)
    if failed.size == 0:
        return None
    first = int(failed[0])
    when = start_utc + timedelta(seconds=float(t_s[first]))
    if error[first]:
        return f"SGP4 fails from {when:%Y-%m-%d} on ({sgp4_error_text(int(error[first]))})"
    floor = f"{floor_altitude_m / 1e3:.0f} km"
    if first == 0:
        return f"the orbit's perigee is below {floor} at the start, {when:%Y-%m-%d} (it re-enters)"
    return f"the orbit's perigee falls below {floor} on {when:%Y-%m-%d} (it re-enters)"


def _perigee_altitude_m(r_km: np.ndarray, v_km_s: np.ndarray) -> np.ndarray:
    """Osculating perigee altitude above the WGS72 equatorial radius of TEME states, m."""
    mu_km3_s2 = WGS72_MU_M3_S2 / 1e9
    r = np.linalg.norm(r_km, axis=1)
    semi_major_km = 1.0 / (2.0 / r - np.einsum("ij,ij->i", v_km_s, v_km_s) / mu_km3_s2)
    eccentricity = np.linalg.norm(np.cross(v_km_s, np.cross(r_km, v_km_s)) / mu_km3_s2
                                  - r_km / r[:, None], axis=1)
    return (semi_major_km * (1.0 - eccentricity)) * 1e3 - WGS72_RADIUS_M
