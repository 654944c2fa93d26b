"""Orbit definitions: SGP4 mean elements, two-line element sets, Walker shells, formations.

Everything is SI (metres, seconds, radians) and validated on construction: an impossible orbit
raises ValueError naming the field. Epochs may lie anywhere the Sun is served, 1900-01-01 to
2201-12-31 (``sim.dates.ORBIT_EPOCHS``). An orbit is anything with ``epoch_utc``, ``satrec()`` (the
SGP4 model of it) and ``key()`` (a canonical text that identifies it for caching).

Conventions:

- ``semi_major_axis_m`` is read from SGP4's (Kozai) mean motion by Kepler's law with WGS72 μ,
  a = (μ/n²)^(1/3), as TLE mean motions are usually read; ``altitude_m`` is a − R_WGS72.
  SGP4's internal Brouwer mean a is ~0.3 km larger at 550 km.
- The argument of latitude is the mean one, ω + M.
- LTAN (local time of the ascending node) is measured from the true Sun's right ascension at
  the epoch in SGP4's TEME frame: RAAN = α☉ + (LTAN − 12 h)·15°/h. It differs from the
  mean-Sun convention by the equation of time (at most ±4.1°, ±16 min).
- A sun-synchronous inclination is solved so that SGP4's own secular node rate equals the mean
  Sun's rate (2π per tropical year); the textbook first-order J2 formula only seeds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from sgp4.api import WGS72, Satrec

from sim.constants import TROPICAL_YEAR_S, WGS72_J2, WGS72_MU_M3_S2, WGS72_RADIUS_M
from sim.dates import ORBIT_EPOCHS
from sim.orbits.ephemeris import open_ephemeris
from sim.orbits.propagation import MINUTE_S, sgp4_satrec
from sim.orbits.sun import sun_samples_teme_km
from sim.orbits.timebase import UtcClock, require_utc

MIN_PERIGEE_ALTITUDE_M = 150_000.0
SSO_NODE_RATE_RAD_S = 2.0 * math.pi / TROPICAL_YEAR_S
SSO_TOLERANCE_RAD_S = 1e-15
TWO_PI = 2.0 * math.pi


def mean_motion_rad_s(semi_major_axis_m: float) -> float:
    """Kepler mean motion for ``semi_major_axis_m`` with WGS72 μ, rad/s."""
    return math.sqrt(WGS72_MU_M3_S2 / semi_major_axis_m**3)


def semi_major_axis_m(mean_motion: float) -> float:
    """Inverse of :func:`mean_motion_rad_s`, m."""
    return (WGS72_MU_M3_S2 / mean_motion**2) ** (1.0 / 3.0)


def _check_shape(semi_major_axis: float, eccentricity: float, inclination: float) -> None:
    if not math.isfinite(eccentricity) or not 0.0 <= eccentricity < 1.0:
        raise ValueError(f"eccentricity: must be in [0, 1), got {eccentricity}")
    if not math.isfinite(inclination) or not 0.0 <= inclination <= math.pi:
        raise ValueError(
            f"inclination_rad: must be in [0, π] (0–180°), got {inclination} "
            f"({math.degrees(inclination):.3f}°)"
        )
    if not math.isfinite(semi_major_axis) or semi_major_axis <= 0:
        raise ValueError(f"semi_major_axis_m: must be positive, got {semi_major_axis}")
    perigee_m = semi_major_axis * (1.0 - eccentricity)
    if perigee_m <= WGS72_RADIUS_M:
        raise ValueError(
            f"perigee: radius {perigee_m / 1e3:.1f} km is inside the Earth "
            f"(R = {WGS72_RADIUS_M / 1e3:.3f} km)"
        )
    if perigee_m - WGS72_RADIUS_M < MIN_PERIGEE_ALTITUDE_M:
        raise ValueError(
            f"perigee: altitude {(perigee_m - WGS72_RADIUS_M) / 1e3:.1f} km is below "
            f"{MIN_PERIGEE_ALTITUDE_M / 1e3:.0f} km"
        )


@dataclass(frozen=True)
class MeanElements:
    """SGP4 mean elements (WGS72) at ``epoch_utc``; SI units."""

    epoch_utc: datetime
    semi_major_axis_m: float
    eccentricity: float
    inclination_rad: float
    raan_rad: float
    arg_perigee_rad: float
    mean_anomaly_rad: float
    bstar_per_earth_radius: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "epoch_utc", require_utc(self.epoch_utc, "epoch_utc"))
        ORBIT_EPOCHS.require(self.epoch_utc, "epoch_utc")
        _check_shape(self.semi_major_axis_m, self.eccentricity, self.inclination_rad)
        for name in ("raan_rad", "arg_perigee_rad", "mean_anomaly_rad", "bstar_per_earth_radius"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name}: must be finite, got {getattr(self, name)}")

    @property
    def altitude_m(self) -> float:
        """Semi-major axis minus the WGS72 equatorial radius, m."""
        return self.semi_major_axis_m - WGS72_RADIUS_M

    @property
    def mean_motion_rad_s(self) -> float:
        return mean_motion_rad_s(self.semi_major_axis_m)

    @property
    def arg_latitude_rad(self) -> float:
        """Mean argument of latitude ω + M, in [0, 2π)."""
        return (self.arg_perigee_rad + self.mean_anomaly_rad) % TWO_PI

    def satrec(self) -> Satrec:
        return sgp4_satrec(
            self.epoch_utc,
            self.mean_motion_rad_s,
            self.eccentricity,
            self.inclination_rad,
            self.raan_rad,
            self.arg_perigee_rad,
            self.mean_anomaly_rad,
            self.bstar_per_earth_radius,
        )

    def key(self) -> str:
        """Canonical text of the definition (exact float reprs), for cache keys."""
        return (
            f"sgp4init-wgs72|{self.epoch_utc.isoformat()}|{self.semi_major_axis_m!r}|"
            f"{self.eccentricity!r}|{self.inclination_rad!r}|{self.raan_rad % TWO_PI!r}|"
            f"{self.arg_perigee_rad % TWO_PI!r}|{self.mean_anomaly_rad % TWO_PI!r}|"
            f"{self.bstar_per_earth_radius!r}"
        )

    def advanced(self, delta_arg_latitude_rad: float) -> MeanElements:
        """The same orbit with the satellite ``delta_arg_latitude_rad`` further along."""
        return replace(
            self, mean_anomaly_rad=(self.mean_anomaly_rad + delta_arg_latitude_rad) % TWO_PI
        )


def sun_synchronous_inclination_rad(
    epoch_utc: datetime, semi_major_axis: float, eccentricity: float = 0.0
) -> float:
    """Inclination at which SGP4's secular node rate is the mean Sun's, rad.

    ValueError when no inclination is fast enough (above ~5,970 km for circular orbits).
    """
    n = mean_motion_rad_s(semi_major_axis)
    p_ratio = WGS72_RADIUS_M / (semi_major_axis * (1.0 - eccentricity**2))
    cos_i = -SSO_NODE_RATE_RAD_S / (1.5 * n * WGS72_J2 * p_ratio**2)
    if cos_i < -1.0:
        raise ValueError(
            f"inclination: no sun-synchronous inclination at altitude "
            f"{(semi_major_axis - WGS72_RADIUS_M) / 1e3:.0f} km, e = {eccentricity} "
            f"(J2 precession is too slow: would need cos i = {cos_i:.3f})"
        )

    def node_rate(inclination: float) -> float:
        satrec = sgp4_satrec(epoch_utc, n, eccentricity, inclination, 0.0, 0.0, 0.0)
        return satrec.nodedot / MINUTE_S

    i0 = math.acos(cos_i)
    i1 = i0 + 1e-4 if i0 + 1e-4 <= math.pi else i0 - 1e-4
    f0, f1 = node_rate(i0) - SSO_NODE_RATE_RAD_S, node_rate(i1) - SSO_NODE_RATE_RAD_S
    for _ in range(20):
        if abs(f1) < SSO_TOLERANCE_RAD_S or f1 == f0:
            break
        i0, i1 = i1, min(math.pi, i1 - f1 * (i1 - i0) / (f1 - f0))
        f0, f1 = f1, node_rate(i1) - SSO_NODE_RATE_RAD_S
    if abs(f1) > 1e-12:
        raise ValueError(
            f"inclination: no sun-synchronous inclination found at altitude "
            f"{(semi_major_axis - WGS72_RADIUS_M) / 1e3:.0f} km"
        )
    return i1


def raan_from_ltan_rad(epoch_utc: datetime, ltan_h: float) -> float:
    """RAAN (TEME) putting the ascending node at local solar time ``ltan_h`` at the epoch."""
    if not math.isfinite(ltan_h) or not 0.0 <= ltan_h < 24.0:
        raise ValueError(f"ltan_h: must be in [0, 24) hours, got {ltan_h}")
    with open_ephemeris() as ephemeris:
        clock = UtcClock.from_start(ephemeris.timescale, epoch_utc)
        sun = sun_samples_teme_km(ephemeris, clock, np.zeros(1))[0]
    sun_ra = math.atan2(sun[1], sun[0])
    return (sun_ra + (ltan_h - 12.0) * math.pi / 12.0) % TWO_PI


def circular_orbit(
    epoch_utc: datetime,
    altitude_m: float,
    inclination_rad: float | None = None,
    *,
    sun_synchronous: bool = False,
    raan_rad: float | None = None,
    ltan_h: float | None = None,
    arg_latitude_rad: float = 0.0,
    eccentricity: float = 0.0,
    arg_perigee_rad: float = 0.0,
    bstar_per_earth_radius: float = 0.0,
) -> MeanElements:
    """Mean elements from the quantities mission designers quote.

    Give exactly one of ``inclination_rad`` / ``sun_synchronous=True`` and one of
    ``raan_rad`` / ``ltan_h``. Despite the name, a small ``eccentricity`` may be given.
    """
    epoch_utc = require_utc(epoch_utc, "epoch_utc")
    ORBIT_EPOCHS.require(epoch_utc, "epoch_utc")
    if (inclination_rad is None) == (not sun_synchronous):
        raise ValueError("inclination: give either inclination_rad or sun_synchronous=True")
    if (raan_rad is None) == (ltan_h is None):
        raise ValueError("raan: give exactly one of raan_rad or ltan_h")
    if not math.isfinite(altitude_m):
        raise ValueError(f"altitude_m: must be finite, got {altitude_m}")
    semi_major_axis = WGS72_RADIUS_M + altitude_m
    _check_shape(semi_major_axis, eccentricity, 0.0 if sun_synchronous else inclination_rad)
    if sun_synchronous:
        inclination_rad = sun_synchronous_inclination_rad(epoch_utc, semi_major_axis, eccentricity)
    if ltan_h is not None:
        raan_rad = raan_from_ltan_rad(epoch_utc, ltan_h)
    return MeanElements(
        epoch_utc=epoch_utc,
        semi_major_axis_m=semi_major_axis,
        eccentricity=eccentricity,
        inclination_rad=inclination_rad,
        raan_rad=raan_rad % TWO_PI,
        arg_perigee_rad=arg_perigee_rad % TWO_PI,
        mean_anomaly_rad=(arg_latitude_rad - arg_perigee_rad) % TWO_PI,
        bstar_per_earth_radius=bstar_per_earth_radius,
    )


# Two-line element sets ------------------------------------------------------------------

TLE_LINE_LENGTH = 69


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns: digits count their value, '-' counts 1."""
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def _tle_field(line: str, number: int, first: int, last: int, name: str) -> str:
    """Columns ``first``..``last`` (1-based, inclusive) of TLE line ``number``."""
    text = line[first - 1 : last]
    if not text.strip():
        raise ValueError(f"tle line {number} columns {first}-{last} ({name}): empty")
    return text


def _tle_float(line: str, number: int, first: int, last: int, name: str) -> float:
    text = _tle_field(line, number, first, last, name)
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"tle line {number} columns {first}-{last} ({name}): not a number: {text!r}"
        ) from None


def _tle_exponent(line: str, number: int, first: int, last: int, name: str) -> float:
    """A TLE 'assumed decimal point' field such as ' 12345-3' (= 0.12345e-3)."""
    text = _tle_field(line, number, first, last, name).strip()
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    mantissa, exponent = body[:-2], body[-2:]
    if not (mantissa.isdigit() and exponent[0] in "+-" and exponent[1].isdigit()):
        raise ValueError(f"tle line {number} columns {first}-{last} ({name}): bad field {text!r}")
    return sign * float("0." + mantissa) * 10.0 ** int(exponent)


def _check_tle_line(line: str, number: int) -> str:
    line = line.rstrip()
    if len(line) != TLE_LINE_LENGTH:
        raise ValueError(f"tle line {number}: must be {TLE_LINE_LENGTH} columns, got {len(line)}")
    if line[0] != str(number) or line[1] != " ":
        raise ValueError(f"tle line {number}: must start with '{number} ', got {line[:2]!r}")
    if not line[68].isdigit():
        raise ValueError(f"tle line {number} column 69 (checksum): not a digit: {line[68]!r}")
    if int(line[68]) != tle_checksum(line):
        raise ValueError(
            f"tle line {number} column 69 (checksum): is {line[68]}, computed {tle_checksum(line)}"
        )
    return line


def _tle_epoch(line1: str) -> datetime:
    year = int(_tle_float(line1, 1, 19, 20, "epoch year"))
    day = _tle_float(line1, 1, 21, 32, "epoch day")
    if not 1.0 <= day < 367.0:
        raise ValueError(f"tle line 1 columns 21-32 (epoch day): must be in [1, 367), got {day}")
    full_year = 1900 + year if year >= 57 else 2000 + year
    start = datetime(full_year, 1, 1, tzinfo=UTC)
    return start + timedelta(microseconds=round((day - 1.0) * 86_400e6))


@dataclass(frozen=True)
class TwoLineElements:
    """A validated two-line element set (propagated by SGP4 from its own epoch)."""

    line1: str
    line2: str
    epoch_utc: datetime = field(init=False)
    inclination_rad: float = field(init=False)
    raan_rad: float = field(init=False)
    eccentricity: float = field(init=False)
    arg_perigee_rad: float = field(init=False)
    mean_anomaly_rad: float = field(init=False)
    mean_motion_rad_s: float = field(init=False)
    bstar_per_earth_radius: float = field(init=False)

    def __post_init__(self) -> None:
        line1 = _check_tle_line(self.line1, 1)
        line2 = _check_tle_line(self.line2, 2)
        if line1[2:7] != line2[2:7]:
            raise ValueError(
                f"tle: satellite numbers differ (line 1 {line1[2:7]!r}, line 2 {line2[2:7]!r})"
            )
        ecc_text = _tle_field(line2, 2, 27, 33, "eccentricity")
        if not ecc_text.isdigit():
            raise ValueError(
                f"tle line 2 columns 27-33 (eccentricity): must be 7 digits with an assumed "
                f"leading decimal point, got {ecc_text!r}"
            )
        inclination = math.radians(_tle_float(line2, 2, 9, 16, "inclination"))
        revs_per_day = _tle_float(line2, 2, 53, 63, "mean motion")
        if revs_per_day <= 0:
            raise ValueError(
                f"tle line 2 columns 53-63 (mean motion): must be positive, got {revs_per_day}"
            )
        values = {
            "line1": line1,
            "line2": line2,
            "epoch_utc": _tle_epoch(line1),
            "inclination_rad": inclination,
            "raan_rad": math.radians(_tle_float(line2, 2, 18, 25, "raan")),
            "eccentricity": float("0." + ecc_text),
            "arg_perigee_rad": math.radians(_tle_float(line2, 2, 35, 42, "argument of perigee")),
            "mean_anomaly_rad": math.radians(_tle_float(line2, 2, 44, 51, "mean anomaly")),
            "mean_motion_rad_s": revs_per_day * TWO_PI / 86_400.0,
            "bstar_per_earth_radius": _tle_exponent(line1, 1, 54, 61, "bstar"),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        ORBIT_EPOCHS.require(self.epoch_utc, "tle epoch")
        _check_shape(semi_major_axis_m(self.mean_motion_rad_s), self.eccentricity, inclination)

    @property
    def semi_major_axis_m(self) -> float:
        return semi_major_axis_m(self.mean_motion_rad_s)

    def satrec(self) -> Satrec:
        satrec = Satrec.twoline2rv(self.line1, self.line2, WGS72)
        if satrec.error:
            raise ValueError(f"tle: SGP4 rejected the element set (error code {satrec.error})")
        return satrec

    def key(self) -> str:
        return f"tle-wgs72|{self.line1}|{self.line2}"


Orbit = MeanElements | TwoLineElements


# Walker shells and formations -------------------------------------------------------------


@dataclass(frozen=True)
class OrbitalPlane:
    """Satellites sharing one orbit plane: a reference orbit and each member's phase.

    ``phases_rad[k]`` is member k's argument of latitude minus the reference's, in (−π, π].
    The reference's schedule, shifted in time by phase, serves every member (see
    :mod:`sim.orbits.phasing`).
    """

    reference: MeanElements
    phases_rad: tuple[float, ...]

    def satellites(self) -> tuple[MeanElements, ...]:
        return tuple(self.reference.advanced(phase) for phase in self.phases_rad)


def _wrap_pi(angle_rad: float) -> float:
    """``angle_rad`` wrapped into (−π, π]."""
    wrapped = math.remainder(angle_rad, TWO_PI)
    return math.pi if wrapped == -math.pi else wrapped


@dataclass(frozen=True)
class WalkerShell:
    """A Walker-delta shell i: T/P/F, RAANs spread over 360°.

    Plane j has RAAN ``raan0_rad + 2πj/P``; satellite k of plane j has argument of latitude
    ``arg_latitude0_rad + 2πk/S + 2πFj/T`` (S = T/P). Satellite 0 of each plane is the plane's
    reference orbit; the others' phases are wrapped into (−π, π], so the time shift of any
    member's schedule is at most half a period.
    """

    epoch_utc: datetime
    altitude_m: float
    inclination_rad: float
    planes: int
    satellites_per_plane: int
    phasing: int = 0
    raan0_rad: float = 0.0
    arg_latitude0_rad: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "epoch_utc", require_utc(self.epoch_utc, "epoch_utc"))
        if self.planes < 1:
            raise ValueError(f"planes: must be ≥ 1, got {self.planes}")
        if self.satellites_per_plane < 1:
            raise ValueError(f"satellites_per_plane: must be ≥ 1, got {self.satellites_per_plane}")
        if not 0 <= self.phasing < self.planes:
            raise ValueError(
                f"phasing: must be in [0, planes - 1 = {self.planes - 1}], got {self.phasing}"
            )
        self.plane_groups()

    @property
    def total(self) -> int:
        return self.planes * self.satellites_per_plane

    def plane_groups(self) -> tuple[OrbitalPlane, ...]:
        """One :class:`OrbitalPlane` per plane, in plane order."""
        groups = []
        for j in range(self.planes):
            reference = circular_orbit(
                self.epoch_utc,
                self.altitude_m,
                self.inclination_rad,
                raan_rad=self.raan0_rad + TWO_PI * j / self.planes,
                arg_latitude_rad=self.arg_latitude0_rad + TWO_PI * self.phasing * j / self.total,
            )
            phases = tuple(
                _wrap_pi(TWO_PI * k / self.satellites_per_plane)
                for k in range(self.satellites_per_plane)
            )
            groups.append(OrbitalPlane(reference, phases))
        return tuple(groups)

    def satellites(self) -> tuple[MeanElements, ...]:
        """Every satellite's own elements, plane by plane."""
        return tuple(sat for plane in self.plane_groups() for sat in plane.satellites())


@dataclass(frozen=True)
class Formation:
    """``count`` satellites flying one orbit closely enough to share its eclipse schedule.

    The members' separations (metres to kilometres) are ignored: 1 km along-track at 7.6 km/s
    is a 0.13 s shift of every boundary.
    """

    orbit: Orbit
    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"count: must be ≥ 1, got {self.count}")
