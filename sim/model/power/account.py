"""One satellite's power account: the states it goes through, and at the horizon its orbits
decided, its losses charged to causes, and its energy ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.power.aggregate import aggregate
from sim.model.power.energy import POWER_STEP_S, Orbits, PowerDesign
from sim.model.power.load import FleetLoad
from sim.model.power.losses import pieces
from sim.model.power.profiles import ROWS
from sim.model.power.settle import Pending
from sim.model.power.walk import Walk

# Receives a satellite's losses at the horizon, in fraction-seconds by cause.
Report = Callable[[dict[str, float]], None]


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
    ``report`` receives the losses by cause; when they happened goes to ``load`` (shared by
    the fleet, which sums satellites weighted by ``weight``).
    """

    def __init__(self, design: PowerDesign, orbits: Orbits | Callable[[], Orbits],
                 hardware: Callable[[], float], battery_fraction: Callable[[], float],
                 report: Report, load: FleetLoad, weight: float = 1.0,
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
        """Decide every orbit (unless walked), charge the losses to causes, book and report.

        On shared orbits, the orbits decided one by one are settled with other satellites'
        when the load is flushed (``sim.model.power.settle``)."""
        times = np.array(self.record_times_s)
        hardware_states = np.array(self._hardware_states)
        orbits = self.orbits
        load, weight = self._load, self._weight
        if self._walk is not None:
            decided = self._walk.result()
            nothing = np.zeros(ROWS)
            pending = Pending(self, weight, decided.index, decided.hardware, decided.strings,
                              decided.usable_j, pieces(orbits, decided.index, times,
                                                       hardware_states),
                              nothing, nothing, 1.0, decided)
        else:
            result = aggregate(self.design, orbits, times, hardware_states,
                               np.array(self._battery_states), horizon_s, self.step_s,
                               self.reuse, load, weight)
            pending = Pending(self, weight, result.index, result.hardware, result.strings,
                              result.usable_j, pieces(orbits, result.index, times,
                                                      hardware_states),
                              result.covered, result.failed, result.min_state_of_charge)
        load.defer(orbits, self.design, pending)
        if not self.reuse or self._walk is not None:
            # Orbits no one shares (and the walk's) are settled and handed over now.
            load.flush(orbits)
        if not self.reuse:
            self._orbits = None

    def close(self, by_cause: dict[str, float], ledger: dict[str, float],
              min_state_of_charge: float) -> None:
        """Book the satellite's losses by cause, energy ledger and lowest state of charge
        (``settle`` has decided its orbits), and report the losses."""
        totals = self.totals
        totals.cycles = round(ledger.pop("cycles"))
        totals.recharge_shortfall_orbits = round(ledger.pop("recharge_shortfall_orbits"))
        for name, value in ledger.items():
            setattr(totals, name, value)
        totals.min_state_of_charge = min_state_of_charge
        self._report(by_cause)
