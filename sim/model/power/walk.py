"""The reference for the fast path: a SimPy process that wakes at every orbit's start and
takes the orbit before it stretch by stretch, from the satellite's live states, with the
battery's stored energy carried from orbit to orbit.

It applies the same rules (``rules``) and the same fade (``fade``: the cycle fade of what each
eclipse asks, at most the usable energy, applied at the next fade point), but decides every
orbit in order, with no profiles, windows or chains; the fast path must give what it gives.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.power.causes import charge_causes
from sim.model.power.fast import Settled
from sim.model.power.profiles import bus_deficit_w
from sim.model.power.rules import (
    cycle_fade,
    eclipse_compute,
    sunlit_compute,
    usable_energy_j,
)

if TYPE_CHECKING:
    from sim.model.power.account import PowerAccount


@dataclass
class _Battery:
    """One of the three batteries run side by side: its stored energy and lost compute."""

    stored_j: float
    lost_eclipse: float = 0.0
    lost_sunlit: float = 0.0


@dataclass
class Walk:
    """Orbit-by-orbit power of one account, as far as the walk has reached."""

    account: PowerAccount
    fade_applied: float = 0.0
    fade_pending: float = 0.0
    calendar_point_s: float = 0.0
    last_s: float = 0.0
    usable: list[float] = field(default_factory=list)
    strings: list[float] = field(default_factory=list)
    battery_lost: list[float] = field(default_factory=lambda: [0.0, 0.0])
    actual: _Battery = field(init=False)
    with_battery: _Battery = field(init=False)
    design: _Battery = field(init=False)
    ledger: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("array_j", "bus_j", "compute_j", "conversion_loss_j", "stored_lost_j", "unmet_bus_j",
         "cycles", "recharge_shortfall_orbits"), 0.0))
    lowest: float = 1.0
    brownout: float = 0.0
    down: list[tuple[float, float]] = field(default_factory=list)
    unpowered: bool = False
    down_until: float = -np.inf
    down_since: float | None = None
    segments: list[tuple[float, float, float]] = field(default_factory=list)
    # The least stored energy of any of the three batteries after any stretch, and the most
    # any held above its usable energy: the bounds [0, usable] say ≥ 0 and ≤ 0.
    least_stored_j: float = np.inf
    most_above_usable_j: float = -np.inf

    def __post_init__(self) -> None:
        self.reach(0, 0.0)
        start = self.usable[0]
        self.start_j = start
        self.actual = _Battery(start)
        self.with_battery = _Battery(start)
        self.design = _Battery(self.account.design.battery.new_usable_j)

    def reach(self, index: int, now_s: float) -> None:
        """The walk reached orbit ``index`` at ``now_s``: the fade points passed apply, and
        the eclipse's asked draw joins the fade pending."""
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
        strings = account.battery_now()
        usable = float(usable_energy_j(battery, strings, fade))
        orbits = account.orbits
        array = orbits.array(design)
        rows = np.array([index])
        need = max(float(bus_deficit_w(design, orbits, array.eclipse_w[rows], rows)[0])
                   + design.compute_load_w * account.hardware_now()
                   * design.eclipse_compute_level, 0.0) * float(orbits.duration_s[index])
        if strings > 0.0:
            self.fade_pending += float(cycle_fade(
                battery, min(need / battery.discharge_efficiency, usable)))
        self.usable.append(usable)
        self.strings.append(strings)

    def take(self, index: int) -> None:
        """Take orbit ``index`` (all its states now known) stretch by stretch."""
        account = self.account
        orbits = account.orbits
        design = account.design
        usable = self.usable[index]
        for battery in (self.actual, self.with_battery):
            if battery.stored_j > usable:
                if battery is self.actual:
                    self.ledger["stored_lost_j"] += battery.stored_j - usable
                battery.stored_j = usable
        drawn = 0.0
        start, eclipse_end, end = (float(orbits.start_s[index]),
                                   float(orbits.eclipse_end_s[index]),
                                   float(orbits.end_s[index]))
        t = start
        for phase_end, eclipse in ((eclipse_end, True), (end, False)):
            while t < phase_end:
                t, spent = self._stretch(index, t, phase_end, eclipse, usable)
                drawn += spent
                self._close_down(t)
                self._check_bounds(usable)
            if (eclipse and eclipse_end > start and self.unpowered
                    and self._surplus(index, aged=True) >= 0.0):
                self.unpowered = False
                self.down_until = eclipse_end + design.brownout_recovery_s
        self.ledger["cycles"] += drawn > 0.0
        if index < len(orbits) - 1 and self.actual.stored_j < usable:
            self.ledger["recharge_shortfall_orbits"] += 1

    def _check_bounds(self, usable: float) -> None:
        batteries = ((self.actual, usable), (self.with_battery, usable),
                     (self.design, self.account.design.battery.new_usable_j))
        for battery, limit in batteries:
            self.least_stored_j = min(self.least_stored_j, battery.stored_j)
            self.most_above_usable_j = max(self.most_above_usable_j,
                                           battery.stored_j - limit)

    def _surplus(self, index: int, aged: bool) -> float:
        array = self.account.orbits.array(self.account.design)
        sunlit = array.sunlit_w if aged else array.sunlit_bol_w
        return float(sunlit[index]) - self.account.design.bus_load_w

    def _stretch(self, index: int, t: float, phase_end: float, eclipse: bool, usable: float
                 ) -> tuple[float, float]:
        """One stretch from ``t``: to the phase's end, the next state change or the end of a
        recovery, whichever comes first. Returns where it ended and what the actual battery
        drew."""
        account = self.account
        design = account.design
        battery = design.battery
        orbits = account.orbits
        times = account.record_times_s
        k = bisect.bisect_right(times, t) - 1
        held = account.hardware_states[k]
        nxt = times[k + 1] if k + 1 < len(times) else np.inf
        recovering = not self.unpowered and t < self.down_until
        down = self.unpowered or recovering
        end = min(phase_end, nxt, self.down_until if recovering else np.inf)
        h = 0.0 if down else held
        rows = np.array([index])
        array = orbits.array(design)
        level = design.eclipse_compute_level
        load = design.compute_load_w
        bus = design.bus_load_w
        eta_c, eta_d = battery.charge_efficiency, battery.discharge_efficiency
        weight = account.weight
        drawn = 0.0

        def actual_flows(span: float) -> Any:
            if eclipse:
                return eclipse_compute(
                    np.float64(self.actual.stored_j), np.float64(span),
                    np.float64(phase_end - t),
                    bus_deficit_w(design, orbits, array.eclipse_w[rows], rows)[0],
                    np.float64(load * h * level), eta_d)
            return sunlit_compute(
                np.float64(self.actual.stored_j), np.float64(usable), np.float64(span),
                np.float64(float(orbits.eclipse_end_s[index] + orbits.recharge_s[index]) - t),
                np.float64(self._surplus(index, aged=True)), np.float64(load * h),
                eta_c, eta_d)

        span = end - t
        brown = False
        if not self.unpowered:
            flows = actual_flows(span)
            if np.isfinite(flows.empty_s):
                span = float(flows.empty_s)
                end = t + span
                brown = True
                flows = actual_flows(span)
            if eclipse:
                out = float(flows.output_j)
                spent = out / eta_d
                compute_j = load * h * level * float(flows.on_s)
                self.ledger["array_j"] += bus * span + compute_j - out
                self.ledger["compute_j"] += compute_j
                self.ledger["conversion_loss_j"] += spent - out
                self.actual.stored_j = max(self.actual.stored_j - spent, 0.0)
                self.actual.lost_eclipse += h * span - h * level * float(flows.on_s)
                cut = t + float(flows.on_s)
                self.segments += [(t, cut, h * (1.0 - level) * weight),
                                  (cut, end, h * weight)]
            else:
                out = float(flows.output_j)
                spent = out / eta_d
                compute_j = float(flows.compute_w) * span
                gained = max(float(flows.stored_j) - self.actual.stored_j, 0.0)
                charge_in = float(flows.charge_in_j)
                self.ledger["array_j"] += bus * span + compute_j + charge_in - out
                self.ledger["compute_j"] += compute_j
                self.ledger["conversion_loss_j"] += charge_in - gained + spent - out
                self.actual.stored_j = float(flows.stored_j)
                self.actual.lost_sunlit += (h - float(flows.compute_w) / load) * span
                self.segments.append((t, end, (h - float(flows.compute_w) / load) * weight))
            self.ledger["bus_j"] += bus * span
            drawn = spent
            if out > 0.0 and usable > 0.0:
                self.lowest = min(self.lowest, 1.0 - (usable - self.actual.stored_j)
                                  * battery.max_depth_of_discharge / usable)
        else:
            self.ledger["unmet_bus_j"] += bus * span
        if down:
            self.brownout += held * span
            self.segments.append((t, end, held * weight))
        self._counterfactuals(index, t, span, phase_end, eclipse, h, usable)
        if brown:
            self.unpowered = True
            self.down_until = np.inf
            if self.down_since is None:
                self.down_since = end
        return end, drawn

    def _counterfactuals(self, index: int, t: float, span: float, phase_end: float,
                         eclipse: bool, h: float, usable: float) -> None:
        """The actual battery and the design's, each with a new array, over one stretch."""
        account = self.account
        design = account.design
        battery = design.battery
        orbits = account.orbits
        rows = np.array([index])
        array = orbits.array(design)
        level, load = design.eclipse_compute_level, design.compute_load_w
        failed = self.strings[index] <= 0.0
        if eclipse:
            deficit = bus_deficit_w(design, orbits, array.eclipse_bol_w[rows], rows)[0]
            on = []
            for which in (self.with_battery, self.design):
                flows = eclipse_compute(np.float64(which.stored_j), np.float64(span),
                                        np.float64(phase_end - t), deficit,
                                        np.float64(load * h * level),
                                        battery.discharge_efficiency)
                which.stored_j = max(which.stored_j - float(flows.output_j)
                                     / battery.discharge_efficiency, 0.0)
                on.append(float(flows.on_s))
            self.design.lost_eclipse += h * span - h * level * on[1]
            extra = level * h * (on[1] - on[0])
        else:
            to_end = float(orbits.eclipse_end_s[index] + orbits.recharge_s[index]) - t
            computed = []
            for which, limit in ((self.with_battery, usable),
                                 (self.design, battery.new_usable_j)):
                flows = sunlit_compute(np.float64(which.stored_j), np.float64(limit),
                                       np.float64(span), np.float64(to_end),
                                       np.float64(self._surplus(index, aged=False)),
                                       np.float64(load * h), battery.charge_efficiency,
                                       battery.discharge_efficiency)
                which.stored_j = float(flows.stored_j)
                computed.append(float(flows.compute_w))
            self.design.lost_sunlit += (h - computed[1] / load) * span
            extra = (computed[1] - computed[0]) / load * span
        self.battery_lost[1 if failed else 0] += extra

    def _close_down(self, t: float) -> None:
        if self.down_since is not None and not self.unpowered and t >= self.down_until:
            self.down.append((self.down_since, self.down_until))
            self.down_since = None

    def finish(self, horizon_s: float) -> Settled:
        """Take the last orbit (all its states now known) and say what the walk found."""
        self.take(len(self.account.orbits) - 1)
        if self.down_since is not None:
            self.down.append((self.down_since, min(self.down_until, horizon_s)))
        degraded, failed = self.battery_lost
        design_e, design_s = self.design.lost_eclipse, self.design.lost_sunlit
        by_cause = charge_causes(design_e, design_s, degraded, failed,
                                 with_battery=design_e + design_s + degraded + failed,
                                 happened=self.actual.lost_eclipse + self.actual.lost_sunlit,
                                 brownout=self.brownout)
        ledger = dict(self.ledger)
        ledger["stored_change_j"] = self.actual.stored_j - self.start_j
        return Settled(by_cause, ledger, self.lowest, list(self.down),
                       self.unpowered or self.down_until > horizon_s)


def eclipse_walk(env: simpy.Environment, account: PowerAccount
                 ) -> Generator[simpy.Event, Any, None]:
    """The reference walk: wake at every orbit's start and take the orbit before it; the
    account takes the last one at the horizon (``PowerAccount.finish``)."""
    walk = account.walk = Walk(account)
    orbits = account.orbits
    for index in range(1, len(orbits)):
        start_s = float(orbits.start_s[index])
        if start_s > env.now:
            yield env.timeout(start_s - env.now)
        walk.reach(index, env.now)
        walk.take(index - 1)
