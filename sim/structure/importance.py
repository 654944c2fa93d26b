"""The probability that a structure fails, and the importance of each basic event in it, at a
stated time, from the events' own laws (independent events; no repair).

Events that occur more than once (shared parts) are conditioned on (Shannon expansion), so the
result is exact; every other gate is a k-of-n of independent children, summed by recursion over
how many of them work.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sim.structure.tree import Event, Node, events

# Beyond this many repeated events the exact expansion (2^n evaluations) is refused (events).
MAX_REPEATED = 16


def failure_probability(node: Node, q: Mapping[str, float]) -> float:
    """P(``node`` fails) when each event ``name`` has occurred with probability ``q[name]``."""
    repeated = sorted(name for name, n in Counter(e.name for e in events(node)).items()
                      if n > 1)
    if len(repeated) > MAX_REPEATED:
        raise ValueError(f"{len(repeated)} shared events: the exact expansion handles at most "
                         f"{MAX_REPEATED}")
    if not repeated:
        return 1.0 - _works(node, q)
    total = 0.0
    for outcome in itertools.product((0.0, 1.0), repeat=len(repeated)):
        weight = 1.0
        fixed = dict(q)
        for name, occurred in zip(repeated, outcome, strict=True):
            weight *= q[name] if occurred else 1.0 - q[name]
            fixed[name] = occurred
        if weight > 0.0:
            total += weight * (1.0 - _works(node, fixed))
    return total


def _works(node: Node, q: Mapping[str, float]) -> float:
    if isinstance(node, Event):
        return 1.0 - q[node.name]
    # at_least[j]: P(j of the children seen so far work).
    counts = [1.0]
    for child in node.children:
        p = _works(child, q)
        nxt = [0.0] * (len(counts) + 1)
        for j, prob in enumerate(counts):
            nxt[j] += prob * (1.0 - p)
            nxt[j + 1] += prob * p
        counts = nxt
    return sum(counts[node.k:])


def event_probabilities(node: Node, at_s: float) -> dict[str, float]:
    """Each event's probability of having occurred by ``at_s`` (no repair)."""
    return {event.name: event.probability(at_s) for event in events(node)}


@dataclass(frozen=True)
class Importance:
    """The importance of one part's units (each unit alike) in a structure at one time."""

    part: str
    units: int
    # P(an event of this part has occurred) at the time.
    probability: float
    # ∂R/∂p of one unit: P(fails | unit failed) − P(fails | unit works).
    birnbaum: float
    # Share of the failure probability that needs one unit's failure: (Q − Q|unit works) / Q.
    fussell_vesely: float
    # Same with every unit of the part working.
    fussell_vesely_part: float
    # How much more likely failure is with one unit failed: Q|unit failed / Q.
    risk_achievement_worth: float


def importances(node: Node, q: Mapping[str, float]) -> tuple[float, list[Importance]]:
    """The failure probability of ``node`` and each part's importance, largest
    Fussell–Vesely first. Measures are those of one unit, averaged over the part's units."""
    base = failure_probability(node, q)
    by_part: dict[str, list[str]] = {}
    for event in events(node):
        names = by_part.setdefault(event.part, [])
        if event.name not in names:
            names.append(event.name)
    found = []
    for part, names in by_part.items():
        birnbaum = fussell_vesely = worth = 0.0
        for name in names:
            failed = failure_probability(node, {**q, name: 1.0})
            works = failure_probability(node, {**q, name: 0.0})
            birnbaum += failed - works
            fussell_vesely += (base - works) / base if base > 0 else 0.0
            worth += failed / base if base > 0 else float("inf")
        all_work = failure_probability(node, {**q, **{name: 0.0 for name in names}})
        n = len(names)
        # Rounding can leave a share a hair below 0 where it is 0.
        found.append(Importance(
            part=part, units=n, probability=sum(q[name] for name in names) / n,
            birnbaum=max(0.0, birnbaum / n), fussell_vesely=max(0.0, fussell_vesely / n),
            fussell_vesely_part=max(0.0, (base - all_work) / base) if base > 0 else 0.0,
            risk_achievement_worth=worth / n))
    found.sort(key=lambda item: (-item.fussell_vesely_part, item.part))
    return base, found


def reliability(node: Node, q: Mapping[str, float]) -> float:
    """P(``node`` works)."""
    return 1.0 - failure_probability(node, q)

