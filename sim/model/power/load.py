"""The lost capacity of orbits that follow a profile, summed over satellites before it is
integrated in time.

Satellites sharing their orbits mostly lose capacity the same way orbit by orbit: whatever
follows one profile (``sim.model.power.profiles``) loses that profile's rates. Rather than
integrate every satellite's orbits over the recorder's time windows, ``FleetLoad`` counts how
many satellites (weighted by their nominal compute) follow each profile in each orbit, and
hands the summed rates over as one set of segments per set of orbits at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.model.power.energy import Orbits, PowerDesign
from sim.model.power.profiles import Profile
from sim.model.power.settle import Pending, Sink, settle


@dataclass
class _Followers:
    """The runs of orbits over which satellites of one weight follow one profile."""

    profile: Profile
    weight: float
    starts: list[int] = field(default_factory=list)
    stops: list[int] = field(default_factory=list)
    skipped: list[np.ndarray] = field(default_factory=list)

    def count(self) -> tuple[int, np.ndarray]:
        """How many follow each orbit, from the first orbit any follows: (first, counts)."""
        first = min(self.starts)
        steps = np.zeros(max(self.stops) - first + 1, dtype=np.int64)
        np.add.at(steps, np.array(self.starts) - first, 1)
        np.add.at(steps, np.array(self.stops) - first, -1)
        if self.skipped:
            skipped = np.concatenate(self.skipped) - first
            np.add.at(steps, skipped, -1)
            np.add.at(steps, skipped + 1, 1)
        return first, np.cumsum(steps[:-1])


class FleetLoad:
    """Per set of orbits, the satellites following each profile orbit by orbit, and the
    satellites' orbits to decide one by one (settled together at the flush)."""

    def __init__(self, sink: Sink):
        self._sink = sink
        self._followers: dict[int, tuple[Orbits, dict[tuple[int, float], _Followers]]] = {}
        self._pending: dict[int, tuple[Orbits, dict[PowerDesign, list[Pending]]]] = {}

    def defer(self, orbits: Orbits, design: PowerDesign, pending: Pending) -> None:
        """Settle ``pending`` (a satellite's orbits decided one by one) at the flush."""
        _, by_design = self._pending.setdefault(id(orbits), (orbits, {}))
        by_design.setdefault(design, []).append(pending)

    def add(self, orbits: Orbits, profile: Profile, weight: float, start: int, stop: int,
            skipped: np.ndarray) -> None:
        """One satellite of ``weight`` follows ``profile`` over orbits [start, stop), except the
        orbits ``skipped`` (sorted, within the range), which it reports itself."""
        _, by_profile = self._followers.setdefault(id(orbits), (orbits, {}))
        key = (id(profile), weight)
        followers = by_profile.get(key)
        if followers is None:
            followers = by_profile[key] = _Followers(profile, weight)
        followers.starts.append(start)
        followers.stops.append(stop)
        if len(skipped):
            followers.skipped.append(skipped)

    def flush(self, orbits: Orbits | None = None) -> None:
        """Settle the satellites waiting on ``orbits`` (all, if None), hand over the summed
        losses, and forget them."""
        keys = list(self._followers | self._pending) if orbits is None else [id(orbits)]
        for key in keys:
            waiting = self._pending.pop(key, None)
            if waiting is not None:
                for design, pending in waiting[1].items():
                    settle(design, waiting[0], pending, self._sink)
            entry = self._followers.pop(key, None)
            if entry is not None:
                self._hand_over(*entry)

    def _hand_over(self, orbits: Orbits, by_profile: dict[tuple[int, float], _Followers]
                   ) -> None:
        """Eclipse and sunlit rates summed over profiles as one set of segments; the part of
        each eclipse after its cut, which differs between profiles, as one set per profile."""
        n = len(orbits)
        eclipse_rate = np.zeros(n)
        sun_rate = np.zeros(n)
        for followers in by_profile.values():
            profile = followers.profile
            first, count = followers.count()
            run = slice(first, first + len(count))
            local = slice(first - profile.first, first - profile.first + len(count))
            weight = followers.weight * count
            hardware = profile.hardware
            shed = hardware * (1.0 - profile.level)
            if shed:
                eclipse_rate[run] += weight * shed
            sun_rate[run] += weight * profile.sun_rate[local]
            if profile.level > 0.0 and hardware > 0.0:
                cut_s = profile.cut_s[local]
                tail = np.flatnonzero((cut_s < orbits.duration_s[run]) & (count > 0))
                if len(tail):
                    self._sink(orbits.start_s[tail + first] + cut_s[tail],
                               orbits.eclipse_end_s[tail + first],
                               weight[tail] * (hardware * profile.level), True)
        starts = np.stack([orbits.start_s, orbits.eclipse_end_s], axis=1).ravel()
        ends = np.stack([orbits.eclipse_end_s, orbits.end_s], axis=1).ravel()
        rates = np.stack([eclipse_rate, sun_rate], axis=1).ravel()
        self._sink(starts, ends, rates, True)
