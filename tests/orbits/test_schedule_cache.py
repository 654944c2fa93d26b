"""The on-disk schedule cache, and per-plane sharing of schedules by phase shift."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import platformdirs
import pytest
from eclipse_cases import START_UTC

import sim.orbits.eclipse as eclipse_module
from sim.orbits.cache import CACHE_DIR_ENV, ScheduleCache, resolve_cache_dir, schedule_key
from sim.orbits.eclipse import eclipse_schedule, eclipse_schedules
from sim.orbits.elements import MeanElements, OrbitalPlane, WalkerShell, circular_orbit
from sim.orbits.phasing import plane_member_schedules, time_shift_schedule, walker_schedules
from sim.orbits.schedule import ARRAY_FIELDS, EclipseSchedule

DAY_S = 86_400.0
YEAR_S = 365.25 * DAY_S
BOUNDARIES = ("penumbra_start", "umbra_start", "umbra_end", "penumbra_end")


def leo(raan_deg: float = 0.0) -> MeanElements:
    return circular_orbit(START_UTC, 550e3, math.radians(53), raan_rad=math.radians(raan_deg))


def assert_same(a: EclipseSchedule, b: EclipseSchedule) -> None:
    assert a.start_utc == b.start_utc and a.span_s == b.span_s
    for name in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def flip_bit(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x10]) + data[position + 1 :]


class TestCache:
    def test_round_trip(self, tmp_path: Path) -> None:
        schedule = eclipse_schedule(leo(), START_UTC, 10 * DAY_S, use_cache=False)
        cache = ScheduleCache.at(tmp_path)
        key = schedule_key(leo().key(), START_UTC, 10 * DAY_S)
        path = cache.store(key, schedule)
        assert path.parent == tmp_path and path.suffix == ".npz"
        loaded = cache.load(key)
        assert_same(loaded, schedule)
        assert not loaded.penumbra_start.flags.writeable
        assert isinstance(loaded.penumbra_start.base, np.memmap)
        assert list(tmp_path.iterdir()) == [path]

    def test_empty_schedule_round_trip(self, tmp_path: Path) -> None:
        geo = circular_orbit(START_UTC, 35_786e3, 0.001, raan_rad=0.0)
        start = START_UTC + timedelta(days=150)
        first = eclipse_schedule(geo, start, 5 * DAY_S, cache_dir=tmp_path)
        assert len(first) == 0
        assert_same(eclipse_schedule(geo, start, 5 * DAY_S, cache_dir=tmp_path), first)

    def test_second_call_reads_the_cache(self, tmp_path: Path, monkeypatch) -> None:
        first = eclipse_schedule(leo(), START_UTC, 10 * DAY_S, cache_dir=tmp_path)
        assert len(list(tmp_path.glob("*.npz"))) == 1

        def fail(*args, **kwargs):
            raise AssertionError("recomputed a cached schedule")

        monkeypatch.setattr(eclipse_module, "find_eclipses", fail)
        assert_same(eclipse_schedule(leo(), START_UTC, 10 * DAY_S, cache_dir=tmp_path), first)

    @pytest.mark.parametrize(
        "damage",
        [
            lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
            lambda p: p.write_bytes(b"not a zip file"),
            lambda p: p.write_bytes(p.read_bytes()[:-200] + bytes(200)),
            lambda p: p.write_bytes(b""),
            lambda p: p.write_bytes(flip_bit(p.read_bytes(), len(p.read_bytes()) // 2)),
        ],
        ids=["truncated", "garbage", "zeroed-tail", "empty", "flipped-bit"],
    )
    def test_corrupt_file_is_recomputed(self, tmp_path: Path, damage) -> None:
        eclipse_schedule(leo(), START_UTC, 10 * DAY_S, cache_dir=tmp_path)
        good = eclipse_schedule(leo(), START_UTC, 10 * DAY_S, use_cache=False)
        (path,) = tmp_path.glob("*.npz")
        damage(path)
        key = schedule_key(leo().key(), START_UTC, 10 * DAY_S)
        assert ScheduleCache.at(tmp_path).load(key) is None
        assert_same(eclipse_schedule(leo(), START_UTC, 10 * DAY_S, cache_dir=tmp_path), good)
        assert_same(ScheduleCache.at(tmp_path).load(key), good)

    def test_file_for_another_key_is_ignored(self, tmp_path: Path) -> None:
        schedule = eclipse_schedule(leo(), START_UTC, 10 * DAY_S, use_cache=False)
        cache = ScheduleCache.at(tmp_path)
        key = schedule_key(leo().key(), START_UTC, 10 * DAY_S)
        other = schedule_key(leo(1.0).key(), START_UTC, 10 * DAY_S)
        cache.store(other, schedule).rename(cache.path_for(key))
        assert cache.load(key) is None

    def test_key_covers_orbit_start_and_span(self) -> None:
        keys = {
            schedule_key(leo().key(), START_UTC, 10 * DAY_S),
            schedule_key(leo(1e-6).key(), START_UTC, 10 * DAY_S),
            schedule_key(leo().key(), START_UTC + timedelta(seconds=1), 10 * DAY_S),
            schedule_key(leo().key(), START_UTC, 10 * DAY_S + 1),
        }
        assert len(keys) == 4

    def test_directory_resolution(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
        work = tmp_path / "work"
        work.mkdir()
        monkeypatch.chdir(work)
        # By default, the user's cache directory: never the current directory.
        assert resolve_cache_dir() == Path(platformdirs.user_cache_dir("orbsim", appauthor=False))
        if sys.platform.startswith("linux"):
            assert resolve_cache_dir() == tmp_path / "user-cache" / "orbsim"
        eclipse_schedule(leo(), START_UTC, DAY_S)
        assert len(list(resolve_cache_dir().glob("*.npz"))) == 1
        assert list(work.iterdir()) == []
        monkeypatch.setenv(CACHE_DIR_ENV, "")
        assert resolve_cache_dir() == Path(platformdirs.user_cache_dir("orbsim", appauthor=False))
        monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env"))
        assert resolve_cache_dir() == tmp_path / "env"
        assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"

    def test_parallel_batch_matches_serial(self, tmp_path: Path) -> None:
        orbits = [leo(0.0), leo(90.0), leo(0.0)]
        parallel = eclipse_schedules(orbits, START_UTC, 5 * DAY_S, workers=2, cache_dir=tmp_path)
        assert len(list(tmp_path.glob("*.npz"))) == 2
        for orbit, schedule in zip(orbits, parallel, strict=True):
            assert_same(schedule, eclipse_schedule(orbit, START_UTC, 5 * DAY_S, use_cache=False))


def match(shifted: EclipseSchedule, own: EclipseSchedule) -> tuple[np.ndarray, int]:
    """Boundary errors of eclipses matched by start (within 2 min), and the unmatched count."""
    j = np.clip(np.searchsorted(own.penumbra_start, shifted.penumbra_start), 1, len(own) - 1)
    nearer = np.abs(own.penumbra_start[j - 1] - shifted.penumbra_start) < np.abs(
        own.penumbra_start[j] - shifted.penumbra_start
    )
    j = np.where(nearer, j - 1, j)
    ok = np.abs(own.penumbra_start[j] - shifted.penumbra_start) < 120.0
    errors = np.concatenate(
        [np.abs(getattr(shifted, b)[ok] - getattr(own, b)[j[ok]]) for b in BOUNDARIES]
    )
    unmatched = int((~ok).sum()) + len(own) - np.unique(j[ok]).size
    return errors[np.isfinite(errors)], unmatched


PHASES = (0.0, math.pi / 2, math.pi, -math.pi / 3, math.radians(0.6))


def phase_errors(reference: MeanElements, span_s: float):
    plane = OrbitalPlane(reference, PHASES)
    shifted = plane_member_schedules([plane], START_UTC, span_s, use_cache=False)[0]
    own = eclipse_schedules(list(plane.satellites()), START_UTC, span_s, use_cache=False)
    return [(match(s, o), s, o) for s, o in zip(shifted, own, strict=True)]


PLANES = {
    "550km-53deg": leo(),
    "420km-51.6deg": circular_orbit(START_UTC, 420e3, math.radians(51.64), raan_rad=0.0),
    "sso-650km": circular_orbit(START_UTC, 650e3, sun_synchronous=True, ltan_h=18.0),
}


@pytest.mark.parametrize("name", PLANES)
def test_phase_shift_error_one_year(name: str) -> None:
    """Measured: median ≤ 2.4 ms, p99 ≤ 0.044 s, max 1.9 s, the same eclipses."""
    for (errors, unmatched), shifted, own in phase_errors(PLANES[name], YEAR_S):
        assert unmatched == 0
        assert np.median(errors) < 5e-3
        assert np.percentile(errors, 99) < 0.1
        assert errors.max() < 3.0
        assert shifted.total_shadow_s() == pytest.approx(own.total_shadow_s(), rel=1e-5)


@pytest.mark.slow
def test_phase_shift_error_twenty_years() -> None:
    """Measured (550 km, 53°): p99 ≤ 0.043 s, max 4.0 s, ≤ 2 edge eclipses (8–10 s) missing."""
    for (errors, unmatched), shifted, own in phase_errors(PLANES["550km-53deg"], 20 * YEAR_S):
        assert unmatched <= 3
        assert np.percentile(errors, 99) < 0.1
        assert errors.max() < 15.0
        assert shifted.total_shadow_s() == pytest.approx(own.total_shadow_s(), rel=1e-5)


def test_plain_time_shift_is_what_interpolation_fixes() -> None:
    """Measured (1 year, Δu = π): plain shift median 2.2 s, p99 13 s, max 76 s."""
    plane = OrbitalPlane(leo(), (math.pi,))
    (members,) = plane_member_schedules([plane], START_UTC, YEAR_S, use_cache=False)
    own = eclipse_schedule(plane.satellites()[0], START_UTC, YEAR_S, use_cache=False)
    plain = time_shift_schedule(
        members.reference, math.pi, members.latitude_rate_rad_s, members.offset_s, YEAR_S
    )
    plain_errors, _ = match(plain, own)
    errors, _ = match(members[0], own)
    assert np.median(plain_errors) > 1.0 and np.percentile(plain_errors, 99) > 5.0
    assert np.median(errors) < 5e-3


def test_members_of_a_plane_without_eclipses_have_none() -> None:
    """A dawn–dusk plane out of its eclipse season (10 days from 1 January at 600 km): every
    member's schedule is empty, as the plane's own is."""
    plane = OrbitalPlane(circular_orbit(START_UTC, 600e3, sun_synchronous=True, ltan_h=18.0),
                         PHASES)
    (members,) = plane_member_schedules([plane], START_UTC, 10 * DAY_S, use_cache=False)
    assert len(members.reference.penumbra_start) == 0
    assert [len(member.penumbra_start) for member in members] == [0] * len(PHASES)


def test_zero_phase_reproduces_the_reference() -> None:
    (errors, unmatched), _, _ = phase_errors(leo(), 30 * DAY_S)[0]
    assert unmatched == 0 and errors.max() < 1e-6


def test_walker_schedules_one_search_per_plane(tmp_path: Path) -> None:
    shell = WalkerShell(
        START_UTC, 550e3, math.radians(53), planes=3, satellites_per_plane=4, phasing=1
    )
    schedules = walker_schedules(shell, START_UTC, 5 * DAY_S, cache_dir=tmp_path)
    assert [len(p) for p in schedules] == [4, 4, 4]
    assert len(list(tmp_path.glob("*.npz"))) == 3
    for plane, members in zip(shell.plane_groups(), schedules, strict=True):
        own = eclipse_schedule(plane.reference, START_UTC, 5 * DAY_S, use_cache=False)
        errors, unmatched = match(members[0], own)
        assert unmatched == 0 and errors.max() < 1e-6
        first_whole = [m.penumbra_start[m.penumbra_start > 0][0] for m in members]
        assert len(set(np.round(first_whole))) == 4


def test_a_member_is_its_planes_mean_member_shifted_by_its_lag() -> None:
    """What ``GeometryOrbits(members="shifted")`` reads: the mean member's eclipses ``lag_s``
    earlier stand for each member's own (1 year, 550 km/53°, members π/2, π, −π/3 and 0.6°
    ahead). The lags of a plane add up to zero. Measured, away from the span's ends: boundary
    error median 0.5–1.7 s, max 66 s (at season edges), 3–5 short season-edge eclipses on one
    side only, each member's total shadow within 3e-5."""
    plane = OrbitalPlane(leo(), PHASES)
    (members,) = plane_member_schedules([plane], START_UTC, YEAR_S, use_cache=False)
    mean = members.mean_member()
    assert sum(members.lag_s(k) for k in range(len(PHASES))) == pytest.approx(0.0, abs=1e-6)
    period_s = 2 * math.pi / members.latitude_rate_rad_s
    for k in range(len(PHASES)):
        lag_s = members.lag_s(k)
        moved = replace(mean, **{b: getattr(mean, b) - lag_s for b in BOUNDARIES})
        # Away from the span's ends, where either schedule is cut.
        inside = ((moved.penumbra_start > period_s)
                  & (moved.penumbra_end < YEAR_S - period_s))
        errors, unmatched = match(replace(moved, **{f: getattr(moved, f)[inside]
                                                    for f in ARRAY_FIELDS}), members[k])
        assert unmatched <= 6
        assert np.median(errors) < 2.0 and errors.max() < 90.0
        own = members[k]
        within = (own.penumbra_start > period_s) & (own.penumbra_end < YEAR_S - period_s)
        assert np.sum(moved.duration_s[inside]) == pytest.approx(
            np.sum(own.duration_s[within]), rel=5e-5)
