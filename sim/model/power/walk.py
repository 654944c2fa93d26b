"""The reference for the aggregated accounting: a SimPy process that wakes at every orbit's
start and decides it from the satellite's live state, applying fade as fade points pass."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.power.energy import Decided, Outcome, decide, fade_increment

if TYPE_CHECKING:
    from sim.model.power.account import PowerAccount


class Walk:
    """Orbit-by-orbit decisions of one account, in the order the walk reaches them."""

    def __init__(self, account: PowerAccount):
        self.account = account
        self.fade_applied = 0.0
        self.fade_pending = 0.0
        self.calendar_point_s = 0.0
        self.last_s = 0.0
        self.rows: list[tuple[float, float, float, Outcome, Outcome, Outcome]] = []

    def decide(self, index: int, now_s: float) -> None:
        """Decide orbit ``index``, starting at ``now_s``, from the account's state now."""
        account = self.account
        design = account.design
        battery = design.battery
        step = account.step_s
        passed = [p for p in account.record_times_s[1:] if self.last_s < p <= now_s]
        passed += [p for p in np.arange((self.last_s // step + 1) * step, now_s + step, step)
                   if self.last_s < p <= now_s]
        if passed:
            self.fade_applied += self.fade_pending
            self.fade_pending = 0.0
            self.calendar_point_s = max(passed)
        self.last_s = now_s
        fade = self.fade_applied + battery.calendar_fade_per_s * self.calendar_point_s
        full_j = battery.capacity_j * battery.max_depth_of_discharge
        hardware = account.hardware_now()
        strings = account.battery_now()
        usable = full_j * strings * max(0.0, 1.0 - fade)
        orbits = account.orbits
        rows = slice(index, index + 1)
        eclipse_array = design.array_w(orbits.start_s[rows])
        sun_array = design.array_w(0.5 * (orbits.eclipse_end_s[rows] + orbits.end_s[rows]))
        bol = design.array_bol_w
        actual = decide(design, orbits, rows, hardware, usable, eclipse_array, sun_array)
        self.fade_pending += float(fade_increment(battery, actual.drawn_j)[0])
        self.rows.append((
            hardware, strings, usable, actual,
            decide(design, orbits, rows, hardware, usable, bol, bol),
            decide(design, orbits, rows, hardware, full_j, bol, bol),
        ))

    def result(self) -> Decided:
        """Every orbit walked, in order."""
        def stacked(column: int) -> Outcome:
            outcomes = [row[column] for row in self.rows]
            return Outcome(*(np.concatenate([getattr(o, name) for o in outcomes])
                             for name in Outcome.__slots__))

        return Decided(
            index=np.arange(len(self.rows)),
            hardware=np.array([row[0] for row in self.rows]),
            strings=np.array([row[1] for row in self.rows]),
            usable_j=np.array([row[2] for row in self.rows]),
            actual=stacked(3), with_battery=stacked(4), as_designed=stacked(5))


def eclipse_walk(
    env: simpy.Environment, account: PowerAccount
) -> Generator[simpy.Event, Any, None]:
    """The reference walk: wake at every orbit's start and decide it from the live state."""
    account.start_walk()
    for index in range(1, len(account.orbits)):
        start_s = float(account.orbits.start_s[index])
        if start_s > env.now:
            yield env.timeout(start_s - env.now)
        account.walk_to(index, env.now)
