"""Cut sets and importance measures of every design in a scenario, as plain data for the
command line, the report and notebooks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sim.scenario import Scenario
from sim.structure.cutsets import minimal_cut_sets, part_of_events, signature
from sim.structure.importance import event_probabilities, importances
from sim.structure.tree import structure
from sim.units import YEAR_S


def cut_set_analysis(scenario: Scenario, at_years: Sequence[float] = (),
                     max_order: int | None = None) -> dict[str, Any]:
    """For each fleet group: the minimal cut sets of its design, gathered into kinds (the same
    parts in another node are the same kind), and the importance of each part at each time in
    ``at_years`` (default: the horizon), from the parts' failure laws without repair."""
    times = list(at_years) or [scenario.horizon_s / YEAR_S]
    groups = []
    for group in scenario.fleet:
        tree = structure(group.design)
        cuts = minimal_cut_sets(tree, max_order)
        parts = part_of_events(tree)
        q_first = event_probabilities(tree, times[0] * YEAR_S)
        kinds: dict[tuple[tuple[str, int], ...], dict[str, Any]] = {}
        for cut in cuts:
            kind = signature(cut, parts)
            entry = kinds.get(kind)
            if entry is None:
                entry = kinds[kind] = {"parts": dict(kind), "order": len(cut), "sets": 0,
                                       "probability": 0.0, "example": sorted(cut)}
            entry["sets"] += 1
            entry["probability"] += math.prod(q_first[name] for name in cut)
        at = []
        for years in times:
            base, found = importances(tree, event_probabilities(tree, years * YEAR_S))
            at.append({"years": years, "failure_probability": base,
                       "importance": [asdict(item) for item in found]})
        groups.append({
            "group": group.name,
            "basic_events": len(parts),
            "cut_sets": len(cuts),
            "max_order": max_order,
            "kinds": sorted(kinds.values(), key=lambda k: (-k["probability"], k["order"])),
            "at": at,
        })
    return {"scenario": scenario.name, "groups": groups}
