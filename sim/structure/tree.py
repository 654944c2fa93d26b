"""A design's structure function: k-of-n gates over basic events (one per way a unit fails).

A satellite works (delivers any compute) when its root gate works. A gate works when at least
``k`` of its children work; a basic event names one unit's failure by one mode, a common-cause
failure of one group, or (through a shared part) the same unit under several parents.
Battery strings are left out: they limit power, not whether the satellite computes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sim.model.design import Design, Part
from sim.model.modes import PRIMARY_MODE


@dataclass(frozen=True)
class Gate:
    """Works when at least ``k`` of ``children`` work (k = len: all, k = 1: any)."""

    k: int
    children: tuple[Node, ...]
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.k <= len(self.children):
            raise ValueError(f"gate {self.label!r}: k = {self.k} of {len(self.children)}")


@dataclass(frozen=True)
class Event:
    """A basic event: one unit failing (by one mode), or one group's common cause. ``part``
    is the part path (with the mode) that events of the same kind share."""

    name: str
    part: str
    # Failure law of the event, for its probability at a stated time (None: unknown).
    law: object | None = field(default=None, compare=False, hash=False)
    # Share of the law's rate the event stands for (1 − beta for a unit, beta for a group).
    share: float = field(default=1.0, compare=False, hash=False)


Node = Gate | Event


def events(node: Node) -> Iterator[Event]:
    """Every basic event below ``node`` (repeated ones as often as they occur)."""
    if isinstance(node, Event):
        yield node
        return
    for child in node.children:
        yield from events(child)


def structure(design: Design) -> Gate:
    """The structure function of a satellite of ``design``."""
    return Gate(0, (), "satellite") if not design.parts else _holder(
        _contents(design.parts, "", {}), "satellite")


def _holder(children: list[Node], label: str) -> Gate:
    return Gate(len(children), tuple(children), label)


def _contents(parts: Sequence[Part], prefix: str, inherited: dict[str, list[Gate]]
              ) -> list[Node]:
    """What a unit (or the satellite) holds that must work: one gate per group of its parts,
    the failures of its parts' units that take it down, and nothing of its battery strings.
    Shared parts among ``parts`` feed the units of the parts they name below this holder."""
    shared = {path: list(gates) for path, gates in inherited.items()}
    for part in parts:
        if part.feeds:
            gate = _group(part, prefix, inherited)
            for path in part.feeds:
                shared.setdefault(path, []).append(gate)
    children: list[Node] = []
    for part in parts:
        if part.role == "battery":
            continue
        if not part.feeds:
            children.append(_group(part, prefix, shared))
        for mode in part.modes:
            if mode.effect == "parent":
                children.extend(Event(f"{prefix}{part.name}[{i}]:{mode.name}",
                                      f"{part.path}:{mode.name}", mode.lifetime,
                                      1.0 - mode.beta)
                                for i in range(part.count))
    return children


def _group(part: Part, prefix: str, shared: dict[str, list[Gate]]) -> Gate:
    """A group of ``part`` under one holder (named by ``prefix``): at least ``required`` of
    its units work, and no common cause struck."""
    name = f"{prefix}{part.name}"
    units = tuple(_unit(part, f"{name}[{i}]", shared) for i in range(part.count))
    gate = Gate(part.required, units, name)
    common = [Event(f"{name}:{_label(mode.name)}common_cause",
                    f"{part.path}:{_label(mode.name)}common_cause", mode.lifetime, mode.beta)
              for mode in part.modes if mode.beta > 0 and mode.effect != "degrade"]
    if common:
        return Gate(len(common) + 1, (*common, gate), name)
    return gate


def _label(mode: str) -> str:
    return "" if mode == PRIMARY_MODE else f"{mode}:"


def _unit(part: Part, name: str, shared: dict[str, list[Gate]]) -> Node:
    """One unit: it works when none of its own failing modes struck, what it holds works,
    and the shared parts that feed it work."""
    children: list[Node] = []
    if part.modes:
        for mode in part.modes:
            if mode.effect == "fail":
                suffix = "" if mode.name == PRIMARY_MODE else f":{mode.name}"
                children.append(Event(f"{name}{suffix}", f"{part.path}{suffix}", mode.lifetime,
                                      1.0 - mode.beta))
    elif part.failure is not None:
        children.append(Event(name, part.path, part.failure))
    children.extend(_contents(part.parts, f"{name}/", shared))
    children.extend(shared.get(part.path, ()))
    if len(children) == 1 and isinstance(children[0], Event):
        return children[0]
    return Gate(len(children), tuple(children), name)
