"""The lives of the units a servicing scenario maintains: failure times with common random
numbers, and the generation token that lets a swap or a replacement cancel a pending failure.

Common random numbers: unit i of a part across a fleet group gets its k-th renewal lifetime
from row k of a block of draws for that part, filled row by row from the part's own stream.
Row k holds the same values whichever units need it first, so a unit's lifetimes do not depend
on the policy that decides when it is swapped.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

import numpy as np

from sim.model.design import Part
from sim.model.distributions import Distribution
from sim.model.parts import Unit
from sim.model.repair import ServicerRepair
from sim.model.satellite import Satellite

# Rows of renewal draws added at a time (each row is one lifetime for every unit of the part).
BLOCK_ROWS = 2


class RenewalDraws:
    """The renewal lifetimes of one part's units across a fleet group, by renewal number."""

    __slots__ = ("_rng", "columns", "lifetime", "rows", "stream", "wear")

    def __init__(self, lifetime: Distribution, stream: Callable[[], np.random.Generator],
                 columns: int, wear: Callable[[float], float] | None = None):
        self.lifetime = lifetime
        # The radiation lifetime of a unit installed at a given time (None: radiation ends
        # no life); drawn as units are installed, so unlike ``rows`` it follows the policy.
        self.wear = wear
        self.stream = stream
        self.columns = columns
        # Packed: a gigawatt's parts hold tens of millions of draws.
        self.rows: list[array[float]] = []
        self._rng: np.random.Generator | None = None

    def get(self, renewal: int, column: int) -> float:
        """Lifetime ``renewal`` (0: the first after the original unit) of unit ``column``."""
        rows = self.rows
        while renewal >= len(rows):
            if self._rng is None:
                self._rng = self.stream()
            new = self.lifetime.sample_many(self._rng, BLOCK_ROWS * self.columns)
            for row in new.reshape(BLOCK_ROWS, self.columns):
                packed = array("d")
                packed.frombytes(row.tobytes())
                rows.append(packed)
        return rows[renewal][column]


class UnitLife:
    """One unit's place in the maintenance model."""

    __slots__ = ("column", "failed_in_swap", "generation", "installed_s", "job", "mode",
                 "others", "part", "renewals", "serviced", "state", "unit", "visits")

    def __init__(self, unit: Unit, part: Part, state: SatelliteState, renewals: RenewalDraws,
                 column: int, visits: Callable[[], np.random.Generator],
                 others: Sequence[RenewalDraws] = ()):
        self.unit = unit
        self.part = part
        self.state = state
        self.renewals = renewals
        # The renewal draws of the part's other failure modes, and which mode (0: its own
        # law) ends the life of the unit installed now.
        self.others = others
        self.mode = 0
        self.column = column
        self.visits = visits
        self.serviced = isinstance(part.repair, ServicerRepair)
        self.generation = 0
        self.installed_s = 0.0
        self.job: object | None = None
        # The unit failed while down for a preventive swap (known when the swap ends).
        self.failed_in_swap = False

    def next_lifetime(self) -> float:
        """The lifetime of the unit installed now (generation ≥ 1 is a renewal): the first of
        its failure modes to strike (noted in ``mode``), or radiation's."""
        renewal = self.generation - 1
        lifetime_s = self.renewals.get(renewal, self.column)
        self.mode = 0
        for mode, draws in enumerate(self.others, start=1):
            other_s = draws.get(renewal, self.column)
            if other_s < lifetime_s:
                lifetime_s, self.mode = other_s, mode
        wear = self.renewals.wear
        if wear is None:
            return lifetime_s
        worn_s = wear(self.installed_s)
        if worn_s < lifetime_s:
            lifetime_s, self.mode = worn_s, 0
        return lifetime_s


class SatelliteState:
    """A satellite as the maintenance model sees it: its lives, where it flies, its failed
    units waiting for the policy, and whether it is being replaced."""

    __slots__ = ("deferred", "group", "groups", "hidden", "lives", "member", "replacing",
                 "satellite", "slot")

    def __init__(self, satellite: Satellite, group: int, member: int, slot: object,
                 groups: list) -> None:  # type: ignore[type-arg]
        self.satellite = satellite
        self.group = group
        self.member = member
        self.slot = slot
        self.groups = groups
        self.lives: list[UnitLife] = []
        self.deferred: set[UnitLife] = set()
        # Units failed latent: nobody knows yet.
        self.hidden: set[UnitLife] = set()
        self.replacing = False

    def margin(self) -> int:
        """The smallest redundancy margin (working − required) of its redundant groups (a
        group without redundancy counts only once it is short: margin −1)."""
        return min((g.working - g.required for g in self.groups
                    if g.count > g.required or g.working < g.required), default=0)
