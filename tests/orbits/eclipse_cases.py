"""Orbits with Skyfield reference eclipse data (``data/*.npz``, from ``make_reference.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sim.orbits.elements import Orbit, TwoLineElements, circular_orbit, tle_checksum

DATA_DIR = Path(__file__).resolve().parent / "data"
START_UTC = datetime(2027, 1, 1, tzinfo=UTC)
SPAN_S = 365 * 86_400.0
SAMPLE_STEP_S = 10.0


def synthetic_tle(raan_deg: float) -> TwoLineElements:
    """An ISS-like element set at 2027-01-01 (e = 0.0005, no drag), with valid checksums."""
    line1 = "1 25544U 98067A   27001.00000000  .00000000  00000-0  00000-0 0  999"
    line2 = f"2 25544  51.6400 {raan_deg:8.4f} 0005000  90.0000 270.0000 15.50000000    1"
    return TwoLineElements(
        line1 + str(tle_checksum(line1)), line2.ljust(68) + str(tle_checksum(line2.ljust(68)))
    )


@dataclass(frozen=True)
class ReferenceCase:
    name: str
    orbit: Orbit
    note: str

    @property
    def path(self) -> Path:
        return DATA_DIR / f"{self.name}.npz"


def reference_cases() -> tuple[ReferenceCase, ...]:
    return (
        ReferenceCase(
            "iss_tle",
            synthetic_tle(222.0),
            "ISS-like TLE; RAAN chosen so that 2027 holds a 3.8 s grazing eclipse",
        ),
        ReferenceCase(
            "starlink_550_53",
            circular_orbit(START_UTC, 550e3, math.radians(53.0), raan_rad=0.0),
            "Starlink-like shell plane",
        ),
        ReferenceCase(
            "sso_dawn_dusk_650",
            circular_orbit(START_UTC, 650e3, sun_synchronous=True, ltan_h=18.0),
            "dawn-dusk SSO, LTAN 18:00: one season around the June solstice",
        ),
        ReferenceCase(
            "geo",
            circular_orbit(START_UTC, 35_786e3, math.radians(0.05), raan_rad=0.0),
            "free-flying GEO (SDP4 deep-space branch), two equinox seasons",
        ),
    )
