"""SAA region, sub-satellite points against Skyfield, time shares and upset-rate splits."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from sgp4.api import Satrec
from sgp4.propagation import gstime
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs

from sim.orbits.elements import circular_orbit
from sim.orbits.ephemeris import builtin_timescale
from sim.orbits.timebase import UtcClock
from sim.radiation.saa import (
    SaaRegion,
    gmst_rad,
    inside_saa,
    rate_factors,
    subsatellite_points,
    time_share_inside,
    upset_share,
)

START_UTC = datetime(2027, 1, 1, tzinfo=UTC)
DAY_S = 86_400.0
SPAN_S = 30 * DAY_S
# Earth's rotation in mean sidereal time, deg per s of UT1 (360.98564736629°/day, IAU-82).
SIDEREAL_RATE_DEG_S = 360.98564736629 / DAY_S
# |UT1 − UTC| is kept below 0.9 s by leap seconds (IERS): the longitude this module (GMST at
# UTC) and Skyfield (GMST at UT1) may differ by.
UT1_UTC_BOUND_S = 0.9


def satrec(altitude_km: float, inclination_deg: float | None) -> Satrec:
    """A circular orbit at START_UTC; sun-synchronous when ``inclination_deg`` is None."""
    return circular_orbit(
        START_UTC,
        altitude_km * 1e3,
        None if inclination_deg is None else math.radians(inclination_deg),
        sun_synchronous=inclination_deg is None,
        raan_rad=0.0,
    ).satrec()


@pytest.fixture(scope="module")
def clock() -> UtcClock:
    return UtcClock.from_start(builtin_timescale(), START_UTC)


def test_gmst_matches_sgp4_gstime(clock: UtcClock) -> None:
    t_s = np.linspace(0.0, 400 * DAY_S, 50)
    jd, fr = clock.sgp4_time(t_s)
    expected = [gstime(j + f) for j, f in zip(jd, fr, strict=True)]
    # gstime takes one summed date (precision ~4e-11 day, 3e-9 rad); gmst_rad keeps the split.
    np.testing.assert_allclose(gmst_rad(jd, fr), expected, rtol=0.0, atol=1e-8)


def test_subsatellite_points_agree_with_skyfield(clock: UtcClock) -> None:
    """Both rotate SGP4's TEME vector by GMST-82; Skyfield evaluates it at UT1, this at UTC.

    So longitudes differ by (UT1 − UTC) × sidereal rate, ≤ 0.9 s × 0.0042°/s = 0.0038°, and
    geocentric latitudes agree to rounding (neither applies polar motion). Skyfield's
    ``subpoint_of`` gives geodetic latitude, within 0.2° of geocentric at 550 km.
    """
    timescale = builtin_timescale()
    sat = satrec(550.0, 53.0)
    t_s = np.arange(0.0, 2 * DAY_S, 37.0)
    lat, lon = subsatellite_points(sat, clock, t_s)
    time = clock.skyfield_time(timescale, t_s)
    position = EarthSatellite.from_satrec(sat, timescale).at(time)
    x, y, z = position.frame_xyz(itrs).km
    d_lon = (lon - np.degrees(np.arctan2(y, x)) + 180.0) % 360.0 - 180.0
    assert np.abs(d_lon).max() <= UT1_UTC_BOUND_S * SIDEREAL_RATE_DEG_S
    np.testing.assert_allclose(d_lon, np.asarray(time.dut1) * SIDEREAL_RATE_DEG_S, atol=1e-7)
    np.testing.assert_allclose(lat, np.degrees(np.arctan2(z, np.hypot(x, y))), atol=1e-9)
    geodetic = wgs84.subpoint_of(position)
    assert np.abs(lat - geodetic.latitude.degrees).max() <= 0.2
    assert lon.min() >= -180.0 and lon.max() < 180.0
    assert lat.min() >= -53.01 and lat.max() <= 53.01


def test_region_contains_its_box_and_wraps_longitude() -> None:
    region = SaaRegion()
    lat = np.array([-25.0, -5.0, -45.0, -25.0, -25.0, -4.9, -25.0])
    lon = np.array([-45.0, -45.0, -45.0, -90.0, 0.0, -45.0, 0.1])
    assert region.contains(lat, lon).tolist() == [True, True, True, True, True, False, False]
    pacific = SaaRegion(
        centre_lat_deg=0.0, centre_lon_deg=179.0, half_lat_deg=5.0, half_lon_deg=5.0
    )
    assert pacific.contains(np.array([0.0, 0.0]), np.array([-178.0, 170.0])).tolist() == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("centre_lat_deg", math.nan),
        ("centre_lon_deg", math.inf),
        ("half_lat_deg", 0.0),
        ("half_lat_deg", 90.5),
        ("half_lon_deg", -1.0),
        ("half_lon_deg", 181.0),
        ("centre_lat_deg", -91.0),
    ],
)
def test_invalid_region_names_the_field(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        SaaRegion(**{field: value})


def test_time_share_converges_and_is_physical(clock: UtcClock) -> None:
    """A 20 s grid misplaces each entry and exit by under a step (uniformly, independently).

    Per pass that is a variance of 2·step²/12; over at most one pass per orbit (~450 in 30 days
    at 550 km) the share's standard error is 20 s·√(450/6)/30 d = 6.7e-5: 3e-4 is over 4σ.
    """
    sat = satrec(550.0, 53.0)
    coarse = time_share_inside(SaaRegion(), sat, clock, SPAN_S, 20.0)
    fine = time_share_inside(SaaRegion(), sat, clock, SPAN_S, 5.0)
    assert abs(coarse - fine) <= 3e-4
    assert 0.05 <= fine <= 0.25


def test_equatorial_orbit_never_enters(clock: UtcClock) -> None:
    sat = satrec(550.0, 0.0)
    assert time_share_inside(SaaRegion(), sat, clock, 3 * DAY_S) == 0.0
    assert not inside_saa(SaaRegion(), sat, clock, np.arange(0.0, DAY_S, 60.0)).any()


def test_polar_orbit_spends_less_time_inside_than_a_30_degree_one(clock: UtcClock) -> None:
    polar = time_share_inside(SaaRegion(), satrec(550.0, 90.0), clock, SPAN_S)
    low = time_share_inside(SaaRegion(), satrec(550.0, 30.0), clock, SPAN_S)
    assert 0.0 < polar < low


def test_sun_synchronous_share_is_physical(clock: UtcClock) -> None:
    share = time_share_inside(SaaRegion(), satrec(650.0, None), clock, SPAN_S)
    assert 0.02 <= share <= 0.1


def test_time_share_rejects_bad_span_and_step(clock: UtcClock) -> None:
    sat = satrec(550.0, 53.0)
    with pytest.raises(ValueError, match=r"^span_s:"):
        time_share_inside(SaaRegion(), sat, clock, 0.0)
    with pytest.raises(ValueError, match=r"^step_s:"):
        time_share_inside(SaaRegion(), sat, clock, DAY_S, math.nan)


@pytest.mark.parametrize("time_share", [0.0, 0.06, 0.5, 1.0])
@pytest.mark.parametrize("rate_ratio", [0.5, 1.0, 10.0, 100.0])
def test_rate_factors_keep_the_orbit_average(time_share: float, rate_ratio: float) -> None:
    inside, outside = rate_factors(time_share, rate_ratio)
    assert time_share * inside + (1.0 - time_share) * outside == pytest.approx(1.0, rel=1e-14)
    assert inside / outside == pytest.approx(rate_ratio, rel=1e-14)
    assert upset_share(time_share, rate_ratio) == pytest.approx(
        time_share * inside, rel=1e-14, abs=1e-15
    )


def test_upset_share_limits() -> None:
    assert upset_share(0.2, 1.0) == pytest.approx(0.2)
    assert upset_share(0.0, 50.0) == 0.0
    assert upset_share(1.0, 50.0) == 1.0
    share = 0.05
    ratio = 0.75 * (1.0 - share) / (share * 0.25)
    assert upset_share(share, ratio) == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("time_share", "rate_ratio", "name"),
    [
        (-0.1, 1.0, "time_share"),
        (1.5, 1.0, "time_share"),
        (0.1, 0.0, "rate_ratio"),
        (0.1, math.nan, "rate_ratio"),
    ],
)
def test_share_functions_reject_bad_input(time_share: float, rate_ratio: float, name: str) -> None:
    for function in (upset_share, rate_factors):
        with pytest.raises(ValueError, match=f"^{name}:"):
            function(time_share, rate_ratio)
