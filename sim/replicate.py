"""One replication: build the SimPy environment and processes, run to the horizon, summarise.

No file I/O here; the campaign layer stores what this returns.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import simpy

from sim.allocator import keep_arrays_on_heap
from sim.eclipses import FleetGeometry
from sim.model.design import Part
from sim.model.failures import fail_in_order, unit_life
from sim.model.group_life import GroupLife
from sim.model.parts import (
    Group,
    Unit,
    all_groups,
    failing_groups,
    irradiated_groups,
    leaf_groups,
    plain,
    radiation_groups,
)
from sim.model.power import FleetLoad, Orbits, PowerAccount, eclipse_walk
from sim.model.power.load import EclipseCurve
from sim.model.power.shared import Keeper, SharedOrbits, kept_orbits_bytes
from sim.model.radiation import Radiation, RadiationEnvironment, RadiationLife
from sim.model.recorder import Recorder, Totals
from sim.model.satellite import OutageEffects, Satellite
from sim.model.servicing.engine import Maintenance
from sim.model.servicing.ledger import COST_CATEGORIES
from sim.model.servicing.lives import SatelliteState
from sim.model.upsets import replay
from sim.model.workload import (
    CAUSE_CHECKPOINT,
    CAUSE_JOB_RESTART,
    JobLog,
    JobOutcome,
    TrainingWorkload,
)
from sim.rng import Streams
from sim.scenario import FleetGroup, Scenario
from sim.slots import fleet_slots
from sim.units import HOUR_S, KWH_J, MONTH_S, YEAR_S

PowerMode = Literal["aggregated", "walk"]
OutageEnds = Literal["deferred", "events"]
# Events between two progress reports of a replication: about a second of a large fleet's run.
PROGRESS_EVENTS = 50_000


class OrbitsProvider(Protocol):
    """Gives one satellite's orbits on demand (``GeometryOrbits``); one that may also have
    ``lag_s(index)``: how far ahead of those orbits the satellite runs, s."""

    def orbits_for(self, index: int) -> Orbits: ...

    def shares(self, index: int) -> bool: ...


# How a Walker shell member's eclipses are taken: its plane reference's, ``shifted`` by its
# phase lag (members of a plane share one set of orbits and what the power model derives from
# it), or ``exact``: its own schedule, interpolated between the reference's revolutions and
# built for it alone (``sim.orbits.phasing``).
MemberOrbits = Literal["shifted", "exact"]


class GeometryOrbits:
    """Every satellite's eclipse cycles as the model reads them (``Orbits``), from a
    scenario's eclipse schedules.

    Satellites sharing a schedule (a formation) share one ``Orbits``. So do the members of a
    Walker plane with ``members="shifted"``: each reads its plane reference's orbits at its own
    time lag (``lag_s``), which moves its eclipse boundaries by up to about a minute at season
    edges but leaves its eclipse time over a season as it was (``docs/performance.md``).
    Shared orbits, with what the power model keeps on them, are kept for later replications
    while they fit ``kept_bytes`` in all (default: ``$ORBSIM_KEPT_ORBITS_MIB`` MiB, else
    1.5 GiB), and rebuilt in each replication beyond that (``sim.model.power.shared``). With
    ``members="exact"`` a member's orbits are built from its own schedule when its power is
    accounted, and dropped after. Geometries held at once in one process may share a
    ``keeper``, and with it one budget.
    """

    def __init__(self, geometry: FleetGeometry, members: MemberOrbits = "shifted",
                 kept_bytes: int | None = None, keeper: Keeper | None = None):
        if keeper is not None and kept_bytes is not None:
            raise ValueError("give kept_bytes or keeper, not both")
        self.geometry = geometry
        self.members = members
        self.keeper = keeper or Keeper(kept_orbits_bytes() if kept_bytes is None
                                       else kept_bytes)
        self._shared: dict[int, SharedOrbits] = {}

    def _key(self, index: int) -> int | None:
        key = self.geometry.shared_key(index)
        if key is None and self.members == "shifted":
            plane = self.geometry.plane_lag(index)
            if plane is not None:
                key = plane[0]
        return key

    def shares(self, index: int) -> bool:
        return self._key(index) is not None

    def lag_s(self, index: int) -> float:
        """How far ahead of the orbits it is given satellite ``index`` runs, s (0 unless it is
        a Walker member read from its plane's orbits)."""
        if self.members != "shifted" or self.geometry.shared_key(index) is not None:
            return 0.0
        plane = self.geometry.plane_lag(index)
        return 0.0 if plane is None else plane[1]

    def shared_for(self, index: int) -> SharedOrbits:
        """The orbits satellite ``index`` shares with others (``shares(index)`` is true)."""
        key = self._key(index)
        if key is None:
            raise ValueError(f"satellite {index} shares no orbits")
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = SharedOrbits(
                functools.partial(self._build, index), self.keeper)
        return found

    def settled(self) -> None:
        """A replication is over: let go of the shared orbits it built that are not kept
        (the power model settles those it reads; modes that age in eclipse read theirs
        without it)."""
        for shared in self._shared.values():
            shared.settled()

    def orbits_for(self, index: int) -> Orbits:
        if self._key(index) is not None:
            return self.shared_for(index).get()
        return self._build(index)

    def _build(self, index: int) -> Orbits:
        plane = self._key(index) is not None and self.geometry.shared_key(index) is None
        schedule = (self.geometry.plane_schedule(index) if plane
                    else self.geometry.schedule(index))
        sun = self.geometry.sun
        return Orbits.from_eclipses(schedule.penumbra_start, schedule.umbra_start,
                                    schedule.umbra_end, schedule.penumbra_end,
                                    self.geometry.horizon_s,
                                    None if sun is None else sun.irradiance_factor,
                                    linear_profiles=plane)


OrbitsSource = Sequence[Orbits | None] | OrbitsProvider


@dataclass(frozen=True)
class ReplicateResult:
    """The scalar metrics of one replication, and its monthly capacity series."""

    scenario: str
    replicate: int
    seed: int
    uptime: float
    # Useful compute ÷ nominal: uptime less what training jobs lose to rollbacks, restarts and
    # checkpoint writes (equal to uptime for independent work).
    goodput: float
    availability: float
    downtime_by_cause: dict[str, float]
    downtime_by_part: dict[str, float]
    # Share of nominal compute lost while satellites were down, by the parts the outage was
    # charged to together ("node/host + node/ssd": a minimal cut set, and any other failed
    # part holding a unit down on the way; power aside).
    outage_by_parts: dict[str, float]
    events: dict[str, int]
    failures_by_part: dict[str, int]
    repairs_by_part: dict[str, int]
    satellites: int
    satellites_down_at_end: int
    satellite_years: float
    horizon_years: float
    sim_events: int
    wall_s: float
    power: dict[str, float] = field(default_factory=dict)
    servicing: dict[str, float] = field(default_factory=dict)
    spares: dict[str, float] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)
    # Shares of nominal compute training jobs lose beyond their members' downtime, by cause.
    goodput_lost: dict[str, float] = field(default_factory=dict)
    radiation: dict[str, float] = field(default_factory=dict)
    jobs: dict[str, float] = field(default_factory=dict)
    monthly_capacity_fraction: list[float] = field(repr=False, default_factory=list)
    # Each month's compute lost to power, as a fraction of nominal; empty without power.
    monthly_power_loss_fraction: list[float] = field(repr=False, default_factory=list)
    monthly_events: dict[str, list[int]] = field(repr=False, default_factory=dict)
    # Mean stock of each depot item (``<depot>/<item>``) in each month.
    monthly_stock: dict[str, list[float]] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class Wiring:
    """One replication's environment, recorder and power accounts, ready to run."""

    env: simpy.Environment
    recorder: Recorder
    power: list[PowerAccount]
    load: FleetLoad | None = None
    satellites: list[Satellite] = field(default_factory=list)
    maintenance: Maintenance | None = None
    radiation: Radiation | None = None
    # Every training job, with how it runs; settled at the horizon into ``job_outcomes``.
    jobs: list[tuple[JobLog, TrainingWorkload]] = field(default_factory=list)
    job_outcomes: list[JobOutcome] = field(default_factory=list)
    # SimPy events processed so far.
    events: int = 0

    def run(self, until_s: float, progress: Callable[[float, float], None] | None = None
            ) -> Totals:
        """Run to ``until_s`` (unless already there), counting the events processed, close
        the power accounts there, and return the totals; ``progress(now_s, until_s)`` every
        ``PROGRESS_EVENTS`` events."""
        env = self.env
        while env.peek() < until_s:
            env.step()
            self.events += 1
            if progress is not None and self.events % PROGRESS_EVENTS == 0:
                progress(env.now, until_s)
        if progress is not None:
            progress(until_s, until_s)
        if env.now < until_s:
            env.run(until=until_s)
        for satellite in self.satellites:
            satellite.settle(until_s)
        if self.maintenance is not None:
            self.maintenance.finish()
        self._settle_power(until_s)
        self.job_outcomes = [self._settled(job, workload, until_s)
                             for job, workload in self.jobs]
        return self.recorder.finish()

    @staticmethod
    def _settled(job: JobLog, workload: TrainingWorkload, until_s: float) -> JobOutcome:
        """Settle ``job`` and drop its upsets (the jobs settled after it need the memory)."""
        outcome = job.settle(workload, until_s)
        job.drop_upsets()
        return outcome

    def _settle_power(self, until_s: float) -> None:
        """Close every power account at ``until_s``; those sharing orbits are settled together
        as soon as the last of them is closed (accounts sharing orbits come one after the
        other), so that only one set's waiting states are held at a time, and their orbits
        then kept or let go (``SharedOrbits.settled``)."""
        load = self.load
        waiting: Orbits | SharedOrbits | None = None
        for account in self.power:
            shared = account.shared_source
            if waiting is not None and shared is not waiting and load is not None:
                _settle_on(load, waiting)
            account.finish(until_s)
            waiting = shared
        if load is not None:
            if waiting is not None:
                _settle_on(load, waiting)
            load.flush()

    def release(self) -> None:
        """Let the satellites be freed as soon as this wiring is dropped (see
        ``Satellite.release``); the power accounts' totals stay readable."""
        for satellite in self.satellites:
            satellite.release()
        if self.maintenance is not None:
            self.maintenance.release()


def build(
    scenario: Scenario,
    streams: Streams,
    orbits: OrbitsSource | None = None,
    keep_log: bool = False,
    power_mode: PowerMode = "aggregated",
    outage_ends: OutageEnds = "deferred",
) -> Wiring:
    """Every satellite with its unit processes and, where it has a power design, its power
    account over ``orbits[satellite]``.

    Streams: the first lifetimes of one part across a fleet group come from one stream
    (``first/<group>/<part>``, drawn at once, satellite by satellite); later lifetimes and
    repair times come from per-satellite streams (``renewal/…``, ``repair/…``) created only
    when a repair first needs them. Each depends on its own name alone, so adding a part
    leaves every other part's draws as they were. With ``keep_log`` the recorder also keeps
    every event as (time_s, satellite, kind, path). ``power_mode`` "walk" wakes each power
    account at every orbit to decide it (the reference); "aggregated" decides every orbit at the
    horizon, in array passes. ``outage_ends`` "events" makes the start and the end of every
    radiation outage an event (the reference); "deferred" takes each outage, and hands its end
    over, when the satellite next changes or is read (``upsets.OutageStream``,
    ``Satellite.brief_outage``), where the power is not walked, the design has only plain
    units and each training job has one satellite.
    """
    env = simpy.Environment()
    nominal = [g.design.nominal_compute_pflops for g in scenario.fleet for _ in range(g.count)]
    recorder = Recorder(nominal, scenario.horizon_s, scenario.sla_fraction, scenario.sla_window_s,
                        MONTH_S, keep_log)
    horizon_s = scenario.horizon_s
    accounts: list[PowerAccount] = []
    load = FleetLoad(recorder.power_load, recorder.lagged_power_load)
    fleet: list[Satellite] = []
    maintenance = _maintenance(env, scenario, streams)
    radiation = _radiation(env, scenario, streams)
    all_jobs: list[tuple[JobLog, TrainingWorkload]] = []
    slots = fleet_slots(scenario) if maintenance is not None else []
    first_index = 0
    for group_index, group in enumerate(scenario.fleet):
        alone = maintenance is None and _settles_alone(group)
        sink = recorder.alone() if alone else recorder
        satellites = [Satellite(first_index + member, group.name, group.design, sink)
                      for member in range(group.count)]
        unrepaired: list[tuple[np.ndarray, Part, list[tuple[Satellite, list[Unit]]]]] = []
        fleet.extend(satellites)
        jobs = _jobs(group, satellites)
        all_jobs.extend((job, workload) for job, _, workload in jobs)
        if radiation is not None and alone:
            radiation.alone.update(satellite.index for satellite in satellites)
        elif (radiation is not None and outage_ends == "deferred" and power_mode != "walk"
              and plain(satellites[0].root)):
            effects: OutageEffects = {}
            for satellite in satellites:
                if satellite.job is None or len(satellite.job.weights) == 1:
                    satellite.enable_brief_outages(env, effects)
        if radiation is not None:
            _irradiate(radiation, scenario, group, satellites,
                       [(job, members) for job, members, _ in jobs])
            radiation.start_streams()
        if group.design.power is not None:
            if orbits is None:
                raise ValueError(f"fleet group {group.name!r} has a power design but no orbits")
            for satellite in satellites:
                accounts.append(satellite.attach_power(
                    group.design.power, _orbits_of(orbits, satellite.index), load,
                    _lag_of(orbits, satellite.index)))
        first_index += group.count
        failing = [failing_groups(satellite.root) for satellite in satellites]
        states = []
        if maintenance is not None:
            states = [SatelliteState(satellite, group_index, member, slots[satellite.index],
                                     all_groups(satellite.root))
                      for member, satellite in enumerate(satellites)]
            for state in states:
                maintenance.add_satellite(state)
        for position, (template, stream_name) in enumerate(leaf_groups(satellites[0].root)):
            part = template.part
            wear = None
            if radiation is not None and part.radiation is not None:
                wear = radiation.life(group.name, stream_name, part.radiation,
                                      group.dose_rad_per_s)
            if part.modal:
                _start_group_lives(env, scenario, streams, group, stream_name, satellites,
                                   [groups[position] for groups in failing], orbits, wear)
                continue
            assert part.failure is not None
            first_lifetimes_s = part.failure.sample_many(
                streams.get(f"first/{group.name}/{stream_name}"), group.count * part.count
            )
            if wear is not None:
                first_lifetimes_s = np.minimum(first_lifetimes_s,
                                               wear.lifetimes_s(np.zeros(first_lifetimes_s.size)))
            if maintenance is not None:
                maintenance.add_part(part, stream_name,
                                     [(state, failing[member][position].units)
                                      for member, state in enumerate(states)],
                                     first_lifetimes_s.tolist(),
                                     wear.after if wear is not None else None)
                continue
            units = [(satellite, failing[member][position].units)
                     for member, satellite in enumerate(satellites)]
            if part.repair.repairs:
                _start_lives(env, streams, f"{group.name}/", f"/{stream_name}", part, units,
                             first_lifetimes_s.tolist(), horizon_s, wear)
            elif alone:
                unrepaired.append((first_lifetimes_s, part, units))
            else:
                _schedule_failures(env, part, units, first_lifetimes_s, horizon_s)
        if alone:
            outages = radiation.alone_outages if radiation is not None else {}
            _settle_alone(satellites, unrepaired, outages, horizon_s)
    if maintenance is not None:
        maintenance.start()
    if power_mode == "walk":
        for account in accounts:
            env.process(eclipse_walk(env, account))
    return Wiring(env, recorder, accounts, load, fleet, maintenance=maintenance,
                  radiation=radiation, jobs=all_jobs)


def _radiation(env: simpy.Environment, scenario: Scenario, streams: Streams) -> Radiation | None:
    """The replication's radiation model, or None when no part meets radiation."""
    if not any(_irradiated_design(group.design.parts) for group in scenario.fleet):
        return None
    environment = scenario.radiation or RadiationEnvironment()
    return Radiation(env, environment, scenario.horizon_s, streams)


def _irradiated_design(parts: Sequence[Part]) -> bool:
    return any(p.radiation is not None or _irradiated_design(p.parts) for p in parts)


def _jobs(group: FleetGroup, satellites: list[Satellite]
          ) -> list[tuple[JobLog, range, TrainingWorkload]]:
    """The group's training jobs, each told of its members' changes (none for independent
    work)."""
    workload = group.workload
    if workload is None:
        return []
    found = []
    for members in workload.jobs(group.count):
        job = JobLog(satellites[members.start].index,
                     [satellites[m].nominal_pflops for m in members])
        for member in members:
            satellites[member].job = job
        found.append((job, members, workload))
    return found


def _irradiate(radiation: Radiation, scenario: Scenario, group: FleetGroup,
               satellites: list[Satellite], jobs: list[tuple[JobLog, range]]) -> None:
    """The upsets of every irradiated part of one fleet group, and its dose."""
    radiation.add_dose(group.dose_rad_per_s, group.count)
    named = radiation_groups(satellites[0].root)
    if not named:
        return
    where = None
    if scenario.saa is not None and group.orbit is not None:
        from sim.radiation.where import SaaFilter, saa_tracks

        where = SaaFilter(saa_tracks(scenario.saa, group.orbit, scenario.start_utc,
                                     scenario.horizon_s))
        radiation.filters.append(where)
    per_satellite = [irradiated_groups(satellite.root) for satellite in satellites]
    for position, (template, stream_name) in enumerate(named):
        effects = template.part.radiation
        assert effects is not None
        radiation.add_part(group.name, stream_name, effects, satellites,
                           [groups[position] for groups in per_satellite], jobs, where)


def _maintenance(env: simpy.Environment, scenario: Scenario,
                 streams: Streams) -> Maintenance | None:
    """The scenario's maintenance model, or None when it has no servicing section."""
    if scenario.servicing is None:
        return None
    return Maintenance(env, scenario.servicing, [g.design for g in scenario.fleet],
                       [g.name for g in scenario.fleet], scenario.horizon_s, streams.get)


def _start_lives(
    env: simpy.Environment,
    streams: Streams,
    key_head: str,
    key_tail: str,
    part: Part,
    units: list[tuple[Satellite, list[Unit]]],
    first_lifetimes_s: list[float],
    horizon_s: float,
    wear: RadiationLife | None = None,
) -> None:
    """A life process for every unit of a repaired part that fails before the horizon; the
    streams of a satellite's units of this part are keyed ``<key_head><member><key_tail>``;
    ``wear`` shortens each renewed unit's life when radiation ends it first."""
    lifetime = part.failure
    assert lifetime is not None
    for member, (satellite, member_units) in enumerate(units):
        key = f"{key_head}{member}{key_tail}"
        renewal_rng = streams.lazy(f"renewal/{key}")
        repair_rng = streams.lazy(f"repair/{key}")
        offset = member * part.count
        for unit, first_lifetime_s in zip(
            member_units, first_lifetimes_s[offset:offset + part.count], strict=True
        ):
            if first_lifetime_s < horizon_s:
                env.process(unit_life(env, satellite, unit, lifetime, part.repair, renewal_rng,
                                      repair_rng, horizon_s, first_lifetime_s, wear))


def _settles_alone(group: FleetGroup) -> bool:
    """Whether a group's satellites change only as parts never repaired fail and radiation
    outages come and go, with no job shared between satellites (servicing is the caller's to
    rule out): then each satellite's whole history is drawn at the start."""
    if group.workload is not None and group.workload.satellites_per_job > 1:
        return False

    def settles(parts: Sequence[Part]) -> bool:
        return all(not (part.failure is not None and part.repair.repairs) and not part.modal
                   and settles(part.parts) for part in parts)

    return settles(group.design.parts)


def _settle_alone(
    satellites: list[Satellite],
    parts: list[tuple[np.ndarray, Part, list[tuple[Satellite, list[Unit]]]]],
    outages: dict[int, list[tuple[Unit, list[float], list[float], list[str]]]],
    horizon_s: float,
) -> None:
    """Every failure before the horizon of parts never repaired (each part's first lifetimes,
    unit by unit, satellite by satellite) and every radiation outage, handed over satellite
    by satellite at once, with no event (``upsets.replay``): a satellite's tree is then worked
    on while it is in the cache, and the event queue stays empty (``AloneView`` settles the
    fleet's capacity)."""
    empty = np.zeros(0, dtype=np.int64)
    lifetimes, members, kinds, slots = [np.zeros(0)], [empty], [empty], [empty]
    for k, (first_lifetimes_s, part, _) in enumerate(parts):
        failing = np.flatnonzero(first_lifetimes_s < horizon_s)
        member, slot = np.divmod(failing, part.count)
        lifetimes.append(first_lifetimes_s[failing])
        members.append(member)
        kinds.append(np.full(len(failing), k))
        slots.append(slot)
    member = np.concatenate(members)
    order = np.lexsort((np.concatenate(lifetimes), member))
    bounds = np.searchsorted(member[order], np.arange(len(satellites) + 1))
    lifetime = np.concatenate(lifetimes)[order].tolist()
    kind = np.concatenate(kinds)[order].tolist()
    slot = np.concatenate(slots)[order].tolist()
    causes = [part.repair.cause_on_failure for _, part, _ in parts]
    units = [units for _, _, units in parts]
    for m, satellite in enumerate(satellites):
        mine = range(int(bounds[m]), int(bounds[m + 1]))
        failures = [(lifetime[i], units[kind[i]][m][1][slot[i]], causes[kind[i]]) for i in mine]
        its_outages = outages.pop(satellite.index, [])
        if failures or its_outages:
            replay(satellite, failures, its_outages, horizon_s)


def _schedule_failures(
    env: simpy.Environment,
    part: Part,
    units: list[tuple[Satellite, list[Unit]]],
    first_lifetimes_s: np.ndarray,
    horizon_s: float,
) -> None:
    """The one failure of every unit of a part never repaired that fails before the horizon,
    in time order."""
    failing = np.flatnonzero(first_lifetimes_s < horizon_s)
    failing = failing[np.argsort(first_lifetimes_s[failing], kind="stable")]
    members, slots = np.divmod(failing, part.count)
    failures = [(lifetime_s, units[member][0], units[member][1][slot])
                for member, slot, lifetime_s in zip(members.tolist(), slots.tolist(),
                                                    first_lifetimes_s[failing].tolist(),
                                                    strict=True)]
    if failures:
        fail_in_order(env, failures, part.repair.cause_on_failure)


def _settle_on(load: FleetLoad, source: Orbits | SharedOrbits) -> None:
    """Settle the satellites waiting on the orbits ``source`` gives, then let it keep or drop
    them."""
    if isinstance(source, SharedOrbits):
        load.flush(source.get())
        source.settled()
    else:
        load.flush(source)


def _orbits_of(source: OrbitsSource, index: int
               ) -> Orbits | SharedOrbits | Callable[[], Orbits]:
    if isinstance(source, Sequence):
        orbits = source[index]
        if orbits is None:
            raise ValueError(f"satellite {index} has a power design but no eclipse orbits")
        return orbits
    if source.shares(index):
        if isinstance(source, GeometryOrbits):
            return source.shared_for(index)
        return source.orbits_for(index)
    return functools.partial(source.orbits_for, index)


def _start_group_lives(env: simpy.Environment, scenario: Scenario, streams: Streams,
                       group: FleetGroup, stream_name: str, satellites: list[Satellite],
                       groups: list[Group], orbits: OrbitsSource | None,
                       wear: RadiationLife | None) -> None:
    """A group life for each satellite's units of a part with failure modes, standby,
    inspections or phases (``sim.model.group_life``)."""
    part = groups[0].part
    shadowed = any(mode.in_eclipse for mode in part.modes)
    worn: list[float] = []
    if wear is not None:
        worn = wear.lifetimes_s(np.zeros(group.count * part.count)).tolist()
    for member, (satellite, units) in enumerate(zip(satellites, groups, strict=True)):
        GroupLife(satellite, units,
                  streams.get(f"lives/{group.name}/{member}/{stream_name}"),
                  streams.lazy(f"repair/{group.name}/{member}/{stream_name}"),
                  scenario.horizon_s, scenario.phases,
                  *(_shadow(orbits, satellite.index) if shadowed else (None, 0.0)),
                  wear=wear,
                  first_wear_s=worn[member * part.count:(member + 1) * part.count]
                  ).start(env)


def _shadow(source: OrbitsSource | None, index: int) -> tuple[EclipseCurve, float]:
    """The eclipse-time curve of a satellite's orbits and its lag on them, for modes that
    age in eclipse."""
    if source is None:
        orbits = None
    else:
        orbits = source[index] if isinstance(source, Sequence) else source.orbits_for(index)
    if orbits is None:
        raise ValueError(f"satellite {index} has a mode that ages in eclipse but no orbits")
    return EclipseCurve.of(orbits), _lag_of(source, index)


def _lag_of(source: OrbitsSource, index: int) -> float:
    lag = None if isinstance(source, Sequence) else getattr(source, "lag_s", None)
    return 0.0 if lag is None else lag(index)


def run_replicate(
    scenario: Scenario,
    replicate: int = 0,
    root_seed: int = 0,
    orbits: OrbitsSource | FleetGeometry | None = None,
    power_mode: PowerMode = "aggregated",
    progress: Callable[[float, float], None] | None = None,
) -> ReplicateResult:
    """Simulate one replication of ``scenario`` with the streams of (root_seed, replicate);
    ``progress(simulated_s, horizon_s)`` now and then for a caller that shows it.

    ``orbits`` gives each satellite's eclipses, required by satellites whose design has a
    power system: the scenario's ``FleetGeometry``, or (to keep what the power model derives
    from shared orbits for later replications) a ``GeometryOrbits`` of it, or a sequence of
    ``Orbits`` by satellite index.
    """
    start = time.perf_counter()
    keep_arrays_on_heap()
    if isinstance(orbits, FleetGeometry):
        orbits = GeometryOrbits(orbits, "exact" if power_mode == "walk" else "shifted")
    with paused_gc():
        wiring = build(scenario, Streams(root_seed, replicate), orbits, power_mode=power_mode)
        totals = wiring.run(scenario.horizon_s, progress)
        wiring.release()
        if isinstance(orbits, GeometryOrbits):
            orbits.settled()
        result = summarise(scenario, replicate, root_seed, totals, wiring.events,
                           time.perf_counter() - start, wiring.power, wiring.maintenance,
                           wiring.radiation, wiring.job_outcomes)
        # Freed here, while the collector is held: resumed with the replication's objects
        # still alive, it would scan them all at its first pass.
        del wiring, totals
    return dataclasses.replace(result, wall_s=time.perf_counter() - start)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold Python's cycle collector for one replication.

    A replication allocates tens of thousands of long-lived objects (units, processes), and
    each allocation burst makes the collector rescan them all: 40 % of the wall time on the
    1,000-satellite benchmark. The replication leaves no cycles behind (``Wiring.release``)
    but the few of the servicing model's suspended processes,
    so nothing is left for the collector when it resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def summarise(
    scenario: Scenario,
    replicate: int,
    seed: int,
    totals: Totals,
    sim_events: int,
    wall_s: float,
    accounts: Sequence[PowerAccount] = (),
    maintenance: Maintenance | None = None,
    radiation: Radiation | None = None,
    job_outcomes: Sequence[JobOutcome] = (),
) -> ReplicateResult:
    """Fractions of nominal capacity-time, by cause and by part, and the event counts."""
    nominal_pflop_s = totals.nominal_pflops * totals.horizon_s
    by_cause: dict[str, float] = {}
    by_part: dict[str, float] = {}
    for (cause, path), value in totals.lost_pflop_s.items():
        by_cause[cause] = by_cause.get(cause, 0.0) + value / nominal_pflop_s
        by_part[path] = by_part.get(path, 0.0) + value / nominal_pflop_s
    events: dict[str, int] = {}
    failures: dict[str, int] = {}
    repairs: dict[str, int] = {}
    for (kind, path), n in sorted(totals.counts.items()):
        events[kind] = events.get(kind, 0) + n
        if kind == "failures":
            failures[path] = n
        elif kind == "repairs":
            repairs[path] = n
    for kind in ("failures", "repairs", "satellite_outages", "satellite_recoveries",
                 "brownouts"):
        events.setdefault(kind, 0)
    uptime = totals.delivered_pflop_s / nominal_pflop_s
    goodput_lost = jobs_lost(job_outcomes, nominal_pflop_s)
    return ReplicateResult(
        scenario=scenario.name,
        replicate=replicate,
        seed=seed,
        uptime=uptime,
        goodput=uptime - math.fsum(goodput_lost.values()),
        availability=totals.time_at_sla_s / totals.horizon_s,
        downtime_by_cause=dict(sorted(by_cause.items())),
        downtime_by_part=dict(sorted(by_part.items())),
        outage_by_parts={parts: value / nominal_pflop_s
                         for parts, value in sorted(totals.outage_pflop_s.items())},
        events=events,
        failures_by_part=failures,
        repairs_by_part=repairs,
        satellites=scenario.n_satellites,
        satellites_down_at_end=totals.satellites_down_at_end,
        satellite_years=scenario.satellite_years,
        horizon_years=scenario.horizon_s / YEAR_S,
        sim_events=sim_events,
        wall_s=wall_s,
        power=power_summary(accounts, scenario.horizon_s),
        servicing=servicing_summary(maintenance, scenario.horizon_s),
        spares=spares_summary(maintenance),
        cost=cost_summary(scenario, maintenance, totals.delivered_pflop_s),
        goodput_lost=goodput_lost,
        radiation=radiation.summary() if radiation is not None else {},
        jobs=jobs_summary(job_outcomes, scenario.horizon_s),
        monthly_capacity_fraction=[float(x) for x in totals.monthly_capacity_fraction],
        monthly_power_loss_fraction=([float(x) for x in totals.monthly_power_loss_fraction]
                                     if accounts else []),
        monthly_events={kind: [int(x) for x in counts]
                        for kind, counts in sorted(totals.monthly_events.items())},
        monthly_stock=monthly_stock(maintenance, len(totals.monthly_capacity_fraction)),
    )


def jobs_lost(outcomes: Sequence[JobOutcome], nominal_pflop_s: float) -> dict[str, float]:
    """What training jobs lose beyond their members' downtime, as shares of nominal compute:
    rollbacks and restarts (``job_restart``), checkpoint writes (``checkpoint_write``)."""
    if not outcomes:
        return {}
    return {
        CAUSE_CHECKPOINT: math.fsum(o.checkpoint_pflop_s for o in outcomes) / nominal_pflop_s,
        CAUSE_JOB_RESTART: math.fsum(o.restart_pflop_s + o.rollback_pflop_s
                                     for o in outcomes) / nominal_pflop_s,
    }


def jobs_summary(outcomes: Sequence[JobOutcome], horizon_s: float) -> dict[str, float]:
    """How many jobs ran and how often they were interrupted."""
    if not outcomes:
        return {}
    interruptions = sum(o.interruptions for o in outcomes)
    job_years = len(outcomes) * horizon_s / YEAR_S
    return {"count": float(len(outcomes)), "interruptions": float(interruptions),
            "interruptions_per_job_year": interruptions / job_years,
            "mean_hours_between_interruptions": (
                job_years * YEAR_S / HOUR_S / interruptions if interruptions else math.inf)}


def power_summary(accounts: Sequence[PowerAccount], horizon_s: float) -> dict[str, float]:
    """Fleet battery and energy figures: totals, and the lowest state of charge seen."""
    if not accounts:
        return {}
    totals = [account.totals for account in accounts]
    return {
        "battery_cycles": sum(t.cycles for t in totals),
        "battery_cycles_per_satellite_year": sum(t.cycles for t in totals)
        / (len(accounts) * horizon_s / YEAR_S),
        "min_state_of_charge": min(t.min_state_of_charge for t in totals),
        "recharge_shortfall_orbits": sum(t.recharge_shortfall_orbits for t in totals),
        "bus_unpowered_hours": sum(t.bus_unpowered_s for t in totals) / HOUR_S,
        "array_kwh": sum(t.array_j for t in totals) / KWH_J,
        "bus_kwh": sum(t.bus_j for t in totals) / KWH_J,
        "compute_kwh": sum(t.compute_j for t in totals) / KWH_J,
        "conversion_loss_kwh": sum(t.conversion_loss_j for t in totals) / KWH_J,
        "stored_change_kwh": sum(t.stored_change_j for t in totals) / KWH_J,
        "stored_lost_kwh": sum(t.stored_lost_j for t in totals) / KWH_J,
        "unmet_bus_kwh": sum(t.unmet_bus_j for t in totals) / KWH_J,
    }


# Counters of the maintenance ledger reported as ``servicing.<name>`` (0 when none occurred).
SERVICING_COUNTS = ("jobs", "trips", "visits", "failed_visits", "collateral_failures", "refuels",
                    "servicer_losses", "replacements", "launches", "launches_failed",
                    "preventive_swaps", "inspection_tours", "oru_swaps", "units_down_at_end")


def servicing_summary(maintenance: Maintenance | None, horizon_s: float) -> dict[str, float]:
    """What servicing did: visits and their outcomes, launches, replacements, Δv spent, and
    the servicers' utilisation (busy time ÷ working time of a finite fleet)."""
    if maintenance is None:
        return {}
    ledger = maintenance.ledger
    found: dict[str, float] = {name: float(ledger.counts.get(name, 0))
                               for name in SERVICING_COUNTS}
    found["delta_v_m_s"] = ledger.delta_v_m_s
    found["busy_servicer_years"] = ledger.busy_s / YEAR_S
    if ledger.available_s > 0:
        found["utilisation"] = ledger.busy_s / ledger.available_s
    return dict(sorted(found.items()))


def spares_summary(maintenance: Maintenance | None) -> dict[str, float]:
    """Demands on the depots' part stocks and the share met from stock at once (empty when
    no depot stocks parts: every spare is then at hand)."""
    stocks = maintenance.part_stocks() if maintenance is not None else []
    if not stocks:
        return {}
    demands = sum(stock.demands for stock in stocks)
    filled = sum(stock.filled_at_once for stock in stocks)
    return {
        "demands": float(demands),
        "filled_at_once": float(filled),
        "fill_rate": filled / demands if demands else 1.0,
        "backorders_at_end": float(sum(len(stock.backorders) for stock in stocks)),
    }


def cost_summary(scenario: Scenario, maintenance: Maintenance | None,
                 delivered_pflop_s: float) -> dict[str, float]:
    """Costs by category in US dollars: the fleet as launched, then what maintenance bought
    and launched; their total and the total per delivered PFLOPS-hour. Empty when nothing in
    the scenario has a price."""
    if not scenario.priced:
        return {}
    usd_per_kg = scenario.launch.usd_per_kg if scenario.launch is not None else 0.0
    costs = dict.fromkeys(COST_CATEGORIES, 0.0)
    for group in scenario.fleet:
        costs["satellites"] += group.count * group.design.cost_usd
        costs["launches"] += group.count * group.design.mass_kg * usd_per_kg
    if maintenance is not None:
        for name, usd in maintenance.ledger.costs_usd.items():
            costs[name] += usd
    found = {f"{name}_usd": usd for name, usd in costs.items()}
    total = math.fsum(costs.values())
    found["total_usd"] = total
    delivered_pflops_h = delivered_pflop_s / HOUR_S
    found["usd_per_delivered_pflops_hour"] = (total / delivered_pflops_h
                                              if delivered_pflops_h > 0 else math.inf)
    return found


def monthly_stock(maintenance: Maintenance | None, months: int) -> dict[str, list[float]]:
    """Each depot item's time-averaged stock per month."""
    if maintenance is None:
        return {}
    found: dict[str, list[float]] = {}
    for stock in maintenance.declared_stocks():
        if stock.rule.initial is None:
            continue
        levels = _monthly_mean(stock.history, months, maintenance.horizon_s)
        # Differences of cumulative integrals leave float residue: stock is a whole count
        # averaged over a month, shown to 1e-9.
        found[stock.name] = [round(level, 9) for level in levels]
    return dict(sorted(found.items()))


def _monthly_mean(history: list[tuple[float, float]], months: int,
                  horizon_s: float) -> list[float]:
    """The time average of a step function given as (time, level) changes, month by month."""
    times = np.array([t for t, _ in history] + [horizon_s])
    levels = np.array([level for _, level in history])
    edges = np.minimum(np.arange(months + 1) * MONTH_S, horizon_s)
    # Integral of the step function from 0 to each edge.
    cumulative = np.concatenate([[0.0], np.cumsum(levels * np.diff(times))])
    at_edges = np.interp(edges, times, cumulative)
    widths = np.diff(edges)
    return (np.diff(at_edges) / np.where(widths > 0, widths, 1.0)).tolist()
