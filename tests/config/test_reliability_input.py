"""Bad reliability input (failure modes, standby, common causes, inspections): one clear line
naming the field, exit status 2."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import CONFIGS, cli_problems, orbsim

from sim.config.errors import ScenarioError
from sim.config.loader import validate_document

PART = "fleet.0.design.parts.0"


def base() -> dict[str, Any]:
    return yaml.safe_load((CONFIGS / "validation" / "cold_standby.yaml").read_text())


def with_part(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(base())
    part = document["fleet"][0]["design"]["parts"][0]
    for key, value in changes.items():
        if value is None:
            part.pop(key, None)
        else:
            part[key] = value
    return document


MODE = {"name": "wear", "failure": {"distribution": "exponential", "mean_years": 3},
        "effect": "degrade", "capacity": 0.5}

CASES = [
    pytest.param(with_part(role="compute", modes=[{**MODE, "capacity": 1.5}]),
                 f"{PART}.modes.0.capacity", "≤ 1", id="degrade-capacity-above-1"),
    pytest.param(with_part(role="compute", modes=[{**MODE, "capacity": -0.1}]),
                 f"{PART}.modes.0.capacity", "≥ 0", id="degrade-capacity-below-0"),
    pytest.param(with_part(modes=[MODE]), f"{PART}.modes.0.effect", "compute part",
                 id="degrade-on-a-bus-part"),
    pytest.param(with_part(role="compute", modes=[{**MODE, "effect": "fail"}]),
                 f"{PART}.modes.0.capacity", "only a degrade mode", id="capacity-without-degrade"),
    pytest.param(with_part(common_cause={"beta": 1.0}), f"{PART}.common_cause.beta", "< 1",
                 id="beta-of-one"),
    pytest.param(with_part(common_cause={"beta": -0.1}), f"{PART}.common_cause.beta", "≥ 0",
                 id="negative-beta"),
    pytest.param(with_part(common_cause={"beta": 0.1},
                           failure={"distribution": "weibull", "shape": 2, "scale_years": 5}),
                 f"{PART}.common_cause.beta", "exponential", id="beta-on-weibull"),
    pytest.param(with_part(standby={"units": 3, "kind": "cold"}), f"{PART}.standby.units",
                 "count − required", id="standby-above-count"),
    pytest.param(with_part(standby={"units": 1, "kind": "warm"}),
                 f"{PART}.standby.dormant_factor", "required key is missing",
                 id="warm-without-factor"),
    pytest.param(with_part(standby={"units": 1, "kind": "cold", "dormant_factor": 0.5}),
                 f"{PART}.standby.dormant_factor", "only a warm standby",
                 id="factor-on-cold"),
    pytest.param(with_part(inspection={"interval_days": 0}),
                 f"{PART}.inspection.interval_days", "> 0", id="inspection-interval-zero"),
    pytest.param(with_part(inspection={"interval_days": -5}),
                 f"{PART}.inspection.interval_days", "> 0", id="inspection-interval-negative"),
    pytest.param(with_part(modes=[{**MODE, "name": "failure", "effect": "fail",
                                   "capacity": None}]),
                 f"{PART}.modes.0.name", "'failure'", id="mode-named-failure"),
    pytest.param(with_part(repair="servicer", latent=True), f"{PART}.repair", "not modelled",
                 id="servicer-repair-of-a-modal-part"),
]


def cleaned(document: dict[str, Any]) -> dict[str, Any]:
    """Drop the None placeholders ``MODE`` variants use for 'no such key'."""
    for part in document["fleet"][0]["design"]["parts"]:
        for mode in part.get("modes", []):
            for key in [k for k, v in mode.items() if v is None]:
                del mode[key]
    return document


@pytest.mark.parametrize(("document", "path", "fragment"), CASES)
def test_bad_reliability_input_names_its_field(document: dict[str, Any], path: str,
                                               fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate_document(cleaned(copy.deepcopy(document)))
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].path == path, problems
    assert fragment in problems[0].message, problems


def test_bad_reliability_input_through_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(with_part(standby={"units": 2, "kind": "cold"})))
    problems = cli_problems(orbsim("validate", str(path)))
    assert problems == [(f"{PART}.standby.units", "must be ≤ count − required (2 − 1), got 2")]


def with_phases(phases: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    document = with_part(**changes)
    document["phases"] = phases
    return document


PHASES = [{"name": "launch", "duration_days": 1}, {"name": "operations"}]
PHASE_CASES = [
    pytest.param(with_phases(PHASES, phase_factors={"lanch": 5.0}),
                 f"{PART}.phase_factors.lanch", "no mission phase 'lanch'", id="unknown-phase"),
    pytest.param(with_part(demand_failures={"launch": 0.1}),
                 f"{PART}.demand_failures.launch", "add a phases section", id="no-phases"),
    pytest.param(with_phases(PHASES, demand_failures={"launch": 1.5}),
                 f"{PART}.demand_failures.launch", "≤ 1", id="demand-probability-above-1"),
    pytest.param(with_phases(PHASES, phase_factors={"launch": -1.0}),
                 f"{PART}.phase_factors.launch", "≥ 0", id="negative-phase-factor"),
    pytest.param(with_phases([{"name": "launch"}, {"name": "operations"}]),
                 "phases.0.duration_days", "required key is missing", id="phase-without-end"),
    pytest.param(with_phases([{"name": "launch", "duration_days": 1},
                              {"name": "operations", "duration_days": 5}]),
                 "phases.1.duration_days", "runs to the horizon", id="last-phase-with-end"),
    pytest.param(with_part(modes=[{"name": "thermal", "when": "eclipse",
                                   "failure": {"distribution": "exponential", "mean_years": 3}}]),
                 f"{PART}.modes.0.when", "needs the group's orbit", id="eclipse-without-orbit"),
]


@pytest.mark.parametrize(("document", "path", "fragment"), PHASE_CASES)
def test_bad_phase_input_names_its_field(document: dict[str, Any], path: str,
                                         fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate_document(copy.deepcopy(document))
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].path == path, problems
    assert fragment in problems[0].message, problems

