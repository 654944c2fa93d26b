"""Orbits shared by satellites: kept across replications within a budget of bytes, rebuilt in
each replication beyond it, with the same results either way."""

from __future__ import annotations

import dataclasses
import gc
import weakref

import numpy as np
import pytest
from support import ROOT, quiet_shell
from typer.testing import CliRunner

from sim.api import fleet_geometry, load_scenario, run_replicate
from sim.cli import app
from sim.model.power.orbits import Orbits
from sim.model.power.shared import (
    KEPT_ORBITS_BYTES,
    KEPT_ORBITS_ENV,
    Keeper,
    SharedOrbits,
    held_bytes,
    kept_orbits_bytes,
)
from sim.orbits.cache import drop_file_pages
from sim.replicate import GeometryOrbits

HORIZON_S = 10 * 86_400.0


def _orbits(eclipses: int = 100) -> Orbits:
    period_s = HORIZON_S / (eclipses + 1)
    starts = period_s * (0.5 + np.arange(eclipses))
    ends = starts + 0.35 * period_s
    return Orbits.from_eclipses(starts, starts + 10.0, ends - 10.0, ends, HORIZON_S)


def test_held_bytes_count_each_buffer_once() -> None:
    """An orbit's start and end are views of one array, and without the Sun's distance both
    irradiances are one array of ones: each buffer counted once (the bounds, one value more
    than the orbits; eclipse end, penumbra, recharge, irradiance and duration)."""
    orbits = _orbits()
    assert held_bytes(orbits) == 6 * 8 * len(orbits) + 8


def test_held_bytes_include_what_the_power_model_keeps_on_the_orbits() -> None:
    orbits = _orbits()
    bare = held_bytes(orbits)
    orbits.profiles["table"] = (np.zeros(len(orbits)), {"again": orbits.start_s})
    assert held_bytes(orbits) == bare + 8 * len(orbits)


def test_a_keeper_keeps_the_first_orbits_that_fit_its_budget() -> None:
    one = held_bytes(_orbits())
    keeper = Keeper(2 * one + one // 2)
    assert [keeper.keep(_orbits()) for _ in range(4)] == [True, True, False, False]
    assert keeper.kept_bytes == 2 * one
    assert not Keeper(0).keep(_orbits())
    with pytest.raises(ValueError, match="budget_bytes"):
        Keeper(-1)


@pytest.mark.parametrize("budget, kept", [(10**9, True), (0, False)])
def test_shared_orbits_are_built_once_and_kept_or_dropped_when_settled(budget, kept) -> None:
    built = []

    def build() -> Orbits:
        built.append(None)
        return _orbits()

    shared = SharedOrbits(build, Keeper(budget))
    first = shared.get()
    assert shared.get() is first and len(built) == 1
    shared.settled()
    assert shared.kept is kept and shared.built is kept
    again = shared.get()
    assert (again is first) is kept
    assert len(built) == (1 if kept else 2)


def test_file_pages_are_given_back_only_for_read_only_maps_and_stay_readable(tmp_path
                                                                             ) -> None:
    """A read-only map's pages go back to the kernel and read the same again; arrays in
    memory and copy-on-write maps (whose pages may hold writes) are left alone."""
    values = np.arange(100_000, dtype=np.float64)
    path = tmp_path / "values.bin"
    values.tofile(path)
    mapped = np.memmap(path, dtype=np.float64, mode="r")
    view = np.asarray(mapped)[10:]
    assert float(view.sum()) == float(values[10:].sum())
    assert drop_file_pages((view, values)) == 1
    np.testing.assert_array_equal(view, values[10:])
    np.testing.assert_array_equal(mapped, values)
    written = np.memmap(path, dtype=np.float64, mode="c")
    written[0] = 42.0
    assert drop_file_pages((written,)) == 0
    assert written[0] == 42.0


@pytest.fixture(scope="module")
def shell():
    return quiet_shell()


def _results(scenario, orbits: GeometryOrbits) -> list[dict]:
    found = []
    for replicate in range(3):
        result = dataclasses.asdict(run_replicate(scenario, replicate, 7, orbits))
        result.pop("wall_s")
        found.append(result)
    return found


def test_planes_rebuilt_in_every_replication_give_what_kept_planes_give(shell) -> None:
    """Every plane kept, one kept, none: the same results, replication by replication (a
    plane's orbits and tables are a function of its schedule alone)."""
    geometry = fleet_geometry(shell)
    kept = {}
    results = {}
    plane_bytes = 0
    for name in ("every", "one", "none"):
        budget = {"every": 10**10, "one": plane_bytes * 3 // 2, "none": 0}[name]
        orbits = GeometryOrbits(geometry, kept_bytes=budget)
        results[name] = _results(shell, orbits)
        planes = list({id(orbits.shared_for(index)): orbits.shared_for(index)
                       for index in range(shell.n_satellites)}.values())
        assert len(planes) == 3
        kept[name] = sum(plane.kept for plane in planes)
        # Those not kept are not held between replications.
        assert all(plane.built == plane.kept for plane in planes)
        if name == "every":
            # A plane with the tables the power model keeps on it.
            plane_bytes = held_bytes(planes[0].get())
            assert plane_bytes > held_bytes(GeometryOrbits(geometry).orbits_for(0))
    assert kept == {"every": 3, "one": 1, "none": 0}
    assert results["one"] == results["every"]
    assert results["none"] == results["every"]


@pytest.mark.parametrize("raw, expected", [
    (None, KEPT_ORBITS_BYTES), ("", KEPT_ORBITS_BYTES), ("0", 0), ("64", 64 * 2**20),
    (" 0.5 ", 2**19)])
def test_the_budget_is_read_in_mib_from_the_environment(raw, expected) -> None:
    environ = {} if raw is None else {KEPT_ORBITS_ENV: raw}
    assert kept_orbits_bytes(environ) == expected


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf", "1e400"])
def test_a_bad_budget_is_refused_naming_the_variable(raw) -> None:
    with pytest.raises(ValueError, match=f"{KEPT_ORBITS_ENV}: must be a number of MiB ≥ 0"):
        kept_orbits_bytes({KEPT_ORBITS_ENV: raw})


def test_the_command_line_refuses_a_bad_budget_in_one_line_with_status_2() -> None:
    result = CliRunner().invoke(app, ["validate", str(ROOT / "configs" / "smoke.yaml")],
                                env={KEPT_ORBITS_ENV: "lots"})
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: {KEPT_ORBITS_ENV}: must be a number of MiB ≥ 0, "
                                     "got 'lots'")


def test_modes_that_age_in_eclipse_read_a_formation_s_orbits_kept_or_not() -> None:
    """The reliability cluster's modes age in eclipse: they read the shared orbits at build,
    before the power model does; kept or rebuilt, the same replications."""
    scenario = load_scenario(ROOT / "configs" / "reference-cluster-reliability.yaml",
                             ["horizon_years=2"])
    geometry = fleet_geometry(scenario)
    kept = _results(scenario, GeometryOrbits(geometry, kept_bytes=10**10))
    rebuilt = _results(scenario, GeometryOrbits(geometry, kept_bytes=0))
    assert rebuilt == kept
    assert kept[0]["events"]["failures"] > 0


def test_orbits_let_go_are_freed_at_once_not_by_the_cycle_collector(shell) -> None:
    """The power model's tables refer back to the orbits they are kept on: a plane let go
    must not wait for the cycle collector, which is held while a replication runs (a
    gigawatt fleet would hold every plane it rebuilt until the replication ended)."""
    orbits = GeometryOrbits(fleet_geometry(shell), kept_bytes=0)
    plane = weakref.ref(orbits.shared_for(0).get())
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        run_replicate(shell, 0, 7, orbits)
        assert plane() is None
    finally:
        if was_enabled:
            gc.enable()


def test_orbits_read_while_building_are_settled_without_power() -> None:
    """Modes that age in eclipse read their orbits at build: with no power design to settle
    them, a replication still lets them go when it ends (or keeps them within the budget)."""
    scenario = load_scenario(ROOT / "configs" / "reference-cluster-reliability.yaml",
                             ["horizon_years=1"])
    unpowered = dataclasses.replace(scenario, fleet=tuple(
        dataclasses.replace(group, design=dataclasses.replace(group.design, power=None))
        for group in scenario.fleet))
    geometry = fleet_geometry(unpowered)
    for budget, kept in ((0, False), (10**10, True)):
        orbits = GeometryOrbits(geometry, kept_bytes=budget)
        run_replicate(unpowered, 0, 7, orbits)
        plane = orbits.shared_for(0)
        assert plane.kept is kept and plane.built is kept


def test_the_budget_from_the_environment_reaches_the_orbits(shell, monkeypatch) -> None:
    geometry = fleet_geometry(shell)
    monkeypatch.setenv(KEPT_ORBITS_ENV, "0")
    orbits = GeometryOrbits(geometry)
    run_replicate(shell, 0, 7, orbits)
    assert not orbits.shared_for(0).built
    monkeypatch.delenv(KEPT_ORBITS_ENV)
    orbits = GeometryOrbits(geometry)
    run_replicate(shell, 0, 7, orbits)
    assert orbits.shared_for(0).kept


def test_the_geometries_a_study_holds_share_one_budget(shell, monkeypatch) -> None:
    """A study's variants of other geometries (here a second altitude) keep their orbits
    within one budget for the process, not one each; once the geometries held are let go,
    the budget is free again."""
    from sim.study import evaluate

    monkeypatch.setattr(evaluate, "_ORBITS", {})
    geometry = fleet_geometry(shell)
    measured = GeometryOrbits(geometry, kept_bytes=10**10)
    run_replicate(shell, 0, 7, measured)
    plane_bytes = held_bytes(measured.shared_for(0).get())
    monkeypatch.setenv(KEPT_ORBITS_ENV, str(4.5 * plane_bytes / 2**20))
    group = shell.fleet[0]
    higher = dataclasses.replace(shell, fleet=(dataclasses.replace(
        group, orbit=dataclasses.replace(group.orbit, altitude_m=group.orbit.altitude_m + 2e4)),))
    first = evaluate.shared_orbits(shell)
    second = evaluate.shared_orbits(higher)
    assert second.keeper is first.keeper
    kept = 0
    for scenario, orbits in ((shell, first), (higher, second)):
        run_replicate(scenario, 0, 7, orbits)
        kept += sum(orbits.shared_for(i).kept for i in range(0, scenario.n_satellites, 4))
    # 3 planes of each geometry, 4.5 planes' worth of budget (a plane at the other altitude
    # is within a few per cent of the same size).
    assert kept == 4
    for extra in range(evaluate.KEPT_GEOMETRIES - 1):
        evaluate.shared_orbits(dataclasses.replace(higher, horizon_s=shell.horizon_s - extra - 1))
    assert evaluate.shared_orbits(shell).keeper is not first.keeper
    with pytest.raises(ValueError, match="kept_bytes or keeper"):
        GeometryOrbits(geometry, kept_bytes=0, keeper=first.keeper)
