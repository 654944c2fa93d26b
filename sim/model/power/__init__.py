"""Eclipse power: what a satellite's array and battery let its bus and compute do, and what
it costs in compute, charged to causes.

Read it in this order:

- ``rules``: the designs, the eclipse rules by name, the one formula for usable battery
  energy, and the two decisions, ``eclipse_compute`` and ``sunlit_compute``, over a stretch
  of constant state. The battery's stored energy is carried from stretch to stretch and never
  leaves [0, usable energy]; what the array and battery cannot give is unmet.
- ``orbits``: a satellite's eclipses as orbits, with the array's output on each (its ageing
  and the Sun's distance).
- ``walk``: the reference, a SimPy process taking every orbit in order.
- ``fade``, ``profiles``, ``chains``, ``fast``, ``load``: the fast path, which gives what the
  walk gives: orbits that start and end with a full battery (*clean*) are summed from shared
  running sums, the rest run stretch by stretch for many satellites at once.
- ``causes``: lost compute charged to causes, every one ≥ 0.
- ``account``: one satellite's account, from the states it goes through to what it reports.

A satellite whose battery cannot carry the bus browns out: from then until
``brownout_recovery_s`` after power returns it delivers nothing (cause ``brownout``).
"""

from sim.model.power.account import PowerAccount, PowerTotals
from sim.model.power.causes import CAUSES
from sim.model.power.fast import Settled
from sim.model.power.load import FleetLoad
from sim.model.power.orbits import Orbits
from sim.model.power.rules import (
    ECLIPSE_RULES,
    POWER_STEP_S,
    RIDE_THROUGH,
    SHED,
    SHED_TO_FRACTION,
    BatteryDesign,
    PowerDesign,
    cycle_fade,
    eclipse_compute,
    eclipse_compute_level,
    sunlit_compute,
    usable_energy_j,
)
from sim.model.power.walk import eclipse_walk

__all__ = [
    "CAUSES",
    "ECLIPSE_RULES",
    "POWER_STEP_S",
    "RIDE_THROUGH",
    "SHED",
    "SHED_TO_FRACTION",
    "BatteryDesign",
    "FleetLoad",
    "Orbits",
    "PowerAccount",
    "PowerDesign",
    "PowerTotals",
    "Settled",
    "cycle_fade",
    "eclipse_compute",
    "eclipse_compute_level",
    "eclipse_walk",
    "sunlit_compute",
    "usable_energy_j",
]
