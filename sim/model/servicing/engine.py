"""The maintenance model of one replication: unit lives, the policy's jobs, spares, servicers
and satellite replacement, wired to the satellites' state (and so to the recorder).

A failed unit a servicer can swap goes through the causes ``deferred`` (the policy has not
sent anyone yet), ``waiting_for_spare``, ``waiting_for_servicer``, ``servicer_travel`` and
``repair``; a satellite being replaced is ``waiting_for_replacement``; a unit nobody repairs
stays ``hardware_failure``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sim.model.calendar import Calendar
from sim.model.design import Design, Part
from sim.model.distributions import Distribution
from sim.model.modes import CAUSE_LATENT, EVENT_LATENT_FOUND, PRIMARY_MODE
from sim.model.parts import Unit
from sim.model.repair import (
    CAUSE_DEFERRED,
    CAUSE_FAILED,
    CAUSE_REPAIR,
    CAUSE_SERVICER_TRAVEL,
    CAUSE_WAITING_FOR_REPLACEMENT,
    CAUSE_WAITING_FOR_SERVICER,
    CAUSE_WAITING_FOR_SPARE,
    TimedRepair,
)
from sim.model.servicing import travel
from sim.model.servicing.jobs import Job, ReadyQueue
from sim.model.servicing.ledger import Ledger
from sim.model.servicing.lives import RenewalDraws, SatelliteState, UnitLife
from sim.model.servicing.plan import SATELLITE, DepotPlan, ServicerPlan, ServicingPlan, StockRule
from sim.model.servicing.servicer import Servicer, servicer_lifetime_s
from sim.model.servicing.stock import Stock
from sim.model.upsets import OUTAGE_CAUSES
from sim.units import YEAR_S

StreamOf = Callable[[str], np.random.Generator]


class Maintenance:
    """Every maintained satellite of one replication, and what keeps them working."""

    def __init__(self, env: simpy.Environment, plan: ServicingPlan, designs: Sequence[Design],
                 group_names: Sequence[str], horizon_s: float, stream: StreamOf):
        self.env = env
        self.plan = plan
        self.policy = plan.policy
        self.designs = designs
        self.group_names = group_names
        self.horizon_s = horizon_s
        self.stream = stream
        self.ledger = Ledger()
        # Where the units' failures and preventive swaps wait until they are due.
        self.calendar = Calendar(env, horizon_s)
        self.states: list[SatelliteState] = []
        self.by_group: list[list[SatelliteState]] = [[] for _ in group_names]
        self.queue: list[ReadyQueue] = [ReadyQueue() for _ in group_names]
        self.idle: list[list[Servicer]] = [[] for _ in group_names]
        self.servicers: list[Servicer] = []
        self.unlimited: list[ServicerPlan | None] = [None] * len(group_names)
        self.plans: list[list[ServicerPlan]] = [[] for _ in group_names]
        for servicer_plan in plan.servicers:
            self.plans[servicer_plan.group].append(servicer_plan)
            if servicer_plan.count is None:
                self.unlimited[servicer_plan.group] = servicer_plan
        self.stocks: dict[tuple[int, str], Stock] = {}
        # The depot declaring each stocked item (none: a group's make-to-order satellites).
        self.declared_by: dict[tuple[int, str], DepotPlan] = {}
        # Each stocked item's time from its depot to where it is used, and its stream.
        self.delivery: dict[tuple[int, str], tuple[Distribution, np.random.Generator]] = {}
        self.preventive_age_s = dict(self.policy.preventive)
        # Satellites holding deferred units (failed, no job yet).
        self.waiting: set[SatelliteState] = set()
        # Satellites with latent failures nobody has found yet.
        self.hidden: set[SatelliteState] = set()
        self._outcomes = stream("servicing/outcomes")
        # Per servicer origin (group, plane, node, mobility): its group's planes by least trip;
        # and per group, a slot of each of its planes.
        self._plane_orders: dict[tuple[int, int, float, travel.Mobility],
                                 list[tuple[float, int]]] = {}
        self._plane_slots: dict[int, dict[int, travel.Slot]] = {}
        self._first: list[tuple[UnitLife, float]] = []

    # -- building ---------------------------------------------------------------------------

    def add_satellite(self, state: SatelliteState) -> None:
        self.states.append(state)
        self.by_group[state.group].append(state)

    def add_part(self, part: Part, stream_name: str, units: Sequence[tuple[SatelliteState, list]],
                 first_lifetimes_s: Sequence[float],
                 wear: Callable[[float], float] | None = None) -> None:
        """The units of one part on every satellite of a group, with their first lifetimes
        (``units`` pairs each satellite's state with its units of the part, in order);
        ``wear(installed_s)`` is the radiation lifetime of a unit installed then, if any."""
        assert part.failure is not None
        key = f"{self.group_names[units[0][0].group]}/{stream_name}" if units else stream_name
        columns = len(units) * part.count
        renewals = RenewalDraws(part.failure, _lazy(self.stream, f"renewal/{key}"), columns,
                                wear)
        # The part's other failure modes: their own draws, first lives and renewals.
        others = [RenewalDraws(mode.lifetime, _lazy(self.stream, f"renewal/{key}:{mode.name}"),
                               columns) for mode in part.modes[1:]]
        firsts = [mode.lifetime.sample_many(self.stream(f"first/{key}:{mode.name}"),
                                            columns).tolist() for mode in part.modes[1:]]
        repairs = _cached(self.stream, f"repair/{key}")
        for member, (state, member_units) in enumerate(units):
            offset = member * part.count
            for slot, unit in enumerate(member_units):
                column = offset + slot
                life = UnitLife(unit, part, state, renewals, column, repairs, others)
                first_s = first_lifetimes_s[column]
                for mode, lives in enumerate(firsts, start=1):
                    if lives[column] < first_s:
                        first_s, life.mode = lives[column], mode
                state.lives.append(life)
                self._first.append((life, first_s))

    def start(self) -> None:
        """Stock the depots, launch the servicers and start every unit's first life."""
        for depot in self.plan.depots:
            for rule in depot.items:
                self._add_stock(depot, rule)
        for group, design in enumerate(self.designs):
            if self.by_group[group] and (group, SATELLITE) not in self.stocks:
                # No spare satellites: each replacement is bought and launched on demand.
                self._add_stock(None, StockRule(SATELLITE, 0, reorder_point=-1,
                                                order_quantity=1, mass_kg=design.mass_kg,
                                                unit_cost_usd=design.cost_usd), group)
        for servicer_plan in self.plan.servicers:
            if servicer_plan.count is None:
                continue
            for number in range(servicer_plan.count):
                self._launch_servicer(servicer_plan, number)
        for life, first_s in self._first:
            self._schedule(life, first_s)
        self._first = []
        if self.policy.trigger == "periodic":
            self.env.process(self._tours())

    def _add_stock(self, depot: DepotPlan | None, rule: StockRule, group: int = -1) -> None:
        group = depot.group if depot is not None else group
        name = f"{depot.name if depot else self.group_names[group]}/{rule.item}"
        stock = Stock(self.env, name, rule, self.plan.launch, self.ledger,
                      self.stream(f"launch/{name}"))
        self.stocks[(group, rule.item)] = stock
        if depot is not None:
            self.declared_by[(group, rule.item)] = depot
        delivery = rule.delivery or (depot.delivery if depot is not None else None)
        if delivery is not None:
            self.delivery[(group, rule.item)] = (delivery, self.stream(f"delivery/{name}"))

    # -- unit lives -------------------------------------------------------------------------

    def _schedule(self, life: UnitLife, lifetime_s: float) -> None:
        now = self.env.now
        generation = life.generation
        self.calendar.at(now + lifetime_s, self._on_failure, (life, generation))
        age_s = self.preventive_age_s.get(life.part.path)
        if age_s is not None and age_s < lifetime_s:
            self.calendar.at(now + age_s, self._on_age, (life, generation))

    def _install(self, life: UnitLife) -> None:
        """A new unit goes in now."""
        life.generation += 1
        life.installed_s = self.env.now
        life.job = None
        life.failed_in_swap = False
        self._schedule(life, life.next_lifetime())

    def _on_failure(self, due: tuple[UnitLife, int]) -> None:
        life, generation = due
        if life.generation == generation:
            self._fail(life)

    def _on_age(self, due: tuple[UnitLife, int]) -> None:
        life, generation = due
        if (life.generation == generation and life.job is None
                and not _failed(life.unit) and not life.state.replacing):
            self.ledger.count("preventive_jobs")
            self._make_job(life, preventive=True)

    def _fail(self, life: UnitLife) -> None:
        env = self.env
        unit = life.unit
        state = life.state
        satellite = state.satellite
        job: Job | None = life.job  # type: ignore[assignment]
        if _failed(unit):
            # Down for a preventive swap under way: the swap will find it failed.
            life.failed_in_swap = True
            if job is not None:
                job.preventive = False
            satellite.recorder.event(env.now, satellite.index, "failures", unit.path)
            return
        latent = life.part.latent
        if life.part.modes:
            mode = life.part.modes[life.mode]
            latent = mode.latent
            unit.failed_label = (unit.path if mode.name == PRIMARY_MODE  # type: ignore[attr-defined]
                                 else f"{unit.path}:{mode.name}")
        if state.replacing:
            satellite.fail(env.now, unit, CAUSE_WAITING_FOR_REPLACEMENT)
            return
        if latent and life.serviced:
            satellite.fail(env.now, unit, CAUSE_LATENT)
            state.hidden.add(life)
            self.hidden.add(state)
            return
        if not life.serviced:
            repair = life.part.repair
            if isinstance(repair, TimedRepair):
                satellite.fail(env.now, unit, CAUSE_REPAIR)
                done = env.timeout(repair.duration.sample(life.visits()),
                                   value=(life, life.generation))
                done.callbacks.append(self._timed_repair_done)
            else:
                satellite.fail(env.now, unit, CAUSE_FAILED)
                self._check_replacement(state)
            return
        if job is not None:
            job.preventive = False
            satellite.fail(env.now, unit, job.phase or CAUSE_WAITING_FOR_SPARE)
        elif self.policy.trigger == "corrective":
            # The job is made first, so that the unit fails straight into its first phase.
            self._make_job(life)
            satellite.fail(env.now, unit, life.job.phase)  # type: ignore[union-attr]
        else:
            satellite.fail(env.now, unit, CAUSE_DEFERRED)
            state.deferred.add(life)
            self.waiting.add(state)
            self._policy_on_failure(state, life)
        self._check_replacement(state)

    def _timed_repair_done(self, event: simpy.Event) -> None:
        life, generation = event.value
        if life.generation == generation and life.unit.failed_cause == CAUSE_REPAIR:
            life.state.satellite.restore(self.env.now, life.unit)
            self._install(life)

    # -- the policy -------------------------------------------------------------------------

    def _policy_on_failure(self, state: SatelliteState, life: UnitLife) -> None:
        trigger = self.policy.trigger
        if trigger == "corrective":
            self._make_job(life)
        elif trigger == "threshold" and self._below_threshold(state):
            self._jobs_for_deferred(state)

    def _below_threshold(self, state: SatelliteState) -> bool:
        policy = self.policy
        if policy.capacity_below is not None and state.satellite.capacity < policy.capacity_below:
            return True
        return policy.margin_below is not None and state.margin() < policy.margin_below

    def _jobs_for_deferred(self, state: SatelliteState) -> None:
        for life in sorted(state.deferred, key=lambda lf: (lf.unit.path, lf.column)):
            self._make_job(life)

    def _reveal(self, state: SatelliteState) -> None:
        """Latent failures on ``state`` come to light (an inspection tour, or a servicer at
        the satellite): they go to the policy as failures seen now."""
        now = self.env.now
        satellite = state.satellite
        self.hidden.discard(state)
        found = sorted(state.hidden, key=lambda lf: (lf.unit.path, lf.column))
        state.hidden.clear()
        for life in found:
            satellite.recorder.event(now, satellite.index, EVENT_LATENT_FOUND, life.unit.label)
            satellite.set_cause(now, life.unit, CAUSE_DEFERRED)
            state.deferred.add(life)
        self.waiting.add(state)
        for life in found:
            if life in state.deferred:
                self._policy_on_failure(state, life)
        self._check_replacement(state)

    def _tours(self) -> Generator[simpy.Event, Any, None]:
        """Inspection tours: every failed unit found gets a job, latent ones included."""
        while True:
            yield self.env.timeout(self.policy.interval_s)
            self.ledger.count("inspection_tours")
            for state in sorted(self.hidden, key=lambda st: st.satellite.index):
                if not state.replacing:
                    self._reveal(state)
            for state in sorted(self.waiting, key=lambda st: st.satellite.index):
                if not state.replacing:
                    self._jobs_for_deferred(state)

    # -- jobs -------------------------------------------------------------------------------

    def _phase(self, job: Job, cause: str) -> None:
        """The job moves on; its unit, if down, is charged to ``cause`` from now."""
        job.phase = cause
        unit = job.life.unit
        if (_failed(unit) or cause == CAUSE_REPAIR) and unit.failed_cause != cause:
            job.life.state.satellite.set_cause(self.env.now, unit, cause)

    def _make_job(self, life: UnitLife, preventive: bool = False) -> None:
        state = life.state
        state.deferred.discard(life)
        if not state.deferred:
            self.waiting.discard(state)
        job = Job(life, preventive, self.env.now)
        life.job = job
        self.ledger.count("jobs")
        stock = self.stocks.get((state.group, life.part.path))
        if stock is None:
            # Spares at hand without a depot: each is bought and launched as it is used.
            part = life.part
            self.ledger.pay("spares", part.cost_usd)
            self.ledger.pay("launches", part.mass_kg * self.plan.launch.usd_per_kg)
            self._spare_in_hand(job)
            return
        job.stock = stock
        self._phase(job, CAUSE_WAITING_FOR_SPARE)

        def fill() -> None:
            self._spare_in_hand(job)

        job.fill = fill
        if stock.demand(fill):
            self._spare_in_hand(job)

    def _spare_in_hand(self, job: Job) -> None:
        job.spare = True
        job.fill = None
        if job.cancelled:
            self._return_spare(job)
            return
        delivery = self.delivery.get((job.life.state.group, job.life.part.path))
        if delivery is not None:
            delay = delivery[0].sample(delivery[1])
            arrival = self.env.timeout(delay, value=job)
            arrival.callbacks.append(lambda event: self._ready(event.value))
        else:
            self._ready(job)

    def _return_spare(self, job: Job) -> None:
        if job.spare and job.stock is not None:
            job.stock.put_back()
        job.spare = False

    def _ready(self, job: Job) -> None:
        if job.cancelled:
            self._return_spare(job)
            return
        self._phase(job, CAUSE_WAITING_FOR_SERVICER)
        group = job.life.state.group
        solo = self.unlimited[group]
        if solo is not None:
            self.env.process(self._solo(solo, job))
            return
        self.queue[group].add(job)
        idle = self.idle[group]
        if idle:
            servicer = idle.pop()
            assert servicer.wake is not None
            servicer.wake.succeed()

    def take(self, servicer: Servicer) -> list[Job]:
        """The jobs a free servicer takes next (empty if none is waiting)."""
        queue = self.queue[servicer.plan.group]
        if not queue:
            return []
        job = self._pick(servicer, queue)
        queue.remove(job)
        jobs = [job]
        if self.policy.bundle != "unit":
            same = queue.at(job.life.state)
            for other in same:
                queue.remove(other)
            jobs.extend(same)
        return jobs

    def _pick(self, servicer: Servicer, queue: ReadyQueue) -> Job:
        policy = self.policy
        if policy.bundle == "plane":
            origin = servicer.slot
            # The quickest phasing trip is to one of the satellites nearest along the plane.
            near = queue.around(origin.plane, origin.arg_latitude_rad)
            if near:
                plane = near[0].life.state.slot
                if plane.formation or plane.semi_major_axis_m <= 0.0:
                    near = queue.in_plane(origin.plane)
                return _quickest(servicer, near)
        if policy.queue_order == "fifo":
            return queue.first()
        if policy.queue_order == "most_lost":
            return min(queue, key=lambda job: job.life.state.satellite.capacity)
        return _nearest(servicer, queue, self._planes_by_least_trip(servicer))

    def _planes_by_least_trip(self, servicer: Any) -> list[tuple[float, int]]:
        """(least trip time, plane) for every plane of the servicer's group, from where it is,
        sorted: a lower bound depends on the two planes alone (``travel.least_duration_s``),
        so each origin's order is computed once per replication, not at every pick."""
        origin = servicer.slot
        mobility = servicer.plan.mobility
        key = (origin.group, origin.plane, origin.raan_rad, mobility)
        order = self._plane_orders.get(key)
        if order is None:
            slots = self._plane_slots.get(origin.group)
            if slots is None:
                slots = self._plane_slots[origin.group] = {}
                for state in self.by_group[origin.group]:
                    slots.setdefault(state.slot.plane, state.slot)
            order = sorted((travel.least_duration_s(origin, slot, mobility), plane)
                           for plane, slot in slots.items())
            self._plane_orders[key] = order
        return order

    def serve(self, servicer: Any, jobs: list[Job]) -> Generator[simpy.Event, Any, None]:
        """Travel to the jobs' satellite and swap their units one after the other. ``jobs``
        keeps the jobs not finished yet (the caller re-queues them if the servicer is lost)."""
        plan: ServicerPlan = servicer.plan
        ledger = self.ledger
        target = jobs[0].life.state
        ledger.count("trips")
        move = travel.trip(servicer.slot, target.slot, servicer.at == target.satellite.index,
                           plan.mobility)
        delay_s = move.duration_s
        if move.delta_v_m_s > servicer.budget_m_s:
            delay_s += plan.refuel_s
            ledger.count("refuels")
            ledger.pay("refuels", plan.refuel_cost_usd)
            servicer.budget_m_s = plan.delta_v_budget_m_s
        servicer.budget_m_s -= move.delta_v_m_s
        ledger.delta_v_m_s += move.delta_v_m_s
        if delay_s > 0.0:
            for job in jobs:
                self._phase(job, CAUSE_SERVICER_TRAVEL)
            yield from self._work(delay_s)
        servicer.slot = target.slot
        servicer.at = target.satellite.index
        if target.hidden and not target.replacing:
            self._reveal(target)
        if self.policy.bundle != "unit":
            jobs.extend(self._gather(target))
        while jobs:
            job = jobs[0]
            if job.cancelled:
                self._return_spare(job)
                jobs.pop(0)
                continue
            life = job.life
            self._phase(job, CAUSE_REPAIR)
            yield from self._work(plan.visit.sample(life.visits()))
            jobs.pop(0)
            ledger.count("visits")
            ledger.pay("visits", plan.visit_cost_usd)
            if job.cancelled:
                self._return_spare(job)
                continue
            draws = self._outcomes.random(2)
            if draws[0] < plan.success_probability:
                self._swapped(job)
            else:
                ledger.count("failed_visits")
                self._unswapped(job)
            if draws[1] < plan.collateral_damage_probability:
                self._collateral(target, life)

    def _work(self, duration_s: float) -> Generator[simpy.Event, Any, None]:
        """A servicer busy for ``duration_s`` (travelling or at work); its busy time up to the
        horizon is counted at once and given back if it is lost before the end."""
        env = self.env
        end_s = min(env.now + duration_s, self.horizon_s)
        self.ledger.busy_s += end_s - env.now
        try:
            yield env.timeout(duration_s)
        except simpy.Interrupt:
            self.ledger.busy_s -= end_s - env.now
            raise

    def _gather(self, target: SatelliteState) -> list[Job]:
        """On arrival, for a bundling policy: jobs for the satellite's deferred units (and its
        plane's, bundling by plane), and the satellite's ready jobs, taken from the queue."""
        if target.deferred and not target.replacing:
            self._jobs_for_deferred(target)
        if self.policy.bundle == "plane":
            plane = target.slot.plane
            for state in sorted(self.waiting, key=lambda st: st.satellite.index):
                if (state.group == target.group and state.slot.plane == plane
                        and not state.replacing):
                    self._jobs_for_deferred(state)
        queue = self.queue[target.group]
        here = queue.at(target)
        for job in here:
            queue.remove(job)
        return here

    def _swapped(self, job: Job) -> None:
        life = job.life
        if job.preventive:
            self.ledger.count("preventive_swaps")
        job.spare = False
        life.state.satellite.restore(self.env.now, life.unit)
        self._install(life)
        if life.part.parts:
            self._renew_inside(life)

    def _renew_inside(self, swapped: UnitLife) -> None:
        """A swapped unit that holds parts (an orbital replacement unit, such as a node)
        comes with new ones: every unit inside it works again with a fresh life, and the jobs
        for those that had failed are called off."""
        inside = [life for life in swapped.state.lives
                  if life is not swapped and _holds(swapped.unit, life.unit)]
        if not inside:
            return
        state = swapped.state
        queue = self.queue[state.group]
        for life in inside:
            self._cancel(life, queue)
            state.deferred.discard(life)
            state.hidden.discard(life)
        if not state.deferred:
            self.waiting.discard(state)
        if not state.hidden:
            self.hidden.discard(state)
        self.ledger.count("oru_swaps")
        state.satellite.renew(self.env.now, [life.unit for life in inside])
        for life in inside:
            self._install(life)

    def _cancel(self, life: UnitLife, queue: ReadyQueue) -> None:
        """Call off ``life``'s job, if it has one (its spare goes back to stock)."""
        job: Job | None = life.job  # type: ignore[assignment]
        if job is None:
            return
        job.cancelled = True
        if job.fill is not None and job.stock is not None:
            job.stock.cancel(job.fill)
            job.fill = None
        elif job in queue:
            queue.remove(job)
            self._return_spare(job)
        life.job = None

    def _unswapped(self, job: Job) -> None:
        """A failed visit: the spare is kept; a failed unit waits for another visit."""
        life = job.life
        if job.preventive and not life.failed_in_swap:
            life.job = None
            self._return_spare(job)
            life.state.satellite.set_cause(self.env.now, life.unit, None)
            return
        job.preventive = False
        self._ready(job)

    def _collateral(self, state: SatelliteState, spared: UnitLife) -> None:
        """The visit damaged another working unit of the satellite."""
        working = [life for life in state.lives
                   if life is not spared and not _failed(life.unit)]
        if working:
            self.ledger.count("collateral_failures")
            victim = working[int(self._outcomes.integers(len(working)))]
            self._fail(victim)

    def _solo(self, plan: ServicerPlan, job: Job) -> Generator[simpy.Event, Any, None]:
        """A servicer of an unlimited fleet: from the group's home slot, one trip."""
        visitor = _Visitor(plan, self._home(plan))
        self.queue[plan.group].add(job)
        yield from self.serve(visitor, self.take(visitor))

    # -- servicers --------------------------------------------------------------------------

    def _home(self, plan: ServicerPlan, number: int = 0) -> tuple[travel.Slot, int]:
        """Where servicer ``number`` of ``plan`` starts: the fleet's servicers are spread
        evenly over the group's planes from ``home_plane`` on."""
        states = self.by_group[plan.group]
        planes = states[-1].slot.plane + 1
        count = plan.count or 1
        plane = (plan.home_plane + (number % count) * planes // count) % planes
        home = next((s for s in states if s.slot.plane == plane), states[0])
        return home.slot, home.satellite.index

    def _launch_servicer(self, plan: ServicerPlan, number: int) -> None:
        self.ledger.pay("servicers", plan.cost_usd)
        self.ledger.pay("launches", plan.mass_kg * self.plan.launch.usd_per_kg)
        slot, index = self._home(plan, number)
        servicer = Servicer(self, plan, number, slot, index)
        servicer.alive_since_s = self.env.now
        self.servicers.append(servicer)
        rng = self.stream(f"servicer/{plan.name}/{number}")
        lifetime_s = servicer_lifetime_s(plan, rng)
        if self.env.now + lifetime_s < self.horizon_s:
            death = self.env.timeout(lifetime_s, value=servicer)
            death.callbacks.append(self._servicer_fails)

    def _servicer_fails(self, event: simpy.Event) -> None:
        servicer: Servicer = event.value
        if servicer.alive:
            servicer.process.interrupt()

    def servicer_lost(self, servicer: Servicer, jobs: Sequence[Job]) -> None:
        """A servicer stopped working: its unfinished jobs go back to the queue; a replacement
        is launched if the plan says so."""
        env = self.env
        self.ledger.count("servicer_losses")
        servicer.lost_s = env.now
        idle = self.idle[servicer.plan.group]
        if servicer in idle:
            idle.remove(servicer)
        for job in list(jobs):
            if job.cancelled:
                self._return_spare(job)
            else:
                self._unswapped(job) if job.preventive else self._ready(job)
        plan = servicer.plan
        if plan.replacement:
            self._order_servicer(plan)

    def _order_servicer(self, plan: ServicerPlan) -> None:
        """Launch a new servicer of ``plan``; a lost launch is followed by another."""
        launch = self.plan.launch
        rng = self.stream(f"servicer/{plan.name}")
        delay = 0.0 if launch.lead is None else launch.lead.sample(rng)
        self.ledger.count("launches")
        if rng.random() < launch.failure_probability:
            self.ledger.count("launches_failed")
            self.ledger.pay("servicers", plan.cost_usd)
            self.ledger.pay("launches", plan.mass_kg * launch.usd_per_kg)
            retry = self.env.timeout(delay)
            retry.callbacks.append(lambda _: self._order_servicer(plan))
            return
        number = len(self.servicers)
        arrival = self.env.timeout(delay)
        arrival.callbacks.append(lambda _: self._launch_servicer(plan, number))

    # -- replacing satellites ---------------------------------------------------------------

    def _check_replacement(self, state: SatelliteState) -> None:
        replace = self.policy.replace
        if replace == "never" or state.replacing or state.satellite.capacity > 0.0:
            return
        failed = [life for life in state.lives if _failed(life.unit)]
        for_good = any(life.unit.failed_cause == CAUSE_FAILED for life in failed)
        if not for_good and (replace != "cheaper"
                             or self._repair_cost(failed) <= self._replace_cost(state)):
            return
        self._replace(state)

    def _repair_cost(self, failed: list[UnitLife]) -> float:
        usd_per_kg = self.plan.launch.usd_per_kg
        group = failed[0].state.group if failed else -1
        visit = min((p.visit_cost_usd for p in self.plans[group]), default=0.0) if failed else 0.0
        return math.fsum(life.part.cost_usd + life.part.mass_kg * usd_per_kg + visit
                         for life in failed)

    def _replace_cost(self, state: SatelliteState) -> float:
        design = self.designs[state.group]
        return design.cost_usd + design.mass_kg * self.plan.launch.usd_per_kg

    def _replace(self, state: SatelliteState) -> None:
        env = self.env
        state.replacing = True
        self.ledger.count("replacement_orders")
        queue = self.queue[state.group]
        for life in state.lives:
            self._cancel(life, queue)
        state.deferred.clear()
        state.hidden.clear()
        self.hidden.discard(state)
        self.waiting.discard(state)
        satellite = state.satellite
        for life in state.lives:
            if life.unit.failed_cause is not None:
                satellite.set_cause(env.now, life.unit, CAUSE_WAITING_FOR_REPLACEMENT)
        stock = self.stocks[(state.group, SATELLITE)]

        def arrive() -> None:
            delivery = self.delivery.get((state.group, SATELLITE))
            if delivery is not None:
                delay = delivery[0].sample(delivery[1])
                raised = env.timeout(delay)
                raised.callbacks.append(lambda _: self._renew(state))
            else:
                self._renew(state)

        if stock.demand(arrive):
            arrive()

    def _renew(self, state: SatelliteState) -> None:
        """The replacement takes the old satellite's place, which is deorbited."""
        now = self.env.now
        self.ledger.count("replacements")
        state.satellite.recorder.event(now, state.satellite.index, "replacements")
        state.satellite.renew(now, [life.unit for life in state.lives])
        state.replacing = False
        for life in state.lives:
            self._install(life)

    # -- results ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Close the servicers' working time at the horizon, pay each servicer's yearly cost
        for the time it worked, and count the serviced units still down (waiting for a
        spare, a servicer or a replacement; not those only rebooting)."""
        self.ledger.count("units_down_at_end", sum(
            _failed(life.unit) for state in self.states for life in state.lives))
        for servicer in self.servicers:
            if servicer.alive:
                servicer.alive = False
                servicer.lost_s = self.horizon_s
        for servicer in self.servicers:
            worked_s = servicer.lost_s - servicer.alive_since_s
            self.ledger.available_s += worked_s
            self.ledger.pay("servicers", servicer.plan.cost_usd_per_year * worked_s / YEAR_S)

    def release(self) -> None:
        """Cut the links that make cycles (lives and their satellites, jobs, servicers), so
        that what a replication built is freed by reference counting; the stocks stay
        readable."""
        for state in self.states:
            for life in state.lives:
                if life.job is not None:
                    life.job.fill = None  # type: ignore[attr-defined]
                life.job = None
            state.lives = []
            state.deferred.clear()
        self.waiting.clear()
        self.hidden.clear()
        for servicer in self.servicers:
            servicer.wake = None
        self.states, self.by_group, self.servicers = [], [], []
        self.queue, self.idle = [], []

    def declared_stocks(self) -> list[Stock]:
        """The stocks a depot declares (not the make-to-order satellites of a group without
        spare satellites)."""
        return [stock for key, stock in self.stocks.items() if key in self.declared_by]

    def part_stocks(self) -> list[Stock]:
        return [stock for (_, item), stock in self.stocks.items() if item != SATELLITE]


class _Visitor:
    """What ``Maintenance.serve`` reads of a servicer, for one trip of an unlimited fleet."""

    __slots__ = ("at", "budget_m_s", "plan", "slot")

    def __init__(self, plan: ServicerPlan, home: tuple[travel.Slot, int]):
        self.plan = plan
        self.slot, self.at = home
        self.budget_m_s = plan.delta_v_budget_m_s


def _holds(outer: Unit, unit: Unit) -> bool:
    """Whether ``unit`` sits somewhere inside ``outer``."""
    group = unit.group
    while group is not None:
        parent = group.parent
        if parent is outer:
            return True
        group = parent.group
    return False


def _lazy(stream: StreamOf, name: str) -> Callable[[], np.random.Generator]:
    return lambda: stream(name)


def _cached(stream: StreamOf, name: str) -> Callable[[], np.random.Generator]:
    """A function returning stream ``name``, created on the first call and kept."""
    found: list[np.random.Generator] = []

    def get() -> np.random.Generator:
        if not found:
            found.append(stream(name))
        return found[0]

    return get


def _quickest(servicer: Any, candidates: list[Job]) -> Job:
    """The candidate reached soonest, the first among equals, trip by trip."""
    mobility = servicer.plan.mobility
    return min(candidates, key=lambda job: travel.trip(
        servicer.slot, job.life.state.slot, servicer.at == job.life.state.satellite.index,
        mobility).duration_s)


def _nearest(servicer: Any, queue: ReadyQueue, planes: list[tuple[float, int]]) -> Job:
    """The job the servicer reaches soonest, the earliest ready among equals (as ``min`` over
    the queue in order): ``planes`` (the group's, by least time to reach them) are taken in
    order, and those that cannot beat the best trip found are not looked into."""
    mobility = servicer.plan.mobility
    origin = servicer.slot
    waiting = queue.by_plane()
    best: tuple[float, int] | None = None
    chosen: Job | None = None
    for least_s, plane in planes:
        if best is not None and least_s > best[0]:
            break
        jobs = waiting.get(plane)
        if jobs is None:
            continue
        for job in jobs:
            state = job.life.state
            key = (travel.trip(origin, state.slot, servicer.at == state.satellite.index,
                               mobility).duration_s, queue.place(job))
            if best is None or key < best:
                best, chosen = key, job
    assert chosen is not None
    return chosen


def _failed(unit: Unit) -> bool:
    """Whether ``unit`` is down for anything but a radiation outage: a unit rebooting or
    power-cycling works as far as servicing is concerned (a failure or a swap takes it over,
    and the outage's end then leaves it alone)."""
    return unit.failed_cause is not None and unit.failed_cause not in OUTAGE_CAUSES
