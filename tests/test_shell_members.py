"""A Walker shell's members read from their planes' orbits at their phase lags (the default)
against each member on its own interpolated schedule (``members="exact"``), the reference."""

from __future__ import annotations

import math

import pytest
from support import quiet_shell

from sim.api import fleet_geometry, run_replicate
from sim.eclipses import orbit_period_s
from sim.replicate import GeometryOrbits
from sim.units import MONTH_S

# The shell's eclipse times stand within this share of each member's own (measured ≤ 3e-5
# over a year: ``tests/orbits/test_schedule_cache.py``).
SHADOW_RELATIVE = 5e-5


@pytest.fixture(scope="module")
def shell():
    return quiet_shell()


@pytest.mark.parametrize("seed", [1, 2])
def test_members_on_their_planes_orbits_give_what_their_own_orbits_give(shell, seed) -> None:
    """Each member's account covers a window moved by its lag (at most half a period) and
    its eclipses are its plane's mean member's, moved: every share of nominal compute
    differs by at most a period over the horizon plus the eclipse-time error."""
    geometry = fleet_geometry(shell)
    shifted = run_replicate(shell, 0, seed, GeometryOrbits(geometry, "shifted"))
    exact = run_replicate(shell, 0, seed, GeometryOrbits(geometry, "exact"))
    bound = orbit_period_s(shell.fleet[0].orbit) / shell.horizon_s + SHADOW_RELATIVE
    assert shifted.uptime == pytest.approx(exact.uptime, abs=bound)
    assert shifted.uptime != exact.uptime
    causes = shifted.downtime_by_cause.keys() | exact.downtime_by_cause.keys()
    assert "eclipse_shortfall" in causes
    for cause in causes:
        assert shifted.downtime_by_cause.get(cause, 0.0) == pytest.approx(
            exact.downtime_by_cause.get(cause, 0.0), abs=bound)
    assert shifted.events == exact.events
    # A month's losses move by at most a member's lag at each of its ends.
    assert shifted.monthly_capacity_fraction == pytest.approx(
        exact.monthly_capacity_fraction, abs=orbit_period_s(shell.fleet[0].orbit) / MONTH_S)
    assert math.isclose(shifted.power["battery_cycles"], exact.power["battery_cycles"],
                        rel_tol=SHADOW_RELATIVE + bound)
