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
``array_degraded`` (what the aged array adds). A cause can be slightly negative: an eclipse
cut short draws less from the battery, so less recharge competes with compute in the sunlight
after; energy from the battery costs the array ``1/(charge × discharge efficiency)`` times as
much, so a weak battery can return a little more sunlit compute than it took in eclipse.

The satellite records its state at every change; at the horizon every orbit is decided and
summed at once (``PowerAccount.finish``, ``aggregate``): orbits in a state where the battery
covers the eclipse, or has failed, follow profiles shared by every satellite on the same orbits
(``profiles``), and only the orbits that may fall short are decided one by one, the fade that
feeds back on the battery's usable energy solved as a fixed point over them. Losses within an
orbit follow the hardware capacity as it changes (a failure mid-eclipse stops charging that
unit's compute). The orbit-by-orbit walk (``eclipse_walk``), a SimPy process deciding each
orbit as it starts from the live state, gives the same results and is kept as the reference.

Modules: ``energy`` (designs, orbits, the decision of an orbit), ``profiles``, ``aggregate``,
``settle`` (the orbits decided one by one, for many satellites at once), ``losses`` (lost
compute and the energy ledger), ``load`` (losses summed over satellites), ``account`` (one
satellite's account) and ``walk``.
"""

from sim.model.power.account import PowerAccount, PowerTotals
from sim.model.power.energy import (
    CAUSES,
    POWER_STEP_S,
    BatteryDesign,
    Decided,
    Orbits,
    Outcome,
    PowerDesign,
    decide,
    fade_increment,
)
from sim.model.power.load import FleetLoad
from sim.model.power.walk import eclipse_walk

__all__ = [
    "CAUSES",
    "POWER_STEP_S",
    "BatteryDesign",
    "Decided",
    "FleetLoad",
    "Orbits",
    "Outcome",
    "PowerAccount",
    "PowerDesign",
    "PowerTotals",
    "decide",
    "eclipse_walk",
    "fade_increment",
]
