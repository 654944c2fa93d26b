"""Read a scenario file (YAML or TOML), apply ``--set`` overrides, validate, convert to SI."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Hashable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.config.errors import (
    Problem,
    ScenarioError,
    describe,
    describe_typed,
    problems_from_validation,
)
from sim.config.orbit_spec import TleSpec, to_orbit
from sim.config.power_spec import to_power
from sim.config.radiation_build import dose_rate_rad_per_s, saa_settings
from sim.config.radiation_build import effects as radiation_effects
from sim.config.radiation_build import environment as radiation_environment
from sim.config.radiation_build import workload as to_workload
from sim.config.schema import (
    UNION_TAGS,
    DesignSpec,
    MixtureSpec,
    PartSpec,
    ScenarioSpec,
    duration_s,
    known_keys,
    walk_parts,
)
from sim.config.servicing_build import to_launch, with_servicing
from sim.config.study_spec import path_problems
from sim.model.design import Design, Part
from sim.model.distributions import Distribution, Exponential, Fixed, LogNormal, Mixture, Weibull
from sim.model.modes import PRIMARY_MODE, FailureMode, Inspection, Phase, Standby
from sim.model.repair import NoRepair, RepairRule, ServicerRepair, TimedRepair
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, HOUR_S, TIME_UNIT_S

MAX_FILE_BYTES = 10 * 1024 * 1024
# A handwritten scenario holds hundreds of values; YAML aliases can make a small file hold
# billions, and deep nesting exhausts the parsers' recursion.
MAX_VALUES = 100_000
MAX_DEPTH = 64
WIDE_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


class _StrictSafeYaml(yaml.SafeLoader):
    """PyYAML's safe loader, but a repeated key or an unreadable scalar is a YAML error, and
    a date that does not exist is read as text (for its field to refuse).

    PyYAML keeps the last of two equal keys silently, and lets Python's ``ValueError`` escape
    for a date such as 2027-02-30 or an integer of thousands of digits.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {describe(key)}", key_node.start_mark
                )
            if isinstance(key, Hashable):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date or time, or, for one that is no real date (2027-13-45), its text: the
        field that holds it then says what is wrong with it."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            reason = str(exc).split(";")[0]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {describe(node.value)}: {reason}", node.start_mark
            ) from None


# YAML 1.2 reads ``1e-9`` and ``3.6e3`` as numbers; PyYAML (YAML 1.1) only with a dot and a
# signed exponent (``1.0e-9``), and as strings otherwise. The scenario reader and ``--set``
# take the YAML 1.2 spelling too.
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_StrictSafeYaml.add_constructor("tag:yaml.org,2002:timestamp",
                                _StrictSafeYaml.construct_yaml_timestamp)
_StrictSafeYaml.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT,
                                      list("-+0123456789."))


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
    text = _decode(raw, name)
    is_toml = path.suffix.lower() == ".toml"
    document = _parse_toml(text, name) if is_toml else _parse_yaml(text, name)
    if document is None:
        raise ScenarioError([Problem(name, "holds no keys (only comments or null)")])
    if not isinstance(document, dict):
        found = describe_typed(document)
        raise ScenarioError([Problem(name, f"must hold a mapping of keys at the top, got {found}")])
    reason = _oversized(document)
    if reason:
        raise ScenarioError([Problem(name, reason)])
    return document


def _decode(raw: bytes, name: str) -> str:
    """The file's text: UTF-8 (a byte-order mark is allowed), not binary, not blank."""
    for bom, encoding in WIDE_BOMS.items():
        if raw.startswith(bom):
            raise ScenarioError([Problem(name, f"is {encoding} text; save it as UTF-8")])
    if b"\x00" in raw:
        raise ScenarioError([Problem(name, "is a binary file, not YAML or TOML text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = f" (byte {exc.start} is {raw[exc.start]:#04x})"
        raise ScenarioError([Problem(name, f"is not UTF-8 text{where}")]) from None
    if not text.strip():
        raise ScenarioError([Problem(name, "is empty")])
    return text


def _oversized(document: Any) -> str | None:
    """Why ``document`` is too deep or too large to validate, or None if it is not.

    Counts values as the validator would see them, with YAML aliases expanded; a structure
    that contains itself is caught by the depth limit.
    """
    stack = [(document, 0)]
    count = 1
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
        children = list(node.values()) if isinstance(node, dict) else node
        if not isinstance(children, list):
            continue
        count += len(children)
        if count > MAX_VALUES:
            return f"holds more than {MAX_VALUES:,} values (counting each use of a YAML alias)"
        stack.extend((child, depth + 1) for child in children)
    return None


def _load_yaml(text: str) -> Any:
    """``text`` as YAML, read safely; raises ``yaml.YAMLError`` or ``RecursionError``."""
    parser = _StrictSafeYaml(text)
    try:
        return parser.get_single_data()
    finally:
        parser.dispose()


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return _load_yaml(text)
    except RecursionError:
        raise ScenarioError([Problem(name, "is nested too deeply to read")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, f"is not valid YAML{_yaml_reason(exc)}")]) from None


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """`` (line L, column C): what`` for a PyYAML error, on one line."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context and not context.startswith("while"):
        reason = f"{context}, {reason}"
    return f"{where}: {reason}"


def _parse_toml(text: str, name: str) -> Any:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScenarioError([Problem(name, "is nested too deeply to read")]) from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        reason = str(exc).split(";")[0]
        raise ScenarioError([Problem(name, f"is not valid TOML: {reason}")]) from None


def apply_overrides(document: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of ``document`` with each ``PATH=VALUE`` applied (VALUE read as a YAML scalar;
    a missing last key is added, and a list's index one past its end appends an item)."""
    result = copy.deepcopy(document)
    problems = []
    for item in overrides:
        try:
            _apply_one(result, item)
        except ValueError as exc:
            problems.append(Problem(_override_label(item), str(exc)))
    if problems:
        raise ScenarioError(problems)
    return result


def _override_label(item: str) -> str:
    """``--set PATH`` (the value left out: it may be long), naming the override at fault."""
    path, sep, _ = item.partition("=")
    label = path.strip() if sep and path.strip() else item
    return f"--set {label if label.isprintable() else repr(label)}"


# Keys that say one thing in different ways: a file gives one of each group, so an override
# setting one replaces the others (``--set horizon_days=90`` on a file with horizon_years).
ALTERNATIVES = (("ltan_h", "raan_deg"), ("altitude_km", "semi_major_axis_km"),
                ("arg_latitude_deg", "mean_anomaly_deg"),
                ("dose_rad_per_year", "shielding_mm_al"))


def alternatives(key: str) -> set[str]:
    """The keys ``key`` replaces: its explicit alternatives, and the same duration in another
    unit (``mean_years`` for ``mean_days``)."""
    found = {other for group in ALTERNATIVES if key in group for other in group}
    stem, _, unit = key.rpartition("_")
    if stem and unit in TIME_UNIT_S:
        found |= {f"{stem}_{other}" for other in TIME_UNIT_S}
    found.discard(key)
    return found


def _apply_one(document: dict[str, Any], item: str) -> None:
    path, sep, text = item.partition("=")
    if not sep or not path.strip():
        raise ValueError("expected PATH=VALUE, e.g. fleet.0.count=12")
    value = _override_value(text)
    keys = path.strip().split(".")
    node: Any = document
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[:depth]) or "the scenario"
        if isinstance(node, list):
            # An index is written as it is read back: "3", never "03" or "+3".
            digits = key.isascii() and key.isdigit() and key == str(int(key))
            if last and digits and int(key) == len(node):
                node.append(value)
            elif not digits or int(key) >= len(node):
                raise ValueError(f"{where} has {len(node)} item(s); no index {key!r}")
            elif last:
                node[int(key)] = value
            else:
                node = node[int(key)]
        elif isinstance(node, dict):
            if last:
                for other in alternatives(key) & set(node):
                    del node[other]
                node[key] = value
            elif key not in node:
                raise ValueError(f"{where} has no key {key!r}")
            else:
                node = node[key]
        else:
            raise ValueError(f"{where} is a value, not a mapping or list")


def _override_value(text: str) -> Any:
    """The VALUE of ``PATH=VALUE`` read as YAML (``12``, ``0.5``, ``true``, ``[a, b]``)."""
    try:
        value = _load_yaml(text) if text.strip() else None
    except (yaml.YAMLError, RecursionError):
        raise ValueError(f"value {describe(text)} is not valid YAML") from None
    reason = _oversized(value)
    if reason:
        raise ValueError(f"value {reason}")
    return value


def validate_document(document: dict[str, Any]) -> ScenarioSpec:
    """The document as a ScenarioSpec, or a ScenarioError with one Problem per fault."""
    try:
        spec = ScenarioSpec.model_validate(document)
    except ValidationError as exc:
        problems = problems_from_validation(exc, document, UNION_TAGS, known_keys())
        raise ScenarioError(problems) from None
    found = []
    for section in ("uncertain", "search"):
        entries = getattr(spec, section)
        if entries:
            found += path_problems(document, spec.model_dump(warnings=False), section, entries)
    if found:
        raise ScenarioError([Problem(path, message) for path, message in found])
    return spec


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override, validate and convert a scenario file to SI units."""
    document = apply_overrides(read_document(path), overrides)
    return to_scenario(validate_document(document))


def _sgp4_failure(orbit: Any, start_utc: datetime, horizon_s: float) -> str | None:
    """Why a TLE's orbit cannot be flown to the horizon (it decays, say), or None."""
    from sim.orbits.elements import MIN_PERIGEE_ALTITUDE_M
    from sim.orbits.propagation import first_failure

    failure = first_failure(orbit.orbit.satrec(), start_utc, horizon_s, MIN_PERIGEE_ALTITUDE_M)
    if failure is None:
        return None
    return f"{failure}: the horizon must end before then, or give a newer TLE"


def to_scenario(spec: ScenarioSpec) -> Scenario:
    """Convert a validated spec to the SI Scenario the model reads.

    Orbits are checked here too (a sun-synchronous inclination that does not exist, a TLE
    that does not parse, an epoch outside the ephemeris): one problem per fleet group.
    """
    problems = []
    groups = []
    phase_names = tuple(phase.name for phase in spec.phases or ())
    for index, group in enumerate(spec.fleet):
        orbit = None
        if group.orbit is not None:
            try:
                orbit = to_orbit(group.orbit, group.count, spec.start_utc)
            except ValueError as exc:
                problems.append(Problem(f"fleet.{index}.orbit", str(exc)))
                continue
            if isinstance(group.orbit, TleSpec):
                decay = _sgp4_failure(orbit, spec.start_utc, spec.horizon_s)
                if decay is not None:
                    problems.append(Problem(f"fleet.{index}.orbit", decay))
                    continue
        dose_rad_per_s = 0.0
        try:
            dose_rad_per_s = dose_rate_rad_per_s(spec.radiation, orbit, index)
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            problems.append(Problem(field, f"{reason} (fleet group {group.name!r})"))
            continue
        if not _dose_given(spec):
            needs = _dose_user(group.design.parts)
            if needs is not None:
                problems.append(Problem(
                    f"fleet.{index}.design.{needs}",
                    "needs a dose rate: give radiation.dose_rad_per_year, or "
                    "radiation.shielding_mm_al with an orbit"))
                continue
        groups.append(FleetGroup(name=group.name, count=group.count,
                                 design=_design(group.design, dose_rad_per_s, phase_names),
                                 orbit=orbit,
                                 dose_rad_per_s=dose_rad_per_s,
                                 workload=to_workload(group.workload)))
    if problems:
        raise ScenarioError(problems)
    scenario = Scenario(
        name=spec.name,
        description=spec.description,
        start_utc=spec.start_utc,
        horizon_s=spec.horizon_s,
        sla_fraction=spec.sla_fraction,
        fleet=tuple(groups),
        sla_window_s=spec.sla_window_h * HOUR_S,
        launch=to_launch(spec.launch, distribution),
        radiation=radiation_environment(spec.radiation, spec.start_utc),
        saa=saa_settings(spec.radiation),
        phases=_phases(spec),
    )
    scenario, problems = with_servicing(scenario, spec.servicing, distribution, _part)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _dose_given(spec: ScenarioSpec) -> bool:
    """Whether the scenario says where dose comes from (a rate, possibly 0, or shielding)."""
    radiation = spec.radiation
    return radiation is not None and (radiation.dose_rad_per_year is not None
                                      or radiation.shielding_mm_al is not None)


def _dose_user(parts: list[PartSpec], prefix: str = "parts") -> str | None:
    """The dotted path of the first part whose radiation needs a dose rate, or None."""
    for index, part in enumerate(parts):
        if part.radiation is not None and part.radiation.uses_dose:
            return f"{prefix}.{index}.radiation"
        found = _dose_user(part.parts, f"{prefix}.{index}.parts")
        if found is not None:
            return found
    return None


def _phases(spec: ScenarioSpec) -> tuple[Phase, ...]:
    """The mission phases with their start times (seconds since the scenario's start)."""
    found = []
    start_s = 0.0
    for phase in spec.phases or ():
        found.append(Phase(phase.name, start_s))
        start_s += (phase.duration_days or 0.0) * DAY_S
    return tuple(found)


def _design(spec: DesignSpec, dose_rad_per_s: float = 0.0, phases: tuple[str, ...] = ()
            ) -> Design:
    fed = frozenset(path for _, _, part in walk_parts(spec.parts) for path in part.feeds or ())
    return Design(
        nominal_compute_pflops=spec.nominal_compute_pflops,
        parts=tuple(_part(p, parent_path="", dose_rad_per_s=dose_rad_per_s, fed=fed,
                          phases=phases)
                    for p in spec.parts),
        power=None if spec.power is None else to_power(spec.power),
        mass_kg=spec.mass_kg,
        cost_usd=spec.cost_usd,
    )


def _part(spec: PartSpec, parent_path: str, dose_rad_per_s: float = 0.0,
          fed: frozenset[str] = frozenset(), phases: tuple[str, ...] = ()) -> Part:
    path = f"{parent_path}/{spec.name}" if parent_path else spec.name
    return Part(
        name=spec.name,
        path=path,
        role=spec.role,
        count=spec.count,
        required=spec.required if spec.required is not None else spec.count,
        failure=None if spec.failure is None else distribution(spec.failure),
        repair=_repair(spec.repair),
        parts=tuple(_part(child, path, dose_rad_per_s, fed, phases) for child in spec.parts),
        mass_kg=spec.mass_kg,
        cost_usd=spec.cost_usd,
        radiation=None if spec.radiation is None else radiation_effects(
            spec.radiation, dose_rad_per_s, distribution),
        latent=spec.latent and spec.repair == "servicer",
        feeds=tuple(spec.feeds or ()),
        fed=path in fed,
        **_reliability(spec, phases),
    )


def _by_phase(given: dict[str, float] | None, phases: tuple[str, ...], default: float
              ) -> tuple[float, ...]:
    """Values named by phase, in phase order (``default`` for phases not named)."""
    if not given:
        return ()
    return tuple(given.get(name, default) for name in phases)


def _reliability(spec: PartSpec, phases: tuple[str, ...] = ()) -> dict[str, Any]:
    """A part's failure modes (its own law first), standby units, inspections and failures
    on demand, for the model's ``Part``; nothing for a part that uses none of them."""
    if not spec.modal and not spec.modes:
        return {}
    modes = []
    if spec.failure is not None:
        modes.append(FailureMode(
            name=PRIMARY_MODE, lifetime=distribution(spec.failure), latent=spec.latent,
            beta=spec.common_cause.beta if spec.common_cause is not None else 0.0,
            phase_factors=_by_phase(spec.phase_factors, phases, 1.0)))
    modes.extend(FailureMode(
        name=mode.name, lifetime=distribution(mode.failure), effect=mode.effect,
        capacity=mode.capacity if mode.capacity is not None else 0.0, latent=mode.latent,
        beta=mode.common_cause.beta if mode.common_cause is not None else 0.0,
        phase_factors=_by_phase(mode.phase_factors, phases, 1.0),
        in_eclipse=mode.when == "eclipse")
        for mode in spec.modes)
    standby = None if spec.standby is None else Standby(
        units=spec.standby.units, dormant_factor=spec.standby.factor,
        switch_failure_probability=spec.standby.switch_failure_probability)
    inspection = spec.inspection
    return {
        "modes": tuple(modes),
        "demand_failures": _by_phase(spec.demand_failures, phases, 0.0),
        "standby": standby,
        "inspection": None if inspection is None else Inspection(
            interval_s=inspection.interval_days * DAY_S,
            first_s=(inspection.interval_days if inspection.first_days is None
                     else inspection.first_days) * DAY_S,
            duration_s=inspection.duration_h * HOUR_S),
    }


def _repair(spec: Any) -> RepairRule:
    if spec == "none":
        return NoRepair()
    if spec == "servicer":
        return ServicerRepair()
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
