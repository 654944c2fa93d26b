"""Power that obeys physics: energy is never created, stored energy stays within its bounds,
a brownout takes the satellite down, no cause of lost compute is negative, and the array
follows the Sun's distance."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import assert_same_results

from sim.model.design import Design, Part
from sim.model.distributions import Exponential, Fixed
from sim.model.power import BatteryDesign, Orbits, PowerDesign
from sim.model.power.causes import without_negative_steps
from sim.model.repair import NoRepair, TimedRepair
from sim.replicate import build, summarise
from sim.rng import Streams
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, HOUR_S, KWH_J, YEAR_S

RELATIVE = 1e-9


def orbits_of(period_s: float, eclipse_s: float, penumbra_s: float,
              season_days: float | None, horizon_s: float) -> Orbits:
    """Eclipses every ``period_s`` whose length swells and shrinks with a season (or does
    not, without one)."""
    starts = np.arange(period_s / 3, horizon_s, period_s)
    season = (1.0 if season_days is None
              else 0.25 + 0.75 * np.abs(np.sin(np.pi * starts / (season_days * DAY_S))))
    duration = np.maximum(eclipse_s * season, 2 * penumbra_s + 1.0)
    return Orbits.from_eclipses(starts, starts + penumbra_s, starts + duration - penumbra_s,
                                starts + duration, horizon_s)


designs = st.builds(
    lambda array_kw, bus_share, compute_kw, level, capacity_kwh, dod, eta_c, eta_d, fade,
    calendar, ageing, recovery_h: PowerDesign(
        array_bol_w=array_kw * 1000, array_degradation_per_year=ageing,
        bus_load_w=bus_share * array_kw * 1000, compute_load_w=compute_kw * 1000,
        eclipse_compute_level=level, brownout_recovery_s=recovery_h * HOUR_S,
        battery=BatteryDesign(capacity_j=capacity_kwh * KWH_J, max_depth_of_discharge=dod,
                              charge_efficiency=eta_c, discharge_efficiency=eta_d,
                              fade_per_cycle=fade, fade_reference_dod=0.3, fade_exponent=1.5,
                              calendar_fade_per_s=calendar / YEAR_S, part="battery")),
    st.floats(3, 60), st.floats(0.05, 0.6), st.floats(0.5, 40), st.sampled_from([0.0, 0.5, 1.0]),
    st.floats(1, 80), st.floats(0.1, 0.9), st.floats(0.8, 1.0), st.floats(0.8, 1.0),
    st.floats(0, 3e-3), st.floats(0, 0.5), st.floats(0, 0.5), st.floats(0, 6))


@settings(derandomize=True, max_examples=40, deadline=None)
@given(design=designs, period_s=st.floats(5_000, 7_000), eclipse_share=st.floats(0.05, 0.45),
       season_days=st.floats(5, 40), strings_years=st.floats(0.02, 1.0),
       gpu_years=st.floats(0.02, 1.0), satellites=st.integers(1, 3), seed=st.integers(0, 99))
def test_stored_energy_stays_within_bounds_and_the_ledger_balances(
        design: PowerDesign, period_s: float, eclipse_share: float, season_days: float,
        strings_years: float, gpu_years: float, satellites: int, seed: int) -> None:
    """Over random designs and orbits, with strings failing and accelerators failing and
    repaired: every battery's stored energy stays in [0, usable energy] after every stretch;
    ``array = bus + compute + conversion + Δstored + lost with capacity``; no cause is
    negative; and the fast path gives what the walk gives."""
    horizon_s = 40 * DAY_S
    strings = Part(name="battery", path="battery", role="battery", count=4, required=2,
                   failure=Exponential(strings_years * YEAR_S),
                   repair=TimedRepair(Fixed(3 * DAY_S)))
    gpus = Part(name="gpu", path="gpu", role="compute", count=2, required=1,
                failure=Exponential(gpu_years * YEAR_S), repair=TimedRepair(Fixed(DAY_S)))
    scenario = Scenario(
        name="random", description="", start_utc=datetime(2027, 1, 1, tzinfo=UTC),
        horizon_s=horizon_s, sla_fraction=0.5,
        fleet=(FleetGroup("sats", satellites, Design(1.0, (strings, gpus), design)),))
    orbits = [orbits_of(period_s, eclipse_share * period_s, 15.0, season_days, horizon_s)]
    orbits *= satellites
    wiring = build(scenario, Streams(seed, 0), orbits, power_mode="walk")
    wiring.env.run(until=horizon_s)
    walks = [account.walk for account in wiring.power]
    walked = summarise(scenario, 0, seed, wiring.run(horizon_s), wiring.events,
                       0.0, wiring.power)
    for walk in walks:
        assert walk is not None
        assert walk.least_stored_j >= 0.0
        assert walk.most_above_usable_j <= 1e-9 * design.battery.capacity_j
    power = walked.power
    spent = (power["bus_kwh"] + power["compute_kwh"] + power["conversion_loss_kwh"]
             + power["stored_change_kwh"] + power["stored_lost_kwh"])
    assert power["array_kwh"] == pytest.approx(spent, rel=RELATIVE, abs=1e-9)
    assert power["conversion_loss_kwh"] >= 0.0 and power["stored_lost_kwh"] >= 0.0
    assert all(share >= 0.0 for share in walked.downtime_by_cause.values())
    assert walked.uptime + sum(walked.downtime_by_cause.values()) == pytest.approx(1.0,
                                                                                  abs=1e-9)
    fast = build(scenario, Streams(seed, 0), orbits)
    fast_result = summarise(scenario, 0, seed, fast.run(horizon_s), 0, 0.0, fast.power)
    assert_same_results(fast_result, walked, 1e-8)


def test_negative_steps_are_taken_off_the_causes_before_them() -> None:
    assert without_negative_steps([3.0, 2.0, -2.5, 1.0]) == [2.5, 0.0, 0.0, 1.0]
    assert without_negative_steps([1.0, 0.0, 0.5, -0.2]) == pytest.approx([1.0, 0.0, 0.3, 0.0])
    assert without_negative_steps([0.0, 0.0]) == [0.0, 0.0]
    kept = without_negative_steps([0.4, 0.1, -0.3, 0.2, -0.05])
    assert all(k >= 0.0 for k in kept) and sum(kept) == pytest.approx(0.35)


def test_an_array_that_cannot_recharge_creates_no_energy() -> None:
    """The 400 km / 3 kW case, run past validation: the battery can only give what it held,
    the rest of the bus load is unmet and browns the satellites out."""
    horizon_s = 20 * DAY_S
    battery = BatteryDesign(capacity_j=31 * KWH_J, max_depth_of_discharge=0.3,
                            charge_efficiency=0.95, discharge_efficiency=0.95,
                            fade_per_cycle=0.0, fade_reference_dod=0.3, fade_exponent=1.5,
                            calendar_fade_per_s=0.0)
    design = PowerDesign(array_bol_w=3_000.0, array_degradation_per_year=0.0,
                         bus_load_w=2_500.0, compute_load_w=21_000.0,
                         eclipse_compute_level=0.0, battery=battery)
    never = Part(name="bus", path="bus", role="bus", count=1, required=1,
                 failure=Fixed(1e12), repair=NoRepair())
    scenario = Scenario(name="small-array", description="",
                        start_utc=datetime(2027, 1, 1, tzinfo=UTC), horizon_s=horizon_s,
                        sla_fraction=0.5,
                        fleet=(FleetGroup("sats", 3, Design(32.0, (never,), design)),))
    # 400 km: a 92.6-minute orbit with 36-minute eclipses.
    orbits = [orbits_of(5_556.0, 2_160.0, 8.0, None, horizon_s)] * 3
    wiring = build(scenario, Streams(0, 0), orbits)
    result = summarise(scenario, 0, 0, wiring.run(horizon_s), 0, 0.0, wiring.power)
    power = result.power
    held_kwh = 3 * battery.new_usable_j / KWH_J
    assert -held_kwh <= power["stored_change_kwh"] <= held_kwh
    assert power["unmet_bus_kwh"] > 0.0 and result.events["brownouts"] > 0
    assert result.downtime_by_cause["brownout"] > 0.0
    spent = (power["bus_kwh"] + power["compute_kwh"] + power["conversion_loss_kwh"]
             + power["stored_change_kwh"] + power["stored_lost_kwh"])
    assert power["array_kwh"] == pytest.approx(spent, rel=RELATIVE)
    # The bus gets no more than the array gives and the battery held.
    assert power["bus_kwh"] <= power["array_kwh"] + held_kwh


def test_array_output_follows_the_suns_distance() -> None:
    """July's output over January's is (r_Jan / r_Jul)² exactly, as the irradiance factor
    of the orbits says, and the array ages on top of it."""
    horizon_s = YEAR_S
    starts = np.arange(1_000.0, horizon_s, 6_000.0)
    r_au = 1.0 + 0.0167 * np.cos(2 * np.pi * (np.arange(0, 366) - 3) / 365.25)

    def irradiance(t_s: np.ndarray) -> np.ndarray:
        return 1.0 / np.interp(t_s / DAY_S, np.arange(0, 366), r_au) ** 2

    orbits = Orbits.from_eclipses(starts, starts + 10, starts + 2_000, starts + 2_010,
                                  horizon_s, irradiance)
    design = PowerDesign(array_bol_w=28_000.0, array_degradation_per_year=0.005,
                         bus_load_w=2_500.0, compute_load_w=16_000.0,
                         eclipse_compute_level=1.0,
                         battery=BatteryDesign(31 * KWH_J, 0.3, 0.95, 0.95, 0, 0.3, 1.5, 0))
    array = orbits.array(design)
    jan = int(np.searchsorted(orbits.start_s, 2 * DAY_S))
    jul = int(np.searchsorted(orbits.start_s, 184 * DAY_S))
    middle = 0.5 * (orbits.eclipse_end_s + orbits.end_s)
    expected = irradiance(middle[jul]) / irradiance(middle[jan])
    assert array.sunlit_bol_w[jul] / array.sunlit_bol_w[jan] == pytest.approx(expected,
                                                                             rel=1e-12)
    ageing = (1 - 0.005) ** ((middle[jul] - middle[jan]) / YEAR_S)
    assert array.sunlit_w[jul] / array.sunlit_w[jan] == pytest.approx(expected * ageing,
                                                                     rel=1e-12)
