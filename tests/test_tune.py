"""``orbsim tune``: Optuna chooses search values for an objective, on common seeds; the study
resumes from SQLite; the choice is re-run on fresh seeds beside the scenario as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import cli_problems, orbsim

import sim.study.tune
from sim.api import read_scenario, run_tune, study_goal

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


def test_studies_sharing_a_folder_keep_their_own_reports(tmp_path: Path) -> None:
    config = toy(tmp_path)
    for name in ("fast", "slow"):
        result = orbsim("tune", str(config), "--trials", "2", "-n", "2", "--workers", "1",
                        "--study", str(tmp_path / "studies" / f"{name}.db"), "--json")
        assert result.returncode == 0, result.stderr
    for name in ("fast", "slow"):
        assert (tmp_path / "studies" / name / "report.md").is_file()
        assert (tmp_path / "studies" / name / "figures" / "history.png").is_file()
    assert not (tmp_path / "studies" / "report.md").exists()


def test_a_killed_study_resumes_and_refuses_other_settings(tmp_path: Path) -> None:
    assert tune_json(tmp_path, "--trials", "3", "-n", "2")["trials"] == 3
    assert tune_json(tmp_path, "--trials", "5", "-n", "2")["trials"] == 5
    result = orbsim("tune", str(toy(tmp_path)), "--workers", "1", "--study",
                    str(tmp_path / "study.db"), "--trials", "6", "-n", "2", "--seed", "9")
    ((path, message),) = cli_problems(result)
    assert path == str(tmp_path / "study.db") and "holds a study of another" in message


def stored_values(study: Path) -> list[float]:
    """Each trial's repair duration, in trial order."""
    import optuna

    found = optuna.load_study(study_name="orbsim", storage=f"sqlite:///{study}")
    return [t.params["fleet.0.design.parts.0.repair.duration_days"] for t in found.trials]


def test_a_resumed_study_goes_on_with_new_values_and_the_same_commands_repeat_it(
        tmp_path: Path) -> None:
    """The sampler is seeded from the root seed and the trials held: resuming draws values
    the first run did not (it replayed them), and a second study run to 4 then 8 trials is
    the first one again."""
    loaded = read_scenario(toy(tmp_path))
    search, objective = study_goal(loaded.document)
    for name in ("a.db", "b.db"):
        for trials in (4, 8):
            run_tune(loaded.document, search, objective, trials, 2, 0, 1, tmp_path / name)
    first = stored_values(tmp_path / "a.db")
    assert len(first) == 8
    assert not set(first[4:]) & set(first[:4]), first
    assert stored_values(tmp_path / "b.db") == first


def test_a_value_set_already_evaluated_is_not_run_again(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Among two choices, trials repeat one another: a repeat takes the metrics of the trial
    it repeats (the same values on the same seeds) instead of running the replications."""
    loaded = read_scenario(toy(tmp_path, search={
        "fleet.0.design.parts.0.repair.duration_days": {"choices": [10, 50]}}))
    search, objective = study_goal(loaded.document)
    seeds: list[int] = []
    replicate_rows = sim.study.tune.replicate_rows

    def counted(scenario: Any, replications: int, seed: int, pool: Any) -> Any:
        seeds.append(seed)
        return replicate_rows(scenario, replications, seed, pool)

    monkeypatch.setattr(sim.study.tune, "replicate_rows", counted)
    outcome = run_tune(loaded.document, search, objective, 5, 2, 0, 1, tmp_path / "study.db")
    assert outcome.trials == 5
    distinct = {json.dumps(p.params) for p in outcome.points}
    assert seeds.count(0) == len(distinct)  # the trials'; the re-evaluation runs on seed 1
    by_values = {json.dumps(p.params): p.metrics for p in outcome.points}
    assert all(p.metrics == by_values[json.dumps(p.params)] for p in outcome.points)


@pytest.mark.parametrize(("name", "fragment"), [
    ("", "is a folder; give the study's file"),
    ("toy.yaml", "exists and is not an SQLite study"),
    ("toy.yaml/study.db", "toy.yaml is a file, not a folder"),
])
def test_a_study_path_that_cannot_hold_a_study_is_refused_before_any_trial(
        tmp_path: Path, name: str, fragment: str) -> None:
    config = toy(tmp_path)
    before = config.read_bytes()
    result = orbsim("tune", str(config), "--trials", "2", "-n", "2", "--workers", "1",
                    "--study", str(tmp_path / name))
    ((where, message),) = cli_problems(result)
    assert where == "--study" and fragment in message, (where, message)
    assert config.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy.yaml"]


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


def test_values_refused_together_give_a_trial_no_result_and_the_study_goes_on(
        tmp_path: Path) -> None:
    """Each bound is a scenario alone, but two units required of one is not: such trials
    are pruned and counted, and the others tuned."""
    search = {"fleet.0.design.parts.0.count": {"low": 1, "high": 2, "int": True},
              "fleet.0.design.parts.0.required": {"low": 1, "high": 2, "int": True}}
    result = orbsim("tune", str(toy(tmp_path, search=search)), "--trials", "8", "-n", "2",
                    "--workers", "1", "--study", str(tmp_path / "study.db"), "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["refused"] >= 1 and found["trials"] + found["refused"] == 8
    assert result.stderr.startswith(f"note: {found['refused']} trial(s) gave no result: the "
                                    "scenario refuses the values ")
    params = found["best"]["params"]
    assert params["fleet.0.design.parts.0.required"] <= params["fleet.0.design.parts.0.count"]


@pytest.mark.parametrize(("changes", "path", "fragment"), [
    ({"search": None}, "search", "required key is missing"),
    ({"objective": None}, "objective", "required key is missing"),
    ({"search": {"fleet.0.nothing": {"low": 1, "high": 2}}}, "search.'fleet.0.nothing'",
     "no such value in the scenario"),
    ({"search": {"fleet.0.count": {"low": 5, "high": 5}}}, "search.'fleet.0.count'.high",
     "must be > low (5), got 5"),
    ({"search": {"fleet.0.design.parts.0.role": {"choices": ["compute"]}}},
     "search.'fleet.0.design.parts.0.role'.choices", "at least 2"),
    # Bounds and choices the scenario refuses: refused before the study, not by a trial.
    ({"search": {"fleet.0.design.parts.0.repair.duration_days": {"choices": [10, -5]}}},
     "search.'fleet.0.design.parts.0.repair.duration_days'.choices.1",
     "the scenario refuses -5 there (fleet.0.design.parts.0.repair.duration_days: must be"),
    ({"search": {"sla_fraction": {"low": 0.5, "high": 1.5}}}, "search.sla_fraction.high",
     "refuses 1.5 there (sla_fraction: must be ≤ 1"),
    ({"search": {"fleet.0.count": {"low": 10, "high": 20}}}, "search.'fleet.0.count'.low",
     "must be a whole number, got float 10.0); add int: true"),
    ({"search": {"fleet.0.count": {"low": 10.2, "high": 10.8, "int": True}}},
     "search.'fleet.0.count'", "no whole number lies between low (10.2) and high (10.8)"),
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
