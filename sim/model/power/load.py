"""Satellites' power settled together, and their lost capacity summed before it is
integrated in time.

Satellites sharing their orbits and design are settled in one batch (``fast.settle``): their
chains run side by side. Their clean orbits mostly lose capacity the same way, orbit by
orbit: whatever follows one profile loses that profile's rates. Rather than integrate every
satellite's orbits over the recorder's time windows, ``FleetLoad`` counts how many satellites
(weighted by their nominal compute) follow each profile in each orbit and hands the summed
rates over as one set of segments per set of orbits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.model.power.fast import Pending, settle
from sim.model.power.orbits import Orbits
from sim.model.power.profiles import LinearProfile, Profile
from sim.model.power.rules import PowerDesign

# Receives [start, end) segments with the capacity lost over each (nominal compute units),
# and whether they are ordered and disjoint.
Sink = Callable[[np.ndarray, np.ndarray, np.ndarray, bool], None]


@dataclass
class _Followers:
    """The spans of orbits over which satellites of one weight follow one profile."""

    profile: Profile | LinearProfile
    weight: float
    starts: list[int] = field(default_factory=list)
    stops: list[int] = field(default_factory=list)

    def count(self) -> np.ndarray:
        """How many follow each of the profile's orbits."""
        first = self.profile.first
        steps = np.zeros(self.profile.stop - first + 1, dtype=np.int64)
        np.add.at(steps, np.array(self.starts) - first, 1)
        np.add.at(steps, np.array(self.stops) - first, -1)
        return np.cumsum(steps[:-1])


class FleetLoad:
    """Per set of orbits: the satellites waiting to be settled, and those following each
    profile orbit by orbit."""

    def __init__(self, sink: Sink):
        self._sink = sink
        self._pending: dict[int, tuple[Orbits, dict[PowerDesign, list[Pending]]]] = {}
        self._followers: dict[int, tuple[Orbits, dict[tuple[int, float], _Followers]]] = {}

    def defer(self, orbits: Orbits, design: PowerDesign, pending: Pending) -> None:
        """Settle ``pending`` (one satellite) with the others on ``orbits`` at the flush."""
        _, by_design = self._pending.setdefault(id(orbits), (orbits, {}))
        by_design.setdefault(design, []).append(pending)

    def flush(self, orbits: Orbits | None = None) -> None:
        """Settle the satellites waiting on ``orbits`` (all, if None), hand over the summed
        losses, and forget them."""
        keys = list(self._pending) if orbits is None else [id(orbits)]
        for key in keys:
            waiting = self._pending.pop(key, None)
            if waiting is None:
                continue
            shared, by_design = waiting
            for design, pending in by_design.items():
                settle(design, shared, pending, self._chain_sink,
                       lambda profile, weight, a, b, o=shared: self._add(o, profile, weight,
                                                                          a, b))
            entry = self._followers.pop(key, None)
            if entry is not None:
                self._hand_over(*entry)

    def add_segments(self, starts: np.ndarray, ends: np.ndarray, rates: np.ndarray) -> None:
        """Capacity ``rates`` lost over [start, end) segments in any order (nominal compute
        units), handed over at once."""
        keep = (rates != 0.0) & (ends > starts)
        self._sink(starts[keep], ends[keep], rates[keep], False)

    def _chain_sink(self, starts: np.ndarray, ends: np.ndarray, rates: np.ndarray) -> None:
        self._sink(starts, ends, rates, False)

    def _add(self, orbits: Orbits, profile: Profile, weight: float, start: int, stop: int
             ) -> None:
        """One satellite of ``weight`` follows ``profile`` over clean orbits [start, stop)."""
        _, by_profile = self._followers.setdefault(id(orbits), (orbits, {}))
        key = (id(profile), weight)
        followers = by_profile.get(key)
        if followers is None:
            followers = by_profile[key] = _Followers(profile, weight)
        followers.starts.append(start)
        followers.stops.append(stop)

    def _hand_over(self, orbits: Orbits, by_profile: dict[tuple[int, float], _Followers]
                   ) -> None:
        """Eclipse and sunlit rates summed over profiles, as one set of segments."""
        n = len(orbits)
        # Eclipse rates change only where a follower's span starts or stops.
        eclipse_steps = np.zeros(n + 1)
        sun_rate = np.zeros(n)
        for followers in by_profile.values():
            profile = followers.profile
            shed = profile.hardware * (1.0 - profile.level) * followers.weight
            if shed:
                np.add.at(eclipse_steps, followers.starts, shed)
                np.add.at(eclipse_steps, followers.stops, -shed)
            if profile.sun_rate is not None:
                span = slice(profile.first, profile.stop)
                sun_rate[span] += followers.weight * followers.count() * profile.sun_rate
        eclipse_rate = np.cumsum(eclipse_steps[:-1])
        starts = np.stack([orbits.start_s, orbits.eclipse_end_s], axis=1).ravel()
        ends = np.stack([orbits.eclipse_end_s, orbits.end_s], axis=1).ravel()
        rates = np.stack([eclipse_rate, sun_rate], axis=1).ravel()
        self._sink(starts, ends, rates, True)
