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

import math
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
# Receives the eclipses of a set of orbits as their eclipse time from 0 to any times (s), and
# spans of those orbits' time [from, to) over which satellites running ``lag`` ahead of them
# lose capacity at a rate (nominal compute units) while the orbits are in eclipse.
LaggedSink = Callable[[Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray, np.ndarray,
                       np.ndarray], None]


@dataclass
class _Followers:
    """The spans of orbits over which satellites of one weight follow one profile."""

    profile: Profile | LinearProfile | _SunlitOnly
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

    def __init__(self, sink: Sink, lagged_sink: LaggedSink | None = None):
        self._sink = sink
        self._lagged_sink = lagged_sink
        self._pending: dict[int, tuple[Orbits, dict[PowerDesign, list[Pending]]]] = {}
        self._followers: dict[int, tuple[Orbits, dict[tuple[int, float], _Followers]]] = {}
        # Per set of orbits satellites read at a lag: (orbit from, orbit to, rate, lag) of
        # each clean span's eclipse losses.
        self._lagged: dict[int, list[tuple[int, int, float, float]]] = {}

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
                       lambda profile, weight, lag, starts, stops, o=shared: self._add(
                           o, profile, weight, lag, starts, stops))
            entry = self._followers.pop(key, None)
            if entry is not None:
                self._hand_over(*entry)
            lagged = self._lagged.pop(key, None)
            if lagged:
                self._hand_over_lagged(shared, lagged)

    def add_segments(self, starts: np.ndarray, ends: np.ndarray, rates: np.ndarray) -> None:
        """Capacity ``rates`` lost over [start, end) segments in any order (nominal compute
        units), handed over at once."""
        keep = (rates != 0.0) & (ends > starts)
        self._sink(starts[keep], ends[keep], rates[keep], False)

    def _chain_sink(self, starts: np.ndarray, ends: np.ndarray, rates: np.ndarray) -> None:
        self._sink(starts, ends, rates, False)

    def _add(self, orbits: Orbits, profile: Profile | LinearProfile, weight: float,
             lag_s: float, starts: list[int], stops: list[int]) -> None:
        """One satellite of ``weight``, running ``lag_s`` ahead of ``orbits``, follows
        ``profile`` over the clean orbits of spans [starts[k], stops[k])."""
        key = (id(profile), weight)
        if orbits.linear_profiles and self._lagged_sink is not None:
            shed = profile.hardware * (1.0 - profile.level) * weight
            if shed:
                self._lagged.setdefault(id(orbits), []).extend(
                    (start, stop, shed, lag_s) for start, stop in zip(starts, stops, strict=True))
            if profile.sun_rate is None:
                return
            # Sunlit losses (a design that keeps some compute in eclipse) go by the orbits'
            # time.
            profile = _SunlitOnly(profile)
        _, by_profile = self._followers.setdefault(id(orbits), (orbits, {}))
        followers = by_profile.get(key)
        if followers is None:
            followers = by_profile[key] = _Followers(profile, weight)
        followers.starts.extend(starts)
        followers.stops.extend(stops)

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

    def _hand_over_lagged(self, orbits: Orbits, spans: list[tuple[int, int, float, float]]
                          ) -> None:
        """Clean eclipse losses of satellites read at a lag, as spans of the orbits' time
        with the orbits' cumulative eclipse time (each satellite's own windows are then
        integrated exactly)."""
        assert self._lagged_sink is not None
        first, stop, rates, lags = (np.array(column) for column in zip(*spans, strict=True))
        self._lagged_sink(EclipseCurve.of(orbits), orbits.start_s[first],
                          np.append(orbits.start_s, orbits.end_s[-1])[stop], rates, lags)


class _SunlitOnly:
    """A profile's sunlit losses alone (its eclipse losses handed over apart)."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.hardware = 0.0
        self.level = profile.level
        self.first = profile.first
        self.stop = profile.stop
        self.sun_rate = profile.sun_rate


class EclipseCurve:
    """A set of orbits' eclipse time from 0 to any time, s: the eclipses before the orbit
    holding it, and as much of that orbit's as has passed (kept on the orbits)."""

    def __init__(self, orbits: Orbits):
        self.start_s = orbits.start_s
        self.duration_s = orbits.duration_s
        self.before_s = orbits.eclipse_before_s()

    @classmethod
    def of(cls, orbits: Orbits) -> EclipseCurve:
        found = orbits.profiles.get("eclipse_curve")
        if found is None:
            found = orbits.profiles["eclipse_curve"] = cls(orbits)
        return found

    def __call__(self, t_s: np.ndarray) -> np.ndarray:
        orbit = np.maximum(np.searchsorted(self.start_s, t_s, side="right") - 1, 0)
        return self.before_s[orbit] + np.clip(t_s - self.start_s[orbit], 0.0,
                                              self.duration_s[orbit])

    def when(self, eclipsed_s: float) -> float:
        """The earliest time at which the eclipse time reaches ``eclipsed_s`` > 0 (inf: not
        within these orbits): the clock of failure modes that age only in shadow."""
        orbit = int(np.searchsorted(self.before_s, eclipsed_s, side="left")) - 1
        if orbit >= len(self.start_s):
            return math.inf
        return float(self.start_s[orbit] + (eclipsed_s - self.before_s[orbit]))
