"""Failure modes, standby units, common causes and inspections, worked by hand and against a
Markov repair model; every lost capacity-second goes to exactly one cause."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.linalg import expm

from sim.api import load_scenario, run_replicate
from sim.model.design import Part
from sim.model.distributions import Fixed
from sim.model.modes import FailureMode, Standby
from sim.model.parts import ModalUnit, Unit, refresh, set_severed
from sim.model.repair import NoRepair

YEAR_DAYS = 365.25


def scenario(tmp_path: Path, parts: list[dict[str, Any]], count: int = 1,
             horizon_years: float = 2.0) -> Any:
    document = {
        "name": "modes", "horizon_years": horizon_years, "sla_fraction": 0.5,
        "fleet": [{"name": "g", "count": count,
                   "design": {"nominal_compute_pflops": 1.0, "parts": parts}}],
    }
    path = tmp_path / "modes.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_scenario(path)


def fixed_years(years: float) -> dict[str, Any]:
    return {"distribution": "fixed", "duration_years": years}


def assert_conserved(result: Any) -> None:
    """Lost compute by cause adds up to what uptime misses, and no share is negative."""
    assert sum(result.downtime_by_cause.values()) == pytest.approx(1.0 - result.uptime,
                                                                   abs=1e-9)
    assert sum(result.downtime_by_part.values()) == pytest.approx(1.0 - result.uptime,
                                                                  abs=1e-9)
    assert all(v >= -1e-12 for v in result.downtime_by_cause.values())
    assert all(v >= -1e-12 for v in result.downtime_by_part.values())


def test_a_degrading_mode_leaves_its_capacity_and_its_own_cause(tmp_path: Path) -> None:
    parts = [{"name": "cpu", "role": "compute", "count": 1, "failure": fixed_years(5.0),
              "modes": [{"name": "wear", "failure": fixed_years(1.0), "effect": "degrade",
                         "capacity": 0.5}]}]
    result = run_replicate(scenario(tmp_path, parts), 0)
    # Half the capacity for the second of two years.
    assert result.uptime == pytest.approx(0.75, abs=1e-12)
    assert result.downtime_by_cause == pytest.approx({"degraded": 0.25})
    assert result.downtime_by_part == pytest.approx({"cpu:wear": 0.25})
    assert result.failures_by_part == {"cpu:wear": 1}


def test_a_parent_mode_takes_its_parent_down_through_redundancy(tmp_path: Path) -> None:
    parts = [{"name": "node", "role": "compute", "count": 1, "parts": [
        {"name": "psu", "role": "bus", "count": 2, "required": 1, "failure": fixed_years(9.0),
         "modes": [{"name": "short", "failure": fixed_years(0.5), "effect": "parent"}]}]}]
    result = run_replicate(scenario(tmp_path, parts), 0)
    # Both supplies short at half a year; one would have been enough to take the node down.
    assert result.uptime == pytest.approx(0.25, abs=1e-12)
    assert result.downtime_by_part == pytest.approx({"node/psu:short": 0.75})
    assert_conserved(result)


def test_a_repaired_parent_mode_gives_the_parent_back(tmp_path: Path) -> None:
    parts = [{"name": "node", "role": "compute", "count": 1, "parts": [
        {"name": "psu", "role": "bus", "count": 2, "required": 1, "failure": fixed_years(9.0),
         "repair": {"distribution": "fixed", "duration_days": YEAR_DAYS / 4},
         "modes": [{"name": "short", "failure": fixed_years(1.0), "effect": "parent"}]}]}]
    result = run_replicate(scenario(tmp_path, parts), 0)
    # Down from 1 to 1.25 years (both supplies short together, both repaired together).
    assert result.uptime == pytest.approx(1.0 - 0.25 / 2.0, abs=1e-12)
    assert result.downtime_by_cause == pytest.approx({"repair": 0.125})
    assert_conserved(result)


def test_cold_standby_takes_over_and_a_dormant_unit_does_not_age(tmp_path: Path) -> None:
    parts = [{"name": "cpu", "role": "compute", "count": 2, "required": 1,
              "failure": fixed_years(0.75), "standby": {"units": 1, "kind": "cold"}}]
    result = run_replicate(scenario(tmp_path, parts), 0)
    # The standby unit starts its 0.75 years when the first unit fails: down at 1.5 years.
    assert result.uptime == pytest.approx(0.75, abs=1e-12)
    assert result.events["failures"] == 2
    assert_conserved(result)


def test_warm_standby_ages_at_its_dormant_factor(tmp_path: Path) -> None:
    parts = [{"name": "cpu", "role": "compute", "count": 2, "required": 1,
              "failure": fixed_years(1.0),
              "standby": {"units": 1, "kind": "warm", "dormant_factor": 0.5}}]
    result = run_replicate(scenario(tmp_path, parts), 0)
    # At 1 year the spare has aged half a year: it lasts another half, down at 1.5 years.
    assert result.uptime == pytest.approx(0.75, abs=1e-12)


def test_a_latent_standby_failure_is_found_on_demand(tmp_path: Path) -> None:
    parts = [{"name": "cpu", "role": "compute", "count": 2, "required": 1,
              "failure": fixed_years(1.0), "latent": True,
              "standby": {"units": 1, "kind": "hot"}}]
    result = run_replicate(scenario(tmp_path, parts), 0)
    # Both fail latent at one year; nothing is seen, so the satellite is down from then on,
    # charged to the latent failure.
    assert result.uptime == pytest.approx(0.5, abs=1e-12)
    assert result.downtime_by_cause == pytest.approx({"latent_failure": 0.5})
    assert "latent_failures_found" not in result.events


def test_inspections_with_a_duration_charge_their_downtime(tmp_path: Path) -> None:
    parts = [{"name": "cpu", "role": "compute", "count": 1, "failure": fixed_years(100.0),
              "inspection": {"interval_days": 100, "duration_h": 24}}]
    result = run_replicate(scenario(tmp_path, parts, horizon_years=1.0), 0)
    # Inspections at days 100, 200 and 300, a day each.
    assert result.events["inspections"] == 3
    assert result.uptime == pytest.approx(1.0 - 3.0 / YEAR_DAYS, abs=1e-12)
    assert result.downtime_by_cause == pytest.approx({"inspection": 3.0 / YEAR_DAYS})


def test_switch_failures_on_demand_are_a_binomial_share_of_the_calls(tmp_path: Path) -> None:
    """Each call on a cold spare fails with p = 0.5. Cold spares never fail dormant, so every
    failure is an active unit's; a satellite's takeovers are its failures, less one if it is
    down at the end. The calls (takeovers + failed calls) then fail as Binomial(calls, p)."""
    n, p = 400, 0.5
    parts = [{"name": "cpu", "role": "bus", "count": 3, "required": 1,
              "failure": {"distribution": "exponential", "mean_years": 1.0},
              "standby": {"units": 2, "kind": "cold", "switch_failure_probability": p}}]
    result = run_replicate(scenario(tmp_path, parts, count=n, horizon_years=5.0), 0)
    demands = result.events["failures_on_demand"]
    takeovers = result.events["failures"] - result.satellites_down_at_end
    calls = takeovers + demands
    assert abs(demands - p * calls) < 4.0 * math.sqrt(calls * p * (1 - p)), (demands, calls)
    assert_conserved(result)


def test_every_feature_at_once_conserves_lost_compute(tmp_path: Path) -> None:
    """A sanity check under load: every cause share non-negative, and they add up."""
    exponential = {"distribution": "exponential", "mean_years": 2.0}
    repair = {"distribution": "exponential", "mean_days": 20}
    parts = [
        {"name": "bus", "role": "bus", "count": 2, "required": 1, "failure": exponential,
         "common_cause": {"beta": 0.1}, "repair": repair,
         "standby": {"units": 1, "kind": "warm", "dormant_factor": 0.2,
                     "switch_failure_probability": 0.05}},
        {"name": "node", "role": "compute", "count": 3, "required": 1, "parts": [
            {"name": "gpu", "role": "compute", "count": 4, "required": 2, "failure": exponential,
             "repair": repair, "latent": True,
             "inspection": {"interval_days": 60, "duration_h": 6},
             "modes": [{"name": "slow", "failure": exponential, "effect": "degrade",
                        "capacity": 0.7},
                       {"name": "short", "failure": {"distribution": "exponential",
                                                     "mean_years": 8.0}, "effect": "parent"}]},
        ]},
    ]
    result = run_replicate(scenario(tmp_path, parts, count=50, horizon_years=5.0), 0)
    assert 0.0 < result.uptime < 1.0
    assert {"degraded", "latent_failure", "inspection", "repair"} <= set(result.downtime_by_cause)
    assert_conserved(result)


def mean_up_fraction(generator: np.ndarray, up: np.ndarray, horizon: float) -> float:
    """(1/T) ∫_0^T P(up at t) dt of a Markov chain starting in state 0, by the augmented
    matrix exponential [[Q, 1_up], [0, 0]]."""
    n = len(up)
    augmented = np.zeros((n + 1, n + 1))
    augmented[:n, :n] = generator * horizon
    augmented[:n, n] = up * horizon
    return float(expm(augmented)[0, n]) / horizon


def test_cold_standby_with_repair_against_its_markov_chain(tmp_path: Path) -> None:
    """1-of-2 cold standby, each unit repaired by its own crew (exponential): states 2, 1, 0
    units working; 2→1 at λ (only the active unit ages), 1→0 at λ, 1→2 at μ, 0→1 at 2μ."""
    mttf_days, mttr_days, horizon_days = 100.0, 50.0, 2000.0
    parts = [{"name": "cpu", "role": "bus", "count": 2, "required": 1,
              "failure": {"distribution": "exponential", "mean_days": mttf_days},
              "repair": {"distribution": "exponential", "mean_days": mttr_days},
              "standby": {"units": 1, "kind": "cold"}}]
    lam, mu = 1.0 / mttf_days, 1.0 / mttr_days
    generator = np.array([[-lam, lam, 0.0], [mu, -(lam + mu), lam], [0.0, 2 * mu, -2 * mu]])
    expected = mean_up_fraction(generator, np.array([1.0, 1.0, 0.0]), horizon_days)
    values = [run_replicate(scenario(tmp_path, parts, count=200,
                                     horizon_years=horizon_days / YEAR_DAYS), seed).uptime
              for seed in range(8)]
    mean = float(np.mean(values))
    error = float(np.std(values, ddof=1)) / math.sqrt(len(values))
    assert abs(mean - expected) < 4.0 * error, (mean, expected, error)


def test_a_dormant_unit_neither_delivers_nor_loses() -> None:
    life = Fixed(1.0)
    part = Part(name="cpu", path="cpu", role="compute", count=2, required=1, failure=life,
                repair=NoRepair(), modes=(FailureMode("failure", life),),
                standby=Standby(units=1, dormant_factor=0.0))
    root = Unit(None, (part,))
    (group,) = root.groups
    active, spare = group.units
    assert isinstance(spare, ModalUnit)
    spare.dormant = True
    refresh(spare)
    assert root.capacity == 1.0 and root.loss == {}
    active.failed_cause = "hardware_failure"
    refresh(active)
    assert root.capacity == 0.0
    assert root.loss == pytest.approx({("hardware_failure", "cpu"): 1.0})
    spare.dormant = False
    refresh(spare)
    assert root.capacity == 1.0 and root.loss == {}
    set_severed(group, (("hardware_failure", "cpu:short"),))
    assert root.capacity == 0.0
    assert root.loss == pytest.approx({("hardware_failure", "cpu:short"): 1.0})
    set_severed(group, ())
    assert root.capacity == 1.0


def test_outages_are_charged_to_the_parts_that_held_the_satellite_down(tmp_path: Path) -> None:
    """A 1-of-2 bus part loses compute only while the satellite is down, so the outage shares
    by combination of parts add up to all of it; a degraded unit is no outage at all."""
    parts = [{"name": "computer", "role": "bus", "count": 2, "required": 1,
              "failure": {"distribution": "exponential", "mean_years": 1.0},
              "standby": {"units": 1, "kind": "cold"}}]
    result = run_replicate(scenario(tmp_path, parts, count=200), 0)
    assert result.outage_by_parts == pytest.approx({"computer": 1.0 - result.uptime},
                                                   abs=1e-12)
    parts = [{"name": "cpu", "role": "compute", "count": 1, "failure": fixed_years(5.0),
              "modes": [{"name": "wear", "failure": fixed_years(1.0), "effect": "degrade",
                         "capacity": 0.5}]}]
    assert run_replicate(scenario(tmp_path, parts), 0).outage_by_parts == {}


def phased(tmp_path: Path, parts: list[dict[str, Any]], phases: list[dict[str, Any]],
           horizon_years: float = 2.0, count: int = 1) -> Any:
    document = {
        "name": "phases", "horizon_years": horizon_years, "sla_fraction": 0.5,
        "phases": phases,
        "fleet": [{"name": "g", "count": count,
                   "design": {"nominal_compute_pflops": 1.0, "parts": parts}}],
    }
    path = tmp_path / "phases.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_scenario(path)


PHASES = [{"name": "launch", "duration_days": YEAR_DAYS / 2}, {"name": "operations"}]


def test_a_phase_factor_speeds_a_mode_up_in_its_phase(tmp_path: Path) -> None:
    """A 1-year life aged at 4× during a half-year launch phase is used up at a quarter
    year; at 0× it starts ageing only when operations start."""
    parts = [{"name": "cpu", "role": "compute", "count": 1, "failure": fixed_years(1.0),
              "phase_factors": {"launch": 4.0}}]
    result = run_replicate(phased(tmp_path, parts, PHASES), 0)
    # 4 × 0.25 years = one year of age at a quarter year.
    assert result.uptime == pytest.approx(0.125, abs=1e-12)
    parts[0]["phase_factors"] = {"launch": 0.0}
    result = run_replicate(phased(tmp_path, parts, PHASES), 0)
    # No ageing in the first half year: fails at 1.5 years.
    assert result.uptime == pytest.approx(0.75, abs=1e-12)


def test_failures_on_demand_at_a_phase_start_are_a_binomial_count(tmp_path: Path) -> None:
    """Each working unit fails as operations start with probability p: the count of such
    failures over n units is Binomial(n, p)."""
    n, p = 2000, 0.1
    parts = [{"name": "cpu", "role": "bus", "count": 1, "failure": fixed_years(50.0),
              "demand_failures": {"operations": p}}]
    result = run_replicate(phased(tmp_path, parts, PHASES, count=n), 0)
    demands = result.events["failures_on_demand"]
    assert abs(demands - n * p) < 4.0 * math.sqrt(n * p * (1 - p)), demands
    # Those fail at half a year and stay down (no repair).
    assert result.uptime == pytest.approx(1.0 - demands / n * 0.75, abs=1e-12)
    assert result.failures_by_part == {}
    assert set(result.downtime_by_part) == {"cpu:operations_start"}


def test_a_mode_that_ages_in_eclipse_counts_shadow_time_only(tmp_path: Path) -> None:
    """A thermal-cycling mode with a fixed life of L seconds of shadow fails when the
    satellite's cumulative shadow time reaches L."""
    from sim.model.power.load import EclipseCurve
    from sim.model.power.orbits import Orbits

    starts = np.arange(0.0, 100 * 6000.0, 6000.0)
    orbits = Orbits(start_s=starts, eclipse_end_s=starts + 2000.0, penumbra_s=np.zeros(100),
                    end_s=starts + 6000.0, recharge_s=np.full(100, 4000.0),
                    irradiance_eclipse=np.ones(100), irradiance_sunlit=np.ones(100))
    curve = EclipseCurve.of(orbits)
    assert curve(7000.0) == pytest.approx(3000.0)
    assert curve.when(3000.0) == pytest.approx(7000.0)
    assert curve.when(4000.0) == pytest.approx(8000.0)
    assert curve.when(2000.0) == pytest.approx(2000.0)
    assert curve.when(1e9) == math.inf
    assert EclipseCurve.of(orbits) is curve
    parts = [{"name": "cpu", "role": "compute", "count": 1, "failure": fixed_years(50.0),
              "modes": [{"name": "thermal", "failure": {"distribution": "fixed",
                                                        "duration_s": 5000.0},
                         "when": "eclipse"}]}]
    document = {"name": "ecl", "horizon_days": 6.0, "sla_fraction": 0.5,
                "fleet": [{"name": "g", "count": 1,
                           "orbit": {"kind": "formation", "altitude_km": 550,
                                     "inclination_deg": 53, "raan_deg": 0},
                           "design": {"nominal_compute_pflops": 1.0, "parts": parts}}]}
    path = tmp_path / "ecl.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    scenario = load_scenario(path)
    result = run_replicate(scenario, 0, orbits=[orbits])
    # 5000 s of shadow: two whole eclipses and half the third, at 12,000 + 1000 s.
    assert result.uptime == pytest.approx(13_000.0 / scenario.horizon_s, abs=1e-12)
    assert result.downtime_by_part == pytest.approx({"cpu:thermal": 1 - 13_000.0
                                                     / scenario.horizon_s})


def test_radiation_dose_ends_the_lives_of_modal_units(tmp_path: Path) -> None:
    """A part with failure modes still dies of dose: units tolerating a median 1 krad (σ =
    0.001) at 1,000 rad a year all fail at one year; a cold spare, dormant or not, has taken
    the same dose."""
    parts = [{"name": "cpu", "role": "compute", "count": 2, "required": 1,
              "failure": fixed_years(50.0), "standby": {"units": 1, "kind": "cold"},
              "radiation": {"dose_tolerance": {"median_krad": 1.0, "sigma": 0.001}}}]
    document = {"name": "dose", "horizon_years": 2.0, "sla_fraction": 0.5,
                "radiation": {"dose_rad_per_year": 1000.0},
                "fleet": [{"name": "g", "count": 20,
                           "design": {"nominal_compute_pflops": 1.0, "parts": parts}}]}
    path = tmp_path / "dose.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = run_replicate(load_scenario(path), 0)
    assert result.uptime == pytest.approx(0.5, abs=0.005)
    assert result.events["failures"] == 40


def test_the_reliability_reference_runs_and_accounts_for_every_loss() -> None:
    """The reference cluster with every reliability feature, two years: every feature leaves
    its mark, and the lost compute still adds up."""
    from support import CONFIGS

    from sim.api import fleet_geometry

    scenario = load_scenario(CONFIGS / "reference-cluster-reliability.yaml",
                             ("horizon_years=2",))
    result = run_replicate(scenario, 0, orbits=fleet_geometry(scenario))
    assert_conserved(result)
    assert result.events["failures_on_demand"] > 0
    assert any(part.startswith("node/accelerator:") for part in result.downtime_by_part)
    assert result.uptime > 0.5


def test_a_spare_taking_over_at_a_phase_start_is_not_asked_again(tmp_path: Path) -> None:
    """Only the units working as a phase starts can fail on its demand: with a perfect
    switch, a 1-of-2 standby pair is never down after it, whatever the probability."""
    parts = [{"name": "cpu", "role": "bus", "count": 2, "required": 1,
              "failure": fixed_years(50.0), "standby": {"units": 1, "kind": "cold"},
              "demand_failures": {"operations": 0.5}}]
    result = run_replicate(phased(tmp_path, parts, PHASES, count=400), 0)
    assert result.uptime == 1.0
    assert 0 < result.events["failures_on_demand"] < 400
