"""Dose-rate table lookup: published points, interpolation, altitude scaling, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.radiation.dose import (
    MISSION_DOSE_RAD,
    MISSION_YEARS,
    THICKNESS_MM,
    altitude_factor,
    dose_rate_rad_per_year,
)
from sim.units import DAY_S, YEAR_S

# The per-year figures as quoted with the paper's table (5-year totals / 5, rounded), rad/yr.
QUOTED_PER_YEAR = {
    55.0: (5240, 1900, 920, 320, 153, 110),
    100.0: (6660, 2320, 1040, 294, 114, 82),
}


@pytest.mark.parametrize("inclination", [55.0, 100.0])
def test_table_points_are_reproduced(inclination: float) -> None:
    for thickness, total, quoted in zip(
        THICKNESS_MM, MISSION_DOSE_RAD[inclination], QUOTED_PER_YEAR[inclination], strict=True
    ):
        rate = dose_rate_rad_per_year(550.0, inclination, thickness)
        assert rate == total / MISSION_YEARS
        assert round(rate) == pytest.approx(quoted, abs=1)


@pytest.mark.parametrize("inclination", [40.0, 55.0, 70.0, 97.99, 100.0, 140.0])
@pytest.mark.parametrize("altitude", [400.0, 550.0, 700.0])
def test_dose_falls_with_thickness(inclination: float, altitude: float) -> None:
    thickness = np.geomspace(1.0, 20.0, 200)
    rates = [dose_rate_rad_per_year(altitude, inclination, t) for t in thickness]
    assert np.all(np.diff(rates) < 0.0)


def test_log_log_between_rows() -> None:
    # Halfway in log thickness between 1 and 2 mm is the geometric mean of the two doses.
    expected = math.sqrt(26_200.0 * 9_500.0) / MISSION_YEARS
    assert dose_rate_rad_per_year(550.0, 55.0, math.sqrt(2.0)) == pytest.approx(expected)


def test_inclination_interpolates_and_holds_the_ends() -> None:
    low, high = 765.0 / MISSION_YEARS, 569.0 / MISSION_YEARS
    assert dose_rate_rad_per_year(550.0, 77.5, 10.0) == pytest.approx((low + high) / 2)
    assert dose_rate_rad_per_year(550.0, 40.0, 10.0) == low
    assert dose_rate_rad_per_year(550.0, 180.0, 10.0) == high


def test_altitude_rule_of_thumb() -> None:
    assert dose_rate_rad_per_year(400.0, 55.0, 10.0) == pytest.approx(153.0 / 3.0)
    assert dose_rate_rad_per_year(650.0, 55.0, 10.0) == 153.0
    assert dose_rate_rad_per_year(800.0, 55.0, 10.0) == pytest.approx(1530.0)
    # Log-linear between knots: 725 km is the geometric mean of the 650 and 800 km factors.
    assert altitude_factor(725.0) == pytest.approx(math.sqrt(10.0))
    factors = [altitude_factor(a) for a in np.linspace(400.0, 800.0, 81)]
    assert np.all(np.diff(factors) >= 0.0)


@pytest.mark.parametrize(
    ("altitude", "inclination", "thickness", "name"),
    [
        (550.0, 55.0, 0.5, "shielding_mm_al"),
        (550.0, 55.0, 25.0, "shielding_mm_al"),
        (550.0, 55.0, math.nan, "shielding_mm_al"),
        (350.0, 55.0, 10.0, "altitude_km"),
        (850.0, 55.0, 10.0, "altitude_km"),
        (math.inf, 55.0, 10.0, "altitude_km"),
        (550.0, 30.0, 10.0, "inclination_deg"),
        (550.0, 181.0, 10.0, "inclination_deg"),
        (550.0, math.nan, 10.0, "inclination_deg"),
    ],
)
def test_out_of_range_input_names_the_argument(
    altitude: float, inclination: float, thickness: float, name: str
) -> None:
    with pytest.raises(ValueError, match=f"^{name}: must be in \\[") as error:
        dose_rate_rad_per_year(altitude, inclination, thickness)
    assert "\n" not in str(error.value)


def test_one_units_radiation_lifetime_is_the_batch_one_with_the_same_draws() -> None:
    """``RadiationLife.after`` (scalars, at every swap) gives what ``lifetimes_s`` gives for
    one unit from the same stream: dose tolerance and damaging latch-ups, with storms."""
    from sim.model.distributions import LogNormal
    from sim.model.radiation import RadiationLife
    from sim.model.upsets import RadiationEffects
    from sim.radiation.cycle import SolarCycle
    from sim.radiation.exposure import Exposure
    from sim.radiation.storms import Storm

    horizon_s = 20 * YEAR_S
    exposure = Exposure(horizon_s, SolarCycle(maximum_s=2 * YEAR_S, upset_amplitude=0.25),
                        [Storm("S4", 3 * YEAR_S, 3 * YEAR_S + 2 * DAY_S, 30.0, 10.0)])
    effects = RadiationEffects(latchup_per_s=2.0 / YEAR_S, latchup_damage_probability=0.5,
                               power_cycle=LogNormal(60.0, 0.1),
                               dose_tolerance_rad=LogNormal(2000.0, 0.5))
    dose_rate = 150.0 / YEAR_S
    for installed_s in (0.0, 1.5 * YEAR_S, 3 * YEAR_S + DAY_S, 19.9 * YEAR_S):
        one = RadiationLife(effects, exposure, dose_rate, lambda: np.random.default_rng(4))
        batch = RadiationLife(effects, exposure, dose_rate, lambda: np.random.default_rng(4))
        expected = float(batch.lifetimes_s(np.array([installed_s]))[0])
        found = one.after(installed_s)
        assert found == pytest.approx(expected, rel=1e-12) or found == expected == math.inf
