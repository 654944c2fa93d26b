"""A satellite's live state: its part tree, and the hand-off of every change to the recorder.

A radiation outage (a reboot, a power cycle: minutes) that nothing else on the satellite
meets need not change the part tree nor wake anything at its end: ``brief_outage`` hands its
start over at once with what the tree would give (kept per design for a satellite with every
unit working, the common case), and its end when the satellite next changes or the run ends
(``settle``). Whatever reaches the satellite while the outage lasts first puts the unit down in
the tree, from then on as any outage; the recorder takes the capacity missing before that as a
dip of the fleet's capacity out of time order. A satellite given its outages as a stream
(``upsets.OutageStream``) takes even their starts only when it next changes or is read. What
every part of the model sees is what it sees with each start and end an event
(``build(outage_ends="events")``, the reference).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.design import Design
from sim.model.parts import Loss, Unit, dismantle, recharge, refresh
from sim.model.power import FleetLoad, Orbits, PowerAccount, PowerDesign, Settled
from sim.model.power.shared import SharedOrbits

if TYPE_CHECKING:
    import simpy

    from sim.model.recorder import Recorder
    from sim.model.upsets import OutageStream
    from sim.model.workload import JobLog

# What an outage of a unit (by part path) for a cause does to a satellite whose units all
# work: its capacity and loss shares then.
OutageEffects = dict[tuple[str, str], tuple[float, Loss]]


@dataclass(slots=True)
class _Dip:
    """A radiation outage handed over at its start but not put into the part tree."""

    unit: Unit
    cause: str
    start_s: float
    end_s: float
    # The satellite's capacity before and during the outage, and its loss shares before.
    before: float
    after: float
    before_loss: Loss
    # What the outage's end runs once it is an event (the unit put down in the tree).
    on_end: Callable[[simpy.Event], None]


class Satellite:
    """One satellite; its capacity is the root unit's, as a fraction of its nominal compute."""

    __slots__ = ("_battery", "_clock", "_dip", "_down", "_effects", "_outages", "group_name",
                 "index", "job", "nominal_pflops", "power", "recorder", "root")

    def __init__(self, index: int, group_name: str, design: Design, recorder: Recorder):
        self.index = index
        self.group_name = group_name
        self.nominal_pflops = design.nominal_compute_pflops
        self.root = Unit(None, design.parts)
        self.recorder = recorder
        self.power: PowerAccount | None = None
        # The training job this satellite computes for (None: independent work).
        self.job: JobLog | None = None
        battery_part = design.power.battery.part if design.power is not None else None
        self._battery = next((g for g in self.root.groups if g.part.path == battery_part), None)
        # Units down in the part tree (for any cause).
        self._down = 0
        # Brief outages (``enable_brief_outages``): the clock, the effects shared by the
        # design's satellites (None: every outage goes into the tree), the outage pending.
        self._clock: simpy.Environment | None = None
        self._effects: OutageEffects | None = None
        self._dip: _Dip | None = None
        # The radiation outages taken when the satellite next changes or is read (None: each
        # comes as an event).
        self._outages: OutageStream | None = None

    def enable_brief_outages(self, clock: simpy.Environment, effects: OutageEffects) -> None:
        """Let ``brief_outage`` take this satellite's outages; ``effects`` is shared by the
        satellites of one design (which must have only plain units: no modes, standby or
        shared parts), and each satellite's training job, if any, must be its own."""
        self._clock = clock
        self._effects = effects

    @property
    def takes_brief_outages(self) -> bool:
        """Whether ``brief_outage`` takes this satellite's outages."""
        return self._effects is not None

    def take_outages(self, outages: OutageStream) -> None:
        """Take the outages of ``outages`` as the satellite changes or is read, not each as an
        event (brief outages must be enabled)."""
        if self._effects is None:
            raise ValueError("an outage stream needs brief outages")
        self._outages = outages

    def attach_power(self, design: PowerDesign,
                     orbits: Orbits | SharedOrbits | Callable[[], Orbits],
                     load: FleetLoad, lag_s: float = 0.0) -> PowerAccount:
        """Give this satellite a power account over its orbits (which it runs ``lag_s``
        ahead of); it reports its losses by cause to the recorder, and when they happened
        through ``load`` (shared by the fleet)."""
        index = self.index
        recorder = self.recorder
        recorder.outages_from_power(index)

        def report(settled: Settled, times_s: Sequence[float], hardware: Sequence[float]
                   ) -> None:
            recorder.power_settled(index, settled.by_cause, settled.down, settled.down_at_end,
                                   times_s, hardware)

        account = PowerAccount(
            design, orbits,
            hardware=lambda: self.root.capacity,
            battery_fraction=self.battery_fraction,
            report=report,
            load=load,
            weight=self.nominal_pflops,
            lag_s=lag_s,
        )
        self.power = account
        return account

    def battery_fraction(self) -> float:
        """Share of the battery's strings working (0 below the required number)."""
        group = self._battery
        if group is None:
            return 1.0
        if group.working < group.part.required:
            return 0.0
        return group.working / group.part.count

    def release(self) -> None:
        """Drop the links that make cycles (the part tree's parents, the power account's view
        of this satellite): the satellite is then freed as soon as it is dropped."""
        dismantle(self.root)
        self.power = None

    @property
    def capacity(self) -> float:
        """Fraction of nominal compute available now."""
        if self._outages is not None:
            self.take_outages_to(self._clock.now)  # type: ignore[union-attr]
        dip = self._dip
        if dip is not None and self._clock.now < dip.end_s:  # type: ignore[union-attr]
            return dip.after
        return self.root.capacity

    def take_outages_to(self, now_s: float) -> None:
        """Take the outages of the satellite's stream, if any, that began before ``now_s``."""
        outages = self._outages
        if outages is not None and outages.next_s < now_s:
            outages.catch_up(now_s)

    def brief_outage(self, now_s: float, unit: Unit, cause: str, kind: str, end_s: float,
                     on_end: Callable[[simpy.Event], None]) -> bool:
        """A working ``unit`` goes down until ``end_s`` (a reboot, a power cycle; counted as
        ``kind``), handed over now without changing the part tree: True, or False (nothing
        done) where it must be an ``interrupt``. Should the satellite change before
        ``end_s``, the unit goes down in the tree then, and ``on_end`` runs at ``end_s``."""
        effects = self._effects
        if effects is None or not unit.group.gates:  # type: ignore[union-attr]
            return False
        if self._dip is not None or self._outages is not None:
            self.settle(now_s)
        self.recorder.event(now_s, self.index, kind, unit.path)
        root = self.root
        before, before_loss = root.capacity, root.loss
        if self._down == 0:
            key = (unit.path, cause)
            effect = effects.get(key)
            if effect is None:
                effect = effects[key] = self._outage_effect(unit, cause)
        else:
            effect = self._outage_effect(unit, cause)
        after, loss = effect
        self.recorder.own_change(now_s, self.index, before, after, loss)
        self._record_power(now_s, after)
        if self.job is not None and after != before:
            self.job.changed(now_s, self.index, after)
        self._dip = _Dip(unit, cause, now_s, end_s, before, after, before_loss, on_end)
        return True

    def _outage_effect(self, unit: Unit, cause: str) -> tuple[float, Loss]:
        """The capacity and loss shares the satellite would have with ``unit`` down for
        ``cause``, the tree left as it was."""
        root = self.root
        unit.failed_cause = cause
        refresh(unit)
        effect = (root.capacity, root.loss)
        unit.failed_cause = None
        refresh(unit)
        return effect

    def settle(self, now_s: float) -> None:
        """Bring the part tree up to ``now_s``: the outages of its stream that began before
        ``now_s`` are taken first; a pending brief outage that has ended is handed over as
        ended; one still under way goes into the tree, and its end becomes an event. Every
        change of the satellite calls it first, so that whatever reads the tree right after a
        change (servicing does) reads it up to date."""
        self.take_outages_to(now_s)
        dip = self._dip
        if dip is None:
            return
        self._dip = None
        recorder = self.recorder
        index = self.index
        if now_s >= dip.end_s:
            end_s, before = dip.end_s, dip.before
            recorder.dip(dip.start_s, end_s, index, before, dip.after)
            recorder.own_change(end_s, index, dip.after, before, dip.before_loss)
            self._record_power(end_s, before)
            if self.job is not None and dip.after != before:
                self.job.changed(end_s, index, before)
            return
        unit = dip.unit
        unit.failed_cause = dip.cause
        self._down += 1
        refresh(unit)
        recorder.dip(dip.start_s, now_s, index, dip.before, dip.after)
        recorder.fleet_change(now_s, index, dip.before, dip.after)
        clock = self._clock
        assert clock is not None
        clock.timeout(dip.end_s - now_s, value=dip.cause).callbacks.append(dip.on_end)

    def fail(self, now_s: float, unit: Unit, cause: str) -> None:
        """``unit`` stops working; its lost capacity is charged to ``cause`` (under the mode
        that failed it, for a unit that has modes)."""
        self.recorder.event(now_s, self.index, "failures", unit.label)
        self._set(now_s, unit, cause)

    def set_cause(self, now_s: float, unit: Unit, cause: str | None) -> None:
        """A failed unit moves to another phase (waiting for a spare, in repair, ...); a
        change of cause alone concerns the recorder only."""
        if self._dip is not None or self._outages is not None:
            self.settle(now_s)
        if cause is not None and recharge(unit, cause):
            capacity = self.root.capacity
            self.recorder.satellite_changed(now_s, self.index, capacity, capacity,
                                            self.root.loss)
            return
        self._set(now_s, unit, cause)

    def interrupt(self, now_s: float, unit: Unit, cause: str, kind: str) -> None:
        """A working ``unit`` goes down for a while (a reboot, a power cycle): counted as
        ``kind``, not as a failure."""
        self.recorder.event(now_s, self.index, kind, unit.path)
        self._set(now_s, unit, cause)

    def resume(self, now_s: float, unit: Unit) -> None:
        """``unit`` is back from an interruption (not counted as a repair)."""
        self._set(now_s, unit, None)

    def restore(self, now_s: float, unit: Unit) -> None:
        """``unit`` works again."""
        self.recorder.event(now_s, self.index, "repairs", unit.path)
        self._set(now_s, unit, None)

    def renew(self, now_s: float, units: list[Unit]) -> None:
        """The satellite is replaced by a new one: every unit in ``units`` works again (no
        repair is counted)."""
        if self._dip is not None or self._outages is not None:
            self.settle(now_s)
        root = self.root
        before = root.capacity
        for unit in units:
            if unit.failed_cause is not None:
                unit.failed_cause = None
                self._down -= 1
                refresh(unit)
        self._changed(now_s, before)

    def change(self, now_s: float, action: Callable[[], None]) -> None:
        """Run ``action`` (which changes and refreshes units of this satellite's tree), then
        hand the result over as any other change (units it puts down are not counted, so
        brief outages are off from then on)."""
        if self._dip is not None or self._outages is not None:
            self.settle(now_s)
        self._effects = None
        before = self.root.capacity
        action()
        self._changed(now_s, before)

    def _set(self, now_s: float, unit: Unit, cause: str | None) -> None:
        if self._dip is not None or self._outages is not None:
            self.settle(now_s)
        root = self.root
        before = root.capacity
        self._down += (cause is not None) - (unit.failed_cause is not None)
        unit.failed_cause = cause
        refresh(unit)
        self._changed(now_s, before)

    def _changed(self, now_s: float, before: float) -> None:
        """Tell the recorder, the power account and the job what the part tree now gives."""
        root = self.root
        after = root.capacity
        self.recorder.satellite_changed(now_s, self.index, before, after, root.loss)
        self._record_power(now_s, after)
        if self.job is not None and after != before:
            self.job.changed(now_s, self.index, after)

    def _record_power(self, now_s: float, hardware: float) -> None:
        """Hand a change of compute capacity or battery strings to the power account (a
        change of cause alone is none of its business)."""
        power = self.power
        if power is None:
            return
        battery = self.battery_fraction()
        if power.hardware_states[-1] == hardware and power.battery_states[-1] == battery:
            return
        power.record(now_s, hardware, battery)
