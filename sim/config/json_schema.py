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
    schema["$defs"]["FleetGroupSpec"]["properties"]["orbit"] = _orbit_by_kind()
    return {"$schema": SCHEMA_DIALECT, "title": "orbsim scenario", **{
        key: value for key, value in schema.items() if key != "title"}}


def _orbit_by_kind() -> dict[str, Any]:
    """``orbit``: an object whose ``kind`` picks the schema it is checked against (an ``anyOf``
    of the kinds would report a misspelt key only as "not valid under any of the given
    schemas"), or null."""
    from sim.config.orbit_spec import ORBIT_KINDS

    return {
        "title": "Orbit",
        "default": None,
        "type": ["object", "null"],
        "properties": {"kind": {"enum": list(ORBIT_KINDS)}},
        "allOf": [{"if": {"type": "object", "required": ["kind"],
                          "properties": {"kind": {"const": kind}}},
                   "then": {"$ref": f"#/$defs/{model.__name__}"}}
                  for kind, model in ORBIT_KINDS.items()],
    }
