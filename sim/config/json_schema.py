"""The scenario file's JSON Schema, for editors: the YAML language server completes keys and
checks values against it (``orbsim schema``)."""

from __future__ import annotations

from typing import Any

from sim.config.schema import ScenarioSpec

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (draft 2020-12), as pydantic derives it from the
    models that validate one; cross-field rules (k ≤ n, one unit per duration) are checked by
    ``orbsim validate`` only."""
    schema = ScenarioSpec.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, "title": "orbsim scenario", **{
        key: value for key, value in schema.items() if key != "title"}}
