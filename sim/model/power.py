"""Eclipse power: what the array and the battery let a satellite's compute do, orbit by orbit.

An *orbit* here runs from one eclipse's start (penumbra entry) to the next one's; a virtual
orbit with an empty eclipse covers the sunlight before the first eclipse. Its outcome is
decided at its start from the satellite's state then (hardware capacity, working battery
strings, battery fade, array degradation):

- **In eclipse** (penumbra to penumbra) the array gives half its output during penumbra and
  nothing in umbra; the battery carries the rest of the bus load and of the compute load,
  the compute running at the eclipse rule's level (ride through: 1; shed to a fraction; shed:
  0). If the battery would pass its depth-of-discharge limit, compute is cut at the moment
  that leaves just enough for the bus to the end of the eclipse (the drain is taken as
  uniform over the eclipse).
- **In sunlight** the array serves the bus first, then the recharge of what the eclipse drew
  (spread evenly over the sunlit time), then compute. A battery the array cannot recharge in
  one sunlit period is counted (``recharge_shortfall_orbits``) and starts the next eclipse
  full regardless.
- **Ageing**: array output falls by a fixed fraction a year (compounded); battery capacity
  fades with calendar time and with every cycle, by ``fade_per_cycle × (DoD/DoD_ref)^k``
  with DoD relative to the nameplate capacity. Fade is applied to the usable energy at each
  *power step*: every change of the satellite's state and every ``POWER_STEP_S``.

Lost compute is charged to causes by counterfactuals that telescope to the actual loss:
``eclipse_shortfall``/``sunlit_shortfall`` (what the design loses with a new battery and a
new array), ``battery_degraded`` or ``battery_failed`` (what the actual battery adds), and
``array_degraded`` (what the aged array adds).

Losses are integrated between the satellite's state changes over many orbits at once
(``advance``); the orbit-by-orbit walk (``eclipse_walk``) gives the same results and is kept
as the reference.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.units import DAY_S, YEAR_S

# Fade is applied to the usable battery energy at least this often (and at every state change).
POWER_STEP_S = 30.0 * DAY_S

# Share of the array's output available while the Sun's disk is partly hidden (penumbra):
# the visible fraction falls from 1 to 0 across it, about linearly in time.
PENUMBRA_OUTPUT_FRACTION = 0.5

CAUSES = ("eclipse_shortfall", "sunlit_shortfall", "battery_degraded", "battery_failed",
          "array_degraded")


@dataclass(frozen=True, slots=True)
class BatteryDesign:
    """A satellite's battery, in SI units."""

    capacity_j: float
    max_depth_of_discharge: float
    charge_efficiency: float
    discharge_efficiency: float
    fade_per_cycle: float
    fade_reference_dod: float
    fade_exponent: float
    calendar_fade_per_s: float
    part: str | None = None


@dataclass(frozen=True, slots=True)
class PowerDesign:
    """A satellite's array, loads and eclipse rule, in SI units."""

    array_bol_w: float
    array_degradation_per_year: float
    bus_load_w: float
    compute_load_w: float
    eclipse_compute_level: float
    battery: BatteryDesign

    def array_w(self, t_s: np.ndarray) -> np.ndarray:
        """Array output at ``t_s`` (seconds since the start), degraded and compounded."""
        return self.array_bol_w * (1.0 - self.array_degradation_per_year) ** (t_s / YEAR_S)


@dataclass(frozen=True)
class Orbits:
    """A satellite's eclipses as orbits: eclipse ``j`` starts orbit ``j``, which ends where
    orbit ``j+1`` starts. Entry 0 is a virtual orbit with an empty eclipse at time 0.

    ``recharge_s`` is the sunlit time over which an eclipse's draw is recharged: infinite for
    the last orbit, whose recharge falls after the horizon."""

    start_s: np.ndarray
    eclipse_end_s: np.ndarray
    penumbra_s: np.ndarray
    end_s: np.ndarray
    recharge_s: np.ndarray

    @classmethod
    def from_eclipses(
        cls,
        penumbra_start_s: np.ndarray,
        umbra_start_s: np.ndarray,
        umbra_end_s: np.ndarray,
        penumbra_end_s: np.ndarray,
        horizon_s: float,
    ) -> Orbits:
        """Orbits from eclipse boundaries (umbra NaN for a grazing eclipse), clipped to the
        horizon."""
        keep = (penumbra_end_s > 0.0) & (penumbra_start_s < horizon_s)
        ps = np.clip(penumbra_start_s[keep], 0.0, horizon_s)
        pe = np.clip(penumbra_end_s[keep], 0.0, horizon_s)
        us = np.clip(umbra_start_s[keep], ps, pe)
        ue = np.clip(umbra_end_s[keep], ps, pe)
        grazing = np.isnan(us) | np.isnan(ue)
        penumbra = np.where(grazing, pe - ps, (us - ps) + (pe - ue))
        start = np.concatenate([[0.0], ps])
        eclipse_end = np.concatenate([[0.0], pe])
        end = np.concatenate([start[1:], [horizon_s]])
        recharge = end - eclipse_end
        recharge[-1] = np.inf
        return cls(start_s=start, eclipse_end_s=eclipse_end,
                   penumbra_s=np.concatenate([[0.0], penumbra]), end_s=end, recharge_s=recharge)

    def __len__(self) -> int:
        return len(self.start_s)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a set of orbits decided: when compute is cut in each eclipse (seconds after its
    start), what the battery gave, and the compute the array carries in the sunlight after."""

    cut_s: np.ndarray
    drawn_j: np.ndarray
    unmet_bus_j: np.ndarray
    sun_compute: np.ndarray


def decide(
    design: PowerDesign,
    orbits: Orbits,
    index: slice,
    hardware: float,
    usable_j: float,
    eclipse_array_w: np.ndarray,
    sun_array_w: np.ndarray,
) -> Outcome:
    """The outcome of orbits ``index`` for a satellite at ``hardware`` capacity fraction."""
    duration = orbits.eclipse_end_s[index] - orbits.start_s[index]
    recharge_s = orbits.recharge_s[index]
    battery = design.battery
    bus_w = design.bus_load_w
    compute_w = design.compute_load_w * hardware * design.eclipse_compute_level
    array_j = eclipse_array_w * PENUMBRA_OUTPUT_FRACTION * orbits.penumbra_s[index]
    need_j = np.maximum((bus_w + compute_w) * duration - array_j, 0.0)
    available_j = usable_j * battery.discharge_efficiency
    enough = need_j <= available_j
    if compute_w > 0.0:
        cut = np.clip((available_j + array_j - bus_w * duration) / compute_w, 0.0, duration)
    else:
        cut = duration
    cut_s = np.where(enough, duration, cut)
    drawn_j = np.where(enough, need_j / battery.discharge_efficiency, usable_j)
    unmet_bus_j = np.maximum(bus_w * duration - array_j - available_j, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        recharge_w = np.where(recharge_s > 0.0,
                              drawn_j / (battery.charge_efficiency * recharge_s), 0.0)
    sun_compute = np.maximum(sun_array_w - bus_w - recharge_w, 0.0) / design.compute_load_w
    return Outcome(cut_s, drawn_j, unmet_bus_j, sun_compute)


def lost_over(
    orbits: Orbits, index: slice, outcome: Outcome, level: float, hardware: float,
    start_s: float, end_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lost compute (fraction-seconds) of orbits ``index`` within [start_s, end_s): in eclipse
    before the cut, after it, and in sunlight; one entry per orbit each."""
    ps = orbits.start_s[index]
    cut_at = ps + outcome.cut_s
    pe = orbits.eclipse_end_s[index]
    end = orbits.end_s[index]

    def overlap(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return np.maximum(np.minimum(hi, end_s) - np.maximum(lo, start_s), 0.0)

    before_cut = hardware * (1.0 - level) * overlap(ps, cut_at)
    after_cut = hardware * overlap(cut_at, pe)
    in_sun = np.maximum(hardware - outcome.sun_compute, 0.0) * overlap(pe, end)
    return before_cut, after_cut, in_sun


@dataclass
class PowerTotals:
    """Battery and energy figures of one satellite, accumulated over its orbits."""

    cycles: int = 0
    min_state_of_charge: float = 1.0
    recharge_shortfall_orbits: int = 0
    array_j: float = 0.0
    bus_j: float = 0.0
    compute_j: float = 0.0
    conversion_loss_j: float = 0.0
    stored_change_j: float = 0.0
    unmet_bus_j: float = 0.0


class PowerAccount:
    """One satellite's power: decides orbits as time advances and reports their losses.

    ``hardware`` and ``battery_fraction`` are callables reading the satellite's current state;
    ``report(by_cause, starts, ends, rates)`` receives the losses of each advance.
    """

    def __init__(self, design: PowerDesign, orbits: Orbits, hardware: Any,
                 battery_fraction: Any, report: Any):
        self.design = design
        self.orbits = orbits
        self._hardware = hardware
        self._battery_fraction = battery_fraction
        self._report = report
        self._t_s = 0.0
        self._decided = 0  # orbits [0, _decided) have an outcome
        self._carried: tuple[Outcome, Outcome, Outcome] | None = None
        self._fade_applied = 0.0
        self._fade_pending = 0.0
        self._fade_point_s = 0.0
        self.totals = PowerTotals()

    def usable_j(self) -> float:
        """Energy the battery may give in one eclipse now (fade as of the last power step)."""
        battery = self.design.battery
        fade = self._fade_applied + battery.calendar_fade_per_s * self._fade_point_s
        health = max(0.0, 1.0 - fade) * self._battery_fraction()
        return battery.capacity_j * health * battery.max_depth_of_discharge

    def step(self, now_s: float) -> None:
        """A power step: account up to ``now_s``, then apply the fade accumulated so far."""
        self.advance(now_s)
        self._fade_applied += self._fade_pending
        self._fade_pending = 0.0
        self._fade_point_s = now_s

    def advance(self, now_s: float) -> None:
        """Decide the orbits starting before ``now_s`` and report what was lost up to it."""
        start_s = self._t_s
        if now_s <= start_s:
            return
        orbits = self.orbits
        first_new = self._decided
        last_new = int(np.searchsorted(orbits.start_s, now_s, side="left"))
        design = self.design
        hardware = self._hardware()
        level = design.eclipse_compute_level
        new = slice(first_new, last_new)
        outcomes = self._decide_new(new, hardware) if last_new > first_new else None
        carried = self._carried
        if carried is not None and first_new > 0:
            index = slice(first_new - 1, last_new)
            joined = [_join(old, fresh) if outcomes else old
                      for old, fresh in zip(carried, outcomes or carried, strict=True)]
        else:
            index = new
            joined = list(outcomes) if outcomes else []
        if joined:
            self._integrate(index, joined, level, hardware, start_s, now_s)
        if outcomes is not None:
            self._carried = tuple(_last(o) for o in outcomes)  # type: ignore[assignment]
            self._decided = last_new
        self._t_s = now_s

    def _decide_new(self, new: slice, hardware: float) -> tuple[Outcome, Outcome, Outcome]:
        """Design, battery and actual outcomes of orbits ``new``; books the actual one."""
        design = self.design
        orbits = self.orbits
        battery = design.battery
        eclipse_t = orbits.start_s[new]
        sun_t = 0.5 * (orbits.eclipse_end_s[new] + orbits.end_s[new])
        bol_eclipse = np.full(len(eclipse_t), design.array_bol_w)
        bol_usable = battery.capacity_j * battery.max_depth_of_discharge
        usable = self.usable_j()
        as_designed = decide(design, orbits, new, hardware, bol_usable, bol_eclipse, bol_eclipse)
        with_battery = decide(design, orbits, new, hardware, usable, bol_eclipse, bol_eclipse)
        actual = decide(design, orbits, new, hardware, usable, design.array_w(eclipse_t),
                        design.array_w(sun_t))
        self._book(new, actual, hardware, usable, design.array_w(eclipse_t),
                   design.array_w(sun_t))
        return as_designed, with_battery, actual

    def _book(self, new: slice, actual: Outcome, hardware: float, usable_j: float,
              eclipse_array_w: np.ndarray, sun_array_w: np.ndarray) -> None:
        """Cycles, state of charge, fade and the energy ledger of newly decided orbits."""
        design = self.design
        battery = design.battery
        orbits = self.orbits
        totals = self.totals
        drawn = actual.drawn_j
        cycled = drawn > 0.0
        totals.cycles += int(np.count_nonzero(cycled))
        capacity_now = usable_j / battery.max_depth_of_discharge
        if np.any(cycled):
            lowest = 1.0 - float(drawn.max()) / capacity_now if capacity_now > 0.0 else 0.0
            totals.min_state_of_charge = min(totals.min_state_of_charge, lowest)
        dod = drawn[cycled] / battery.capacity_j
        self._fade_pending += float(np.sum(
            battery.fade_per_cycle * (dod / battery.fade_reference_dod) ** battery.fade_exponent))

        duration = orbits.eclipse_end_s[new] - orbits.start_s[new]
        sunlit = orbits.end_s[new] - orbits.eclipse_end_s[new]
        compute_full_w = design.compute_load_w * hardware
        eclipse_loads = (design.bus_load_w * duration - actual.unmet_bus_j
                         + compute_full_w * design.eclipse_compute_level * actual.cut_s)
        battery_out = drawn * battery.discharge_efficiency
        eclipse_array = eclipse_loads - battery_out
        recharge_room = np.maximum(sun_array_w - design.bus_load_w, 0.0) * sunlit
        within = np.isfinite(orbits.recharge_s[new])
        recharge_in = np.where(within, np.minimum(drawn / battery.charge_efficiency,
                                                  recharge_room), 0.0)
        recharged = recharge_in * battery.charge_efficiency
        totals.recharge_shortfall_orbits += int(np.count_nonzero(
            within & (recharged < drawn * (1 - 1e-12))))
        sun_compute = np.minimum(actual.sun_compute, hardware) * design.compute_load_w * sunlit
        totals.array_j += float(np.sum(eclipse_array + design.bus_load_w * sunlit
                                       + sun_compute + recharge_in))
        totals.bus_j += float(np.sum(design.bus_load_w * (duration + sunlit)
                                     - actual.unmet_bus_j))
        totals.compute_j += float(np.sum(
            compute_full_w * design.eclipse_compute_level * actual.cut_s + sun_compute))
        totals.conversion_loss_j += float(np.sum(drawn - battery_out + recharge_in - recharged))
        totals.stored_change_j += float(np.sum(recharged - drawn))
        totals.unmet_bus_j += float(np.sum(actual.unmet_bus_j))

    def _integrate(self, index: slice, outcomes: list[Outcome], level: float, hardware: float,
                   start_s: float, end_s: float) -> None:
        """Report the losses of orbits ``index`` within [start_s, end_s), by cause and in time."""
        as_designed, with_battery, actual = (
            lost_over(self.orbits, index, o, level, hardware, start_s, end_s) for o in outcomes)
        design_eclipse = float(np.sum(as_designed[0]) + np.sum(as_designed[1]))
        design_sun = float(np.sum(as_designed[2]))
        battery_total = float(sum(np.sum(part) for part in with_battery))
        actual_total = float(sum(np.sum(part) for part in actual))
        battery_cause = "battery_failed" if self._battery_fraction() <= 0.0 else "battery_degraded"
        by_cause = {
            "eclipse_shortfall": design_eclipse,
            "sunlit_shortfall": design_sun,
            battery_cause: battery_total - design_eclipse - design_sun,
            "array_degraded": actual_total - battery_total,
        }
        orbits = self.orbits
        ps = np.maximum(orbits.start_s[index], start_s)
        cut_at = np.clip(orbits.start_s[index] + outcomes[2].cut_s, start_s, end_s)
        pe = np.clip(orbits.eclipse_end_s[index], start_s, end_s)
        end = np.minimum(orbits.end_s[index], end_s)
        starts = np.stack([ps, cut_at, pe], axis=1).ravel()
        ends = np.stack([np.maximum(cut_at, ps), np.maximum(pe, cut_at), np.maximum(end, pe)],
                        axis=1).ravel()
        rates = np.stack([
            np.full(len(ps), hardware * (1.0 - level)),
            np.full(len(ps), hardware),
            np.maximum(hardware - outcomes[2].sun_compute, 0.0),
        ], axis=1).ravel()
        self._report(by_cause, starts, np.maximum(ends, starts), rates)


def _last(outcome: Outcome) -> Outcome:
    return Outcome(outcome.cut_s[-1:], outcome.drawn_j[-1:], outcome.unmet_bus_j[-1:],
                   outcome.sun_compute[-1:])


def _join(carried: Outcome, fresh: Outcome) -> Outcome:
    return Outcome(*(np.concatenate([a, b]) for a, b in zip(
        (carried.cut_s, carried.drawn_j, carried.unmet_bus_j, carried.sun_compute),
        (fresh.cut_s, fresh.drawn_j, fresh.unmet_bus_j, fresh.sun_compute), strict=True)))


def power_steps(
    env: simpy.Environment, accounts: list[PowerAccount], step_s: float
) -> Generator[simpy.Event, Any, None]:
    """Apply battery fade to every satellite every ``step_s``."""
    while True:
        yield env.timeout(step_s)
        for account in accounts:
            account.step(env.now)


def eclipse_walk(
    env: simpy.Environment, account: PowerAccount
) -> Generator[simpy.Event, Any, None]:
    """The reference walk: wake at every eclipse start and account orbit by orbit."""
    for start_s in account.orbits.start_s[1:]:
        if start_s > env.now:
            yield env.timeout(start_s - env.now)
        account.advance(env.now)
