"""``orbsim run --json`` on the reference cluster (dawn-dusk SSO, batteries, ride-through),
its compute load raised so that the array falls short in the eclipse season: power causes in
the lost compute, battery figures, and an energy ledger that balances."""

from __future__ import annotations

from typing import Any

import pytest
from support import CONFIGS, orbsim_json

from sim.model.power import CAUSES

REFERENCE = CONFIGS / "reference-cluster.yaml"
POWER_KEYS = {"battery_cycles", "battery_cycles_per_satellite_year", "min_state_of_charge",
              "recharge_shortfall_orbits", "bus_unpowered_hours", "array_kwh", "bus_kwh",
              "compute_kwh", "conversion_loss_kwh", "stored_change_kwh", "stored_lost_kwh",
              "unmet_bus_kwh"}


@pytest.fixture(scope="module")
def two_years() -> dict[str, Any]:
    return orbsim_json("run", str(REFERENCE), "--set", "horizon_years=2",
                       "--set", "fleet.0.design.power.compute_load_kw=20")


def test_power_causes_and_uptime_sum_to_one(two_years: dict[str, Any]) -> None:
    by_cause = two_years["downtime_by_cause"]
    assert set(by_cause) & set(CAUSES), by_cause
    assert set(by_cause) <= {*CAUSES, "hardware_failure", "repair", "radiation_reboot",
                             "radiation_latchup"}
    assert all(share >= 0.0 for share in by_cause.values())
    assert two_years["uptime"] + sum(by_cause.values()) == pytest.approx(1.0, abs=1e-9)


def test_battery_figures(two_years: dict[str, Any]) -> None:
    power = two_years["power"]
    assert set(power) == POWER_KEYS
    assert power["battery_cycles"] > 0
    assert 0.0 < power["min_state_of_charge"] <= 1.0
    assert power["unmet_bus_kwh"] == 0.0
    # One cycle per eclipse: ~1,290–1,350 a year for a dawn-dusk orbit at 650 km (§4.2).
    assert 1_000 < power["battery_cycles_per_satellite_year"] < 1_450


def test_energy_ledger_balances(two_years: dict[str, Any]) -> None:
    power = two_years["power"]
    spent = (power["bus_kwh"] + power["compute_kwh"] + power["conversion_loss_kwh"]
             + power["stored_change_kwh"] + power["stored_lost_kwh"])
    assert power["array_kwh"] == pytest.approx(spent, rel=1e-9)
    assert power["array_kwh"] > 0.0
    assert power["conversion_loss_kwh"] > 0.0


def test_bus_energy_is_the_bus_load_all_the_time(two_years: dict[str, Any]) -> None:
    """2.5 kW for every satellite-year the bus is up: at most 81 × 2 years × 2.5 kW."""
    power = two_years["power"]
    ceiling_kwh = 2.5 * two_years["satellite_years"] * 365.25 * 24
    assert 0.5 * ceiling_kwh < power["bus_kwh"] <= ceiling_kwh * (1 + 1e-12)
