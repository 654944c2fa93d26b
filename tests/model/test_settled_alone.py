"""Satellites whose parts are never repaired, with no servicer and no job shared with another
satellite, are settled satellite by satellite, their radiation outages too, with no event:
everything they report equals what the event-driven replication gives."""

from __future__ import annotations

import dataclasses
import math

import pytest
from support import ROOT

import sim.replicate as replicate
from sim.api import fleet_geometry, load_scenario, run_replicate
from sim.model.design import Part

CLUSTER = ROOT / "configs" / "reference-cluster.yaml"
SHELL = ROOT / "configs" / "reference-shell.yaml"


def _quiet(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """No reboots; every latch-up damaging (an end of life, not an outage)."""
    return tuple(dataclasses.replace(p, parts=_quiet(p.parts), radiation=None if (
        p.radiation is None) else dataclasses.replace(p.radiation, sefi_per_s=0.0,
                                                      latchup_damage_probability=1.0))
                 for p in parts)


def without_outages(scenario):  # type: ignore[no-untyped-def]
    fleet = tuple(dataclasses.replace(g, design=dataclasses.replace(
        g.design, parts=_quiet(g.design.parts))) for g in scenario.fleet)
    return dataclasses.replace(scenario, fleet=fleet)


def assert_equal_results(alone, events) -> None:  # type: ignore[no-untyped-def]
    got, want = alone.to_dict(), events.to_dict()
    for name in ("wall_s", "sim_events"):
        got.pop(name), want.pop(name)
    assert got.keys() == want.keys()
    for name, value in want.items():
        if isinstance(value, float):
            assert math.isclose(got[name], value, rel_tol=1e-12, abs_tol=1e-15), name
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), float):
            assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
        elif isinstance(value, list) and value and isinstance(value[0], float):
            assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
        else:
            assert got[name] == value, name


def run_both(scenario, monkeypatch, orbits=None):  # type: ignore[no-untyped-def]
    alone = run_replicate(scenario, 0, 5, orbits)
    with monkeypatch.context() as patch:
        patch.setattr(replicate, "_settles_alone", lambda group: False)
        events = run_replicate(scenario, 0, 5, orbits)
    return alone, events


@pytest.mark.parametrize("overrides", [[], ["fleet.0.workload.satellites_per_job=1"]])
def test_hardware_only_fleets_settled_alone_equal_the_event_driven_run(
        monkeypatch: pytest.MonkeyPatch, overrides: list[str]) -> None:
    scenario = load_scenario(CLUSTER, ["fleet.0.count=200", "horizon_years=10", *overrides])
    fleet = tuple(dataclasses.replace(g, orbit=None, design=dataclasses.replace(
        g.design, power=None)) for g in without_outages(scenario).fleet)
    scenario = dataclasses.replace(scenario, fleet=fleet, radiation=None, saa=None)
    alone, events = run_both(scenario, monkeypatch)
    settles = all(replicate._settles_alone(g) for g in scenario.fleet)
    assert settles == bool(overrides)
    if settles:
        assert alone.sim_events < events.sim_events
    assert alone.events["failures"] > 500
    assert_equal_results(alone, events)


def test_a_shell_with_power_dose_and_one_satellite_jobs_settled_alone_equals_the_events(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Dose and damaging latch-ups end lives too, upsets interrupt jobs; none of it is an
    event of the satellite's own."""
    scenario = without_outages(load_scenario(SHELL, [
        "fleet.0.orbit.planes=3", "fleet.0.orbit.per_plane=4", "fleet.0.count=12",
        "horizon_years=3"]))
    assert replicate._settles_alone(scenario.fleet[0])
    alone, events = run_both(scenario, monkeypatch, fleet_geometry(scenario))
    assert alone.radiation["sdc"] > 0 and alone.jobs["interruptions"] > 0
    assert_equal_results(alone, events)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_shell_with_reboots_and_power_cycles_settled_alone_equals_the_events(
        monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """The reference shell as shipped (reboots, power cycles, storms, the SAA), its host
    interrupts made frequent so that outages meet failures and one another."""
    scenario = load_scenario(SHELL, [
        "fleet.0.orbit.planes=3", "fleet.0.orbit.per_plane=4", "fleet.0.count=12",
        "horizon_years=3",
        "fleet.0.design.parts.1.parts.1.radiation.functional_interrupts_per_rad=0.5",
        "fleet.0.design.parts.1.parts.1.radiation.reboot="
        "{distribution: lognormal, median_h: 12, sigma: 1}"])
    assert replicate._settles_alone(scenario.fleet[0])
    orbits = fleet_geometry(scenario)
    alone = run_replicate(scenario, 0, seed, orbits)
    with monkeypatch.context() as patch:
        patch.setattr(replicate, "_settles_alone", lambda group: False)
        events = run_replicate(scenario, 0, seed, orbits)
    assert alone.events["radiation_reboots"] > 1_000
    assert alone.downtime_by_cause["radiation_reboot"] > 1e-3
    assert alone.sim_events < events.sim_events / 100
    assert_equal_results(alone, events)


def test_repairs_servicing_and_shared_jobs_keep_the_events() -> None:
    cluster = load_scenario(CLUSTER)
    assert not replicate._settles_alone(cluster.fleet[0])
    assert replicate._settles_alone(load_scenario(
        CLUSTER, ["fleet.0.workload.satellites_per_job=1"]).fleet[0])
    serviced = load_scenario(ROOT / "configs" / "reference-cluster-serviced.yaml")
    assert not replicate._settles_alone(serviced.fleet[0])
