"""The SAA test from tables over the argument of latitude against the mean track's formula."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from sim.constants import WGS72_RADIUS_M
from sim.orbits import WalkerShell, circular_orbit
from sim.orbits.elements import sun_synchronous_inclination_rad
from sim.orbits.ephemeris import builtin_timescale
from sim.orbits.timebase import UtcClock
from sim.radiation.region_table import (
    PHASE_TOLERANCE_RAD,
    WIDTH_TOLERANCE_RAD2,
    RegionTable,
)
from sim.radiation.saa import SaaRegion
from sim.radiation.track import MeanTracks
from sim.radiation.where import SaaSettings, SaaTracks
from sim.units import YEAR_S

START = datetime(2027, 1, 1, tzinfo=UTC)
PROBES = 500_000
# Points the table may place on the other side of the region's edge: those within its error
# (1e-7 rad) of the edge, a few in ten million.
MISMATCH_SHARE = 1e-5


def shell(inclination_deg: float | None, altitude_km: float = 550.0) -> WalkerShell:
    """Six planes of ten (``None``: sun-synchronous)."""
    inclination = (sun_synchronous_inclination_rad(
        START, WGS72_RADIUS_M + altitude_km * 1000.0)
                   if inclination_deg is None else math.radians(inclination_deg))
    return WalkerShell(START, altitude_km * 1000.0, inclination, planes=6,
                       satellites_per_plane=10, phasing=1, raan0_rad=0.3)


def clock() -> UtcClock:
    return UtcClock.from_start(builtin_timescale(), START)


def probes(members: int, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, members, PROBES), rng.uniform(0.0, 20 * YEAR_S, PROBES)


@pytest.mark.parametrize(("inclination_deg", "altitude_km"),
                         [(53.0, 550.0), (None, 640.0), (30.0, 550.0), (90.0, 600.0)])
def test_the_table_answers_as_the_track_does(inclination_deg: float | None,
                                            altitude_km: float) -> None:
    tracks = SaaTracks(SaaSettings(SaaRegion(), 65.0), shell(inclination_deg, altitude_km),
                       START, 20 * YEAR_S)
    table = tracks.table
    assert table is not None
    assert table.phase_error_rad <= PHASE_TOLERANCE_RAD
    assert table.width_error_rad2 <= WIDTH_TOLERANCE_RAD2
    members, times = probes(60)
    exact = tracks.inside(members, times)
    read = table.inside(members, times)
    assert 0.01 < float(np.mean(exact)) < 0.2
    assert np.count_nonzero(read != exact) <= MISMATCH_SHARE * PROBES
    assert np.array_equal(tracks.inside_thinning(members, times), read)


def test_a_polar_orbit_over_a_region_at_the_pole_keeps_the_formula() -> None:
    """φ(u) jumps by π where a polar orbit crosses the pole: no table can follow it there,
    so a region reaching the pole is tested by the formula."""
    polar_cap = SaaRegion(centre_lat_deg=-80.0, centre_lon_deg=0.0, half_lat_deg=15.0,
                          half_lon_deg=180.0)
    satrecs = [elements.satrec() for elements in shell(90.0).satellites()]
    tracks = MeanTracks(satrecs, clock())
    assert RegionTable(tracks, polar_cap).phase_error_rad > 1.0
    assert RegionTable.build(tracks, polar_cap) is None
    # The formula still answers for such a shell.
    found = SaaTracks(SaaSettings(polar_cap, 65.0), shell(90.0), START, YEAR_S)
    assert found.table is None
    members, times = probes(60)
    assert np.array_equal(found.inside_thinning(members, times), found.inside(members, times))


def test_members_of_different_inclinations_get_no_table() -> None:
    satrecs = [circular_orbit(START, 550e3, math.radians(inclination), raan_rad=0.0).satrec()
               for inclination in (53.0, 70.0)]
    tracks = MeanTracks(satrecs, clock())
    assert RegionTable.build(tracks, SaaRegion()) is None
    with pytest.raises(ValueError, match="share inclination"):
        RegionTable(tracks, SaaRegion())
