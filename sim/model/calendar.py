"""Timed callbacks kept out of SimPy's event queue until they are due.

A large fleet holds millions of pending times at once (each unit's next failure, each
irradiated unit's next outage); in SimPy's one binary heap every step then costs a long walk
through memory (6.6 µs a pop and push at 3 million entries against 0.75 µs at a thousand,
measured on a 2-core machine). A ``Calendar`` sorts its entries into buckets of
``bucket_s`` and keeps only the current bucket as a heap; one SimPy timeout, armed for the
earliest entry, runs whatever is due. Entries run in time order (ties in the order they were
added), each at the SimPy time its timeout reaches.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from typing import Any

import simpy

from sim.units import DAY_S

# Width of a bucket, s: a day holds some thousands of entries of a gigawatt fleet.
BUCKET_S = DAY_S


class Calendar:
    """Callbacks at given times before ``horizon_s`` (those at or after it never run)."""

    __slots__ = ("_armed_s", "_bucket_s", "_buckets", "_current", "_env", "_horizon_s",
                 "_index", "_later", "_order", "_token")

    def __init__(self, env: simpy.Environment, horizon_s: float, bucket_s: float = BUCKET_S):
        self._env = env
        self._horizon_s = horizon_s
        self._bucket_s = bucket_s
        # Buckets after the current one that hold entries, by index, and their indices as a
        # heap.
        self._buckets: dict[int, list[tuple[float, int, Callable[[Any], None], Any]]] = {}
        self._later: list[int] = []
        # The bucket being run, as a heap, and its index.
        self._current: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._index = 0
        self._order = itertools.count()
        # When the armed timeout fires (inf: none), and the value that tells it from older
        # timeouts armed later than an entry added since.
        self._armed_s = math.inf
        self._token = 0

    def at(self, time_s: float, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback(value)`` at ``time_s`` (not before now)."""
        if time_s >= self._horizon_s:
            return
        entry = (time_s, next(self._order), callback, value)
        bucket = int(time_s // self._bucket_s)
        if bucket <= self._index:
            heapq.heappush(self._current, entry)
        else:
            held = self._buckets.get(bucket)
            if held is None:
                held = self._buckets[bucket] = []
                heapq.heappush(self._later, bucket)
            held.append(entry)
        if time_s < self._armed_s:
            self._arm(time_s)

    def _arm(self, time_s: float) -> None:
        env = self._env
        self._armed_s = time_s
        self._token += 1
        env.timeout(max(time_s - env.now, 0.0), value=self._token).callbacks.append(self._fire)

    def _fire(self, event: simpy.Event) -> None:
        if event.value != self._token:
            return
        # While entries run, those they add are only filed: the timeout is armed once, after.
        self._armed_s = -math.inf
        now = self._env.now
        while self._current or self._advance():
            current = self._current
            if current[0][0] > now:
                self._arm(current[0][0])
                return
            _, _, callback, value = heapq.heappop(current)
            callback(value)
        self._armed_s = math.inf

    def _advance(self) -> bool:
        """Make the next bucket holding entries the current one (False: none left)."""
        if not self._later:
            return False
        self._index = heapq.heappop(self._later)
        current = self._buckets.pop(self._index)
        heapq.heapify(current)
        self._current = current
        return True
