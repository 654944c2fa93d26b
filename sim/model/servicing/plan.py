"""What a scenario says about servicing, in SI units: servicers, depots and their reordering,
launches, the maintenance policy. Frozen; ``sim.config`` builds them from a scenario file."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from sim.model.design import Part
from sim.model.distributions import Distribution
from sim.model.servicing.travel import Mobility

# The stock item that is a whole satellite (spare satellites in orbit, replacements).
SATELLITE = "satellite"

Trigger = Literal["corrective", "threshold", "periodic"]
QueueOrder = Literal["fifo", "most_lost", "nearest"]
Bundle = Literal["unit", "satellite", "plane"]
Replace = Literal["never", "dead", "cheaper"]
Review = Literal["continuous", "periodic", "none"]


@dataclass(frozen=True, slots=True)
class LaunchService:
    """Launches of spares, satellites and servicers: lead time from order to arrival, the
    chance a launch is lost, what one launch lifts and its price."""

    lead: Distribution | None = None
    failure_probability: float = 0.0
    mass_capacity_kg: float = math.inf
    usd_per_kg: float = 0.0


@dataclass(frozen=True, slots=True)
class StockRule:
    """One item a depot holds (a part path, or ``SATELLITE``) and how it is reordered.

    ``initial`` None means unlimited stock. Continuous review (s,Q): whenever the inventory
    position (stock + on order − backorders) is at or below ``reorder_point``, order
    ``order_quantity``. Periodic review (R,S): every ``review_interval_s``, order up to
    ``order_up_to``. ``none``: no stock is kept up; once the initial stock is used, each
    demand it cannot meet orders one unit (made to order). Unlimited stock is bought and
    launched one unit at a time, as it is used."""

    item: str
    initial: int | None
    review: Review = "continuous"
    reorder_point: int = -1
    order_quantity: int = 1
    review_interval_s: float = 0.0
    order_up_to: int = 0
    mass_kg: float = 0.0
    unit_cost_usd: float = 0.0
    # Time from the depot to where the item is used, for this item (else the depot's): a
    # spare satellite's raising and phasing.
    delivery: Distribution | None = None


@dataclass(frozen=True, slots=True)
class DepotPlan:
    """Spares for one fleet group; ``delivery`` is the time from the depot to the servicer
    (none for a depot flying with the group; a launch for a depot on the ground)."""

    name: str
    group: int
    location: Literal["with_group", "parking_orbit", "ground"]
    items: tuple[StockRule, ...]
    delivery: Distribution | None = None


@dataclass(frozen=True, slots=True)
class ServicerPlan:
    """A fleet of identical servicers based with one fleet group, spread evenly over its
    planes from ``home_plane`` (``count`` None: as many as there are jobs, each starting
    from the home plane)."""

    name: str
    group: int
    count: int | None
    visit: Distribution
    mobility: Mobility = field(default_factory=Mobility)
    home_plane: int = 0
    success_probability: float = 1.0
    collateral_damage_probability: float = 0.0
    delta_v_budget_m_s: float = math.inf
    refuel_s: float = 0.0
    parts: tuple[Part, ...] = ()
    replacement: bool = False
    mass_kg: float = 0.0
    cost_usd: float = 0.0
    cost_usd_per_year: float = 0.0
    visit_cost_usd: float = 0.0
    refuel_cost_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Policy:
    """When a failed unit gets a job, which job a free servicer takes, what one trip fixes,
    preventive replacement by age, and when a satellite is replaced instead of repaired.

    - trigger ``corrective``: at once; ``threshold``: when the satellite's capacity falls below
      ``capacity_below`` or a group's redundancy margin (working − required) below
      ``margin_below``; ``periodic``: at inspection tours every ``interval_s``.
    - bundle ``unit``: one unit per trip; ``satellite``: every failed unit of the satellite
      visited; ``plane``: and the rest of its plane next, nearest first.
    - ``preventive``: (part path, age in s) pairs: a unit of that part reaching the age gets a
      replacement job.
    - replace ``dead``: a satellite down for good (a failed part no servicer repairs) is
      deorbited and replaced; ``cheaper``: also one down whose repair would cost more.
    """

    trigger: Trigger = "corrective"
    queue_order: QueueOrder = "fifo"
    capacity_below: float | None = None
    margin_below: int | None = None
    interval_s: float = 0.0
    bundle: Bundle = "unit"
    preventive: tuple[tuple[str, float], ...] = ()
    replace: Replace = "never"


@dataclass(frozen=True, slots=True)
class ServicingPlan:
    """Everything about maintenance in one scenario."""

    servicers: tuple[ServicerPlan, ...]
    depots: tuple[DepotPlan, ...]
    policy: Policy
    launch: LaunchService = field(default_factory=LaunchService)
