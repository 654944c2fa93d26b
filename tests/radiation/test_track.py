"""The mean ground track (SGP4's secular rates) against full SGP4, and a formation's SAA
windows against the track point by point."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from sim.orbits import circular_orbit
from sim.orbits.ephemeris import builtin_timescale
from sim.orbits.timebase import UtcClock
from sim.radiation.saa import SaaRegion, subsatellite_points
from sim.radiation.track import MeanTracks
from sim.radiation.where import SaaSettings, SaaTracks
from sim.units import DAY_S, YEAR_S

START = datetime(2027, 1, 1, tzinfo=UTC)
# Largest gap between the mean track and SGP4's sub-satellite point, degrees: SGP4's
# short-period terms move a LEO satellite by a few km (~0.05°) along and across track.
TOLERANCE_DEG = 0.2


def orbit(altitude_km: float, inclination_deg: float | None) -> object:
    return circular_orbit(START, altitude_km * 1000.0,
                          None if inclination_deg is None else math.radians(inclination_deg),
                          sun_synchronous=inclination_deg is None, raan_rad=0.5,
                          arg_latitude_rad=0.2)


@pytest.mark.parametrize(("altitude_km", "inclination_deg"), [(550.0, 53.0), (650.0, None)])
def test_mean_track_follows_sgp4_for_years(altitude_km: float,
                                          inclination_deg: float | None) -> None:
    elements = orbit(altitude_km, inclination_deg)
    satrec = elements.satrec()  # type: ignore[attr-defined]
    clock = UtcClock.from_start(builtin_timescale(), START)
    times = np.concatenate([np.linspace(0.0, 2 * DAY_S, 2000),
                            np.linspace(15 * YEAR_S, 15 * YEAR_S + DAY_S, 2000)])
    lat, lon = subsatellite_points(satrec, clock, times)
    mean_lat, mean_lon = MeanTracks([satrec], clock).points(np.zeros(times.size, int), times)
    assert np.max(np.abs(mean_lat - lat)) < TOLERANCE_DEG
    assert np.max(np.abs((mean_lon - lon + 180.0) % 360.0 - 180.0)) < TOLERANCE_DEG


def test_formation_windows_agree_with_the_track_and_give_the_time_share() -> None:
    from sim.orbits import Formation

    elements = orbit(650.0, None)
    horizon_s = 60 * DAY_S
    tracks = SaaTracks(SaaSettings(SaaRegion(), 65.0), Formation(elements, 3), START,
                       horizon_s)
    assert tracks.windows is not None
    starts, ends = tracks.windows
    assert np.all(ends > starts) and np.all(starts[1:] > ends[:-1])
    probe = np.random.default_rng(1).uniform(0.0, horizon_s, 20_000)
    by_windows = tracks.inside(np.zeros(0, int), probe)
    direct = SaaRegion().contains(*tracks.tracks.points(np.zeros(probe.size, int), probe))
    # Windows are sampled every 20 s: only points within a step of an edge may disagree.
    assert np.mean(by_windows != direct) < 20.0 * 2 * starts.size / horizon_s
    # The probes' share is binomial about the true share; the windows' own sampling error is
    # at most one step per edge.
    share = float(np.mean(direct))
    error = np.sqrt(share * (1.0 - share) / probe.size)
    assert tracks.time_share == pytest.approx(share, abs=4.0 * error
                                              + 20.0 * 2 * starts.size / horizon_s)
    assert 0.03 < tracks.time_share < 0.06
