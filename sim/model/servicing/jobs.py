"""A job: one unit to swap on one satellite, from the policy's decision to the servicer's
last bolt. Its phase is the cause its unit's lost capacity is charged to while it is failed."""

from __future__ import annotations

from collections.abc import Callable

from sim.model.servicing.lives import UnitLife
from sim.model.servicing.stock import Stock


class Job:
    """A swap of ``life``'s unit: after a failure, or preventive (the unit still works)."""

    __slots__ = ("cancelled", "created_s", "fill", "life", "phase", "preventive", "spare",
                 "stock")

    def __init__(self, life: UnitLife, preventive: bool, created_s: float):
        self.life = life
        self.preventive = preventive
        self.created_s = created_s
        self.phase = ""
        # A spare is held for this job (returned to stock if the job is cancelled).
        self.spare = False
        self.cancelled = False
        self.stock: Stock | None = None
        self.fill: Callable[[], None] | None = None
