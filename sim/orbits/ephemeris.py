"""The Sun ephemeris and Skyfield's builtin timescale, opened offline.

The geometric Earth→Sun vector comes from JPL DE421 wherever DE421 has data (1899-07-29 to
2053-10-09 TDB) and from ERFA's ``epv00`` (pyerfa) elsewhere, chosen sample by sample. DE421
comes from the ``skyfield-data`` wheel and is opened with ``load_file``; ``epv00`` is a
simplified VSOP2000 solution for the Earth, heliocentric and barycentric, in BCRS axes (the
ICRS axes DE421 and Skyfield's GCRS use), TDB time; the Earth→Sun vector is minus its
heliocentric Earth position. The timescale is Skyfield's bundled one (``builtin=True``): ΔT
beyond its table follows Skyfield's long-term parabola, leap seconds stop in 2017. Nothing here
can download: Skyfield's ``Loader`` is never used.

Notes
-----
ERFA's own figures (``eraEpv00`` notes 4) for the heliocentric Earth against JPL DE405 over
1900–2100: 3.7 km RMS, 11.2 km at most (7.5e-8 rad at 1 AU); against DE406, about twice that by
1800 and 2200. ``epv00`` flags dates outside 1900–2100 with status 1, which is expected here
(scenarios reach 2200) and not reported: the raw ufunc is called, so no ``ErfaWarning`` is
issued. Measured against DE421 (``tests/orbits/test_sun_sources.py``, 2,000 times over
1950–2053): the Sun direction differs by at most 6.9e-8 rad, the distance by 3.8e-8 (6 km);
eclipse boundaries move by at most 1.6 ms (a grazing eclipse of the dawn–dusk SSO).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import erfa
import numpy as np
import skyfield_data
from skyfield.api import load, load_file
from skyfield.jpllib import ChebyshevPosition
from skyfield.timelib import Time, Timescale
from skyfield.vectorlib import VectorFunction

from sim.constants import AU_M
from sim.dates import SUN_DATES

DE421_FILENAME = "de421.bsp"
# Astronomical unit, km: the IAU 2012 value ERFA's ``epv00`` results are expressed in.
AU_KM = AU_M / 1000.0
# ``eraEpv00`` status values: 0 = OK, 1 = date outside 1900–2100 (accuracy degrades slowly).
EPV00_OK_STATUSES = (0, 1)

# Where each Earth→Sun sample comes from: DE421 where it has data and epv00 elsewhere, or one
# source forced (for comparing them).
SunSource = Literal["auto", "de421", "epv00"]


def de421_path() -> str:
    """Path of ``de421.bsp`` inside the installed ``skyfield-data`` package."""
    return os.path.join(os.path.dirname(skyfield_data.__file__), "data", DE421_FILENAME)


def epv00_sun_from_earth_km(whole_tdb: np.ndarray, fraction_tdb: np.ndarray) -> np.ndarray:
    """Geometric Earth→Sun vectors from ERFA ``epv00``, km, ICRS axes, shape ``(3, n)``.

    The time is the TDB Julian date ``whole_tdb + fraction_tdb``. Status 1 (outside 1900–2100)
    is accepted without a warning; see the module notes for the accuracy there.
    """
    heliocentric, _, status = erfa.ufunc.epv00(
        np.asarray(whole_tdb, dtype=float), np.asarray(fraction_tdb, dtype=float)
    )
    if not np.isin(status, EPV00_OK_STATUSES).all():
        raise RuntimeError(f"ERFA epv00 returned status {sorted(set(np.ravel(status)))}")
    return -np.asarray(heliocentric["p"], dtype=float).reshape(-1, 3).T * AU_KM


@dataclass(frozen=True)
class Ephemeris:
    """The Earth→Sun vectors (DE421, then ERFA epv00) and the timescale they are read on.

    ``start_jd_tdb`` and ``end_jd_tdb`` bound the interval every DE421 segment covers
    (JD 2414864.5–2471184.5 TDB, 1899-07-29 to 2053-10-09); ``sun_from_earth`` is DE421's
    geometric Earth→Sun vector function there.
    """

    sun_from_earth: VectorFunction
    timescale: Timescale
    start_jd_tdb: float
    end_jd_tdb: float

    def in_de421(self, t: Time) -> np.ndarray:
        """Whether DE421 has data at each of the times ``t`` (a Time array)."""
        tdb = np.asarray(t.whole, dtype=float) + np.asarray(t.tdb_fraction, dtype=float)
        return (tdb >= self.start_jd_tdb) & (tdb <= self.end_jd_tdb)

    def sun_from_earth_km(self, t: Time, source: SunSource = "auto") -> np.ndarray:
        """Geometric Earth→Sun vectors, km, ICRS (GCRS) axes, shape ``(3, n)`` for ``n`` times.

        ``source="auto"`` reads DE421 where it has data and ERFA ``epv00`` elsewhere, sample by
        sample; ``"de421"`` and ``"epv00"`` force one (ValueError if DE421 lacks a sample).
        """
        if source not in ("auto", "de421", "epv00"):
            raise ValueError(f"source: must be 'auto', 'de421' or 'epv00', got {source!r}")
        in_de421 = self.in_de421(t)
        if source == "epv00":
            in_de421[:] = False
        elif source == "de421" and not in_de421.all():
            raise ValueError("source: DE421 has no data at some of the times (1899-07-29 to "
                             "2053-10-09 TDB)")
        if in_de421.all():
            return self.sun_from_earth.at(t).xyz.km
        whole = np.asarray(t.whole, dtype=float)
        fraction = np.asarray(t.tdb_fraction, dtype=float)
        vectors = np.empty((3, in_de421.size))
        vectors[:, ~in_de421] = epv00_sun_from_earth_km(whole[~in_de421], fraction[~in_de421])
        if in_de421.any():
            vectors[:, in_de421] = self.sun_from_earth.at(t[in_de421]).xyz.km
        return vectors

    def require_covered(self, start_utc: datetime, end_utc: datetime, name: str) -> None:
        """ValueError naming ``name`` unless [start_utc, end_utc] lies where the Sun is served."""
        if start_utc not in SUN_DATES or end_utc not in SUN_DATES:
            raise ValueError(
                f"{name}: {start_utc.isoformat()} to {end_utc.isoformat()} is outside the Sun "
                f"ephemeris ({SUN_DATES})"
            )


def builtin_timescale() -> Timescale:
    """Skyfield's timescale from its bundled ΔT and leap-second tables (no download)."""
    return load.timescale(builtin=True)


@contextmanager
def open_ephemeris() -> Iterator[Ephemeris]:
    """DE421 from ``skyfield-data`` and the builtin timescale; the file closes on exit."""
    kernel = load_file(de421_path())
    try:
        segments = [s for s in kernel.segments if isinstance(s, ChebyshevPosition)]
        yield Ephemeris(
            sun_from_earth=kernel["sun"] - kernel["earth"],
            timescale=builtin_timescale(),
            start_jd_tdb=float(max(s.spk_segment.start_jd for s in segments)),
            end_jd_tdb=float(min(s.spk_segment.end_jd for s in segments)),
        )
    finally:
        kernel.close()
