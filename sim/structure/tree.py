"""A design's structure function: k-of-n gates over basic events (one per way a unit fails).

A satellite works (delivers any compute) when its root gate works. A gate works when at least
``k`` of its children work; a basic event names one unit's failure by one mode, a common-cause
failure of one group, a unit failing on demand as a mission phase starts, or (through a shared
part) the same unit under several parents. Battery strings are left out: they limit power,
not whether the satellite computes. Standby units count as hot ones here (the structure does
not know the order units fail in), and a degrading mode takes nothing down.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sim.model.design import Design, Part
from sim.model.distributions import Distribution
from sim.model.modes import PRIMARY_MODE, FailureMode, Phase

Probability = Callable[[float], float]


@dataclass(frozen=True)
class Gate:
    """Works when at least ``k`` of ``children`` work (k = len: all, k = 1: any)."""

    k: int
    children: tuple[Node, ...]
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.k <= len(self.children):
            raise ValueError(f"gate {self.label!r}: k = {self.k} of {len(self.children)}")


def _never(_: float) -> float:
    return 0.0


@dataclass(frozen=True)
class Event:
    """A basic event. ``part`` is the part path (with the mode) that events of the same kind
    share; ``probability(t_s)`` is the chance it has occurred by ``t_s`` (no repair)."""

    name: str
    part: str
    probability: Probability = field(default=_never, compare=False, hash=False)


Node = Gate | Event


@dataclass(frozen=True)
class Timing:
    """What turns calendar time into each law's age: the mission phases (whose factors
    speed a mode up or stop it) and the share of time a satellite spends in Earth's shadow
    (the clock of modes that age in eclipse; None: unknown, taken as 1). With ``by_unit``,
    the ways one unit fails itself (its modes, failing on demand) are one event: cut sets
    then name units, not modes, and there are far fewer of them."""

    phases: tuple[Phase, ...] = ()
    shadow_fraction: float | None = None
    by_unit: bool = False


def events(node: Node) -> Iterator[Event]:
    """Every basic event below ``node`` (repeated ones as often as they occur)."""
    if isinstance(node, Event):
        yield node
        return
    for child in node.children:
        yield from events(child)


def structure(design: Design, timing: Timing = Timing()) -> Gate:
    """The structure function of a satellite of ``design``."""
    return Gate(len(top := _contents(design.parts, "", {}, timing)), tuple(top), "satellite")


def _contents(parts: Sequence[Part], prefix: str, inherited: dict[str, list[Gate]],
              timing: Timing) -> list[Node]:
    """What a unit (or the satellite) holds that must work: one gate per group of its parts,
    and the failures of its parts' units that take it down. Shared parts among ``parts``
    feed the units of the parts they name below this holder."""
    shared = {path: list(gates) for path, gates in inherited.items()}
    for part in parts:
        if part.feeds:
            gate = _group(part, prefix, inherited, timing)
            for path in part.feeds:
                shared.setdefault(path, []).append(gate)
    children: list[Node] = []
    for part in parts:
        if part.role == "battery":
            continue
        if not part.feeds:
            children.append(_group(part, prefix, shared, timing))
        for mode in part.modes:
            if mode.effect == "parent":
                chance = _law(mode, mode.lifetime, 1.0 - mode.beta, timing)
                children.extend(Event(f"{prefix}{part.name}[{i}]:{mode.name}",
                                      f"{part.path}:{mode.name}", chance)
                                for i in range(part.count))
    return children


def _group(part: Part, prefix: str, shared: dict[str, list[Gate]], timing: Timing) -> Gate:
    """A group of ``part`` under one holder (named by ``prefix``): at least ``required`` of
    its units work, and no common cause struck."""
    name = f"{prefix}{part.name}"
    units = tuple(_unit(part, f"{name}[{i}]", shared, timing) for i in range(part.count))
    gate = Gate(part.required, units, name)
    common = [Event(f"{name}:{_label(mode.name)}common_cause",
                    f"{part.path}:{_label(mode.name)}common_cause",
                    _law(mode, mode.lifetime, mode.beta, timing))
              for mode in part.modes if mode.beta > 0 and mode.effect != "degrade"]
    if common:
        return Gate(len(common) + 1, (*common, gate), name)
    return gate


def _label(mode: str) -> str:
    return "" if mode == PRIMARY_MODE else f"{mode}:"


def _unit(part: Part, name: str, shared: dict[str, list[Gate]], timing: Timing) -> Node:
    """One unit: it works when none of its own failing modes struck, it did not fail on
    demand, what it holds works, and the shared parts that feed it work."""
    children: list[Node] = []
    if part.modes:
        for mode in part.modes:
            if mode.effect == "fail":
                suffix = "" if mode.name == PRIMARY_MODE else f":{mode.name}"
                children.append(Event(f"{name}{suffix}", f"{part.path}{suffix}",
                                      _law(mode, mode.lifetime, 1.0 - mode.beta, timing)))
    elif part.failure is not None:
        children.append(Event(name, part.path,
                              _law(FailureMode(PRIMARY_MODE, part.failure), part.failure, 1.0,
                                   timing)))
    for phase, chance in zip(timing.phases, part.demand_failures, strict=False):
        if chance > 0.0:
            children.append(Event(f"{name}:{phase.name}_start", f"{part.path}:{phase.name}_start",
                                  _demand(phase.start_s, chance)))
    if timing.by_unit and len(children) > 1:
        children = [Event(name, part.path, _any([e.probability for e in children]))]  # type: ignore[union-attr]
    children.extend(_contents(part.parts, f"{name}/", shared, timing))
    children.extend(shared.get(part.path, ()))
    if len(children) == 1 and isinstance(children[0], Event):
        return children[0]
    return Gate(len(children), tuple(children), name)


def _law(mode: FailureMode, law: Distribution, share: float, timing: Timing) -> Probability:
    """P(the mode's share of ``law`` struck by t): 1 − S(age(t))^share, the age counting
    phase factors and, for a mode that ages in eclipse, only time in shadow."""
    phases = timing.phases
    shadow = timing.shadow_fraction if timing.shadow_fraction is not None else 1.0
    scale = shadow if mode.in_eclipse else 1.0

    def age(t_s: float) -> float:
        if not phases or not mode.phase_factors:
            return scale * t_s
        total = 0.0
        for i, phase in enumerate(phases):
            end_s = phases[i + 1].start_s if i + 1 < len(phases) else math.inf
            overlap = min(t_s, end_s) - phase.start_s
            if overlap > 0.0:
                total += mode.factor(i) * overlap
        return scale * total

    def probability(t_s: float) -> float:
        return 1.0 - law.survival(age(t_s)) ** share

    return probability


def _demand(start_s: float, chance: float) -> Probability:
    return lambda t_s: chance if t_s >= start_s else 0.0


def _any(chances: list[Probability]) -> Probability:
    """P(at least one of independent events occurred by t)."""
    return lambda t_s: 1.0 - math.prod(1.0 - chance(t_s) for chance in chances)
