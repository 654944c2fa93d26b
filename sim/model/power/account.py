"""One satellite's power account: the states it goes through, and at the horizon its orbits
decided, its losses charged to causes, and its energy ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.power.aggregate import aggregate
from sim.model.power.energy import POWER_STEP_S, ROUNDING, Decided, Orbits, PowerDesign
from sim.model.power.load import FleetLoad, Sink
from sim.model.power.losses import (
    LEDGER,
    ledger_rows,
    min_state_of_charge,
    piece_losses,
    pieces,
)
from sim.model.power.profiles import (
    ACTUAL,
    DESIGN_ECLIPSE,
    DESIGN_SUNLIT,
    FIRST_LEDGER_ROW,
    ROWS,
    WITH_BATTERY,
)
from sim.model.power.walk import Walk

# Receives a satellite's losses at the horizon: fraction-seconds by cause, and segments (start,
# end, lost fraction of nominal; in any order, some empty) of the orbits it decided one by one.
Report = Callable[[dict[str, float], np.ndarray, np.ndarray, np.ndarray], None]


@dataclass
class PowerTotals:
    """Battery and energy figures of one satellite, over its orbits."""

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
    """One satellite's power over its orbits, from the states it goes through.

    ``hardware`` and ``battery_fraction`` read the satellite's current state. At the horizon
    ``report`` receives the losses by cause and the segments of the orbits decided one by
    one; the other orbits' losses go to ``load`` (shared by satellites with the same orbits,
    weighted by ``weight``), or, without one, to ``report`` as segments too.
    """

    def __init__(self, design: PowerDesign, orbits: Orbits | Callable[[], Orbits],
                 hardware: Callable[[], float], battery_fraction: Callable[[], float],
                 report: Report, load: FleetLoad | None = None, weight: float = 1.0,
                 step_s: float = POWER_STEP_S):
        self.design = design
        self._orbits_source = orbits
        self._orbits: Orbits | None = orbits if isinstance(orbits, Orbits) else None
        self.step_s = step_s
        self.hardware_now = hardware
        self.battery_now = battery_fraction
        self._report = report
        self._load = load
        self._weight = weight
        self.record_times_s = [0.0]
        self._hardware_states = [hardware()]
        self._battery_states = [battery_fraction()]
        self._walk: Walk | None = None
        self.totals = PowerTotals()

    @property
    def reuse(self) -> bool:
        """Whether the orbits outlive this account (shared, kept): then what is derived from
        them is kept on them too."""
        return isinstance(self._orbits_source, Orbits)

    @property
    def orbits(self) -> Orbits:
        """The satellite's orbits, built from their source when first needed (a large shell's
        orbits are built one satellite at a time and let go after ``finish``)."""
        if self._orbits is None:
            source = self._orbits_source
            assert callable(source)
            self._orbits = source()
        return self._orbits

    def record(self, now_s: float, hardware: float, battery_fraction: float) -> None:
        """The satellite's state changed at ``now_s`` to ``hardware`` (its ``hardware_now``)
        and ``battery_fraction`` (its ``battery_now``): keep it (a power step happens here).
        Given by the caller, which has them at hand, rather than asked back."""
        self.record_times_s.append(now_s)
        self._hardware_states.append(hardware)
        self._battery_states.append(battery_fraction)

    def start_walk(self) -> None:
        """Decide orbits one by one as the walk reaches them, instead of at the horizon."""
        self._walk = Walk(self)
        self._walk.decide(0, 0.0)

    def walk_to(self, index: int, now_s: float) -> None:
        """The walk reached orbit ``index`` at ``now_s``."""
        assert self._walk is not None
        self._walk.decide(index, now_s)

    def finish(self, horizon_s: float) -> None:
        """Decide every orbit (unless walked), charge the losses to causes, book and report."""
        times = np.array(self.record_times_s)
        hardware_states = np.array(self._hardware_states)
        orbits = self.orbits
        if self._walk is not None:
            special = self._walk.result()
            covered = failed = np.zeros(ROWS)
            min_soc_kept = 1.0
        else:
            load = self._load if self._load is not None else FleetLoad(self._segments_sink())
            weight = self._weight if load is self._load else 1.0
            result = aggregate(self.design, orbits, times, hardware_states,
                               np.array(self._battery_states), horizon_s, self.step_s,
                               self.reuse, load, weight)
            special, covered, failed = result.special, result.covered, result.failed
            min_soc_kept = result.min_state_of_charge
            if not self.reuse or load is not self._load:
                # Orbits no one shares are handed over now, and let go.
                load.flush(orbits)
        self._book(special, covered + failed, min_soc_kept)
        self._charge(special, covered, failed, times, hardware_states)
        if not self.reuse:
            self._orbits = None

    def _segments_sink(self) -> Sink:
        return lambda starts, ends, rates: self._report({}, starts, ends, rates)

    def _charge(self, special: Decided, covered: np.ndarray, failed: np.ndarray,
                times: np.ndarray, hardware_states: np.ndarray) -> None:
        """Charge the losses to causes by the counterfactuals, and report them."""
        level = self.design.eclipse_compute_level
        orbits = self.orbits
        cut = pieces(orbits, special.index, times, hardware_states)
        designed, with_battery = (
            piece_losses(orbits, special.index, cut, outcome, level)
            for outcome in (special.as_designed, special.with_battery))
        actual = piece_losses(orbits, special.index, cut, special.actual, level, segments=True)
        assert actual.segments is not None
        count = len(special.index)
        battery_extra = with_battery.by_orbit(cut, count) - designed.by_orbit(cut, count)
        gone = special.strings <= 0.0
        kept = covered + failed
        by_cause = {
            "eclipse_shortfall": float(np.sum(designed.eclipse)) + kept[DESIGN_ECLIPSE],
            "sunlit_shortfall": float(np.sum(designed.sunlit)) + kept[DESIGN_SUNLIT],
            "battery_degraded": float(np.sum(battery_extra[~gone])),
            "battery_failed": float(np.sum(battery_extra[gone])) + failed[WITH_BATTERY]
            - failed[DESIGN_ECLIPSE] - failed[DESIGN_SUNLIT],
            # Where the battery covers the eclipse, the actual battery loses what the
            # design's does (``profiles``): the rest of what happens is the aged array's.
            "array_degraded": actual.total() - with_battery.total()
            + covered[ACTUAL] - covered[WITH_BATTERY] + failed[ACTUAL] - failed[WITH_BATTERY],
        }
        # Differences of nearly equal sums leave rounding residue (±1e-9 of the total).
        scale = ROUNDING * max(sum(abs(v) for v in by_cause.values()), 1.0)
        by_cause = {cause: 0.0 if abs(value) < scale else float(value)
                    for cause, value in by_cause.items()}
        self._report(by_cause, *actual.segments)

    def _book(self, special: Decided, kept: np.ndarray, min_soc_kept: float) -> None:
        """Cycles, the lowest state of charge and the energy ledger."""
        ledger = ledger_rows(self.design, self.orbits, special.index, special.hardware,
                             special.actual).sum(axis=1) + kept[FIRST_LEDGER_ROW:]
        figures = dict(zip(LEDGER, ledger.tolist(), strict=True))
        totals = self.totals
        totals.cycles = round(figures.pop("cycles"))
        totals.recharge_shortfall_orbits = round(figures.pop("recharge_shortfall_orbits"))
        for name, value in figures.items():
            setattr(totals, name, value)
        totals.min_state_of_charge = min(min_soc_kept, min_state_of_charge(
            special.actual.drawn_j, special.usable_j,
            self.design.battery.max_depth_of_discharge))
