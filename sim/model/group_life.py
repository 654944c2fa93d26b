"""The life of one satellite's units of one part with failure modes, standby units, common
causes or inspections: one process per group of units, jumping from one change to the next.

Every unit carries an *age* per failure mode, which grows at 1 while the unit is active, at
the standby's dormant factor while it waits (0: cold, 1: hot), and not at all once it has
failed; the mode fires when its age reaches the lifetime drawn for it (accelerated life, so any
law works). A ``degrade`` mode leaves the unit working at a stated capacity, ``fail`` stops it,
``parent`` stops it and takes the unit that holds it down too. A latent failure stops the unit
unseen: nothing replaces it and no repair starts until an inspection, or a demand to take over
from a failed unit, finds it. A common-cause share ``beta`` of a mode's (exponential) rate runs
on a clock of the group's own, and fails every unit still working at once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sim.model.design import Part
from sim.model.distributions import Fixed
from sim.model.modes import (
    CAUSE_DEGRADED,
    CAUSE_INSPECTION,
    CAUSE_LATENT,
    EVENT_COMMON_CAUSE,
    EVENT_DEMAND_FAILURE,
    EVENT_INSPECTION,
    EVENT_LATENT_FOUND,
    PRIMARY_MODE,
    SWITCH_LABEL,
    FailureMode,
    Phase,
)
from sim.model.parts import Group, ModalUnit, refresh, set_severed
from sim.model.power.load import EclipseCurve
from sim.model.radiation import RadiationLife
from sim.model.satellite import Satellite

# What a radiation end of life does: fail the unit, seen at once.
_WORN = FailureMode("radiation", Fixed(1.0))

# A unit's health.
_OK, _LATENT, _DOWN, _INSPECTED = 0, 1, 2, 3
_NEVER = math.inf


class GroupLife:
    """One satellite's units of one modal part, and what happens to them until the horizon."""

    def __init__(self, satellite: Satellite, group: Group, lives: np.random.Generator,
                 repairs: Callable[[], np.random.Generator], horizon_s: float,
                 phases: Sequence[Phase] = (), shadow: EclipseCurve | None = None,
                 lag_s: float = 0.0, wear: RadiationLife | None = None,
                 first_wear_s: Sequence[float] = ()):
        part: Part = group.part
        self.satellite = satellite
        self.group = group
        self.part = part
        self.units: list[ModalUnit] = group.units  # type: ignore[assignment]
        self.modes = part.modes
        self.horizon_s = horizon_s
        self._lives = lives
        self._repair_stream = repairs
        self._repairs: np.random.Generator | None = None
        count = part.count
        standby = part.standby
        self.dormant_factor = standby.dormant_factor if standby is not None else 1.0
        self.switch_failure = standby.switch_failure_probability if standby is not None else 0.0
        self.labels = [part.path if mode.name == PRIMARY_MODE else f"{part.path}:{mode.name}"
                       for mode in self.modes]
        self.in_eclipse = [mode.in_eclipse for mode in self.modes]
        by_mode = [mode.independent.sample_many(lives, count).tolist() for mode in self.modes]
        self.life = [list(column) for column in zip(*by_mode, strict=True)]
        self.age = [[0.0] * len(self.modes) for _ in range(count)]
        self.health = [_OK] * count
        # Units the system counts as standing by (healthy or not, as far as it knows).
        self.standing = [i >= group.active for i in range(count)]
        self.common_life = [lives.exponential(mode.common_mean_s) if mode.beta > 0 else _NEVER
                            for mode in self.modes]
        self.common_age = [0.0] * len(self.modes)
        self.repair_done: dict[int, float] = {}
        inspection = part.inspection
        self.next_inspection_s = inspection.first_s if inspection is not None else _NEVER
        self.inspection_end_s = _NEVER
        self.last_s = 0.0
        # Mission phases: the one under way, and the next to start (the first starts at 0).
        self.phases = phases
        self.phase = 0
        self.next_phase = 0
        if any(self.in_eclipse) and shadow is None:
            raise ValueError(f"part {part.path!r} has a mode that ages in eclipse, and its "
                             f"satellite has no eclipse orbits")
        self.shadow = shadow
        self.lag_s = lag_s
        self.last_shadow_s = self._shadow_at(0.0)
        # When radiation (dose, a damaging latch-up) ends each unit's life, in calendar time.
        self.wear = wear
        self.worn_at_s = list(first_wear_s) if first_wear_s else [_NEVER] * count

    def start(self, env: simpy.Environment) -> None:
        """Put the standby units to sleep and run the group's life."""
        waiting = [unit for unit, standing in zip(self.units, self.standing, strict=True)
                   if standing]
        if waiting:
            def sleep() -> None:
                for unit in waiting:
                    unit.dormant = True
                    refresh(unit)
            self.satellite.change(0.0, sleep)
        env.process(self._run(env))

    def _run(self, env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        while True:
            at_s, handle = self._next()
            if at_s >= self.horizon_s:
                return
            yield env.timeout(at_s - env.now)
            self._advance(at_s)
            self.satellite.change(at_s, functools.partial(handle, at_s))

    def _rate(self, i: int) -> float:
        if self.health[i] != _OK:
            return 0.0
        return self.dormant_factor if self.units[i].dormant else 1.0

    def _shadow_at(self, t_s: float) -> float:
        return 0.0 if self.shadow is None else float(self.shadow(t_s + self.lag_s))

    def _reach(self, now_s: float, remaining: float, rate: float, in_eclipse: bool) -> float:
        """When a clock that needs ``remaining`` more age reaches it, ageing at ``rate`` per
        second (of shadow, for a mode that ages in eclipse)."""
        if rate <= 0.0:
            return _NEVER
        if not in_eclipse:
            return now_s + remaining / rate
        assert self.shadow is not None
        return self.shadow.when(self.last_shadow_s + remaining / rate) - self.lag_s

    def _next(self) -> tuple[float, Callable[[float], None]]:
        """The time of the group's next change, and what it does."""
        best_s, handle = _NEVER, self._nothing
        now_s = self.last_s
        factors = [mode.factor(self.phase) for mode in self.modes]
        eclipse = self.in_eclipse
        for i, (ages, lives) in enumerate(zip(self.age, self.life, strict=True)):
            rate = self._rate(i)
            if rate <= 0.0:
                continue
            for m, (age, life) in enumerate(zip(ages, lives, strict=True)):
                at_s = self._reach(now_s, life - age,
                                   factors[m] if eclipse[m] else rate * factors[m], eclipse[m])
                if at_s < best_s:
                    best_s, handle = at_s, _bind(self._mode_fires, i, m)
        if _OK in self.health:
            for m, (age, life) in enumerate(zip(self.common_age, self.common_life,
                                                strict=True)):
                at_s = self._reach(now_s, life - age, factors[m], eclipse[m])
                if at_s < best_s:
                    best_s, handle = at_s, _bind1(self._common_cause, m)
        for i, at_s in enumerate(self.worn_at_s):
            if at_s < best_s and self.health[i] == _OK:
                best_s, handle = at_s, _bind1(self._worn_out, i)
        for i, at_s in self.repair_done.items():
            if at_s < best_s:
                best_s, handle = at_s, _bind1(self._repaired, i)
        if self.inspection_end_s < best_s:
            best_s, handle = self.inspection_end_s, self._inspection_ends
        if self.next_inspection_s < best_s:
            best_s, handle = self.next_inspection_s, self._inspect
        if self.next_phase < len(self.phases):
            at_s = self.phases[self.next_phase].start_s
            if at_s <= best_s:
                best_s, handle = at_s, self._phase_starts
        return best_s, handle

    def _advance(self, now_s: float) -> None:
        elapsed = now_s - self.last_s
        self.last_s = now_s
        shadow_s = self._shadow_at(now_s)
        in_shadow = shadow_s - self.last_shadow_s
        self.last_shadow_s = shadow_s
        if elapsed <= 0.0:
            return
        grown = [mode.factor(self.phase) * (in_shadow if mode.in_eclipse else elapsed)
                 for mode in self.modes]
        eclipse = self.in_eclipse
        for i, ages in enumerate(self.age):
            rate = self._rate(i)
            if rate > 0.0:
                for m in range(len(ages)):
                    ages[m] += grown[m] if eclipse[m] else rate * grown[m]
        if _OK in self.health:
            self.common_age = [age + g for age, g in zip(self.common_age, grown, strict=True)]

    def _nothing(self, now_s: float) -> None:  # pragma: no cover - never chosen before horizon
        return

    # What happens.

    def _mode_fires(self, now_s: float, i: int, m: int) -> None:
        self.life[i][m] = _NEVER
        self._fail(now_s, i, m, self.labels[m])

    def _worn_out(self, now_s: float, i: int) -> None:
        """Radiation ends unit ``i``'s life: a failure of the part, seen at once."""
        self.worn_at_s[i] = _NEVER
        self._fail(now_s, i, None, self.part.path)

    def _common_cause(self, now_s: float, m: int) -> None:
        mode = self.modes[m]
        self.satellite.recorder.event(now_s, self.satellite.index, EVENT_COMMON_CAUSE,
                                      self.labels[m])
        self.common_age[m] = 0.0
        self.common_life[m] = self._lives.exponential(mode.common_mean_s)
        label = f"{self.labels[m]}:common_cause"
        for i in [i for i, health in enumerate(self.health) if health == _OK]:
            if mode.effect == "degrade":
                self.life[i][m] = _NEVER
            self._fail(now_s, i, m, label)

    def _fail(self, now_s: float, i: int, m: int | None, label: str) -> None:
        """Unit ``i`` fails by mode ``m`` (None: radiation ended its life), its losses
        charged under ``label``."""
        mode = self.modes[m] if m is not None else _WORN
        unit = self.units[i]
        self.satellite.recorder.event(now_s, self.satellite.index, "failures", label)
        if mode.effect == "degrade":
            unit.degrades.append((mode.capacity, (CAUSE_DEGRADED, label)))
            refresh(unit)
            return
        was_active = not unit.dormant
        if mode.latent:
            unit.dormant = False
            unit.failed_label = label
            self.health[i] = _LATENT
            unit.failed_cause = CAUSE_LATENT
            refresh(unit)
        else:
            self._down(now_s, i, label)
        if mode.effect == "parent":
            set_severed(self.group, (*self.group.severed, (unit.failed_cause, label)))
        if not mode.latent and was_active and not self.standing[i]:
            self._switch_over(now_s)

    def _down(self, now_s: float, i: int, label: str) -> None:
        """Unit ``i`` stops, seen to, its losses under ``label``: its repair starts."""
        unit = self.units[i]
        unit.dormant = False
        unit.failed_label = label
        self.health[i] = _DOWN
        unit.failed_cause = self.part.repair.cause_on_failure
        refresh(unit)
        self._start_repair(now_s, i)

    def _switch_over(self, now_s: float) -> None:
        """Call standby units in turn until one takes over (or none is left)."""
        for j, standing in enumerate(self.standing):
            if not standing:
                continue
            self.standing[j] = False
            unit = self.units[j]
            if self.health[j] == _LATENT:
                self._found(now_s, j)
                continue
            if self.health[j] != _OK:
                continue
            if self.switch_failure > 0.0 and self._lives.random() < self.switch_failure:
                label = f"{self.part.path}:{SWITCH_LABEL}"
                self.satellite.recorder.event(now_s, self.satellite.index,
                                              EVENT_DEMAND_FAILURE, label)
                self._down(now_s, j, label)
                continue
            unit.dormant = False
            refresh(unit)
            return

    def _found(self, now_s: float, i: int) -> None:
        """A latent failure of unit ``i`` comes to light: it goes to repair."""
        unit = self.units[i]
        self.satellite.recorder.event(now_s, self.satellite.index, EVENT_LATENT_FOUND,
                                      unit.failed_label)
        self.health[i] = _DOWN
        old_key = (CAUSE_LATENT, unit.failed_label)
        unit.failed_cause = self.part.repair.cause_on_failure
        refresh(unit)
        severed = self.group.severed
        if old_key in severed:
            at = severed.index(old_key)
            new_key = (unit.failed_cause, unit.failed_label)
            set_severed(self.group, (*severed[:at], new_key, *severed[at + 1:]))
        self._start_repair(now_s, i)

    def _start_repair(self, now_s: float, i: int) -> None:
        rule = self.part.repair
        if not rule.repairs:
            return
        if self._repairs is None:
            self._repairs = self._repair_stream()
        duration = rule.duration  # type: ignore[attr-defined]
        self.repair_done[i] = now_s + duration.sample(self._repairs)

    def _repaired(self, now_s: float, i: int) -> None:
        del self.repair_done[i]
        self.satellite.recorder.event(now_s, self.satellite.index, "repairs", self.part.path)
        unit = self.units[i]
        severed = self.group.severed
        key = (unit.failed_cause, unit.failed_label)
        self.health[i] = _OK
        self.age[i] = [0.0] * len(self.modes)
        self.life[i] = [mode.independent.sample(self._lives) for mode in self.modes]
        if self.wear is not None:
            self.worn_at_s[i] = now_s + self.wear.after(now_s)
        unit.degrades = []
        unit.failed_cause = None
        unit.failed_label = self.part.path
        occupied = sum(1 for j, health in enumerate(self.health)
                       if j != i and health != _DOWN and not self.standing[j])
        self.standing[i] = occupied >= self.group.active
        unit.dormant = self.standing[i]
        refresh(unit)
        if key in severed:
            remaining = list(severed)
            remaining.remove(key)
            set_severed(self.group, tuple(remaining))

    def _phase_starts(self, now_s: float) -> None:
        """A mission phase starts: its rates apply from now, and each working unit is asked
        to work (failing on demand with the part's probability for this phase)."""
        self.phase = self.next_phase
        self.next_phase += 1
        demand = self.part.demand_failures
        probability = demand[self.phase] if demand else 0.0
        if probability <= 0.0:
            return
        label = f"{self.part.path}:{self.phases[self.phase].name}_start"
        # The units working as the phase starts (not the spares that take over from them).
        asked = [i for i, health in enumerate(self.health)
                 if health == _OK and not self.units[i].dormant]
        for i in asked:
            if self._lives.random() >= probability:
                continue
            self.satellite.recorder.event(now_s, self.satellite.index, EVENT_DEMAND_FAILURE,
                                          label)
            self._down(now_s, i, label)
            self._switch_over(now_s)

    def _inspect(self, now_s: float) -> None:
        inspection = self.part.inspection
        assert inspection is not None
        self.satellite.recorder.event(now_s, self.satellite.index, EVENT_INSPECTION,
                                      self.part.path)
        self.next_inspection_s = now_s + inspection.interval_s
        for i, health in enumerate(self.health):
            if health == _LATENT:
                was_active = not self.standing[i]
                self._found(now_s, i)
                if was_active:
                    self._switch_over(now_s)
        if inspection.duration_s > 0.0:
            self.inspection_end_s = now_s + inspection.duration_s
            for i, health in enumerate(self.health):
                unit = self.units[i]
                if health == _OK and not unit.dormant:
                    self.health[i] = _INSPECTED
                    unit.failed_cause = CAUSE_INSPECTION
                    refresh(unit)

    def _inspection_ends(self, now_s: float) -> None:
        self.inspection_end_s = _NEVER
        for i, health in enumerate(self.health):
            if health == _INSPECTED:
                self.health[i] = _OK
                unit = self.units[i]
                unit.failed_cause = None
                refresh(unit)


def _bind(method: Callable[[float, int, int], None], i: int, m: int
          ) -> Callable[[float], None]:
    return lambda now_s: method(now_s, i, m)


def _bind1(method: Callable[[float, int], None], i: int) -> Callable[[float], None]:
    return lambda now_s: method(now_s, i)
