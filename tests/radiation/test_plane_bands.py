"""Candidates drawn for the members of a plane within reach of the SAA only: each member gets
a Poisson process at the stated rate while within reach, and none outside it."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from sim.orbits import WalkerShell
from sim.radiation.exposure import Exposure
from sim.radiation.plane_bands import PlaneBands
from sim.radiation.saa import SaaRegion
from sim.radiation.where import SaaSettings, SaaTracks
from sim.units import DAY_S, YEAR_S

START = datetime(2027, 1, 1, tzinfo=UTC)
K_SIGMA = 4.0


def tracks(per_plane: int = 40, planes: int = 3) -> SaaTracks:
    shell = WalkerShell(START, 550e3, math.radians(53.0), planes=planes,
                        satellites_per_plane=per_plane, phasing=min(1, planes - 1), raan0_rad=0.3)
    return SaaTracks(SaaSettings(SaaRegion(), 65.0), shell, START, YEAR_S)


def within(arcs: list[tuple[float, float]], u: np.ndarray) -> np.ndarray:
    """Whether each argument of latitude lies in one of the (start, width) arcs."""
    found = np.zeros(u.size, dtype=bool)
    for start, width in arcs:
        found |= np.mod(u - start, 2 * math.pi) < width
    return found


def reach_share(arcs: list[tuple[float, float]]) -> float:
    return sum(width for _, width in arcs) / (2 * math.pi)


def test_every_candidate_is_a_member_of_its_plane_within_reach() -> None:
    found = tracks()
    bands = found.bands
    assert bands is not None and found.table is not None
    arcs = found.table.reach()
    assert 0.25 < reach_share(arcs) < 0.4
    exposure = Exposure(YEAR_S)
    member, times = bands.candidates(1, 200.0 / YEAR_S, exposure, np.random.default_rng(3))
    assert member.size > 1000
    assert np.all((member >= 40) & (member < 80))
    u = found.tracks.latitude_at_start[member] + found.tracks.latitude_rate[0] * times
    assert np.all(within(arcs, u))
    # Members outside reach would never be inside: the tables agree.
    probe_members = np.random.default_rng(4).integers(0, 120, 200_000)
    probe_times = np.random.default_rng(5).uniform(0.0, YEAR_S, 200_000)
    probe_u = (found.tracks.latitude_at_start[probe_members]
               + found.tracks.latitude_rate[0] * probe_times)
    inside = found.table.inside(probe_members, probe_times)
    assert inside.any() and not np.any(inside & ~within(arcs, probe_u))


def test_each_member_meets_the_rate_for_its_time_within_reach() -> None:
    """Over a year a member spends the arcs' share of its time within reach (its phase
    sweeps the circle evenly), so each of its counts is Poisson of mean λ·T·share."""
    found = tracks()
    bands = found.bands
    assert bands is not None and found.table is not None
    rate_per_s = 50.0 / YEAR_S
    rng = np.random.default_rng(7)
    counts = np.zeros(120, dtype=np.int64)
    for plane in range(3):
        member, _ = bands.candidates(plane, rate_per_s, Exposure(YEAR_S), rng)
        counts += np.bincount(member, minlength=120)
    mean = 50.0 * reach_share(found.table.reach())
    assert counts.mean() == pytest.approx(mean, abs=K_SIGMA * math.sqrt(mean / counts.size))
    # Poisson: the variance across members is the mean (its estimator's error ~ mean·√(2/n)).
    assert counts.var(ddof=1) == pytest.approx(mean, abs=K_SIGMA * mean
                                               * math.sqrt(2.0 / (counts.size - 1)))


def test_slots_cover_the_longest_run_and_save_the_rest() -> None:
    found = tracks(per_plane=300, planes=1)
    bands = found.bands
    assert bands is not None and found.table is not None
    assert bands.slots / bands.per_plane == pytest.approx(reach_share(found.table.reach()),
                                                           abs=2 / 300)
    # At every time, no arc holds more members than it has slots.
    times = np.linspace(0.0, DAY_S, 5000)
    phases = (found.tracks.latitude_at_start[None, :]
              + found.tracks.latitude_rate[0] * times[:, None])
    slots = 0
    for start, width in found.table.reach():
        run = np.sum(np.mod(phases - start, 2 * math.pi) < width, axis=1)
        slots += int(np.floor(width / (2 * math.pi / 300))) + 1
        assert run.max() <= int(np.floor(width / (2 * math.pi / 300))) + 1
    assert bands.slots == slots


def test_members_not_evenly_spaced_get_no_bands() -> None:
    import copy

    found = tracks()
    assert found.table is not None
    shell = WalkerShell(START, 550e3, math.radians(53.0), 3, 40)
    shuffled = copy.copy(found.table)
    shuffled.latitude_at_start = found.table.latitude_at_start.copy()
    shuffled.latitude_at_start[[3, 7]] = shuffled.latitude_at_start[[7, 3]]
    assert PlaneBands.build(shuffled, shell) is None
    assert PlaneBands.build(found.table, object()) is None
    assert PlaneBands.build(None, shell) is None


def test_drawing_within_reach_meets_the_same_upsets_as_thinning_every_member() -> None:
    """The same shell's upsets drawn plane by plane for the members within reach, and by
    thinning candidates of every member (the reference): their totals, and the totals met
    over the SAA, are Poisson counts of one mean (difference within 4σ of √(sum))."""
    import copy

    from sim.radiation.where import SaaFilter

    banded = tracks()
    thinned = copy.copy(banded)
    thinned.bands = None
    units_per_member = 4
    members = np.repeat(np.arange(120, dtype=np.int32), units_per_member)
    rate_per_s = 50.0 / YEAR_S
    exposure = Exposure(20 * YEAR_S)
    totals = {}
    for name, found in (("banded", banded), ("thinned", thinned)):
        arrivals = inside = 0
        for seed in range(4):
            where = SaaFilter(found)
            unit, _ = where.arrivals(rate_per_s, members.size, exposure,
                                     np.random.default_rng(seed), members)
            assert where.kept == unit.size
            arrivals += unit.size
            inside += where.kept_inside
        totals[name] = (arrivals, inside)
    for a, b in zip(totals["banded"], totals["thinned"], strict=True):
        assert abs(a - b) <= K_SIGMA * math.sqrt(a + b), totals


def test_a_ratio_below_one_keeps_the_excess_outside_the_region() -> None:
    """Below 1 (reachable from Python only: scenario files ask for at least 1), the higher
    rate is outside: the excess is thinned over every member and kept where the track is
    outside. Arrivals are Poisson of mean λ·N·T·(r·f̄ + 1 − f̄)·outside, and the share met
    inside is r·f̄/(r·f̄ + 1 − f̄), f̄ measured on the exact track (its error added)."""
    from sim.radiation.where import SaaFilter

    ratio = 0.2
    shell = WalkerShell(START, 550e3, math.radians(53.0), planes=3, satellites_per_plane=40,
                        phasing=1, raan0_rad=0.3)
    found = SaaTracks(SaaSettings(SaaRegion(), ratio), shell, START, YEAR_S)
    assert found.inside_factor < found.outside_factor
    members = np.repeat(np.arange(120, dtype=np.int32), 4)
    rate_per_s = 20.0 / YEAR_S
    horizon_s = 5 * YEAR_S
    rng = np.random.default_rng(12)
    probes = 400_000
    share = float(np.mean(found.inside(rng.integers(0, 120, probes),
                                       rng.uniform(0.0, horizon_s, probes))))
    weight = ratio * share + 1 - share
    where = SaaFilter(found)
    unit, _ = where.arrivals(rate_per_s, members.size, Exposure(horizon_s), rng, members)
    expected = rate_per_s * members.size * horizon_s * weight * found.outside_factor
    # The mean moves with the measured share by (r − 1)·outside per unit of share.
    share_error = math.sqrt(share * (1 - share) / probes)
    spread = math.hypot(math.sqrt(expected), expected / weight * (1 - ratio) * share_error)
    assert abs(unit.size - expected) <= K_SIGMA * spread
    inside_share = ratio * share / weight
    observed = where.kept_inside / where.kept
    error = math.hypot(math.sqrt(inside_share * (1 - inside_share) / where.kept),
                       1.0 / weight**2 * ratio * share_error)
    assert abs(observed - inside_share) <= K_SIGMA * error
