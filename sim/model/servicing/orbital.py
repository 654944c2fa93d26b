"""Closed-form orbital mechanics of a servicer's moves between circular orbits.

Textbook first-order results (Vallado, *Fundamentals of Astrodynamics and Applications*, 4th
ed.: §6.3 Hohmann transfer, §6.4 plane changes, §9.6 secular J2 nodal regression; the phasing
drift is the linearised mean-motion difference, Δn = −(3/2)·n·Δa/a). Inputs and outputs are SI:
metres, seconds, radians, m/s.
"""

from __future__ import annotations

import math

from sim.constants import EARTH_J2, EARTH_MU_M3_S2, WGS72_RADIUS_M

TWO_PI = 2.0 * math.pi
# Equatorial radius for the J2 term, m (the radius the J2 value is normalised with).
J2_RADIUS_M = WGS72_RADIUS_M


def mean_motion_rad_s(semi_major_axis_m: float) -> float:
    """n = √(μ/a³), rad/s."""
    return math.sqrt(EARTH_MU_M3_S2 / semi_major_axis_m**3)


def circular_speed_m_s(semi_major_axis_m: float) -> float:
    """v = √(μ/a), m/s."""
    return math.sqrt(EARTH_MU_M3_S2 / semi_major_axis_m)


def nodal_rate_rad_s(semi_major_axis_m: float, inclination_rad: float) -> float:
    """Secular J2 regression of the node of a circular orbit: Ω̇ = −1.5·n·J2·(R/a)²·cos i."""
    n = mean_motion_rad_s(semi_major_axis_m)
    return -1.5 * n * EARTH_J2 * (J2_RADIUS_M / semi_major_axis_m) ** 2 * math.cos(inclination_rad)


def phasing_rate_rad_s(semi_major_axis_m: float, altitude_offset_m: float) -> float:
    """How fast a drift orbit ``altitude_offset_m`` above (negative: below) gains argument of
    latitude on the orbit it left: Δn = n(a + Δa) − n(a) (exact Kepler difference)."""
    return (mean_motion_rad_s(semi_major_axis_m + altitude_offset_m)
            - mean_motion_rad_s(semi_major_axis_m))


def hohmann_delta_v_m_s(from_m: float, to_m: float) -> float:
    """Total Δv of a two-impulse Hohmann transfer between circular orbits of radii from/to."""
    r1, r2 = from_m, to_m
    mu = EARTH_MU_M3_S2
    transfer = 2.0 * r2 / (r1 + r2)
    first = abs(math.sqrt(mu / r1) * (math.sqrt(transfer) - 1.0))
    second = abs(math.sqrt(mu / r2) * (1.0 - math.sqrt(2.0 * r1 / (r1 + r2))))
    return first + second


def hohmann_time_s(from_m: float, to_m: float) -> float:
    """Half the period of the transfer ellipse, s."""
    a = 0.5 * (from_m + to_m)
    return math.pi * math.sqrt(a**3 / EARTH_MU_M3_S2)


def plane_angle_rad(inclination_rad: float, delta_raan_rad: float) -> float:
    """Angle between two planes of equal inclination whose nodes differ by ΔΩ:
    cos θ = cos² i + sin² i · cos ΔΩ."""
    cos_theta = (math.cos(inclination_rad) ** 2
                 + math.sin(inclination_rad) ** 2 * math.cos(delta_raan_rad))
    return math.acos(max(-1.0, min(1.0, cos_theta)))


def plane_change_delta_v_m_s(semi_major_axis_m: float, angle_rad: float) -> float:
    """Single impulse rotating a circular orbit's plane by ``angle_rad``: 2·v·sin(θ/2)."""
    return 2.0 * circular_speed_m_s(semi_major_axis_m) * math.sin(0.5 * angle_rad)


def wrap_pi(angle_rad: float) -> float:
    """``angle_rad`` wrapped into (−π, π]."""
    wrapped = math.remainder(angle_rad, TWO_PI)
    return math.pi if wrapped == -math.pi else wrapped
