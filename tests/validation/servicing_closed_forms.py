"""Closed forms the servicing model is checked against.

Pure functions, written from the textbook results and independent of ``sim``:

- the finite-source (machine-repair) queue M/M/c//N, stationary and time-averaged from an
  all-up start (Kleinrock, *Queueing Systems* vol. 1 §3.8; Gross & Harris §2.8);
- waiting in M/M/1 and M/M/c queues (Erlang C);
- the fill rate and mean stock on hand of a continuous-review (s, Q) inventory system with unit
  Poisson demand and a fixed lead time (Hadley & Whitin; Zipkin, *Foundations of Inventory
  Management* §6);
- first-order orbital mechanics between circular orbits (Vallado, *Fundamentals of
  Astrodynamics and Applications*: Hohmann transfer, plane change, secular J2 regression of
  the node, linearised phasing).

Queue and inventory functions take rates and times in one unit chosen by the caller; orbital
functions are SI (metres, seconds, radians, m/s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, stats

# Earth's gravitational parameter, m³/s² (EGM2008 / IERS value).
MU_M3_S2 = 3.986004418e14
# Earth's second zonal harmonic (unnormalised), dimensionless.
J2 = 1.08263e-3
# Equatorial radius the J2 value is referred to, m (WGS-72).
EARTH_RADIUS_M = 6378135.0


# --- Finite-source queue M/M/c//N ----------------------------------------------------------


@dataclass(frozen=True)
class MachineRepair:
    """Distribution of K, the number of machines down, and the shares of machine-time.

    ``p[k]`` = P(K = k) for k = 0..N; ``mean_up_fraction`` = E[N − K]/N; ``waiting_fraction``
    = E[max(K − c, 0)]/N (down and waiting for a repairer); ``repair_fraction`` =
    E[min(K, c)]/N (down and in repair). The three fractions sum to 1.
    """

    p: np.ndarray
    mean_up_fraction: float
    waiting_fraction: float
    repair_fraction: float


def _fractions(p: np.ndarray, n_machines: int, n_repairers: int) -> MachineRepair:
    """The three shares of machine-time under the distribution ``p`` of K."""
    k = np.arange(n_machines + 1)
    return MachineRepair(
        p=p,
        mean_up_fraction=float(p @ (n_machines - k)) / n_machines,
        waiting_fraction=float(p @ np.maximum(k - n_repairers, 0)) / n_machines,
        repair_fraction=float(p @ np.minimum(k, n_repairers)) / n_machines,
    )


def machine_repair_generator(
    n_machines: int, n_repairers: int, failure_rate: float, repair_rate: float
) -> np.ndarray:
    """Generator Q of K: k → k+1 at (N − k) λ, k → k−1 at min(k, c) μ."""
    k = np.arange(n_machines + 1)
    up = (n_machines - k[:-1]) * failure_rate
    down = np.minimum(k[1:], n_repairers) * repair_rate
    q = np.diag(up, 1) + np.diag(down, -1)
    return q - np.diag(q.sum(axis=1))


def machine_repair(
    n_machines: int, n_repairers: int, failure_rate: float, repair_rate: float
) -> MachineRepair:
    """Stationary M/M/c//N: p_k ∝ Π_{j<k} (N − j) λ / (min(j + 1, c) μ) (birth-death balance).

    The product is formed in logarithms so that large N neither overflows nor underflows.
    """
    j = np.arange(n_machines)
    log_ratio = (np.log(n_machines - j) + math.log(failure_rate)
                 - np.log(np.minimum(j + 1, n_repairers)) - math.log(repair_rate))
    log_p = np.concatenate(([0.0], np.cumsum(log_ratio)))
    p = np.exp(log_p - log_p.max())
    return _fractions(p / p.sum(), n_machines, n_repairers)


def machine_repair_transient_average(
    n_machines: int,
    n_repairers: int,
    failure_rate: float,
    repair_rate: float,
    horizon: float,
    start_all_up: bool = True,
) -> MachineRepair:
    """The same shares time-averaged over [0, T]: p̄ = p(0) ∫_0^T exp(Q t) dt / T.

    The integral is the upper-right block of exp(M T) for the augmented M = [[Q, I], [0, 0]]
    (Van Loan, 1978), so no inverse of the singular Q is needed. ``start_all_up`` False starts
    with every machine down instead.
    """
    size = n_machines + 1
    q = machine_repair_generator(n_machines, n_repairers, failure_rate, repair_rate)
    augmented = np.zeros((2 * size, 2 * size))
    augmented[:size, :size] = q
    augmented[:size, size:] = np.eye(size)
    integral = linalg.expm(augmented * horizon)[:size, size:]
    start = np.zeros(size)
    start[0 if start_all_up else n_machines] = 1.0
    return _fractions(start @ integral / horizon, n_machines, n_repairers)


# --- Infinite-source queues ----------------------------------------------------------------


def mm1_mean_wait(lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/1: Wq = λ / (μ (μ − λ)), for λ < μ."""
    if lam >= mu:
        raise ValueError("M/M/1 is unstable unless λ < μ")
    return lam / (mu * (mu - lam))


def erlang_c(c: int, lam: float, mu: float) -> float:
    """Probability of waiting in M/M/c, a = λ/μ < c:
    C(c, a) = [aᶜ/c! · c/(c − a)] / [Σ_{k<c} aᵏ/k! + aᶜ/c! · c/(c − a)].

    Computed from the Erlang B recursion B_0 = 1, B_k = a B_{k−1} / (k + a B_{k−1}) and
    C = c B_c / (c − a (1 − B_c)), which is algebraically the same and stable for large c.
    """
    a = lam / mu
    if a >= c:
        raise ValueError("M/M/c is unstable unless λ < c μ")
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = a * blocking / (k + a * blocking)
    return c * blocking / (c - a * (1.0 - blocking))


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c: Wq = C(c, λ/μ) / (c μ − λ)."""
    return erlang_c(c, lam, mu) / (c * mu - lam)


# --- Continuous-review (s, Q) inventory ----------------------------------------------------


def _positions(s: int, q: int) -> np.ndarray:
    """The inventory positions s+1..s+Q, each equally likely in steady state."""
    return np.arange(s + 1, s + q + 1)


def sq_fill_rate_poisson(s: int, q: int, demand_rate: float, lead_time: float) -> float:
    """Fill rate (share of unit demands met from stock at once):
    (1/Q) Σ_{y=s+1}^{s+Q} F(y − 1; λL), F the Poisson CDF of the lead-time demand.

    Net stock L after an instant with inventory position y is y − D, D ~ Poisson(λL); a demand
    is met from stock when y − D ≥ 1.
    """
    y = _positions(s, q)
    return float(np.mean(stats.poisson.cdf(y - 1, demand_rate * lead_time)))


def sq_mean_on_hand(s: int, q: int, demand_rate: float, lead_time: float) -> float:
    """Mean stock on hand: (1/Q) Σ_{y=s+1}^{s+Q} E[(y − D)⁺], D ~ Poisson(λL)."""
    mean = demand_rate * lead_time
    total = 0.0
    for y in _positions(s, q):
        if y > 0:
            d = np.arange(y + 1)
            total += float(np.sum((y - d) * stats.poisson.pmf(d, mean)))
    return total / q


# --- Orbital mechanics between circular orbits (SI) ----------------------------------------


def mean_motion_rad_s(a_m: float) -> float:
    """n = √(μ / a³)."""
    return math.sqrt(MU_M3_S2 / a_m**3)


def circular_speed_m_s(a_m: float) -> float:
    """v = √(μ / a)."""
    return math.sqrt(MU_M3_S2 / a_m)


def nodal_rate_rad_s(a_m: float, i_rad: float) -> float:
    """Secular J2 rate of the node of a circular orbit: Ω̇ = −(3/2) n J2 (R/a)² cos i."""
    return -1.5 * mean_motion_rad_s(a_m) * J2 * (EARTH_RADIUS_M / a_m) ** 2 * math.cos(i_rad)


def hohmann_delta_v_m_s(r1: float, r2: float) -> float:
    """Two-impulse Hohmann Δv between circular orbits of radii r1 and r2:
    |√(μ/r1) (√(2 r2/(r1 + r2)) − 1)| + |√(μ/r2) (1 − √(2 r1/(r1 + r2)))|."""
    v1, v2 = circular_speed_m_s(r1), circular_speed_m_s(r2)
    total = r1 + r2
    return abs(v1 * (math.sqrt(2.0 * r2 / total) - 1.0)) + abs(
        v2 * (1.0 - math.sqrt(2.0 * r1 / total))
    )


def hohmann_time_s(r1: float, r2: float) -> float:
    """Transfer time of a Hohmann transfer: half the period, π √(((r1 + r2)/2)³ / μ)."""
    return math.pi * math.sqrt((0.5 * (r1 + r2)) ** 3 / MU_M3_S2)


def plane_change_delta_v_m_s(a_m: float, theta_rad: float) -> float:
    """Single impulse turning a circular orbit's plane by θ: Δv = 2 v sin(θ/2)."""
    return 2.0 * circular_speed_m_s(a_m) * math.sin(0.5 * theta_rad)


def plane_angle_rad(i_rad: float, delta_raan_rad: float) -> float:
    """Angle θ between two planes of inclination i with nodes ΔΩ apart (spherical law of
    cosines on the two orbit normals): cos θ = cos² i + sin² i cos ΔΩ."""
    cos_theta = math.cos(i_rad) ** 2 + math.sin(i_rad) ** 2 * math.cos(delta_raan_rad)
    return math.acos(min(1.0, max(-1.0, cos_theta)))


def phasing_time_s(a_m: float, delta_u_rad: float, delta_a_m: float) -> float:
    """Time to shift the argument of latitude by Δu on an orbit Δa away, linearised:
    |Δu| / |(3/2) n Δa / a| (from n ∝ a^(−3/2)); the relative error is about (5/4)|Δa|/a."""
    return abs(delta_u_rad) / abs(1.5 * mean_motion_rad_s(a_m) * delta_a_m / a_m)
