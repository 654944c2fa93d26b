"""Cut sets and importance measures of every design in a scenario, as plain data for the
command line, the report and notebooks."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sim.eclipses import FleetGeometry
from sim.model.design import Part
from sim.replicate import GeometryOrbits
from sim.scenario import Scenario
from sim.structure.cutsets import Kinds, minimal_cut_sets, part_of_events
from sim.structure.importance import event_probabilities, importances
from sim.structure.tree import Timing, structure
from sim.units import YEAR_S


def ages_in_eclipse(scenario: Scenario) -> bool:
    """Whether a design has a failure mode that ages only in Earth's shadow (its cut-set
    analysis then needs the share of time the group spends there)."""
    return any(_eclipse_modes(group.design.parts) for group in scenario.fleet)


def _eclipse_modes(parts: Sequence[Part]) -> bool:
    return any(any(m.in_eclipse for m in p.modes) or _eclipse_modes(p.parts) for p in parts)


def shadow_fractions(scenario: Scenario, geometry: FleetGeometry) -> dict[str, float]:
    """The share of the horizon each group's first satellite spends in Earth's shadow."""
    orbits = GeometryOrbits(geometry)
    found = {}
    first = 0
    for group in scenario.fleet:
        if group.orbit is not None:
            own = orbits.orbits_for(first)
            found[group.name] = float((own.eclipse_end_s - own.start_s).sum()
                                      / scenario.horizon_s)
        first += group.count
    return found


def cut_set_analysis(scenario: Scenario, at_years: Sequence[float] = (),
                     max_order: int | None = None,
                     shadow: dict[str, float] | None = None) -> dict[str, Any]:
    """For each fleet group: the minimal cut sets of its design, gathered into kinds (the same
    parts in another node are the same kind), and the importance of each part at each time in
    ``at_years`` (default: the horizon), from the parts' failure laws without repair, their
    mission phases and, for modes that age in eclipse, the group's share of time in shadow
    (``shadow`` by group name; ``shadow_fractions``). A kind's ``expected_failed`` (Σ Π q
    over its sets at the first time) ranks the kinds: the expected number of its sets
    failed, which exceeds the probability, and may exceed 1, once failures are common."""
    times = list(at_years) or [scenario.horizon_s / YEAR_S]
    groups = []
    for group in scenario.fleet:
        timing = Timing(scenario.phases, (shadow or {}).get(group.name))
        tree = structure(group.design, timing)
        units = structure(group.design, dataclasses.replace(timing, by_unit=True))
        cuts = minimal_cut_sets(units, max_order)
        parts = part_of_events(units)
        q_first = event_probabilities(units, times[0] * YEAR_S)
        gathered = Kinds(parts)
        for cut in cuts:
            gathered.add(cut, math.prod(map(q_first.__getitem__, cut)))
        kinds = [{"parts": gathered.parts_of(key), "order": len(example), "sets": count,
                  "expected_failed": probability, "at_years": times[0],
                  "example": sorted(example)}
                 for key, (count, probability, example) in gathered.found.items()]
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
            "kinds": sorted(kinds, key=lambda k: (-k["expected_failed"], k["order"],
                                                  sorted(k["parts"].items()))),
            "at": at,
            "shadow_fraction": timing.shadow_fraction,
        })
    return {"scenario": scenario.name, "groups": groups}
