"""The engine against closed forms, run through the CLI as a user runs it.

Each scenario in ``configs/validation`` is run with ``orbsim run --json`` and one of its
outputs is compared with the closed form computed here from the scenario's own parameters.
Every tolerance is ``K_SIGMA`` standard errors of the estimator:

- a surviving fraction of N independent satellites: binomial, sqrt(S (1 - S) / N) (when so
  few survivors are expected that the normal approximation fails, a Poisson bound of the same
  false-alarm probability replaces it);
- uptime without repair: the fleet mean of N independent copies of min(T_sys, T) / T, whose
  exact variance follows from the survival function;
- uptime with repair: a satellite's up-time fraction is correlated in time, so each run's fleet
  mean is one sample and the standard error is the spread of ``REPLICATIONS`` independent
  seeds over sqrt(REPLICATIONS).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest
import yaml
from reliability_closed_forms import (
    CapacityOfWorking,
    Survival,
    bus_capacity,
    compute_capacity,
    exponential_survival,
    k_of_n_survival,
    lognormal_moments,
    mean_capacity_markov,
    mean_up_fraction_exponential_failures,
    mixture_survival,
    mttf_k_of_n_exponential,
    truncated_life_moments,
    weibull_survival,
)
from scipy import stats
from support import CONFIGS, orbsim_json

VALIDATION = CONFIGS / "validation"

# Tolerance of every comparison, in standard errors of the estimator (dimensionless).
K_SIGMA = 4.0
# Two-sided false-alarm probability of a K_SIGMA normal test (dimensionless).
FALSE_ALARM = 2.0 * float(stats.norm.sf(K_SIGMA))
# Binomial variance N S (1 - S) below which a count is not treated as normal (satellites²).
MIN_NORMAL_VARIANCE = 10.0
# Independent seeds per time-averaged availability case (runs).
REPLICATIONS = 10
# Days in one unit of each duration suffix of the scenario schema (year = 365.25 days).
DAYS_PER_UNIT: dict[str, float] = {
    "s": 1.0 / 86_400.0,
    "min": 1.0 / 1_440.0,
    "h": 1.0 / 24.0,
    "days": 1.0,
    "years": 365.25,
}


def read_scenario(name: str) -> dict[str, Any]:
    """The raw scenario document, so that the closed forms use the file's own parameters."""
    return yaml.safe_load((VALIDATION / name).read_text(encoding="utf-8"))


def only_part(document: dict[str, Any]) -> dict[str, Any]:
    """The single part of the single fleet group every validation scenario has."""
    (group,) = document["fleet"]
    (part,) = group["design"]["parts"]
    return part


def fleet_size(document: dict[str, Any]) -> int:
    """Satellites in the scenario's one fleet group."""
    (group,) = document["fleet"]
    return int(group["count"])


def days(spec: dict[str, Any], base: str) -> float:
    """Duration ``base`` of a distribution spec (``mean_h``, ``scale_years``, ...) in days."""
    given = [(unit, spec[f"{base}_{unit}"]) for unit in DAYS_PER_UNIT if f"{base}_{unit}" in spec]
    assert len(given) == 1, f"expected one unit variant of {base} in {spec}"
    unit, value = given[0]
    return float(value) * DAYS_PER_UNIT[unit]


def survival_of(spec: dict[str, Any]) -> Survival:
    """The survival function, in days, of a failure distribution spec."""
    kind = spec["distribution"]
    if kind == "exponential":
        return exponential_survival(days(spec, "mean"))
    if kind == "weibull":
        return weibull_survival(float(spec["shape"]), days(spec, "scale"))
    if kind == "mixture":
        return mixture_survival([(float(c["weight"]), survival_of(c)) for c in spec["components"]])
    raise ValueError(f"no closed form here for {kind}")


def repair_moments(spec: dict[str, Any]) -> tuple[float, float]:
    """E[D] and E[D²] of a repair-time spec, in days and days²."""
    kind = spec["distribution"]
    if kind == "exponential":
        mean = days(spec, "mean")
        return mean, 2.0 * mean**2
    if kind == "fixed":
        duration = days(spec, "duration")
        return duration, duration**2
    if kind == "lognormal":
        return lognormal_moments(days(spec, "median"), float(spec["sigma"]))
    raise ValueError(f"no closed form here for {kind}")


def run(name: str, seed: int, horizon_days: float | None = None) -> dict[str, Any]:
    """``orbsim run configs/validation/NAME --seed SEED [--set horizon_days=H] --json``."""
    overrides = [] if horizon_days is None else ["--set", f"horizon_days={horizon_days!r}"]
    return orbsim_json("run", str(VALIDATION / name), "--seed", str(seed), *overrides)


def assert_close(what: str, measured: float, expected: float, standard_error: float) -> None:
    """|measured - expected| < K_SIGMA standard errors, with the z-score in the message."""
    assert standard_error > 0.0, f"{what}: standard error must be positive"
    z = (measured - expected) / standard_error
    assert abs(z) < K_SIGMA, (
        f"{what}: measured {measured:.6g}, closed form {expected:.6g}, "
        f"standard error {standard_error:.3g}, z = {z:+.2f} (limit ±{K_SIGMA:g})"
    )


def replicated_uptime(name: str, first_seed: int) -> tuple[float, float]:
    """Mean fleet uptime over ``REPLICATIONS`` consecutive seeds, and its standard error."""
    values = [run(name, seed)["uptime"] for seed in range(first_seed, first_seed + REPLICATIONS)]
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(REPLICATIONS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "first_seed"),
    [
        ("availability_exponential_repair.yaml", 101),
        ("availability_fixed_repair.yaml", 201),
        ("availability_lognormal_repair.yaml", 301),
    ],
)
def test_single_part_availability(name: str, first_seed: int) -> None:
    """A = MTTF / (MTTF + MTTR) for any repair law, with the transient of an all-up start."""
    document = read_scenario(name)
    part = only_part(document)
    assert part["role"] == "bus" and part["count"] == 1
    mttf = days(part["failure"], "mean")
    assert part["failure"]["distribution"] == "exponential"
    mttr, second_moment = repair_moments(part["repair"])
    expected = mean_up_fraction_exponential_failures(
        mttf, mttr, second_moment, float(document["horizon_days"])
    )
    measured, standard_error = replicated_uptime(name, first_seed)
    assert_close(f"{name} uptime", measured, expected, standard_error)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "first_seed"),
    [("k_of_n_exponential_repair.yaml", 401), ("compute_k_of_n_repair.yaml", 501)],
)
def test_k_of_n_with_independent_repair(name: str, first_seed: int) -> None:
    """Binomial product form of independent repairable units, transient included exactly."""
    document = read_scenario(name)
    part = only_part(document)
    assert part["failure"]["distribution"] == part["repair"]["distribution"] == "exponential"
    n = int(part["count"])
    k = int(part.get("required", n))
    capacity: CapacityOfWorking = (bus_capacity if part["role"] == "bus" else compute_capacity)(k)
    expected = mean_capacity_markov(
        capacity, n, days(part["failure"], "mean"), days(part["repair"], "mean"),
        float(document["horizon_days"]),
    )
    measured, standard_error = replicated_uptime(name, first_seed)
    assert_close(f"{name} uptime", measured, expected, standard_error)


def check_survival_run(name: str, survival: Survival, horizon_days: float, seed: int) -> None:
    """Compare one run's surviving fraction and uptime with S(T) and ∫_0^T S / T."""
    document = read_scenario(name)
    n_satellites = fleet_size(document)
    result = run(name, seed, horizon_days)
    assert result["satellites"] == n_satellites
    expected_surviving = survival(horizon_days)
    survivors = n_satellites - result["satellites_down_at_end"]
    binomial_variance = n_satellites * expected_surviving * (1.0 - expected_surviving)
    if binomial_variance >= MIN_NORMAL_VARIANCE:
        assert_close(
            f"{name} surviving fraction at {horizon_days:g} days", survivors / n_satellites,
            expected_surviving, math.sqrt(binomial_variance) / n_satellites,
        )
    else:
        limit = stats.poisson.isf(FALSE_ALARM, n_satellites * expected_surviving)
        assert survivors <= limit, (
            f"{name}: {survivors} survivors at {horizon_days:g} days, "
            f"{n_satellites * expected_surviving:.3g} expected (limit {limit:g})"
        )
    mean_life, variance = truncated_life_moments(survival, horizon_days)
    assert_close(
        f"{name} uptime at {horizon_days:g} days", result["uptime"], mean_life / horizon_days,
        math.sqrt(variance / n_satellites) / horizon_days,
    )


@pytest.mark.parametrize(
    ("name", "horizon_days", "seed"),
    [
        ("k_of_n_exponential_no_repair.yaml", None, 601),
        ("k_of_n_exponential_no_repair.yaml", 7305.0, 602),
        ("k_of_n_weibull_no_repair.yaml", None, 701),
        ("k_of_n_weibull_no_repair.yaml", 10958.0, 702),
    ],
)
def test_k_of_n_without_repair(name: str, horizon_days: float | None, seed: int) -> None:
    """R(t) = Σ_{i≥k} C(n,i) p^i (1-p)^(n-i) and E[min(T_sys, T)] = ∫_0^T R(s) ds."""
    document = read_scenario(name)
    part = only_part(document)
    assert part["role"] == "bus" and part.get("repair", "none") == "none"
    n = int(part["count"])
    k = int(part.get("required", n))
    system = k_of_n_survival(k, n, survival_of(part["failure"]))
    horizon = float(document["horizon_days"]) if horizon_days is None else horizon_days
    check_survival_run(name, system, horizon, seed)


def test_long_horizon_reaches_mttf_sys() -> None:
    """At the long horizon of the exponential k-of-n case, ∫_0^T R is MTTF_sys = Σ 1/(i λ).

    So the uptime × T checked by ``test_k_of_n_without_repair`` is a check of MTTF_sys itself:
    the truncation must be far below that test's standard error.
    """
    part = only_part(read_scenario("k_of_n_exponential_no_repair.yaml"))
    n, k, mean = int(part["count"]), int(part["required"]), days(part["failure"], "mean")
    horizon_days = 7305.0
    system = k_of_n_survival(k, n, exponential_survival(mean))
    integral, variance = truncated_life_moments(system, horizon_days)
    n_satellites = fleet_size(read_scenario("k_of_n_exponential_no_repair.yaml"))
    truncation = mttf_k_of_n_exponential(k, n, mean) - integral
    assert 0.0 <= truncation < 1e-6 * math.sqrt(variance / n_satellites)


@pytest.mark.parametrize(
    ("name", "horizon_days", "seed"),
    [
        ("weibull_fleet_survival.yaml", 365.25, 801),
        ("weibull_fleet_survival.yaml", 1461.0, 802),
        ("weibull_fleet_survival.yaml", 2922.0, 803),
        ("weibull_fleet_survival.yaml", 5844.0, 804),
        ("mixture_fleet_survival.yaml", 91.3125, 901),
        ("mixture_fleet_survival.yaml", 365.25, 902),
        ("mixture_fleet_survival.yaml", 1826.25, 903),
        ("mixture_fleet_survival.yaml", 3652.5, 904),
    ],
)
def test_fleet_survival(name: str, horizon_days: float, seed: int) -> None:
    """Surviving fraction S(t) = exp(-(t/θ)^β), or Σ w_i S_i(t) for a mixture population."""
    part = only_part(read_scenario(name))
    assert part["role"] == "bus" and part["count"] == 1 and part.get("repair", "none") == "none"
    check_survival_run(name, survival_of(part["failure"]), horizon_days, seed)


def test_validation_scenarios_all_checked() -> None:
    """Every scenario file in configs/validation is exercised by a validation test."""
    source = "".join(path.read_text(encoding="utf-8")
                     for path in sorted(Path(__file__).parent.glob("test_*.py")))
    for path in sorted(VALIDATION.glob("*.yaml")):
        assert f'"{path.name}"' in source, f"{path.name} has no validation test"
