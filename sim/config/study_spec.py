"""What a study varies, in the scenario file: ``uncertain`` (what a sensitivity study samples),
keyed by the dotted paths ``--set`` takes."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.config.base import StrictModel
from sim.config.errors import FieldError

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
                  ranges: dict[str, RangeSpec]) -> list[tuple[str, str]]:
    """(path, message) for each range whose path names no number of the scenario: one the
    file gives, or one left at its default (``defaults``: the validated scenario with its
    defaults) whose parent the file gives, so that ``--set`` can place it."""
    problems = []
    for path in ranges:
        found, value = walk(document, path)
        if not found:
            parent, _, _ = path.rpartition(".")
            found = (not parent or walk(document, parent)[0]) and walk(defaults, path)[0]
            value = walk(defaults, path)[1]
        if not found:
            problems.append((f"{section}.{path}", "no such value in the scenario (name one the "
                                                  "file gives, as --set spells it)"))
        elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            problems.append((f"{section}.{path}", f"must name a number, but the scenario has "
                                                  f"{value!r} there"))
    return problems
