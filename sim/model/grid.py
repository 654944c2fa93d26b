"""Exact integrals of piecewise-constant rates over a fixed grid of time windows."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# Points read at once when spans of lagged eclipse losses are added: bounds the memory a
# plane's hand-over takes (some 80 MB), whatever the number of its satellites' spans.
LAGGED_POINTS = 1_000_000
# Span values (three a span) kept before they are added: bounds what a fleet's capacity
# changes hold between hand-overs (a gigawatt fleet makes some 15 million spans).
SPAN_VALUES_KEPT = 300_000


class WindowGrid:
    """Windows of ``width_s`` covering [0, horizon_s]; the last one may be shorter.

    ``totals[k]`` holds the integral of everything added over window *k*. Constant rates are
    kept as spans until the totals are read, segments arrive or ``SPAN_VALUES_KEPT`` values
    wait, then added in array passes, term by term in the order they came: every total is
    the same floating-point sum as if each span had been added at once.
    """

    def __init__(self, width_s: float, horizon_s: float):
        if width_s <= 0.0 or horizon_s <= 0.0:
            raise ValueError("window width and horizon must be > 0")
        self.width_s = width_s
        self.horizon_s = horizon_s
        self.edges_s, self.durations_s = _windows(width_s, horizon_s)
        self.windows = len(self.durations_s)
        self._totals = np.zeros(self.windows)
        # (start_s, end_s, rate) of every span not yet added, one after the other.
        self._spans: list[float] = []

    @property
    def totals(self) -> np.ndarray:
        """The integral over each window of everything added so far."""
        self._add_spans()
        return self._totals

    def add_constant(self, start_s: float, end_s: float, rate: float) -> None:
        """Add ``rate`` over [start_s, end_s)."""
        if end_s <= start_s or rate == 0.0:
            return
        spans = self._spans
        spans.extend((start_s, end_s, rate))
        if len(spans) >= SPAN_VALUES_KEPT:
            self._add_spans()

    def add_rows(self, spans: np.ndarray) -> None:
        """Add spans given as rows ``(start_s, end_s, rate)``, one after the other, as
        ``add_constant`` would have (each with end_s > start_s and a non-zero rate)."""
        self._add_spans()
        self._add_rows(spans)

    def add_spans(self, starts_s: np.ndarray, ends_s: np.ndarray, rates: np.ndarray) -> None:
        """Add ``rates[i]`` over [starts_s[i], ends_s[i]) for spans in any order, costing the
        windows they touch rather than every window between the first and the last (added
        now, after the spans kept so far)."""
        keep = (rates != 0.0) & (ends_s > starts_s)
        if not keep.any():
            return
        self._add_spans()
        self._add_by_window(starts_s[keep], ends_s[keep], rates[keep])

    def add_segments(self, starts_s: np.ndarray, ends_s: np.ndarray, rates: np.ndarray) -> None:
        """Add ``rates[i]`` over [starts_s[i], ends_s[i]) for disjoint, ordered segments."""
        if len(starts_s) == 0:
            return
        self._add_spans()
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
        self._totals[first:last + 1] += np.diff(at_edges)

    def add_lagged(self, eclipsed_s: Callable[[np.ndarray], np.ndarray], from_s: np.ndarray,
                   to_s: np.ndarray, rates: np.ndarray, lags_s: np.ndarray) -> None:
        """Add ``rates[i]`` wherever a set of orbits is in eclipse within [from_s[i], to_s[i])
        of its time, moved ``lags_s[i]`` earlier (the windows of each satellite's own time).
        ``eclipsed_s(t)`` is the orbits' eclipse time from 0 to each t; windows take what falls
        inside them exactly, by it at their edges."""
        start = np.maximum(from_s - lags_s, 0.0)
        end = np.minimum(to_s - lags_s, self.horizon_s)
        keep = end > start
        if not keep.any():
            return
        self._add_spans()
        start, end, rates, lags_s = start[keep], end[keep], rates[keep], lags_s[keep]
        first = self._indices(start)
        last = self._indices(end)
        # Spans in batches of about ``LAGGED_POINTS`` points (each point takes some 80 bytes).
        points_after = np.cumsum(last - first + 2)
        batch = (points_after - 1) // LAGGED_POINTS
        for cut in np.split(np.arange(len(first)), np.flatnonzero(np.diff(batch)) + 1):
            self._add_lagged(eclipsed_s, start[cut], end[cut], rates[cut], lags_s[cut],
                             first[cut], last[cut])

    def _add_lagged(self, eclipsed_s: Callable[[np.ndarray], np.ndarray], start: np.ndarray,
                    end: np.ndarray, rates: np.ndarray, lags_s: np.ndarray, first: np.ndarray,
                    last: np.ndarray) -> None:
        """``add_lagged`` for spans inside the horizon, in the windows ``first`` to ``last``."""
        # Each span's points: its start, the window edges inside it, its end; the curve is
        # read once at each, and a window takes the difference between consecutive points.
        touched = last - first + 1
        span = np.repeat(np.arange(len(first)), touched + 1)
        offsets = np.cumsum(touched + 1) - (touched + 1)
        local = np.arange(len(span)) - offsets[span]
        points = self.edges_s[np.minimum(first[span] + local, self.windows)]
        opening = local == 0
        closing = local == touched[span]
        points[opening] = start
        points[closing] = end
        eclipsed = eclipsed_s(points + lags_s[span])
        inside = ~closing
        windows = (first[span] + local)[inside]
        added = rates[span[inside]] * (eclipsed[1:] - eclipsed[:-1])[inside[:-1]]
        self._totals += np.bincount(windows, weights=added, minlength=self.windows)

    def _index(self, t_s: float) -> int:
        return min(int(t_s / self.width_s), self.windows - 1)

    def _indices(self, t_s: np.ndarray) -> np.ndarray:
        """``_index`` of every time in ``t_s``."""
        return np.minimum((t_s / self.width_s).astype(np.int64), self.windows - 1)

    def _add_spans(self) -> None:
        """Add the kept spans: a span adds ``rate × overlap`` to each window it touches.

        The leading spans that follow one another in time (those from ``add_constant``, as a
        rule) go in by windows strictly inside them and the windows they start or end in;
        the rest, window by window.
        """
        if not self._spans:
            return
        spans = np.array(self._spans).reshape(-1, 3)
        self._spans = []
        self._add_rows(spans)

    def _add_rows(self, spans: np.ndarray) -> None:
        """``_add_spans`` for spans already in rows (start_s, end_s, rate)."""
        if len(spans) == 0:
            return
        overlaps = np.flatnonzero(spans[1:, 0] < spans[:-1, 1])
        in_order = int(overlaps[0]) + 1 if len(overlaps) else len(spans)
        self._add_in_order(*spans[:in_order].T)
        if in_order < len(spans):
            self._add_by_window(*spans[in_order:].T)

    def _add_in_order(self, starts_s: np.ndarray, ends_s: np.ndarray, rates: np.ndarray) -> None:
        """Add spans that follow one another in time.

        A window strictly inside a span gets that span's term alone, from a whole-grid pass
        (which adds zero, leaving a total as it was, everywhere else); the windows where spans
        start or end get theirs one by one, in the order the spans came.
        """
        first = self._indices(starts_s)
        last = self._indices(ends_s)
        inside = self._inside_rates(first, last, rates)
        inside *= self.durations_s
        self._totals += inside
        single = first == last
        windows = np.stack([first, last], axis=1).ravel()
        terms = np.stack([
            rates * (np.where(single, ends_s, self.edges_s[first + 1]) - starts_s),
            rates * (ends_s - self.edges_s[last]),
        ], axis=1).ravel()
        # A span within one window has its single term where it starts.
        kept = np.stack([np.ones_like(single), ~single], axis=1).ravel()
        # ufunc.at adds term by term in array order, as one ``+=`` per term would.
        np.add.at(self._totals, windows[kept], terms[kept])

    def _inside_rates(self, first: np.ndarray, last: np.ndarray, rates: np.ndarray) -> np.ndarray:
        """Per window, the rate of the span covering it from edge to edge, else 0 (for spans
        in time order, so that these windows come in order too)."""
        inside_first = first + 1
        inside_end = np.maximum(last, inside_first)
        gaps = inside_first - np.concatenate(([0], inside_end[:-1]))
        lengths = np.stack([gaps, inside_end - inside_first], axis=1).ravel()
        values = np.stack([np.zeros_like(rates), rates], axis=1).ravel()
        return np.repeat(np.append(values, 0.0), np.append(lengths, self.windows - inside_end[-1]))

    def _add_by_window(self, starts_s: np.ndarray, ends_s: np.ndarray, rates: np.ndarray) -> None:
        """Add spans in any order: one term per window a span touches, span after span."""
        first = self._indices(starts_s)
        last = self._indices(ends_s)
        windows, opening, closing = _span_windows(first, last)
        terms = np.repeat(rates, last - first + 1)
        terms *= self.durations_s[windows]
        edges_s = self.edges_s
        single = first == last
        terms[opening] = rates * (np.where(single, ends_s, edges_s[first + 1]) - starts_s)
        several = ~single
        terms[closing[several]] = rates[several] * (ends_s[several] - edges_s[last[several]])
        np.add.at(self._totals, windows, terms)


def _windows(width_s: float, horizon_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The edges and lengths of the windows (read-only)."""
    count = max(1, math.ceil(horizon_s / width_s - 1e-9))
    edges_s = np.minimum(np.arange(count + 1) * width_s, horizon_s)
    edges_s[-1] = horizon_s
    durations_s = np.diff(edges_s)
    edges_s.flags.writeable = False
    durations_s.flags.writeable = False
    return edges_s, durations_s


def _span_windows(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every window from ``first[i]`` to ``last[i]``, span after span, with the positions of
    each span's first and last window in that sequence."""
    touched = last - first + 1
    closing = np.cumsum(touched) - 1
    opening = closing - touched + 1
    windows = np.arange(closing[-1] + 1)
    windows += np.repeat(first - opening, touched)
    return windows, opening, closing
