"""Cost metrics: the fleet as launched, what maintenance bought, their total and the cost per
delivered PFLOPS-hour, each checked against the scenario's own prices."""

from __future__ import annotations

import math

import pytest
from support import CONFIGS

from sim.api import HOUR_S, load_scenario, run_replicate

MACHINE_REPAIR = CONFIGS / "validation" / "servicing_machine_repair.yaml"


def test_the_baseline_costs_its_fleet_and_its_launch() -> None:
    scenario = load_scenario(MACHINE_REPAIR, ["servicing=null",
                                              "fleet.0.design.parts.0.repair=none",
                                              "fleet.0.design.mass_kg=500",
                                              "fleet.0.design.cost_usd=2.0e+6",
                                              "launch={usd_per_kg: 1000}"])
    result = run_replicate(scenario, 0, 1)
    assert result.cost["satellites_usd"] == 40 * 2.0e6
    assert result.cost["launches_usd"] == 40 * 500 * 1000
    assert result.cost["total_usd"] == 40 * (2.0e6 + 500 * 1000)
    delivered_pflops_h = result.uptime * 40 * 1.0 * scenario.horizon_s / HOUR_S
    assert result.cost["usd_per_delivered_pflops_hour"] == pytest.approx(
        result.cost["total_usd"] / delivered_pflops_h, rel=1e-12)


def test_servicing_costs_add_up() -> None:
    scenario = load_scenario(MACHINE_REPAIR, ["servicing.servicers.0.visit_cost_usd=1000",
                                              "servicing.servicers.0.cost_usd=1.0e+7",
                                              "servicing.servicers.0.cost_usd_per_year=1.0e+5",
                                              "servicing.servicers.0.mass_kg=800",
                                              "launch={usd_per_kg: 2000}"])
    result = run_replicate(scenario, 0, 2)
    cost = result.cost
    parts = [value for name, value in cost.items()
             if name.endswith("_usd") and name != "total_usd"]
    assert all(value >= 0 for value in parts)
    assert cost["total_usd"] == pytest.approx(math.fsum(parts), rel=1e-12)
    assert cost["visits_usd"] == 1000 * result.servicing["visits"]
    # Two servicers bought and launched at the start, and operated for 100 years.
    assert cost["servicers_usd"] == pytest.approx(2 * 1.0e7 + 2 * 1.0e5 * 100, rel=1e-12)
    assert cost["launches_usd"] == 2 * 800 * 2000
    assert not result.spares  # no depot: every spare is at hand
