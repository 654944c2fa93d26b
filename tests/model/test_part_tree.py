"""Capacity and lost-capacity shares of the part tree, worked by hand."""

from __future__ import annotations

import random

import pytest

from sim.model.design import Part
from sim.model.distributions import Fixed
from sim.model.parts import Unit, all_groups, recharge, refresh
from sim.model.repair import NoRepair

LIFE = Fixed(1.0)


def part(name: str, role: str, count: int, required: int, *children: Part,
         parent: str = "") -> Part:
    path = f"{parent}/{name}" if parent else name
    return Part(name=name, path=path, role=role, count=count, required=required,  # type: ignore[arg-type]
                failure=LIFE, repair=NoRepair(), parts=tuple(children))


def fail(unit: Unit, cause: str = "hardware_failure") -> None:
    unit.failed_cause = cause
    refresh(unit)


def restore(unit: Unit) -> None:
    unit.failed_cause = None
    refresh(unit)


def assert_consistent(root: Unit) -> None:
    """Lost shares always add up to exactly what capacity is missing."""
    assert sum(root.loss.values()) == pytest.approx(1.0 - root.capacity, abs=1e-12)


def test_two_compute_groups_share_the_loss_by_their_shortfalls() -> None:
    root = Unit(None, (part("x", "compute", 2, 1), part("y", "compute", 4, 1)))
    x, y = root.groups
    fail(x.units[0])
    fail(y.units[3], cause="repair")
    # capacity = (1/2)(3/4); lost 5/8 split 0.5 : 0.25 between x and y.
    assert root.capacity == pytest.approx(0.375)
    assert root.loss == pytest.approx({("hardware_failure", "x"): 5 / 8 * 2 / 3,
                                       ("repair", "y"): 5 / 8 / 3})
    assert_consistent(root)


def test_bus_redundancy_absorbs_failures_until_below_k() -> None:
    root = Unit(None, (part("wheel", "bus", 3, 2), part("gpu", "compute", 2, 1)))
    wheels = root.groups[0]
    fail(wheels.units[0])
    assert root.capacity == 1.0 and root.loss == {}
    fail(wheels.units[1], cause="repair")
    assert root.capacity == 0.0
    assert root.loss == pytest.approx(
        {("hardware_failure", "wheel"): 0.5, ("repair", "wheel"): 0.5})
    restore(wheels.units[1])
    assert root.capacity == 1.0 and root.loss == {}


def test_two_gating_groups_split_the_outage_equally() -> None:
    root = Unit(None, (part("bus", "bus", 1, 1), part("gpu", "compute", 2, 2)))
    bus, gpu = root.groups
    fail(gpu.units[1], cause="repair")
    assert root.capacity == 0.0 and root.loss == {("repair", "gpu"): 1.0}
    fail(bus.units[0])
    assert root.loss == pytest.approx({("hardware_failure", "bus"): 0.5, ("repair", "gpu"): 0.5})
    assert_consistent(root)


def test_nested_units_scale_and_gate_their_parents() -> None:
    accelerator = part("accelerator", "compute", 4, 2, parent="node")
    psu = part("psu", "bus", 1, 1, parent="node")
    root = Unit(None, (part("node", "compute", 2, 1, accelerator, psu),))
    node_a, node_b = root.groups[0].units
    fail(node_a.groups[0].units[0])
    # node a at 3/4, node b at 1: satellite at 7/8.
    assert node_a.capacity == pytest.approx(0.75)
    assert root.capacity == pytest.approx(0.875)
    assert root.loss == pytest.approx({("hardware_failure", "node/accelerator"): 0.125})
    fail(node_b.groups[1].units[0], cause="repair")
    # node b down through its power supply: satellite at 3/8.
    assert root.capacity == pytest.approx(0.375)
    assert root.loss == pytest.approx({("hardware_failure", "node/accelerator"): 0.125,
                                       ("repair", "node/psu"): 0.5})
    fail(node_a.groups[0].units[1])
    fail(node_a.groups[0].units[2])
    # node a below its 2 of 4 accelerators, node b down: no node works, the satellite is down.
    assert root.capacity == 0.0
    assert root.loss == pytest.approx({("hardware_failure", "node/accelerator"): 0.5,
                                       ("repair", "node/psu"): 0.5})
    assert_consistent(root)


def test_everything_restored_returns_exactly_to_nominal() -> None:
    accelerator = part("accelerator", "compute", 8, 2, parent="node")
    root = Unit(None, (part("node", "compute", 3, 1, accelerator), part("bus", "bus", 2, 1)))
    leaves = [u for node in root.groups[0].units for u in node.groups[0].units]
    leaves += root.groups[1].units
    for unit in leaves:
        fail(unit)
    assert root.capacity == 0.0
    for unit in reversed(leaves):
        restore(unit)
    assert root.capacity == 1.0
    assert root.loss == {}
    assert all(g.loss_sum == {} and g.capacity_sum == g.part.count for g in root.groups)


def all_units(unit: Unit) -> list[Unit]:
    """``unit`` and every unit below it."""
    return [unit] + [u for group in unit.groups for child in group.units for u in all_units(child)]


def mixed_tree() -> Unit:
    """A satellite with battery strings, a redundant bus, nodes of accelerators and power
    supplies, and radios."""
    accelerator = part("accelerator", "compute", 4, 2, parent="node")
    psu = part("psu", "bus", 2, 1, parent="node")
    return Unit(None, (part("battery", "battery", 4, 3), part("bus", "bus", 2, 1),
                       part("node", "compute", 3, 1, accelerator, psu),
                       part("radio", "compute", 2, 1)))


def test_every_unit_holds_what_it_evaluates_to_after_any_change() -> None:
    """Refresh stops where a parent does not read what changed; nothing it skips is stale."""
    rng = random.Random(3)
    root = mixed_tree()
    units = all_units(root)[1:]
    for _ in range(2000):
        unit = rng.choice(units)
        if unit.failed_cause is not None and rng.random() < 0.5:
            restore(unit)
        else:
            fail(unit, cause=rng.choice(["hardware_failure", "repair", "waiting_for_spare"]))
        for each in all_units(root):
            assert each.evaluate() == (each.capacity, each.loss)


def test_a_change_of_cause_alone_moves_the_shares_as_a_full_evaluation_would() -> None:
    """``recharge`` (no re-evaluation) leaves every unit and group as re-evaluating the
    whole tree would, to rounding, through any mix of failures, repairs and phase changes;
    where it declines (a working unit) nothing has moved."""
    rng = random.Random(5)
    root = mixed_tree()
    units = all_units(root)[1:]
    causes = ["hardware_failure", "repair", "waiting_for_spare", "servicer_travel"]
    recharged = 0
    for _ in range(3000):
        unit = rng.choice(units)
        if unit.failed_cause is None:
            loss = root.loss
            assert not recharge(unit, "repair")
            assert unit.failed_cause is None and root.loss is loss
            fail(unit, cause=rng.choice(causes))
        elif rng.random() < 0.3:
            restore(unit)
        else:
            recharged += recharge(unit, rng.choice(causes))
        for each in all_units(root):
            capacity, loss = each.evaluate()
            assert each.capacity == capacity
            assert each.loss == pytest.approx(loss, abs=1e-12)
        for group in all_groups(root):
            sums: dict = {}
            for member in group.units:
                for key, value in member.loss.items():
                    sums[key] = sums.get(key, 0.0) + value
            assert group.loss_sum == pytest.approx(
                {key: value for key, value in sums.items() if value > 1e-12}, abs=1e-12)
    assert recharged > 1000


def test_a_change_of_cause_stops_where_the_parent_reads_other_groups() -> None:
    """A node held down by its bus group reads the bus's shares only: an accelerator's new
    cause changes the node's group sums, and nothing above."""
    accelerator = part("accelerator", "compute", 2, 1, parent="node")
    bus = part("psu", "bus", 1, 1, parent="node")
    root = Unit(None, (part("node", "compute", 2, 1, accelerator, bus),))
    node = root.groups[0].units[0]
    gpu, psu = node.groups[0].units[0], node.groups[1].units[0]
    fail(gpu, "waiting_for_spare")
    fail(psu, "hardware_failure")
    root_loss = dict(root.loss)
    assert recharge(gpu, "repair")
    assert node.groups[0].loss_sum == {("repair", "node/accelerator"): 1.0}
    assert node.loss == {("hardware_failure", "node/psu"): 1.0}
    assert root.loss == root_loss


def test_a_change_of_cause_is_declined_below_a_shared_part() -> None:
    """A unit whose group feeds other units (they read its shares too) is left to the full
    re-evaluation: ``recharge`` declines and nothing moves."""
    psu = Part(name="psu", path="psu", role="bus", count=2, required=1, failure=LIFE,
               repair=NoRepair(), feeds=("node",))
    node = Part(name="node", path="node", role="compute", count=2, required=1, failure=LIFE,
                repair=NoRepair(), fed=True)
    root = Unit(None, (psu, node))
    supply = root.groups[0].units[0]
    fail(supply, "waiting_for_spare")
    before = ([dict(u.loss) for u in all_units(root)],
              [dict(g.loss_sum) for g in all_groups(root)])
    assert not recharge(supply, "repair")
    assert supply.failed_cause == "waiting_for_spare"
    assert ([u.loss for u in all_units(root)], [g.loss_sum for g in all_groups(root)]) == before
