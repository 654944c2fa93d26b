"""Scenario loading: SI conversion, defaults, TOML, nesting, mixtures, ``--set``, start times.

These call ``sim.config`` in-process; ``test_bad_input.py`` covers what the user sees.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import SMOKE

from sim.config import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    read_document,
    validate_document,
)
from sim.config.loader import to_scenario
from sim.model.design import Part
from sim.model.distributions import Exponential, Fixed, LogNormal, Mixture, Weibull
from sim.model.repair import NoRepair, TimedRepair
from sim.scenario import Scenario

UNIT_SECONDS = {
    "s": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "days": 86_400.0,
    "years": 365.25 * 86_400.0,
}

SMOKE_TOML = """\
# The smoke scenario, written as TOML.
name = "smoke"
description = "Four satellites, three months, fast failures; for tests and notebooks."
start_utc = 2027-01-01T00:00:00Z
horizon_days = 91
sla_fraction = 0.9

[[fleet]]
name = "compute-sats"
count = 4

[fleet.design]
nominal_compute_pflops = 1.0

[[fleet.design.parts]]
name = "bus"
role = "bus"
count = 1
failure = { distribution = "weibull", shape = 0.5, scale_years = 20 }

[[fleet.design.parts]]
name = "reaction_wheel"
role = "bus"
count = 3
required = 2
failure = { distribution = "exponential", mean_years = 0.5 }
repair = { distribution = "fixed", duration_days = 10 }

[[fleet.design.parts]]
name = "accelerator"
role = "compute"
count = 8
required = 1
failure = { distribution = "exponential", mean_years = 1.0 }
repair = { distribution = "lognormal", median_days = 5, sigma = 0.5 }
"""


def smoke_document() -> dict[str, Any]:
    """A fresh copy of the smoke scenario as the loader reads it."""
    return read_document(SMOKE)


def scenario_of(document: dict[str, Any]) -> Scenario:
    """Validate and convert a document, as ``load_scenario`` does after reading."""
    return to_scenario(validate_document(document))


def parts_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["fleet"][0]["design"]["parts"]


def leaf(name: str, **extra: Any) -> dict[str, Any]:
    """A valid bus part with a fixed lifetime."""
    return {"name": name, "role": "bus", "count": 1,
            "failure": {"distribution": "fixed", "duration_days": 30}, **extra}


def problem_lines(error: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return str(error.value).splitlines()


# --- SI conversion -------------------------------------------------------------------------


@pytest.mark.parametrize("unit", list(UNIT_SECONDS))
@pytest.mark.parametrize(
    ("spec", "read_s"),
    [
        ({"distribution": "exponential"}, lambda d: d.mean_duration_s),
        ({"distribution": "weibull", "shape": 1.5}, lambda d: d.scale_s),
        ({"distribution": "lognormal", "sigma": 0.3}, lambda d: d.median_s),
        ({"distribution": "fixed"}, lambda d: d.duration_s),
    ],
    ids=["exponential-mean", "weibull-scale", "lognormal-median", "fixed-duration"],
)
def test_every_duration_unit_is_converted_to_seconds(
    unit: str, spec: dict[str, Any], read_s: Any
) -> None:
    base = {"exponential": "mean", "weibull": "scale", "lognormal": "median", "fixed": "duration"}
    document = smoke_document()
    parts_of(document)[0]["failure"] = {**spec, f"{base[spec['distribution']]}_{unit}": 2.5}
    failure = scenario_of(document).fleet[0].design.parts[0].failure
    assert read_s(failure) == pytest.approx(2.5 * UNIT_SECONDS[unit], rel=1e-15)


@pytest.mark.parametrize("unit", list(UNIT_SECONDS))
def test_repair_durations_are_converted_to_seconds(unit: str) -> None:
    document = smoke_document()
    parts_of(document)[1]["repair"] = {"distribution": "fixed", f"duration_{unit}": 4}
    repair = scenario_of(document).fleet[0].design.parts[1].repair
    assert repair == TimedRepair(Fixed(4 * UNIT_SECONDS[unit]))


def test_a_year_is_365_25_days() -> None:
    in_years = smoke_document()
    del in_years["horizon_days"]
    in_years["horizon_years"] = 2
    in_days = smoke_document()
    in_days["horizon_days"] = 730.5
    assert scenario_of(in_years).horizon_s == scenario_of(in_days).horizon_s == 730.5 * 86_400


def test_smoke_loads_in_si_units() -> None:
    scenario = load_scenario(SMOKE)
    assert scenario.name == "smoke"
    assert scenario.horizon_s == 91 * 86_400
    assert scenario.sla_fraction == 0.9
    assert scenario.n_satellites == 4
    bus, wheel, accelerator = scenario.fleet[0].design.parts
    assert bus.failure == Weibull(0.5, 20 * UNIT_SECONDS["years"])
    assert wheel.failure == Exponential(0.5 * UNIT_SECONDS["years"])
    assert wheel.repair == TimedRepair(Fixed(10 * 86_400.0))
    assert accelerator.repair == TimedRepair(LogNormal(5 * 86_400.0, 0.5))
    assert (wheel.count, wheel.required) == (3, 2)


def test_integer_values_are_accepted_where_numbers_are_expected() -> None:
    document = smoke_document()
    parts_of(document)[0]["failure"]["shape"] = 2
    document["sla_fraction"] = 1
    scenario = scenario_of(document)
    assert scenario.fleet[0].design.parts[0].failure == Weibull(2.0, 20 * UNIT_SECONDS["years"])
    assert scenario.sla_fraction == 1.0


# --- defaults ------------------------------------------------------------------------------


def test_required_defaults_to_count_and_repair_to_none() -> None:
    bus = scenario_of(smoke_document()).fleet[0].design.parts[0]
    assert "required" not in parts_of(smoke_document())[0]
    assert bus.required == bus.count == 1
    assert bus.repair == NoRepair()


def test_explicit_repair_none_and_required_null_take_the_defaults() -> None:
    document = smoke_document()
    parts_of(document)[1]["repair"] = "none"
    parts_of(document)[1]["required"] = None
    wheel = scenario_of(document).fleet[0].design.parts[1]
    assert wheel.repair == NoRepair()
    assert wheel.required == wheel.count == 3


def test_description_and_start_default() -> None:
    document = smoke_document()
    del document["description"], document["start_utc"]
    scenario = scenario_of(document)
    assert scenario.description == ""
    assert scenario.start_utc == datetime(2027, 1, 1, tzinfo=UTC)


# --- TOML ----------------------------------------------------------------------------------


def test_toml_smoke_loads_to_the_same_scenario(tmp_path: Path) -> None:
    path = tmp_path / "smoke.toml"
    path.write_text(SMOKE_TOML, encoding="utf-8")
    assert read_document(path) == read_document(SMOKE)
    assert load_scenario(path) == load_scenario(SMOKE)


def test_toml_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "smoke.TOML"
    path.write_text(SMOKE_TOML, encoding="utf-8")
    assert load_scenario(path) == load_scenario(SMOKE)


def test_toml_overrides_apply_like_yaml(tmp_path: Path) -> None:
    path = tmp_path / "smoke.toml"
    path.write_text(SMOKE_TOML, encoding="utf-8")
    overrides = ["fleet.0.count=12", "horizon_days=30"]
    assert load_scenario(path, overrides) == load_scenario(SMOKE, overrides)


# --- nested parts --------------------------------------------------------------------------


def nested_document() -> dict[str, Any]:
    """Smoke with a compute 'node' part (3 of 4 needed) made of sub-parts and no own failure."""
    document = smoke_document()
    parts_of(document).append({
        "name": "node",
        "role": "compute",
        "count": 4,
        "required": 3,
        "parts": [
            {"name": "gpu", "role": "compute", "count": 8, "required": 6,
             "failure": {"distribution": "exponential", "mean_h": 50_000},
             "repair": {"distribution": "fixed", "duration_h": 12}},
            {"name": "psu", "role": "bus", "count": 2,
             "failure": {"distribution": "weibull", "shape": 1.2, "scale_years": 8},
             "parts": [leaf("capacitor")]},
        ],
    })
    return document


def test_compute_part_with_sub_parts() -> None:
    node = scenario_of(nested_document()).fleet[0].design.parts[-1]
    assert (node.name, node.path, node.role, node.count, node.required) == (
        "node", "node", "compute", 4, 3)
    assert node.failure is None
    assert node.repair == NoRepair()
    gpu, psu = node.parts
    assert gpu.path == "node/gpu"
    assert gpu.failure == Exponential(50_000 * 3600.0)
    assert gpu.repair == TimedRepair(Fixed(12 * 3600.0))
    assert (psu.path, psu.role, psu.required) == ("node/psu", "bus", 2)
    (capacitor,) = psu.parts
    assert capacitor == Part(name="capacitor", path="node/psu/capacitor", role="bus", count=1,
                             required=1, failure=Fixed(30 * 86_400.0), repair=NoRepair())


def test_sub_part_names_may_repeat_across_parents_but_not_among_siblings() -> None:
    document = nested_document()
    parts_of(document)[-1]["parts"][1]["parts"].append(leaf("gpu"))
    scenario_of(document)
    parts_of(document)[-1]["parts"].append(leaf("gpu"))
    with pytest.raises(ScenarioError) as error:
        scenario_of(document)
    assert problem_lines(error) == ["fleet.0.design.parts.3.parts.2.name: duplicate name 'gpu'"]


def test_sub_part_k_of_n_is_checked_at_its_own_path() -> None:
    document = nested_document()
    parts_of(document)[-1]["parts"][0]["required"] = 9
    with pytest.raises(ScenarioError) as error:
        scenario_of(document)
    assert problem_lines(error) == [
        "fleet.0.design.parts.3.parts.0.required: must be ≤ count (8), got 9"]


def test_a_bus_part_takes_only_bus_sub_parts() -> None:
    document = smoke_document()
    parts_of(document)[0]["parts"] = [{**leaf("cpu"), "role": "compute"}]
    with pytest.raises(ScenarioError) as error:
        scenario_of(document)
    assert problem_lines(error) == [
        "fleet.0.design.parts.0.parts.0.role: a bus part's sub-parts must be bus parts"]


def test_a_part_without_failure_cannot_be_repaired() -> None:
    document = nested_document()
    parts_of(document)[-1]["repair"] = {"distribution": "fixed", "duration_days": 1}
    with pytest.raises(ScenarioError) as error:
        scenario_of(document)
    assert problem_lines(error) == [
        "fleet.0.design.parts.3.repair: a part with no failure distribution cannot be repaired"]


# --- mixtures ------------------------------------------------------------------------------


def mixture(*weights: float) -> dict[str, Any]:
    return {"distribution": "mixture", "components": [
        {"distribution": "weibull", "weight": w, "shape": 0.5 + i, "scale_years": 1 + i}
        for i, w in enumerate(weights)]}


def test_mixture_weights_and_components() -> None:
    document = smoke_document()
    parts_of(document)[0]["failure"] = mixture(0.15, 0.85)
    failure = scenario_of(document).fleet[0].design.parts[0].failure
    assert failure == Mixture(
        components=(Weibull(0.5, UNIT_SECONDS["years"]), Weibull(1.5, 2 * UNIT_SECONDS["years"])),
        weights=(0.15, 0.85),
    )


def test_mixture_weights_may_round_to_one() -> None:
    document = smoke_document()
    parts_of(document)[0]["failure"] = mixture(0.7, 0.2, 0.1)
    assert 0.7 + 0.2 + 0.1 != 1.0
    failure = scenario_of(document).fleet[0].design.parts[0].failure
    assert isinstance(failure, Mixture)
    assert failure.weights == (0.7, 0.2, 0.1)


def test_mixture_can_be_a_repair_time() -> None:
    document = smoke_document()
    parts_of(document)[1]["repair"] = mixture(0.5, 0.5)
    repair = scenario_of(document).fleet[0].design.parts[1].repair
    assert isinstance(repair, TimedRepair)
    assert isinstance(repair.duration, Mixture)


@pytest.mark.parametrize(
    ("failure", "line"),
    [
        (mixture(0.5, 0.4),
         "fleet.0.design.parts.0.failure.components: weights must sum to 1, got 0.9"),
        ({**mixture(0.5, 0.5), "weight": 1.0},
         "fleet.0.design.parts.0.failure.weight: only the components of a mixture take a weight"),
        ({"distribution": "exponential", "mean_years": 1, "weight": 1.0},
         "fleet.0.design.parts.0.failure.weight: only the components of a mixture take a weight"),
        (mixture(1.0),
         "fleet.0.design.parts.0.failure.components: must have at least 2 item(s)"),
        ({"distribution": "mixture", "components": [
            {"distribution": "fixed", "duration_s": 1, "weight": 0.5},
            {"distribution": "fixed", "duration_s": 2}]},
         "fleet.0.design.parts.0.failure.components.1.weight: required key is missing"),
        ({"distribution": "mixture", "components": [mixture(0.5, 0.5) | {"weight": 0.5},
                                                    mixture(0.5, 0.5) | {"weight": 0.5}]},
         "fleet.0.design.parts.0.failure.components.0.distribution: a mixture's components "
         "cannot be mixtures; expected exponential, weibull, lognormal, fixed"),
    ],
    ids=["weights-sum", "weight-on-mixture", "weight-on-simple", "one-component",
         "missing-weight", "nested-mixture"],
)
def test_bad_mixtures(failure: dict[str, Any], line: str) -> None:
    document = smoke_document()
    parts_of(document)[0]["failure"] = failure
    with pytest.raises(ScenarioError) as error:
        scenario_of(document)
    assert problem_lines(error)[0] == line


# --- --set overrides -----------------------------------------------------------------------


def test_overrides_follow_list_indices_and_parse_yaml_scalars() -> None:
    document = smoke_document()
    result = apply_overrides(document, [
        "fleet.0.count=12",
        "fleet.0.design.parts.1.required=3",
        "fleet.0.design.parts.0.failure.shape=0.75",
        "sla_fraction=1",
        "description=twelve",
        "name='12'",
        "fleet.0.design.parts.2.repair=none",
    ])
    assert result["fleet"][0]["count"] == 12
    assert parts_of(result)[1]["required"] == 3
    assert parts_of(result)[0]["failure"]["shape"] == 0.75
    assert result["sla_fraction"] == 1
    assert result["description"] == "twelve"
    assert result["name"] == "12"
    assert parts_of(result)[2]["repair"] == "none"
    assert document == smoke_document()


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("0.5", 0.5), ("1e3", 1000.0), ("1.0e+3", 1000.0), ("true", True),
     ("null", None), ("", None), ("'3'", "3"), ("[1, 2]", [1, 2]), ("{a: 1}", {"a": 1}),
     (".nan", "nan"), ("2027-03-01", date(2027, 3, 1)), ("a=b", "a=b")],
)
def test_override_values_are_read_as_yaml(text: str, value: Any) -> None:
    result = apply_overrides({"x": 0}, [f"x={text}"])["x"]
    if value == "nan":
        assert result != result
    else:
        assert result == value
        assert type(result) is type(value)


def test_override_may_replace_a_whole_list_item() -> None:
    result = apply_overrides(smoke_document(), ["fleet.0.design.parts.0={name: x}"])
    assert parts_of(result)[0] == {"name": "x"}


def test_override_key_the_schema_lacks_is_reported_as_unknown() -> None:
    document = apply_overrides(smoke_document(), ["fleet.0.design.parts.0.failure.scale_yaers=3"])
    assert parts_of(document)[0]["failure"]["scale_yaers"] == 3
    with pytest.raises(ScenarioError) as error:
        validate_document(document)
    assert problem_lines(error) == [
        "fleet.0.design.parts.0.failure.scale_yaers: unknown key (did you mean 'scale_years'?)"]


def test_override_can_create_a_missing_top_level_key() -> None:
    document = smoke_document()
    del document["horizon_days"]
    result = apply_overrides(document, ["horizon_years=2"])
    assert scenario_of(result).horizon_s == 2 * UNIT_SECONDS["years"]


def test_override_one_past_the_end_of_a_list_appends_an_item() -> None:
    document = smoke_document()
    parts = len(parts_of(document))
    radio = {"name": "radio", "role": "bus", "count": 1,
             "failure": {"distribution": "exponential", "mean_years": 10}}
    result = apply_overrides(document, [
        f"fleet.0.design.parts.{parts}={{name: radio, role: bus, count: 1, "
        "failure: {distribution: exponential, mean_years: 10}}"])
    assert parts_of(result)[:parts] == parts_of(document)
    assert parts_of(result)[parts] == radio
    assert scenario_of(result).fleet[0].design.parts[parts].name == "radio"
    with pytest.raises(ScenarioError) as error:
        apply_overrides(document, [f"fleet.0.design.parts.{parts + 1}={{name: x}}"])
    assert problem_lines(error) == [f"--set fleet.0.design.parts.{parts + 1}: "
                                    f"fleet.0.design.parts has {parts} item(s); "
                                    f"no index '{parts + 1}'"]


def test_override_replaces_the_same_value_given_another_way() -> None:
    """A file gives a horizon in days; ``--set horizon_years=2`` replaces it (as a duration in
    another unit, an LTAN for a RAAN, an altitude for a semi-major axis)."""
    result = apply_overrides(smoke_document(), ["horizon_years=2"])
    assert "horizon_days" not in result
    assert scenario_of(result).horizon_s == 2 * UNIT_SECONDS["years"]
    shell = apply_overrides(smoke_document(), [
        "fleet.0.design.parts.0.failure.scale_days=900",
        "fleet.0.orbit={kind: formation, altitude_km: 500, inclination_deg: 53, raan_deg: 0}",
        "fleet.0.orbit.ltan_h=6", "fleet.0.orbit.semi_major_axis_km=7000"])
    assert parts_of(shell)[0]["failure"] == {"distribution": "weibull", "shape": 0.5,
                                            "scale_days": 900}
    assert shell["fleet"][0]["orbit"] == {"kind": "formation", "inclination_deg": 53,
                                          "ltan_h": 6, "semi_major_axis_km": 7000}


@pytest.mark.parametrize(
    ("item", "line"),
    [
        ("fleet.1.count=3", "--set fleet.1.count: fleet has 1 item(s); no index '1'"),
        ("fleet.-1.count=3", "--set fleet.-1.count: fleet has 1 item(s); no index '-1'"),
        ("fleet.first.count=3", "--set fleet.first.count: fleet has 1 item(s); no index 'first'"),
        ("fleet.².count=3", "--set fleet.².count: fleet has 1 item(s); no index '²'"),
        ("fleet.00.count=3", "--set fleet.00.count: fleet has 1 item(s); no index '00'"),
        ("fleet.0.name.x=3",
         "--set fleet.0.name.x: fleet.0.name is a value, not a mapping or list"),
        ("fleet.0.desing.parts=3", "--set fleet.0.desing.parts: fleet.0 has no key 'desing'"),
        ("horizon.days=3", "--set horizon.days: the scenario has no key 'horizon'"),
        ("fleet.0.count", "--set fleet.0.count: expected PATH=VALUE, e.g. fleet.0.count=12"),
        ("=3", "--set =3: expected PATH=VALUE, e.g. fleet.0.count=12"),
        ("name=[a, b", "--set name: value '[a, b' is not valid YAML"),
        ("name=a: b: c", "--set name: value 'a: b: c' is not valid YAML"),
    ],
)
def test_bad_override_paths(item: str, line: str) -> None:
    with pytest.raises(ScenarioError) as error:
        apply_overrides(smoke_document(), [item])
    assert problem_lines(error) == [line]


def test_every_bad_override_is_reported() -> None:
    with pytest.raises(ScenarioError) as error:
        apply_overrides(smoke_document(), ["fleet.4.count=1", "name=ok", "oops", "name.x=1"])
    assert [p.path for p in error.value.problems] == ["--set fleet.4.count", "--set oops",
                                                      "--set name.x"]


def test_load_scenario_applies_overrides() -> None:
    scenario = load_scenario(SMOKE, ["fleet.0.count=12", "horizon_days=10"])
    assert scenario.n_satellites == 12
    assert scenario.horizon_s == 10 * 86_400


# --- start_utc -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-04T05:06:07Z", datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("'2027-03-04T05:06:07Z'", datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("'2027-03-04T05:06:07+02:00'", datetime(2027, 3, 4, 3, 6, 7, tzinfo=UTC)),
        ("2027-03-04 05:06:07+02:00", datetime(2027, 3, 4, 3, 6, 7, tzinfo=UTC)),
        ("'2027-03-04T05:06:07'", datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2027-03-04T05:06:07", datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2027-03-04", datetime(2027, 3, 4, tzinfo=UTC)),
        ("'2027-03-04'", datetime(2027, 3, 4, tzinfo=UTC)),
    ],
    ids=["yaml-timestamp-z", "iso-string-z", "iso-string-offset", "yaml-timestamp-offset",
         "iso-string-naive", "yaml-timestamp-naive", "yaml-date", "iso-string-date"],
)
def test_start_utc_forms(tmp_path: Path, text: str, expected: datetime) -> None:
    path = tmp_path / "start.yaml"
    path.write_text(SMOKE.read_text().replace("2027-01-01T00:00:00Z", text), encoding="utf-8")
    start = load_scenario(path).start_utc
    assert start == expected
    assert start.utcoffset() is not None


def test_naive_start_is_taken_as_utc() -> None:
    document = smoke_document()
    document["start_utc"] = datetime(2030, 6, 1, 12)
    assert scenario_of(document).start_utc.tzinfo is UTC


def test_start_offset_is_kept() -> None:
    document = smoke_document()
    document["start_utc"] = "2027-03-04T05:06:07-05:00"
    start = scenario_of(document).start_utc
    assert start.utcoffset() == timedelta(hours=-5)
    assert start == datetime(2027, 3, 4, 10, 6, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("toml_value", "expected"),
    [
        ("2027-03-04T05:06:07Z", datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2027-03-04T05:06:07+01:00", datetime(2027, 3, 4, 5, 6, 7,
                                               tzinfo=timezone(timedelta(hours=1)))),
        ("2027-03-04T05:06:07", datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2027-03-04", datetime(2027, 3, 4, tzinfo=UTC)),
        ('"2027-03-04T05:06:07Z"', datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)),
    ],
    ids=["offset-datetime-z", "offset-datetime", "local-datetime", "local-date", "string"],
)
def test_start_utc_from_toml(tmp_path: Path, toml_value: str, expected: datetime) -> None:
    path = tmp_path / "start.toml"
    path.write_text(SMOKE_TOML.replace("2027-01-01T00:00:00Z", toml_value), encoding="utf-8")
    assert load_scenario(path).start_utc == expected


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("next tuesday", "start_utc: must be an ISO 8601 date-time, got 'next tuesday'"),
        ("2027-02-30", "start_utc: must be an ISO 8601 date-time, got '2027-02-30' "
                       "(day is out of range for month)"),
        (20270101, "start_utc: must be an ISO 8601 date-time, got int 20270101"),
        (None, "start_utc: must be an ISO 8601 date-time, got null"),
    ],
)
def test_bad_start_utc(value: Any, line: str) -> None:
    document = smoke_document()
    document["start_utc"] = value
    with pytest.raises(ScenarioError) as error:
        validate_document(document)
    assert problem_lines(error) == [line]


# --- read_document -------------------------------------------------------------------------


def test_read_document_returns_the_top_mapping() -> None:
    assert read_document(SMOKE) == yaml.safe_load(SMOKE.read_text())


def test_yaml_anchors_and_merge_keys_still_work(tmp_path: Path) -> None:
    text = SMOKE.read_text().replace(
        "failure: {distribution: exponential, mean_years: 0.5}",
        "failure: &fast {distribution: exponential, mean_years: 0.5}",
    ).replace(
        "failure: {distribution: exponential, mean_years: 1.0}",
        "failure: {<<: *fast, mean_years: 1.0}",
    )
    path = tmp_path / "anchors.yaml"
    path.write_text(text, encoding="utf-8")
    assert text != SMOKE.read_text()
    assert load_scenario(path) == load_scenario(SMOKE)


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    for suffix, text in ((".yaml", SMOKE.read_text()), (".toml", SMOKE_TOML)):
        path = tmp_path / f"bom{suffix}"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        assert load_scenario(path) == load_scenario(SMOKE)


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text(SMOKE.read_text() + "sla_fraction: 0.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        read_document(path)
    assert problem_lines(error) == [
        f"{path}: is not valid YAML (line 30, column 1): duplicate key 'sla_fraction'"]


def test_validate_document_reports_every_problem() -> None:
    document = copy.deepcopy(smoke_document())
    document["sla_fraction"] = 0
    document["fleet"][0]["count"] = "four"
    parts_of(document)[2]["role"] = "payload"
    with pytest.raises(ScenarioError) as error:
        validate_document(document)
    assert sorted(problem_lines(error)) == [
        "fleet.0.count: must be a whole number, got str 'four'",
        "fleet.0.design.parts.2.role: must be one of 'bus', 'compute' or 'battery', "
        "got 'payload'",
        "sla_fraction: must be > 0, got 0",
    ]


def test_a_misspelled_required_key_is_one_line_not_two() -> None:
    """``cuont`` for ``count``: the unknown key's line names the key meant, so the required
    key is not also reported missing; a key truly missing still is."""
    document = smoke_document()
    part = parts_of(document)[0]
    part["cuont"] = part.pop("count")
    with pytest.raises(ScenarioError) as error:
        validate_document(document)
    assert problem_lines(error) == [
        "fleet.0.design.parts.0.cuont: unknown key (did you mean 'count'?)"]
    del part["cuont"]
    with pytest.raises(ScenarioError) as error:
        validate_document(document)
    assert problem_lines(error) == ["fleet.0.design.parts.0.count: required key is missing"]
