"""What a study varies and seeks, in the scenario file: ``uncertain`` (what a sensitivity study
samples), ``search`` (what a tuner may choose) and ``objective`` (what it seeks), keyed by the
dotted paths ``--set`` takes."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from sim.config.base import StrictModel
from sim.config.errors import FieldError, format_path

Finite = Annotated[float, Field(allow_inf_nan=False)]


class RangeSpec(StrictModel):
    """A value between ``low`` and ``high``: uniform, or uniform in its logarithm (``log``);
    a whole number with ``int``."""

    low: Finite
    high: Finite
    int: bool = False
    log: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> RangeSpec:
        if not self.low < self.high:
            raise FieldError("high", f"must be > low ({self.low:g}), got {self.high:g}")
        if self.log and self.low <= 0:
            raise FieldError("low", f"must be > 0 on a log scale, got {self.low:g}")
        return self


class ChoiceSpec(StrictModel):
    """One of several values (numbers, words or booleans)."""

    choices: Annotated[list[float | int | str | bool], Field(min_length=2)]

    @field_validator("choices")
    @classmethod
    def _distinct(cls, choices: list[Any]) -> list[Any]:
        if len({repr(c) for c in choices}) != len(choices):
            raise ValueError("must not repeat a value")
        return choices


def _kind(value: Any) -> str:
    """Which form a search entry takes: a list of choices, or a range."""
    if isinstance(value, ChoiceSpec) or (isinstance(value, dict) and "choices" in value):
        return "choices"
    return "range"


SearchEntry = Annotated[
    Annotated[RangeSpec, Tag("range")] | Annotated[ChoiceSpec, Tag("choices")],
    Discriminator(_kind),
]

# A constraint on a metric: ``uptime >= 0.95``.
CONSTRAINT = re.compile(r"^\s*([A-Za-z_][\w.\-/]*)\s*(>=|<=)\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*$")
# Metrics a tuner maximises when a Pareto pair names them without a direction.
HIGHER_IS_BETTER = ("uptime", "goodput", "availability", "spares.fill_rate")


class Goal(StrictModel):
    """One metric and which way is better."""

    maximize: str | None = None
    minimize: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Goal:
        if (self.maximize is None) == (self.minimize is None):
            raise FieldError("maximize", "give maximize or minimize (one metric)")
        return self

    @property
    def metric(self) -> str:
        return self.maximize or self.minimize or ""

    @property
    def direction(self) -> Literal["maximize", "minimize"]:
        return "maximize" if self.maximize is not None else "minimize"


def constraint_parts(text: str) -> tuple[str, str, float]:
    """(metric, operator, bound) of ``uptime >= 0.95``; ValueError when it does not parse."""
    found = CONSTRAINT.match(text)
    if found is None:
        raise ValueError(f"cannot read constraint {text!r} (write METRIC >= NUMBER or "
                         "METRIC <= NUMBER, e.g. 'uptime >= 0.95')")
    return found.group(1), found.group(2), float(found.group(3))


class ObjectiveSpec(StrictModel):
    """What a tuner seeks: one metric to maximize or minimize, with constraints; or a Pareto
    pair (a name alone is maximized for uptime, goodput, availability, spares.fill_rate and
    minimized otherwise)."""

    maximize: str | None = None
    minimize: str | None = None
    constraints: list[str] = Field(default_factory=list)
    pareto: Annotated[list[str | Goal], Field(min_length=2, max_length=2)] | None = None

    @model_validator(mode="after")
    def _form(self) -> ObjectiveSpec:
        given = [k for k in ("maximize", "minimize", "pareto") if getattr(self, k) is not None]
        if len(given) != 1:
            raise FieldError("maximize", "give exactly one of maximize, minimize or pareto")
        for index, text in enumerate(self.constraints):
            try:
                constraint_parts(text)
            except ValueError as exc:
                raise FieldError(f"constraints.{index}", str(exc)) from None
        return self

    def goals(self) -> list[Goal]:
        """The metrics sought, each with its direction."""
        if self.pareto is None:
            return [Goal(maximize=self.maximize, minimize=self.minimize)]
        return [goal if isinstance(goal, Goal) else (
            Goal(maximize=goal) if goal in HIGHER_IS_BETTER else Goal(minimize=goal))
            for goal in self.pareto]

    def metrics(self) -> list[str]:
        """Every metric named: the goals' and the constraints'."""
        return [g.metric for g in self.goals()] + [constraint_parts(c)[0]
                                                    for c in self.constraints]


def walk(document: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of the dotted ``path`` in ``document``, as ``--set`` reads paths."""
    node = document
    for key in path.split("."):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return False, None
    return True, node


def path_problems(document: dict[str, Any], defaults: dict[str, Any], section: str,
                  ranges: dict[str, RangeSpec | ChoiceSpec]) -> list[tuple[str, str]]:
    """(path, message) for each entry whose path names no value of the scenario: one the
    file gives, or one left at its default (``defaults``: the validated scenario with its
    defaults) whose parent the file gives, so that ``--set`` can place it. A range must name
    a number."""
    problems = []
    for path, spec in ranges.items():
        found, value = walk(document, path)
        if not found:
            parent, _, _ = path.rpartition(".")
            found = (not parent or walk(document, parent)[0]) and walk(defaults, path)[0]
            value = walk(defaults, path)[1]
        if not found:
            problems.append((format_path([section, path]), "no such value in the scenario "
                             "(name one the file gives, as --set spells it)"))
        elif isinstance(spec, RangeSpec) and (
                isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value)):
            problems.append((format_path([section, path]), f"must name a number, but the "
                             f"scenario has {value!r} there"))
    return problems
