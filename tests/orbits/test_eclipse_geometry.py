"""Shadow geometry, the search on orbits the Skyfield reference does not cover, edge clipping,
the penumbra ramp, time handling and request validation."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from eclipse_cases import START_UTC, synthetic_tle

from sim.constants import EARTH_SHADOW_RADIUS_M, SUN_RADIUS_M
from sim.orbits.eclipse import eclipse_schedule
from sim.orbits.elements import MeanElements, TwoLineElements, circular_orbit, tle_checksum
from sim.orbits.ephemeris import builtin_timescale, open_ephemeris
from sim.orbits.propagation import propagate_km
from sim.orbits.schedule import EclipseSchedule, hidden_disc_fraction
from sim.orbits.shadow import ShadowFunction
from sim.orbits.sun import sun_track
from sim.orbits.timebase import UtcClock

DAY_S = 86_400.0


def shadow_function(orbit, start: datetime, span_s: float) -> ShadowFunction:
    with open_ephemeris() as ephemeris:
        clock = UtcClock.from_start(ephemeris.timescale, start)
        sun = sun_track(ephemeris, clock, span_s, pad_s=5 * DAY_S)
    return ShadowFunction(orbit.satrec(), clock, sun)


def brute_force_edges(orbit, span_s: float, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Penumbra and umbra transition times from sampling the margins every ``step_s``."""
    shadow = shadow_function(orbit, START_UTC, span_s)
    t = np.arange(step_s, span_s, step_s)
    geometry = shadow(t)
    edges = []
    for umbra in (False, True):
        inside = geometry.margin_rad(umbra) < 0
        edges.append(t[1:][inside[1:] != inside[:-1]])
    return edges[0], edges[1]


def schedule_edges(schedule: EclipseSchedule, umbra: bool) -> np.ndarray:
    starts = schedule.umbra_start if umbra else schedule.penumbra_start
    ends = schedule.umbra_end if umbra else schedule.penumbra_end
    edges = np.sort(np.concatenate([starts, ends]))
    return edges[np.isfinite(edges) & (edges > 0) & (edges < schedule.span_s)]


def test_margin_rate_is_the_time_derivative() -> None:
    """To 2.2e-9 rad/s (2e-6 relative): SGP4's velocity is not exactly the derivative of its
    position. The rate only steers Newton steps, and it moves a located minimum by ~2 ms,
    which changes the minimum's value by ~1e-12 rad."""
    orbit = circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=0.0)
    shadow = shadow_function(orbit, START_UTC, DAY_S)
    t = np.linspace(1000.0, 80_000.0, 200)
    h = 0.01
    numeric = (shadow(t + h).centre_margin_rad - shadow(t - h).centre_margin_rad) / (2 * h)
    assert np.abs(shadow(t).margin_rate_rad_s - numeric).max() < 5e-9


@pytest.mark.parametrize(
    ("semi_major_axis_km", "eccentricity", "inclination_deg"),
    [(7000, 0.01, 40), (7500, 0.05, 60), (9000, 0.19, 80), (12000, 0.3, 63.4), (26600, 0.72, 63.4)],
)
def test_eccentric_orbits_against_sampling(
    semi_major_axis_km: float, eccentricity: float, inclination_deg: float
) -> None:
    """Both search paths (predicted passages for e ≤ 0.2, dense minima above) against the same
    geometry sampled every 0.5 s: the same transitions, each within the sampling step."""
    orbit = MeanElements(
        START_UTC,
        semi_major_axis_km * 1e3,
        eccentricity,
        math.radians(inclination_deg),
        1.0,
        2.0,
        0.5,
    )
    span_s = 8 * DAY_S
    schedule = eclipse_schedule(orbit, START_UTC, span_s, use_cache=False)
    penumbra, umbra = brute_force_edges(orbit, span_s, 0.5)
    for sampled, found in (
        (penumbra, schedule_edges(schedule, False)),
        (umbra, schedule_edges(schedule, True)),
    ):
        assert sampled.size == found.size > 0
        assert np.abs(sampled - found).max() <= 0.5


def test_drag_tle_against_sampling() -> None:
    line1 = "1 25544U 98067A   27001.00000000  .00020000  00000-0  30000-3 0  999"
    line2 = "2 25544  51.6400 222.0000 0005000  90.0000 270.0000 15.50000000    1"
    tle = TwoLineElements(
        line1 + str(tle_checksum(line1)), line2.ljust(68) + str(tle_checksum(line2.ljust(68)))
    )
    assert tle.bstar_per_earth_radius == pytest.approx(3e-4)
    schedule = eclipse_schedule(tle, START_UTC, 8 * DAY_S, use_cache=False)
    penumbra, _ = brute_force_edges(tle, 8 * DAY_S, 0.5)
    found = schedule_edges(schedule, False)
    assert penumbra.size == found.size and np.abs(penumbra - found).max() <= 0.5


def test_span_edges_are_clipped() -> None:
    orbit = circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=0.0)
    full = eclipse_schedule(orbit, START_UTC, 2 * DAY_S, use_cache=False)
    k = 10
    inside_umbra = 0.5 * (full.umbra_start[k] + full.umbra_end[k])
    start = START_UTC + timedelta(seconds=inside_umbra)
    span_s = full.umbra_end[k + 5] - 1.0 - inside_umbra
    clipped = eclipse_schedule(orbit, start, span_s, use_cache=False)
    assert clipped.penumbra_start[0] == 0.0 and clipped.umbra_start[0] == 0.0
    assert clipped.umbra_end[0] == pytest.approx(full.umbra_end[k] - inside_umbra, abs=1e-3)
    assert clipped.penumbra_end[-1] == span_s and clipped.umbra_end[-1] == span_s
    assert len(clipped) == 6

    grazing_tail = full.umbra_end[k + 5] + 1.0 - inside_umbra
    clipped = eclipse_schedule(orbit, start, grazing_tail, use_cache=False)
    assert clipped.penumbra_end[-1] == grazing_tail
    assert np.isfinite(clipped.umbra_start[-1])
    after_umbra = eclipse_schedule(
        orbit, START_UTC + timedelta(seconds=full.umbra_end[k] + 1.0), DAY_S, use_cache=False
    )
    assert after_umbra.penumbra_start[0] == 0.0 and np.isnan(after_umbra.umbra_start[0])


class TestSunlitFraction:
    def exact_visible_fraction(self, orbit, t: np.ndarray) -> np.ndarray:
        """Visible area of the solar disc by direct integration over a 201×201 grid."""
        shadow = shadow_function(orbit, START_UTC, 366 * DAY_S)
        r_km, _ = propagate_km(orbit.satrec(), shadow.clock, t)
        sun_km = shadow.sun.position_km(t)
        grid = np.linspace(-1, 1, 201)
        x, y = np.meshgrid(grid, grid)
        disc = x**2 + y**2 <= 1
        x, y = x[disc], y[disc]
        visible = []
        for r, s in zip(r_km, sun_km, strict=True):
            to_sun = (s - r) / np.linalg.norm(s - r)
            rho_sun = math.asin(SUN_RADIUS_M / 1e3 / np.linalg.norm(s - r))
            rho_earth = math.asin(EARTH_SHADOW_RADIUS_M / 1e3 / np.linalg.norm(r))
            a = np.cross(to_sun, [0.0, 0.0, 1.0])
            a /= np.linalg.norm(a)
            b = np.cross(to_sun, a)
            points = to_sun * math.cos(rho_sun) + math.sin(rho_sun) * (
                x[:, None] * a + y[:, None] * b
            )
            points /= np.linalg.norm(points, axis=1, keepdims=True)
            earth = -r / np.linalg.norm(r)
            visible.append(1 - np.mean(np.arccos(np.clip(points @ earth, -1, 1)) < rho_earth))
        return np.array(visible)

    @pytest.mark.parametrize(
        "orbit",
        [
            circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=0.0),
            circular_orbit(START_UTC, 650e3, sun_synchronous=True, ltan_h=18.0),
            synthetic_tle(222.0),
        ],
        ids=["550km-53deg", "sso-650km", "iss-tle"],
    )
    def test_ramp_against_disc_geometry(self, orbit) -> None:
        """Measured max 0.0021 (about the grid's own resolution), mean 0.0007."""
        schedule = eclipse_schedule(orbit, START_UTC, 365 * DAY_S, use_cache=False)
        umbral = np.flatnonzero(schedule.has_umbra)[:: max(1, int(schedule.has_umbra.sum()) // 12)]
        grazing = np.flatnonzero(~schedule.has_umbra)[:8]
        times = []
        for i in umbral:
            times.append(np.linspace(schedule.penumbra_start[i], schedule.umbra_start[i], 7))
            times.append(np.linspace(schedule.umbra_end[i], schedule.penumbra_end[i], 7))
        for i in grazing:
            times.append(np.linspace(schedule.penumbra_start[i], schedule.penumbra_end[i], 9))
        t = np.concatenate(times)
        error = np.abs(schedule.sunlit_fraction(t) - self.exact_visible_fraction(orbit, t))
        assert error.max() < 0.005

    def test_levels(self) -> None:
        orbit = circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=0.0)
        s = eclipse_schedule(orbit, START_UTC, 3 * DAY_S, use_cache=False)
        i = 3
        assert s.sunlit_fraction(np.array([s.penumbra_start[i] - 1.0]))[0] == 1.0
        assert s.sunlit_fraction(np.array([s.penumbra_start[i]]))[0] == pytest.approx(1.0)
        assert s.sunlit_fraction(np.array([s.umbra_start[i]]))[0] == pytest.approx(0.0)
        assert s.sunlit_fraction(np.array([s.mid_s[i]]))[0] == 0.0
        ramp = s.sunlit_fraction(np.linspace(s.penumbra_start[i], s.umbra_start[i], 50))
        assert np.all(np.diff(ramp) < 0)
        assert s.in_shadow(np.array([s.mid_s[i]]), umbra=True)[0]
        assert not s.in_shadow(np.array([s.penumbra_start[i] - 1.0]))[0]

    def test_hidden_disc_fraction(self) -> None:
        assert hidden_disc_fraction(np.array([0.0, 0.5, 1.0])) == pytest.approx([0, 0.5, 1])
        depth = np.linspace(0, 1, 101)
        assert np.allclose(hidden_disc_fraction(depth) + hidden_disc_fraction(1 - depth), 1.0)


def test_times_follow_skyfield_across_a_leap_second() -> None:
    timescale = builtin_timescale()
    start = datetime(2016, 12, 31, 12, tzinfo=UTC)
    clock = UtcClock.from_start(timescale, start)
    t = np.array([0.0, 43_199.0, 43_200.0, 43_200.5, 43_201.0, 50_000.0])
    jd, fr = clock.sgp4_time(t)
    skyfield_time = clock.skyfield_time(timescale, t)
    expected = skyfield_time.tai_fraction - skyfield_time._leap_seconds() / DAY_S
    assert np.allclose(jd, skyfield_time.whole)
    assert np.abs(fr - expected).max() * DAY_S < 1e-6
    assert (fr[-1] - fr[0]) * DAY_S == pytest.approx(50_000.0 - 1.0)


@pytest.mark.parametrize(
    ("start", "span_s", "message"),
    [
        (START_UTC, 0.0, "span_s: must be a positive number"),
        (START_UTC, -5.0, "span_s: must be a positive number"),
        (START_UTC, math.inf, "span_s: must be a positive number"),
        (datetime(2027, 1, 1), DAY_S, "start_utc: must be timezone-aware"),
        (
            datetime(2195, 1, 1, tzinfo=UTC),
            10 * 365 * DAY_S,
            r"start_utc/span_s: .*outside the Sun ephemeris \(1900-01-01 to 2201-12-31\)",
        ),
    ],
)
def test_request_validation(start: datetime, span_s: float, message: str) -> None:
    orbit = circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=0.0)
    with pytest.raises(ValueError, match=message):
        eclipse_schedule(orbit, start, span_s, use_cache=False)


def test_orbits_package_imports_no_simulation_layer() -> None:
    code = (
        "import sys, sim.orbits; "
        "bad = [m for m in sys.modules if m == 'simpy' or m.startswith(('simpy.', 'sim.model'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
