"""The DE421 ephemeris and Skyfield's builtin timescale, opened offline.

DE421 comes from the ``skyfield-data`` wheel and is opened with ``load_file``; the timescale is
Skyfield's bundled one (``builtin=True``). Nothing here can download: Skyfield's ``Loader`` is
never used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import skyfield_data
from skyfield.api import load, load_file
from skyfield.jpllib import ChebyshevPosition
from skyfield.timelib import Timescale
from skyfield.vectorlib import VectorFunction

DE421_FILENAME = "de421.bsp"


def de421_path() -> str:
    """Path of ``de421.bsp`` inside the installed ``skyfield-data`` package."""
    return os.path.join(os.path.dirname(skyfield_data.__file__), "data", DE421_FILENAME)


@dataclass(frozen=True)
class Ephemeris:
    """The geometric Earth→Sun vector function and the timescale it is evaluated on.

    ``start_jd_tdb`` and ``end_jd_tdb`` bound the interval every DE421 segment covers
    (JD 2414864.5–2471184.5 TDB, 1899-07-29 to 2053-10-09).
    """

    sun_from_earth: VectorFunction
    timescale: Timescale
    start_jd_tdb: float
    end_jd_tdb: float

    def require_covered(self, start_utc: datetime, end_utc: datetime, name: str) -> None:
        """Raise ValueError naming ``name`` unless [start_utc, end_utc] lies inside DE421."""
        t0 = self.timescale.from_datetime(start_utc)
        t1 = self.timescale.from_datetime(end_utc)
        if t0.tdb < self.start_jd_tdb or t1.tdb > self.end_jd_tdb:
            first = self.timescale.tdb_jd(self.start_jd_tdb).utc_strftime("%Y-%m-%d")
            last = self.timescale.tdb_jd(self.end_jd_tdb).utc_strftime("%Y-%m-%d")
            raise ValueError(
                f"{name}: {start_utc.isoformat()} to {end_utc.isoformat()} is outside the DE421 "
                f"ephemeris ({first} to {last})"
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
