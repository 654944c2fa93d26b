"""Bad servicing input: each mistake is one problem naming its path, and through the command
line one ``error:`` line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support import CONFIGS, cli_problems, orbsim

from sim.api import ScenarioError, load_scenario

MACHINE_REPAIR = CONFIGS / "validation" / "servicing_machine_repair.yaml"
SPARES = CONFIGS / "validation" / "spares_reorder_point.yaml"
ITEM = "servicing.depots.0.items.0"
ROBOT = "{name: robot, group: fleet, visit: {distribution: fixed, duration_days: 1}}"

CASES = [
    (SPARES, ["servicing.depots.0.items.0.part=node/gpu"], [f"{ITEM}.part"], "no part 'node/gpu'"),
    (SPARES, ["servicing.depots.0.group=ghost"], ["servicing.depots.0.group"],
     "no fleet group named 'ghost'"),
    (MACHINE_REPAIR, ["servicing.servicers.0.group=ghost"],
     ["servicing.servicers.0.group"], "no fleet group named 'ghost'"),
    (MACHINE_REPAIR, ["servicing.servicers=[]"], ["servicing.servicers"],
     "no servicer serves fleet group 'fleet'"),
    (MACHINE_REPAIR, [f"servicing.servicers=[{ROBOT}, {ROBOT}]"],
     ["servicing.servicers.1.name"], "duplicate servicer name 'robot'"),
    (MACHINE_REPAIR, [f"servicing.servicers=[{ROBOT}, {{name: more, group: fleet, count: "
                      "unlimited, visit: {distribution: fixed, duration_days: 1}}]"],
     ["servicing.servicers.1.count"], "no other fleet may serve it"),
    (MACHINE_REPAIR, ["servicing.servicers.0.parts=[{name: arm, role: bus, count: 1, failure: "
                      "{distribution: exponential, mean_years: 5}, repair: servicer}]"],
     ["servicing.servicers.0.parts"], "a servicer's parts are not repaired"),
    (MACHINE_REPAIR, ["servicing.policy.preventive=[{part: bus, age_years: 1}, "
                      "{part: bus, age_years: 2}]"],
     ["servicing.policy.preventive.1.part"], "already given an age"),
    (MACHINE_REPAIR, ["fleet.0.design.parts.0.repair=servicr"], ["fleet.0.design.parts.0.repair"],
     "'servicer'"),
    (SPARES, ["servicing.depots.0.items.0.initial=-1"], [f"{ITEM}.initial"], "≥ 0"),
    (SPARES, ["servicing.depots.0.items.0.reorder_point=-2"], [f"{ITEM}.reorder_point"], "≥ 0"),
    (SPARES, ["servicing.depots.0.items.0.order_quantity=0"], [f"{ITEM}.order_quantity"], "≥ 1"),
    (SPARES, ["servicing.depots.0.items.0.order_quantity=null"], [f"{ITEM}.order_quantity"],
     "required key is missing"),
    (SPARES, ["launch.lead.duration_days=0"], ["launch.lead.duration_days"], "> 0"),
    (SPARES, ["launch.lead.duration_days=-30"], ["launch.lead.duration_days"], "> 0"),
    (SPARES, ["launch.lead=null"], ["launch.lead"], "required key is missing"),
    (MACHINE_REPAIR, ["servicing.policy.preventive=[{part: ghost, age_years: 1}]"],
     ["servicing.policy.preventive.0.part"], "no part 'ghost' is repaired by servicer"),
    (MACHINE_REPAIR, ["servicing.policy.kind=threshold"], ["servicing.policy.capacity_below"],
     "needs capacity_below or margin_below"),
    (MACHINE_REPAIR, ["servicing.policy.interval_days=30"], ["servicing.policy.interval_days"],
     "only a periodic policy"),
    (MACHINE_REPAIR, ["servicing.policy.replace=dead"], ["launch.lead"],
     "required key is missing"),
    (MACHINE_REPAIR, ["servicing=null"], ["fleet.0.design"], "has no servicing section"),
    (MACHINE_REPAIR, ["servicing.servicers.0.success_probability=0"],
     ["servicing.servicers.0.success_probability"], "> 0"),
    (MACHINE_REPAIR, ["servicing.servicers.0.count=unlimited",
                      "servicing.servicers.0.replace_when_lost=true"],
     ["servicing.servicers.0.replace_when_lost"], "never short of servicers"),
]


@pytest.mark.parametrize(("path", "overrides", "paths", "fragment"), CASES)
def test_one_problem_per_mistake(path: Path, overrides: list[str], paths: list[str],
                                 fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    problems = caught.value.problems
    assert sorted(p.path for p in problems) == sorted(paths), problems
    assert any(fragment in p.message for p in problems), problems
    assert all("\n" not in str(p) for p in problems)


def shell_with_a_servicer(tmp_path: Path, budget_m_s: float) -> Path:
    document = yaml.safe_load(MACHINE_REPAIR.read_text(encoding="utf-8"))
    group = document["fleet"][0]
    group["count"] = 24
    group["orbit"] = {"kind": "walker", "altitude_km": 550, "inclination_deg": 53, "planes": 6,
                      "per_plane": 4, "phasing": 1, "raan_deg": 0}
    servicer = document["servicing"]["servicers"][0]
    servicer.update(plane_change="delta_v", delta_v_budget_m_s=budget_m_s)
    path = tmp_path / "shell.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_a_servicer_that_cannot_reach_a_plane_is_refused_on_the_command_line(
        tmp_path: Path) -> None:
    path = shell_with_a_servicer(tmp_path, 500)
    problems = cli_problems(orbsim("validate", str(path)))
    assert [p for p, _ in problems] == ["servicing.servicers.0.delta_v_budget_m_s"]
    assert "cannot reach plane 3" in problems[0][1]


def test_a_drift_orbit_below_the_atmosphere_is_refused(tmp_path: Path) -> None:
    path = shell_with_a_servicer(tmp_path, 1.0e5)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, ["servicing.servicers.0.drift_altitude_km=450"])
    (problem,) = caught.value.problems
    assert problem.path == "servicing.servicers.0.drift_altitude_km"
    assert "must be ≤ 400" in problem.message


def test_a_polar_shell_cannot_be_crossed_by_drift(tmp_path: Path) -> None:
    path = shell_with_a_servicer(tmp_path, 1.0e5)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, ["fleet.0.orbit.inclination_deg=90",
                             "servicing.servicers.0.plane_change=drift"])
    assert [p.path for p in caught.value.problems] == ["servicing.servicers.0.plane_change"]


def test_an_unknown_depot_part_on_the_command_line(tmp_path: Path) -> None:
    result = orbsim("validate", str(SPARES), "--set", "servicing.depots.0.items.0.part=nope")
    assert cli_problems(result) == [(f"{ITEM}.part", cli_problems(result)[0][1])]
    assert "no part 'nope'" in result.stderr
