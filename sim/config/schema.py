"""The scenario file's schema (human units, named keys), as pydantic models.

Every model forbids unknown keys and takes values strictly (a string is not a number). Durations
carry their unit in the key: ``mean_years``, ``scale_h``, ``median_days``, ``duration_min``;
exactly one unit variant of each duration must be given.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from sim.config.base import Name, NonNegative, PositiveFinite, StrictModel, utc_date_time
from sim.config.distribution_spec import (
    MAX_SIGMA,
    SIMPLE_DISTRIBUTIONS,
    DistributionSpecBase,
    DistributionSpecType,
    ExponentialSpec,
    FixedSpec,
    LogNormalSpec,
    MixtureSpec,
    WeibullSpec,
    duration_keys,
    duration_s,
    tag_of,
)
from sim.config.errors import FieldError
from sim.config.orbit_spec import FormationSpec, OrbitSpecType, TleSpec, WalkerSpec, satellites_in
from sim.config.power_spec import BatterySpec, PowerSpec
from sim.config.radiation_spec import (
    DoseToleranceSpec,
    RadiationEffectsSpec,
    RadiationSpec,
    SaaRegionSpec,
    SaaSpec,
    SolarCycleSpec,
    StormLevelSpec,
    WorkloadSpec,
)
from sim.config.reliability_spec import (
    CommonCauseSpec,
    DemandFailures,
    InspectionSpec,
    ModeSpec,
    PhaseFactors,
    PhaseSpec,
    StandbySpec,
    check_common_cause,
)
from sim.config.servicing_spec import (
    DepotSpec,
    LaunchSpec,
    PolicySpec,
    PreventiveSpec,
    ServicerSpec,
    ServicingSpec,
    StockItemSpec,
)
from sim.config.study_spec import ChoiceSpec, Goal, ObjectiveSpec, RangeSpec, SearchEntry
from sim.dates import MAX_SPAN_YEARS, SCENARIO_STARTS
from sim.units import TIME_UNIT_S, YEAR_S

__all__ = ["MAX_SIGMA", "duration_keys", "duration_s"]

MAX_HORIZON_YEARS = MAX_SPAN_YEARS
# Beyond this the engine's arithmetic overflows (the fleet's summed capacity).
MAX_NOMINAL_PFLOPS = 1e6

RepairSpecType = Annotated[
    Annotated[Literal["none"], Tag("none")]
    | Annotated[Literal["servicer"], Tag("servicer")]
    | Annotated[ExponentialSpec, Tag("exponential")]
    | Annotated[WeibullSpec, Tag("weibull")]
    | Annotated[LogNormalSpec, Tag("lognormal")]
    | Annotated[FixedSpec, Tag("fixed")]
    | Annotated[MixtureSpec, Tag("mixture")],
    Discriminator(tag_of, custom_error_type="unknown_repair",
                  custom_error_message="unknown repair rule"),
]

# Loc segments pydantic adds for tagged unions; they are not keys of the file.
UNION_TAGS = frozenset({*SIMPLE_DISTRIBUTIONS, "mixture", "none", "servicer", "formation",
                        "walker", "tle", "range", "choices"})


class PartSpec(StrictModel):
    """A group of identical units, ``required`` of ``count`` needed (k of n)."""

    name: Name
    role: Literal["bus", "compute", "battery"]
    count: Annotated[int, Field(ge=1, le=100_000)]
    required: Annotated[int, Field(ge=1)] | None = None
    failure: DistributionSpecType | None = None
    repair: RepairSpecType = "none"
    parts: list[PartSpec] = Field(default_factory=list)
    mass_kg: NonNegative = 0.0
    cost_usd: NonNegative = 0.0
    radiation: RadiationEffectsSpec | None = None
    # Whether a failure by ``failure`` goes unseen until an inspection or a demand finds it.
    latent: bool = False
    common_cause: CommonCauseSpec | None = None
    # Paths (from the design's top, ``node`` or ``node/accelerator``) of the parts whose every
    # unit needs this part's group: a shared part, such as a power distribution unit.
    feeds: Annotated[list[Annotated[str, Field(min_length=1, max_length=640)]],
                     Field(min_length=1)] | None = None
    modes: list[ModeSpec] = Field(default_factory=list)
    # Phase multiples of the ageing of ``failure`` (see the scenario's ``phases``).
    phase_factors: PhaseFactors | None = None
    demand_failures: DemandFailures | None = None
    standby: StandbySpec | None = None
    inspection: InspectionSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PartSpec:
        if self.required is not None and self.required > self.count:
            raise FieldError("required", f"must be ≤ count ({self.count}), got {self.required}")
        if self.failure is None and not self.parts and self.radiation is None and not self.modes:
            raise FieldError("failure", "required key is missing (a part with no sub-parts "
                             "needs a failure distribution, failure modes, or radiation effects)")
        self._reliability()
        if self.failure is None and self.radiation is not None and self.radiation.wears_out:
            raise FieldError("failure", "required key is missing (radiation that ends a unit's "
                             "life competes with a failure distribution; give one)")
        if self.failure is None and self.repair != "none":
            raise FieldError("repair", "a part with no failure distribution cannot be repaired")
        for key, spec in (("failure", self.failure), ("repair", self.repair)):
            if _stray_weight(spec):
                raise FieldError(f"{key}.weight", "only the components of a mixture take a weight")
        if self.role == "bus":
            for i, child in enumerate(self.parts):
                if child.role != "bus":
                    raise FieldError(f"parts[{i}].role", "a bus part's sub-parts must be bus parts")
        for i, child in enumerate(self.parts):
            if child.role == "battery":
                raise FieldError(f"parts[{i}].role", "battery parts belong at the top of a design")
        if self.role == "battery" and self.parts:
            raise FieldError("parts", "a battery part (its strings) has no sub-parts")
        _unique_names(self.parts, "parts")
        return self

    @property
    def modal(self) -> bool:
        """Whether the part uses failure modes, latent failures, common causes, standby or
        inspections (its units then live through ``sim.model.group_life``)."""
        if self.repair == "servicer":
            # The maintenance model lives these (``_reliability`` refuses the rest).
            return False
        return bool(self.modes or self.latent or self.common_cause or self.standby
                    or self.inspection or self.phase_factors or self.demand_failures)

    def _beyond_servicing(self) -> bool:
        """Whether the part asks more than servicers' lives model: failure modes that fail
        the unit (in calendar time) and latent failures."""
        return bool(self.common_cause or self.standby or self.inspection or self.phase_factors
                    or self.demand_failures
                    or any(mode.effect != "fail" or mode.common_cause or mode.phase_factors
                           or mode.when != "always" for mode in self.modes))

    def _reliability(self) -> None:
        """Checks of failure modes, standby, common causes and inspections."""
        required = self.required if self.required is not None else self.count
        if self.standby is not None and self.standby.units > self.count - required:
            raise FieldError("standby.units", f"must be ≤ count − required "
                                              f"({self.count} − {required}), "
                                              f"got {self.standby.units}")
        if self.failure is None and (self.latent or self.common_cause is not None
                                     or self.phase_factors is not None):
            key = ("latent" if self.latent else "common_cause" if self.common_cause is not None
                   else "phase_factors")
            raise FieldError(key, "applies to the part's failure law, and it has none")
        check_common_cause(self.common_cause, self.failure)
        _unique_names(self.modes, "modes")
        for i, mode in enumerate(self.modes):
            if mode.name == "failure":
                raise FieldError(f"modes[{i}].name", "'failure' is the name of the part's own "
                                                     "failure law; choose another")
            if mode.effect == "degrade" and self.role != "compute":
                raise FieldError(f"modes[{i}].effect", f"only a compute part's units deliver a "
                                                       f"capacity to degrade (role is "
                                                       f"{self.role})")
            if mode.effect == "parent" and self.role == "battery":
                raise FieldError(f"modes[{i}].effect", "a battery string has no parent unit to "
                                                       "take down")
        if self.repair == "servicer" and self._beyond_servicing():
            raise FieldError("repair", "servicer repair takes failure modes that fail the unit "
                                       "and latent failures; standby, common causes, "
                                       "inspections, phases, degrading or parent modes and "
                                       "eclipse ageing are not modelled with it yet; give a "
                                       "timed repair or none")
        if self.repair == "servicer" and self.modes and self.failure is None:
            raise FieldError("failure", "required key is missing (a part servicers swap keeps "
                                        "its own failure law beside its modes)")
        if not self.modal:
            return
        if self.failure is None and not self.modes:
            key = next(name for name in ("standby", "inspection", "demand_failures")
                       if getattr(self, name))
            raise FieldError(key, "acts on the part's own failures, and it has none (give a "
                                  "failure law or failure modes)")


# A servicer's parts are parts like a satellite's.
ServicerSpec.model_rebuild(_types_namespace={"PartSpec": PartSpec})
ServicingSpec.model_rebuild()


def _stray_weight(spec: Any) -> bool:
    """A ``weight`` on a distribution that is not a mixture's component (it would be ignored)."""
    return isinstance(spec, DistributionSpecBase) and not isinstance(spec, MixtureSpec) and (
        spec.weight is not None)


def _unique_names(items: list[Any], field: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.name in seen:
            raise FieldError(f"{field}[{i}].name", f"duplicate name '{item.name}'")
        seen.add(item.name)


def walk_parts(parts: list[PartSpec], loc: str = "parts", parent: str = ""
               ) -> list[tuple[str, str, PartSpec]]:
    """(schema location, part path, part) of every part, depth first."""
    found = []
    for i, part in enumerate(parts):
        path = f"{parent}/{part.name}" if parent else part.name
        found.append((f"{loc}[{i}]", path, part))
        found.extend(walk_parts(part.parts, f"{loc}[{i}].parts", path))
    return found


def _check_feeds(parts: list[PartSpec]) -> None:
    """A shared part feeds parts that exist below its own parent, outside itself, not the
    parent it is inside, and not batteries or other shared parts."""
    every = walk_parts(parts)
    by_path = {path: part for _, path, part in every}
    for loc, path, part in every:
        if not part.feeds:
            continue
        if part.role != "bus":
            raise FieldError(f"{loc}.role", f"a shared part (with feeds) holds the units it "
                                            f"feeds down as a bus part does: give role bus, "
                                            f"got {part.role}")
        holder = path.rpartition("/")[0]
        for j, fed in enumerate(part.feeds):
            where = f"{loc}.feeds[{j}]"
            if fed == path or fed.startswith(path + "/"):
                raise FieldError(where, f"{fed!r} is the shared part itself or inside it")
            if path.startswith(fed + "/"):
                raise FieldError(where, f"{fed!r} holds the shared part {path!r}: a shared part "
                                        f"cannot feed a parent it is inside")
            if fed not in by_path:
                known = ", ".join(sorted(by_path))
                raise FieldError(where, f"no part has the path {fed!r} (paths: {known})")
            if holder and not fed.startswith(holder + "/"):
                raise FieldError(where, f"{fed!r} is not below {holder!r}, which holds the "
                                        f"shared part")
            if by_path[fed].role == "battery" or by_path[fed].feeds:
                raise FieldError(where, f"{fed!r} is a battery or another shared part")


class DesignSpec(StrictModel):
    """A satellite design: nominal compute and the part hierarchy."""

    nominal_compute_pflops: Annotated[
        float, Field(gt=0, le=MAX_NOMINAL_PFLOPS, allow_inf_nan=False)
    ]
    parts: Annotated[list[PartSpec], Field(min_length=1)]
    power: PowerSpec | None = None
    mass_kg: NonNegative = 0.0
    cost_usd: NonNegative = 0.0

    @model_validator(mode="after")
    def _names(self) -> DesignSpec:
        _unique_names(self.parts, "parts")
        _check_feeds(self.parts)
        batteries = [p.name for p in self.parts if p.role == "battery"]
        named = self.power.battery.part if self.power is not None else None
        if named is not None and named not in batteries:
            choices = ", ".join(batteries) or "none"
            raise FieldError("power.battery.part", f"must name a part with role battery "
                                                   f"(here: {choices}), got {named!r}")
        if batteries and self.power is None:
            raise FieldError("power", f"required key is missing (battery part "
                                      f"{batteries[0]!r} needs a power section)")
        if batteries and named is None:
            raise FieldError("power.battery.part", f"required key is missing (name the battery "
                                                   f"part, here {batteries[0]!r})")
        return self


class FleetGroupSpec(StrictModel):
    """``count`` identical satellites, and where they fly."""

    name: Name
    count: Annotated[int, Field(ge=1, le=1_000_000)]
    orbit: OrbitSpecType | None = None
    design: DesignSpec
    workload: WorkloadSpec | None = None

    @model_validator(mode="after")
    def _orbit(self) -> FleetGroupSpec:
        size = self.workload.satellites_per_job if self.workload is not None else None
        if size is not None and size > self.count:
            raise FieldError("workload.satellites_per_job",
                             f"must be ≤ the group's count ({self.count}), got {size}")
        fixed = satellites_in(self.orbit) if self.orbit is not None else None
        if fixed is not None and fixed != self.count:
            raise FieldError("count", f"must equal orbit.planes × orbit.per_plane ({fixed}), "
                                      f"got {self.count}")
        if self.design.power is not None and self.orbit is None:
            raise FieldError("orbit", "required key is missing (a design with a power section "
                                      "needs an orbit for its eclipses)")
        return self


class ScenarioSpec(StrictModel):
    """The whole scenario file."""

    name: Name
    description: str = ""
    start_utc: datetime = datetime(2027, 1, 1, tzinfo=UTC)
    horizon_years: PositiveFinite | None = None
    horizon_days: PositiveFinite | None = None
    sla_fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    sla_window_h: PositiveFinite = 1.0
    fleet: Annotated[list[FleetGroupSpec], Field(min_length=1)]
    # Mission phases, in order from the start (rates and failures on demand may name them).
    phases: Annotated[list[PhaseSpec], Field(min_length=1)] | None = None
    launch: LaunchSpec | None = None
    servicing: ServicingSpec | None = None
    radiation: RadiationSpec | None = None
    # What a sensitivity study varies (``orbsim sensitivity``); the model ignores it.
    uncertain: Annotated[dict[str, RangeSpec], Field(min_length=1)] | None = None
    # What a tuner may choose and what it seeks (``orbsim tune``); the model ignores both.
    search: Annotated[dict[str, SearchEntry], Field(min_length=1)] | None = None
    objective: ObjectiveSpec | None = None

    @field_validator("start_utc", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        return utc_date_time(value)

    @field_validator("start_utc")
    @classmethod
    def _supported(cls, value: datetime) -> datetime:
        """Starts lie where the Sun and the time scales are served (``sim.dates``)."""
        problem = SCENARIO_STARTS.problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _horizon(self) -> ScenarioSpec:
        given = [v for v in (self.horizon_years, self.horizon_days) if v is not None]
        if len(given) == 2:
            raise FieldError("horizon_years", "give horizon_years or horizon_days, not both")
        if not given:
            raise FieldError("horizon_years", "required key is missing (or give horizon_days)")
        if self.horizon_s > MAX_HORIZON_YEARS * YEAR_S:
            key = "horizon_years" if self.horizon_years is not None else "horizon_days"
            raise FieldError(key, f"must be ≤ {MAX_HORIZON_YEARS:g} years, got {given[0]:g}")
        _unique_names(self.fleet, "fleet")
        self._phases()
        if self.servicing is not None:
            for i, servicer in enumerate(self.servicing.servicers):
                where = _modal_part(servicer.parts, f"servicing.servicers[{i}].parts")
                if where is not None:
                    raise FieldError(where, "a servicer's parts fail by one law each (failure "
                                            "modes, standby and inspections are a satellite "
                                            "design's)")
            for i, group in enumerate(self.fleet):
                where = _modal_part(group.design.parts, f"fleet[{i}].design.parts")
                if where is not None:
                    raise FieldError(where, "failure modes, latent failures, common causes, "
                                            "standby and inspections are not modelled with a "
                                            "servicing section yet")
        return self

    def _phases(self) -> None:
        """Phases last a stated time but the last; parts name only phases that exist; a mode
        that ages in eclipse flies an orbit."""
        phases = self.phases or []
        _unique_names(phases, "phases")
        for i, phase in enumerate(phases):
            last = i == len(phases) - 1
            if last and phase.duration_days is not None:
                raise FieldError(f"phases[{i}].duration_days", "the last phase runs to the "
                                                               "horizon; give it no duration")
            if not last and phase.duration_days is None:
                raise FieldError(f"phases[{i}].duration_days", "required key is missing (every "
                                                               "phase but the last lasts a "
                                                               "stated time)")
        names = [phase.name for phase in phases]
        for g, group in enumerate(self.fleet):
            for loc, _, part in walk_parts(group.design.parts, f"fleet[{g}].design.parts"):
                named = [("phase_factors", part.phase_factors),
                         ("demand_failures", part.demand_failures)]
                named += [(f"modes[{m}].phase_factors", mode.phase_factors)
                          for m, mode in enumerate(part.modes)]
                for key, given in named:
                    for name in given or {}:
                        if name not in names:
                            known = ", ".join(names) or "none: add a phases section"
                            raise FieldError(f"{loc}.{key}.{name}",
                                             f"no mission phase {name!r} (phases: {known})")
                for m, mode in enumerate(part.modes):
                    if mode.when == "eclipse" and group.orbit is None:
                        raise FieldError(f"{loc}.modes[{m}].when",
                                         "a mode that ages in eclipse needs the group's orbit")

    @property
    def horizon_s(self) -> float:
        if self.horizon_years is not None:
            return self.horizon_years * YEAR_S
        return (self.horizon_days or 0.0) * TIME_UNIT_S["days"]


def _modal_part(parts: list[PartSpec], prefix: str) -> str | None:
    """The path of the first part below ``prefix`` that uses the reliability extensions."""
    return next((loc for loc, _, part in walk_parts(parts, prefix) if part.modal), None)


def known_keys() -> list[str]:
    """Every key any model accepts, for 'did you mean' hints."""
    models = [ScenarioSpec, FleetGroupSpec, DesignSpec, PartSpec, MixtureSpec, ExponentialSpec,
              WeibullSpec, LogNormalSpec, FixedSpec, FormationSpec, WalkerSpec, TleSpec,
              PowerSpec, BatterySpec, LaunchSpec, ServicingSpec, ServicerSpec, DepotSpec,
              StockItemSpec, PolicySpec, PreventiveSpec, RadiationEffectsSpec, DoseToleranceSpec,
              RadiationSpec, SolarCycleSpec, StormLevelSpec, SaaSpec, SaaRegionSpec,
              WorkloadSpec, RangeSpec, ChoiceSpec, ObjectiveSpec, Goal, ModeSpec,
              CommonCauseSpec, StandbySpec, InspectionSpec, PhaseSpec]
    return sorted({key for model in models for key in model.model_fields})
