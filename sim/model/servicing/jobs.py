"""A job: one unit to swap on one satellite, from the policy's decision to the servicer's
last bolt. Its phase is the cause its unit's lost capacity is charged to while it is failed."""

from __future__ import annotations

import bisect
import math
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


class ReadyQueue:
    """The jobs of one fleet group waiting for a servicer, in the order they became ready,
    also found by satellite and by plane without a scan (a shell's queue holds hundreds), and
    within a plane by where their satellites fly along it."""

    __slots__ = ("_added", "_along", "_by_plane", "_by_state", "_jobs")

    def __init__(self) -> None:
        # Dicts as ordered sets: insertion order, O(1) removal; ``_jobs`` holds each job's
        # place in that order.
        self._jobs: dict[Job, int] = {}
        self._added = 0
        self._by_state: dict[object, dict[Job, None]] = {}
        self._by_plane: dict[int, dict[Job, None]] = {}
        # Per plane, (argument of latitude in [0, 2π), place, job), sorted.
        self._along: dict[int, list[tuple[float, int, Job]]] = {}

    def __len__(self) -> int:
        return len(self._jobs)

    def __contains__(self, job: Job) -> bool:
        return job in self._jobs

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._jobs)

    def add(self, job: Job) -> None:
        state = job.life.state
        self._jobs[job] = self._added
        self._added += 1
        self._by_state.setdefault(state, {})[job] = None
        plane = state.slot.plane  # type: ignore[attr-defined]
        self._by_plane.setdefault(plane, {})[job] = None
        bisect.insort(self._along.setdefault(plane, []), (_angle(state), self._added - 1, job))

    def remove(self, job: Job) -> None:
        state = job.life.state
        place = self._jobs.pop(job)
        _discard(self._by_state, state, job)
        plane = state.slot.plane  # type: ignore[attr-defined]
        _discard(self._by_plane, plane, job)
        along = self._along[plane]
        del along[bisect.bisect_left(along, (_angle(state), place))]
        if not along:
            del self._along[plane]

    def first(self) -> Job:
        return next(iter(self._jobs))

    def at(self, state: object) -> list[Job]:
        """The waiting jobs on one satellite, oldest first."""
        return list(self._by_state.get(state, ()))

    def in_plane(self, plane: int) -> list[Job]:
        """The waiting jobs in one plane, oldest first."""
        return list(self._by_plane.get(plane, ()))

    def around(self, plane: int, arg_latitude_rad: float, steps: int = 2) -> list[Job]:
        """The waiting jobs in one plane on the satellites nearest ``arg_latitude_rad`` along
        it: those at that angle and at the ``steps`` nearest angles on either side (a phasing
        trip's time grows with the angle covered each way, so the quickest trip in the plane
        is to one of them), oldest first."""
        along = self._along.get(plane)
        if not along:
            return []
        origin = arg_latitude_rad % _TWO_PI
        size = len(along)
        index = bisect.bisect_left(along, (origin,))
        taken: set[int] = set()
        for direction, start in ((1, index), (-1, index - 1)):
            seen, last = 0, None
            for offset in range(size):
                at = (start + direction * offset) % size
                angle = along[at][0]
                if angle != last:
                    seen += angle != origin
                    if seen > steps:
                        break
                    last = angle
                taken.add(at)
        return [along[at][2] for at in sorted(taken, key=lambda at: along[at][1])]

    def by_plane(self) -> dict[int, dict[Job, None]]:
        """The waiting jobs of each plane that has some, oldest first (not to be changed)."""
        return self._by_plane

    def place(self, job: Job) -> int:
        """Where ``job`` stands in the order the jobs became ready."""
        return self._jobs[job]


_TWO_PI = 2.0 * math.pi


def _angle(state: object) -> float:
    """Where a satellite flies along its plane, in [0, 2π)."""
    return state.slot.arg_latitude_rad % _TWO_PI  # type: ignore[attr-defined]


def _discard(index: dict, key: object, job: Job) -> None:  # type: ignore[type-arg]
    jobs = index[key]
    del jobs[job]
    if not jobs:
        del index[key]
