"""Exact, time-weighted integration of delivered and lost capacity, and event counts.

Capacity is piecewise constant between events, so every integral here is a sum of
``value × duration`` over the intervals between changes: nothing is sampled.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.model.parts import Loss, LossKey


@dataclass(frozen=True, slots=True)
class Totals:
    """What one replication delivered and lost, integrated over its horizon."""

    horizon_s: float
    nominal_pflops: float
    delivered_pflop_s: float
    time_at_sla_s: float
    lost_pflop_s: dict[LossKey, float]
    counts: dict[tuple[str, str], int]
    monthly_capacity_fraction: np.ndarray
    satellites_down_at_end: int


class Recorder:
    """Integrates fleet capacity and per-satellite losses as satellites report changes."""

    def __init__(
        self,
        nominal_pflops: Sequence[float],
        horizon_s: float,
        sla_fraction: float,
        bin_width_s: float,
        keep_log: bool = False,
    ):
        self._nominal = list(nominal_pflops)
        self.horizon_s = horizon_s
        self.nominal_total = math.fsum(self._nominal)
        self._sla_threshold = sla_fraction * self.nominal_total * (1.0 - 1e-12)
        self._fleet_capacity = self.nominal_total
        self._t_last = 0.0
        self._delivered = 0.0
        self._time_at_sla = 0.0
        self._bin_width_s = bin_width_s
        self._bins = [0.0] * max(1, math.ceil(horizon_s / bin_width_s - 1e-9))
        self._sat_t_last = [0.0] * len(self._nominal)
        self._sat_loss: list[Loss] = [{} for _ in self._nominal]
        self._lost: dict[LossKey, float] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self.log: list[tuple[float, int, str, str]] | None = [] if keep_log else None

    def event(self, now_s: float, satellite: int, kind: str, path: str = "") -> None:
        """Count one event of a kind on a part path ('' for the satellite), and log it if asked."""
        self._counts[kind, path] += 1
        if self.log is not None:
            self.log.append((now_s, satellite, kind, path))

    def satellite_changed(
        self, now_s: float, index: int, before: float, after: float, loss: Loss
    ) -> None:
        """Satellite ``index`` went from capacity fraction ``before`` to ``after`` at ``now_s``."""
        self._advance(now_s)
        nominal = self._nominal[index]
        elapsed = now_s - self._sat_t_last[index]
        if elapsed > 0.0:
            lost = self._lost
            for key, value in self._sat_loss[index].items():
                lost[key] = lost.get(key, 0.0) + value * nominal * elapsed
        self._sat_t_last[index] = now_s
        self._sat_loss[index] = loss
        if after != before:
            self._fleet_capacity += (after - before) * nominal
            if after <= 0.0 < before:
                self.event(now_s, index, "satellite_outages")
            elif before <= 0.0 < after:
                self.event(now_s, index, "satellite_recoveries")

    def _advance(self, now_s: float) -> None:
        """Integrate the fleet's capacity from the last change up to ``now_s``."""
        t = self._t_last
        if now_s <= t:
            return
        capacity = self._fleet_capacity
        self._delivered += capacity * (now_s - t)
        if capacity >= self._sla_threshold:
            self._time_at_sla += now_s - t
        width = self._bin_width_s
        bins = self._bins
        last_bin = len(bins) - 1
        index = int(t / width)
        if index < last_bin and now_s <= (index + 1) * width:
            bins[index] += capacity * (now_s - t)
            self._t_last = now_s
            return
        while t < now_s:
            index = min(int(t / width), last_bin)
            end = now_s if index == last_bin else min(now_s, (index + 1) * width)
            bins[index] += capacity * (end - t)
            t = end
        self._t_last = now_s

    def finish(self) -> Totals:
        """Close every integral at the horizon and return the totals."""
        horizon = self.horizon_s
        self._advance(horizon)
        lost = dict(self._lost)
        down = 0
        for index, loss in enumerate(self._sat_loss):
            elapsed = horizon - self._sat_t_last[index]
            for key, value in loss.items():
                lost[key] = lost.get(key, 0.0) + value * self._nominal[index] * elapsed
            if sum(loss.values()) >= 1.0 - 1e-12:
                down += 1
        edges = np.minimum(np.arange(len(self._bins) + 1) * self._bin_width_s, horizon)
        edges[-1] = horizon
        durations = np.diff(edges)
        bins = np.array(self._bins)
        monthly = bins / (self.nominal_total * np.where(durations > 0, durations, 1.0))
        return Totals(
            horizon_s=horizon,
            nominal_pflops=self.nominal_total,
            delivered_pflop_s=self._delivered,
            time_at_sla_s=self._time_at_sla,
            lost_pflop_s=lost,
            counts=dict(self._counts),
            monthly_capacity_fraction=monthly,
            satellites_down_at_end=down,
        )
