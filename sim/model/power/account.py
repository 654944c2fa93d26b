"""One satellite's power account: the states it goes through, and at the horizon its orbits
decided (by the fast path, or as the walk decided them), its lost compute charged to causes,
its brownouts and its energy ledger."""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.power.fast import Settled, prepare
from sim.model.power.load import FleetLoad
from sim.model.power.orbits import Orbits
from sim.model.power.profiles import profile_set
from sim.model.power.rules import POWER_STEP_S, PowerDesign
from sim.model.power.shared import SharedOrbits

if TYPE_CHECKING:
    from sim.model.power.walk import Walk

# Receives a satellite's settled power at the horizon, with its states (times, hardware).
Report = Callable[[Settled, Sequence[float], Sequence[float]], None]


@dataclass
class PowerTotals:
    """Battery and energy figures of one satellite over its horizon (energies in J).

    The ledger: ``array_j = bus_j + compute_j + conversion_loss_j + stored_change_j +
    stored_lost_j``, where ``stored_change_j`` is the stored energy at the horizon less that
    at the start and ``stored_lost_j`` the stored energy lost as the battery's usable energy
    fell (fade, lost strings) while it held it. ``unmet_bus_j`` is the bus energy not supplied
    while the bus had no power."""

    cycles: int = 0
    min_state_of_charge: float = 1.0
    recharge_shortfall_orbits: int = 0
    brownouts: int = 0
    bus_unpowered_s: float = 0.0
    array_j: float = 0.0
    bus_j: float = 0.0
    compute_j: float = 0.0
    conversion_loss_j: float = 0.0
    stored_change_j: float = 0.0
    stored_lost_j: float = 0.0
    unmet_bus_j: float = 0.0


class PowerAccount:
    """One satellite's power over its orbits, from the states it goes through.

    ``hardware`` and ``battery_fraction`` read the satellite's current state. At the horizon
    ``report`` receives what was settled; when compute was lost goes to ``load`` (shared by
    the fleet, which sums satellites weighted by ``weight``).

    The satellite runs ``lag_s`` ahead of ``orbits`` (a Walker member on its plane's): what
    happens at its time t is decided at the orbits' t + lag, and the account covers the
    orbits' [0, horizon], its own [−lag, horizon − lag].
    """

    def __init__(self, design: PowerDesign,
                 orbits: Orbits | SharedOrbits | Callable[[], Orbits],
                 hardware: Callable[[], float], battery_fraction: Callable[[], float],
                 report: Report, load: FleetLoad, weight: float = 1.0,
                 step_s: float = POWER_STEP_S, lag_s: float = 0.0):
        self.design = design
        self._orbits_source = orbits
        self._orbits: Orbits | None = orbits if isinstance(orbits, Orbits) else None
        self.step_s = step_s
        self.hardware_now = hardware
        self.battery_now = battery_fraction
        self._report = report
        self._load = load
        self.weight = weight
        self.lag_s = lag_s
        # Packed doubles: a large fleet holds hundreds of states per satellite.
        self.record_times_s = array("d", [0.0])
        self.hardware_states = array("d", [hardware()])
        self.battery_states = array("d", [battery_fraction()])
        # The orbit-by-orbit walk deciding this account's orbits, if it is walked.
        self.walk: Walk | None = None
        self.totals = PowerTotals()

    @property
    def reuse(self) -> bool:
        """Whether the orbits are shared with other accounts: then what is derived from them
        is kept on them too (for the others, and for later replications if the orbits are
        kept)."""
        return self.shared_source is not None

    @property
    def shared_source(self) -> Orbits | SharedOrbits | None:
        """What gives the orbits this account shares with others (it is settled with them
        when the load is flushed), or None."""
        source = self._orbits_source
        return source if isinstance(source, (Orbits, SharedOrbits)) else None

    @property
    def orbits(self) -> Orbits:
        """The satellite's orbits, built from their source when first needed (a large shell's
        orbits are built one satellite at a time and let go after ``finish``; shared ones are
        held by their source)."""
        if self._orbits is not None:
            return self._orbits
        source = self._orbits_source
        if isinstance(source, SharedOrbits):
            return source.get()
        assert callable(source)
        self._orbits = source()
        return self._orbits

    def record(self, now_s: float, hardware: float, battery_fraction: float) -> None:
        """The satellite's state changed at ``now_s`` to ``hardware`` and
        ``battery_fraction``: keep it (a fade point happens here)."""
        self.record_times_s.append(now_s)
        self.hardware_states.append(hardware)
        self.battery_states.append(battery_fraction)

    def states(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times, hardware capacities, battery fractions) of every state so far."""
        return (np.array(self.record_times_s), np.array(self.hardware_states),
                np.array(self.battery_states))


    def finish(self, horizon_s: float) -> None:
        """Settle the satellite's power (now, if walked or if its orbits are its own; else
        with the satellites sharing its orbits, when the load is flushed) and report it."""
        if self.walk is not None:
            if self.lag_s:
                raise ValueError("the orbit-by-orbit walk needs a satellite's own orbits "
                                 "(members='exact')")
            settled = self.walk.finish(horizon_s)
            segments = self.walk.segments
            starts, ends, rates = (np.array(column, dtype=float).reshape(-1)
                                   for column in zip(*segments, strict=True))
            self._load.add_segments(starts, ends, rates)
            self.walk = None
            self.close(settled)
            return
        orbits = self.orbits
        times, hardware, strings = orbit_time(*self.states(), self.lag_s, horizon_s)
        pending = prepare(self.design, orbits, profile_set(self.design, orbits, self.reuse),
                          times, hardware, strings, horizon_s, self.step_s, self.weight,
                          self.close, self.lag_s)
        self._load.defer(orbits, self.design, pending)
        if not self.reuse:
            self._load.flush(orbits)
            self._orbits = None

    def close(self, settled: Settled) -> None:
        """Book the satellite's settled power and report it (its down periods in its own
        time)."""
        if self.lag_s:
            settled = dataclasses.replace(settled, down=own_time(settled.down, self.lag_s,
                                                                  self.orbits.end_s[-1]))
        totals = self.totals
        ledger = dict(settled.ledger)
        totals.cycles = round(ledger.pop("cycles"))
        totals.recharge_shortfall_orbits = round(ledger.pop("recharge_shortfall_orbits"))
        for name, value in ledger.items():
            setattr(totals, name, value)
        totals.bus_unpowered_s = totals.unmet_bus_j / self.design.bus_load_w
        totals.min_state_of_charge = settled.lowest_state_of_charge
        totals.brownouts = len(settled.down)
        self._report(settled, self.record_times_s, self.hardware_states)


def orbit_time(times_s: np.ndarray, hardware: np.ndarray, strings: np.ndarray, lag_s: float,
               horizon_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A satellite's states (from ``times_s[k]`` on, the first at 0) in the time of orbits it
    runs ``lag_s`` ahead of, within [0, horizon_s): the state held at the orbits' 0 from 0,
    and none from the horizon on."""
    if not lag_s:
        return times_s, hardware, strings
    shifted = times_s + lag_s
    first = max(int(np.searchsorted(shifted, 0.0, side="right")) - 1, 0)
    stop = max(int(np.searchsorted(shifted, horizon_s, side="left")), first + 1)
    shifted = shifted[first:stop]
    shifted[0] = 0.0
    return shifted, hardware[first:stop], strings[first:stop]


def own_time(periods: list[tuple[float, float]], lag_s: float, horizon_s: float
             ) -> list[tuple[float, float]]:
    """[start, end) periods in the orbits' time, in the satellite's own (``lag_s`` earlier),
    within [0, horizon_s]."""
    found = []
    for start, end in periods:
        start, end = max(start - lag_s, 0.0), min(end - lag_s, horizon_s)
        if end > start:
            found.append((start, end))
    return found
