"""Distributions in the scenario file: lifetimes, repair and visit times, lead times.

Durations carry their unit in the key (``mean_years``, ``scale_h``, ``median_days``); exactly
one unit variant of each must be given.
"""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, create_model, model_validator

from sim.config.base import PositiveFinite, StrictModel
from sim.config.errors import FieldError
from sim.units import TIME_UNIT_S

# Beyond this the engine's arithmetic overflows (exp(sigma·z)).
MAX_SIGMA = 10.0


def duration_keys(base: str) -> list[str]:
    """The accepted spellings of one duration parameter: ``mean_s`` … ``mean_years``."""
    return [f"{base}_{unit}" for unit in TIME_UNIT_S]


def duration_s(model: BaseModel, base: str) -> float:
    """The one given unit variant of duration ``base``, converted to seconds."""
    for unit, seconds in TIME_UNIT_S.items():
        value = getattr(model, f"{base}_{unit}")
        if value is not None:
            return value * seconds
    raise ValueError(f"{base}: no value")  # unreachable after validation


def _duration_fields(*bases: str) -> dict[str, Any]:
    return {key: (PositiveFinite | None, None) for base in bases for key in duration_keys(base)}


class DistributionSpecBase(StrictModel):
    """Shared checks: exactly one unit variant of each duration; ``weight`` only in mixtures."""

    durations: ClassVar[tuple[str, ...]] = ()
    weight: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_unit_each(self) -> DistributionSpecBase:
        for base in self.durations:
            given = [k for k in duration_keys(base) if getattr(self, k) is not None]
            if len(given) != 1:
                found = f"got {', '.join(given)}" if given else "got none"
                raise ValueError(f"give exactly one of {', '.join(duration_keys(base))} ({found})")
            _check_in_seconds(given[0], getattr(self, given[0]), given[0].removeprefix(base + "_"))
        return self


def _check_in_seconds(key: str, value: float, unit: str) -> None:
    """A duration must stay finite once converted to seconds (``1e308`` years does not)."""
    if not math.isfinite(value * TIME_UNIT_S[unit]):
        limit = sys.float_info.max / TIME_UNIT_S[unit]
        raise FieldError(key, f"must be ≤ {limit:.3g}, got {value:g}")


def _distribution_model(name: str, tag: str, durations: tuple[str, ...], **fields: Any) -> Any:
    model = create_model(
        name,
        __base__=DistributionSpecBase,
        distribution=(Literal[tag], ...),
        **_duration_fields(*durations),
        **fields,
    )
    model.durations = durations
    return model


ExponentialSpec = _distribution_model("ExponentialSpec", "exponential", ("mean",))
WeibullSpec = _distribution_model("WeibullSpec", "weibull", ("scale",), shape=(PositiveFinite, ...))
LogNormalSpec = _distribution_model(
    "LogNormalSpec", "lognormal", ("median",),
    sigma=(Annotated[float, Field(gt=0, le=MAX_SIGMA, allow_inf_nan=False)], ...),
)
FixedSpec = _distribution_model("FixedSpec", "fixed", ("duration",))

SIMPLE_DISTRIBUTIONS = ("exponential", "weibull", "lognormal", "fixed")


def tag_of(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("distribution")
        return tag if isinstance(tag, str) else None
    if isinstance(value, BaseModel):
        return getattr(value, "distribution", None)
    return value if isinstance(value, str) else None


SimpleDistribution = Annotated[
    Annotated[ExponentialSpec, Tag("exponential")]
    | Annotated[WeibullSpec, Tag("weibull")]
    | Annotated[LogNormalSpec, Tag("lognormal")]
    | Annotated[FixedSpec, Tag("fixed")],
    Discriminator(tag_of, custom_error_type="unknown_component",
                  custom_error_message="unknown mixture component"),
]


class MixtureSpec(DistributionSpecBase):
    """A population of sub-populations: each component has a ``weight``; weights sum to 1."""

    distribution: Literal["mixture"]
    components: Annotated[list[SimpleDistribution], Field(min_length=2)]

    @model_validator(mode="after")
    def _weights(self) -> MixtureSpec:
        if self.weight is not None:
            raise FieldError("weight", "only the components of a mixture take a weight")
        for i, component in enumerate(self.components):
            if component.weight is None:
                raise FieldError(f"components[{i}].weight", "required key is missing")
        total = sum(c.weight for c in self.components)
        if abs(total - 1.0) > 1e-9:
            raise FieldError("components", f"weights must sum to 1, got {total:g}")
        return self


DistributionSpecType = Annotated[
    Annotated[ExponentialSpec, Tag("exponential")]
    | Annotated[WeibullSpec, Tag("weibull")]
    | Annotated[LogNormalSpec, Tag("lognormal")]
    | Annotated[FixedSpec, Tag("fixed")]
    | Annotated[MixtureSpec, Tag("mixture")],
    Discriminator(tag_of, custom_error_type="unknown_distribution",
                  custom_error_message="unknown distribution"),
]

