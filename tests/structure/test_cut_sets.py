"""Minimal cut sets and importance measures against hand enumeration, brute force over every
state of the basic events, and finite differences of the structure's reliability."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest
import yaml
from support import CONFIGS, cli_problems, orbsim, orbsim_here

from sim.api import load_scenario
from sim.model.design import Design, Part
from sim.model.distributions import Exponential
from sim.model.modes import FailureMode
from sim.model.repair import NoRepair
from sim.structure.cutsets import CutSetError, minimal_cut_sets
from sim.structure.importance import failure_probability, importances, reliability
from sim.structure.tree import Event, Gate, Node, events, structure

LIFE = Exponential(1.0)


def e(name: str) -> Event:
    """A basic event that is its own part."""
    return Event(name, name)


def bridge() -> Gate:
    """The bridge: 1 and 2 from the source, 4 and 5 to the sink, 3 across the middle; it
    works while one of the paths 1-4, 2-5, 1-3-5, 2-3-4 works."""
    one, two, three, four, five = (e(f"c{i}") for i in range(1, 6))
    return Gate(1, (Gate(2, (one, four)), Gate(2, (two, five)), Gate(3, (one, three, five)),
                    Gate(3, (two, three, four))), "bridge")


def works(node: Node, failed: set[str]) -> bool:
    if isinstance(node, Event):
        return node.name not in failed
    return sum(works(child, failed) for child in node.children) >= node.k


def canon(cuts: list[frozenset[str]]) -> list[frozenset[str]]:
    """Cut sets in one order: by size, then by their sorted events."""
    return sorted(cuts, key=lambda c: (len(c), sorted(c)))


def brute_force_cuts(node: Node) -> list[frozenset[str]]:
    """Every minimal failing set, by trying every set of events."""
    names = sorted({event.name for event in events(node)})
    failing = [frozenset(c) for r in range(len(names) + 1)
               for c in itertools.combinations(names, r) if not works(node, set(c))]
    return sorted((c for c in failing if not any(o < c for o in failing)),
                  key=lambda c: (len(c), sorted(c)))


def brute_force_failure(node: Node, q: dict[str, float]) -> float:
    names = sorted(q)
    total = 0.0
    for states in itertools.product((False, True), repeat=len(names)):
        weight = 1.0
        for name, failed in zip(names, states, strict=True):
            weight *= q[name] if failed else 1.0 - q[name]
        if not works(node, {n for n, f in zip(names, states, strict=True) if f}):
            total += weight
    return total


def test_bridge_cut_sets_by_hand() -> None:
    cuts = canon(minimal_cut_sets(bridge()))
    assert cuts == [frozenset({"c1", "c2"}), frozenset({"c4", "c5"}),
                    frozenset({"c1", "c3", "c5"}), frozenset({"c2", "c3", "c4"})]


def test_bridge_reliability_against_its_polynomial() -> None:
    """Identical components: R = 2p² + 2p³ − 5p⁴ + 2p⁵."""
    for p in (0.1, 0.5, 0.9, 0.99):
        q = {f"c{i}": 1.0 - p for i in range(1, 6)}
        assert reliability(bridge(), q) == pytest.approx(
            2 * p**2 + 2 * p**3 - 5 * p**4 + 2 * p**5, rel=1e-12)


def test_birnbaum_is_the_derivative_of_reliability() -> None:
    q = {"c1": 0.1, "c2": 0.2, "c3": 0.3, "c4": 0.15, "c5": 0.25}
    _, found = importances(bridge(), q)
    step = 1e-6
    for item in found:
        name = item.part
        up = reliability(bridge(), {**q, name: q[name] - step})
        down = reliability(bridge(), {**q, name: q[name] + step})
        assert item.birnbaum == pytest.approx((up - down) / (2 * step), rel=1e-6)
        base = failure_probability(bridge(), q)
        assert item.risk_achievement_worth == pytest.approx(
            failure_probability(bridge(), {**q, name: 1.0}) / base, rel=1e-12)
        assert 0.0 <= item.fussell_vesely <= 1.0


def part(name: str, role: str, count: int, required: int, *children: Part, parent: str = "",
         feeds: tuple[str, ...] = (), beta: float = 0.0, fails: bool = True) -> Part:
    path = f"{parent}/{name}" if parent else name
    modes = (FailureMode("failure", LIFE, beta=beta),) if beta else ()
    return Part(name=name, path=path, role=role, count=count, required=required,  # type: ignore[arg-type]
                failure=LIFE if fails else None, repair=NoRepair(), parts=children,
                feeds=feeds, modes=modes)


def test_nested_k_of_n_cut_sets_by_hand() -> None:
    """A bus, and 2 of 3 nodes each needing itself and 1 of its 2 accelerators: {bus}, and
    for each pair of nodes one way to lose each (the node, or both its accelerators)."""
    accelerators = part("acc", "compute", 2, 1, parent="node")
    design = Design(1.0, (part("bus", "bus", 1, 1),
                          part("node", "compute", 3, 2, accelerators)))
    cuts = minimal_cut_sets(structure(design))
    ways = [[{f"node[{i}]"}, {f"node[{i}]/acc[0]", f"node[{i}]/acc[1]"}] for i in range(3)]
    expected = [frozenset({"bus[0]"})] + [
        frozenset(a | b) for i, j in itertools.combinations(range(3), 2)
        for a in ways[i] for b in ways[j]]
    assert len(cuts) == 13
    assert sorted(cuts, key=sorted) == sorted(expected, key=sorted)


def test_a_shared_part_and_a_common_cause_join_the_cut_sets() -> None:
    """A power unit feeding both nodes is a cut set on its own; a common cause of the
    accelerators of a node takes that node's accelerators at once."""
    accelerators = part("acc", "compute", 2, 1, parent="node", beta=0.1)
    design = Design(1.0, (part("pdu", "bus", 1, 1, feeds=("node",)),
                          part("node", "compute", 2, 1, accelerators, fails=False)))
    tree = structure(design)
    cuts = minimal_cut_sets(tree)
    assert cuts[0] == frozenset({"pdu[0]"})
    assert frozenset({"node[0]/acc:common_cause", "node[1]/acc:common_cause"}) in cuts
    assert canon(cuts) == brute_force_cuts(tree)


def random_design(rng: random.Random) -> Design:
    """A small random tree of k-of-n parts, sometimes with a shared part."""
    leaf_count = rng.randint(1, 3)
    leaf = part("acc", "compute", leaf_count, rng.randint(1, leaf_count), parent="node")
    ssd_count = rng.randint(1, 2)
    ssd = part("ssd", "bus", ssd_count, rng.randint(1, ssd_count), parent="node")
    nodes = rng.randint(1, 3)
    top = [part("node", "compute", nodes, rng.randint(1, nodes), leaf, ssd,
                fails=rng.random() < 0.5)]
    if rng.random() < 0.5:
        top.append(part("pdu", "bus", 2, rng.randint(1, 2), feeds=(rng.choice(
            ["node", "node/acc"]),)))
    if rng.random() < 0.5:
        top.append(part("bus", "bus", 1, 1))
    return Design(1.0, tuple(top))


@pytest.mark.parametrize("seed", range(25))
def test_cut_sets_and_probability_against_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    while True:
        tree = structure(random_design(rng))
        names = sorted({event.name for event in events(tree)})
        if len(names) <= 16:
            break
    assert canon(minimal_cut_sets(tree)) == brute_force_cuts(tree)
    q = {name: rng.uniform(0.05, 0.6) for name in names}
    assert failure_probability(tree, q) == pytest.approx(brute_force_failure(tree, q),
                                                         rel=1e-10, abs=1e-14)


def test_max_order_keeps_the_small_sets() -> None:
    assert canon(minimal_cut_sets(bridge(), max_order=2)) == [frozenset({"c1", "c2"}),
                                                              frozenset({"c4", "c5"})]


def test_too_many_cut_sets_is_a_clear_error() -> None:
    wide = Gate(1, tuple(Gate(10, tuple(e(f"x{i}_{j}") for j in range(10)), f"g{i}")
                         for i in range(6)), "wide")
    with pytest.raises(CutSetError, match="limit their order"):
        minimal_cut_sets(wide)


def test_cutsets_command_on_the_reference_cluster() -> None:
    result = orbsim("cutsets", str(CONFIGS / "reference-cluster.yaml"), "--at-years", "5",
                    "--json", check=True)
    analysis = json.loads(result.stdout)
    (group,) = analysis["groups"]
    scenario = load_scenario(CONFIGS / "reference-cluster.yaml")
    tree = structure(scenario.fleet[0].design)
    assert group["cut_sets"] == len(minimal_cut_sets(tree))
    assert sum(kind["sets"] for kind in group["kinds"]) == group["cut_sets"]
    (at,) = group["at"]
    assert at["years"] == 5.0 and 0.0 < at["failure_probability"] < 1.0
    shares = [item["fussell_vesely_part"] for item in at["importance"]]
    assert shares == sorted(shares, reverse=True)
    assert all(item["birnbaum"] >= 0.0 for item in at["importance"])


def test_cutsets_command_refuses_bad_options(tmp_path: Path) -> None:
    problems = cli_problems(orbsim_here("cutsets", str(CONFIGS / "reference-cluster.yaml"),
                                        "--at-years", "0", "--max-order", "0"))
    assert [path for path, _ in problems] == ["--at-years", "--max-order"]
    bad = tmp_path / "bad.yaml"
    document = yaml.safe_load((CONFIGS / "validation" / "cold_standby.yaml").read_text())
    document["fleet"][0]["design"]["parts"][0]["feeds"] = ["computer"]
    bad.write_text(yaml.safe_dump(document))
    (problem,) = cli_problems(orbsim_here("cutsets", str(bad)))
    assert problem[0] == "fleet.0.design.parts.0.feeds.0"


def test_the_ways_a_unit_fails_merge_into_one_event_by_unit() -> None:
    """Two failing modes of one unit are two events by mode and one by unit, whose
    probability is that either struck; phases and shadow time set each mode's age."""
    from sim.model.distributions import Exponential, Fixed
    from sim.model.modes import Phase
    from sim.structure.tree import Timing

    modes = (FailureMode("failure", Exponential(10.0), phase_factors=(3.0, 1.0)),
             FailureMode("thermal", Fixed(5.0), in_eclipse=True))
    cpu = Part(name="cpu", path="cpu", role="compute", count=2, required=1,
               failure=Exponential(10.0), repair=NoRepair(), modes=modes)
    design = Design(1.0, (cpu,))
    timing = Timing((Phase("launch", 0.0), Phase("operations", 2.0)), shadow_fraction=0.4)
    by_mode = structure(design, timing)
    by_unit = structure(design, Timing(timing.phases, 0.4, by_unit=True))
    assert len({e.name for e in events(by_mode)}) == 4
    assert len({e.name for e in events(by_unit)}) == 2
    assert len(minimal_cut_sets(by_mode)) == 4 and len(minimal_cut_sets(by_unit)) == 1
    q_mode = {e.name: e.probability(10.0) for e in events(by_mode)}
    # Age at t = 10: 3 × 2 + 1 × 8 = 14 of the primary law; 0.4 × 10 = 4 < 5 of shadow.
    assert q_mode["cpu[0]"] == pytest.approx(1 - math.exp(-14.0 / 10.0), rel=1e-12)
    assert q_mode["cpu[0]:thermal"] == 0.0
    q_unit = {e.name: e.probability(13.0) for e in events(by_unit)}
    assert q_unit["cpu[0]"] == 1.0
    assert failure_probability(by_unit, {e.name: e.probability(10.0) for e in events(by_unit)}
                               ) == pytest.approx(failure_probability(by_mode, q_mode),
                                                  rel=1e-12)


def test_cut_sets_of_the_reliability_reference_in_a_blink() -> None:
    """A shared supply's pair, the bus, and the nodes' combinations, by unit."""
    from sim.structure.analysis import cut_set_analysis

    scenario = load_scenario(CONFIGS / "reference-cluster-reliability.yaml")
    (group,) = cut_set_analysis(scenario, shadow={"cluster": 0.04})["groups"]
    kinds = {tuple(sorted(kind["parts"].items())): kind for kind in group["kinds"]}
    assert kinds[(("bus", 1),)]["sets"] == 1
    assert kinds[(("pdu", 2),)]["sets"] == 1
    assert sum(kind["sets"] for kind in group["kinds"]) == group["cut_sets"]
