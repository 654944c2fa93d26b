"""Minimal cut sets of a structure function: the smallest sets of basic events whose
occurrence together brings the satellite down.

A gate that needs ``k`` of ``n`` children fails when any ``n - k + 1`` of them fail, so its cut
sets are the unions of one cut set from each child of every such combination. Children over
disjoint events give minimal sets directly; only where an event repeats (a shared part) are
supersets removed.
"""

from __future__ import annotations

import itertools
import math
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
    # Sets are made in the structure's own order, so a stable sort by size is reproducible.
    return sorted(found, key=len)


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
                if max_order is None and (len(result) + math.prod(map(len, combination))
                                          > MAX_CUT_SETS):
                    raise _too_many(node)
                for parts in itertools.product(*combination):
                    cut = frozenset().union(*parts)
                    if max_order is None or len(cut) <= max_order:
                        result.append(cut)
                if len(result) > MAX_CUT_SETS:
                    raise _too_many(node)
        if max_order is not None:
            result = [cut for cut in result if len(cut) <= max_order]
        if _touches(node, repeated):
            result = _minimal(result, repeated)
    memo[key] = result
    return result


def _too_many(node: Gate) -> CutSetError:
    return CutSetError(f"more than {MAX_CUT_SETS:,} cut sets below {node.label!r}; limit "
                       f"their order (--max-order)")


def _touches(node: Gate, repeated: set[str]) -> bool:
    return bool(repeated) and any(e.name in repeated for e in events(node))


def _minimal(cuts: Iterable[CutSet], repeated: set[str]) -> list[CutSet]:
    """``cuts`` without duplicates and without any set that holds another.

    The children of a gate hold disjoint events but for the ``repeated`` ones, and each
    child's sets are minimal, so a set can only hold another that has a repeated event:
    only those are indexed and looked up."""
    kept: list[CutSet] = []
    by_event: dict[str, list[CutSet]] = {}
    for cut in sorted(dict.fromkeys(cuts), key=len):
        shared = cut & repeated
        if shared and any(other <= cut for name in shared for other in by_event.get(name, ())):
            continue
        kept.append(cut)
        for name in shared:
            by_event.setdefault(name, []).append(cut)
    return kept


class Kinds:
    """Cut sets gathered by kind (the units of each part they hold, so that the same parts in
    another node are one kind), counted and summed as they come: each event weighs one digit
    of its part in a wide base, so a set's kind is one sum."""

    # Bits per part's digit: a kind may hold up to 2**20 - 1 units of one part.
    DIGIT_BITS = 20

    def __init__(self, parts: dict[str, str]):
        names = sorted(set(parts.values()))
        self._parts = names
        index = {part: i for i, part in enumerate(names)}
        self._weight = {name: 1 << (self.DIGIT_BITS * index[part])
                        for name, part in parts.items()}
        self.found: dict[int, list] = {}  # type: ignore[type-arg]

    def add(self, cut: CutSet, probability: float) -> None:
        key = sum(map(self._weight.__getitem__, cut))
        entry = self.found.get(key)
        if entry is None:
            self.found[key] = [1, probability, cut]
        else:
            entry[0] += 1
            entry[1] += probability

    def parts_of(self, key: int) -> dict[str, int]:
        """The kind's units by part path."""
        mask = (1 << self.DIGIT_BITS) - 1
        found = {}
        for i, part in enumerate(self._parts):
            units = (key >> (self.DIGIT_BITS * i)) & mask
            if units:
                found[part] = units
        return found


def part_of_events(node: Node) -> dict[str, str]:
    """Each event's part path (with its mode)."""
    return {event.name: event.part for event in events(node)}
