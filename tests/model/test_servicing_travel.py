"""A servicer's trips against the orbital closed forms of the validation suite.

``sim.model.servicing.orbital`` and ``travel`` are checked against
``tests/validation/servicing_closed_forms.py``, written independently from the textbook.
Where both sides evaluate the same formula the tolerance is 1e-12 relative (a few ulps of
round-off through a handful of operations); where the model is exact and the closed form
linearised, the tolerance is the size of the first neglected term.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from validation import servicing_closed_forms as cf

from sim.model.servicing import orbital, travel
from sim.model.servicing.travel import Mobility, Slot

# Same formula evaluated twice: round-off only.
SAME = 1e-12
DAY_S = 86_400.0
SHELL_M = cf.EARTH_RADIUS_M + 550e3
STARLINK_I = math.radians(53.0)
SSO_I = math.radians(97.6)
MOBILITY = Mobility(formation_transfer_s=3_600.0, rendezvous_s=7_200.0,
                    phasing_altitude_m=20e3, plane_change="drift", drift_altitude_m=50e3)


def slot(plane: int, raan_deg: float = 0.0, u_deg: float = 0.0,
         inclination_rad: float = STARLINK_I, **extra) -> Slot:
    return Slot(group=0, plane=plane, raan_rad=math.radians(raan_deg),
                arg_latitude_rad=math.radians(u_deg), semi_major_axis_m=SHELL_M,
                inclination_rad=inclination_rad, **extra)


def expected_in_plane(a: float, delta_u: float, altitude: float) -> tuple[float, float, float]:
    """Duration, Δv and offset of phasing by the wrapped ``delta_u`` from the closed forms:
    lower orbit (faster) for a target ahead, higher for one behind; |Δu| / |Δn| on the drift
    orbit with exact Kepler mean motions, plus a Hohmann transfer out and one back."""
    wrapped = math.remainder(delta_u, 2.0 * math.pi)
    offset = -altitude if wrapped > 0 else altitude
    rate = cf.mean_motion_rad_s(a + offset) - cf.mean_motion_rad_s(a)
    duration = abs(wrapped) / abs(rate) + 2.0 * cf.hohmann_time_s(a, a + offset)
    return duration, 2.0 * cf.hohmann_delta_v_m_s(a, a + offset), offset


# --- orbital ---------------------------------------------------------------------------------


def test_nodal_rate_at_400_km_is_about_minus_5_degrees_a_day() -> None:
    """ISS-like orbit: −5.0°/day to the precision it is quoted with."""
    rate = orbital.nodal_rate_rad_s(cf.EARTH_RADIUS_M + 400e3, math.radians(51.6))
    assert math.degrees(rate) * DAY_S == pytest.approx(-5.0, abs=0.1)


@pytest.mark.parametrize("altitude_km", [300.0, 550.0, 1200.0])
@pytest.mark.parametrize("inclination_deg", [0.0, 28.5, 53.0, 97.6, 140.0])
def test_orbital_formulas_equal_the_closed_forms(altitude_km: float,
                                                 inclination_deg: float) -> None:
    a, i = cf.EARTH_RADIUS_M + altitude_km * 1e3, math.radians(inclination_deg)
    assert orbital.mean_motion_rad_s(a) == pytest.approx(cf.mean_motion_rad_s(a), rel=SAME)
    assert orbital.circular_speed_m_s(a) == pytest.approx(cf.circular_speed_m_s(a), rel=SAME)
    assert orbital.nodal_rate_rad_s(a, i) == pytest.approx(cf.nodal_rate_rad_s(a, i), rel=SAME)
    other = a + 137e3
    assert orbital.hohmann_delta_v_m_s(a, other) == pytest.approx(
        cf.hohmann_delta_v_m_s(a, other), rel=SAME)
    assert orbital.hohmann_time_s(other, a) == pytest.approx(cf.hohmann_time_s(other, a),
                                                             rel=SAME)
    for delta_raan in (0.05, 1.0, -2.5):
        # acos near 1 amplifies round-off in cos θ (θ = 0.05 sin i here): relative 1e-9.
        assert orbital.plane_angle_rad(i, delta_raan) == pytest.approx(
            cf.plane_angle_rad(i, delta_raan), rel=1e-9, abs=1e-12)
    assert orbital.plane_change_delta_v_m_s(a, 0.3) == pytest.approx(
        cf.plane_change_delta_v_m_s(a, 0.3), rel=SAME)


def test_phasing_rate_is_the_linearised_rate_up_to_the_second_order_term() -> None:
    """n(a + Δa) − n(a) = n (−3/2 x + 15/8 x² − 35/16 x³ + …), x = Δa/a: after the linear and
    quadratic terms what is left is below 3 n |x|³ for |x| ≤ 0.01."""
    a = SHELL_M
    n = cf.mean_motion_rad_s(a)
    for da in (-50e3, -20e3, -1e3, 1e3, 20e3, 50e3):
        x = da / a
        exact = orbital.phasing_rate_rad_s(a, da)
        linear = -1.5 * n * x
        assert abs(exact - linear) < 1.01 * 15.0 / 8.0 * n * x * x + 3.0 * n * abs(x) ** 3
        assert abs(exact - linear - 15.0 / 8.0 * n * x * x) < 3.0 * n * abs(x) ** 3
        # The model's phasing time against the closed form's linearised one: (5/4)|x|.
        model_time = 1.0 / abs(exact)
        assert model_time == pytest.approx(cf.phasing_time_s(a, 1.0, da), rel=1.5 * abs(x))


def test_wrap_pi() -> None:
    assert orbital.wrap_pi(math.pi) == math.pi
    assert orbital.wrap_pi(-math.pi) == math.pi
    assert orbital.wrap_pi(3.0 * math.pi / 2.0) == pytest.approx(-math.pi / 2.0, rel=SAME)
    assert orbital.wrap_pi(-0.25) == -0.25


# --- within a plane --------------------------------------------------------------------------


@pytest.mark.parametrize("delta_u_deg", [0.5, 30.0, 179.0, -30.0, -179.0, 200.0, -200.0,
                                         720.0 + 45.0])
def test_in_plane_is_phasing_plus_two_hohmann_legs(delta_u_deg: float) -> None:
    a, delta_u, altitude = SHELL_M, math.radians(delta_u_deg), MOBILITY.phasing_altitude_m
    duration, delta_v, offset = expected_in_plane(a, delta_u, altitude)
    result = travel.in_plane(a, delta_u, MOBILITY)
    assert result.duration_s == pytest.approx(duration, rel=SAME)
    assert result.delta_v_m_s == pytest.approx(delta_v, rel=SAME)
    # Ahead (after wrapping) means the lower, faster orbit; the other choice would differ by
    # ≈ (5/3)|Δu|/n + 3π x/n (see the symmetry test), far above round-off.
    wrong, _, _ = expected_in_plane(a, -math.remainder(delta_u, 2 * math.pi), altitude)
    assert abs(wrong - duration) > 1e-6 * duration
    ahead = math.remainder(delta_u, 2.0 * math.pi) > 0
    assert (offset < 0) == ahead
    # And against the linearised phasing time of the closed forms: relative error (5/4)|x|.
    legs = 2.0 * cf.hohmann_time_s(a, a + offset)
    assert result.duration_s - legs == pytest.approx(
        cf.phasing_time_s(a, math.remainder(delta_u, 2 * math.pi), offset),
        rel=1.5 * altitude / a)


def test_in_plane_no_phase_difference_is_no_trip() -> None:
    assert travel.in_plane(SHELL_M, 0.0, MOBILITY) == travel.NO_TRIP
    assert travel.in_plane(SHELL_M, 2.0 * math.pi, MOBILITY) == travel.NO_TRIP


@pytest.mark.parametrize("delta_u_deg", [10.0, 90.0, 170.0])
def test_trip_within_a_plane_is_symmetric_up_to_the_rate_difference(delta_u_deg: float) -> None:
    """Falling back by Δu takes longer than catching up by Δu only because the higher orbit
    drifts more slowly and its legs are longer: with x = h/a,
    d(−Δu) − d(+Δu) = (5/3)|Δu|/n + 3π x/n (expanding (1 ± x)^(−3/2) in the drift rates and
    (1 ± x/2)^(3/2) in the legs), with relative error O(x²): checked to x² ≈ 8e-6 at
    h = 20 km. The rendezvous time is the same both ways. Hohmann Δv is
    v (|x|/2 − (3/8) x|x| + O(x³)), so the two Δv differ by (3/2) x relative: checked to 2x."""
    origin = slot(0, u_deg=10.0)
    ahead = travel.trip(origin, slot(0, u_deg=10.0 + delta_u_deg), False, MOBILITY)
    behind = travel.trip(origin, slot(0, u_deg=10.0 - delta_u_deg), False, MOBILITY)
    n, x = cf.mean_motion_rad_s(SHELL_M), MOBILITY.phasing_altitude_m / SHELL_M
    difference = (5.0 / 3.0 * math.radians(delta_u_deg) + 3.0 * math.pi * x) / n
    assert behind.duration_s - ahead.duration_s == pytest.approx(difference, rel=x * x)
    assert behind.delta_v_m_s == pytest.approx(ahead.delta_v_m_s, rel=2.0 * x)
    duration, delta_v, _ = expected_in_plane(SHELL_M, math.radians(delta_u_deg),
                                             MOBILITY.phasing_altitude_m)
    assert ahead.duration_s == pytest.approx(duration + MOBILITY.rendezvous_s, rel=SAME)
    assert ahead.delta_v_m_s == pytest.approx(delta_v, rel=SAME)


# --- across planes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("inclination", "delta_raan_deg", "expected_offset_sign"), [
    # Prograde: Ω̇ < 0 and weaker higher up, so a higher orbit gains node (ΔΩ > 0).
    (STARLINK_I, 10.0, +1), (STARLINK_I, -10.0, -1),
    # Retrograde (sun-synchronous-like): Ω̇ > 0 and weaker higher up, so a lower orbit gains.
    (SSO_I, 10.0, -1), (SSO_I, -10.0, +1), (SSO_I, 179.0, -1),
])
def test_nodal_drift_parks_on_the_side_that_closes_the_node_gap(
        inclination: float, delta_raan_deg: float, expected_offset_sign: int) -> None:
    """Duration |ΔΩ| / |ΔΩ̇| + two Hohmann legs, Δv two Hohmann transfers, and the parking
    offset whose relative node rate carries ΔΩ's sign."""
    a, altitude, delta_raan = SHELL_M, MOBILITY.drift_altitude_m, math.radians(delta_raan_deg)
    drift = travel.nodal_drift(a, inclination, delta_raan, altitude)
    assert drift.offset_m == expected_offset_sign * altitude
    relative = cf.nodal_rate_rad_s(a + drift.offset_m, inclination) - cf.nodal_rate_rad_s(
        a, inclination)
    legs = 2.0 * cf.hohmann_time_s(a, a + drift.offset_m)
    # The relative rate is a difference of two close numbers (≈ 2.5 % apart): round-off is
    # amplified ~40×, still far below 1e-10.
    assert drift.duration_s == pytest.approx(abs(delta_raan) / abs(relative) + legs, rel=1e-10)
    assert drift.delta_v_m_s == pytest.approx(
        2.0 * cf.hohmann_delta_v_m_s(a, a + drift.offset_m), rel=SAME)
    # Parked for the drift time, the node moves by exactly ΔΩ relative to the shell.
    assert relative * (drift.duration_s - legs) == pytest.approx(delta_raan, rel=1e-10)


def test_nodal_drift_at_550_km_takes_about_90_days_per_10_degrees() -> None:
    """≈ 0.115°/day relative rate with a 50 km offset: 10° in ~87 days (±0.01°/day ↔ ±8 d)."""
    drift = travel.nodal_drift(SHELL_M, STARLINK_I, math.radians(-10.0), 50e3)
    assert drift.duration_s / DAY_S == pytest.approx(90.0, abs=8.0)


def test_nodal_drift_without_a_node_gap_is_free() -> None:
    assert travel.nodal_drift(SHELL_M, STARLINK_I, 0.0, 50e3) == travel.Drift(0.0, 0.0, 0.0)


def test_nodal_drift_refuses_a_polar_orbit() -> None:
    with pytest.raises(ValueError):
        travel.nodal_drift(SHELL_M, math.radians(90.0), math.radians(10.0), 50e3)


def test_nodal_drift_refuses_a_zero_relative_rate() -> None:
    """The guard itself works when the relative node rate is exactly 0 (here with a zero
    parking altitude, since cos i is never exactly 0 for a float inclination)."""
    with pytest.raises(ValueError):
        travel.nodal_drift(SHELL_M, STARLINK_I, math.radians(10.0), 0.0)


@pytest.mark.parametrize("inclination", [STARLINK_I, SSO_I])
def test_cross_plane_drift_trip_is_drift_then_phasing(inclination: float) -> None:
    """The whole trip: J2 drift, then phasing by what is left of Δu once the parking orbit's
    slip Δn·t_drift is taken off (the model counts the Hohmann legs as parked time), then the
    rendezvous. The slip is ~90 rad, so its wrap carries ~1e-14 rad of round-off: 1e-9."""
    origin = slot(0, raan_deg=20.0, u_deg=40.0, inclination_rad=inclination)
    target = slot(3, raan_deg=5.0, u_deg=100.0, inclination_rad=inclination)
    result = travel.trip(origin, target, False, MOBILITY)
    a = SHELL_M
    delta_raan = math.radians(-15.0)
    offset = travel.nodal_drift(a, inclination, delta_raan, MOBILITY.drift_altitude_m).offset_m
    relative = cf.nodal_rate_rad_s(a + offset, inclination) - cf.nodal_rate_rad_s(a,
                                                                                    inclination)
    drift_s = delta_raan / relative + 2.0 * cf.hohmann_time_s(a, a + offset)
    drift_dv = 2.0 * cf.hohmann_delta_v_m_s(a, a + offset)
    slip = (cf.mean_motion_rad_s(a + offset) - cf.mean_motion_rad_s(a)) * drift_s
    phase_s, phase_dv, _ = expected_in_plane(a, math.radians(60.0) - slip,
                                             MOBILITY.phasing_altitude_m)
    assert result.duration_s == pytest.approx(drift_s + phase_s + MOBILITY.rendezvous_s,
                                              rel=1e-9)
    assert result.delta_v_m_s == pytest.approx(drift_dv + phase_dv, rel=1e-9)
    # ≈ |ΔΩ| / |ΔΩ̇| dominates: the phasing and legs add at most ~8 days at 20 km.
    assert result.duration_s == pytest.approx(abs(delta_raan / relative), abs=8 * DAY_S)


@pytest.mark.parametrize("delta_u_deg", [0.0, 60.0, -120.0])
def test_direct_plane_change_costs_two_v_sin_half_theta_plus_phasing(
        delta_u_deg: float) -> None:
    """Δv = 2 v sin(θ/2), cos θ = cos² i + sin² i cos ΔΩ, plus the phasing Δv; duration is a
    wait of up to half an orbit for the planes' intersection, the phasing, the rendezvous."""
    mobility = Mobility(rendezvous_s=600.0, phasing_altitude_m=20e3, plane_change="delta_v")
    origin = slot(0, raan_deg=350.0, u_deg=10.0)
    target = slot(1, raan_deg=5.0, u_deg=10.0 + delta_u_deg)
    result = travel.trip(origin, target, False, mobility)
    a = SHELL_M
    theta = cf.plane_angle_rad(STARLINK_I, math.radians(15.0))
    change = cf.plane_change_delta_v_m_s(a, theta)
    half_orbit = math.pi / cf.mean_motion_rad_s(a)
    if delta_u_deg == 0.0:
        phase_s, phase_dv = 0.0, 0.0
    else:
        phase_s, phase_dv, _ = expected_in_plane(a, math.radians(delta_u_deg), 20e3)
    # 15° of ΔΩ at 53°: θ ≈ 12°, 2 v sin(θ/2) ≈ 1.58 km/s.
    assert change == pytest.approx(1585.0, abs=10.0)
    assert result.delta_v_m_s == pytest.approx(change + phase_dv, rel=1e-9)
    assert result.duration_s == pytest.approx(half_orbit + phase_s + 600.0, rel=1e-9)


# --- trivial trips ---------------------------------------------------------------------------


def test_formation_target_costs_the_transfer_time_and_no_delta_v() -> None:
    origin = slot(0, formation=True)
    target = slot(0, u_deg=0.001, formation=True)
    result = travel.trip(origin, target, False, MOBILITY)
    assert result == travel.Trip(MOBILITY.formation_transfer_s, 0.0)


def test_same_satellite_and_no_orbit_cost_nothing() -> None:
    origin, target = slot(0), slot(2, raan_deg=40.0, u_deg=90.0)
    assert travel.trip(origin, target, True, MOBILITY) == travel.NO_TRIP
    assert travel.trip(origin, origin, True, MOBILITY) == travel.NO_TRIP
    no_orbit = Slot(group=0, plane=2, raan_rad=1.0, arg_latitude_rad=2.0)
    assert travel.trip(origin, no_orbit, False, MOBILITY) == travel.NO_TRIP


# --- physical sanity -------------------------------------------------------------------------

# Inclinations away from polar (where J2 drift is undefined).
inclinations_deg = st.one_of(st.floats(0.0, 85.0), st.floats(95.0, 180.0))
angles_deg = st.floats(-720.0, 720.0)
mobilities = st.builds(
    Mobility,
    formation_transfer_s=st.floats(0.0, 1e5), rendezvous_s=st.floats(0.0, 1e5),
    phasing_altitude_m=st.floats(1e3, 1e5), plane_change=st.sampled_from(["drift", "delta_v"]),
    drift_altitude_m=st.floats(5e3, 2e5))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(altitude_km=st.floats(300.0, 2000.0), inclination_deg=inclinations_deg,
       planes=st.tuples(st.integers(0, 5), st.integers(0, 5)),
       raans=st.tuples(angles_deg, angles_deg), phases=st.tuples(angles_deg, angles_deg),
       formation=st.booleans(), same=st.booleans(), mobility=mobilities)
def test_every_trip_has_non_negative_finite_duration_and_delta_v(
        altitude_km: float, inclination_deg: float, planes: tuple[int, int],
        raans: tuple[float, float], phases: tuple[float, float], formation: bool,
        same: bool, mobility: Mobility) -> None:
    a, i = cf.EARTH_RADIUS_M + altitude_km * 1e3, math.radians(inclination_deg)
    origin, target = (
        Slot(group=0, plane=plane, raan_rad=math.radians(raan), arg_latitude_rad=math.radians(u),
             semi_major_axis_m=a, inclination_rad=i, formation=formation)
        for plane, raan, u in zip(planes, raans, phases, strict=True))
    result = travel.trip(origin, target, same, mobility)
    assert math.isfinite(result.duration_s) and result.duration_s >= 0.0
    assert math.isfinite(result.delta_v_m_s) and result.delta_v_m_s >= 0.0
