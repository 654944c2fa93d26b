"""Exact integrals of piecewise-constant rates over a fixed grid of time windows."""

from __future__ import annotations

import math

import numpy as np


class WindowGrid:
    """Windows of ``width_s`` covering [0, horizon_s]; the last one may be shorter.

    ``totals[k]`` holds the integral of everything added over window *k*.
    """

    def __init__(self, width_s: float, horizon_s: float):
        if width_s <= 0.0 or horizon_s <= 0.0:
            raise ValueError("window width and horizon must be > 0")
        self.width_s = width_s
        self.horizon_s = horizon_s
        count = max(1, math.ceil(horizon_s / width_s - 1e-9))
        self.edges_s = np.minimum(np.arange(count + 1) * width_s, horizon_s)
        self.edges_s[-1] = horizon_s
        self.totals = np.zeros(count)

    @property
    def durations_s(self) -> np.ndarray:
        return np.diff(self.edges_s)

    def _index(self, t_s: float) -> int:
        return min(int(t_s / self.width_s), len(self.totals) - 1)

    def add_constant(self, start_s: float, end_s: float, rate: float) -> None:
        """Add ``rate`` over [start_s, end_s)."""
        if end_s <= start_s or rate == 0.0:
            return
        first = self._index(start_s)
        last = self._index(end_s)
        totals = self.totals
        if first == last:
            totals[first] += rate * (end_s - start_s)
            return
        edges = self.edges_s
        totals[first] += rate * (edges[first + 1] - start_s)
        if last > first + 1:
            totals[first + 1:last] += rate * (edges[first + 2:last + 1] - edges[first + 1:last])
        totals[last] += rate * (end_s - edges[last])

    def add_segments(self, starts_s: np.ndarray, ends_s: np.ndarray, rates: np.ndarray) -> None:
        """Add ``rates[i]`` over [starts_s[i], ends_s[i]) for disjoint, ordered segments."""
        if len(starts_s) == 0:
            return
        breakpoints = np.empty(2 * len(starts_s))
        breakpoints[0::2] = starts_s
        breakpoints[1::2] = ends_s
        cumulative = np.zeros_like(breakpoints)
        cumulative[1::2] = np.cumsum(rates * (ends_s - starts_s))
        cumulative[2::2] = cumulative[1:-1:2]
        first = self._index(float(starts_s[0]))
        last = self._index(float(ends_s[-1]))
        edges = self.edges_s[first:last + 2]
        at_edges = np.interp(edges, breakpoints, cumulative)
        self.totals[first:last + 1] += np.diff(at_edges)
