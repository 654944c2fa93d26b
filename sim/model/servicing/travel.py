"""A servicer's trip from one satellite's slot to another's: how long it takes and what Δv it
costs.

Slots are fixed relative positions: the members of a Walker shell keep their phases and their
planes keep their node differences (every plane regresses at the same J2 rate), so a trip's
duration and Δv depend on the two slots and the servicer's mobility alone. Moves:

- within a formation (satellites metres to kilometres apart): a stated transfer time;
- within a plane: phasing on a drift orbit ``phasing_altitude_m`` below (to gain on a target
  ahead) or above (to fall back), for |Δu| / |Δn|, with a Hohmann transfer out and back;
- across planes, either by parking ``drift_altitude_m`` above or below the shell and waiting
  for the J2 nodal rates to close ΔΩ (slow, a few m/s), or by a direct plane change of
  2·v·sin(θ/2) (fast, paid in propellant), then phasing within the target plane;
- and a stated rendezvous time at the end of every trip to another satellite.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from sim.model.servicing import orbital

PlaneChange = Literal["drift", "delta_v"]


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one satellite flies, as a servicer reads it. ``plane`` is a plane index within the
    fleet group (all members of a formation share plane 0 and ``formation`` is True); without
    an orbit (``semi_major_axis_m`` 0) trips take no time."""

    group: int
    plane: int
    raan_rad: float = 0.0
    arg_latitude_rad: float = 0.0
    semi_major_axis_m: float = 0.0
    inclination_rad: float = 0.0
    formation: bool = False


@dataclass(frozen=True, slots=True)
class Mobility:
    """A servicer's way of moving (SI units)."""

    formation_transfer_s: float = 0.0
    rendezvous_s: float = 0.0
    phasing_altitude_m: float = 20_000.0
    plane_change: PlaneChange = "drift"
    drift_altitude_m: float = 50_000.0


@dataclass(frozen=True, slots=True)
class Trip:
    """One trip's duration and Δv."""

    duration_s: float
    delta_v_m_s: float


NO_TRIP = Trip(0.0, 0.0)
# Relative node rates below this (rad/s, 0.03°/century) move no plane within any horizon: a
# polar orbit's cos i is 6e-17 in floating point, not 0.
MIN_NODE_RATE_RAD_S = 1e-13


def trip(origin: Slot, target: Slot, same_satellite: bool, mobility: Mobility) -> Trip:
    """The trip from ``origin`` to ``target`` (slots of one fleet group)."""
    if same_satellite or target.semi_major_axis_m <= 0.0:
        return NO_TRIP
    if target.formation:
        return Trip(mobility.formation_transfer_s, 0.0)
    a = target.semi_major_axis_m
    if origin.plane == target.plane:
        phase = in_plane(a, target.arg_latitude_rad - origin.arg_latitude_rad, mobility)
        return Trip(phase.duration_s + mobility.rendezvous_s, phase.delta_v_m_s)
    delta_raan = orbital.wrap_pi(target.raan_rad - origin.raan_rad)
    if mobility.plane_change == "delta_v":
        angle = orbital.plane_angle_rad(target.inclination_rad, delta_raan)
        change = orbital.plane_change_delta_v_m_s(a, angle)
        # The burn is made at the planes' intersection: up to half an orbit away.
        wait_s = 0.5 * orbital.TWO_PI / orbital.mean_motion_rad_s(a)
        phase = in_plane(a, target.arg_latitude_rad - origin.arg_latitude_rad, mobility)
        return Trip(wait_s + phase.duration_s + mobility.rendezvous_s,
                    change + phase.delta_v_m_s)
    drift = nodal_drift(a, target.inclination_rad, delta_raan, mobility.drift_altitude_m)
    # While parked, the servicer's phase moves against the shell's by the parking orbit's
    # mean-motion difference; what is left is closed by phasing in the target plane.
    slip = orbital.phasing_rate_rad_s(a, drift.offset_m) * drift.duration_s
    phase = in_plane(a, target.arg_latitude_rad - origin.arg_latitude_rad - slip, mobility)
    return Trip(drift.duration_s + phase.duration_s + mobility.rendezvous_s,
                drift.delta_v_m_s + phase.delta_v_m_s)


def least_duration_s(origin: Slot, target: Slot, mobility: Mobility) -> float:
    """A lower bound on the duration of a trip from ``origin`` to any satellite in
    ``target``'s plane: what ``trip`` takes before phasing within the plane (which takes no
    less than nothing)."""
    if target.semi_major_axis_m <= 0.0 or origin.plane == target.plane:
        return 0.0
    if target.formation:
        return mobility.formation_transfer_s
    a = target.semi_major_axis_m
    delta_raan = orbital.wrap_pi(target.raan_rad - origin.raan_rad)
    if mobility.plane_change == "delta_v":
        return 0.5 * orbital.TWO_PI / orbital.mean_motion_rad_s(a) + mobility.rendezvous_s
    drift = nodal_drift(a, target.inclination_rad, delta_raan, mobility.drift_altitude_m)
    return drift.duration_s + mobility.rendezvous_s


def in_plane(semi_major_axis_m: float, delta_u_rad: float, mobility: Mobility) -> Trip:
    """Phasing by ``delta_u_rad`` (target ahead if positive) on the drift orbit: lower to catch
    up, higher to fall back, whichever covers the shorter arc."""
    delta_u = orbital.wrap_pi(delta_u_rad)
    if delta_u == 0.0:
        return NO_TRIP
    offset = -mobility.phasing_altitude_m if delta_u > 0 else mobility.phasing_altitude_m
    rate, legs_s, delta_v = _drift_orbit(semi_major_axis_m, offset)
    return Trip(delta_u / rate + legs_s, delta_v)


@functools.lru_cache(maxsize=1024)
def _drift_orbit(semi_major_axis_m: float, offset_m: float) -> tuple[float, float, float]:
    """A drift orbit ``offset_m`` from a circular orbit: its phase rate against it (rad/s),
    and the time and Δv of going there and back (two Hohmann transfers)."""
    rate = orbital.phasing_rate_rad_s(semi_major_axis_m, offset_m)
    legs_s = 2.0 * orbital.hohmann_time_s(semi_major_axis_m, semi_major_axis_m + offset_m)
    delta_v = 2.0 * orbital.hohmann_delta_v_m_s(semi_major_axis_m, semi_major_axis_m + offset_m)
    return rate, legs_s, delta_v


@dataclass(frozen=True, slots=True)
class Drift:
    """A J2 drift from a parking orbit: its duration, Δv and the offset chosen."""

    duration_s: float
    delta_v_m_s: float
    offset_m: float


def nodal_drift(semi_major_axis_m: float, inclination_rad: float, delta_raan_rad: float,
                altitude_m: float) -> Drift:
    """Close ``delta_raan_rad`` by parking ``altitude_m`` above or below the shell, whichever
    makes the relative node rate carry the right sign. Raises ValueError when no parking
    altitude moves the node relative to the shell (a polar orbit)."""
    if delta_raan_rad == 0.0:
        return Drift(0.0, 0.0, 0.0)
    for offset, relative in _relative_node_rates(semi_major_axis_m, inclination_rad,
                                                 altitude_m):
        if abs(relative) > MIN_NODE_RATE_RAD_S and (relative > 0) == (delta_raan_rad > 0):
            _, legs_s, delta_v = _drift_orbit(semi_major_axis_m, offset)
            return Drift(delta_raan_rad / relative + legs_s, delta_v, offset)
    raise ValueError("no parking altitude changes the node relative to the shell (polar orbit)")


@functools.lru_cache(maxsize=256)
def _relative_node_rates(semi_major_axis_m: float, inclination_rad: float,
                         altitude_m: float) -> tuple[tuple[float, float], ...]:
    """(offset, node rate relative to the shell) parking ``altitude_m`` above and below."""
    shell_rate = orbital.nodal_rate_rad_s(semi_major_axis_m, inclination_rad)
    return tuple((offset, orbital.nodal_rate_rad_s(semi_major_axis_m + offset, inclination_rad)
                  - shell_rate) for offset in (altitude_m, -altitude_m))
