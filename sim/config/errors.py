"""Problems found in a scenario, each as one line naming the path into the file."""

from __future__ import annotations

import difflib
import math
import re
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

    def one_line(self) -> str:
        """Every problem on one line, "; " between them (to quote inside another message)."""
        return "; ".join(str(p) for p in self.problems)


class FieldError(ValueError):
    """Raised by a model validator to pin a cross-field problem on one key of that model."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


_PATH_PUNCTUATION = re.compile(r"[.\[\]'\"]")


def format_path(loc: Iterable[str | int]) -> str:
    """``('fleet', 0, 'design', 'count')`` → ``fleet.0.design.count``, the spelling ``--set``
    takes.

    An empty key, one with line breaks or other unprintable characters, or one holding the
    path's own punctuation, is shown quoted, so that every problem stays one line and names a
    visible key without ambiguity.
    """
    parts = []
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            parts.append(str(part))
            continue
        key = str(part)
        if not key or not key.isprintable() or _PATH_PUNCTUATION.search(key):
            key = repr(key)
        parts.append(key)
    return ".".join(parts)


def describe(value: Any) -> str:
    """A short rendering of a user's value for an error message."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and value.bit_length() > 128:
        return f"a whole number of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_typed(value: Any) -> str:
    """``describe`` with the kind of a scalar in front (``str '3'``), for type errors."""
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return describe(value)
    return f"{type(value).__name__} {describe(value)}"


def _bound(value: Any) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


DISTRIBUTION_NAMES = ("exponential", "weibull", "lognormal", "fixed", "mixture")
COMPONENT_NAMES = DISTRIBUTION_NAMES[:-1]
DISTRIBUTION_ERRORS = frozenset({"unknown_distribution", "unknown_component", "unknown_repair"})

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
        return _field_loc(field_error.field), field_error.message
    if kind == "value_error":
        return [], str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return [], "required key is missing"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        if key in known_keys:
            return [], "unknown key here (it belongs to another kind of entry)"
        hint = closest_key(key, known_keys)
        return [], "unknown key" + (f" (did you mean '{hint}'?)" if hint else "")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        symbol = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<",
                  "less_than_equal": "≤"}[kind]
        bound = next(iter(ctx.values()))
        return [], f"must be {symbol} {_bound(bound)}, got {describe(value)}"
    if kind == "finite_number":
        return [], f"must be a finite number, got {describe(value)}"
    if kind in _KIND_NAMES:
        return [], f"must be {_KIND_NAMES[kind]}, got {describe_typed(value)}"
    if kind == "literal_error":
        return [], f"must be one of {ctx.get('expected')}, got {describe(value)}"
    if kind == "too_short":
        return [], f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "string_too_short":
        return [], "must not be empty"
    if kind == "string_too_long":
        return [], f"must be at most {ctx.get('max_length')} characters, got {len(value)}"
    if kind == "string_pattern_mismatch":
        return [], f"must contain only letters, digits, '_', '-' or '.', got {describe(value)}"
    if kind in DISTRIBUTION_ERRORS:
        return _distribution_message(kind, value)
    if kind == "union_tag_invalid":
        return [], (f"unknown {ctx.get('discriminator', 'kind')} {describe(ctx.get('tag'))}; "
                    f"expected one of {ctx.get('expected_tags')}")
    if kind == "union_tag_not_found":
        return [], f"needs a '{ctx.get('discriminator', 'kind')}' key"
    if kind == "recursion_loop":
        return [], "is nested too deeply, or refers to itself through a YAML alias"
    return [], str(error["msg"])


# Spellings of a time unit people type, and the suffix the schema uses (``sim.units``).
UNIT_SPELLINGS = {
    "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "m": "min", "mins": "min", "minute": "min", "minutes": "min",
    "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "days", "day": "days",
    "y": "years", "yr": "years", "yrs": "years", "year": "years",
}
# Least difflib similarity for a hint; below it the key is left without one.
HINT_CUTOFF = 0.6


def closest_key(key: str, known_keys: Sequence[str]) -> str | None:
    """The known key ``key`` was most likely meant as, or None.

    A key whose unit suffix is a known unit spelled another way (``mean_hours``) gets the
    schema's spelling (``mean_h``); otherwise, among keys similar enough, one with the same
    stem before the unit suffix (``bus_load_w`` → ``bus_load_kw``) comes first, then the most
    similar (difflib ratio).
    """
    stem, _, unit = key.rpartition("_")
    spelled = f"{stem}_{UNIT_SPELLINGS.get(unit.lower(), unit)}" if stem else key
    if spelled != key and spelled in known_keys:
        return spelled
    candidates = difflib.get_close_matches(key, known_keys, n=8, cutoff=HINT_CUTOFF)
    if not candidates:
        return None

    def rank(candidate: str) -> tuple[bool, float]:
        same_stem = bool(stem) and candidate.rpartition("_")[0] == stem
        return same_stem, difflib.SequenceMatcher(None, key, candidate).ratio()

    return max(candidates, key=rank)


def _field_loc(field: str) -> list[str | int]:
    """A FieldError's ``components[1].weight`` as path segments: ``components``, 1, ``weight``."""
    return [int(m[1:-1]) if m.startswith("[") else m for m in re.findall(r"\[\d+\]|[^.\[]+", field)]


def _distribution_message(kind: str, value: Any) -> tuple[list[str | int], str]:
    """Where and what for a failure, component or repair entry whose kind cannot be told."""
    names = ", ".join(COMPONENT_NAMES if kind == "unknown_component" else DISTRIBUTION_NAMES)
    if isinstance(value, dict):
        if "distribution" not in value:
            return ["distribution"], f"required key is missing (one of {names})"
        tag = value["distribution"]
        if kind == "unknown_component" and tag == "mixture":
            return ["distribution"], f"a mixture's components cannot be mixtures; expected {names}"
        return ["distribution"], f"unknown distribution {describe(tag)}; expected {names}"
    if kind == "unknown_repair":
        expected = "'none', 'servicer' or a mapping with a 'distribution' key"
        if isinstance(value, str):
            return [], f"unknown repair rule {describe(value)}; expected {expected}"
        return [], f"must be {expected}, got {describe_typed(value)}"
    if isinstance(value, str):
        return [], (f"unknown distribution {describe(value)}; expected a mapping with "
                    f"distribution: {names}")
    return [], f"must be a mapping with a 'distribution' key, got {describe_typed(value)}"


def _invalid_key(loc: Sequence[str | int], key: Any) -> Problem:
    """A key that YAML read as a number, date, boolean or null rather than as text."""
    where = format_path([*loc[:-1], str(key)])
    return Problem(where, f"keys must be text, got {describe_typed(key)} (quote the key)")


# The segment pydantic appends to the location of a mapping's key that fails validation.
DICT_KEY_LOC = "[key]"


def _file_path(loc: Sequence[str | int], document: Any, tags: frozenset[str]) -> list[str | int]:
    """``loc`` as a path into ``document``: the union tags pydantic inserts are dropped.

    A tag is told apart from a user's key of the same name (``fixed:`` typed by mistake) by
    walking the document: a tag follows a field whose value carries that tag.
    """
    path: list[str | int] = []
    node = document
    after_tag = False
    for part in loc:
        if part == DICT_KEY_LOC:
            continue
        if not after_tag and isinstance(part, str) and part in tags and _tagged(node, part):
            after_tag = True
            continue
        after_tag = False
        path.append(part)
        node = _child(node, part)
    return path


def _tagged(node: Any, tag: str) -> bool:
    if isinstance(node, dict):
        if tag in STUDY_FORMS:
            return ("choices" in node) == (tag == "choices")
        return node.get("distribution") == tag
    return node == tag


# The tags of a search entry's two forms (``sim.config.study_spec.SearchEntry``).
STUDY_FORMS = ("range", "choices")


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def problems_from_validation(
    error: ValidationError, document: Any, tags: frozenset[str], known_keys: Sequence[str]
) -> list[Problem]:
    """Turn pydantic's errors on ``document`` into one Problem each, paths as in the file. A
    required key reported missing beside an unknown key that is its misspelling is left out:
    the unknown key's line already says which key was meant."""
    # Each problem, with whether it says a required key is missing.
    found: list[tuple[Problem, bool]] = []
    meant: set[str] = set()
    for item in error.errors(include_url=False):
        loc = _file_path(item["loc"], document, tags)
        if item["type"] == "invalid_key":
            found.append((_invalid_key(loc, item.get("input")), False))
            continue
        extra, message = _message(item, known_keys)
        if item["type"] == "extra_forbidden" and loc and str(loc[-1]) not in known_keys:
            hint = closest_key(str(loc[-1]), known_keys)
            if hint is not None:
                meant.add(format_path([*loc[:-1], hint]))
        found.append((Problem(format_path([*loc, *extra]), message), item["type"] == "missing"))
    return [problem for problem, missing in found if not (missing and problem.path in meant)]
