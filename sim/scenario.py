"""The validated scenario in SI units: frozen objects the model and the campaign read.

``sim.config`` builds these from a scenario file; nothing downstream sees human units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sim.model.distributions import Distribution
from sim.model.power import PowerDesign
from sim.model.repair import RepairRule
from sim.units import HOUR_S, YEAR_S

if TYPE_CHECKING:
    from sim.orbits import Formation, WalkerShell

Role = Literal["bus", "compute", "battery"]


@dataclass(frozen=True, slots=True)
class Part:
    """A group of ``count`` identical units of which ``required`` must work.

    A bus part takes its parent down when fewer than ``required`` units work; a compute part
    scales its parent's capacity by the mean capacity of its units (zero below ``required``).
    Units of a part may themselves contain parts (``parts``).
    """

    name: str
    path: str
    role: Role
    count: int
    required: int
    failure: Distribution | None
    repair: RepairRule
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True, slots=True)
class Design:
    """A satellite design: its nominal compute, its part hierarchy and, when its orbit is
    known, its power system (without one, eclipses cost nothing)."""

    nominal_compute_pflops: float
    parts: tuple[Part, ...]
    power: PowerDesign | None = None


@dataclass(frozen=True, slots=True)
class FleetGroup:
    """``count`` identical satellites of one design, on one orbit definition (a formation or
    a Walker shell; None when eclipses are not modelled)."""

    name: str
    count: int
    design: Design
    orbit: Formation | WalkerShell | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything one replication needs, in SI units (time in seconds since ``start_utc``)."""

    name: str
    description: str
    start_utc: datetime
    horizon_s: float
    sla_fraction: float
    fleet: tuple[FleetGroup, ...]
    # Availability counts windows of this length whose mean capacity meets the SLA.
    sla_window_s: float = HOUR_S

    @property
    def n_satellites(self) -> int:
        return sum(group.count for group in self.fleet)

    @property
    def satellite_years(self) -> float:
        return self.n_satellites * self.horizon_s / YEAR_S

    @property
    def has_orbits(self) -> bool:
        return any(group.orbit is not None for group in self.fleet)

    @property
    def nominal_compute_pflops(self) -> float:
        return sum(g.count * g.design.nominal_compute_pflops for g in self.fleet)
