"""The aggregated power accounting (profiles, windows, the fixed point over the orbits that may
fall short) against the orbit-by-orbit walk, on eclipses that vary through seasons."""

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

RELATIVE = 1e-9
HORIZON_S = 3 * YEAR_S
PERIOD_S = 20_000.0
LONGEST_ECLIPSE_S = 2_100.0
PENUMBRA_EACH_S = 10.0

# Sized per case (``fleet``); fade, per cycle and calendar, and failing strings make it fall
# short within the horizon.
BATTERY = BatteryDesign(capacity_j=52 * KWH_J, max_depth_of_discharge=0.3,
                        charge_efficiency=0.95, discharge_efficiency=0.95,
                        fade_per_cycle=2e-5, fade_reference_dod=0.3, fade_exponent=1.5,
                        calendar_fade_per_s=0.01 / YEAR_S, part="battery")
# The array cannot recharge the longest eclipses and carry full compute: the design loses
# some sunlit compute, and ageing adds to it.
POWER = PowerDesign(array_bol_w=25_500.0, array_degradation_per_year=0.02, bus_load_w=3_000.0,
                    compute_load_w=20_000.0, eclipse_compute_level=1.0, battery=BATTERY)


def seasonal_orbits() -> Orbits:
    """Eclipses every PERIOD_S whose length follows two seasons a year, none between them."""
    starts = np.arange(1_000.0, HORIZON_S, PERIOD_S)
    season = np.abs(np.sin(2.0 * np.pi * starts / YEAR_S))
    starts = starts[season > 0.3]
    duration = LONGEST_ECLIPSE_S * (0.4 + 0.6 * season[season > 0.3])
    return Orbits.from_eclipses(starts, starts + PENUMBRA_EACH_S,
                                starts + duration - PENUMBRA_EACH_S, starts + duration,
                                HORIZON_S)


def fleet(level: float, satellites: int = 4) -> Scenario:
    strings = Part(name="battery", path="battery", role="battery", count=4, required=2,
                   failure=Exponential(2.0 * YEAR_S), repair=NoRepair())
    gpus = Part(name="gpu", path="gpu", role="compute", count=4, required=1,
                failure=Exponential(1.5 * YEAR_S), repair=TimedRepair(Fixed(40 * DAY_S)))
    # A new battery carries the longest eclipse at this level with 8 % to spare.
    need_j = (POWER.bus_load_w + POWER.compute_load_w * level) * LONGEST_ECLIPSE_S
    battery = replace(BATTERY, capacity_j=1.08 * need_j / (
        BATTERY.max_depth_of_discharge * BATTERY.discharge_efficiency))
    power = replace(POWER, eclipse_compute_level=level, battery=battery)
    design = Design(nominal_compute_pflops=2.0, parts=(strings, gpus), power=power)
    return Scenario(name="seasons", description="", start_utc=datetime(2027, 1, 1, tzinfo=UTC),
                    horizon_s=HORIZON_S, sla_fraction=0.9,
                    fleet=(FleetGroup("sats", satellites, design),))


@pytest.mark.parametrize("level", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_aggregated_accounting_equals_the_walk_through_seasons(level: float, seed: int) -> None:
    s = fleet(level)
    orbits = [seasonal_orbits()] * s.n_satellites
    walk = run_replicate(s, root_seed=seed, orbits=orbits, power_mode="walk")
    aggregated = run_replicate(s, root_seed=seed, orbits=orbits)
    causes = walk.downtime_by_cause
    # The cases reach every regime: a fading battery falling short, failed batteries browning
    # the satellites out, repairs raising the hardware capacity, and (recharging full-load
    # eclipses) the array's shortfalls.
    assert walk.repairs_by_part
    assert causes["brownout"] > 0 and walk.power["unmet_bus_kwh"] > 0
    if level > 0.0:
        assert causes["battery_degraded"] > 0
    if level == 1.0:
        assert causes["sunlit_shortfall"] > 0 and causes["array_degraded"] > 0
    assert_same_results(aggregated, walk, RELATIVE)


class FreshOrbits:
    """Builds each satellite's orbits anew on every request, shared with no one."""

    def orbits_for(self, index: int) -> Orbits:
        return seasonal_orbits()

    def shares(self, index: int) -> bool:
        return False


def test_orbits_decided_alone_or_shared_give_the_same_results() -> None:
    s = fleet(0.5)
    shared = run_replicate(s, root_seed=4, orbits=[seasonal_orbits()] * s.n_satellites)
    alone = run_replicate(s, root_seed=4, orbits=FreshOrbits())
    assert_same_results(alone, shared, 1e-12)


def test_profiles_are_kept_for_later_replications() -> None:
    s = fleet(1.0)
    orbits = seasonal_orbits()
    first = run_replicate(s, replicate=0, root_seed=4, orbits=[orbits] * s.n_satellites)
    (kept,) = orbits.profiles.values()
    built = kept.kept
    assert len(built) > 1
    again = run_replicate(s, replicate=0, root_seed=4, orbits=[orbits] * s.n_satellites)
    assert len(kept.kept) == len(built)
    assert all(a is b for a, b in zip(kept.kept, built, strict=True))
    assert again.to_dict() | {"wall_s": 0} == first.to_dict() | {"wall_s": 0}


def test_a_replication_with_power_leaves_nothing_to_the_cycle_collector() -> None:
    from support import left_for_the_collector

    from sim.model.parts import Group, Unit
    from sim.model.power import PowerAccount
    from sim.model.satellite import Satellite

    s = fleet(1.0)
    orbits = [seasonal_orbits()] * s.n_satellites
    assert left_for_the_collector(lambda: run_replicate(s, root_seed=4, orbits=orbits),
                                  (Unit, Group, Satellite, PowerAccount)) == []


def test_groups_of_other_designs_and_sizes_on_the_same_orbits_equal_the_walk() -> None:
    """Profiles are kept per power design and the fleet's load per profile and satellite
    size: groups sharing one set of orbits must not mix."""
    ride, half = fleet(1.0, satellites=3), fleet(0.5, satellites=2)
    larger = replace(ride.fleet[0], name="larger", count=2, design=replace(
        ride.fleet[0].design, nominal_compute_pflops=3.0))
    s = replace(ride, fleet=(ride.fleet[0], replace(half.fleet[0], name="half"), larger))
    orbits = [seasonal_orbits()] * s.n_satellites
    walk = run_replicate(s, root_seed=5, orbits=orbits, power_mode="walk")
    assert_same_results(run_replicate(s, root_seed=5, orbits=orbits), walk, RELATIVE)
