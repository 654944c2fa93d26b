"""The solar cycle, the storm process and the exposure clocks against direct integration."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from scipy import integrate, stats

from sim.radiation.cycle import CYCLE_PERIOD_S, QUIET_SHARE, SolarCycle, cycle_from_dates
from sim.radiation.exposure import Exposure
from sim.radiation.storms import Storm, StormLevel, draw_storms
from sim.units import DAY_S, HOUR_S, YEAR_S

K_SIGMA = 4.0


def test_cycle_factors_average_one_over_a_cycle() -> None:
    cycle = SolarCycle(maximum_s=1e7, upset_amplitude=0.3)
    t = np.linspace(0.0, CYCLE_PERIOD_S, 200_001)
    assert np.trapezoid(cycle.upset_factor(t), t) / CYCLE_PERIOD_S == pytest.approx(1, abs=1e-9)
    assert np.trapezoid(cycle.storm_factor(t), t) / CYCLE_PERIOD_S == pytest.approx(1, abs=1e-4)
    quiet = np.mean(cycle.storm_factor(t[:-1]) == 0.0)
    assert quiet == pytest.approx(QUIET_SHARE, abs=1e-4)
    assert cycle.storm_factor(1e7) == pytest.approx(cycle.storm_peak)
    assert 2.0 < cycle.storm_peak < 2.5
    # Upsets peak at solar minimum, half a cycle after the maximum.
    assert cycle.upset_factor(1e7 + CYCLE_PERIOD_S / 2) == pytest.approx(1.3)
    assert cycle.upset_factor(1e7) == pytest.approx(0.7)


def test_cycle_integral_is_exact() -> None:
    cycle = SolarCycle(maximum_s=-3e8, upset_amplitude=0.25)
    for end_s in (1e5, 3.3e7, 6.3e8):
        numeric, _ = integrate.quad(lambda s: float(cycle.upset_factor(s)), 0.0, end_s,
                                    limit=500)
        assert float(cycle.upset_integral(end_s)) == pytest.approx(numeric, rel=1e-10)


def test_cycle_25_is_phased_on_its_declared_maximum() -> None:
    cycle = cycle_from_dates(datetime(2027, 1, 1, tzinfo=UTC), 0.2)
    assert cycle.maximum_s == pytest.approx(-(datetime(2027, 1, 1, tzinfo=UTC) - datetime(
        2024, 10, 15, tzinfo=UTC)).total_seconds())


def test_exposure_clock_and_its_inverse_with_storms() -> None:
    cycle = SolarCycle(maximum_s=0.0, upset_amplitude=0.2)
    storms = [Storm("S3", 2e7, 2e7 + 2 * DAY_S, 10.0, 5.0),
              Storm("S4", 2e7 + DAY_S, 2e7 + 4 * DAY_S, 30.0, 50.0)]
    horizon_s = 3 * YEAR_S
    exposure = Exposure(horizon_s, cycle, storms)

    def factor(s: float) -> float:
        return float(exposure.upset_factor(np.array([s]))[0])

    points = [storms[0].start_s, storms[1].start_s, storms[0].end_s, storms[1].end_s]
    for end_s in (1e7, 2e7 + 1.5 * DAY_S, 2.5e7, horizon_s):
        numeric, _ = integrate.quad(factor, 0.0, end_s, points=[p for p in points if p < end_s],
                                    limit=800)
        assert float(exposure.upset_exposure_s_at(end_s)) == pytest.approx(numeric, rel=1e-7)
    probe = np.linspace(0.0, exposure.total_upset_exposure_s, 1001)
    assert np.allclose(exposure.upset_exposure_s_at(exposure.time_at_upset_exposure(probe)),
                       probe, rtol=0, atol=1e-3)
    # Dose: 100 rad/yr times the cycle, plus each storm's dose spread over its window.
    rate = 100.0 / YEAR_S
    assert float(exposure.dose_rad(rate, horizon_s)) == pytest.approx(
        rate * float(cycle.upset_integral(horizon_s)) + 55.0, rel=1e-9)
    assert float(exposure.dose_rad(rate, 2e7 + DAY_S)) == pytest.approx(
        rate * float(cycle.upset_integral(2e7 + DAY_S)) + 2.5, rel=1e-9)
    doses = np.array([10.0, 150.0, 299.0])
    assert np.allclose(exposure.dose_rad(rate, exposure.time_at_dose(rate, doses)), doses)
    assert np.isinf(exposure.time_at_dose(rate, np.array([1e6]))[0])


def test_storm_counts_are_poisson_at_their_cycle_frequency() -> None:
    """Over many cycles, each level's count is Poisson with mean per_cycle × cycles (the
    cycle's storm factor averages 1), and none falls in the quiet years."""
    levels = (StormLevel("S1", 50, 12 * HOUR_S, 2, 0), StormLevel("S4", 3, 2 * DAY_S, 30, 10))
    cycle = SolarCycle(maximum_s=0.0)
    cycles = 20
    storms = draw_storms(levels, cycle, cycles * CYCLE_PERIOD_S, np.random.default_rng(3))
    for level in levels:
        n = sum(s.level == level.level for s in storms)
        expected = level.per_cycle * cycles
        assert abs(n - expected) <= K_SIGMA * math.sqrt(expected), (level.level, n)
    assert all(cycle.storm_factor(s.start_s) > 0 for s in storms)
    assert [s.start_s for s in storms] == sorted(s.start_s for s in storms)


def test_storm_starts_follow_the_cycle_shape() -> None:
    """Starts are distributed as the storm factor: a Kolmogorov–Smirnov test of their phase."""
    cycle = SolarCycle(maximum_s=0.0)
    storms = draw_storms((StormLevel("S1", 400, HOUR_S, 2, 0),), cycle, 5 * CYCLE_PERIOD_S,
                         np.random.default_rng(7))
    phases = np.sort([(s.start_s % CYCLE_PERIOD_S) / CYCLE_PERIOD_S for s in storms])
    grid = np.linspace(0.0, 1.0, 20_001)
    cdf = np.concatenate([[0.0], np.cumsum(cycle.storm_factor(grid[1:] * CYCLE_PERIOD_S))])
    cdf /= cdf[-1]

    def model_cdf(x: np.ndarray) -> np.ndarray:
        return np.interp(x, grid, cdf)

    assert stats.kstest(phases, model_cdf).pvalue > 1e-4


def test_clocks_read_at_one_time_equal_the_array_reads_bitwise() -> None:
    """``*_one`` (bisection on lists, read at every swap) give numpy's interpolated values
    exactly: at random times, at the knots, before the start and past the end."""
    storms = [Storm(level="S3", start_s=3 * DAY_S, end_s=4.5 * DAY_S, upset_factor=10.0,
                    dose_rad=1.0)]
    exposure = Exposure(2 * YEAR_S, SolarCycle(maximum_s=1e7, upset_amplitude=0.3), storms)
    rng = np.random.default_rng(5)
    times = np.concatenate([rng.uniform(-DAY_S, 2 * YEAR_S + DAY_S, 3_000),
                            exposure.knots_s[:50], exposure.knots_s[-3:]])
    rate = 150.0 / YEAR_S
    doses = exposure.dose_rad(rate, times)
    upsets = exposure.upset_exposure_s_at(times)
    after_end = exposure.total_upset_exposure_s + 1.0
    for t, dose, upset in zip(times.tolist(), doses.tolist(), upsets.tolist(), strict=True):
        assert exposure.upset_exposure_one(t) == upset
        assert exposure.dose_one(rate, t) == dose
        assert exposure.time_at_upset_exposure_one(upset) == float(
            exposure.time_at_upset_exposure(np.array([upset]))[0])
        assert exposure.time_at_dose_one(rate, dose + 0.5) == float(
            exposure.time_at_dose(rate, np.array([dose + 0.5]))[0])
    assert exposure.time_at_upset_exposure_one(after_end) == exposure.horizon_s
    assert exposure.time_at_dose_one(rate, 1e9) == math.inf
