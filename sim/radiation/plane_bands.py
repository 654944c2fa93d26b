"""Which members of a Walker plane fly where the SAA can be, at any time: runs of their evenly
spaced phases, so that thinning a shell's upsets draws candidates for those members only
(about a third of a 53° shell's, a quarter of a sun-synchronous one's) rather than for all.

A plane's S members are 2π/S apart in argument of latitude u and advance at one rate. The
SAA's tables answer "inside" only within a few intervals of u (``RegionTable.reach``); at any
time the members in an interval of width w are a run of consecutive members, at most
⌊wS/2π⌋ + 1 of them. Candidates are drawn for that many *slots* per interval at every time,
and a slot is taken by the run's j-th member when the run has one (thinning by the run's
length over the slots: exact). Members outside every interval would be refused by the tables,
so leaving them out changes nothing but the work.
"""

from __future__ import annotations

import math

import numpy as np

from sim.radiation.exposure import Exposure, pooled_exposures
from sim.radiation.region_table import RegionTable

# Largest departure of a member's phase from its plane's even spacing, rad: a Walker plane's
# phases differ only by float rounding; anything else is not a plane of evenly spaced members.
SPACING_TOLERANCE_RAD = 1e-9

_TWO_PI = 2.0 * math.pi


class PlaneBands:
    """The runs of members within reach of the SAA, for every plane of a Walker shell."""

    def __init__(self, table: RegionTable, latitude_at_start: np.ndarray, latitude_rate: float,
                 planes: int, per_plane: int):
        if latitude_at_start.size != planes * per_plane:
            raise ValueError("members do not fill the shell's planes")
        phases = latitude_at_start.reshape(planes, per_plane)
        offsets = np.mod(phases - phases[:, :1], _TWO_PI)
        even = _TWO_PI * np.arange(per_plane) / per_plane
        departure = np.abs(np.angle(np.exp(1j * (offsets - even))))
        if per_plane > 1 and float(np.max(departure)) > SPACING_TOLERANCE_RAD:
            raise ValueError("members are not evenly spaced along their planes")
        self.planes = planes
        self.per_plane = per_plane
        self._first_phase = phases[:, 0].copy()
        self._latitude_rate = latitude_rate
        self._spacing = _TWO_PI / per_plane
        arcs = table.reach()
        self._arc_start = np.array([start for start, _ in arcs])
        self._arc_width = np.array([width for _, width in arcs])
        slots = np.minimum(np.floor(self._arc_width / self._spacing).astype(np.int64) + 1,
                           per_plane)
        self._slot_start = np.concatenate([[0], np.cumsum(slots)[:-1]])
        self.slots = int(slots.sum())

    @classmethod
    def build(cls, table: RegionTable | None, orbit: object) -> PlaneBands | None:
        """The bands of a Walker shell's members (their phases as ``table`` reads them), or
        None (no table, not a shell, or members not evenly spaced)."""
        from sim.orbits import WalkerShell

        if table is None or not isinstance(orbit, WalkerShell):
            return None
        try:
            return cls(table, table.latitude_at_start, table.latitude_rate, orbit.planes,
                       orbit.satellites_per_plane)
        except ValueError:
            return None

    def candidates(self, plane: int, rate_per_member_s: float, exposure: Exposure,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(member, time) of a Poisson process of rate ``rate_per_member_s``·m(t) for every
        member of ``plane`` while within reach, members numbered in the fleet group."""
        times = exposure.time_at_upset_exposure(pooled_exposures(
            rate_per_member_s * self.slots, exposure.total_upset_exposure_s, rng))
        slot = rng.integers(0, self.slots, times.size)
        arc = np.searchsorted(self._slot_start, slot, side="right") - 1
        place = slot - self._slot_start[arc]
        # Member 0's phase past the interval's start, and the first member at or past it.
        past = np.mod(self._first_phase[plane] + self._latitude_rate * times
                      - self._arc_start[arc], _TWO_PI)
        first = np.ceil((_TWO_PI - past) / self._spacing)
        lead = past + first * self._spacing - _TWO_PI
        taken = lead + place * self._spacing < self._arc_width[arc]
        member = (first[taken].astype(np.int64) + place[taken]) % self.per_plane
        return plane * self.per_plane + member, times[taken]
