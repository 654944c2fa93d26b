"""The ``launch`` and ``servicing`` sections as the model's plans (SI units), with every
cross-reference checked: fleet groups, part paths, planes, and whether each servicer can reach
every plane of its group with its propellant."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from sim.config.distribution_spec import duration_s
from sim.config.errors import Problem
from sim.config.servicing_spec import LaunchSpec, ServicerSpec, ServicingSpec, StockItemSpec
from sim.constants import WGS72_RADIUS_M
from sim.model.design import Part
from sim.model.distributions import Distribution
from sim.model.repair import ServicerRepair
from sim.model.servicing.plan import (
    SATELLITE,
    DepotPlan,
    LaunchService,
    Policy,
    ServicerPlan,
    ServicingPlan,
    StockRule,
)
from sim.model.servicing.travel import Mobility, Slot, trip
from sim.scenario import Scenario
from sim.slots import fleet_slots
from sim.units import DAY_S, HOUR_S

# Lowest altitude a servicer's drift or phasing orbit may fly, m: below ~200 km drag brings a
# spacecraft down within days (the Feb 2022 Starlink loss at ~210 km, docs/sources.md §5.3);
# the same 150 km floor the orbit definitions use for any perigee.
MIN_DRIFT_ALTITUDE_M = 150_000.0

ToDistribution = Callable[[Any], Distribution]
ToPart = Callable[[Any, str], Part]


def to_launch(spec: LaunchSpec | None, distribution: ToDistribution) -> LaunchService | None:
    if spec is None:
        return None
    return LaunchService(
        lead=None if spec.lead is None else distribution(spec.lead),
        failure_probability=spec.failure_probability,
        mass_capacity_kg=spec.mass_capacity_kg if spec.mass_capacity_kg is not None else math.inf,
        usd_per_kg=spec.usd_per_kg,
    )


def with_servicing(scenario: Scenario, spec: ServicingSpec | None, distribution: ToDistribution,
                   to_part: ToPart) -> tuple[Scenario, list[Problem]]:
    """``scenario`` with its servicing plan, or the problems that stop it."""
    problems: list[Problem] = []
    serviced = _serviced_parts(scenario)
    if spec is None:
        for group, paths in serviced.items():
            index = _group_index(scenario, group)
            problems.append(Problem(f"fleet.{index}.design", f"part {paths[0]!r} is repaired by "
                                    "servicer, but the scenario has no servicing section"))
        return scenario, problems
    launch = scenario.launch or LaunchService()
    groups = {g.name: i for i, g in enumerate(scenario.fleet)}
    slots = fleet_slots(scenario)
    servicers = []
    unresolved = False
    for i, item in enumerate(spec.servicers):
        where = f"servicing.servicers.{i}"
        _unique(spec.servicers, i, "servicer", where, problems)
        group = _resolve_group(item.group, groups, f"{where}.group", problems)
        if group is None:
            unresolved = True
            continue
        plan = _servicer(item, group, distribution, to_part)
        problems.extend(_servicer_problems(plan, scenario, slots, launch, where))
        servicers.append(plan)
    served = {plan.group for plan in servicers}
    for group, paths in serviced.items():
        if groups[group] not in served and not unresolved:
            problems.append(Problem("servicing.servicers", f"no servicer serves fleet group "
                                    f"{group!r}, whose part {paths[0]!r} is repaired by servicer"))
    for group in served:
        fleets = [plan for plan in servicers if plan.group == group]
        if len(fleets) > 1 and any(plan.count is None for plan in fleets):
            index = next(i for i, item in enumerate(spec.servicers)
                         if item.count == "unlimited" and groups.get(item.group) == group)
            problems.append(Problem(f"servicing.servicers.{index}.count", "an unlimited fleet "
                                    "takes every job of its group: no other fleet may serve it"))
    depots = []
    stocked: set[tuple[int, str]] = set()
    for i, depot in enumerate(spec.depots):
        where = f"servicing.depots.{i}"
        _unique(spec.depots, i, "depot", where, problems)
        group = _resolve_group(depot.group, groups, f"{where}.group", problems)
        if group is None:
            continue
        items = []
        for j, item in enumerate(depot.items):
            rule = _stock_rule(item, scenario, group, serviced, launch, f"{where}.items.{j}",
                               problems, distribution)
            if rule is None:
                continue
            if (group, rule.item) in stocked:
                problems.append(Problem(f"{where}.items.{j}.part", f"{rule.item!r} of fleet "
                                        f"group {depot.group!r} is already stocked by a depot"))
            stocked.add((group, rule.item))
            items.append(rule)
        depots.append(DepotPlan(depot.name, group, depot.location, tuple(items),
                                None if depot.delivery is None else distribution(depot.delivery)))
    policy = _policy(spec, serviced, problems)
    needs_launch = (policy.replace != "never" or any(p.replacement for p in servicers)
                    or any(r.initial is not None and r.review != "none"
                           for d in depots for r in d.items))
    if needs_launch and launch.lead is None:
        problems.append(Problem("launch.lead", "required key is missing (reorders, replacements "
                                "and new servicers arrive by launch)"))
    for i, group in enumerate(scenario.fleet):
        capacity = launch.mass_capacity_kg
        if policy.replace != "never" and group.design.mass_kg > capacity:
            problems.append(Problem(f"fleet.{i}.design.mass_kg", f"{group.design.mass_kg:g} kg "
                                    f"is more than one launch lifts ({capacity:g} kg)"))
    plan = ServicingPlan(tuple(servicers), tuple(depots), policy, launch)
    return dataclasses.replace(scenario, servicing=plan), problems


def _serviced_parts(scenario: Scenario) -> dict[str, list[str]]:
    """Each fleet group's part paths repaired by servicer."""
    found: dict[str, list[str]] = {}

    def walk(parts: tuple[Part, ...], group: str) -> None:
        for part in parts:
            if isinstance(part.repair, ServicerRepair):
                found.setdefault(group, []).append(part.path)
            walk(part.parts, group)

    for group in scenario.fleet:
        walk(group.design.parts, group.name)
    return found


def _all_parts(parts: tuple[Part, ...]) -> dict[str, Part]:
    found: dict[str, Part] = {}
    for part in parts:
        found[part.path] = part
        found.update(_all_parts(part.parts))
    return found


def _group_index(scenario: Scenario, name: str) -> int:
    return next(i for i, g in enumerate(scenario.fleet) if g.name == name)


def _resolve_group(name: str, groups: dict[str, int], where: str,
                   problems: list[Problem]) -> int | None:
    if name in groups:
        return groups[name]
    problems.append(Problem(where, f"no fleet group named {name!r} (here: {', '.join(groups)})"))
    return None


def _servicer(spec: ServicerSpec, group: int, distribution: ToDistribution,
              to_part: ToPart) -> ServicerPlan:
    return ServicerPlan(
        name=spec.name,
        group=group,
        count=None if spec.count == "unlimited" else spec.count,
        visit=distribution(spec.visit),
        mobility=Mobility(
            formation_transfer_s=spec.formation_transfer_h * HOUR_S,
            rendezvous_s=spec.rendezvous_h * HOUR_S,
            phasing_altitude_m=spec.phasing_altitude_km * 1e3,
            plane_change=spec.plane_change,
            drift_altitude_m=spec.drift_altitude_km * 1e3,
        ),
        home_plane=spec.home_plane,
        success_probability=spec.success_probability,
        collateral_damage_probability=spec.collateral_damage_probability,
        delta_v_budget_m_s=(spec.delta_v_budget_m_s if spec.delta_v_budget_m_s is not None
                            else math.inf),
        refuel_s=spec.refuel_days * DAY_S,
        parts=tuple(to_part(p, "") for p in spec.parts),
        replacement=spec.replace_when_lost,
        mass_kg=spec.mass_kg,
        cost_usd=spec.cost_usd,
        cost_usd_per_year=spec.cost_usd_per_year,
        visit_cost_usd=spec.visit_cost_usd,
        refuel_cost_usd=spec.refuel_cost_usd,
    )


def _unique(items: list[Any], index: int, what: str, where: str,
            problems: list[Problem]) -> None:
    name = items[index].name
    if any(other.name == name for other in items[:index]):
        problems.append(Problem(f"{where}.name", f"duplicate {what} name {name!r}"))


def _servicer_problems(plan: ServicerPlan, scenario: Scenario, slots: list[Slot],
                       launch: LaunchService, where: str) -> list[Problem]:
    """What stops a servicer: parts it cannot have, a mass no launch lifts, an orbit it
    cannot reach."""
    problems = []
    for path, part in _all_parts(plan.parts).items():
        if part.repair.repairs:
            problems.append(Problem(f"{where}.parts", f"part {path!r}: a servicer's parts are "
                                    "not repaired (repair: none); a lost servicer is replaced "
                                    "with replace_when_lost"))
        if part.role == "battery":
            problems.append(Problem(f"{where}.parts", f"part {path!r}: a servicer has no "
                                    "battery part (use role bus)"))
    if plan.replacement and plan.mass_kg > launch.mass_capacity_kg:
        problems.append(Problem(f"{where}.mass_kg", f"{plan.mass_kg:g} kg is more than one "
                                f"launch lifts ({launch.mass_capacity_kg:g} kg)"))
    return problems + _reach(plan, scenario, slots, where)


def _reach(plan: ServicerPlan, scenario: Scenario, slots: list[Slot],
           where: str) -> list[Problem]:
    """Whether the servicer's home plane exists, its drift orbits stay above the atmosphere,
    and every trip from home fits its Δv budget."""
    group = scenario.fleet[plan.group]
    own = [slot for slot in slots if slot.group == plan.group]
    altitude_m = own[0].semi_major_axis_m - WGS72_RADIUS_M
    if own[0].semi_major_axis_m > 0:
        for key, offset_m in (("drift_altitude_km", plan.mobility.drift_altitude_m),
                              ("phasing_altitude_km", plan.mobility.phasing_altitude_m)):
            if altitude_m - offset_m < MIN_DRIFT_ALTITUDE_M:
                return [Problem(f"{where}.{key}", f"a drift orbit {offset_m / 1e3:g} km below "
                                f"fleet group {group.name!r} ({altitude_m / 1e3:.0f} km) would "
                                f"fly below {MIN_DRIFT_ALTITUDE_M / 1e3:.0f} km; must be ≤ "
                                f"{(altitude_m - MIN_DRIFT_ALTITUDE_M) / 1e3:.0f}")]
    planes = max(slot.plane for slot in own) + 1
    if plan.home_plane >= planes:
        return [Problem(f"{where}.home_plane", f"fleet group {group.name!r} has {planes} "
                        f"plane(s) (0 to {planes - 1}), got {plan.home_plane}")]
    home = next(slot for slot in own if slot.plane == plan.home_plane)
    worst = 0.0
    worst_plane = 0
    for slot in own:
        try:
            move = trip(home, slot, False, plan.mobility)
        except ValueError as exc:
            return [Problem(f"{where}.plane_change", f"cannot drift between planes of fleet "
                            f"group {group.name!r}: {exc}; use delta_v")]
        if move.delta_v_m_s > worst:
            worst, worst_plane = move.delta_v_m_s, slot.plane
    if worst > plan.delta_v_budget_m_s:
        return [Problem(f"{where}.delta_v_budget_m_s", f"cannot reach plane {worst_plane} of "
                        f"fleet group {group.name!r}: the trip needs {worst:.0f} m/s, the budget "
                        f"is {plan.delta_v_budget_m_s:g} m/s")]
    return []


def _stock_rule(item: StockItemSpec, scenario: Scenario, group: int,
                serviced: dict[str, list[str]], launch: LaunchService, where: str,
                problems: list[Problem], distribution: ToDistribution) -> StockRule | None:
    fleet_group = scenario.fleet[group]
    initial = None if item.initial == "unlimited" else item.initial
    if item.part == SATELLITE:
        mass, cost = fleet_group.design.mass_kg, fleet_group.design.cost_usd
    else:
        parts = _all_parts(fleet_group.design.parts)
        part = parts.get(item.part)
        if part is None:
            choices = ", ".join(serviced.get(fleet_group.name, [])) or "none"
            problems.append(Problem(f"{where}.part", f"no part {item.part!r} in fleet group "
                                    f"{fleet_group.name!r} (parts repaired by servicer: "
                                    f"{choices}; or 'satellite')"))
            return None
        if not isinstance(part.repair, ServicerRepair):
            problems.append(Problem(f"{where}.part", f"part {item.part!r} is not repaired by "
                                    f"servicer (its repair is not 'servicer'), so no spare of it "
                                    f"is used"))
            return None
        mass, cost = part.mass_kg, part.cost_usd
    if mass > launch.mass_capacity_kg:
        problems.append(Problem(f"{where}.part", f"one {item.part!r} ({mass:g} kg) is more "
                                f"than one launch lifts ({launch.mass_capacity_kg:g} kg)"))
    delivery = None if item.delivery is None else distribution(item.delivery)
    if item.review_days is not None:
        assert item.order_up_to is not None
        return StockRule(item.part, initial, "periodic", review_interval_s=item.review_days * DAY_S,
                         order_up_to=item.order_up_to, mass_kg=mass, unit_cost_usd=cost,
                         delivery=delivery)
    if item.reorder_point is not None:
        assert item.order_quantity is not None
        return StockRule(item.part, initial, "continuous", reorder_point=item.reorder_point,
                         order_quantity=item.order_quantity, mass_kg=mass, unit_cost_usd=cost,
                         delivery=delivery)
    return StockRule(item.part, initial, "none", mass_kg=mass, unit_cost_usd=cost,
                     delivery=delivery)


def _policy(spec: ServicingSpec, serviced: dict[str, list[str]],
            problems: list[Problem]) -> Policy:
    policy = spec.policy
    kind = policy.kind
    known = {path for paths in serviced.values() for path in paths}
    preventive = []
    for i, item in enumerate(policy.preventive):
        if any(other.part == item.part for other in policy.preventive[:i]):  # type: ignore[attr-defined]
            problems.append(Problem(f"servicing.policy.preventive.{i}.part",
                                    f"{item.part!r} is already given an age"))  # type: ignore[attr-defined]
            continue
        if item.part not in known:  # type: ignore[attr-defined]
            problems.append(Problem(f"servicing.policy.preventive.{i}.part",
                                    f"no part {item.part!r} is repaired by servicer "  # type: ignore[attr-defined]
                                    f"(here: {', '.join(sorted(known)) or 'none'})"))
            continue
        preventive.append((item.part, duration_s(item, "age")))  # type: ignore[attr-defined]
    bundle = "unit"
    if kind == "opportunistic":
        bundle = policy.scope or "satellite"
    elif kind in ("threshold", "periodic"):
        bundle = "satellite"
    return Policy(
        trigger="corrective" if kind == "opportunistic" else kind,
        queue_order=policy.queue_order,
        capacity_below=policy.capacity_below,
        margin_below=policy.margin_below,
        interval_s=(policy.interval_days or 0.0) * DAY_S,
        bundle=bundle,  # type: ignore[arg-type]
        preventive=tuple(preventive),
        replace=policy.replace,
    )
