"""The validated scenario in SI units: its fleet groups, their designs and orbits, the horizon
and the SLA, as frozen objects the replication and the campaign read.

``sim.config`` builds these from a scenario file; nothing downstream sees human units. The
designs themselves are the model's types (``sim.model.design``), which know nothing of
scenario files or orbits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sim.model.design import Design
from sim.model.modes import Phase
from sim.model.radiation import RadiationEnvironment
from sim.model.servicing.plan import LaunchService, ServicingPlan
from sim.model.workload import TrainingWorkload
from sim.units import HOUR_S, YEAR_S

if TYPE_CHECKING:
    from sim.orbits import Formation, WalkerShell
    from sim.radiation.where import SaaSettings


@dataclass(frozen=True, slots=True)
class FleetGroup:
    """``count`` identical satellites of one design, on one orbit definition (a formation or
    a Walker shell; None when eclipses are not modelled)."""

    name: str
    count: int
    design: Design
    orbit: Formation | WalkerShell | None = None
    # Mean total-dose rate behind the design's shielding on this orbit, rad/s.
    dose_rad_per_s: float = 0.0
    # Synchronous training jobs over the group's satellites (None: independent work).
    workload: TrainingWorkload | None = None


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
    # Servicers, spares, replacement and the maintenance policy (None: nothing is maintained
    # beyond each part's own repair rule).
    servicing: ServicingPlan | None = None
    # Launch prices and lead times: the fleet's cost, and the servicing model's launches.
    launch: LaunchService | None = None
    # Space weather shared by every satellite (None: upset rates are constant).
    radiation: RadiationEnvironment | None = None
    # Where along their orbits satellites meet upsets (None: evenly).
    saa: SaaSettings | None = None
    # Mission phases, in order, the first from the start (empty: one phase throughout).
    phases: tuple[Phase, ...] = ()

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
    def priced(self) -> bool:
        """Whether anything in the scenario has a price (then ``cost.*`` metrics are reported)."""
        if self.launch is not None and self.launch.usd_per_kg > 0:
            return True
        if any(g.design.cost_usd > 0 for g in self.fleet):
            return True
        return self.servicing is not None and any(
            s.cost_usd or s.cost_usd_per_year or s.visit_cost_usd
            for s in self.servicing.servicers)

    @property
    def nominal_compute_pflops(self) -> float:
        return sum(g.count * g.design.nominal_compute_pflops for g in self.fleet)
