"""The ``power`` section of a satellite design: solar array, loads, battery, eclipse rule."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.config.base import PositiveFinite, StrictModel
from sim.config.errors import FieldError
from sim.model.power import BatteryDesign, PowerDesign, eclipse_compute_level
from sim.model.power.rules import DEFAULT_BROWNOUT_RECOVERY_S
from sim.units import HOUR_S, KWH_J, YEAR_S

Fraction = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
YearlyFraction = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]


class BatterySpec(StrictModel):
    """Energy storage for eclipses, and how it ages."""

    capacity_kwh: PositiveFinite
    max_depth_of_discharge: Fraction
    charge_efficiency: Fraction
    discharge_efficiency: Fraction
    fade_per_cycle: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    fade_reference_dod: Fraction = 0.3
    fade_exponent: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = 1.0
    calendar_fade_per_year: YearlyFraction = 0.0
    part: str | None = None


class PowerSpec(StrictModel):
    """A satellite's power system; compute draws ``compute_load_kw`` at nominal capacity."""

    array_bol_kw: PositiveFinite
    array_degradation_per_year: YearlyFraction = 0.0
    bus_load_kw: PositiveFinite
    compute_load_kw: PositiveFinite
    eclipse_rule: Literal["ride_through", "shed", "shed_to_fraction"]
    eclipse_compute_fraction: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    # From the return of power to a browned-out satellite until it computes again.
    brownout_recovery_h: Annotated[float, Field(ge=0, le=24 * 365, allow_inf_nan=False)] = (
        DEFAULT_BROWNOUT_RECOVERY_S / HOUR_S)
    battery: BatterySpec

    @model_validator(mode="after")
    def _rule(self) -> PowerSpec:
        if (self.eclipse_rule == "shed_to_fraction") != (self.eclipse_compute_fraction is not None):
            raise FieldError("eclipse_compute_fraction",
                             "required with eclipse_rule shed_to_fraction, and only then")
        if self.bus_load_kw >= self.array_bol_kw:
            raise FieldError("bus_load_kw", f"must be < array_bol_kw ({self.array_bol_kw:g}), "
                                            f"got {self.bus_load_kw:g}")
        return self


def to_power(spec: PowerSpec) -> PowerDesign:
    """The SI power design the model reads."""
    battery = spec.battery
    level = eclipse_compute_level(spec.eclipse_rule, spec.eclipse_compute_fraction)
    return PowerDesign(
        array_bol_w=spec.array_bol_kw * 1000.0,
        array_degradation_per_year=spec.array_degradation_per_year,
        bus_load_w=spec.bus_load_kw * 1000.0,
        compute_load_w=spec.compute_load_kw * 1000.0,
        eclipse_compute_level=level,
        brownout_recovery_s=spec.brownout_recovery_h * HOUR_S,
        battery=BatteryDesign(
            capacity_j=battery.capacity_kwh * KWH_J,
            max_depth_of_discharge=battery.max_depth_of_discharge,
            charge_efficiency=battery.charge_efficiency,
            discharge_efficiency=battery.discharge_efficiency,
            fade_per_cycle=battery.fade_per_cycle,
            fade_reference_dod=battery.fade_reference_dod,
            fade_exponent=battery.fade_exponent,
            calendar_fade_per_s=battery.calendar_fade_per_year / YEAR_S,
            part=battery.part,
        ),
    )
