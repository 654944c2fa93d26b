"""A shared part (one unit feeding several parents) in the simulation: it holds down every
unit it feeds, and only those, with its losses charged to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.api import load_scenario, run_replicate
from sim.config.errors import ScenarioError
from sim.config.loader import validate_document

YEAR_DAYS = 365.25


def fixed_years(years: float) -> dict[str, Any]:
    return {"distribution": "fixed", "duration_years": years}


def document(parts: list[dict[str, Any]], horizon_years: float = 2.0) -> dict[str, Any]:
    return {"name": "shared", "horizon_years": horizon_years, "sla_fraction": 0.5,
            "fleet": [{"name": "g", "count": 1,
                       "design": {"nominal_compute_pflops": 1.0, "parts": parts}}]}


def run(tmp_path: Path, parts: list[dict[str, Any]]) -> Any:
    path = tmp_path / "shared.yaml"
    path.write_text(yaml.safe_dump(document(parts)), encoding="utf-8")
    return run_replicate(load_scenario(path), 0)


def nodes(**extra: Any) -> dict[str, Any]:
    return {"name": "node", "role": "compute", "count": 2, "required": 1, **extra,
            "parts": [{"name": "acc", "role": "compute", "count": 2,
                       "failure": fixed_years(9.0)}]}


def test_a_shared_unit_takes_down_every_node_it_feeds(tmp_path: Path) -> None:
    parts = [{"name": "pdu", "role": "bus", "count": 1, "failure": fixed_years(1.0),
              "feeds": ["node"]}, nodes()]
    result = run(tmp_path, parts)
    assert result.uptime == pytest.approx(0.5, abs=1e-12)
    assert result.downtime_by_part == pytest.approx({"pdu": 0.5})


def test_a_repaired_shared_unit_gives_them_back(tmp_path: Path) -> None:
    parts = [{"name": "pdu", "role": "bus", "count": 1, "failure": fixed_years(1.0),
              "repair": {"distribution": "fixed", "duration_days": YEAR_DAYS / 2},
              "feeds": ["node"]}, nodes()]
    result = run(tmp_path, parts)
    assert result.uptime == pytest.approx(0.75, abs=1e-12)
    assert result.downtime_by_cause == pytest.approx({"repair": 0.25})


def test_a_shared_part_inside_a_node_feeds_only_that_node(tmp_path: Path) -> None:
    """Each node's own power unit feeds its accelerators; losing one node's halves the
    satellite's compute (the other node still works)."""
    node = nodes()
    node["parts"].append({"name": "pdu", "role": "bus", "count": 1, "failure": fixed_years(1.0),
                          "feeds": ["node/acc"]})
    result = run(tmp_path, [node])
    # Both nodes' supplies fail at one year: all compute lost from then on.
    assert result.uptime == pytest.approx(0.5, abs=1e-12)
    assert result.downtime_by_part == pytest.approx({"node/pdu": 0.5})


def test_shared_redundancy_needs_its_required_units(tmp_path: Path) -> None:
    parts = [{"name": "pdu", "role": "bus", "count": 2, "required": 1,
              "failure": fixed_years(1.0), "feeds": ["node"]},
             nodes()]
    result = run(tmp_path, parts)
    # Both units fail at one year together.
    assert result.uptime == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(("feeds", "where", "fragment"), [
    (["node"], "fleet.0.design.parts.0.parts.1.feeds.0", "cannot feed a parent it is inside"),
    (["node/pdu"], "fleet.0.design.parts.0.parts.1.feeds.0", "the shared part itself"),
    (["nod"], "fleet.0.design.parts.0.parts.1.feeds.0", "no part has the path 'nod'"),
])
def test_bad_feeds_are_refused(feeds: list[str], where: str, fragment: str) -> None:
    node = nodes()
    node["parts"].append({"name": "pdu", "role": "bus", "count": 1,
                          "failure": fixed_years(1.0), "feeds": feeds})
    with pytest.raises(ScenarioError) as caught:
        validate_document(document([node]))
    (problem,) = caught.value.problems
    assert problem.path == where and fragment in problem.message, problem


def test_a_shared_part_must_be_a_bus_part() -> None:
    parts = [{"name": "pdu", "role": "compute", "count": 1, "failure": fixed_years(1.0),
              "feeds": ["node"]}, nodes()]
    with pytest.raises(ScenarioError) as caught:
        validate_document(document(parts))
    (problem,) = caught.value.problems
    assert problem.path == "fleet.0.design.parts.0.role" and "bus" in problem.message
