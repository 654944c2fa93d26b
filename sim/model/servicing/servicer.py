"""One servicer spacecraft: it takes jobs from its fleet group's queue, travels, swaps units,
and may itself fail (its parts, like a satellite's) and be replaced by launch."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.parts import Unit, failing_groups, refresh
from sim.model.servicing.plan import ServicerPlan
from sim.model.servicing.travel import Slot

if TYPE_CHECKING:
    from sim.model.servicing.engine import Maintenance


def servicer_lifetime_s(plan: ServicerPlan, rng: np.random.Generator) -> float:
    """When a new servicer of ``plan`` stops working: its parts' units fail at their drawn
    lifetimes (no repair) until its structure is down; inf without parts or if it never is."""
    if not plan.parts:
        return float("inf")
    root = Unit(None, plan.parts)
    failures: list[tuple[float, Unit]] = []
    for group in failing_groups(root):
        assert group.part.failure is not None
        lifetimes = group.part.failure.sample_many(rng, group.count).tolist()
        failures.extend(zip(lifetimes, group.units, strict=True))
    failures.sort(key=lambda pair: pair[0])
    for time_s, unit in failures:
        unit.failed_cause = "failed"
        refresh(unit)
        if root.capacity <= 0.0:
            return time_s
    return float("inf")


class Servicer:
    """A servicer's state and its SimPy process."""

    def __init__(self, engine: Maintenance, plan: ServicerPlan, number: int, home: Slot,
                 home_index: int):
        self.engine = engine
        self.plan = plan
        self.number = number
        self.slot = home
        self.at = home_index
        self.budget_m_s = plan.delta_v_budget_m_s
        self.alive = True
        self.alive_since_s = 0.0
        # When it stopped working (the horizon if it never did).
        self.lost_s = 0.0
        self.wake: simpy.Event | None = None
        self.process = engine.env.process(self.run())

    def run(self) -> Generator[simpy.Event, Any, None]:
        engine = self.engine
        env = engine.env
        while True:
            jobs = engine.take(self)
            if not jobs:
                self.wake = env.event()
                engine.idle[self.plan.group].append(self)
                try:
                    yield self.wake
                except simpy.Interrupt:
                    self._lost(())
                    return
                continue
            try:
                yield from engine.serve(self, jobs)
            except simpy.Interrupt:
                self._lost(jobs)
                return

    def _lost(self, jobs: Any) -> None:
        engine = self.engine
        self.alive = False
        engine.servicer_lost(self, jobs)
