"""Distributions: sampled moments and survival against their closed forms, within k·SE."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.distributions import Distribution, Exponential, Fixed, LogNormal, Mixture, Weibull

# Draws per distribution, and how many standard errors a sample statistic may stray.
N = 40_000
K_SIGMA = 4.0

CASES: dict[str, Distribution] = {
    "exponential": Exponential(3.0),
    "weibull-infant": Weibull(0.5, 10.0),
    "weibull-wearout": Weibull(3.0, 10.0),
    "lognormal": LogNormal(5.0, 0.8),
    "mixture": Mixture((Weibull(0.5, 1.0), Weibull(4.0, 20.0)), (0.2, 0.8)),
}


def samples(dist: Distribution, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([dist.sample(rng) for _ in range(N)])


@pytest.mark.parametrize("name", CASES)
def test_sample_mean_matches_closed_form(name: str) -> None:
    dist = CASES[name]
    draws = samples(dist, seed=1)
    standard_error = draws.std(ddof=1) / math.sqrt(N)
    assert abs(draws.mean() - dist.mean_s) < K_SIGMA * standard_error


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9])
def test_empirical_survival_matches_closed_form(name: str, quantile: float) -> None:
    dist = CASES[name]
    draws = samples(dist, seed=2)
    t = float(np.quantile(samples(dist, seed=3), quantile))
    p = dist.survival(t)
    standard_error = math.sqrt(p * (1.0 - p) / N)
    assert abs(np.mean(draws > t) - p) < K_SIGMA * standard_error


def test_closed_forms_by_hand() -> None:
    assert Weibull(1.0, 7.0).mean_s == pytest.approx(7.0)
    assert Weibull(2.0, 1.0).survival(1.0) == pytest.approx(math.exp(-1.0))
    assert LogNormal(5.0, 0.8).survival(5.0) == pytest.approx(0.5)
    assert LogNormal(5.0, 0.8).mean_s == pytest.approx(5.0 * math.exp(0.32))
    assert Fixed(2.0).survival(1.999) == 1.0 and Fixed(2.0).survival(2.0) == 0.0
    assert Mixture((Exponential(1.0), Exponential(3.0)), (0.5, 0.5)).mean_s == pytest.approx(2.0)
