"""Synchronous training jobs: what interruptions cost beyond the capacity they take.

A job spans a run of satellites of one fleet group and computes on whatever capacity its
members have (delivered compute is their summed capacity, as for independent work). Every
interruption of a member (a drop of its capacity: a failure, a reboot, a latch-up; or an
upset that leaves the device up but kills the step: an uncorrectable memory error, a detected
silent corruption) rolls the job back to its last checkpoint and costs a restart; an
interruption during a restart starts the restart over. Checkpoints are written every
``checkpoint_interval`` of work and take ``checkpoint_write`` during which no work is done.

Because every interruption resets the job to "restart, then work from the last checkpoint",
the intervals between interruptions are independent, and the job is settled at the horizon in
one array pass over them: no SimPy event per interruption.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Causes of the compute a training job loses beyond its members' downtime.
CAUSE_JOB_RESTART = "job_restart"
CAUSE_CHECKPOINT = "checkpoint_write"


@dataclass(frozen=True, slots=True)
class TrainingWorkload:
    """How a fleet group's compute runs as synchronous training jobs."""

    satellites_per_job: int
    checkpoint_interval_s: float
    checkpoint_write_s: float
    restart_s: float

    def __post_init__(self) -> None:
        if self.satellites_per_job < 1:
            raise ValueError(f"satellites_per_job: must be ≥ 1, got {self.satellites_per_job}")
        if not (math.isfinite(self.checkpoint_interval_s) and self.checkpoint_interval_s > 0):
            raise ValueError(f"checkpoint_interval: must be > 0, got {self.checkpoint_interval_s}")
        for name in ("checkpoint_write_s", "restart_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name.removesuffix('_s')}: must be ≥ 0, got {value}")

    def jobs(self, count: int) -> list[range]:
        """The members (0-based, within the group) of each job: runs of
        ``satellites_per_job``; the last job takes what remains."""
        size = self.satellites_per_job
        return [range(first, min(first + size, count)) for first in range(0, count, size)]


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What one job did over the horizon, in PFLOP·s (and its interruption count)."""

    restart_pflop_s: float
    rollback_pflop_s: float
    checkpoint_pflop_s: float
    interruptions: int


class JobLog:
    """One job's members' capacity changes and the upsets that may interrupt it, as they
    happen; settled at the horizon."""

    __slots__ = ("_interrupts", "_pending", "capacities", "first_index", "members", "times_s",
                 "weights")

    def __init__(self, first_index: int, weights_pflops: list[float]):
        self.first_index = first_index
        self.weights = np.asarray(weights_pflops, dtype=float)
        # Packed: a large fleet's jobs hold hundreds of changes per member.
        self.times_s = array("d")
        self.members = array("q")
        self.capacities = array("d")
        self._interrupts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        # Draws of upsets still to come, made when the job is settled.
        self._pending: list[Callable[[], None]] = []

    def changed(self, now_s: float, index: int, capacity: float) -> None:
        """Satellite ``index`` (fleet-wide) now works at ``capacity`` of its nominal."""
        self.times_s.append(now_s)
        self.members.append(index - self.first_index)
        self.capacities.append(capacity)

    def add_upsets(self, members: np.ndarray, times_s: np.ndarray, uniforms: np.ndarray,
                   first: int = 0) -> None:
        """Upsets that interrupt the job if they find their device working: member (within
        the job, once ``first`` is taken off: the arrays may be views of a fleet group's),
        time, and a uniform draw compared with the member's capacity then (its share of
        devices working)."""
        self._interrupts.append((members, times_s, uniforms, first))

    def before_settling(self, draw: Callable[[], None]) -> None:
        """Call ``draw`` (which adds upsets to this job, and may to others) when the job is
        settled, not before: upsets drawn late are not held through the event loop."""
        self._pending.append(draw)

    def drop_upsets(self) -> None:
        """Forget the upsets (once settled: they are the largest thing a job holds)."""
        self._interrupts = []

    def settle(self, workload: TrainingWorkload, horizon_s: float) -> JobOutcome:
        """Walk the job's intervals between interruptions (see the module docstring)."""
        for draw in self._pending:
            draw()
        self._pending = []
        times = np.asarray(self.times_s, dtype=float)
        members = np.asarray(self.members, dtype=np.int64)
        capacities = np.asarray(self.capacities, dtype=float)
        previous = _previous_capacity(members, capacities)
        drops = times[capacities < previous]
        upsets = self._upsets_met(times, members, capacities)
        interrupts = np.unique(np.concatenate([drops, upsets]))
        interrupts = interrupts[(interrupts > 0.0) & (interrupts < horizon_s)]
        rate_changes = np.cumsum(self.weights[members] * (capacities - previous))
        knots = np.concatenate([[0.0], times, [horizon_s]])
        rates = float(self.weights.sum()) + np.concatenate([[0.0], rate_changes])
        cumulative = np.concatenate([[0.0], np.cumsum(rates * np.diff(knots))])

        def compute(t: np.ndarray) -> np.ndarray:
            return np.interp(t, knots, cumulative)

        starts = np.concatenate([[0.0], interrupts])
        ends = np.concatenate([interrupts, [horizon_s]])
        restart = np.full(starts.size, workload.restart_s)
        restart[0] = 0.0
        working_from = np.minimum(starts + restart, ends)
        cycle_s = workload.checkpoint_interval_s + workload.checkpoint_write_s
        committed = working_from + np.floor((ends - working_from) / cycle_s) * cycle_s
        cycles = compute(committed) - compute(working_from)
        tail = compute(ends) - compute(committed)
        tail[-1] = 0.0  # the horizon ends the job's last interval, not an interruption
        return JobOutcome(
            restart_pflop_s=float(np.sum(compute(working_from) - compute(starts))),
            rollback_pflop_s=float(np.sum(tail)),
            checkpoint_pflop_s=float(np.sum(cycles)) * workload.checkpoint_write_s / cycle_s,
            interruptions=int(interrupts.size),
        )

    def _upsets_met(self, times: np.ndarray, members: np.ndarray,
                    capacities: np.ndarray) -> np.ndarray:
        """The times of upsets that found their device working."""
        if not self._interrupts:
            return np.zeros(0)
        who = np.concatenate([m - first for m, _, _, first in self._interrupts])
        when = np.concatenate([t for _, t, _, _ in self._interrupts])
        draws = np.concatenate([u for _, _, u, _ in self._interrupts])
        capacity = np.ones(when.size)
        for member in np.unique(who):
            mine = who == member
            changes = members == member
            if not changes.any():
                continue
            position = np.searchsorted(times[changes], when[mine], side="right") - 1
            levels = np.concatenate([[1.0], capacities[changes]])
            capacity[mine] = levels[position + 1]
        return when[draws < capacity]


def _previous_capacity(members: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    """Each change's member capacity just before it (1 before a member's first change):
    within each member's changes, kept in time order by a stable sort, the one before."""
    order = np.argsort(members, kind="stable")
    ordered = capacities[order]
    before = np.empty_like(ordered)
    before[1:] = ordered[:-1]
    if before.size:
        by_member = members[order]
        firsts = np.ones(before.size, dtype=bool)
        firsts[1:] = by_member[1:] != by_member[:-1]
        before[firsts] = 1.0
    previous = np.empty_like(capacities)
    previous[order] = before
    return previous
