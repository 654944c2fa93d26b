"""Closed forms the validation scenarios are checked against.

Pure functions of the model's parameters, written from the textbook results and independent of
``sim``. Every time argument is in one and the same unit, chosen by the caller (the tests use
days).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.polynomial import Polynomial
from scipy import integrate, stats

Survival = Callable[[float], float]
# The capacity a part delivers when i of its n units work.
CapacityOfWorking = Callable[[int, int], float]


def bus_capacity(k: int) -> CapacityOfWorking:
    """A bus part: full capacity with at least ``k`` working units, none below."""
    return lambda i, n: 1.0 if i >= k else 0.0


def compute_capacity(k: int) -> CapacityOfWorking:
    """A compute part: the working fraction i/n with at least ``k`` working units, 0 below."""
    return lambda i, n: i / n if i >= k else 0.0


def k_of_n(k: int, n: int, p: float) -> float:
    """P(at least k of n independent units work) = Σ_{i=k}^{n} C(n,i) p^i (1-p)^(n-i)."""
    return float(stats.binom.sf(k - 1, n, p))


def exponential_survival(mean: float) -> Survival:
    """S(t) = exp(-t / mean)."""
    return lambda t: math.exp(-t / mean)


def weibull_survival(shape: float, scale: float) -> Survival:
    """S(t) = exp(-(t / scale)^shape)."""
    return lambda t: math.exp(-((t / scale) ** shape))


def mixture_survival(components: Sequence[tuple[float, Survival]]) -> Survival:
    """S(t) = Σ w_i S_i(t) for (weight, survival) pairs: each unit is in one sub-population."""
    return lambda t: math.fsum(w * s(t) for w, s in components)


def k_of_n_survival(k: int, n: int, unit: Survival) -> Survival:
    """R(t) of a k-of-n system of independent non-repaired units with survival ``unit``."""
    return lambda t: k_of_n(k, n, unit(t))


def mttf_k_of_n_exponential(k: int, n: int, mean: float) -> float:
    """MTTF_sys = Σ_{i=k}^{n} 1/(i λ) for exponential units of mean 1/λ, without repair."""
    return math.fsum(mean / i for i in range(k, n + 1))


def truncated_life_moments(survival: Survival, horizon: float) -> tuple[float, float]:
    """Mean and variance of min(T, horizon) for a lifetime T with survival function S.

    E[min(T, h)] = ∫_0^h S(s) ds and E[min(T, h)²] = ∫_0^h 2 s S(s) ds, by integration by
    parts; both hold for any horizon, so no "horizon ≫ MTTF" approximation is made.
    """
    options = {"limit": 200, "epsabs": 0.0, "epsrel": 1e-11}
    first, _ = integrate.quad(survival, 0.0, horizon, **options)
    second, _ = integrate.quad(lambda s: 2.0 * s * survival(s), 0.0, horizon, **options)
    return first, second - first**2


def availability(mttf: float, mttr: float) -> float:
    """Steady-state availability of an alternating renewal process: MTTF / (MTTF + MTTR)."""
    return mttf / (mttf + mttr)


def mean_capacity_markov(
    capacity: CapacityOfWorking, n: int, mttf: float, mttr: float, horizon: float
) -> float:
    """Expected time-averaged capacity over [0, horizon] of n units that all start up.

    Each unit, with exponential failures and its own exponential repair, is a two-state
    Markov chain: P(up at t) = a + (1 - a) exp(-(λ + μ) t), a = MTTF / (MTTF + MTTR). The units
    are independent, so the number working at t is Binomial(n, a(t)) and the expected
    capacity is a polynomial in x = exp(-(λ + μ) t), whose time integral is exact term by term:
    ∫_0^T x^j dt = (1 - exp(-j (λ + μ) T)) / (j (λ + μ)).
    """
    a = availability(mttf, mttr)
    rate = 1.0 / mttf + 1.0 / mttr
    p = Polynomial([a, 1.0 - a])
    in_x = Polynomial([0.0])
    for i in range(n + 1):
        weight = capacity(i, n)
        if weight:
            in_x = in_x + weight * math.comb(n, i) * p**i * (1.0 - p) ** (n - i)
    total = 0.0
    for j, coefficient in enumerate(in_x.coef):
        if j == 0:
            total += coefficient * horizon
        else:
            total += coefficient * -math.expm1(-j * rate * horizon) / (j * rate)
    return total / horizon


def mean_up_fraction_exponential_failures(
    mttf: float, repair_mean: float, repair_second_moment: float, horizon: float
) -> float:
    """Expected up-time fraction over [0, horizon] of one unit that starts up, any repair law.

    With exponential up-times (rate λ = 1/MTTF) and repair time D of Laplace transform g(s),
    P(up at t) has transform 1 / (s + λ (1 - g(s))). Expanding at s = 0 gives
    ∫_0^T P(up) dt = A T + A² λ E[D²] / 2 + r(T), A = MTTF / (MTTF + E[D]), where r(T) decays
    as fast as the tail of the cycle length (exponentially for fixed or exponential repair;
    the tests check it against a numerical solution of the renewal equation).
    """
    a = availability(mttf, repair_mean)
    return a + a * a * repair_second_moment / (2.0 * mttf * horizon)


def lognormal_moments(median: float, sigma: float) -> tuple[float, float]:
    """E[D] = median · exp(σ²/2) and E[D²] = median² · exp(2σ²) of a log-normal D."""
    return median * math.exp(0.5 * sigma**2), median**2 * math.exp(2.0 * sigma**2)


def up_time_integral_numerical(
    mttf: float, repair_survival: Callable[[np.ndarray], np.ndarray], horizon: float, step: float
) -> float:
    """∫_0^T P(up at t) dt for exponential failures and any repair law, by quadrature.

    Failures occur at rate λ P(up at s) (memoryless up-times) and a unit that failed at s is
    still down at t with probability G(t - s), the repair's survival function, so
    P(up at t) = 1 - λ ∫_0^t P(up at s) G(t - s) ds, a Volterra equation solved here with the
    trapezoidal rule. Used only to check :func:`mean_up_fraction_exponential_failures`.
    """
    rate = 1.0 / mttf
    steps = round(horizon / step)
    kernel = repair_survival(np.arange(steps + 1) * step)
    up = np.empty(steps + 1)
    up[0] = 1.0
    for j in range(1, steps + 1):
        past = up[:j] * kernel[j:0:-1]
        history = step * (past.sum() - 0.5 * past[0])
        up[j] = (1.0 - rate * history) / (1.0 + 0.5 * rate * step * kernel[0])
    return float(integrate.trapezoid(up, dx=step))


def cold_standby_survival(mean: float) -> Survival:
    """1-of-2 with the second unit in cold standby, perfect switching, exponential units:
    an Erlang-2 life, R(t) = exp(-t/θ) (1 + t/θ)."""
    return lambda t: math.exp(-t / mean) * (1.0 + t / mean)


def warm_standby_survival(mean: float, dormant_factor: float, switch_failure: float
                          ) -> Survival:
    """1-of-2 with the second unit in warm standby (dormant rate α λ), switching failing on
    demand with probability p: R(t) = exp(-λt) [1 + (1 - p)(1 - exp(-αλt)) / α] (α → 0:
    the cold standby's 1 + (1 - p) λt)."""
    rate = 1.0 / mean

    def survival(t: float) -> float:
        if dormant_factor == 0.0:
            spare = rate * t
        else:
            spare = -math.expm1(-dormant_factor * rate * t) / dormant_factor
        return math.exp(-rate * t) * (1.0 + (1.0 - switch_failure) * spare)

    return survival


def common_cause_survival(mean: float, beta: float) -> Survival:
    """1-of-2 hot units of total rate λ = 1/θ, a share β of it common to both (beta factor):
    R(t) = exp(-βλt) [2 exp(-(1-β)λt) - exp(-2(1-β)λt)]."""
    rate = 1.0 / mean
    own = (1.0 - beta) * rate
    return lambda t: math.exp(-beta * rate * t) * (2.0 * math.exp(-own * t)
                                                   - math.exp(-2.0 * own * t))


def latent_down_moments(mean: float, interval: float) -> tuple[float, float]:
    """Mean and variance of the time a unit with latent exponential failures spends down in
    one inspection interval τ: D = (τ - X)⁺, X ~ Exp(1/θ) (renewed at each inspection)."""
    rate = 1.0 / mean
    first = interval - (1.0 - math.exp(-rate * interval)) / rate
    second, _ = integrate.quad(lambda x: (interval - x) ** 2 * rate * math.exp(-rate * x),
                               0.0, interval, limit=200, epsabs=0.0, epsrel=1e-11)
    return first, second - first**2


def latent_inspection_uptime(mean: float, interval: float, horizon: float
                             ) -> tuple[float, float]:
    """Expected up-time fraction over ``horizon`` of a unit inspected every ``interval`` (the
    first at one interval) whose failures are latent until then, and the variance of one
    unit's fraction: whole intervals, then the part interval left at the horizon."""
    whole = math.floor(horizon / interval + 1e-12)
    rest = horizon - whole * interval
    down, variance = latent_down_moments(mean, interval)
    rest_down, rest_variance = latent_down_moments(mean, rest) if rest > 0 else (0.0, 0.0)
    expected_down = whole * down + rest_down
    return 1.0 - expected_down / horizon, (whole * variance + rest_variance) / horizon**2
