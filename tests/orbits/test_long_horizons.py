"""Scenarios over the whole supported range (``sim.dates``): starts from 1950-01-01 to
2100-12-31, horizons up to 100 years, so eclipse schedules reach 2201, past DE421 (2053) and
past ERFA epv00's nominal 2100. ``orbsim validate`` runs as a user runs it, with the schedule
cache in a temporary folder so the schedules are computed, not found."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from support import SMOKE, cli_problems, orbsim, orbsim_here

from sim.config import load_scenario
from sim.orbits import Formation, circular_orbit, eclipse_schedule

DAY_S = 86_400.0
YEAR_S = 365.25 * DAY_S
# A cheap orbit to search for a century: GPS-like MEO, two revolutions a day, two eclipse
# seasons a year (~15,000 eclipses in 100 years against ~520,000 at 550 km).
MEO = {"kind": "formation", "altitude_km": 20_200, "inclination_deg": 55, "raan_deg": 0}
LEO = {"kind": "formation", "altitude_km": 550, "inclination_deg": 53, "raan_deg": 0}


def scenario_file(tmp_path: Path, start: str, orbit: dict[str, Any] | None = None,
                  **horizon: float) -> Path:
    """``configs/smoke.yaml`` starting at ``start``, with ``horizon`` and, if given, ``orbit``."""
    document = yaml.safe_load(SMOKE.read_text())
    document["start_utc"] = start
    if horizon:
        del document["horizon_days"]
        document.update(horizon)
    if orbit is not None:
        document["fleet"][0]["orbit"] = orbit
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh schedule cache for this test and the orbsim processes it starts."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ORBSIM_CACHE_DIR", str(folder))
    return folder


def validate_and_load(path: Path, cache_dir: Path) -> tuple[Any, Any, float]:
    """Run ``orbsim validate`` (which bounds the longest eclipse without searching); then
    search the first group's schedule into the cache and read it back; and the seconds
    validate took."""
    began = time.perf_counter()
    result = orbsim("validate", str(path))
    elapsed = time.perf_counter() - began
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: smoke: 4 satellites"), result.stdout
    assert "Warning" not in result.stderr, result.stderr
    scenario = load_scenario(path)
    orbit = scenario.fleet[0].orbit
    assert isinstance(orbit, Formation)
    assert not list(cache_dir.rglob("*.npz")), "validate searched eclipses"
    eclipse_schedule(orbit.orbit, scenario.start_utc, scenario.horizon_s, cache_dir=cache_dir)
    stored = list(cache_dir.rglob("*.npz"))
    assert stored, "the search stored no schedule"
    schedule = eclipse_schedule(orbit.orbit, scenario.start_utc, scenario.horizon_s,
                                cache_dir=cache_dir)
    assert list(cache_dir.rglob("*.npz")) == stored  # found in the cache, not recomputed
    return scenario, schedule, elapsed


def assert_covers(schedule: Any, years: int, per_year: tuple[int, int]) -> None:
    """Eclipses in every year of the span, each year's count within ``per_year``."""
    assert schedule.span_s == pytest.approx(years * YEAR_S)
    counts, _ = np.histogram(schedule.penumbra_start, bins=np.arange(years + 1) * YEAR_S)
    assert counts.min() >= per_year[0] and counts.max() <= per_year[1], counts
    assert (np.diff(schedule.penumbra_start) > 0).all()


def test_30_year_horizon_from_2027(tmp_path: Path, cache_dir: Path) -> None:
    """550 km/53° for 30 years (DE421 until 2053-10, epv00 after): 5,200 eclipses a year
    (15.2 revolutions a day, a few eclipse-free days at high β). Measured when validate
    searched: 2.0 s (4.7 s with another test run alongside on the 2-core machine)."""
    path = scenario_file(tmp_path, "2027-01-01T00:00:00Z", LEO, horizon_years=30)
    _, schedule, elapsed = validate_and_load(path, cache_dir)
    assert_covers(schedule, 30, (5000, 5600))
    print(f"30-year LEO validate: {elapsed:.1f} s")


def test_100_year_horizon_from_2027(tmp_path: Path, cache_dir: Path) -> None:
    """GPS-like MEO for 100 years, to 2127, across the switch to epv00 (2053) and past its
    nominal 2100: two eclipse seasons a year, 112–211 eclipses as the node precesses relative
    to the Sun. Measured when validate searched: 6.1 s (12.6 s with another test run alongside
    on the 2-core machine), 3.7 s of it ERFA epv00 at the Sun track's 107,000 samples past
    2053."""
    path = scenario_file(tmp_path, "2027-01-01T00:00:00Z", MEO, horizon_years=100)
    _, schedule, elapsed = validate_and_load(path, cache_dir)
    assert_covers(schedule, 100, (100, 230))
    print(f"100-year MEO validate: {elapsed:.1f} s")


@pytest.mark.parametrize("start", ["1950-01-01T00:00:00Z", "2100-12-31T23:59:59Z"])
def test_range_ends_are_accepted_with_orbits(tmp_path: Path, cache_dir: Path,
                                             start: str) -> None:
    """The first and last supported starts, a LEO formation for 30 days each: one eclipse per
    revolution (15.05 a day) but for a few days at high β (418 and 431 eclipses)."""
    path = scenario_file(tmp_path, start, LEO, horizon_days=30)
    _, schedule, _ = validate_and_load(path, cache_dir)
    assert 380 <= len(schedule.penumbra_start) <= 455


@pytest.mark.parametrize("start", ["1950-01-01", "2100-12-31T23:59:59Z"])
def test_range_ends_are_accepted(tmp_path: Path, start: str) -> None:
    result = orbsim_here("validate", str(scenario_file(tmp_path, start)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: smoke:")


@pytest.mark.parametrize(("start", "shown"), [
    ("1949-12-31T23:59:59Z", "1949-12-31T23:59:59+00:00"),
    ("1949-06-01", "1949-06-01T00:00:00+00:00"),
    ("2101-01-01T00:00:00Z", "2101-01-01T00:00:00+00:00"),
    ("2150-01-01T00:00:00Z", "2150-01-01T00:00:00+00:00"),
])
def test_starts_outside_the_range_are_refused(tmp_path: Path, start: str, shown: str) -> None:
    """Exit status 2 and one line naming the key, with or without orbits."""
    for orbit in (None, LEO):
        result = orbsim_here("validate", str(scenario_file(tmp_path, start, orbit)))
        assert cli_problems(result) == [
            ("start_utc", f"{shown} is outside the supported range (1950-01-01 to 2100-12-31)")]
        assert len(result.stderr.splitlines()) == 1


def test_the_latest_schedule_and_epochs_past_2100() -> None:
    """In this process, where any warning is an error: an orbit whose epoch (and LTAN, which
    reads the Sun) is in 2200, and its schedule for the last month a scenario can reach."""
    start = datetime(2200, 12, 1, tzinfo=UTC)
    orbit = circular_orbit(start, 650e3, sun_synchronous=True, ltan_h=10.5)
    schedule = eclipse_schedule(orbit, start, 31 * DAY_S, use_cache=False)
    assert 450 <= len(schedule.penumbra_start) <= 460  # 14.8 revolutions a day
    assert start + timedelta(seconds=schedule.span_s) == datetime(2201, 1, 1, tzinfo=UTC)
    period_s = 2.0 * math.pi / orbit.mean_motion_rad_s
    assert np.diff(schedule.penumbra_start[1:]) == pytest.approx(period_s, rel=0.01)
