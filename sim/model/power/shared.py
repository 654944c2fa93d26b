"""Orbits many satellites share (a Walker plane's, a formation's), built when first read and,
once their satellites' power is settled, kept for later replications or let go.

A plane's orbits and the tables the power model derives from them take about 17 MB for 20
years of LEO (some 20 arrays of 104,000 orbits), and rebuilding them takes about 30 ms
(``docs/performance.md``). Keeping every plane suits a shell of 72 planes (1.2 GB); a
gigawatt fleet of 160 planes of 300 would hold 2.7 GB through every replication. So the
orbits of a fleet geometry (a campaign's; or the few a study's variants hold at once, one
``Keeper`` between them) are kept while their bytes fit a budget, and the others are rebuilt
in each replication, one at a time: what a replication computes is the same either way. The
budget is ``$ORBSIM_KEPT_ORBITS_MIB`` where set: 0 keeps nothing, the least memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from sim.env_settings import env_number
from sim.model.power.orbits import Orbits

# Bytes of shared orbits (with their tables) one fleet geometry keeps across replications by
# default: the 72-plane reference shell (1.2 GB) fits; a gigawatt fleet keeps 142 of its 160
# planes (16 MiB a plane at 53°, 4 MiB a sun-synchronous one, with few eclipses).
KEPT_ORBITS_BYTES = 1536 * 2**20
# The environment variable that sets another budget, in MiB.
KEPT_ORBITS_ENV = "ORBSIM_KEPT_ORBITS_MIB"


def kept_orbits_bytes(environ: Mapping[str, str] = os.environ) -> int:
    """The budget of shared orbits kept across replications, bytes: ``$ORBSIM_KEPT_ORBITS_MIB``
    MiB where set, else ``KEPT_ORBITS_BYTES``."""
    mib = env_number(environ, KEPT_ORBITS_ENV, "MiB")
    return KEPT_ORBITS_BYTES if mib is None else round(mib * 2**20)


class Keeper:
    """Decides which shared orbits outlive their replication: the first ones settled, while
    their bytes together fit ``budget_bytes``."""

    def __init__(self, budget_bytes: int = KEPT_ORBITS_BYTES):
        if budget_bytes < 0:
            raise ValueError(f"budget_bytes: must be ≥ 0, got {budget_bytes}")
        self.budget_bytes = budget_bytes
        self.kept_bytes = 0

    def keep(self, orbits: Orbits) -> bool:
        """Whether to keep ``orbits`` (counted against the budget if so), by what they hold
        now: tables a later replication adds to kept orbits are not counted."""
        size = held_bytes(orbits)
        if self.kept_bytes + size > self.budget_bytes:
            return False
        self.kept_bytes += size
        return True


class SharedOrbits:
    """One set of orbits shared by satellites: ``get`` builds them on first use; ``settled``
    (once every satellite on them is settled) keeps them, with what the power model keeps on
    them, if ``keeper`` agrees, or drops them until the next replication asks again."""

    __slots__ = ("_build", "_keeper", "_orbits", "kept")

    def __init__(self, build: Callable[[], Orbits], keeper: Keeper):
        self._build = build
        self._keeper = keeper
        self._orbits: Orbits | None = None
        self.kept = False

    def get(self) -> Orbits:
        """The orbits, built if they are not held."""
        found = self._orbits
        if found is None:
            found = self._orbits = self._build()
        return found

    def settled(self) -> None:
        """Every satellite on these orbits is settled for this replication."""
        orbits = self._orbits
        if orbits is None or self.kept:
            return
        if self._keeper.keep(orbits):
            self.kept = True
        else:
            orbits.forget()
            self._orbits = None

    @property
    def built(self) -> bool:
        """Whether the orbits are held now."""
        return self._orbits is not None


def held_bytes(orbits: Orbits) -> int:
    """Bytes of the arrays ``orbits`` holds: its own, its array outputs' and those of what the
    power model keeps on it (each buffer once, however many views read it). The walk follows
    containers and the power model's own objects only."""
    seen: set[int] = set()
    visited: set[int] = set()
    total = 0
    pending: list[Any] = [orbits]
    while pending:
        current = pending.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, np.ndarray):
            base = current
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes
        elif isinstance(current, dict):
            pending.extend(current.values())
        elif isinstance(current, (list, tuple)):
            pending.extend(current)
        elif type(current).__module__.startswith(_POWER_MODEL):
            pending.extend(_attributes(current))
    return total


# The package whose objects ``held_bytes`` looks into.
_POWER_MODEL = "sim.model.power."


def _attributes(obj: Any) -> list[Any]:
    """The values of an object's attributes (instance dict and slots)."""
    values = list(getattr(obj, "__dict__", {}).values())
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(obj, name):
                values.append(getattr(obj, name))
    return values
