"""Eclipse power against hand closed forms, the energy ledger, and the orbit-by-orbit walk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from support import assert_same_results

from sim.model.design import Design, Part
from sim.model.distributions import Exponential, Fixed
from sim.model.power import BatteryDesign, Orbits, PowerDesign
from sim.model.repair import NoRepair, TimedRepair
from sim.replicate import run_replicate
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, KWH_J, YEAR_S

PERIOD_S = 5_700.0
ECLIPSE_S = 2_100.0
PENUMBRA_EACH_S = 10.0
RELATIVE = 1e-9

BATTERY = BatteryDesign(capacity_j=60 * KWH_J, max_depth_of_discharge=0.3,
                        charge_efficiency=0.95, discharge_efficiency=0.95,
                        fade_per_cycle=0.0, fade_reference_dod=0.3, fade_exponent=1.5,
                        calendar_fade_per_s=0.0, part="battery")
POWER = PowerDesign(array_bol_w=45_000.0, array_degradation_per_year=0.0, bus_load_w=3_000.0,
                    compute_load_w=20_000.0, eclipse_compute_level=1.0, battery=BATTERY)


def orbits(horizon_s: float, first_s: float = 1_000.0) -> Orbits:
    """Identical eclipses every PERIOD_S: penumbra, umbra, penumbra."""
    ps = np.arange(first_s, horizon_s, PERIOD_S)
    return Orbits.from_eclipses(ps, ps + PENUMBRA_EACH_S, ps + ECLIPSE_S - PENUMBRA_EACH_S,
                                ps + ECLIPSE_S, horizon_s)


def scenario(power: PowerDesign, horizon_s: float, satellites: int = 1,
             *parts: Part) -> Scenario:
    never = Part(name="battery", path="battery", role="battery", count=4, required=2,
                 failure=Fixed(1e12), repair=NoRepair())
    design = Design(nominal_compute_pflops=1.0, parts=parts or (never,), power=power)
    return Scenario(name="power", description="", start_utc=datetime(2027, 1, 1, tzinfo=UTC),
                    horizon_s=horizon_s, sla_fraction=0.9,
                    fleet=(FleetGroup("sats", satellites, design),))


def run(s: Scenario, mode: str = "aggregated", seed: int = 0):  # type: ignore[no-untyped-def]
    sat_orbits = orbits(s.horizon_s)
    return run_replicate(s, root_seed=seed, orbits=[sat_orbits] * s.n_satellites,
                         power_mode=mode)  # type: ignore[arg-type]


def eclipse_count(horizon_s: float) -> int:
    return len(np.arange(1_000.0, horizon_s, PERIOD_S))


def test_a_battery_sized_for_ride_through_loses_nothing() -> None:
    horizon = 30 * DAY_S
    result = run(scenario(POWER, horizon))
    assert result.uptime == pytest.approx(1.0, abs=1e-12)
    assert result.power["battery_cycles"] == eclipse_count(horizon)
    # Each eclipse draws (bus + compute)·D − ½·array·penumbra, over η_discharge.
    drawn_j = ((3_000 + 20_000) * ECLIPSE_S - 0.5 * 45_000 * 2 * PENUMBRA_EACH_S) / 0.95
    assert result.power["min_state_of_charge"] == pytest.approx(1 - drawn_j / (60 * KWH_J))


def test_shedding_loses_exactly_the_shadow_time() -> None:
    horizon = 30 * DAY_S
    result = run(scenario(replace(POWER, eclipse_compute_level=0.0), horizon))
    shadow = eclipse_count(horizon) * ECLIPSE_S / horizon
    assert result.uptime == pytest.approx(1.0 - shadow, rel=RELATIVE)
    assert result.downtime_by_cause == pytest.approx({"eclipse_shortfall": shadow}, rel=RELATIVE)


def test_a_small_battery_cuts_compute_where_the_closed_form_says() -> None:
    horizon = 30 * DAY_S
    small = replace(BATTERY, capacity_j=20 * KWH_J)
    result = run(scenario(replace(POWER, battery=small), horizon))
    usable_out_j = 20 * KWH_J * 0.3 * 0.95
    array_j = 0.5 * 45_000 * 2 * PENUMBRA_EACH_S
    cut_s = (usable_out_j + array_j - 3_000 * ECLIPSE_S) / 20_000
    lost = eclipse_count(horizon) * (ECLIPSE_S - cut_s) / horizon
    assert 0 < cut_s < ECLIPSE_S
    assert result.uptime == pytest.approx(1.0 - lost, rel=RELATIVE)
    assert result.downtime_by_cause == pytest.approx({"eclipse_shortfall": lost}, rel=RELATIVE)


def test_a_failed_battery_browns_the_satellite_out_every_eclipse() -> None:
    """Strings below the required number from day 5: each later eclipse empties the battery
    at once, the bus loses power, and the satellite is down until a recovery time after the
    eclipse ends (shorter than the sunlight here, so it computes again before the next)."""
    horizon = 20 * DAY_S
    recovery_s = 1_800.0
    strings = Part(name="battery", path="battery", role="battery", count=4, required=2,
                   failure=Fixed(5 * DAY_S), repair=NoRepair())
    result = run(scenario(replace(POWER, brownout_recovery_s=recovery_s), horizon, 1, strings))
    ps = np.arange(1_000.0, horizon, PERIOD_S)
    after = ps[ps >= 5 * DAY_S]
    down_s = np.minimum(after + ECLIPSE_S + recovery_s, horizon) - after
    assert result.downtime_by_cause == pytest.approx({"brownout": down_s.sum() / horizon},
                                                     rel=RELATIVE)
    assert result.events["brownouts"] == len(after)
    assert result.events["satellite_outages"] == len(after)
    assert result.events["satellite_recoveries"] == np.count_nonzero(
        after + ECLIPSE_S + recovery_s < horizon)
    # The bus goes without power through every eclipse after the failure.
    assert result.power["unmet_bus_kwh"] * KWH_J == pytest.approx(
        3_000 * ECLIPSE_S * len(after), rel=RELATIVE)
    assert result.power["bus_unpowered_hours"] * 3_600 == pytest.approx(ECLIPSE_S * len(after),
                                                                        rel=RELATIVE)


def test_array_degradation_throttles_sunlit_compute_late_in_life() -> None:
    horizon = 10 * YEAR_S
    aging = replace(POWER, array_bol_w=40_000.0, array_degradation_per_year=0.03)
    result = run(scenario(aging, horizon))
    assert result.downtime_by_cause["array_degraded"] > 0
    assert result.uptime + sum(result.downtime_by_cause.values()) == pytest.approx(1.0, abs=1e-9)


def fleet_with_failures() -> Scenario:
    """Multi-year, with fade, array ageing, failing strings and repaired accelerators."""
    battery = replace(BATTERY, capacity_j=52 * KWH_J, fade_per_cycle=2e-5,
                      calendar_fade_per_s=0.01 / YEAR_S)
    power = replace(POWER, array_degradation_per_year=0.02, battery=battery)
    strings = Part(name="battery", path="battery", role="battery", count=4, required=2,
                   failure=Exponential(1.5 * YEAR_S), repair=NoRepair())
    gpus = Part(name="gpu", path="gpu", role="compute", count=4, required=1,
                failure=Exponential(1.0 * YEAR_S), repair=TimedRepair(Fixed(20 * DAY_S)))
    return scenario(power, 3 * YEAR_S, 3, strings, gpus)


def test_aggregated_accounting_equals_the_orbit_by_orbit_walk() -> None:
    s = fleet_with_failures()
    walk = run(s, "walk", seed=3)
    aggregated = run(s, "aggregated", seed=3)
    assert walk.events["failures"] > 5
    assert set(walk.downtime_by_cause) >= {"battery_degraded", "brownout", "repair"}
    assert_same_results(aggregated, walk, RELATIVE)
    assert aggregated.sim_events < walk.sim_events / 100


def test_energy_ledger_balances_and_matches_delivered_compute() -> None:
    s = fleet_with_failures()
    result = run(s, seed=5)
    p = result.power
    out = (p["bus_kwh"] + p["compute_kwh"] + p["conversion_loss_kwh"] + p["stored_change_kwh"]
           + p["stored_lost_kwh"])
    assert p["array_kwh"] == pytest.approx(out, rel=1e-12)
    assert result.uptime + sum(result.downtime_by_cause.values()) == pytest.approx(1.0, abs=1e-9)


def test_compute_energy_is_the_delivered_compute_times_its_power() -> None:
    horizon = 60 * DAY_S
    small = replace(BATTERY, capacity_j=20 * KWH_J)
    result = run(scenario(replace(POWER, battery=small), horizon, 2))
    delivered_s = result.uptime * horizon * 2
    assert result.power["compute_kwh"] * KWH_J == pytest.approx(20_000 * delivered_s, rel=1e-9)


def test_a_failure_inside_an_eclipse_splits_its_loss_exactly() -> None:
    """Compute shed in eclipse; the only gpu dies 700 s into the third eclipse.

    Before the failure: shadow time is charged to the eclipse rule. From the failure on the
    satellite has no compute, so everything is hardware, and nothing more is charged to power.
    """
    horizon = 2 * DAY_S
    fails_at = 1_000.0 + 2 * PERIOD_S + 700.0
    gpu = Part(name="gpu", path="gpu", role="compute", count=1, required=1,
               failure=Fixed(fails_at), repair=NoRepair())
    result = run(scenario(replace(POWER, eclipse_compute_level=0.0), horizon, 1, gpu))
    shadow_before = 2 * ECLIPSE_S + 700.0
    assert result.downtime_by_cause == pytest.approx(
        {"eclipse_shortfall": shadow_before / horizon,
         "hardware_failure": (horizon - fails_at) / horizon}, rel=RELATIVE)
    assert result.uptime == pytest.approx((fails_at - shadow_before) / horizon, rel=RELATIVE)
    walk = run(scenario(replace(POWER, eclipse_compute_level=0.0), horizon, 1, gpu), "walk")
    assert walk.downtime_by_cause == pytest.approx(result.downtime_by_cause, rel=RELATIVE)
