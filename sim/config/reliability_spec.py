"""A part's reliability beyond one failure law, as the scenario file gives it: failure modes,
standby units, common-cause failures and periodic inspections."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.config.base import Name, NonNegative, PositiveFinite, Probability, StrictModel
from sim.config.distribution_spec import DistributionSpecType, ExponentialSpec
from sim.config.errors import FieldError

# A beta factor of 1 would leave a unit no failures of its own (dimensionless).
BetaFactor = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]


class CommonCauseSpec(StrictModel):
    """The share ``beta`` of each unit's failures (by this law) that takes every unit of its
    group at once (the beta-factor model)."""

    beta: BetaFactor


# How fast a law ages in each named mission phase, as a multiple of its own rate.
PhaseFactors = Annotated[dict[Name, NonNegative], Field(min_length=1)]
# Probability that a working unit fails as each named mission phase starts.
DemandFailures = Annotated[dict[Name, Probability], Field(min_length=1)]


class PhaseSpec(StrictModel):
    """A mission phase: launch, commissioning, operations, end of life... The last runs to
    the horizon; every other one lasts ``duration_days``."""

    name: Name
    duration_days: PositiveFinite | None = None


class ModeSpec(StrictModel):
    """One more way the part's units fail, with its own law and effect."""

    name: Name
    failure: DistributionSpecType
    effect: Literal["fail", "degrade", "parent"] = "fail"
    # What a ``degrade`` mode leaves of the unit's capacity (fraction of nominal).
    capacity: Probability | None = None
    latent: bool = False
    common_cause: CommonCauseSpec | None = None
    phase_factors: PhaseFactors | None = None
    # ``eclipse``: the mode ages only in Earth's shadow (its law in shadow time).
    when: Literal["always", "eclipse"] = "always"

    @model_validator(mode="after")
    def _consistent(self) -> ModeSpec:
        if self.effect == "degrade" and self.capacity is None:
            raise FieldError("capacity", "required key is missing (a degrade mode leaves the "
                                         "unit at a capacity in [0, 1])")
        if self.effect != "degrade" and self.capacity is not None:
            raise FieldError("capacity", f"only a degrade mode takes a capacity (effect is "
                                         f"{self.effect})")
        if self.effect == "degrade" and self.latent:
            raise FieldError("latent", "a degraded unit still works, so its mode is seen")
        check_common_cause(self.common_cause, self.failure)
        return self


def check_common_cause(common: CommonCauseSpec | None, failure: object) -> None:
    """A beta factor splits a constant rate: it needs an exponential law."""
    if common is not None and common.beta > 0 and not isinstance(failure, ExponentialSpec):
        raise FieldError("common_cause.beta", "a beta factor splits a constant failure rate: "
                                              "give an exponential failure law")


class StandbySpec(StrictModel):
    """``units`` of the part's units wait in standby until an active one fails."""

    units: Annotated[int, Field(ge=1)]
    kind: Literal["hot", "warm", "cold"]
    # How fast a dormant unit ages, as a fraction of an active one (warm only).
    dormant_factor: Probability | None = None
    switch_failure_probability: Probability = 0.0

    @model_validator(mode="after")
    def _factor(self) -> StandbySpec:
        if self.kind == "warm" and self.dormant_factor is None:
            raise FieldError("dormant_factor", "required key is missing (a warm standby unit "
                                               "ages at a fraction in [0, 1] of the active rate)")
        if self.kind != "warm" and self.dormant_factor is not None:
            raise FieldError("dormant_factor", f"only a warm standby takes a dormant_factor "
                                               f"({self.kind} is fixed at "
                                               f"{0 if self.kind == 'cold' else 1})")
        return self

    @property
    def factor(self) -> float:
        if self.kind == "cold":
            return 0.0
        if self.kind == "hot":
            return 1.0
        assert self.dormant_factor is not None
        return self.dormant_factor


class InspectionSpec(StrictModel):
    """Periodic inspections that find latent failures."""

    interval_days: PositiveFinite
    # The first inspection (default: one interval after the start).
    first_days: NonNegative | None = None
    duration_h: NonNegative = 0.0
