"""``orbsim sensitivity``: Sobol indices of the metrics to the scenario's uncertain inputs.

An input the metric does not depend on gets exactly 0 (every variant runs the same seeds), a
model of one input gets total index 1 within its interval, and bad input is one line each
with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import cli_problems, orbsim, orbsim_json

from sim.api import read_scenario, run_sensitivity, study_inputs
from sim.study.sensitivity import sample_points

# Tolerance in the estimator's 95 % half-widths (SALib's bootstrap `conf`): 2 of them is
# about 4 standard errors.
K_CONF = 2.0

TOY = {
    "name": "sensitivity-toy",
    "horizon_years": 2,
    "sla_fraction": 0.5,
    "uncertain": {
        "fleet.0.design.parts.0.failure.mean_years": {"low": 0.5, "high": 4},
        "sla_window_h": {"low": 1, "high": 24},
    },
    "fleet": [{"name": "f", "count": 40, "design": {
        "nominal_compute_pflops": 1,
        "parts": [{"name": "gpu", "role": "compute", "count": 2, "required": 1,
                   "failure": {"distribution": "exponential", "mean_years": 1},
                   "repair": {"distribution": "fixed", "duration_days": 30}}]}}],
}


def toy(tmp_path: Path, **changes: Any) -> Path:
    document = {**TOY, **changes}
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_an_input_the_metric_ignores_gets_zero_and_json_has_the_contract(
        tmp_path: Path) -> None:
    result = orbsim_json("sensitivity", str(toy(tmp_path)), "-n", "8", "--replications", "2",
                         "--workers", "1", "--out", str(tmp_path / "study"))
    assert json.loads((tmp_path / "study" / "indices.json").read_text()) == result
    indices = result["indices"]
    assert set(indices) >= {"uptime", "goodput", "availability"}
    window = indices["uptime"]["sla_window_h"]
    assert window == {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
    assert set(indices["uptime"]["fleet.0.design.parts.0.failure.mean_years"]) == {
        "S1", "S1_conf", "ST", "ST_conf"}
    assert result["points"] == 8 * (2 + 2)


def test_a_model_of_one_input_has_total_index_one(tmp_path: Path) -> None:
    uncertain = {"fleet.0.design.parts.0.failure.mean_years": {"low": 0.5, "high": 4}}
    loaded = read_scenario(toy(tmp_path, uncertain=uncertain))
    result = run_sensitivity(loaded.document, study_inputs(loaded.document), 64, 4, 3, 2)
    found = result.indices["uptime"]["fleet.0.design.parts.0.failure.mean_years"]
    assert abs(found.ST - 1.0) <= K_CONF * found.ST_conf, found
    assert abs(found.S1 - 1.0) <= K_CONF * found.S1_conf, found


def test_a_whole_number_input_varies_over_whole_numbers(tmp_path: Path) -> None:
    """A count takes Python ints (the scenario refuses 5.0), each from ⌈low⌉ to ⌊high⌋."""
    uncertain = {"fleet.0.count": {"low": 20, "high": 40, "int": True},
                 "sla_window_h": {"low": 1, "high": 24}}
    loaded = read_scenario(toy(tmp_path, uncertain=uncertain))
    inputs = study_inputs(loaded.document)
    counts = [point["fleet.0.count"] for point in sample_points(inputs, 64, 0)]
    assert all(type(count) is int for count in counts)
    assert set(counts) == set(range(20, 41))
    result = run_sensitivity(loaded.document, inputs, 2, 1, 0, 1)
    assert set(result.indices["uptime"]) == set(uncertain)


def test_the_figure_is_written(tmp_path: Path) -> None:
    """In a folder that does not exist yet: it is created."""
    figure = tmp_path / "new" / "indices.png"
    result = orbsim("sensitivity", str(toy(tmp_path)), "-n", "4", "--replications", "1",
                    "--workers", "1", "--metric", "uptime", "--figure", str(figure),
                    "--out", str(tmp_path / "study"), check=True)
    assert figure.stat().st_size > 10_000
    assert "sla_window_h" in result.stdout


@pytest.mark.parametrize(("changes", "args", "path", "fragment"), [
    ({"uncertain": None}, [], "uncertain", "required key is missing"),
    ({"uncertain": {"fleet.0.nothing": {"low": 1, "high": 2}}}, [],
     "uncertain.'fleet.0.nothing'",
     "no such value in the scenario"),
    ({"uncertain": {"sla_window_h": {"low": 2, "high": 1}}}, [], "uncertain.sla_window_h.high",
     "must be > low (2), got 1"),
    ({"uncertain": {"sla_window_h": {"low": 1, "high": 1}}}, [], "uncertain.sla_window_h.high",
     "must be > low (1), got 1"),
    ({"uncertain": {"name": {"low": 1, "high": 2}}}, [], "uncertain.name", "must name a number"),
    # Bounds the scenario refuses: refused before the study, not by its first variant.
    ({"uncertain": {"fleet.0.design.parts.0.failure.mean_years": {"low": -2, "high": 4}}}, [],
     "uncertain.'fleet.0.design.parts.0.failure.mean_years'.low",
     "the scenario refuses -2.0 there (fleet.0.design.parts.0.failure.mean_years: must be > 0"),
    ({"uncertain": {"sla_fraction": {"low": 0.5, "high": 1.5}}}, [], "uncertain.sla_fraction.high",
     "refuses 1.5 there (sla_fraction: must be ≤ 1"),
    ({"uncertain": {"fleet.0.count": {"low": 10, "high": 20}}}, [], "uncertain.'fleet.0.count'.low",
     "must be a whole number, got float 10.0); add int: true"),
    ({"uncertain": {"fleet.0.count": {"low": 10.2, "high": 10.8, "int": True}}}, [],
     "uncertain.'fleet.0.count'", "no whole number lies between low (10.2) and high (10.8)"),
    # Each bound a scenario alone, but not two units required of one: a study needs every
    # variant, so it stops before running any.
    ({"uncertain": {"fleet.0.design.parts.0.count": {"low": 1, "high": 2, "int": True},
                    "fleet.0.design.parts.0.required": {"low": 1, "high": 2, "int": True}}}, [],
     "uncertain", "the scenario refuses the values fleet.0.design.parts.0.count=1, "
     "fleet.0.design.parts.0.required=2 together"),
    ({}, ["-n", "6"], "-n", "must be a power of 2"),
    ({}, ["-n", "4", "--metric", "uptme"], "--metric uptme", "did you mean 'uptime'?"),
])
def test_bad_study_input(tmp_path: Path, changes: dict[str, Any], args: list[str], path: str,
                         fragment: str) -> None:
    document = {key: value for key, value in {**TOY, **changes}.items() if value is not None}
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(document, sort_keys=False))
    result = orbsim("sensitivity", str(file), *(args or ["-n", "4"]), "--workers", "1",
                    "--out", str(tmp_path / "study"))
    ((where, message),) = cli_problems(result)
    assert where == path and fragment in message, (where, message)


@pytest.mark.parametrize(("option", "name", "fragment"), [
    ("--figure", "indices.bmp", "a figure's name ends in .png, .pdf or .svg, not '.bmp'"),
    ("--figure", "", "to say its format"),  # tmp_path itself: a folder
    ("--out", "toy.yaml", "is a file, not a folder"),
    ("--out", "toy.yaml/study", "toy.yaml is a file, not a folder"),
])
def test_an_output_path_that_cannot_be_written_is_refused_before_the_study(
        tmp_path: Path, option: str, name: str, fragment: str) -> None:
    paths = {"--out": str(tmp_path / "study"), option: str(tmp_path / name)}
    result = orbsim("sensitivity", str(toy(tmp_path)), "-n", "2", "--replications", "1",
                    "--workers", "1", *(item for pair in paths.items() for item in pair))
    ((where, message),) = cli_problems(result)
    assert where == option and fragment in message, (where, message)
    assert not (tmp_path / "study").exists()  # no variant was run


def test_json_output_is_one_object(tmp_path: Path) -> None:
    result = orbsim("sensitivity", str(toy(tmp_path)), "-n", "2", "--replications", "1",
                    "--workers", "1", "--json", "--out", str(tmp_path / "study"), check=True)
    assert json.loads(result.stdout)["replications"] == 1


def test_a_dask_cluster_gives_what_one_process_gives(tmp_path: Path) -> None:
    loaded = read_scenario(toy(tmp_path))
    inputs = study_inputs(loaded.document)
    here = run_sensitivity(loaded.document, inputs, 4, 2, 5, 1)
    on_dask = run_sensitivity(loaded.document, inputs, 4, 2, 5, 2, scheduler="local")
    assert on_dask.to_dict() == here.to_dict()


def test_a_killed_study_resumes_without_losing_or_repeating_a_variant(tmp_path: Path) -> None:
    """Cut the stored variants short (and the last line in half, as a kill may): the study
    run again evaluates only the rest and gives the indices of an uninterrupted run."""
    loaded = read_scenario(toy(tmp_path))
    inputs = study_inputs(loaded.document)
    whole = run_sensitivity(loaded.document, inputs, 4, 2, 5, 1, out=tmp_path / "a")
    variants = (tmp_path / "a" / "variants.jsonl").read_text().splitlines()
    assert len(variants) == whole.points
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "settings.json").write_text((tmp_path / "a" / "settings.json").read_text())
    (tmp_path / "b" / "variants.jsonl").write_text("\n".join(variants[:5]) + "\n"
                                                   + variants[5][:20])
    evaluated: list[int] = []
    resumed = run_sensitivity(loaded.document, inputs, 4, 2, 5, 1, out=tmp_path / "b",
                              progress=lambda done, total: evaluated.append(done))
    assert resumed.to_dict() == whole.to_dict()
    assert (tmp_path / "b" / "variants.jsonl").read_text().splitlines() == variants
    assert evaluated[0] == 6 and evaluated[-1] == whole.points
    with pytest.raises(Exception, match="holds a sensitivity study of another"):
        run_sensitivity(loaded.document, inputs, 4, 2, 6, 1, out=tmp_path / "b")


def test_a_small_negative_index_is_printed_as_zero() -> None:
    """Estimates of an index near 0 fall either side of it; -0.000 would read as a finding."""
    from sim.cli import _three_places

    assert [_three_places(v) for v in (-0.0004, 0.0004, -0.0006, 0.12345)] == [
        "0.000", "0.000", "-0.001", "0.123"]
