"""Read a scenario file (YAML or TOML), apply ``--set`` overrides, validate, convert to SI."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.config.errors import Problem, ScenarioError, problems_from_validation
from sim.config.schema import (
    UNION_TAGS,
    DesignSpec,
    MixtureSpec,
    PartSpec,
    ScenarioSpec,
    duration_s,
    known_keys,
)
from sim.model.distributions import Distribution, Exponential, Fixed, LogNormal, Mixture, Weibull
from sim.model.repair import NoRepair, RepairRule, TimedRepair
from sim.scenario import Design, FleetGroup, Part, Scenario

MAX_FILE_BYTES = 10 * 1024 * 1024


def read_document(path: str | Path) -> dict[str, Any]:
    """The file's top-level mapping; a ScenarioError naming the file for anything unreadable."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(name, "is a directory, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, f"cannot be read ({exc.strerror})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(name, f"is larger than {MAX_FILE_BYTES // 2**20} MiB")])
    if b"\x00" in raw:
        raise ScenarioError([Problem(name, "is a binary file, not YAML or TOML text")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(name, "is not UTF-8 text")]) from None
    if not text.strip():
        raise ScenarioError([Problem(name, "is empty")])
    is_toml = path.suffix.lower() == ".toml"
    document = _parse_toml(text, name) if is_toml else _parse_yaml(text, name)
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise ScenarioError([Problem(name, f"must hold a mapping of keys at the top, got {kind}")])
    return document


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError([Problem(name, f"is not valid YAML{where}: {reason}")]) from None


def _parse_toml(text: str, name: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(name, f"is not valid TOML: {exc}")]) from None


def apply_overrides(document: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of ``document`` with each ``PATH=VALUE`` applied (VALUE read as a YAML scalar)."""
    result = copy.deepcopy(document)
    problems = []
    for item in overrides:
        try:
            _apply_one(result, item)
        except ValueError as exc:
            problems.append(Problem(f"--set {item}", str(exc)))
    if problems:
        raise ScenarioError(problems)
    return result


def _apply_one(document: dict[str, Any], item: str) -> None:
    path, sep, text = item.partition("=")
    if not sep or not path.strip():
        raise ValueError("expected PATH=VALUE, e.g. fleet.0.count=12")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        raise ValueError(f"value {text!r} is not a YAML scalar") from None
    keys = path.strip().split(".")
    node: Any = document
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[:depth]) or "the scenario"
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ValueError(f"{where} has {len(node)} item(s); no index {key!r}")
            if last:
                node[int(key)] = value
            else:
                node = node[int(key)]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            elif key not in node:
                raise ValueError(f"{where} has no key {key!r}")
            else:
                node = node[key]
        else:
            raise ValueError(f"{where} is a value, not a mapping or list")


def validate_document(document: dict[str, Any]) -> ScenarioSpec:
    """The document as a ScenarioSpec, or a ScenarioError with one Problem per fault."""
    try:
        return ScenarioSpec.model_validate(document)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, UNION_TAGS, known_keys())) from None


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override, validate and convert a scenario file to SI units."""
    document = apply_overrides(read_document(path), overrides)
    return to_scenario(validate_document(document))


def to_scenario(spec: ScenarioSpec) -> Scenario:
    """Convert a validated spec to the SI Scenario the model reads."""
    return Scenario(
        name=spec.name,
        description=spec.description,
        start_utc=spec.start_utc,
        horizon_s=spec.horizon_s,
        sla_fraction=spec.sla_fraction,
        fleet=tuple(
            FleetGroup(name=group.name, count=group.count, design=_design(group.design))
            for group in spec.fleet
        ),
    )


def _design(spec: DesignSpec) -> Design:
    return Design(
        nominal_compute_pflops=spec.nominal_compute_pflops,
        parts=tuple(_part(p, parent_path="") for p in spec.parts),
    )


def _part(spec: PartSpec, parent_path: str) -> Part:
    path = f"{parent_path}/{spec.name}" if parent_path else spec.name
    return Part(
        name=spec.name,
        path=path,
        role=spec.role,
        count=spec.count,
        required=spec.required if spec.required is not None else spec.count,
        failure=None if spec.failure is None else distribution(spec.failure),
        repair=_repair(spec.repair),
        parts=tuple(_part(child, path) for child in spec.parts),
    )


def _repair(spec: Any) -> RepairRule:
    if spec == "none":
        return NoRepair()
    return TimedRepair(duration=distribution(spec))


def distribution(spec: BaseModel) -> Distribution:
    """The model-layer distribution for a validated distribution spec."""
    kind = spec.distribution  # type: ignore[attr-defined]
    if kind == "exponential":
        return Exponential(duration_s(spec, "mean"))
    if kind == "weibull":
        return Weibull(spec.shape, duration_s(spec, "scale"))  # type: ignore[attr-defined]
    if kind == "lognormal":
        return LogNormal(duration_s(spec, "median"), spec.sigma)  # type: ignore[attr-defined]
    if kind == "fixed":
        return Fixed(duration_s(spec, "duration"))
    assert isinstance(spec, MixtureSpec)
    return Mixture(
        components=tuple(distribution(c) for c in spec.components),
        weights=tuple(float(c.weight) for c in spec.components),  # type: ignore[arg-type]
    )
