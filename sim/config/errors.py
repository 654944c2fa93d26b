"""Problems found in a scenario, each as one line naming the path into the file."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario: where (dotted path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(Exception):
    """A scenario that cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FieldError(ValueError):
    """Raised by a model validator to pin a cross-field problem on one key of that model."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def format_path(loc: Iterable[str | int]) -> str:
    """``('fleet', 0, 'design', 'count')`` → ``fleet[0].design.count``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(value: Any) -> str:
    """A short rendering of a user's value for an error message."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


DISTRIBUTION_NAMES = ("exponential", "weibull", "lognormal", "fixed", "mixture")

_KIND_NAMES = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "datetime_type": "an ISO 8601 date-time",
}


def _message(error: dict[str, Any], known_keys: Sequence[str]) -> tuple[list[str | int], str]:
    """Extra path segments and the human message for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "value_error" and isinstance(ctx.get("error"), FieldError):
        field_error: FieldError = ctx["error"]
        return [field_error.field], field_error.message
    if kind == "value_error":
        return [], str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return [], "required key is missing"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        if key in known_keys:
            return [], "unknown key here (it belongs to another kind of entry)"
        hint = difflib.get_close_matches(key, known_keys, n=1)
        return [], "unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        symbol = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<",
                  "less_than_equal": "≤"}[kind]
        bound = next(iter(ctx.values()))
        return [], f"must be {symbol} {bound:g}, got {describe(value)}"
    if kind == "finite_number":
        return [], f"must be a finite number, got {describe(value)}"
    if kind in _KIND_NAMES:
        return [], f"must be {_KIND_NAMES[kind]}, got {type(value).__name__} {describe(value)}"
    if kind == "literal_error":
        return [], f"must be one of {ctx.get('expected')}, got {describe(value)}"
    if kind == "too_short":
        return [], f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "string_too_short":
        return [], "must not be empty"
    if kind == "string_pattern_mismatch":
        return [], f"must contain only letters, digits, '_', '-' or '.', got {describe(value)}"
    if kind in ("unknown_distribution", "unknown_repair"):
        expected = ", ".join(DISTRIBUTION_NAMES)
        if kind == "unknown_repair":
            expected = "none, or a mapping with distribution: " + expected
        tag = value.get("distribution") if isinstance(value, dict) else value
        if isinstance(value, dict) and tag is None:
            return ["distribution"], f"required key is missing (one of {expected})"
        if isinstance(value, dict) or isinstance(value, str):
            noun = "repair rule" if kind == "unknown_repair" and not isinstance(value, dict) else (
                "distribution")
            return [], f"unknown {noun} {describe(tag)}; expected {expected}"
        return [], f"must be a mapping with a 'distribution' key, got {describe(value)}"
    if kind == "union_tag_invalid":
        return [], (f"unknown {ctx.get('discriminator', 'kind')} {describe(ctx.get('tag'))}; "
                    f"expected one of {ctx.get('expected_tags')}")
    if kind == "union_tag_not_found":
        return [], f"needs a '{ctx.get('discriminator', 'kind')}' key"
    return [], str(error["msg"])


def problems_from_validation(
    error: ValidationError, tags: frozenset[str], known_keys: Sequence[str]
) -> list[Problem]:
    """Turn pydantic's errors into one Problem each, with union tags dropped from the path."""
    problems = []
    for item in error.errors(include_url=False):
        loc = [part for part in item["loc"] if not (isinstance(part, str) and part in tags)]
        extra, message = _message(item, known_keys)
        problems.append(Problem(format_path([*loc, *extra]), message))
    return problems
