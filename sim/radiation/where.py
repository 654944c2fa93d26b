"""Where along its orbit each satellite of a fleet group meets its upsets: the South Atlantic
Anomaly's share, from the satellites' own ground tracks.

An orbit-averaged upset rate λ is split into λ·inside while the sub-satellite point is in the
SAA region and λ·outside elsewhere (``saa.rate_factors``: the orbit average stays λ and the
ratio inside ÷ outside is the stated ``rate_ratio``). Arrivals are thinned from candidates
drawn at the higher of the two rates, each kept with probability (its rate) ÷ (that rate),
which needs the track only at the candidates' times.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sgp4.api import Satrec

from sim.orbits.timebase import UtcClock
from sim.radiation.saa import SaaRegion, inside_saa, rate_factors, time_share_inside
from sim.units import DAY_S

# Span over which an orbit's time share inside the SAA is measured, s: 30 days cover every
# phase of the ground track against the region many times (docs/sources.md §6.3).
SHARE_SPAN_S = 30.0 * DAY_S


@dataclass(frozen=True)
class SaaSettings:
    """The SAA's extent and how much harder it hits (rate inside ÷ rate outside)."""

    region: SaaRegion
    rate_ratio: float


class SaaTracks:
    """The ground-track side of the SAA for one fleet group: each member's SGP4 model, the
    orbit's time share inside, and the rate factors; shared by every replication."""

    def __init__(self, settings: SaaSettings, orbit: Any, count: int, start_utc: datetime):
        from sim.orbits import WalkerShell
        from sim.orbits.ephemeris import builtin_timescale

        self.settings = settings
        self.clock = UtcClock.from_start(builtin_timescale(), start_utc)
        if isinstance(orbit, WalkerShell):
            self._elements = orbit.satellites()
            self._shared: Satrec | None = None
        else:
            self._elements = ()
            self._shared = orbit.orbit.satrec()
        self._satrecs: dict[int, Satrec] = {}
        self.time_share = time_share_inside(settings.region, self.satrec(0), self.clock,
                                            SHARE_SPAN_S)
        self.inside_factor, self.outside_factor = rate_factors(self.time_share,
                                                               settings.rate_ratio)
        self.peak_factor = max(self.inside_factor, self.outside_factor)

    def satrec(self, member: int) -> Satrec:
        if self._shared is not None:
            return self._shared
        found = self._satrecs.get(member)
        if found is None:
            found = self._satrecs[member] = self._elements[member].satrec()
        return found

    def inside(self, members: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        """Whether each (member, time) finds its satellite over the SAA."""
        found = np.zeros(times_s.size, dtype=bool)
        if self._shared is not None:
            if times_s.size:
                found[:] = inside_saa(self.settings.region, self._shared, self.clock, times_s)
            return found
        for member in np.unique(members).tolist():
            mine = members == member
            found[mine] = inside_saa(self.settings.region, self.satrec(member), self.clock,
                                     times_s[mine])
        return found


@functools.lru_cache(maxsize=32)
def saa_tracks(settings: SaaSettings, orbit: Any, count: int, start_utc: datetime) -> SaaTracks:
    """``SaaTracks`` built once per process for each fleet group's orbit."""
    return SaaTracks(settings, orbit, count, start_utc)


class SaaFilter:
    """One replication's view of a group's SAA: thins arrivals and counts where they fell."""

    def __init__(self, tracks: SaaTracks):
        self.tracks = tracks
        self.peak_factor = tracks.peak_factor
        self.kept = 0
        self.kept_inside = 0

    def keep(self, members: np.ndarray, times_s: np.ndarray,
             uniforms: np.ndarray) -> np.ndarray:
        tracks = self.tracks
        inside = tracks.inside(members, times_s)
        factor = np.where(inside, tracks.inside_factor, tracks.outside_factor)
        kept = uniforms * self.peak_factor < factor
        self.kept += int(np.count_nonzero(kept))
        self.kept_inside += int(np.count_nonzero(kept & inside))
        return kept
