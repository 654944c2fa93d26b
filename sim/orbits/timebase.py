"""Elapsed seconds since a UTC start epoch, and the time arguments SGP4 and Skyfield expect.

Schedule times are SI seconds elapsed since ``start_utc`` (a TAI difference), so durations are
physical even across a leap second. SGP4 is fed the UTC Julian date exactly as Skyfield's
``EarthSatellite`` feeds it (``whole`` + ``tai_fraction`` − (TAI−UTC)/86400, with Skyfield's
treatment of a leap second), so positions match Skyfield's to the last bit of the time
argument. Skyfield's builtin leap-second table ends in 2017: later spans are uniform
(TAI−UTC = 37 s), and seconds since start equal calendar UTC seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from skyfield.timelib import Time, Timescale

from sim.units import DAY_S


def require_utc(value: datetime, name: str) -> datetime:
    """``value`` as an aware UTC datetime; ValueError naming ``name`` if it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class UtcClock:
    """Maps seconds since ``start_utc`` to SGP4 and Skyfield time arguments.

    ``leap_knots_s``/``tai_minus_utc_s`` are Skyfield's leap-second table in TAI seconds since
    JD ``whole_jd``: TAI−UTC ramps by 1 s across each inserted leap second and, as in Skyfield,
    is evaluated at the whole TAI second.
    """

    start_utc: datetime
    whole_jd: float
    tai_fraction: float
    leap_knots_s: np.ndarray = field(repr=False)
    tai_minus_utc_s: np.ndarray = field(repr=False)

    @classmethod
    def from_start(cls, timescale: Timescale, start_utc: datetime) -> UtcClock:
        start_utc = require_utc(start_utc, "start_utc")
        t0 = timescale.from_datetime(start_utc)
        dates = np.asarray(timescale.leap_dates, dtype=float)
        offsets = np.asarray(timescale.leap_offsets, dtype=float)
        if np.isinf(dates[-1]):
            dates, offsets = dates[2:-1], offsets[3:]
        ramp = np.array([-1.0, 0.0])
        utc_s = (dates[:, None] * DAY_S + ramp).ravel()
        tai_minus_utc = (offsets[:, None] + ramp).ravel()
        whole = float(t0.whole)
        return cls(
            start_utc=start_utc,
            whole_jd=whole,
            tai_fraction=float(t0.tai_fraction),
            leap_knots_s=utc_s + tai_minus_utc - whole * DAY_S,
            tai_minus_utc_s=tai_minus_utc,
        )

    def _tai_fraction(self, t_s: np.ndarray) -> np.ndarray:
        return self.tai_fraction + np.asarray(t_s, dtype=float) / DAY_S

    def leap_offset_s(self, t_s: np.ndarray) -> np.ndarray:
        """TAI−UTC, s, at ``t_s`` seconds since start."""
        whole_seconds = np.floor(self._tai_fraction(t_s) * DAY_S)
        return np.interp(whole_seconds, self.leap_knots_s, self.tai_minus_utc_s)

    def sgp4_time(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(jd, fr)`` UTC Julian date pair for ``Satrec.sgp4_array`` at ``t_s``."""
        fraction = self._tai_fraction(t_s)
        fr = fraction - self.leap_offset_s(t_s) / DAY_S
        return np.full(fr.shape, self.whole_jd), fr

    def skyfield_time(self, timescale: Timescale, t_s: np.ndarray | float) -> Time:
        """Skyfield ``Time`` at ``t_s`` seconds since start."""
        return timescale.tai_jd(self.whole_jd, self._tai_fraction(t_s))
