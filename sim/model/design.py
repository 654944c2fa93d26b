"""A satellite design as the model reads it: its part hierarchy, its nominal compute and its
power system, in SI units (``sim.config`` builds these from a scenario file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sim.model.distributions import Distribution
from sim.model.modes import FailureMode, Inspection, Standby
from sim.model.power import PowerDesign
from sim.model.repair import RepairRule, ServicerRepair
from sim.model.upsets import RadiationEffects

Role = Literal["bus", "compute", "battery"]


@dataclass(frozen=True, slots=True)
class Part:
    """A group of ``count`` identical units of which ``required`` must work.

    A bus part takes its parent down when fewer than ``required`` units work; a compute part
    scales its parent's capacity by the mean capacity of its units (zero below ``required``);
    a battery part's working units are the battery's strings. Units of a part may themselves
    contain parts (``parts``).
    """

    name: str
    path: str
    role: Role
    count: int
    required: int
    failure: Distribution | None
    repair: RepairRule
    parts: tuple[Part, ...] = ()
    # One unit's mass and price, for spares and their launches.
    mass_kg: float = 0.0
    cost_usd: float = 0.0
    # What radiation does to each unit (None: nothing).
    radiation: RadiationEffects | None = None
    # Failure modes (the first is ``failure`` when the part has one), standby units and
    # inspections; a part with none of them lives as plain units (``sim.model.failures``).
    modes: tuple[FailureMode, ...] = ()
    standby: Standby | None = None
    inspection: Inspection | None = None
    # Paths of the parts whose every unit (below the same parent) needs this part's group to
    # work: a shared part, such as a power distribution unit feeding several nodes.
    feeds: tuple[str, ...] = ()
    # Whether a shared part feeds this part's units.
    fed: bool = False
    # A failure nobody sees until an inspection tour, or a servicer at the satellite, finds
    # it (for parts servicers swap; other parts give latent failures as a failure mode).
    latent: bool = False
    # Probability that a working unit fails when each mission phase starts (by phase index;
    # empty: none), as at deployment or switch-on.
    demand_failures: tuple[float, ...] = ()

    @property
    def modal(self) -> bool:
        """Whether the part's units live through ``sim.model.group_life`` (those servicers
        swap live in the maintenance model, failure modes and all)."""
        if isinstance(self.repair, ServicerRepair):
            return False
        return (bool(self.modes) or self.standby is not None or self.inspection is not None
                or bool(self.demand_failures))

    @property
    def fails(self) -> bool:
        """Whether any of the part's units can fail."""
        return self.failure is not None or bool(self.modes)


@dataclass(frozen=True, slots=True)
class Design:
    """A satellite design: its nominal compute, its part hierarchy and, when its orbit is
    known, its power system (without one, eclipses cost nothing)."""

    nominal_compute_pflops: float
    parts: tuple[Part, ...]
    power: PowerDesign | None = None
    # One satellite's mass and price (launch excluded), for the fleet's cost and replacements.
    mass_kg: float = 0.0
    cost_usd: float = 0.0
