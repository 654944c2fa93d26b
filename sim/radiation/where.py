"""Where along its orbit each satellite of a fleet group meets its upsets: the South Atlantic
Anomaly's share, from the satellites' own ground tracks.

An orbit-averaged upset rate λ is split into λ·inside while the sub-satellite point is in the
SAA region and λ·outside elsewhere (``saa.rate_factors``: the orbit average stays λ and the
ratio inside ÷ outside is the stated ``rate_ratio``). Arrivals are the sum of two Poisson
processes: one at the lower of the two rates everywhere, and one at their difference kept
only where the higher applies (thinning, which needs the track only at the candidates'
times: the mean ground track of ``sim.radiation.track``, evaluated for every candidate of a
fleet group at once, from ``sim.radiation.region_table``'s tables for a shell's members).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from sim.orbits.timebase import UtcClock
from sim.radiation.exposure import Exposure, pooled_exposures
from sim.radiation.plane_bands import PlaneBands
from sim.radiation.region_table import RegionTable
from sim.radiation.saa import SaaRegion, rate_factors
from sim.radiation.track import MeanTracks
from sim.units import DAY_S

# Span over which an orbit's time share inside the SAA is measured, s: 30 days cover every
# phase of the ground track against the region many times (docs/sources.md §6.3).
SHARE_SPAN_S = 30.0 * DAY_S
# Sampling step of that share, s: passes last 9–23 minutes, so each entry and exit timed to a
# step leaves the share within about 10⁻⁴ (tests/radiation/test_saa.py).
SHARE_STEP_S = 20.0
# Samples per pass of the windows' search, and expected candidates per pass of thinning
# (each bounds the memory a pass takes: some 50 MB).
WINDOW_CHUNK = 1_000_000
CANDIDATES_PER_PASS = 1_000_000


@dataclass(frozen=True)
class SaaSettings:
    """The SAA's extent and how much harder it hits (rate inside ÷ rate outside)."""

    region: SaaRegion
    rate_ratio: float


class SaaTracks:
    """The ground-track side of the SAA for one fleet group, shared by every replication:
    each member's mean ground track (``MeanTracks``), the time share inside, the rate factors,
    and, for a formation (one track for all), its windows over the SAA for the whole horizon."""

    def __init__(self, settings: SaaSettings, orbit: Any, start_utc: datetime,
                 horizon_s: float):
        from sim.orbits import WalkerShell
        from sim.orbits.ephemeris import builtin_timescale

        self.settings = settings
        clock = UtcClock.from_start(builtin_timescale(), start_utc)
        shell = isinstance(orbit, WalkerShell)
        satrecs = ([elements.satrec() for elements in orbit.satellites()] if shell
                   else [orbit.orbit.satrec()])
        self.tracks = MeanTracks(satrecs, clock)
        # Entries and exits over the SAA of a formation's one track (None for a shell).
        self.windows: tuple[np.ndarray, np.ndarray] | None = None
        if shell:
            times = np.arange(0.0, SHARE_SPAN_S, SHARE_STEP_S)
            self.time_share = float(np.mean(self.inside(np.zeros(times.size, dtype=np.int64),
                                                        times)))
        else:
            starts, ends = self._windows(horizon_s)
            self.windows = (starts, ends)
            self.time_share = float(np.sum(ends - starts) / horizon_s)
        self.inside_factor, self.outside_factor = rate_factors(self.time_share,
                                                               settings.rate_ratio)
        self.peak_factor = max(self.inside_factor, self.outside_factor)
        # The members' test from tables, where they share one inclination and rates, and
        # the runs of each plane's members within its reach.
        self.table = RegionTable.build(self.tracks, settings.region) if shell else None
        self.bands = PlaneBands.build(self.table, orbit)

    def inside(self, members: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        """Whether each (member, time) finds its satellite over the SAA."""
        if self.windows is not None:
            starts, ends = self.windows
            window = np.searchsorted(starts, times_s, side="right") - 1
            return (window >= 0) & (times_s < ends[np.maximum(window, 0)])
        return self._on_track(members, times_s)

    def inside_thinning(self, members: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        """``inside`` for the many candidates of thinning: from the tables where there are
        some (``RegionTable``: within 1e-7 rad of the formula)."""
        if self.table is not None:
            return self.table.inside(members, times_s)
        return self.inside(members, times_s)

    def _on_track(self, members: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        """``inside`` from the tracks themselves: the region's latitude band first (one sine
        a point), the full point only for those within it."""
        region = self.settings.region
        low = math.radians(max(-90.0, region.centre_lat_deg - region.half_lat_deg))
        high = math.radians(min(90.0, region.centre_lat_deg + region.half_lat_deg))
        maybe = np.flatnonzero(self.tracks.within_latitudes(members, times_s, low, high))
        found = np.zeros(times_s.size, dtype=bool)
        found[maybe] = region.contains(*self.tracks.points(members[maybe], times_s[maybe]))
        return found

    def _windows(self, horizon_s: float) -> tuple[np.ndarray, np.ndarray]:
        """The track's passes over the SAA in [0, horizon_s), sampled every
        ``SHARE_STEP_S`` (an entry or exit is placed at the first sample on its far side)."""
        starts: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        was_inside = False
        for first in np.arange(0.0, horizon_s, WINDOW_CHUNK * SHARE_STEP_S):
            times = np.arange(first, min(first + WINDOW_CHUNK * SHARE_STEP_S, horizon_s),
                              SHARE_STEP_S)
            inside = self._on_track(np.zeros(times.size, dtype=np.int64), times)
            change = np.flatnonzero(np.diff(np.concatenate([[was_inside], inside])))
            flips = times[change]
            entering = inside[change]
            starts.append(flips[entering])
            ends.append(flips[~entering])
            was_inside = bool(inside[-1])
        start = np.concatenate(starts)
        end = np.concatenate(ends)
        if end.size < start.size:
            end = np.append(end, horizon_s)
        if start.size < end.size:
            start = np.insert(start, 0, 0.0)
        return start, end


@functools.lru_cache(maxsize=32)
def saa_tracks(settings: SaaSettings, orbit: Any, start_utc: datetime,
               horizon_s: float) -> SaaTracks:
    """``SaaTracks`` built once per process for each fleet group's orbit."""
    return SaaTracks(settings, orbit, start_utc, horizon_s)


class SaaFilter:
    """One replication's view of a group's SAA: draws arrivals where the members meet them,
    and counts how many fell inside."""

    def __init__(self, tracks: SaaTracks):
        self.tracks = tracks
        self.kept = 0
        self.kept_inside = 0

    def arrivals(self, rate_per_s: float, units: int, exposure: Exposure,
                 rng: np.random.Generator, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``units`` processes at ``rate_per_s``·m(t)·(the SAA factor where each member is).

        With windows (a formation): the outside rate everywhere plus the excess inside the
        windows, each drawn exactly by its own clock. Without (a shell): the lower rate
        everywhere plus the excess thinned, candidates kept where their track is inside."""
        tracks = self.tracks
        total_s = exposure.total_upset_exposure_s
        if tracks.windows is None:
            bands = tracks.bands
            per_member = _units_per_member(members, units)
            if (bands is not None and per_member
                    and units == per_member * bands.planes * bands.per_plane
                    and tracks.inside_factor > tracks.outside_factor):
                return self._in_bands(bands, rate_per_s, per_member, exposure, rng,
                                      members)
            candidates_per_unit = rate_per_s * tracks.peak_factor * total_s
            step = max(1, int(CANDIDATES_PER_PASS / max(candidates_per_unit, 1.0)))
            found = [self._thinned(rate_per_s, first, min(first + step, units), exposure, rng,
                                   members) for first in range(0, units, step)]
            return (np.concatenate([unit for unit, _ in found]),
                    np.concatenate([times for _, times in found]))
        everywhere = exposure.time_at_upset_exposure(pooled_exposures(
            rate_per_s * units * tracks.outside_factor, total_s, rng))
        starts, ends = tracks.windows
        opened = exposure.upset_exposure_s_at(starts)
        lengths = exposure.upset_exposure_s_at(ends) - opened
        before = np.concatenate([[0.0], np.cumsum(lengths)])
        excess = pooled_exposures(rate_per_s * units * (tracks.inside_factor
                                                        - tracks.outside_factor),
                                  float(before[-1]), rng)
        window = np.minimum(np.searchsorted(before, excess, side="right") - 1, starts.size - 1)
        in_windows = exposure.time_at_upset_exposure(opened[window] + excess - before[window])
        times = np.concatenate([everywhere, in_windows])
        self.kept += times.size
        self.kept_inside += in_windows.size + int(np.count_nonzero(
            tracks.inside(members[:0], everywhere)))
        return rng.integers(0, units, times.size), times

    def _thinned(self, rate_per_s: float, first: int, stop: int, exposure: Exposure,
                 rng: np.random.Generator, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Units ``first`` to ``stop`` as the sum of two Poisson processes: one at the lower of
        the two factors everywhere, all kept, and one at the difference, kept where that
        factor is the higher (inside the SAA unless the ratio is below 1)."""
        tracks = self.tracks
        units = stop - first
        low = min(tracks.inside_factor, tracks.outside_factor)
        excess_inside = tracks.inside_factor > tracks.outside_factor
        everywhere_unit, everywhere = self._everywhere(rate_per_s * low, first, units,
                                                       exposure, rng, members)
        candidates = exposure.time_at_upset_exposure(pooled_exposures(
            rate_per_s * units * (tracks.peak_factor - low), exposure.total_upset_exposure_s,
            rng))
        candidate_unit = first + rng.integers(0, units, candidates.size)
        inside = tracks.inside_thinning(members[candidate_unit], candidates)
        kept = inside if excess_inside else ~inside
        kept_count = int(np.count_nonzero(kept))
        self.kept += kept_count
        self.kept_inside += kept_count if excess_inside else 0
        return (np.concatenate([everywhere_unit, candidate_unit[kept]]),
                np.concatenate([everywhere, candidates[kept]]))

    def _everywhere(self, rate_per_s: float, first: int, units: int, exposure: Exposure,
                    rng: np.random.Generator, members: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(unit, time) of units ``first`` to ``first + units`` at ``rate_per_s``·m(t) wherever
        they are, all kept (and counted, with those that fell inside)."""
        times = exposure.time_at_upset_exposure(pooled_exposures(
            rate_per_s * units, exposure.total_upset_exposure_s, rng))
        unit = first + rng.integers(0, units, times.size)
        self.kept += times.size
        self.kept_inside += int(np.count_nonzero(self.tracks.inside_thinning(members[unit],
                                                                             times)))
        return unit, times

    def _in_bands(self, bands: PlaneBands, rate_per_s: float, per_member: int,
                  exposure: Exposure, rng: np.random.Generator, members: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
        """As ``_thinned`` for every unit, the excess drawn plane by plane for the members
        within reach of the SAA only (``PlaneBands``); ``per_member`` units a member, each
        member's consecutive."""
        tracks = self.tracks
        everywhere_unit, everywhere = self._everywhere(rate_per_s * tracks.outside_factor, 0,
                                                       members.size, exposure, rng, members)
        found_units, found_times = [everywhere_unit], [everywhere]
        excess_per_member_s = rate_per_s * per_member * (tracks.inside_factor
                                                         - tracks.outside_factor)
        kept = 0
        for plane in range(bands.planes):
            member, times = bands.candidates(plane, excess_per_member_s, exposure, rng)
            inside = tracks.inside_thinning(member, times)
            member, times = member[inside], times[inside]
            kept += times.size
            found_units.append(member * per_member + rng.integers(0, per_member, times.size))
            found_times.append(times)
        self.kept += kept
        self.kept_inside += kept
        return np.concatenate(found_units), np.concatenate(found_times)


def _units_per_member(members: np.ndarray, units: int) -> int:
    """How many units each member has when every member has as many, one after the other
    (``members`` is then 0, 0, 1, 1, ...), else 0."""
    if units == 0 or members.size != units:
        return 0
    count = int(members[-1]) + 1
    if units % count:
        return 0
    per_member = units // count
    expected = np.repeat(np.arange(count, dtype=members.dtype), per_member)
    return per_member if np.array_equal(members, expected) else 0
