"""``orbsim tune``: Optuna chooses search values for an objective, on common seeds; the study
resumes from SQLite; the choice is re-run on fresh seeds beside the scenario as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import cli_problems, orbsim

TOY: dict[str, Any] = {
    "name": "tune-toy",
    "horizon_years": 2,
    "sla_fraction": 0.5,
    "search": {"fleet.0.design.parts.0.repair.duration_days": {"low": 1, "high": 60}},
    "objective": {"maximize": "uptime"},
    "fleet": [{"name": "f", "count": 30, "design": {
        "nominal_compute_pflops": 1,
        "parts": [{"name": "gpu", "role": "compute", "count": 2, "required": 1,
                   "failure": {"distribution": "exponential", "mean_years": 1},
                   "repair": {"distribution": "fixed", "duration_days": 30}}]}}],
}


def toy(tmp_path: Path, **changes: Any) -> Path:
    document = {key: value for key, value in {**TOY, **changes}.items() if value is not None}
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def tune_json(tmp_path: Path, *args: str, **changes: Any) -> dict[str, Any]:
    result = orbsim("tune", str(toy(tmp_path, **changes)), "--workers", "1", "--study",
                    str(tmp_path / "study.db"), "--json", *args, check=True)
    return json.loads(result.stdout)


def test_the_tuner_finds_shorter_repairs_and_the_fresh_seeds_confirm_it(tmp_path: Path) -> None:
    found = tune_json(tmp_path, "--trials", "12", "-n", "4")
    assert set(found) >= {"best", "comparison", "trials"}
    assert found["trials"] == 12
    chosen = found["best"]["params"]["fleet.0.design.parts.0.repair.duration_days"]
    assert 1 <= chosen < 30
    uptime = found["comparison"]["uptime"]
    assert uptime["difference"] > 0 and uptime["significant"]
    assert uptime["ci95"][0] > 0
    assert (tmp_path / "figures" / "history.png").exists()
    report = (tmp_path / "report.md").read_text()
    assert "Sought: maximize uptime" in report and "![history](figures/history.png)" in report
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()


def test_a_killed_study_resumes_and_refuses_other_settings(tmp_path: Path) -> None:
    assert tune_json(tmp_path, "--trials", "3", "-n", "2")["trials"] == 3
    assert tune_json(tmp_path, "--trials", "5", "-n", "2")["trials"] == 5
    result = orbsim("tune", str(toy(tmp_path)), "--workers", "1", "--study",
                    str(tmp_path / "study.db"), "--trials", "6", "-n", "2", "--seed", "9")
    ((path, message),) = cli_problems(result)
    assert path == str(tmp_path / "study.db") and "holds a study of another" in message


def test_a_constraint_no_trial_meets_is_said_plainly(tmp_path: Path) -> None:
    result = orbsim("tune", str(toy(tmp_path, objective={
        "maximize": "uptime", "constraints": ["uptime >= 1.5"]})), "--workers", "1",
        "--study", str(tmp_path / "study.db"), "--trials", "3", "-n", "2", "--json", check=True)
    found = json.loads(result.stdout)
    assert found["feasible"] is False and found["best"]["feasible"] is False
    assert "no trial met the constraints (uptime >= 1.5); the closest is trial" in result.stderr


def test_a_pareto_pair_gives_a_front(tmp_path: Path) -> None:
    found = tune_json(tmp_path, "--trials", "8", "-n", "2", objective={
        "pareto": ["uptime", {"minimize": "events.repairs"}]},
        search={"fleet.0.design.parts.0.repair.duration_days": {"low": 1, "high": 60},
                "fleet.0.count": {"low": 10, "high": 40, "int": True}})
    assert found["pareto"], found
    assert all(point["feasible"] for point in found["pareto"])
    assert (tmp_path / "figures" / "pareto.png").exists()


@pytest.mark.parametrize(("changes", "path", "fragment"), [
    ({"search": None}, "search", "required key is missing"),
    ({"objective": None}, "objective", "required key is missing"),
    ({"search": {"fleet.0.nothing": {"low": 1, "high": 2}}}, "search.'fleet.0.nothing'",
     "no such value in the scenario"),
    ({"search": {"fleet.0.count": {"low": 5, "high": 5}}}, "search.'fleet.0.count'.high",
     "must be > low (5), got 5"),
    ({"search": {"fleet.0.design.parts.0.role": {"choices": ["compute"]}}},
     "search.'fleet.0.design.parts.0.role'.choices", "at least 2"),
    ({"objective": {"maximize": "uptim"}}, "objective", "did you mean 'uptime'?"),
    ({"objective": {"maximize": "uptime", "constraints": ["uptime > = 0.9"]}},
     "objective.constraints.0", "cannot read constraint"),
    ({"objective": {"maximize": "uptime", "minimize": "goodput"}}, "objective.maximize",
     "give exactly one of maximize, minimize or pareto"),
])
def test_bad_study_input(tmp_path: Path, changes: dict[str, Any], path: str,
                         fragment: str) -> None:
    result = orbsim("tune", str(toy(tmp_path, **changes)), "--trials", "2", "-n", "2",
                    "--workers", "1", "--study", str(tmp_path / "study.db"))
    ((where, message),) = cli_problems(result)
    assert where == path and fragment in message, (where, message)
