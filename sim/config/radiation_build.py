"""The radiation and workload sections as the model's objects (SI units): each fleet group's
dose rate from its orbit and shielding, each part's effects as rates per second, the shared
space weather, and training jobs."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sim.config.radiation_spec import (
    EFFECTS,
    RadiationEffectsSpec,
    RadiationSpec,
    WorkloadSpec,
)
from sim.constants import WGS72_RADIUS_M
from sim.model.distributions import Distribution, LogNormal
from sim.model.radiation import RadiationEnvironment
from sim.model.upsets import RadiationEffects
from sim.model.workload import TrainingWorkload
from sim.radiation.cycle import SolarCycle
from sim.radiation.storms import StormLevel
from sim.units import HOUR_S, MINUTE_S, YEAR_S

# Rad per krad.
RAD_PER_KRAD = 1000.0


def dose_rate_rad_per_s(spec: RadiationSpec | None, orbit: Any, group: int) -> float:
    """Fleet group ``group``'s mean dose rate: as given, or from its orbit and the shielding
    (``sim.radiation.dose``); 0 without either. ValueError "path: reason" naming the field at
    fault: the shielding, or the orbit the dose table does not cover."""
    if spec is None:
        return 0.0
    if spec.dose_rad_per_year is not None:
        return spec.dose_rad_per_year / YEAR_S
    if spec.shielding_mm_al is None:
        return 0.0
    if orbit is None:
        raise ValueError("radiation.shielding_mm_al: a fleet group without an orbit has no "
                         "dose rate from it; give radiation.dose_rad_per_year instead")
    from sim.orbits import WalkerShell
    from sim.radiation.dose import (
        ALTITUDE_FACTOR,
        INCLINATION_RANGE_DEG,
        THICKNESS_MM,
        dose_rate_rad_per_year,
    )

    low, high = THICKNESS_MM[0], THICKNESS_MM[-1]
    if not low <= spec.shielding_mm_al <= high:
        raise ValueError(f"radiation.shielding_mm_al: must be in [{low:g}, {high:g}] mm (the "
                         f"dose table's range), got {spec.shielding_mm_al:g}; outside it give "
                         "radiation.dose_rad_per_year")
    elements = orbit.satellites()[0] if isinstance(orbit, WalkerShell) else orbit.orbit
    altitude_km = (elements.semi_major_axis_m - WGS72_RADIUS_M) / 1000.0
    inclination_deg = math.degrees(elements.inclination_rad)
    lowest, highest = ALTITUDE_FACTOR[0][0], ALTITUDE_FACTOR[-1][0]
    if not lowest <= altitude_km <= highest:
        raise ValueError(f"fleet.{group}.orbit: at {altitude_km:.0f} km it is outside the dose "
                         f"table radiation.shielding_mm_al reads ({lowest:g}–{highest:g} km); "
                         "give radiation.dose_rad_per_year instead")
    if not INCLINATION_RANGE_DEG[0] <= inclination_deg <= INCLINATION_RANGE_DEG[1]:
        raise ValueError(f"fleet.{group}.orbit: at {inclination_deg:.4g}° inclination it is "
                         "outside the dose table radiation.shielding_mm_al reads "
                         f"({INCLINATION_RANGE_DEG[0]:g}–{INCLINATION_RANGE_DEG[1]:g}°); give "
                         "radiation.dose_rad_per_year instead")
    return dose_rate_rad_per_year(altitude_km, inclination_deg, spec.shielding_mm_al) / YEAR_S


def effects(spec: RadiationEffectsSpec, dose_rad_per_s: float,
            distribution: Callable[[Any], Distribution]) -> RadiationEffects:
    """One part's effects with every rate per second (a per-rad rate times the dose rate)."""
    rates = {}
    for effect in EFFECTS:
        per_year = getattr(spec, f"{effect}_per_year")
        per_rad = getattr(spec, f"{effect}_per_rad")
        rates[effect] = (per_year / YEAR_S if per_year is not None
                         else (per_rad or 0.0) * dose_rad_per_s)
    tolerance = spec.dose_tolerance
    return RadiationEffects(
        corrected_per_s=rates["corrected_upsets"],
        sdc_per_s=rates["sdc"],
        sdc_detected_share=spec.sdc_detected_share,
        uncorrectable_per_s=rates["uncorrectable"],
        sefi_per_s=rates["functional_interrupts"],
        reboot=None if spec.reboot is None else distribution(spec.reboot),
        latchup_per_s=rates["latchups"],
        power_cycle=None if spec.power_cycle is None else distribution(spec.power_cycle),
        latchup_damage_probability=spec.latchup_damage_probability,
        dose_tolerance_rad=None if tolerance is None else LogNormal(
            tolerance.median_krad * RAD_PER_KRAD, tolerance.sigma),
    )


def environment(spec: RadiationSpec | None, start_utc: datetime) -> RadiationEnvironment | None:
    """The space weather every satellite shares (None without a radiation section)."""
    if spec is None:
        return None
    cycle = None
    if spec.solar_cycle is not None:
        period_s = spec.solar_cycle.period_years * YEAR_S
        cycle = SolarCycle((spec.solar_cycle.maximum - start_utc).total_seconds(), period_s,
                           spec.solar_cycle.upset_amplitude)
    storms = tuple(StormLevel(level, s.per_cycle, s.duration_h * HOUR_S, s.upset_factor,
                              s.dose_rad)
                   for level, s in sorted((spec.storms or {}).items()))
    return RadiationEnvironment(cycle, storms)


def saa_settings(spec: RadiationSpec | None) -> Any:
    """The SAA's settings (None without one)."""
    if spec is None or spec.saa is None:
        return None
    from sim.radiation.saa import SaaRegion
    from sim.radiation.where import SaaSettings

    region = spec.saa.region
    return SaaSettings(SaaRegion(region.centre_lat_deg, region.centre_lon_deg,
                                 region.half_lat_deg, region.half_lon_deg), spec.saa.rate_ratio)


def workload(spec: WorkloadSpec | None) -> TrainingWorkload | None:
    if spec is None or spec.kind == "independent":
        return None
    assert spec.satellites_per_job is not None and spec.checkpoint_interval_h is not None
    return TrainingWorkload(spec.satellites_per_job, spec.checkpoint_interval_h * HOUR_S,
                            spec.checkpoint_write_min * MINUTE_S, spec.restart_min * MINUTE_S)
