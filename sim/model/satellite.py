"""A satellite's live state: its part tree, and the hand-off of every change to the recorder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sim.model.design import Design
from sim.model.parts import Unit, dismantle, recharge, refresh
from sim.model.power import FleetLoad, Orbits, PowerAccount, PowerDesign, Settled
from sim.model.power.shared import SharedOrbits

if TYPE_CHECKING:
    from sim.model.recorder import Recorder
    from sim.model.workload import JobLog


class Satellite:
    """One satellite; its capacity is the root unit's, as a fraction of its nominal compute."""

    __slots__ = ("_battery", "group_name", "index", "job", "nominal_pflops", "power", "recorder",
                 "root")

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
        return self.root.capacity

    def fail(self, now_s: float, unit: Unit, cause: str) -> None:
        """``unit`` stops working; its lost capacity is charged to ``cause`` (under the mode
        that failed it, for a unit that has modes)."""
        self.recorder.event(now_s, self.index, "failures", unit.label)
        self._set(now_s, unit, cause)

    def set_cause(self, now_s: float, unit: Unit, cause: str | None) -> None:
        """A failed unit moves to another phase (waiting for a spare, in repair, ...); a
        change of cause alone concerns the recorder only."""
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
        root = self.root
        before = root.capacity
        for unit in units:
            if unit.failed_cause is not None:
                unit.failed_cause = None
                refresh(unit)
        self._changed(now_s, before)

    def change(self, now_s: float, action: Callable[[], None]) -> None:
        """Run ``action`` (which changes and refreshes units of this satellite's tree), then
        hand the result over as any other change."""
        before = self.root.capacity
        action()
        self._changed(now_s, before)

    def _set(self, now_s: float, unit: Unit, cause: str | None) -> None:
        root = self.root
        before = root.capacity
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
