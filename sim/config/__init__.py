"""Scenario files: schema, loading, ``--set`` overrides and one-line errors."""

from sim.config.errors import Problem, ScenarioError
from sim.config.loader import apply_overrides, load_scenario, read_document, validate_document

__all__ = [
    "Problem",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "read_document",
    "validate_document",
]
