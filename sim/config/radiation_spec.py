"""The scenario file's radiation: what each part suffers (``radiation`` on a part), the space
weather every satellite shares (the top-level ``radiation`` section), and how a fleet group's
compute runs (``workload``), in human units."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.config.base import NonNegative, PositiveFinite, Probability, StrictModel, utc_date_time
from sim.config.distribution_spec import MAX_SIGMA, DistributionSpecType
from sim.config.errors import FieldError

# The effects a part may suffer, each given per device-year or per rad of dose.
EFFECTS = ("corrected_upsets", "sdc", "uncorrectable", "functional_interrupts", "latchups")
# The NOAA S-scale levels of solar radiation storms.
STORM_LEVELS = ("S1", "S2", "S3", "S4", "S5")


def _rate_fields() -> dict[str, Any]:
    return {f"{effect}_{unit}": (NonNegative | None, None)
            for effect in EFFECTS for unit in ("per_year", "per_rad")}


class DoseToleranceSpec(StrictModel):
    """Total dose at which a unit fails: log-normal across units."""

    median_krad: PositiveFinite
    sigma: Annotated[float, Field(gt=0, le=MAX_SIGMA, allow_inf_nan=False)]


class RadiationEffectsSpec(StrictModel):
    """Single-event effects of one unit of a part, per device-year (cycle-averaged, orbit-
    averaged) or per rad of dose, and its dose tolerance."""

    corrected_upsets_per_year: NonNegative | None = None
    corrected_upsets_per_rad: NonNegative | None = None
    sdc_per_year: NonNegative | None = None
    sdc_per_rad: NonNegative | None = None
    sdc_detected_share: Probability = 0.0
    uncorrectable_per_year: NonNegative | None = None
    uncorrectable_per_rad: NonNegative | None = None
    functional_interrupts_per_year: NonNegative | None = None
    functional_interrupts_per_rad: NonNegative | None = None
    reboot: DistributionSpecType | None = None
    latchups_per_year: NonNegative | None = None
    latchups_per_rad: NonNegative | None = None
    power_cycle: DistributionSpecType | None = None
    latchup_damage_probability: Probability = 0.0
    dose_tolerance: DoseToleranceSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RadiationEffectsSpec:
        for effect in EFFECTS:
            if (getattr(self, f"{effect}_per_year") is not None
                    and getattr(self, f"{effect}_per_rad") is not None):
                raise FieldError(f"{effect}_per_rad",
                                 f"give {effect}_per_year or {effect}_per_rad, not both")
        if self.rate("functional_interrupts") and self.reboot is None:
            raise FieldError("reboot", "required key is missing (functional interrupts need a "
                                       "reboot time, e.g. {distribution: fixed, duration_min: 5})")
        if (self.rate("latchups") and self.latchup_damage_probability < 1
                and self.power_cycle is None):
            raise FieldError("power_cycle", "required key is missing (latch-ups need a power "
                                            "cycle time, e.g. {distribution: fixed, "
                                            "duration_min: 2})")
        return self

    def rate(self, effect: str) -> float:
        """The given rate of ``effect`` in either unit (0 when not given)."""
        return (getattr(self, f"{effect}_per_year") or 0.0) + (
            getattr(self, f"{effect}_per_rad") or 0.0)

    @property
    def uses_dose(self) -> bool:
        """Whether anything here needs the orbit's dose rate."""
        return self.dose_tolerance is not None or any(
            getattr(self, f"{effect}_per_rad") for effect in EFFECTS)

    @property
    def wears_out(self) -> bool:
        return self.dose_tolerance is not None or (
            self.rate("latchups") > 0 and self.latchup_damage_probability > 0)


class SolarCycleSpec(StrictModel):
    """The 11-year solar cycle, phased on a declared maximum."""

    upset_amplitude: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
    maximum: datetime = datetime(2024, 10, 15, tzinfo=UTC)
    period_years: Annotated[float, Field(ge=5, le=20, allow_inf_nan=False)] = 11.0

    @field_validator("maximum", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        return utc_date_time(value)


class StormLevelSpec(StrictModel):
    """One S-scale level of solar particle events."""

    per_cycle: NonNegative
    duration_h: PositiveFinite
    upset_factor: Annotated[float, Field(ge=1, le=10_000, allow_inf_nan=False)]
    dose_rad: NonNegative = 0.0


class SaaRegionSpec(StrictModel):
    """The South Atlantic Anomaly as an ellipse in latitude and longitude."""

    centre_lat_deg: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] = -25.0
    centre_lon_deg: Annotated[float, Field(ge=-180, le=360, allow_inf_nan=False)] = -45.0
    half_lat_deg: Annotated[float, Field(gt=0, le=90, allow_inf_nan=False)] = 20.0
    half_lon_deg: Annotated[float, Field(gt=0, le=180, allow_inf_nan=False)] = 45.0


class SaaSpec(StrictModel):
    """How much harder upsets come inside the SAA than outside it."""

    rate_ratio: Annotated[float, Field(ge=1, le=1e6, allow_inf_nan=False)]
    region: SaaRegionSpec = SaaRegionSpec()


class RadiationSpec(StrictModel):
    """Space weather shared by every satellite, and the dose rate behind the shielding."""

    dose_rad_per_year: NonNegative | None = None
    shielding_mm_al: PositiveFinite | None = None
    solar_cycle: SolarCycleSpec | None = None
    storms: dict[Literal["S1", "S2", "S3", "S4", "S5"], StormLevelSpec] | None = None
    saa: SaaSpec | None = None

    @model_validator(mode="after")
    def _one_dose(self) -> RadiationSpec:
        if self.dose_rad_per_year is not None and self.shielding_mm_al is not None:
            raise FieldError("shielding_mm_al", "give dose_rad_per_year or shielding_mm_al "
                                                "(the dose rate from each orbit), not both")
        return self


class WorkloadSpec(StrictModel):
    """How a fleet group's compute runs: independent work, or synchronous training jobs."""

    kind: Literal["independent", "training"]
    satellites_per_job: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    checkpoint_interval_h: PositiveFinite | None = None
    checkpoint_write_min: NonNegative = 0.0
    restart_min: NonNegative = 0.0

    @model_validator(mode="after")
    def _training(self) -> WorkloadSpec:
        if self.kind == "training":
            for key in ("satellites_per_job", "checkpoint_interval_h"):
                if getattr(self, key) is None:
                    raise FieldError(key, "required key is missing (training jobs need it)")
        return self
