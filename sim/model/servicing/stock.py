"""A depot's stock of one item: demands met at once or backordered, reordering by (s,Q) or
(R,S) on the inventory position, and resupply launches that take time and may be lost."""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable

import numpy as np
import simpy

from sim.model.servicing.ledger import Ledger
from sim.model.servicing.plan import SATELLITE, LaunchService, StockRule

Fill = Callable[[], None]


class Stock:
    """Live stock of one item at one depot. ``history`` holds (time_s, level) at every change
    of the level, for the stock-over-time series."""

    __slots__ = ("_levels", "_times_s", "backorders", "demands", "env", "filled_at_once",
                 "launch", "ledger", "level", "name", "on_order", "received", "rng", "rule")

    def __init__(self, env: simpy.Environment, name: str, rule: StockRule, launch: LaunchService,
                 ledger: Ledger, rng: np.random.Generator):
        self.env = env
        self.name = name
        self.rule = rule
        self.launch = launch
        self.ledger = ledger
        self.rng = rng
        self.level = rule.initial if rule.initial is not None else math.inf
        self.on_order = 0
        self.backorders: deque[Fill] = deque()
        self.demands = 0
        self.filled_at_once = 0
        # Units that reached the depot after the start (arrivals, and spares put back).
        self.received = 0
        # The level from each time on, packed (a gigawatt's depots change millions of times).
        self._times_s = array("d", [0.0])
        self._levels = array("d", [self.level])
        if rule.initial:
            self._buy(rule.initial)
            self._lift(rule.initial)
        if rule.review == "periodic" and rule.initial is not None:
            env.process(self._reviews())
        self._continuous_review()

    @property
    def position(self) -> float:
        """Inventory position: stock + on order − backorders."""
        return self.level + self.on_order - len(self.backorders)

    def demand(self, fill: Fill) -> bool:
        """Take one from stock and return True, or backorder ``fill`` (called on arrival) and
        return False."""
        self.demands += 1
        if math.isinf(self.level):
            # Unlimited stock: each unit issued is bought and launched as it is used.
            self.filled_at_once += 1
            self._buy(1)
            self._lift(1)
            return True
        if self.level >= 1:
            self._set_level(self.level - 1)
            self.filled_at_once += 1
            self._continuous_review()
            return True
        self.backorders.append(fill)
        self._continuous_review()
        return False

    def cancel(self, fill: Fill) -> None:
        """Withdraw a backordered demand (its satellite was replaced)."""
        self.backorders.remove(fill)

    def put_back(self) -> None:
        """Return an unused unit to stock (its job was cancelled)."""
        self._receive(1)

    def _continuous_review(self) -> None:
        rule = self.rule
        if math.isinf(self.level) or rule.review == "periodic":
            return
        if rule.review == "none":
            # No reordering rule: once the stock is out, each unmet demand orders one unit.
            while self.position < 0:
                self._order(1)
            return
        while self.position <= rule.reorder_point:
            self._order(rule.order_quantity)

    def _reviews(self):  # type: ignore[no-untyped-def]
        rule = self.rule
        while True:
            yield self.env.timeout(rule.review_interval_s)
            short = rule.order_up_to - self.position
            if short > 0:
                self._order(int(short))

    def _order(self, quantity: int) -> None:
        """Buy ``quantity`` and launch it: as many launches as the mass needs, all arriving
        after one lead time, each lost with the launch failure probability."""
        self.on_order += quantity
        self._buy(quantity)
        launches = self._lift(quantity)
        self.ledger.count("launches", len(launches))
        lead = self.launch.lead
        delay = 0.0 if lead is None else lead.sample(self.rng)
        lost = [self.rng.random() < self.launch.failure_probability for _ in launches]
        arrived = sum(n for n, failed in zip(launches, lost, strict=True) if not failed)
        self.ledger.count("launches_failed", sum(lost))
        arrival = self.env.timeout(delay)
        arrival.callbacks.append(lambda _: self._arrive(quantity, arrived))

    def _buy(self, quantity: int) -> None:
        category = "satellites" if self.rule.item == SATELLITE else "spares"
        self.ledger.pay(category, quantity * self.rule.unit_cost_usd)

    def _lift(self, quantity: int) -> list[int]:
        """Pay to launch ``quantity`` items; the items each launch carries."""
        self.ledger.pay("launches", quantity * self.rule.mass_kg * self.launch.usd_per_kg)
        per_launch = quantity
        if self.rule.mass_kg > 0 and math.isfinite(self.launch.mass_capacity_kg):
            per_launch = max(1, int(self.launch.mass_capacity_kg // self.rule.mass_kg))
        full, rest = divmod(quantity, per_launch)
        return [per_launch] * full + ([rest] if rest else [])

    def _arrive(self, ordered: int, arrived: int) -> None:
        self.on_order -= ordered
        self._receive(arrived)
        self._continuous_review()

    def _receive(self, quantity: int) -> None:
        self.received += quantity
        for _ in range(quantity):
            if self.backorders:
                self.backorders.popleft()()
            else:
                self._set_level(self.level + 1)

    def _set_level(self, level: float) -> None:
        self.level = level
        if math.isfinite(level):
            self._times_s.append(self.env.now)
            self._levels.append(level)

    @property
    def history(self) -> list[tuple[float, float]]:
        """(time_s, level) at the start and at every change of the level."""
        return list(zip(self._times_s, self._levels, strict=True))

    @property
    def fill_rate(self) -> float:
        return self.filled_at_once / self.demands if self.demands else 1.0
