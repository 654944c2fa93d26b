"""Property: any one mutation of a valid scenario either still loads, or fails with a
``ScenarioError`` whose every problem is one line naming a path into the mutated document.

No mutation may surface any other exception. Mutations whose outcome is certain (an unknown key,
``required`` above ``count``, an unknown distribution) must give exactly one problem at the
mutated path. A few mutated documents also go through the real command line.
"""

from __future__ import annotations

import copy
import math
import re
import tempfile
from ast import literal_eval
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import SMOKE, orbsim_here

from sim.config import ScenarioError, validate_document
from sim.config.errors import format_path
from sim.config.loader import to_scenario
from sim.config.schema import known_keys
from sim.model.design import Part
from sim.model.distributions import Distribution, Exponential, Fixed, LogNormal, Mixture, Weibull
from sim.model.repair import TimedRepair
from sim.scenario import Scenario
from sim.units import TIME_UNIT_S

Path_ = tuple[str | int, ...]

def reproducible(examples: int) -> settings:
    """Same examples on every run and machine, no example database: CI stays reproducible."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Keys no model accepts anywhere: names of distributions, typos, non-text and odd text keys.
UNKNOWN_KEYS: list[Any] = ["colour", "requird", "scale_yaers", "fixed", "none", "mixture",
                           "weibull", "", "a\nb", ":smile:", "[bold]x", "a.b", "it's", 1, True,
                           None]
UNKNOWN_DISTRIBUTIONS: list[Any] = ["gamma", "Weibull", "", "poisson", 3, None, ["fixed"]]
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, -0.5, 0.0, -0.0, float("nan"), float("inf"), float("-inf"),
    10**40, -(10**40), 1e308, 5e-324, "", "x" * 10_000, "3", "0.5", "nan", "none", "mixture",
    "weibull", [], {}, [[1]], [None], {"a": {"b": 1}}, date(2027, 1, 1),
]


# --- valid scenarios -----------------------------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
UNITS = st.sampled_from(list(TIME_UNIT_S))


def _amount(unit: str) -> st.SearchStrategy[float]:
    top = {"s": 1e8, "min": 1e6, "h": 1e5, "days": 1e4, "years": 30.0}[unit]
    return st.floats(min_value=1e-3, max_value=top, allow_nan=False, allow_infinity=False)


@st.composite
def simple_distributions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["exponential", "weibull", "lognormal", "fixed"]))
    base = {"exponential": "mean", "weibull": "scale", "lognormal": "median",
            "fixed": "duration"}[kind]
    unit = draw(UNITS)
    spec: dict[str, Any] = {"distribution": kind, f"{base}_{unit}": draw(_amount(unit))}
    if kind == "weibull":
        spec["shape"] = draw(st.floats(min_value=0.2, max_value=5.0))
    if kind == "lognormal":
        spec["sigma"] = draw(st.floats(min_value=0.05, max_value=3.0))
    return spec


@st.composite
def distributions(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 3)) != 0:
        return draw(simple_distributions())
    weights = draw(st.sampled_from([(0.5, 0.5), (0.25, 0.75), (0.2, 0.3, 0.5)]))
    components = [{**draw(simple_distributions()), "weight": w} for w in weights]
    return {"distribution": "mixture", "components": components}


@st.composite
def parts(draw: st.DrawFn, name: str, bus_only: bool, depth: int) -> dict[str, Any]:
    role = "bus" if bus_only else draw(st.sampled_from(["bus", "compute"]))
    count = draw(st.integers(1, 12))
    part: dict[str, Any] = {"name": name, "role": role, "count": count}
    if draw(st.booleans()):
        part["required"] = draw(st.integers(1, count))
    children = draw(st.lists(NAMES, max_size=2, unique=True)) if depth < 2 else []
    if children:
        part["parts"] = [draw(parts(child, role == "bus", depth + 1)) for child in children]
    if not children or draw(st.booleans()):
        part["failure"] = draw(distributions())
        repair = draw(st.one_of(st.none(), st.just("none"), distributions()))
        if repair is not None:
            part["repair"] = repair
    return part


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {"name": draw(NAMES)}
    if draw(st.booleans()):
        document["description"] = draw(st.text(max_size=30))
    if draw(st.booleans()):
        document["start_utc"] = draw(st.sampled_from(
            ["2030-05-06T07:08:09Z", "2030-05-06", date(2031, 1, 1)]))
    if draw(st.booleans()):
        document["horizon_years"] = draw(st.floats(min_value=0.01, max_value=100.0))
    else:
        document["horizon_days"] = draw(st.floats(min_value=0.5, max_value=36_525.0))
    document["sla_fraction"] = draw(st.floats(min_value=1e-3, max_value=1.0))
    document["fleet"] = [
        {"name": group, "count": draw(st.integers(1, 1000)), "design": {
            "nominal_compute_pflops": draw(st.floats(min_value=0.01, max_value=1e4)),
            "parts": [draw(parts(name, False, 0))
                      for name in draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))],
        }}
        for group in draw(st.lists(NAMES, min_size=1, max_size=2, unique=True))
    ]
    return document


SMOKE_DOCUMENT = yaml.safe_load(SMOKE.read_text())
VALID = st.one_of(st.just(SMOKE_DOCUMENT), scenarios())


# --- mutations -----------------------------------------------------------------------------


def walk(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) below ``node``, the root excluded."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, value in items:
        yield (*path, key), value
        yield from walk(value, (*path, key))


def at(document: Any, path: Path_) -> Any:
    for key in path:
        document = document[key]
    return document


class Mutation:
    """What was done to the document, and what must follow from it."""

    def __init__(self, kind: str, path: Path_, exact: str | None = None):
        self.kind = kind
        self.path = path
        self.exact = exact

    def __repr__(self) -> str:
        return f"Mutation({self.kind!r}, {self.path!r}, exact={self.exact!r})"


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], Mutation]:
    document = copy.deepcopy(draw(VALID))
    nodes = list(walk(document))
    dicts = [path for path, value in nodes if isinstance(value, dict)] + [()]
    kinds = ["delete", "replace", "replace", "wrap", "unknown_key", "known_key"]
    part_paths = [p for p in dicts if "role" in at(document, p)]
    dist_paths = [p for p in dicts if "distribution" in at(document, p)]
    list_paths = [path for path, value in nodes if isinstance(value, list)]
    kinds += ["required_over_count"] * bool(part_paths) + ["unknown_distribution"] * bool(
        dist_paths) + ["copy_item", "empty_list"] * bool(list_paths)
    kind = draw(st.sampled_from(kinds))

    if kind in ("delete", "replace", "wrap"):
        path = draw(st.sampled_from([p for p, _ in nodes]))
        parent = at(document, path[:-1])
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "wrap":
            parent[path[-1]] = [parent[path[-1]]]
        else:
            parent[path[-1]] = draw(st.one_of(
                st.sampled_from(ODD_VALUES), st.integers(), st.floats(), st.text(max_size=12)))
        return document, Mutation(kind, path)
    if kind in ("unknown_key", "known_key"):
        where = draw(st.sampled_from(dicts))
        pool = UNKNOWN_KEYS if kind == "unknown_key" else known_keys()
        key = draw(st.sampled_from(pool))
        target = at(document, where)
        if key in target:
            return document, Mutation("none", ())
        target[key] = draw(st.one_of(st.sampled_from(ODD_VALUES), st.integers(-3, 3)))
        exact = "keys must be text" if not isinstance(key, str) else "unknown key"
        return document, Mutation(kind, (*where, key), exact if kind == "unknown_key" else None)
    if kind == "required_over_count":
        where = draw(st.sampled_from(part_paths))
        target = at(document, where)
        target["required"] = target["count"] + draw(st.integers(1, 10**6))
        message = f"must be ≤ count ({target['count']}), got {target['required']}"
        return document, Mutation(kind, (*where, "required"), message)
    if kind == "unknown_distribution":
        where = draw(st.sampled_from(dist_paths))
        at(document, where)["distribution"] = draw(st.sampled_from(UNKNOWN_DISTRIBUTIONS))
        return document, Mutation(kind, (*where, "distribution"), "distribution")
    where = draw(st.sampled_from(list_paths))
    target = at(document, where)
    if kind == "copy_item" and target:
        target.append(copy.deepcopy(target[draw(st.integers(0, len(target) - 1))]))
        return document, Mutation(kind, (*where, len(target) - 1))
    target.clear()
    return document, Mutation("empty_list", (*where, 0))


# --- what a problem's path must look like --------------------------------------------------

SEGMENT = re.compile(r"\.?(?:(\d+)(?=\.|$)|('(?:[^'\\]|\\.)*'|[^.]+))")


def parse_path(text: str) -> list[str | int]:
    """``fleet.0.design.'a\\nb'`` → ``['fleet', 0, 'design', 'a\\nb']``."""
    segments: list[str | int] = []
    position = 0
    while position < len(text):
        match = SEGMENT.match(text, position)
        assert match and match.end() > position, f"unparsable path {text!r} at {position}"
        index, key = match.groups()
        if index is not None:
            segments.append(int(index))
        else:
            segments.append(literal_eval(key) if key.startswith("'") else key)
        position = match.end()
    return segments


def resolves(document: Any, segments: list[str | int]) -> bool:
    """Every segment but the last exists; the last may be a missing key of a mapping."""
    node = document
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        if isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            node = node[segment]
        elif isinstance(node, dict):
            matches = [k for k in node if k == segment or str(k) == segment]
            if not matches:
                return last
            node = node[matches[0]]
        else:
            return False
    return True


def expected_path(path: Path_) -> str:
    return format_path([*path[:-1], str(path[-1])]) if path else ""


def check_error(error: ScenarioError, document: dict[str, Any], mutation: Mutation) -> None:
    problems = error.problems
    assert problems, "a ScenarioError with no problem"
    assert str(error).splitlines() == [str(p) for p in problems]
    scope = list(mutation.path[:-2])
    for problem in problems:
        assert problem.path, problem
        assert problem.message.strip(), problem
        assert "\n" not in problem.message and "\n" not in problem.path, problem
        assert str(problem) == f"{problem.path}: {problem.message}"
        segments = parse_path(problem.path)
        assert resolves(document, segments), f"{problem} does not point into the document"
        if mutation.kind != "none":
            assert segments[:len(scope)] == scope, f"{problem} is outside {scope}"
    if mutation.exact is not None:
        (problem,) = problems
        assert problem.path == expected_path(mutation.path), (problem, mutation)
        assert mutation.exact in problem.message, (problem, mutation)


def check_scenario(scenario: Scenario) -> None:
    """A loaded scenario holds only finite, positive SI numbers."""
    assert math.isfinite(scenario.horizon_s) and scenario.horizon_s > 0
    assert 0 < scenario.sla_fraction <= 1
    for group in scenario.fleet:
        assert group.count >= 1
        assert 0 < group.design.nominal_compute_pflops < math.inf
        for part in group.design.parts:
            check_part(part)


def check_part(part: Part) -> None:
    assert 1 <= part.required <= part.count
    if part.failure is not None:
        check_distribution(part.failure)
    if isinstance(part.repair, TimedRepair):
        check_distribution(part.repair.duration)
    for child in part.parts:
        check_part(child)


def check_distribution(distribution: Distribution) -> None:
    values = {
        Exponential: lambda d: [d.mean_duration_s],
        Weibull: lambda d: [d.shape, d.scale_s],
        LogNormal: lambda d: [d.median_s, d.sigma],
        Fixed: lambda d: [d.duration_s],
    }
    if isinstance(distribution, Mixture):
        assert math.isclose(sum(distribution.weights), 1.0)
        for component in distribution.components:
            check_distribution(component)
        return
    for value in values[type(distribution)](distribution):
        assert 0 < value < math.inf, distribution


# --- the properties ------------------------------------------------------------------------


@reproducible(100)
@given(document=scenarios())
def test_generated_scenarios_are_valid(document: dict[str, Any]) -> None:
    check_scenario(to_scenario(validate_document(document)))


@reproducible(300)
@given(case=mutated())
def test_any_mutation_loads_or_names_its_problems(
    case: tuple[dict[str, Any], Mutation],
) -> None:
    document, mutation = case
    event(mutation.kind)
    try:
        scenario = to_scenario(validate_document(document))
    except ScenarioError as error:
        event("rejected")
        check_error(error, document, mutation)
        return
    event("still valid")
    assert mutation.exact is None, f"{mutation} should have been rejected"
    check_scenario(scenario)


@reproducible(8)
@given(case=mutated())
def test_mutations_through_the_command_line(case: tuple[dict[str, Any], Mutation]) -> None:
    document, _ = case
    try:
        to_scenario(validate_document(document))
        expected = None
    except ScenarioError as error:
        expected = [f"error: {problem}" for problem in error.problems]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "mutated.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        result = orbsim_here("validate", str(path))
    assert "Traceback" not in result.stderr
    if expected is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == expected
