"""Standby, common causes and latent failures found by inspection, against closed forms.

Each shipped scenario is run with ``orbsim run --json`` over ``SEEDS`` seeds; the pooled fleet
mean of the satellites' up-time fractions is compared with the closed form, within
``K_SIGMA`` standard errors derived from the exact variance of one satellite's fraction.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest
import yaml
from reliability_closed_forms import (
    cold_standby_survival,
    common_cause_survival,
    exponential_survival,
    k_of_n_survival,
    latent_inspection_uptime,
    truncated_life_moments,
    warm_standby_survival,
)
from support import CONFIGS, orbsim_json
from test_closed_forms import assert_close, only_part, read_scenario

from sim.api import load_scenario, run_replicate

VALIDATION = CONFIGS / "validation"
# Seeds pooled per shipped scenario (runs of its 100 satellites).
SEEDS = 4
YEAR_DAYS = 365.25


def pooled_uptime(path: Path, count: int, seeds: int = SEEDS) -> tuple[float, int]:
    """Mean uptime over ``seeds`` runs of ``path`` (equal fleets, so the mean of means is the
    pooled fleet mean), and the number of satellites pooled: the first seed through
    ``orbsim run --json`` as a user runs it, the others in this process (the same model,
    without a command's start-up each)."""
    values = [orbsim_json("run", str(path), "--seed", "1")["uptime"]]
    scenario = load_scenario(path)
    values += [run_replicate(scenario, 0, seed).uptime for seed in range(2, seeds + 1)]
    return statistics.fmean(values), count * seeds


def check_life(path: Path, survival: Any, horizon_years: float, count: int,
               seeds: int = SEEDS) -> None:
    """The fleet's uptime is E[min(T_sys, T)] / T, within K_SIGMA of its standard error."""
    mean, variance = truncated_life_moments(survival, horizon_years)
    measured, satellites = pooled_uptime(path, count, seeds)
    assert_close(path.name, measured, mean / horizon_years,
                 math.sqrt(variance / satellites) / horizon_years)


def test_cold_standby() -> None:
    """uptime = [2/λ − e^{−λT}(2/λ + T)] / T (an Erlang-2 life)."""
    document = read_scenario("cold_standby.yaml")
    part = only_part(document)
    assert part["standby"] == {"units": 1, "kind": "cold"} and part["required"] == 1
    mean = part["failure"]["mean_years"]
    horizon = document["horizon_years"]
    lam = 1.0 / mean
    closed = (2 / lam - math.exp(-lam * horizon) * (2 / lam + horizon)) / horizon
    assert truncated_life_moments(cold_standby_survival(mean), horizon)[0] / horizon == (
        pytest.approx(closed, rel=1e-10))
    check_life(VALIDATION / "cold_standby.yaml", cold_standby_survival(mean), horizon,
               document["fleet"][0]["count"])


def test_common_cause() -> None:
    """uptime = (1/T) ∫ e^{−βλt} [2e^{−(1−β)λt} − e^{−2(1−β)λt}] dt."""
    document = read_scenario("common_cause.yaml")
    part = only_part(document)
    mean, beta = part["failure"]["mean_years"], part["common_cause"]["beta"]
    check_life(VALIDATION / "common_cause.yaml", common_cause_survival(mean, beta),
               document["horizon_years"], document["fleet"][0]["count"])


def test_latent_failures_found_by_inspection() -> None:
    """uptime = (1 − e^{−λτ}) / (λτ) per inspection interval τ (the part interval at the
    horizon counted exactly)."""
    document = read_scenario("latent_inspection.yaml")
    part = only_part(document)
    assert part["latent"] is True and part["inspection"] == {"interval_days": 90}
    mean = part["failure"]["mean_years"] * YEAR_DAYS
    interval = part["inspection"]["interval_days"]
    horizon = document["horizon_years"] * YEAR_DAYS
    expected, variance = latent_inspection_uptime(mean, interval, horizon)
    lam_tau = interval / mean
    assert expected == pytest.approx(-math.expm1(-lam_tau) / lam_tau, abs=2e-4)
    count = document["fleet"][0]["count"]
    measured, satellites = pooled_uptime(VALIDATION / "latent_inspection.yaml", count)
    assert_close("latent_inspection.yaml", measured, expected, math.sqrt(variance / satellites))


@pytest.mark.parametrize(("dormant_factor", "switch_failure"), [(0.3, 0.0), (0.5, 0.2)])
def test_warm_standby(tmp_path: Path, dormant_factor: float, switch_failure: float) -> None:
    """R(t) = e^{−λt} [1 + (1 − p)(1 − e^{−αλt})/α], a dormant unit ageing at α of the active
    rate and failing to take over with probability p."""
    document = read_scenario("cold_standby.yaml")
    part = only_part(document)
    part["standby"] = {"units": 1, "kind": "warm", "dormant_factor": dormant_factor,
                       "switch_failure_probability": switch_failure}
    document["fleet"][0]["count"] = 1000
    path = tmp_path / "warm.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    mean = part["failure"]["mean_years"]
    check_life(path, warm_standby_survival(mean, dormant_factor, switch_failure),
               document["horizon_years"], 1000, seeds=1)


def test_standby_closed_forms_meet_at_their_limits() -> None:
    """Warm standby is cold at α = 0 and hot (1-of-2 active) at α = 1; a beta factor of 0 is
    plain hot redundancy; a common cause only shortens life."""
    mean = 5.0
    hot = k_of_n_survival(1, 2, exponential_survival(mean))
    for t in (0.1, 1.0, 7.0, 30.0):
        assert warm_standby_survival(mean, 0.0, 0.0)(t) == pytest.approx(
            cold_standby_survival(mean)(t), rel=1e-12)
        assert warm_standby_survival(mean, 1.0, 0.0)(t) == pytest.approx(hot(t), rel=1e-12)
        assert common_cause_survival(mean, 0.0)(t) == pytest.approx(hot(t), rel=1e-12)
        assert common_cause_survival(mean, 0.2)(t) < hot(t)
        assert cold_standby_survival(mean)(t) > warm_standby_survival(mean, 0.3, 0.0)(t) > hot(t)


def test_latent_closed_form_without_inspection_gap() -> None:
    """With inspections far more often than failures, the latent unit is almost always up;
    the uptime falls as λτ/2 to first order."""
    expected, _ = latent_inspection_uptime(1000.0, 1.0, 100.0)
    assert expected == pytest.approx(1.0 - 1.0 / 2000.0, rel=1e-6)
