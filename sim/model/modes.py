"""Reliability beyond one failure law per part: failure modes and their effects, standby
redundancy, common-cause failures and periodic inspections, in SI units.

A part that uses any of these lives through ``sim.model.group_life``; a part that uses none
keeps the plain unit lives of ``sim.model.failures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sim.model.distributions import Distribution, Exponential

Effect = Literal["fail", "degrade", "parent"]

# Causes of lost capacity the reliability model charges (besides those of ``repair``).
CAUSE_DEGRADED = "degraded"
CAUSE_LATENT = "latent_failure"
CAUSE_INSPECTION = "inspection"

# Counted events (``events.<kind>``).
EVENT_COMMON_CAUSE = "common_cause_failures"
EVENT_DEMAND_FAILURE = "failures_on_demand"
EVENT_INSPECTION = "inspections"
EVENT_LATENT_FOUND = "latent_failures_found"

# The name a part's own ``failure`` law takes as a mode (its losses keep the part's path).
PRIMARY_MODE = "failure"
# The label of a switch-over that fails on demand, under the part's path.
SWITCH_LABEL = "switch_over"


@dataclass(frozen=True, slots=True)
class FailureMode:
    """One way a unit fails: its law (in the unit's active age), what it does, whether anyone
    sees it, and the share ``beta`` of its failures that take every unit of the group at once
    (common cause; the law is then exponential)."""

    name: str
    lifetime: Distribution
    effect: Effect = "fail"
    # The capacity a ``degrade`` mode leaves the unit at (a fraction of its nominal).
    capacity: float = 0.0
    latent: bool = False
    beta: float = 0.0
    # How fast the mode ages in each mission phase, as a multiple of its law's (by phase
    # index; empty: 1 throughout). 0 switches it off in that phase.
    phase_factors: tuple[float, ...] = ()
    # The mode ages only while the satellite is in Earth's shadow (thermal cycling): its law
    # is then in seconds of shadow, whatever the unit does.
    in_eclipse: bool = False

    def factor(self, phase: int) -> float:
        """The ageing rate multiple of this mode in mission phase ``phase``."""
        return self.phase_factors[phase] if self.phase_factors else 1.0

    @property
    def independent(self) -> Distribution:
        """The law of a unit's own failures by this mode (its share 1 − beta of the rate)."""
        if self.beta == 0.0:
            return self.lifetime
        assert isinstance(self.lifetime, Exponential)
        return Exponential(self.lifetime.mean_duration_s / (1.0 - self.beta))

    @property
    def common_mean_s(self) -> float:
        """Mean time between the group's common-cause failures by this mode (inf: none)."""
        if self.beta == 0.0:
            return float("inf")
        return self.lifetime.mean_s / self.beta


@dataclass(frozen=True, slots=True)
class Standby:
    """``units`` of a part's units wait dormant until an active one fails: they age at
    ``dormant_factor`` of the active rate (0 cold, 1 hot) and, when called, fail to take over
    with ``switch_failure_probability``."""

    units: int
    dormant_factor: float
    switch_failure_probability: float = 0.0


@dataclass(frozen=True, slots=True)
class Inspection:
    """Periodic inspections of every unit of a part: the first at ``first_s``, then every
    ``interval_s``; each takes the inspected units down for ``duration_s`` and finds latent
    failures, which then go to the part's repair rule."""

    interval_s: float
    first_s: float
    duration_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Phase:
    """A mission phase (launch, commissioning, operations, end of life) from ``start_s``."""

    name: str
    start_s: float
