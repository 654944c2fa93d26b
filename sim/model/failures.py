"""The life of one unit: fail after a random lifetime, then hand over to its repair rule."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from sim.model.distributions import Distribution
from sim.model.parts import Unit
from sim.model.repair import RepairRule
from sim.model.satellite import Satellite


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
) -> Generator[simpy.Event, Any, None]:
    """Fail, repair (if the rule repairs), and start a fresh lifetime, until the horizon.

    The first lifetime is drawn by the caller, which starts no process at all for a unit that
    outlives the horizon. Units age in calendar time from installation (a repaired unit is as
    good as new). ``renewal_rng`` and ``repair_rng`` are called only when a repair needs them,
    so parts that are never repaired cost no streams of their own.
    """
    lifetime_s = first_lifetime_s
    while True:
        yield env.timeout(lifetime_s)
        satellite.fail(env.now, unit, repair.cause_on_failure)
        if not repair.repairs:
            return
        yield from repair.restore(env, satellite, unit, repair_rng())
        satellite.restore(env.now, unit)
        lifetime_s = lifetime.sample(renewal_rng())
        if env.now + lifetime_s >= horizon_s:
            return
