"""Minimal cut sets of a structure function: the smallest sets of basic events whose
occurrence together brings the satellite down.

A gate that needs ``k`` of ``n`` children fails when any ``n - k + 1`` of them fail, so its cut
sets are the unions of one cut set from each child of every such combination. Children over
disjoint events give minimal sets directly; only where an event repeats (a shared part) are
supersets removed.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable

from sim.structure.tree import Event, Gate, Node, events

CutSet = frozenset[str]

# Beyond this many cut sets at one gate the enumeration stops (sets; pass max_order to go on).
MAX_CUT_SETS = 200_000


class CutSetError(ValueError):
    """The structure has more minimal cut sets than can be listed usefully."""


def minimal_cut_sets(node: Node, max_order: int | None = None) -> list[CutSet]:
    """Every minimal cut set of ``node`` with at most ``max_order`` events (all when None),
    smallest first."""
    repeated = {name for name, n in Counter(e.name for e in events(node)).items() if n > 1}
    found = _cuts(node, max_order, repeated, {})
    return sorted(found, key=lambda cut: (len(cut), sorted(cut)))


def _cuts(node: Node, max_order: int | None, repeated: set[str],
          memo: dict[int, list[CutSet]]) -> list[CutSet]:
    if isinstance(node, Event):
        return [frozenset((node.name,))]
    key = id(node)
    if key in memo:
        return memo[key]
    failing = len(node.children) - node.k + 1
    result: list[CutSet] = []
    if 0 < failing <= len(node.children):
        children = [_cuts(child, max_order, repeated, memo) for child in node.children]
        if failing == 1:
            result = [cut for cuts in children for cut in cuts]
        else:
            for combination in itertools.combinations(children, failing):
                for parts in itertools.product(*combination):
                    cut = frozenset().union(*parts)
                    if max_order is None or len(cut) <= max_order:
                        result.append(cut)
                if len(result) > MAX_CUT_SETS:
                    raise CutSetError(f"more than {MAX_CUT_SETS:,} cut sets below "
                                         f"{node.label!r}; limit their order")
        if max_order is not None:
            result = [cut for cut in result if len(cut) <= max_order]
        if _touches(node, repeated):
            result = _minimal(result)
    memo[key] = result
    return result


def _touches(node: Gate, repeated: set[str]) -> bool:
    return bool(repeated) and any(e.name in repeated for e in events(node))


def _minimal(cuts: Iterable[CutSet]) -> list[CutSet]:
    """``cuts`` without duplicates and without any set that holds another."""
    kept: list[CutSet] = []
    by_event: dict[str, list[CutSet]] = {}
    for cut in sorted(set(cuts), key=len):
        if any(other <= cut for name in cut for other in by_event.get(name, ())):
            continue
        kept.append(cut)
        for name in cut:
            by_event.setdefault(name, []).append(cut)
    return kept


def signature(cut: CutSet, parts: dict[str, str]) -> tuple[tuple[str, int], ...]:
    """What a cut set is made of, by part: ((part path, units), ...), so that the cut sets
    the symmetry of a design repeats (the same parts in another node) read as one kind."""
    counts = Counter(parts[name] for name in cut)
    return tuple(sorted(counts.items()))


def part_of_events(node: Node) -> dict[str, str]:
    """Each event's part path (with its mode)."""
    return {event.name: event.part for event in events(node)}
