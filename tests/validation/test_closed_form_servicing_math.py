"""The servicing closed forms themselves, checked against special cases, against each other,
against published values and against small hand-written simulations.

A validation is only as good as its reference: these checks need no ``sim``. Every Monte Carlo
tolerance is ``K_SIGMA`` standard errors, the standard error taken from batch means.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest
from reliability_closed_forms import bus_capacity, mean_capacity_markov
from scipy import stats
from servicing_closed_forms import (
    EARTH_RADIUS_M,
    J2,
    circular_speed_m_s,
    erlang_c,
    hohmann_delta_v_m_s,
    hohmann_time_s,
    machine_repair,
    machine_repair_generator,
    machine_repair_transient_average,
    mean_motion_rad_s,
    mm1_mean_wait,
    mmc_mean_wait,
    nodal_rate_rad_s,
    phasing_time_s,
    plane_angle_rad,
    plane_change_delta_v_m_s,
    sq_fill_rate_poisson,
    sq_mean_on_hand,
)

# Standard errors allowed between a Monte Carlo estimate and its closed form (false alarm
# ≈ 6e-5 per comparison for a normal estimator).
K_SIGMA = 4.0
# Batches of the batch-means standard error: enough for the spread, few enough that each batch
# is much longer than the process's correlation time.
BATCHES = 40
SEED = 20240611
DAY_S = 86_400.0

# The machine-repair case of the checks: N machines, c repairers, failure and repair rates.
N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE = 5, 2, 0.1, 0.3


def km(altitude_km: float) -> float:
    """Radius of a circular orbit at ``altitude_km``, m."""
    return EARTH_RADIUS_M + altitude_km * 1e3


# --- Machine repair ------------------------------------------------------------------------


def test_machine_repair_with_a_repairer_per_machine_is_independent_machines() -> None:
    """c ≥ N: K ~ Binomial(N, λ/(λ+μ)), up fraction μ/(λ+μ), nobody waits."""
    lam, mu = 0.2, 0.7
    for n, c in [(4, 4), (4, 9), (7, 7)]:
        result = machine_repair(n, c, lam, mu)
        expected = stats.binom.pmf(np.arange(n + 1), n, lam / (lam + mu))
        np.testing.assert_allclose(result.p, expected, rtol=1e-12, atol=1e-15)
        assert result.mean_up_fraction == pytest.approx(mu / (lam + mu), rel=1e-12)
        assert result.waiting_fraction == pytest.approx(0.0, abs=1e-15)
        assert result.repair_fraction == pytest.approx(lam / (lam + mu), rel=1e-12)


def test_machine_repair_single_machine() -> None:
    """N = 1: P(down) = λ/(λ+μ) whatever c ≥ 1."""
    lam, mu = 0.05, 0.4
    result = machine_repair(1, 1, lam, mu)
    np.testing.assert_allclose(result.p, [mu / (lam + mu), lam / (lam + mu)], rtol=1e-12)
    assert result.mean_up_fraction == pytest.approx(mu / (lam + mu), rel=1e-12)
    assert result.waiting_fraction == 0.0


def test_machine_repair_is_the_stationary_distribution_of_its_generator() -> None:
    """Σ p = 1, p Q = 0 for the generator built independently, fractions sum to 1."""
    for n, c, lam, mu in [(5, 2, 0.1, 0.3), (12, 1, 0.02, 0.1), (30, 4, 0.5, 0.2)]:
        result = machine_repair(n, c, lam, mu)
        q = machine_repair_generator(n, c, lam, mu)
        assert result.p.sum() == pytest.approx(1.0, abs=1e-14)
        # p Q is a sum of terms of size ≤ max rate: round-off is ~1e-16 of that.
        np.testing.assert_allclose(result.p @ q, 0.0, atol=1e-14 * np.abs(q).max())
        total = result.mean_up_fraction + result.waiting_fraction + result.repair_fraction
        assert total == pytest.approx(1.0, abs=1e-14)


def test_machine_repair_with_many_sources_tends_to_erlang_c() -> None:
    """N → ∞ with N λ = Λ fixed is M/M/c: Wq = E[K − c]⁺ / (λ E[N − K]) (Little) → Wq(M/M/c).

    The finite-source error is O(1/N) (about 32/N here), so the Richardson combination
    2 W(2N) − W(N) is O(1/N²) ≈ 1e-4 relative at N = 4000: checked to 1e-3.
    """
    arrivals, mu, c = 1.5, 1.0, 2

    def wait(n: int) -> float:
        result = machine_repair(n, c, arrivals / n, mu)
        return result.waiting_fraction / ((arrivals / n) * result.mean_up_fraction)

    limit = mmc_mean_wait(c, arrivals, mu)
    assert abs(wait(4000) / limit - 1.0) < 0.02
    assert 2.0 * wait(8000) - wait(4000) == pytest.approx(limit, rel=1e-3)


def test_transient_average_of_independent_machines_is_the_two_state_markov_result() -> None:
    """c ≥ N from all up: up fraction a + (1 − a)(1 − e^{−rT})/(rT), a = μ/(λ+μ), r = λ+μ,
    as in the reliability closed forms (one unit of capacity 1 when up); from all down it is
    a (1 − (1 − e^{−rT})/(rT))."""
    lam, mu = 0.1, 0.3
    for horizon in (0.5, 10.0, 300.0):
        up = machine_repair_transient_average(3, 3, lam, mu, horizon).mean_up_fraction
        single = mean_capacity_markov(bus_capacity(1), 1, 1.0 / lam, 1.0 / mu, horizon)
        assert up == pytest.approx(single, rel=1e-12)
        down = machine_repair_transient_average(3, 3, lam, mu, horizon, start_all_up=False)
        a, r = mu / (lam + mu), lam + mu
        expected = a * (1.0 + math.expm1(-r * horizon) / (r * horizon))
        assert down.mean_up_fraction == pytest.approx(expected, rel=1e-12)


def test_transient_average_tends_to_the_stationary_one_with_the_deviation_matrix() -> None:
    """T (p̄_T − π) → p(0) D, D = (Π − Q)⁻¹ − Π the deviation matrix (Π rows all π): computed by
    a linear solve, independent of the matrix exponential. The remainder decays as
    exp(−gap · T), negligible at T = 1000; round-off of T p̄ is ~1e-13 · T."""
    horizon = 1000.0
    stationary = machine_repair(N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE).p
    q = machine_repair_generator(N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE)
    projector = np.outer(np.ones(len(stationary)), stationary)
    start = np.eye(len(stationary))[0]
    bias = np.linalg.solve((projector - q).T, start) - stationary
    average = machine_repair_transient_average(
        N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE, horizon
    ).p
    np.testing.assert_allclose(horizon * (average - stationary), bias, atol=1e-9)


def test_transient_average_starts_all_up() -> None:
    """T → 0⁺: every machine up, and 1 − up ≈ λ T/2 with an O((λ+μ)² T²) remainder."""
    horizon = 1e-6
    result = machine_repair_transient_average(
        N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE, horizon
    )
    remainder = (FAILURE_RATE + REPAIR_RATE) ** 2 * horizon**2
    assert result.mean_up_fraction == pytest.approx(1.0 - 0.5 * FAILURE_RATE * horizon,
                                                    abs=remainder)
    assert result.waiting_fraction < remainder


def gillespie_machine_repair(
    n: int, c: int, lam: float, mu: float, events: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Jump times and states of K (machines down) for ``events`` jumps, K(0) drawn from the
    stationary law so that no warm-up is needed."""
    state = int(rng.choice(n + 1, p=machine_repair(n, c, lam, mu).p))
    holds = rng.exponential(size=events)
    draws = rng.random(size=events)
    states = np.empty(events + 1, dtype=np.int64)
    times = np.empty(events + 1)
    states[0], times[0] = state, 0.0
    clock = 0.0
    for i in range(events):
        fail = (n - state) * lam
        total = fail + min(state, c) * mu
        clock += holds[i] / total
        state += 1 if draws[i] * total < fail else -1
        states[i + 1], times[i + 1] = state, clock
    return times, states


def batch_time_averages(
    times: np.ndarray, values: np.ndarray, batches: int
) -> np.ndarray:
    """Time averages of the step function ``values[i]`` on [times[i], times[i+1]) over
    ``batches`` equal spans of [0, times[-1]]: the integral is piecewise linear, so
    interpolating its running sum at the batch edges is exact."""
    running = np.concatenate(([0.0], np.cumsum(values[:-1] * np.diff(times))))
    edges = np.linspace(0.0, times[-1], batches + 1)
    return np.diff(np.interp(edges, times, running)) / np.diff(edges)


def test_machine_repair_matches_a_gillespie_simulation() -> None:
    """Each fraction within K_SIGMA batch-means standard errors of the simulation."""
    rng = np.random.default_rng(SEED)
    times, states = gillespie_machine_repair(
        N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE, 200_000, rng
    )
    exact = machine_repair(N_MACHINES, N_REPAIRERS, FAILURE_RATE, REPAIR_RATE)
    observed = {
        "mean_up_fraction": (N_MACHINES - states) / N_MACHINES,
        "waiting_fraction": np.maximum(states - N_REPAIRERS, 0) / N_MACHINES,
        "repair_fraction": np.minimum(states, N_REPAIRERS) / N_MACHINES,
    }
    for name, values in observed.items():
        means = batch_time_averages(times, values, BATCHES)
        error = means.std(ddof=1) / math.sqrt(BATCHES)
        assert abs(means.mean() - getattr(exact, name)) < K_SIGMA * error, name


# --- M/M/1 and M/M/c -----------------------------------------------------------------------


def test_erlang_c_single_server_is_utilisation() -> None:
    """C(1, a) = ρ, and M/M/c with c = 1 waits as M/M/1."""
    for lam, mu in [(0.2, 1.0), (0.9, 1.0), (3.0, 7.5)]:
        assert erlang_c(1, lam, mu) == pytest.approx(lam / mu, rel=1e-14)
        assert mmc_mean_wait(1, lam, mu) == pytest.approx(mm1_mean_wait(lam, mu), rel=1e-14)


def test_erlang_c_table_values_and_explicit_sum() -> None:
    """C(2, a = 1) = 1/3 (hand computation), and the recursion equals the textbook sum."""
    assert erlang_c(2, 1.0, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-14)
    for c, a in [(3, 2.0), (10, 8.5), (25, 20.0)]:
        top = a**c / math.factorial(c) * c / (c - a)
        explicit = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
        assert erlang_c(c, a, 1.0) == pytest.approx(explicit, rel=1e-12)


def test_unstable_queues_are_refused() -> None:
    with pytest.raises(ValueError):
        mm1_mean_wait(1.0, 1.0)
    with pytest.raises(ValueError):
        erlang_c(2, 2.5, 1.0)


# --- (s, Q) inventory ----------------------------------------------------------------------

# The (s, Q) case of the checks: reorder point, order quantity, demand rate, lead time.
REORDER, QUANTITY, DEMAND_RATE, LEAD_TIME = 4, 5, 2.0, 3.0


def test_base_stock_fill_rate_is_one_minus_the_stockout_probability() -> None:
    """Q = 1 is base stock S = s + 1: by Palm's theorem the orders outstanding are
    Poisson(λL), and a demand is met unless at least S are outstanding."""
    for s, mean in [(0, 0.5), (3, 2.0), (10, 7.3)]:
        stockout = 1.0 - sum(math.exp(-mean) * mean**k / math.factorial(k)
                             for k in range(s + 1))
        assert sq_fill_rate_poisson(s, 1, mean, 1.0) == pytest.approx(1.0 - stockout,
                                                                      rel=1e-12)


def test_fill_rate_tends_to_one_and_stock_grows_with_the_reorder_point() -> None:
    """More safety stock: the fill rate rises to 1 and E[on hand] → s + (Q+1)/2 − λL."""
    fills = [sq_fill_rate_poisson(s, QUANTITY, DEMAND_RATE, LEAD_TIME) for s in range(0, 40)]
    assert np.all(np.diff(fills) >= 0.0)
    assert fills[-1] == pytest.approx(1.0, abs=1e-12)
    s = 40
    # With P(D > s) ≈ 0 the positive part never binds: E[(y − D)⁺] = y − λL exactly.
    assert sq_mean_on_hand(s, QUANTITY, DEMAND_RATE, LEAD_TIME) == pytest.approx(
        s + 0.5 * (QUANTITY + 1) - DEMAND_RATE * LEAD_TIME, rel=1e-10
    )


def simulate_sq(
    s: int, q: int, rate: float, lead: float, demands: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Net stock seen by each unit demand and whether it was met from stock, for an (s, Q)
    system with Poisson demand and orders arriving ``lead`` after they are placed. Starts
    with position s + Q and nothing on order."""
    gaps = rng.exponential(1.0 / rate, size=demands)
    net, position, clock = s + q, s + q, 0.0
    pipeline: deque[float] = deque()
    seen = np.empty(demands, dtype=np.int64)
    for i in range(demands):
        clock += gaps[i]
        while pipeline and pipeline[0] <= clock:
            pipeline.popleft()
            net += q
        seen[i] = net
        net -= 1
        position -= 1
        if position <= s:
            position += q
            pipeline.append(clock + lead)
    return seen, seen >= 1


def test_sq_system_matches_an_event_simulation() -> None:
    """Fill rate and (by PASTA: Poisson demands see time averages) mean on hand within
    K_SIGMA batch-means standard errors; the first 2 000 demands are dropped as warm-up
    (the start is ~1 lead time and ~1 cycle from steady state, a few demands)."""
    rng = np.random.default_rng(SEED)
    seen, met = simulate_sq(REORDER, QUANTITY, DEMAND_RATE, LEAD_TIME, 202_000, rng)
    seen, met = seen[2000:], met[2000:]
    checks = [
        (met.astype(float), sq_fill_rate_poisson(REORDER, QUANTITY, DEMAND_RATE, LEAD_TIME)),
        (np.maximum(seen, 0).astype(float),
         sq_mean_on_hand(REORDER, QUANTITY, DEMAND_RATE, LEAD_TIME)),
    ]
    for values, exact in checks:
        means = values.reshape(BATCHES, -1).mean(axis=1)
        error = means.std(ddof=1) / math.sqrt(BATCHES)
        assert abs(means.mean() - exact) < K_SIGMA * error


# --- Orbital mechanics ---------------------------------------------------------------------


def degrees_per_day(rate_rad_s: float) -> float:
    return math.degrees(rate_rad_s) * DAY_S


def test_nodal_regression_published_values() -> None:
    """ISS-like 400 km / 51.6°: about −5.0°/day; Starlink-like 550 km / 53°: −4.49°/day;
    sun-synchronous at 800 km needs i ≈ 98.6° (Vallado; Larson & Wertz), i.e. +360° per
    tropical year. Tolerances are the precision the values are quoted with."""
    assert degrees_per_day(nodal_rate_rad_s(km(400), math.radians(51.6))) == pytest.approx(
        -5.0, abs=0.1)
    assert degrees_per_day(nodal_rate_rad_s(km(550), math.radians(53))) == pytest.approx(
        -4.49, abs=0.01)
    a = km(800)
    sun_rate = 2.0 * math.pi / (365.2422 * DAY_S)
    cos_i = -sun_rate / (1.5 * mean_motion_rad_s(a) * J2 * (EARTH_RADIUS_M / a) ** 2)
    assert math.degrees(math.acos(cos_i)) == pytest.approx(98.6, abs=0.05)
    assert nodal_rate_rad_s(a, math.acos(cos_i)) == pytest.approx(sun_rate, rel=1e-12)


def test_differential_nodal_drift_of_a_parking_orbit() -> None:
    """550 km / 53° with a parking orbit 50 km lower: ≈ 0.11°/day relative, ~90 days per
    10° of RAAN (±0.01°/day maps to 83–100 days). Against dΩ̇/da = −3.5 Ω̇/a: the linear
    term's relative error is ≈ 2.25 |Δa|/a (second-order term of (1 + x)^−3.5)."""
    a, da, inclination = km(550), -50e3, math.radians(53)
    relative = nodal_rate_rad_s(a + da, inclination) - nodal_rate_rad_s(a, inclination)
    assert abs(degrees_per_day(relative)) == pytest.approx(0.11, abs=0.01)
    assert 10.0 / abs(degrees_per_day(relative)) == pytest.approx(90.0, abs=10.0)
    linear = -3.5 * nodal_rate_rad_s(a, inclination) * da / a
    assert relative == pytest.approx(linear, rel=2.5 * abs(da) / a)


def test_hohmann_published_and_small_transfer_values() -> None:
    """550→650 km ≈ 54 m/s, 300→550 km ≈ 141 m/s (±1 m/s, quoted to the metre); Vallado
    Example 6-1 (191.344 km → GEO): 3.935224 km/s and 5.256713 h (to the digits of the radii,
    1e-5); small transfers tend to v Δr / (2r), relative error O(Δr/r); Δv is symmetric."""
    assert hohmann_delta_v_m_s(km(550), km(650)) == pytest.approx(54.0, abs=1.0)
    assert hohmann_delta_v_m_s(km(300), km(550)) == pytest.approx(141.0, abs=1.0)
    r1, r2 = 6569.4869e3, 42159.48e3
    assert hohmann_delta_v_m_s(r1, r2) == pytest.approx(3935.224, rel=1e-5)
    assert hohmann_time_s(r1, r2) / 3600.0 == pytest.approx(5.256713, rel=1e-5)
    assert hohmann_delta_v_m_s(r2, r1) == pytest.approx(hohmann_delta_v_m_s(r1, r2), rel=1e-14)
    r, dr = km(550), 1e3
    assert hohmann_delta_v_m_s(r, r + dr) == pytest.approx(
        circular_speed_m_s(r) * dr / (2.0 * r), rel=2.0 * dr / r)


def test_plane_change_matches_vector_geometry() -> None:
    """2 v sin(θ/2) is |v₁ − v₂| for equal speeds at angle θ, and θ from the spherical law of
    cosines is the angle between the orbit normals (sin i sin Ω, −sin i cos Ω, cos i)."""
    a, inclination = km(550), math.radians(53)
    v = circular_speed_m_s(a)
    for theta in (0.01, 0.3, 1.2, 3.0):
        vectors = v * np.array([[1.0, 0.0], [math.cos(theta), math.sin(theta)]])
        assert plane_change_delta_v_m_s(a, theta) == pytest.approx(
            np.linalg.norm(vectors[0] - vectors[1]), rel=1e-12)

    def normal(raan: float) -> np.ndarray:
        return np.array([math.sin(inclination) * math.sin(raan),
                         -math.sin(inclination) * math.cos(raan), math.cos(inclination)])

    for delta_raan in (0.02, 0.7, 2.0, math.pi):
        angle = math.acos(np.clip(normal(0.3) @ normal(0.3 + delta_raan), -1.0, 1.0))
        assert plane_angle_rad(inclination, delta_raan) == pytest.approx(angle, rel=1e-9)


def test_plane_change_per_degree_at_550_km() -> None:
    """Per degree of plane angle: v π/180 ≈ 132 m/s; per degree of ΔΩ at i = 53°: v sin i π/180
    ≈ 106 m/s. Small-angle relative errors are O(θ²) ≈ 3e-4 at 1°: checked to 1e-3."""
    a, inclination, degree = km(550), math.radians(53), math.radians(1.0)
    per_theta = plane_change_delta_v_m_s(a, degree)
    per_raan = plane_change_delta_v_m_s(a, plane_angle_rad(inclination, degree))
    v = circular_speed_m_s(a)
    assert per_theta == pytest.approx(132.0, abs=1.0)
    assert per_theta == pytest.approx(v * degree, rel=1e-3)
    assert per_raan == pytest.approx(106.0, abs=1.0)
    assert per_raan == pytest.approx(v * math.sin(inclination) * degree, rel=1e-3)


def test_linearised_phasing_time_against_exact_mean_motions() -> None:
    """|Δu| / |n(a + Δa) − n(a)| differs from the linearised time by ≈ (5/4)|Δa|/a (second
    term of (1 + x)^−3/2): checked to 1.5 |Δa|/a."""
    a, delta_u = km(550), math.radians(40.0)
    for da in (-20e3, -2e3, 5e3, 20e3):
        exact = delta_u / abs(mean_motion_rad_s(a + da) - mean_motion_rad_s(a))
        assert phasing_time_s(a, delta_u, da) == pytest.approx(exact, rel=1.5 * abs(da) / a)
        assert phasing_time_s(a, -delta_u, da) == phasing_time_s(a, delta_u, da)
