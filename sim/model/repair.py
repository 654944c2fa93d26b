"""Repair rules: what happens between a part's failure and its return to service.

A rule is the seam where servicing plugs in: a servicer-and-spares rule replaces the timed rule
by waiting for a robot and a spare (changing the unit's cause as it goes) before the swap.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import simpy

from sim.model.distributions import Distribution

if TYPE_CHECKING:
    from sim.model.parts import Unit
    from sim.model.satellite import Satellite

# Causes of lost capacity that the repair rules assign to a failed unit.
CAUSE_FAILED = "hardware_failure"
CAUSE_REPAIR = "repair"
# Causes of the servicing model (``sim.model.servicing``), in the order a failed unit meets them.
CAUSE_DEFERRED = "deferred"
CAUSE_WAITING_FOR_SPARE = "waiting_for_spare"
CAUSE_WAITING_FOR_SERVICER = "waiting_for_servicer"
CAUSE_SERVICER_TRAVEL = "servicer_travel"
CAUSE_WAITING_FOR_REPLACEMENT = "waiting_for_replacement"


class RepairRule(Protocol):
    """How a failed unit comes back, if it does."""

    @property
    def repairs(self) -> bool:
        """False when a failed unit stays failed."""
        ...

    @property
    def cause_on_failure(self) -> str:
        """The cause its lost capacity is charged to from the moment of failure."""
        ...

    def restore(
        self, env: simpy.Environment, satellite: Satellite, unit: Unit, rng: np.random.Generator
    ) -> Generator[simpy.Event, Any, None]:
        """Run from the failure until the unit works again (the caller then restores it)."""
        ...


@dataclass(frozen=True, slots=True)
class NoRepair:
    """A failed unit is lost for good."""

    @property
    def repairs(self) -> bool:
        return False

    @property
    def cause_on_failure(self) -> str:
        return CAUSE_FAILED

    def restore(
        self, env: simpy.Environment, satellite: Satellite, unit: Unit, rng: np.random.Generator
    ) -> Generator[simpy.Event, Any, None]:
        raise RuntimeError("NoRepair never restores a unit")
        yield  # pragma: no cover


@dataclass(frozen=True, slots=True)
class TimedRepair:
    """Repair starts at once (one crew per unit) and takes a random time."""

    duration: Distribution

    @property
    def repairs(self) -> bool:
        return True

    @property
    def cause_on_failure(self) -> str:
        return CAUSE_REPAIR

    def restore(
        self, env: simpy.Environment, satellite: Satellite, unit: Unit, rng: np.random.Generator
    ) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(self.duration.sample(rng))


@dataclass(frozen=True, slots=True)
class ServicerRepair:
    """A servicer swaps the unit for a spare: the servicing model (``sim.model.servicing``)
    runs the job, so this rule never restores a unit on its own."""

    @property
    def repairs(self) -> bool:
        return True

    @property
    def cause_on_failure(self) -> str:
        return CAUSE_DEFERRED

    def restore(
        self, env: simpy.Environment, satellite: Satellite, unit: Unit, rng: np.random.Generator
    ) -> Generator[simpy.Event, Any, None]:
        raise RuntimeError("units repaired by servicers live in sim.model.servicing")
        yield  # pragma: no cover
