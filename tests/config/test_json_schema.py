"""``orbsim schema``: the JSON Schema editors check scenario files with accepts every shipped
scenario and refuses what validation refuses on its own terms (unknown keys, wrong types)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from support import CONFIGS, orbsim

from sim.api import read_document, scenario_json_schema

SHIPPED = sorted([*CONFIGS.glob("*.yaml"), *(CONFIGS / "validation").glob("*.yaml")])


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_matches_the_schema(validator: jsonschema.Validator,
                                                   path: object) -> None:
    document = json.loads(json.dumps(read_document(path), default=str))
    errors = [error.message for error in validator.iter_errors(document)]
    assert errors == []


def test_the_schema_refuses_unknown_keys_and_wrong_types(validator: jsonschema.Validator) -> None:
    document = json.loads(json.dumps(read_document(CONFIGS / "reference-cluster.yaml"),
                                     default=str))
    document["fleet"][0]["design"]["parts"][1]["radiaton"] = {}
    document["horizon_years"] = "twenty"
    messages = " ".join(error.message for error in validator.iter_errors(document))
    assert "radiaton" in messages and "twenty" in messages


def test_the_schema_checks_what_is_under_orbit(validator: jsonschema.Validator) -> None:
    document = json.loads(json.dumps(read_document(CONFIGS / "reference-shell.yaml"),
                                     default=str))
    orbit = document["fleet"][0]["orbit"]
    assert validator.is_valid(document)
    for wrong, named in (({"altitud_km": 550}, "'altitud_km' was unexpected"),
                         ({"planes": "forty"}, "'forty' is not of type 'integer'"),
                         ({"kind": "ellipse"}, "'ellipse' is not one of")):
        document["fleet"][0]["orbit"] = {**orbit, **wrong}
        messages = [error.message for error in validator.iter_errors(document)]
        assert len(messages) == 1 and named in messages[0], messages  # named, not "any of"


def test_the_command_prints_the_schema() -> None:
    result = orbsim("schema", check=True)
    printed = json.loads(result.stdout)
    assert printed["title"] == "orbsim scenario"
    assert printed == scenario_json_schema()
