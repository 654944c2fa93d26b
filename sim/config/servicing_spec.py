"""The scenario file's ``launch`` and ``servicing`` sections: launches, servicers, depots of
spares and the maintenance policy, in human units. Cross-references (a servicer's fleet group,
a depot item's part) are checked when the scenario is built (``sim.config.loader``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, PlainValidator, create_model, model_validator

from sim.config.base import Name, NonNegative, PositiveFinite, Probability, StrictModel
from sim.config.distribution_spec import DistributionSpecType, duration_keys
from sim.config.errors import FieldError

if TYPE_CHECKING:
    from sim.config.schema import PartSpec

Count = Annotated[int, Field(ge=1, le=100_000)]
StockCount = Annotated[int, Field(ge=0, le=10_000_000)]


def _count_or_unlimited(low: int, high: int) -> Any:
    """An integer in [low, high], or the word ``unlimited`` (one message for either)."""

    def check(value: Any) -> int | str:
        if value == "unlimited":
            return "unlimited"
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be an integer or 'unlimited', got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"must be ≥ {low} and ≤ {high:,}, got {value}")
        return value

    return Annotated[int | str, PlainValidator(check)]


ServicerCount = _count_or_unlimited(1, 100_000)
InitialStock = _count_or_unlimited(0, 10_000_000)


class LaunchSpec(StrictModel):
    """Launches: lead time from order to arrival in orbit, the chance one is lost, what one
    lifts and its price per kilogram."""

    lead: DistributionSpecType | None = None
    failure_probability: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    mass_capacity_kg: PositiveFinite | None = None
    usd_per_kg: NonNegative = 0.0


class ServicerSpec(StrictModel):
    """A fleet of identical servicers based with one fleet group."""

    name: Name
    group: Name
    count: ServicerCount = 1
    visit: DistributionSpecType
    success_probability: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1.0
    collateral_damage_probability: Probability = 0.0
    formation_transfer_h: NonNegative = 0.0
    rendezvous_h: NonNegative = 0.0
    phasing_altitude_km: PositiveFinite = 20.0
    plane_change: Literal["drift", "delta_v"] = "drift"
    drift_altitude_km: PositiveFinite = 50.0
    delta_v_budget_m_s: PositiveFinite | None = None
    refuel_days: NonNegative = 0.0
    home_plane: Annotated[int, Field(ge=0)] = 0
    parts: list[PartSpec] = Field(default_factory=list)
    replace_when_lost: bool = False
    mass_kg: NonNegative = 0.0
    cost_usd: NonNegative = 0.0
    cost_usd_per_year: NonNegative = 0.0
    visit_cost_usd: NonNegative = 0.0
    refuel_cost_usd: NonNegative = 0.0

    @model_validator(mode="after")
    def _finite_fleet(self) -> ServicerSpec:
        if self.count == "unlimited" and self.parts:
            raise FieldError("parts", "an unlimited fleet of servicers has no parts that fail "
                                      "(give a count)")
        if self.count == "unlimited" and self.replace_when_lost:
            raise FieldError("replace_when_lost", "an unlimited fleet is never short of "
                                                  "servicers (give a count)")
        return self


class StockItemSpec(StrictModel):
    """One item a depot holds: a part (by its path in the design, e.g. ``node/accelerator``)
    or ``satellite``; its starting stock and how it is reordered: continuous review (s,Q)
    with ``reorder_point`` and ``order_quantity``, periodic review (R,S) with ``review_days``
    and ``order_up_to``, or neither (never reordered)."""

    part: Annotated[str, Field(min_length=1, max_length=512)]
    initial: InitialStock
    reorder_point: StockCount | None = None
    order_quantity: Count | None = None
    review_days: PositiveFinite | None = None
    order_up_to: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    # This item's time from the depot to where it is used (else the depot's delivery).
    delivery: DistributionSpecType | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> StockItemSpec:
        continuous = (self.reorder_point, self.order_quantity)
        periodic = (self.review_days, self.order_up_to)
        if any(v is not None for v in continuous) and any(v is not None for v in periodic):
            raise FieldError("review_days", "give reorder_point and order_quantity (s,Q) or "
                                            "review_days and order_up_to (R,S), not both")
        for keys, values in ((("reorder_point", "order_quantity"), continuous),
                             (("review_days", "order_up_to"), periodic)):
            given = [v is not None for v in values]
            if any(given) and not all(given):
                missing, present = keys[given.index(False)], keys[given.index(True)]
                raise FieldError(missing, f"required key is missing (with {present})")
        if self.initial == "unlimited" and (any(v is not None for v in continuous + periodic)):
            raise FieldError("initial", "an unlimited stock is never reordered")
        return self


class DepotSpec(StrictModel):
    """Spares for one fleet group, and the time from the depot to a servicer."""

    name: Name
    group: Name
    location: Literal["with_group", "parking_orbit", "ground"] = "with_group"
    delivery: DistributionSpecType | None = None
    items: Annotated[list[StockItemSpec], Field(min_length=1)]


PreventiveSpec = create_model(
    "PreventiveSpec",
    __base__=StrictModel,
    part=(Annotated[str, Field(min_length=1, max_length=512)], ...),
    **{key: (PositiveFinite | None, None) for key in duration_keys("age")},
)


def _preventive_age_given(spec: Any) -> None:
    given = [k for k in duration_keys("age") if getattr(spec, k) is not None]
    if len(given) != 1:
        raise FieldError("age_years", f"give exactly one of {', '.join(duration_keys('age'))}")


class PolicySpec(StrictModel):
    """When failed units get a servicer, in what order, what one trip fixes, preventive swaps
    and satellite replacement."""

    kind: Literal["corrective", "threshold", "opportunistic", "periodic"] = "corrective"
    queue_order: Literal["fifo", "most_lost", "nearest"] = "fifo"
    capacity_below: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    margin_below: Annotated[int, Field(ge=0, le=100_000)] | None = None
    scope: Literal["satellite", "plane"] | None = None
    interval_days: PositiveFinite | None = None
    preventive: list[PreventiveSpec] = Field(default_factory=list)  # type: ignore[valid-type]
    replace: Literal["never", "dead", "cheaper"] = "never"

    @model_validator(mode="after")
    def _parameters_of_kind(self) -> PolicySpec:
        kind = self.kind
        if kind == "threshold" and self.capacity_below is None and self.margin_below is None:
            raise FieldError("capacity_below", "required key is missing (a threshold policy "
                                               "needs capacity_below or margin_below)")
        for key in ("capacity_below", "margin_below"):
            if kind != "threshold" and getattr(self, key) is not None:
                raise FieldError(key, f"only a threshold policy takes {key} (kind is {kind})")
        if kind == "periodic" and self.interval_days is None:
            raise FieldError("interval_days", "required key is missing (a periodic policy "
                                              "inspects every interval_days)")
        if kind != "periodic" and self.interval_days is not None:
            raise FieldError("interval_days", f"only a periodic policy takes interval_days "
                                              f"(kind is {kind})")
        if kind != "opportunistic" and self.scope is not None:
            raise FieldError("scope", f"only an opportunistic policy takes scope (kind is {kind})")
        for index, item in enumerate(self.preventive):
            try:
                _preventive_age_given(item)
            except FieldError as exc:
                raise FieldError(f"preventive[{index}].{exc.field}", exc.message) from None
        return self


class ServicingSpec(StrictModel):
    """Servicers, depots and the policy."""

    servicers: list[ServicerSpec] = Field(default_factory=list)
    depots: list[DepotSpec] = Field(default_factory=list)
    policy: PolicySpec = Field(default_factory=PolicySpec)
