"""A satellite's part hierarchy as live state: units, groups, capacity and lost-capacity shares.

A *unit* is one instance of a part; a *group* holds the ``count`` units of one part under one
parent unit. Battery parts (strings) neither gate nor scale their parent: the power model reads
how many work. A unit works at capacity 0 when it has failed itself or when any of its groups
has fewer than ``required`` working units; otherwise at the product, over its compute groups,
of each group's mean unit capacity (bus groups above ``required`` do not scale it).

Every unit also carries ``loss``: its lost capacity ``1 - capacity`` split over
``(cause, part path)`` keys, so that every lost capacity-second is attributed exactly:

- a failed unit charges its whole loss to its own cause;
- a unit held down by groups below ``required`` splits its loss equally over those groups,
  each in proportion to the losses of its own units;
- a degraded unit splits ``1 - Π f_g`` over its compute groups in proportion to ``1 - f_g``,
  each in proportion to the losses of its own units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sim.model.design import Part
from sim.model.modes import CAUSE_DEGRADED

LossKey = tuple[str, str]
Loss = dict[LossKey, float]

# Below this a float residue of incremental sums is taken as zero.
_RESIDUE = 1e-12

# The loss of every unit that has not failed yet (a unit's loss is replaced, never changed).
_NO_LOSS: Loss = {}


class Group:
    """The units of one part under one parent unit, with running sums over them."""

    __slots__ = ("active", "capacity_sum", "computes", "count", "fed_units", "gates", "loss_sum",
                 "parent", "part", "required", "severed", "units", "working")

    def __init__(self, part: Part, parent: Unit):
        self.part = part
        self.parent = parent
        self.count = part.count
        self.required = part.required
        # Units that deliver when all work (the rest wait in standby).
        self.active = part.count - (part.standby.units if part.standby is not None else 0)
        self.computes = part.role == "compute"
        # Battery strings never take their parent down (the power model reads them instead);
        # a shared part takes down the units it feeds, not its parent.
        self.gates = part.role != "battery" and not part.feeds
        self.fed_units: tuple[ModalUnit, ...] = ()
        # Loss keys of this group's units whose failure takes the parent down (a failure
        # mode with effect ``parent``), one entry per such unit.
        self.severed: tuple[LossKey, ...] = ()
        path, parts = part.path, part.parts
        kind = ModalUnit if part.modal or part.fed or part.modes else Unit
        self.units = [kind(self, parts, path) for _ in range(part.count)]
        self.working = part.count
        self.capacity_sum = float(part.count)
        self.loss_sum: Loss = {}

    def shortfall_shares(self, weight: float, into: Loss, down: bool = False) -> None:
        """Add this group's loss to ``into``, scaled so that it sums to ``weight`` (all of
        it to the severing failures, when there are any). A group that holds its parent
        ``down`` does so by its units that stopped, not by those still working degraded."""
        if self.severed:
            share = weight / len(self.severed)
            for key in self.severed:
                into[key] = into.get(key, 0.0) + share
            return
        sums = self.loss_sum
        if down and any(key[0] == CAUSE_DEGRADED for key in sums):
            stopped = {key: value for key, value in sums.items() if key[0] != CAUSE_DEGRADED}
            sums = stopped or sums
            lost = sum(sums.values())
        elif self.active == self.count:
            lost = self.count - self.capacity_sum
        else:
            # Failed units a standby unit replaced still hold their loss keys.
            lost = sum(sums.values())
        if lost <= _RESIDUE:
            return
        scale = weight / lost
        for key, value in sums.items():
            into[key] = into.get(key, 0.0) + value * scale


class Unit:
    """One instance of a part (or the satellite itself, at the root)."""

    __slots__ = ("capacity", "compute_groups", "failed_cause", "gating", "group", "groups", "loss",
                 "path")

    def __init__(self, group: Group | None, parts: tuple[Part, ...], path: str = ""):
        self.group = group
        self.path = path
        self.failed_cause: str | None = None
        self.capacity = 1.0
        self.loss: Loss = _NO_LOSS
        # How many of this unit's groups have fewer than ``required`` working units.
        self.gating = 0
        if parts:
            self.groups: Sequence[Group] = [Group(part, self) for part in parts]
            self.compute_groups: Sequence[Group] = [g for g in self.groups if g.computes]
            for group in self.groups:
                if group.part.feeds:
                    _link_feeds(group, self)
        else:
            self.groups = self.compute_groups = ()

    @property
    def label(self) -> str:
        """The path its failures are counted and charged under."""
        return self.path

    def evaluate(self) -> tuple[float, Loss]:
        """This unit's capacity and loss shares from its own state and its groups' sums."""
        if self.failed_cause is not None:
            return 0.0, {(self.failed_cause, self.path): 1.0}
        loss: Loss = {}
        if self.gating:
            gating = [g for g in self.groups if g.gates and g.working < g.required]
            return 0.0, _gated_loss(gating, loss)
        capacity = 1.0
        shortfalls = []
        for group in self.compute_groups:
            if group.loss_sum:
                fraction = group.capacity_sum / group.active
                if fraction < 1.0:
                    capacity *= fraction
                    shortfalls.append((group, 1.0 - fraction))
        if shortfalls:
            total = sum(s for _, s in shortfalls)
            lost = 1.0 - capacity
            for group, shortfall in shortfalls:
                group.shortfall_shares(lost * shortfall / total, loss)
        return capacity, loss


def _gated_loss(gating: Sequence[Group], into: Loss) -> Loss:
    """The loss of a unit held down by ``gating`` groups: equal shares, each split as the
    group's own losses are."""
    share = 1.0 / len(gating)
    for group in gating:
        group.shortfall_shares(share, into, down=True)
    return into


def _link_feeds(shared: Group, holder: Unit) -> None:
    """Tie a shared part's group to the units it feeds below the same ``holder``."""
    fed_paths = set(shared.part.feeds)
    found: list[ModalUnit] = []
    pending = [holder]
    while pending:
        current = pending.pop()
        for group in current.groups:
            if group.part.path in fed_paths:
                found.extend(group.units)  # type: ignore[arg-type]
            pending.extend(group.units)
    shared.fed_units = tuple(found)
    for unit in found:
        unit.feeding = (*unit.feeding, shared)


class ModalUnit(Unit):
    """A unit of a part with failure modes or standby (``sim.model.group_life`` drives it):
    it may wait dormant (delivering nothing, losing nothing), run degraded by the modes that
    fired, or have failed by a mode whose losses carry the mode in their key."""

    __slots__ = ("degrades", "dormant", "failed_label", "feeding")

    def __init__(self, group: Group | None, parts: tuple[Part, ...], path: str = ""):
        # Groups of shared parts this unit needs (they hold it down as its own groups do).
        self.feeding: tuple[Group, ...] = ()
        super().__init__(group, parts, path)
        self.dormant = False
        # (capacity left, loss key) of each degrading mode that fired.
        self.degrades: list[tuple[float, LossKey]] = []
        # The key path its failure's losses go to (the part's path, with the mode).
        self.failed_label = path

    @property
    def label(self) -> str:
        return self.failed_label

    def evaluate(self) -> tuple[float, Loss]:
        if self.dormant:
            return 0.0, _NO_LOSS
        if self.failed_cause is not None:
            return 0.0, {(self.failed_cause, self.failed_label): 1.0}
        if self.gating:
            gating = [g for g in self.groups if g.gates and g.working < g.required]
            gating.extend(g for g in self.feeding if g.working < g.required)
            return 0.0, _gated_loss(gating, {})
        capacity, loss = Unit.evaluate(self)
        if not self.degrades or capacity <= 0.0:
            return capacity, loss
        kept = 1.0
        for fraction, _ in self.degrades:
            kept *= fraction
        shares = {key: value * kept for key, value in loss.items()}
        weights = sum(1.0 - fraction for fraction, _ in self.degrades)
        if weights > 0.0:
            for fraction, key in self.degrades:
                shares[key] = shares.get(key, 0.0) + (1.0 - kept) * (1.0 - fraction) / weights
        return capacity * kept, shares


def refresh(unit: Unit) -> None:
    """Re-evaluate ``unit`` after its state changed, and every ancestor whose inputs moved."""
    current = unit
    while True:
        capacity, loss = current.evaluate()
        if capacity == current.capacity and loss == current.loss:
            return
        group = current.group
        if group is None:
            current.capacity = capacity
            current.loss = loss
            return
        was_gating = group.working < group.required
        group.capacity_sum += capacity - current.capacity
        group.working += (capacity > 0.0) - (current.capacity > 0.0)
        gating = group.working < group.required
        parent = group.parent
        if group.gates:
            parent.gating += gating - was_gating
        _move_loss(group.loss_sum, current.loss, loss)
        current.capacity = capacity
        current.loss = loss
        if group.fed_units:
            _feed(group, gating - was_gating)
        if not _reads(parent, group, gating != was_gating, gating):
            return
        current = parent


def recharge(unit: Unit, cause: str) -> bool:
    """Charge failed ``unit``'s loss to ``cause`` from now on instead of its present cause
    (a repair moving to its next phase), without re-evaluating anything: every loss share is
    a sum of the shares below it times weights that depend on capacities and never on causes,
    so the shares of the old key move to the new one at every ancestor, each level in the
    proportion its share of the old key held to its group's. False, with nothing changed,
    where that does not hold: a unit with modes or standby (its keys may sever or degrade its
    parent), a degradation, or a shared part on the way up (the units it feeds read it too).
    """
    old = unit.failed_cause
    if (type(unit) is not Unit or old is None or old == cause
            or CAUSE_DEGRADED in (old, cause)):
        return False
    current = unit
    while current.group is not None:
        if current.group.fed_units:
            return False
        current = current.group.parent
    old_key, new_key = (old, unit.path), (cause, unit.path)
    unit.failed_cause = cause
    unit.loss = {new_key: 1.0}
    moved = 1.0
    current = unit
    while (group := current.group) is not None:
        held = group.loss_sum[old_key]
        _shift(group.loss_sum, old_key, new_key, moved)
        parent = group.parent
        share = parent.loss.get(old_key, 0.0)
        if share == 0.0:
            # The parent reads none of this group's shares (failed, or held down by others).
            return True
        moved *= share / held
        loss = dict(parent.loss)
        _shift(loss, old_key, new_key, moved)
        parent.loss = loss
        current = parent
    return True


def _shift(shares: Loss, old_key: LossKey, new_key: LossKey, amount: float) -> None:
    """Move ``amount`` of ``shares`` from ``old_key`` to ``new_key`` (as ``_move_loss``)."""
    remaining = shares[old_key] - amount
    if remaining > _RESIDUE:
        shares[old_key] = remaining
    else:
        del shares[old_key]
    shares[new_key] = shares.get(new_key, 0.0) + amount


def _feed(shared: Group, moved: int) -> None:
    """A shared part's group changed: the units it feeds re-read it."""
    for unit in shared.fed_units:
        unit.gating += moved
        refresh(unit)


def set_severed(group: Group, severed: tuple[LossKey, ...]) -> None:
    """Set the loss keys of ``group``'s units that take its parent down, and re-evaluate the
    parent (call after refreshing the units themselves)."""
    was_short = group.working < group.required
    group.severed = severed
    # A severed group needs more units than it has, so it is short however many work.
    group.required = group.part.required + (group.count + 1 if severed else 0)
    short = group.working < group.required
    if group.gates and short != was_short:
        group.parent.gating += short - was_short
    if group.fed_units:
        _feed(group, short - was_short)
    refresh(group.parent)


def _move_loss(sums: Loss, old: Loss, new: Loss) -> None:
    """Replace a unit's ``old`` loss shares by ``new`` ones in its group's sums."""
    for key, value in old.items():
        remaining = sums[key] - value
        if remaining > _RESIDUE:
            sums[key] = remaining
        else:
            del sums[key]
    for key, value in new.items():
        sums[key] = sums.get(key, 0.0) + value


def _reads(parent: Unit, group: Group, gate_moved: bool, gating: bool) -> bool:
    """Whether ``parent``'s evaluation reads the sums of ``group``, which just changed: a
    failed unit reads none; a gated one, those of its gating groups; else its compute
    groups'."""
    if parent.failed_cause is not None:
        return False
    if group.gates and gate_moved:
        return True
    if parent.gating:
        return gating and group.gates
    return group.computes


def leaf_groups(unit: Unit) -> list[tuple[Group, str]]:
    """Every group below ``unit`` whose part can fail, with a stream name unique per satellite.

    The name holds the part path with the index of every ancestor unit, e.g.
    ``node[3]/accelerator``, so that each group's random stream is stable however the rest of
    the design changes.
    """
    found: list[tuple[Group, str]] = []
    _collect_named(unit, "", found, _fails)
    return found


def radiation_groups(unit: Unit) -> list[tuple[Group, str]]:
    """Every group below ``unit`` whose part radiation affects, named as in ``leaf_groups``."""
    found: list[tuple[Group, str]] = []
    _collect_named(unit, "", found, _irradiated)
    return found


def failing_groups(unit: Unit) -> list[Group]:
    """The groups of ``leaf_groups(unit)``, in the same order, without their names (which
    are the same for every satellite of a design)."""
    found: list[Group] = []
    _collect_groups(unit, found, _fails)
    return found


def irradiated_groups(unit: Unit) -> list[Group]:
    """The groups of ``radiation_groups(unit)``, in the same order, without their names."""
    found: list[Group] = []
    _collect_groups(unit, found, _irradiated)
    return found


def _fails(part: Part) -> bool:
    return part.fails


def _irradiated(part: Part) -> bool:
    return part.radiation is not None


def _collect_named(node: Unit, prefix: str, found: list[tuple[Group, str]],
                   wanted: Callable[[Part], bool]) -> None:
    """The ``wanted`` groups below ``node`` with their names, depth first. (A module function:
    a nested one calling itself would be a reference cycle holding the whole tree until the
    cycle collector ran.)"""
    for group in node.groups:
        name = f"{prefix}{group.part.name}"
        if wanted(group.part):
            found.append((group, name))
        if group.part.parts:
            for index, child in enumerate(group.units):
                _collect_named(child, f"{name}[{index}]/", found, wanted)


def _collect_groups(node: Unit, found: list[Group], wanted: Callable[[Part], bool]) -> None:
    """The groups of ``_collect_named``, in its order."""
    for group in node.groups:
        if wanted(group.part):
            found.append(group)
        if group.part.parts:
            for child in group.units:
                _collect_groups(child, found, wanted)


def all_groups(unit: Unit) -> list[Group]:
    """Every group below ``unit``, depth first."""
    found: list[Group] = []
    pending = [unit]
    while pending:
        current = pending.pop()
        for group in current.groups:
            found.append(group)
            pending.extend(group.units)
    return found


def plain(unit: Unit) -> bool:
    """Whether every unit below ``unit`` is a plain ``Unit`` in a group without standby or
    shared parts: then units of one part path in trees of one design, all working, are
    interchangeable."""
    pending = [unit]
    while pending:
        current = pending.pop()
        for group in current.groups:
            if group.active != group.count or group.part.feeds:
                return False
            if any(type(child) is not Unit for child in group.units):
                return False
            pending.extend(group.units)
    return True


def dismantle(unit: Unit) -> None:
    """Cut the links from every unit below ``unit`` back to its parents, so that the tree is
    freed by reference counting once dropped, not left to the cycle collector (which would
    spend as long on it as a replication spends running it)."""
    pending = [unit]
    while pending:
        current = pending.pop()
        current.group = None
        for group in current.groups:
            group.parent = None  # type: ignore[assignment]
            pending.extend(group.units)
