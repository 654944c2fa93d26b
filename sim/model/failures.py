"""The life of one unit: fail after a random lifetime, then hand over to its repair rule.

A unit that is never repaired fails once: it needs no process, only a timeout at its lifetime
whose callback fails it (one SimPy event instead of three: a process's start, its timeout and
its end).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.distributions import Distribution
from sim.model.parts import Unit
from sim.model.repair import RepairRule
from sim.model.satellite import Satellite

if TYPE_CHECKING:
    from sim.model.radiation import RadiationLife


def unit_life(
    env: simpy.Environment,
    satellite: Satellite,
    unit: Unit,
    lifetime: Distribution,
    repair: RepairRule,
    renewal_rng: Callable[[], np.random.Generator],
    repair_rng: Callable[[], np.random.Generator],
    horizon_s: float,
    first_lifetime_s: float,
    wear: RadiationLife | None = None,
) -> Generator[simpy.Event, Any, None]:
    """Fail, repair (if the rule repairs), and start a fresh lifetime, until the horizon.

    The first lifetime is drawn by the caller, which starts no process at all for a unit that
    outlives the horizon. Units age in calendar time from installation (a repaired unit is as
    good as new). ``renewal_rng`` and ``repair_rng`` are called only when a repair needs them,
    so parts that are never repaired cost no streams of their own. ``wear`` ends a renewed
    unit's life sooner when radiation (dose, a damaging latch-up) gets there first.
    """
    lifetime_s = first_lifetime_s
    renewals: np.random.Generator | None = None
    repairs: np.random.Generator | None = None
    while True:
        yield env.timeout(lifetime_s)
        satellite.fail(env.now, unit, repair.cause_on_failure)
        if not repair.repairs:
            return
        if repairs is None:
            repairs = repair_rng()
            renewals = renewal_rng()
        yield from repair.restore(env, satellite, unit, repairs)
        satellite.restore(env.now, unit)
        lifetime_s = lifetime.sample(renewals)
        if wear is not None:
            lifetime_s = min(lifetime_s, wear.after(env.now))
        if env.now + lifetime_s >= horizon_s:
            return


def fail_in_order(env: simpy.Environment, failures: list[tuple[float, Satellite, Unit]],
                  cause: str) -> None:
    """Fail each unit for good at its time (``failures`` sorted by time), charging its loss
    to ``cause``: one process walks them in turn, so the event queue holds one entry for all
    of them rather than one each (its every operation costs the log of its size)."""
    env.process(_failing(env, failures, cause))


def _failing(env: simpy.Environment, failures: list[tuple[float, Satellite, Unit]],
             cause: str) -> Generator[simpy.Event, None, None]:
    for at_s, satellite, unit in failures:
        yield env.timeout(at_s - env.now)
        satellite.fail(env.now, unit, cause)


