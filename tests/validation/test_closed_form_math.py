"""The closed forms themselves, checked against each other and against direct numerics.

A validation is only as good as its reference: these checks need no simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from reliability_closed_forms import (
    availability,
    bus_capacity,
    compute_capacity,
    exponential_survival,
    k_of_n,
    k_of_n_survival,
    lognormal_moments,
    mean_capacity_markov,
    mean_up_fraction_exponential_failures,
    mttf_k_of_n_exponential,
    truncated_life_moments,
    up_time_integral_numerical,
    weibull_survival,
)
from scipy import integrate, stats

# Mean up-time of the renewal checks (days).
MTTF_DAYS = 30.0
# Repair time of the renewal checks: fixed duration, or log-normal median (days).
REPAIR_DAYS = 10.0
# Log-normal repair shape (dimensionless standard deviation of ln D).
LOGNORMAL_SIGMA = 0.8
# Step of the numerical renewal-equation solution (days).
STEP_DAYS = 0.05


def test_k_of_n_sums_the_binomial_terms() -> None:
    """The binomial tail equals the explicit Σ C(n,i) p^i (1-p)^(n-i)."""
    for k, n, p in [(1, 1, 0.3), (3, 5, 0.47), (2, 3, 0.9), (5, 5, 0.5)]:
        explicit = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
        assert k_of_n(k, n, p) == pytest.approx(explicit, rel=1e-12)


def test_exponential_k_of_n_mean_life_is_sum_of_stage_means() -> None:
    """∫_0^∞ R(s) ds = Σ_{i=k}^{n} 1/(i λ) for exponential units (days)."""
    mean_days = 730.5
    system = k_of_n_survival(3, 5, exponential_survival(mean_days))
    integral, variance = truncated_life_moments(system, 200.0 * mean_days)
    assert integral == pytest.approx(mttf_k_of_n_exponential(3, 5, mean_days), rel=1e-9)
    stage_variance = sum((mean_days / i) ** 2 for i in range(3, 6))
    assert variance == pytest.approx(stage_variance, rel=1e-8)


def test_truncated_moments_match_direct_integration_of_the_distribution() -> None:
    """E[min(T, h)] and Var from S agree with integrating the Weibull density directly."""
    shape, scale_days, horizon_days = 2.5, 1826.25, 1461.0
    law = stats.weibull_min(shape, scale=scale_days)
    first = integrate.quad(lambda t: t * law.pdf(t), 0, horizon_days)[0]
    first += horizon_days * law.sf(horizon_days)
    second = integrate.quad(lambda t: t * t * law.pdf(t), 0, horizon_days)[0]
    second += horizon_days**2 * law.sf(horizon_days)
    mean, variance = truncated_life_moments(weibull_survival(shape, scale_days), horizon_days)
    assert mean == pytest.approx(first, rel=1e-9)
    assert variance == pytest.approx(second - first**2, rel=1e-7)


def test_markov_mean_capacity_matches_quadrature() -> None:
    """The term-by-term integral equals quadrature of the k-of-n formula with a(t)."""
    mttf, mttr, horizon, n = 40.0, 10.0, 300.0, 8
    a, rate = availability(mttf, mttr), 1.0 / mttf + 1.0 / mttr
    for capacity in (bus_capacity(6), compute_capacity(6)):
        def instantaneous(t: float, capacity=capacity) -> float:
            p = a + (1.0 - a) * math.exp(-rate * t)
            return sum(capacity(i, n) * stats.binom.pmf(i, n, p) for i in range(n + 1))

        quadrature = integrate.quad(instantaneous, 0.0, horizon, limit=200)[0] / horizon
        assert mean_capacity_markov(capacity, n, mttf, mttr, horizon) == pytest.approx(
            quadrature, rel=1e-10
        )


def test_renewal_correction_is_exact_markov_limit_for_exponential_repair() -> None:
    """For exponential repair, A + A² λ E[D²]/(2T) is the exact Markov time average."""
    horizon_days = 4000.0
    exact = mean_capacity_markov(bus_capacity(1), 1, MTTF_DAYS, REPAIR_DAYS, horizon_days)
    asymptotic = mean_up_fraction_exponential_failures(
        MTTF_DAYS, REPAIR_DAYS, 2.0 * REPAIR_DAYS**2, horizon_days
    )
    assert asymptotic == pytest.approx(exact, abs=1e-12)


def test_renewal_correction_matches_renewal_equation_for_fixed_repair() -> None:
    """The all-up transient term A² λ E[D²]/2 matches the renewal equation, fixed D."""
    horizon_days = 200.0

    def still_down(t: np.ndarray) -> np.ndarray:
        """1{t < D}, taking the value 1/2 at the jump as the trapezoidal rule needs."""
        return np.clip((REPAIR_DAYS - t) / STEP_DAYS + 0.5, 0.0, 1.0)

    numerical = up_time_integral_numerical(MTTF_DAYS, still_down, horizon_days, STEP_DAYS)
    asymptotic = horizon_days * mean_up_fraction_exponential_failures(
        MTTF_DAYS, REPAIR_DAYS, REPAIR_DAYS**2, horizon_days
    )
    assert numerical == pytest.approx(asymptotic, abs=1e-3)


def test_renewal_correction_matches_renewal_equation_for_lognormal_repair() -> None:
    """The same transient term for log-normal repair, MTTR = median · exp(σ²/2)."""
    horizon_days = 600.0
    law = stats.lognorm(LOGNORMAL_SIGMA, scale=REPAIR_DAYS)
    mean, second_moment = lognormal_moments(REPAIR_DAYS, LOGNORMAL_SIGMA)
    assert mean == pytest.approx(law.mean(), rel=1e-12)
    assert second_moment == pytest.approx(law.moment(2), rel=1e-12)
    numerical = up_time_integral_numerical(MTTF_DAYS, law.sf, horizon_days, STEP_DAYS)
    asymptotic = horizon_days * mean_up_fraction_exponential_failures(
        MTTF_DAYS, mean, second_moment, horizon_days
    )
    assert numerical == pytest.approx(asymptotic, abs=1e-3)
