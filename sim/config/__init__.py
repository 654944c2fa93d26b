"""Scenario files: schema, loading, ``--set`` overrides and one-line errors."""

from sim.config.errors import Problem, ScenarioError
from sim.config.json_schema import scenario_json_schema
from sim.config.loader import apply_overrides, load_scenario, read_document, validate_document
from sim.config.warnings import STALE_TLE_DAYS, scenario_warnings

__all__ = [
    "STALE_TLE_DAYS",
    "Problem",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "read_document",
    "scenario_json_schema",
    "scenario_warnings",
    "validate_document",
]
