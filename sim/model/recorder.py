"""Exact, time-weighted integration of delivered and lost capacity, and event counts.

Capacity is piecewise constant between events, so every integral here is a sum of
``value × duration`` over the intervals between changes: nothing is sampled. Two grids of
windows receive the same integrals: the SLA windows (availability is the share of time in
windows whose mean capacity meets the SLA) and the months of the capacity time series.
Eclipse losses, aggregated over many orbits at once, arrive as ordered segments of loss rate;
the months keep them apart from the hardware's capacity, so that each month's power loss is
reported too (what shows the eclipse seasons).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.model.grid import SPAN_VALUES_KEPT, WindowGrid
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
    # Each month's compute lost to power (every power cause), as a fraction of nominal.
    monthly_power_loss_fraction: np.ndarray
    monthly_events: dict[str, np.ndarray]
    satellites_down_at_end: int
    # Compute lost while satellites were down (capacity 0), by the parts the outage was
    # charged to ("node/host + node/ssd"), power aside.
    outage_pflop_s: dict[str, float] = field(default_factory=dict)


class Recorder:
    """Integrates fleet capacity and per-satellite losses as satellites report changes."""

    def __init__(
        self,
        nominal_pflops: Sequence[float],
        horizon_s: float,
        sla_fraction: float,
        sla_window_s: float,
        month_s: float,
        keep_log: bool = False,
    ):
        self._nominal = list(nominal_pflops)
        self.horizon_s = horizon_s
        self.nominal_total = math.fsum(self._nominal)
        self._sla_fraction = sla_fraction
        self._fleet_capacity = self.nominal_total
        self._t_last = 0.0
        self._delivered = 0.0
        self._sla = WindowGrid(sla_window_s, horizon_s)
        self._months = WindowGrid(month_s, horizon_s)
        # Compute lost to power by month (negative capacity): added to ``_months`` at the end.
        self._power_months = WindowGrid(month_s, horizon_s)
        # (start_s, end_s, capacity) of the fleet's hardware capacity since the last hand-over
        # to both grids, one after the other: one list instead of two grid calls per change.
        self._spans: list[float] = []
        self._month_s = self._months.width_s
        self._last_month = self._months.windows - 1
        self._sat_t_last = [0.0] * len(self._nominal)
        self._sat_loss: list[Loss] = [{} for _ in self._nominal]
        self._lost: dict[LossKey, float] = {}
        self._outages: dict[str, float] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._monthly_events: dict[str, list[int]] = {}
        # Satellites whose outages the power model reports (a brownout takes them down too).
        self._outages_from_power: set[int] = set()
        self._down_at_end_by_power: set[int] = set()
        self.log: list[tuple[float, int, str, str]] | None = [] if keep_log else None
        self._alone: AloneView | None = None
        # (start_s, end_s, change of the fleet's capacity) of the dips of brief outages, in
        # any order, not yet in the grids.
        self._dips = array("d")

    def event(self, now_s: float, satellite: int, kind: str, path: str = "") -> None:
        """Count one event of a kind on a part path ('' for the satellite), and log it if asked."""
        counts = self._counts
        key = (kind, path)
        counts[key] = counts.get(key, 0) + 1
        by_month = self._monthly_events.get(kind)
        if by_month is None:
            by_month = self._monthly_events[kind] = [0] * self._months.windows
        month = int(now_s / self._month_s)
        by_month[month if month < self._last_month else self._last_month] += 1
        if self.log is not None:
            self.log.append((now_s, satellite, kind, path))

    def events(self, times_s: np.ndarray, satellite: int, kind: str, path: str = "") -> None:
        """Count many events of one kind at once (as ``event`` would, one by one)."""
        if len(times_s) == 0:
            return
        key = (kind, path)
        self._counts[key] = self._counts.get(key, 0) + len(times_s)
        by_month = self._monthly_events.get(kind)
        if by_month is None:
            by_month = self._monthly_events[kind] = [0] * self._months.windows
        months = np.minimum((np.asarray(times_s) / self._month_s).astype(np.int64),
                            self._last_month)
        counts = np.bincount(months, minlength=len(by_month))
        for month in np.flatnonzero(counts).tolist():
            by_month[month] += int(counts[month])
        if self.log is not None:
            self.log.extend((float(t), satellite, kind, path) for t in times_s)

    def satellite_changed(
        self, now_s: float, index: int, before: float, after: float, loss: Loss
    ) -> None:
        """Satellite ``index`` went from capacity fraction ``before`` to ``after`` at ``now_s``
        (the fleet's capacity is integrated only up to a change of it)."""
        self.own_change(now_s, index, before, after, loss)
        self.fleet_change(now_s, index, before, after)

    def fleet_change(self, now_s: float, index: int, before: float, after: float) -> None:
        """The fleet's part of ``satellite_changed``: satellite ``index``'s capacity went from
        ``before`` to ``after`` at ``now_s``, its own losses handed over already."""
        if after != before:
            self._advance(now_s)
            self._fleet_capacity += (after - before) * self._nominal[index]

    def dip(self, start_s: float, end_s: float, index: int, before: float, after: float
            ) -> None:
        """Satellite ``index`` worked at ``after`` instead of ``before`` over [start_s,
        end_s), earlier than changes already handed over (its own losses come through
        ``own_change``)."""
        if after == before or end_s <= start_s:
            return
        change = (after - before) * self._nominal[index]
        self._delivered += change * (end_s - start_s)
        dips = self._dips
        dips.extend((start_s, end_s, change))
        if len(dips) >= SPAN_VALUES_KEPT:
            self._hand_over_dips()

    def _hand_over_dips(self) -> None:
        """Give both grids the dips kept so far."""
        if self._dips:
            rows = np.frombuffer(self._dips, dtype=float).reshape(-1, 3)
            for grid in (self._sla, self._months):
                grid.add_spans(rows[:, 0], rows[:, 1], rows[:, 2])
            self._dips = array("d")

    def own_change(self, now_s: float, index: int, before: float, after: float, loss: Loss
                   ) -> None:
        """What a change concerns satellite ``index`` alone (``satellite_changed`` without
        the fleet's capacity), handed over in the satellite's own time order: its losses up
        to ``now_s`` by the shares it had, its shares from now, and its outage or recovery."""
        nominal = self._nominal[index]
        elapsed = now_s - self._sat_t_last[index]
        if elapsed > 0.0:
            lost = self._lost
            for key, value in self._sat_loss[index].items():
                lost[key] = lost.get(key, 0.0) + value * nominal * elapsed
        if before <= 0.0 and elapsed > 0.0:
            self._outage(self._sat_loss[index], nominal * elapsed)
        self._sat_t_last[index] = now_s
        self._sat_loss[index] = loss
        if after == before or index in self._outages_from_power:
            return
        if after <= 0.0 < before:
            self.event(now_s, index, "satellite_outages")
        elif before <= 0.0 < after:
            self.event(now_s, index, "satellite_recoveries")

    def _outage(self, loss: Loss, pflop_s: float) -> None:
        """Charge compute lost while a satellite was down to the parts its loss is split over."""
        parts = " + ".join(sorted({path for _, path in loss}))
        self._outages[parts] = self._outages.get(parts, 0.0) + pflop_s

    def alone(self) -> AloneView:
        """A view of this recorder for satellites whose changes are handed over satellite
        by satellite rather than in time order (``AloneView``)."""
        if self._alone is None:
            self._alone = AloneView(self)
        return self._alone

    def outages_from_power(self, index: int) -> None:
        """Satellite ``index`` has a power system: its outages and recoveries come with its
        power at the horizon (``power_settled``), brownouts included."""
        self._outages_from_power.add(index)

    def power_settled(self, index: int, by_cause: dict[str, float],
                      down: list[tuple[float, float]], down_at_end: bool,
                      times_s: Sequence[float], hardware: Sequence[float]) -> None:
        """Satellite ``index``'s power over its horizon: compute lost by cause (fraction-
        seconds; when it was lost comes through ``power_load``, summed over satellites), the
        periods it was down after a brownout (each begun by one), and its hardware capacity
        (``hardware[k]`` from ``times_s[k]``): with them its outages and recoveries."""
        nominal = self._nominal[index]
        lost = self._lost
        for cause, amount in by_cause.items():
            if amount:
                key = (cause, "power")
                lost[key] = lost.get(key, 0.0) + amount * nominal
        self.events(np.array([since for since, _ in down]), index, "brownouts", "power")
        for at_s, kind in _transitions(times_s, hardware, down, self.horizon_s):
            self.event(at_s, index, kind)
        if down_at_end and hardware[-1] > 0.0:
            self._down_at_end_by_power.add(index)

    def power_load(self, starts_s: np.ndarray, ends_s: np.ndarray, lost_pflops: np.ndarray,
                   ordered: bool) -> None:
        """Compute lost to power by many satellites at once: ``lost_pflops`` over [start, end)
        segments, ``ordered`` (and disjoint) or in any order."""
        self._hand_over_spans()
        if len(starts_s):
            scaled = -lost_pflops
            self._delivered += _integral(scaled, starts_s, ends_s)
            if starts_s.min() < 0.0 or ends_s.max() > self.horizon_s:
                # A Walker member read from its plane's orbits loses capacity up to its lag
                # outside the horizon (``PowerAccount``): counted, but in no window.
                starts_s = np.clip(starts_s, 0.0, self.horizon_s)
                ends_s = np.clip(ends_s, 0.0, self.horizon_s)
            for grid in (self._sla, self._power_months):
                if ordered:
                    grid.add_segments(starts_s, ends_s, scaled)
                else:
                    grid.add_spans(starts_s, ends_s, scaled)

    def lagged_power_load(self, eclipsed_s: Callable[[np.ndarray], np.ndarray],
                          from_s: np.ndarray, to_s: np.ndarray, lost_pflops: np.ndarray,
                          lags_s: np.ndarray) -> None:
        """Compute lost to power by satellites reading shared orbits at a lag: ``lost_pflops``
        wherever the orbits are in eclipse within [from_s, to_s) of their time, in each
        satellite's own time ``lags_s`` earlier (``WindowGrid.add_lagged``). What a lag moves
        past the horizon is counted, but in no window."""
        self._hand_over_spans()
        self._delivered -= float(np.sum(lost_pflops * (eclipsed_s(to_s) - eclipsed_s(from_s))))
        for grid in (self._sla, self._power_months):
            grid.add_lagged(eclipsed_s, from_s, to_s, -lost_pflops, lags_s)

    def _advance(self, now_s: float) -> None:
        """Integrate the fleet's hardware capacity from the last change up to ``now_s``."""
        t = self._t_last
        if now_s <= t:
            return
        capacity = self._fleet_capacity
        self._delivered += capacity * (now_s - t)
        if capacity != 0.0:
            spans = self._spans
            spans.extend((t, now_s, capacity))
            if len(spans) >= SPAN_VALUES_KEPT:
                self._hand_over_spans()
        self._t_last = now_s

    def _hand_over_spans(self) -> None:
        """Give both grids the hardware spans kept so far, before anything else reaches them."""
        if self._spans:
            rows = np.array(self._spans).reshape(-1, 3)
            self._spans = []
            self._sla.add_rows(rows)
            self._months.add_rows(rows)

    def finish(self) -> Totals:
        """Close every integral at the horizon and return the totals."""
        horizon = self.horizon_s
        self._advance(horizon)
        self._hand_over_spans()
        self._hand_over_dips()
        if self._alone is not None:
            self._alone.hand_over()
        lost = dict(self._lost)
        down = 0
        for index, loss in enumerate(self._sat_loss):
            elapsed = horizon - self._sat_t_last[index]
            for key, value in loss.items():
                lost[key] = lost.get(key, 0.0) + value * self._nominal[index] * elapsed
            held_down = sum(loss.values()) >= 1.0 - 1e-12
            if held_down and elapsed > 0.0:
                self._outage(loss, self._nominal[index] * elapsed)
            if held_down or index in self._down_at_end_by_power:
                down += 1
        window_s = self._sla.durations_s
        mean_capacity = self._sla.totals / (self.nominal_total * window_s)
        met = mean_capacity >= self._sla_fraction * (1.0 - 1e-12)
        month_s = self._months.durations_s
        nominal_month = self.nominal_total * month_s
        power_months = self._power_months.totals
        return Totals(
            horizon_s=horizon,
            nominal_pflops=self.nominal_total,
            delivered_pflop_s=self._delivered,
            time_at_sla_s=float(window_s[met].sum()),
            lost_pflop_s=lost,
            counts=dict(self._counts),
            monthly_capacity_fraction=(self._months.totals + power_months) / nominal_month,
            monthly_power_loss_fraction=(0.0 - power_months) / nominal_month,
            monthly_events={kind: np.array(counts)
                            for kind, counts in self._monthly_events.items()},
            satellites_down_at_end=down,
            outage_pflop_s=dict(self._outages),
        )


def _transitions(times_s: Sequence[float], hardware: Sequence[float],
                 down: list[tuple[float, float]], horizon_s: float) -> list[tuple[float, str]]:
    """When a satellite's capacity (its hardware's, zero while it is down) falls to zero
    (``satellite_outages``) and rises from it (``satellite_recoveries``) before the horizon."""
    times = np.asarray(times_s, dtype=float)
    levels = np.asarray(hardware, dtype=float)
    starts = np.array([a for a, _ in down], dtype=float)
    ends = np.array([b for _, b in down], dtype=float)
    points = np.unique(np.concatenate([times, starts, ends]))
    points = points[points < horizon_s]
    if len(points) == 0:
        return []
    up = levels[np.searchsorted(times, points, side="right") - 1] > 0.0
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        up &= (points < a) | (points >= b)
    was_up = np.concatenate([[levels[0] > 0.0], up[:-1]])
    changed = np.flatnonzero(up != was_up)
    return [(at_s, "satellite_recoveries" if now else "satellite_outages")
            for at_s, now in zip(points[changed].tolist(), up[changed].tolist(), strict=True)]


def _integral(rates: np.ndarray, starts_s: np.ndarray, ends_s: np.ndarray) -> float:
    """Σ rate × length over segments. Not ``np.dot``: that goes to BLAS, whose threads keep
    spinning after the call and take the CPU from the simulation (and from other workers)."""
    return float(np.sum(rates * (ends_s - starts_s)))


class AloneView:
    """The recorder as satellites see it that change satellite by satellite, each in its own
    time order but not in the fleet's (parts never repaired, their failures all known at the
    start): what concerns one satellite goes to the recorder at once; the fleet's capacity
    changes are kept and integrated at the horizon, sorted."""

    def __init__(self, recorder: Recorder):
        self._recorder = recorder
        self.event = recorder.event
        self.events = recorder.events
        self.outages_from_power = recorder.outages_from_power
        self.power_settled = recorder.power_settled
        # (time_s, change of the fleet's capacity) of every change, in any order.
        self._changes: list[float] = []

    def satellite_changed(self, now_s: float, index: int, before: float, after: float,
                          loss: Loss) -> None:
        """As ``Recorder.satellite_changed``, but the fleet's capacity is settled later."""
        recorder = self._recorder
        recorder.own_change(now_s, index, before, after, loss)
        if after != before:
            self._changes.extend((now_s, (after - before) * recorder._nominal[index]))

    def hand_over(self) -> None:
        """The kept changes as the fleet's capacity over time: delivered compute and both
        grids (the satellites counted at full capacity from the start)."""
        if not self._changes:
            return
        recorder = self._recorder
        changes = np.array(self._changes).reshape(-1, 2)
        self._changes = []
        changes = changes[np.argsort(changes[:, 0], kind="stable")]
        times, steps = changes[:, 0], changes[:, 1]
        level = np.cumsum(steps)
        ends = np.append(times[1:], recorder.horizon_s)
        recorder._delivered += _integral(level, times, ends)
        for grid in (recorder._sla, recorder._months):
            grid.add_segments(times, ends, level)
