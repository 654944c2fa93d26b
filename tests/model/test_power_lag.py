"""Satellites that read shared orbits at a time lag (Walker members on their plane's), and
the hardware-independent tables kept on orbits many satellites share."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from support import assert_same_results

from sim.model.design import Design, Part
from sim.model.distributions import Exponential, Fixed
from sim.model.power import BatteryDesign, Orbits, PowerDesign
from sim.model.power.account import orbit_time, own_time
from sim.model.power.profiles import LinearProfiles
from sim.model.repair import NoRepair, TimedRepair
from sim.replicate import run_replicate
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, KWH_J, YEAR_S

HORIZON_S = 2 * YEAR_S
PERIOD_S = 5_700.0
RELATIVE = 1e-9


def seasonal_orbits(linear: bool, shift_s: float = 0.0, period_s: float = PERIOD_S) -> Orbits:
    """Eclipses every ``period_s`` whose length follows two seasons a year, none between
    them; ``shift_s`` earlier."""
    starts = np.arange(1_000.0, HORIZON_S + 2 * period_s, period_s)
    season = np.abs(np.sin(2.0 * np.pi * starts / YEAR_S))
    starts = starts[season > 0.3]
    duration = 2_100.0 * (0.4 + 0.6 * season[season > 0.3])
    starts = starts - shift_s
    return Orbits.from_eclipses(starts, starts + 10.0, starts + duration - 10.0,
                                starts + duration, HORIZON_S, linear_profiles=linear)


STRINGS_FAIL = Exponential(1.5 * YEAR_S)


def design(gpu_failure: Exponential | Fixed, array_w: float = 25_500.0,
           string_failure: Exponential | Fixed = STRINGS_FAIL) -> Design:
    battery = BatteryDesign(capacity_j=12 * KWH_J, max_depth_of_discharge=0.3,
                            charge_efficiency=0.95, discharge_efficiency=0.95,
                            fade_per_cycle=2e-5, fade_reference_dod=0.3, fade_exponent=1.5,
                            calendar_fade_per_s=0.01 / YEAR_S, part="battery")
    power = PowerDesign(array_bol_w=array_w, array_degradation_per_year=0.02,
                        bus_load_w=3_000.0, compute_load_w=20_000.0,
                        eclipse_compute_level=0.0, battery=battery)
    strings = Part(name="battery", path="battery", role="battery", count=4, required=2,
                   failure=string_failure, repair=NoRepair())
    repair = NoRepair() if isinstance(gpu_failure, Fixed) else TimedRepair(Fixed(20 * DAY_S))
    gpus = Part(name="gpu", path="gpu", role="compute", count=4, required=1,
                failure=gpu_failure, repair=repair)
    return Design(nominal_compute_pflops=2.0, parts=(strings, gpus), power=power)


def scenario(d: Design, satellites: int = 4) -> Scenario:
    return Scenario(name="lag", description="", start_utc=datetime(2027, 1, 1, tzinfo=UTC),
                    horizon_s=HORIZON_S, sla_fraction=0.5,
                    fleet=(FleetGroup("sats", satellites, d),))


class Lagged:
    """Every satellite on one shared set of orbits, satellite k ``lags[k]`` ahead of it."""

    def __init__(self, orbits: Orbits, lags: list[float]):
        self.orbits = orbits
        self.lags = lags

    def orbits_for(self, index: int) -> Orbits:
        return self.orbits

    def shares(self, index: int) -> bool:
        return True

    def lag_s(self, index: int) -> float:
        return self.lags[index]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("array_w", [25_500.0, 23_200.0])
def test_hardware_independent_tables_equal_the_walk(seed: int, array_w: float) -> None:
    """Shed compute on shared orbits: the one table per set of orbits gives what the walk
    gives, through repairs, failing strings, fade, and (with the smaller array) sunlight that
    cannot carry the whole compute load, whose orbits run as chains."""
    s = scenario(design(Exponential(1.0 * YEAR_S), array_w))
    orbits = seasonal_orbits(linear=True, period_s=4 * PERIOD_S)
    walk = run_replicate(s, root_seed=seed, orbits=[seasonal_orbits(False, period_s=4 * PERIOD_S)]
                         * s.n_satellites, power_mode="walk")
    tables = run_replicate(s, root_seed=seed, orbits=[orbits] * s.n_satellites)
    (kept,) = [v for v in orbits.profiles.values() if isinstance(v, LinearProfiles)]
    # Several hardware capacities, one table.
    assert len(kept.kept) > 2
    if array_w < 25_000.0:
        assert walk.downtime_by_cause.get("sunlit_shortfall", 0.0) > 0.0
    assert walk.repairs_by_part
    assert_same_results(tables, walk, RELATIVE)


def test_a_satellite_with_constant_hardware_loses_what_its_orbits_give_whatever_its_lag(
) -> None:
    """With no state change, a lagged satellite's account covers the orbits' [0, horizon]:
    its losses are the orbits' own, and land in the months ``lag`` earlier."""
    s = scenario(design(Fixed(10 * YEAR_S), string_failure=Fixed(10 * YEAR_S)), satellites=1)
    orbits = seasonal_orbits(linear=True)
    alone = run_replicate(s, root_seed=1, orbits=Lagged(orbits, [0.0]))
    lagged = run_replicate(s, root_seed=1, orbits=Lagged(orbits, [2_000.0]))
    assert lagged.uptime == pytest.approx(alone.uptime, rel=1e-12)
    assert lagged.downtime_by_cause == pytest.approx(alone.downtime_by_cause, rel=1e-12)
    assert lagged.power == pytest.approx(alone.power, rel=1e-12)


@pytest.mark.parametrize("lag_s", [1_234.5, -2_500.0])
def test_a_change_at_t_meets_the_orbits_at_t_plus_lag(lag_s: float) -> None:
    """Every GPU fails at t: a satellite ``lag`` ahead of its orbits loses to power what a
    satellite on them with no lag loses when its GPUs fail at t + lag."""
    t_s = 0.6 * YEAR_S
    orbits = seasonal_orbits(linear=True)
    strings = Fixed(10 * YEAR_S)
    lagged = run_replicate(scenario(design(Fixed(t_s), string_failure=strings), 1),
                           root_seed=1, orbits=Lagged(orbits, [lag_s]))
    moved = run_replicate(scenario(design(Fixed(t_s + lag_s), string_failure=strings), 1),
                          root_seed=1, orbits=Lagged(orbits, [0.0]))
    power = {k: v for k, v in lagged.downtime_by_cause.items() if k != "hardware_failure"}
    assert power and power == pytest.approx(
        {k: v for k, v in moved.downtime_by_cause.items() if k != "hardware_failure"},
        rel=1e-12)
    assert lagged.power == pytest.approx(moved.power, rel=1e-12)
    # The hardware's own loss is the satellite's: from t, not t + lag.
    assert lagged.downtime_by_cause["hardware_failure"] == pytest.approx(
        (HORIZON_S - t_s) / HORIZON_S, rel=1e-12)


def test_a_lagged_satellite_equals_one_on_its_own_shifted_orbits_but_at_the_ends() -> None:
    """A satellite ``lag`` ahead of shared orbits against the same satellite on those orbits
    moved ``lag`` earlier: the accounts cover windows ``lag`` apart, so they differ by at
    most what compute a satellite can lose in ``lag`` at each end."""
    lag_s = 2_000.0
    s = scenario(design(Exponential(1.0 * YEAR_S)), 3)
    lagged = run_replicate(s, root_seed=5, orbits=Lagged(seasonal_orbits(True), [lag_s] * 3))
    own = run_replicate(s, root_seed=5, orbits=[seasonal_orbits(True, lag_s)] * 3)
    bound = 2 * lag_s / HORIZON_S
    assert abs(lagged.uptime - own.uptime) <= bound
    for cause in own.downtime_by_cause.keys() | lagged.downtime_by_cause.keys():
        assert abs(lagged.downtime_by_cause.get(cause, 0.0)
                   - own.downtime_by_cause.get(cause, 0.0)) <= bound
    assert lagged.uptime != own.uptime


def test_states_and_down_periods_move_between_the_satellites_time_and_the_orbits() -> None:
    times, hardware, strings = (np.array([0.0, 10.0, 50.0, 95.0]), np.array([1.0, 0.5, 0.25, 0]),
                                np.array([1.0, 1.0, 0.5, 0.5]))
    t, h, b = orbit_time(times, hardware, strings, 20.0, 100.0)
    assert t.tolist() == [0.0, 30.0, 70.0] and h.tolist() == [1.0, 0.5, 0.25]
    assert b.tolist() == [1.0, 1.0, 0.5]
    t, h, b = orbit_time(times, hardware, strings, -30.0, 100.0)
    # The state held at the orbits' 0 (the satellite's 30) holds from 0.
    assert t.tolist() == [0.0, 20.0, 65.0] and h.tolist() == [0.5, 0.25, 0.0]
    assert own_time([(5.0, 15.0), (90.0, 130.0), (1.0, 3.0)], 10.0, 100.0) == [
        (0.0, 5.0), (80.0, 100.0)]


def test_the_eclipse_curve_is_the_eclipse_time_from_zero() -> None:
    from sim.model.power.load import EclipseCurve

    orbits = seasonal_orbits(linear=True)
    times = np.stack([orbits.start_s, orbits.eclipse_end_s], axis=1).ravel()
    cumulative = np.zeros(len(times))
    cumulative[1::2] = np.cumsum(orbits.duration_s)
    cumulative[2::2] = cumulative[1:-1:2]
    t = np.random.default_rng(1).uniform(-100.0, HORIZON_S + 100.0, 10_000)
    np.testing.assert_allclose(EclipseCurve.of(orbits)(t), np.interp(t, times, cumulative),
                               rtol=1e-12, atol=1e-6)
    assert EclipseCurve.of(orbits) is EclipseCurve.of(orbits)
