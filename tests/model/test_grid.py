"""Window grids: integrals of piecewise-constant rates against a brute-force fine sum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.model import grid
from sim.model.grid import WindowGrid


def brute_force(grid: WindowGrid, segments: list[tuple[float, float, float]]) -> np.ndarray:
    """Integral per window by overlap arithmetic, one segment and window at a time."""
    out = np.zeros(len(grid.totals))
    for start, end, rate in segments:
        for k in range(len(out)):
            lo, hi = grid.edges_s[k], grid.edges_s[k + 1]
            out[k] += rate * max(0.0, min(end, hi) - max(start, lo))
    return out


def test_constant_spans_inside_across_and_to_the_end() -> None:
    grid = WindowGrid(10.0, 95.0)
    spans = [(0.0, 3.0, 2.0), (3.0, 27.5, 1.5), (27.5, 95.0, 0.25)]
    for start, end, rate in spans:
        grid.add_constant(start, end, rate)
    assert len(grid.totals) == 10 and grid.durations_s[-1] == pytest.approx(5.0)
    assert np.allclose(grid.totals, brute_force(grid, spans), rtol=1e-12, atol=1e-12)


def test_segments_match_the_brute_force_sum() -> None:
    rng = np.random.default_rng(4)
    grid = WindowGrid(7.0, 200.0)
    cuts = np.sort(rng.uniform(0.0, 200.0, 40))
    starts, ends = cuts[0::2], cuts[1::2]
    rates = rng.uniform(-1.0, 1.0, len(starts))
    grid.add_segments(starts, ends, rates)
    expected = brute_force(grid, list(zip(starts, ends, rates, strict=True)))
    assert np.allclose(grid.totals, expected, rtol=1e-12, atol=1e-12)


def test_contiguous_segments_and_a_segment_spanning_many_windows() -> None:
    grid = WindowGrid(1.0, 10.0)
    starts = np.array([0.5, 2.0, 2.25])
    ends = np.array([2.0, 2.25, 9.75])
    rates = np.array([1.0, 3.0, 0.5])
    grid.add_segments(starts, ends, rates)
    expected = brute_force(grid, list(zip(starts, ends, rates, strict=True)))
    assert np.allclose(grid.totals, expected, rtol=1e-12, atol=1e-12)


def one_span_at_a_time(grid: WindowGrid, spans: list[tuple[float, float, float]]) -> np.ndarray:
    """Each span added to its windows at once, first window, inner windows, last window."""
    out = np.zeros(len(grid.edges_s) - 1)
    edges = grid.edges_s
    for start, end, rate in spans:
        first = min(int(start / grid.width_s), len(out) - 1)
        last = min(int(end / grid.width_s), len(out) - 1)
        if first == last:
            out[first] += rate * (end - start)
            continue
        out[first] += rate * (edges[first + 1] - start)
        out[first + 1:last] += rate * (edges[first + 2:last + 1] - edges[first + 1:last])
        out[last] += rate * (end - edges[last])
    return out


def test_kept_spans_add_up_to_the_same_floats_as_adding_each_at_once() -> None:
    rng = np.random.default_rng(11)
    grid = WindowGrid(3.7, 500.0)
    cuts = np.concatenate(([0.0], np.sort(rng.uniform(0.0, 500.0, 300)), [500.0]))
    # Several changes within one window, long spans, gaps between spans, unequal rates.
    spans = [(float(a), float(b), float(r)) for a, b, r
             in zip(cuts[:-1], cuts[1:], rng.uniform(0.0, 1e3, len(cuts) - 1), strict=True)
             if r > 100.0]
    for start, end, rate in spans:
        grid.add_constant(start, end, rate)
    assert np.array_equal(grid.totals, one_span_at_a_time(grid, spans))


def test_kept_spans_go_in_before_later_segments() -> None:
    grid = WindowGrid(1.0, 10.0)
    grid.add_constant(0.0, 4.5, 1.0 / 3.0)
    grid.add_segments(np.array([4.5]), np.array([5.5]), np.array([0.1]))
    grid.add_constant(4.5, 10.0, 0.7)
    expected = one_span_at_a_time(grid, [(0.0, 4.5, 1.0 / 3.0)])
    expected[4:6] += 0.1 * 0.5
    expected += one_span_at_a_time(grid, [(4.5, 10.0, 0.7)])
    assert np.allclose(grid.totals, expected, rtol=1e-15, atol=0.0)


def test_spans_in_any_order_add_up_to_the_same_floats_as_adding_each_at_once() -> None:
    rng = np.random.default_rng(12)
    grid = WindowGrid(2.5, 300.0)
    cuts = np.concatenate(([0.0], np.sort(rng.uniform(0.0, 300.0, 100)), [300.0]))
    in_order = [(float(a), float(b), 1.0 + float(r)) for a, b, r
                in zip(cuts[:-1], cuts[1:], rng.uniform(0.0, 5.0, len(cuts) - 1), strict=True)]
    starts = rng.uniform(0.0, 300.0, 200)
    ends = starts + rng.exponential(10.0, 200)
    rates = rng.uniform(-2.0, 2.0, 200)
    for start, end, rate in in_order:
        grid.add_constant(start, end, rate)
    grid.add_spans(starts, ends, rates)
    spans = in_order + list(zip(starts.tolist(), ends.tolist(), rates.tolist(), strict=True))
    assert np.array_equal(grid.totals, one_span_at_a_time(grid, spans))


@pytest.mark.parametrize("batch_points", [1_000_000, 7])
def test_lagged_eclipse_spans_equal_their_eclipses_moved_and_cut(
        monkeypatch: pytest.MonkeyPatch, batch_points: int) -> None:
    """``add_lagged`` against the eclipses themselves: each span's eclipses cut to the span,
    moved ``lag`` earlier, cut to the horizon, added one by one (all spans at once, and in
    batches of a few points)."""
    monkeypatch.setattr(grid, "LAGGED_POINTS", batch_points)
    rng = np.random.default_rng(3)
    horizon = 1_000.0
    eclipse_start = np.sort(rng.uniform(-50.0, 1_050.0, 60))
    eclipse_start = eclipse_start[np.append(np.diff(eclipse_start) > 12.0, True)]
    eclipse_end = eclipse_start + rng.uniform(1.0, 10.0, len(eclipse_start))
    curve = np.stack([eclipse_start, eclipse_end], axis=1).ravel()
    cumulative = np.zeros(len(curve))
    cumulative[1::2] = np.cumsum(eclipse_end - eclipse_start)
    cumulative[2::2] = cumulative[1:-1:2]
    from_s = rng.uniform(-40.0, 900.0, 25)
    to_s = from_s + rng.uniform(0.0, 300.0, 25)
    rates = rng.uniform(0.5, 2.0, 25)
    lags = rng.uniform(-30.0, 30.0, 25)
    lagged = WindowGrid(70.0, horizon)
    lagged.add_lagged(lambda t: np.interp(t, curve, cumulative), from_s, to_s, rates, lags)
    expected = np.zeros(lagged.windows)
    edges = lagged.edges_s
    for a, b, rate, lag in zip(from_s, to_s, rates, lags, strict=True):
        for s, e in zip(eclipse_start, eclipse_end, strict=True):
            lo, hi = max(s, a) - lag, min(e, b) - lag
            lo, hi = max(lo, 0.0), min(hi, horizon)
            for k in range(lagged.windows):
                overlap = min(hi, edges[k + 1]) - max(lo, edges[k])
                if overlap > 0:
                    expected[k] += rate * overlap
    assert expected.sum() > 0
    np.testing.assert_allclose(lagged.totals, expected, rtol=1e-12, atol=1e-9)


def test_spans_added_in_batches_are_the_same_sums_as_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Constant spans in time order, added by ``add_constant`` (kept in batches of a few
    spans) and by ``add_rows`` a few rows at a time, give every window the same
    floating-point total as all of them added at once."""
    rng = np.random.default_rng(11)
    ends = np.cumsum(rng.uniform(0.0, 40.0, 200))
    starts = np.concatenate([[0.0], ends[:-1]])
    rates = rng.uniform(-1.0, 3.0, 200)
    horizon = float(ends[-1])
    at_once = WindowGrid(70.0, horizon)
    for start, end, rate in zip(starts, ends, rates, strict=True):
        at_once.add_constant(float(start), float(end), float(rate))
    expected = at_once.totals.copy()
    monkeypatch.setattr(grid, "SPAN_VALUES_KEPT", 3 * 7)
    batched = WindowGrid(70.0, horizon)
    one_by_one = WindowGrid(70.0, horizon)
    rows = np.stack([starts, ends, rates], axis=1)
    for first in range(0, len(rows), 5):
        batched.add_rows(rows[first:first + 5])
    for start, end, rate in zip(starts, ends, rates, strict=True):
        one_by_one.add_constant(float(start), float(end), float(rate))
    assert np.array_equal(batched.totals, expected)
    assert np.array_equal(one_by_one.totals, expected)
    edges = at_once.edges_s
    for k, (low, high) in enumerate(itertools.pairwise(edges)):
        overlap = np.clip(np.minimum(ends, high) - np.maximum(starts, low), 0.0, None)
        assert expected[k] == pytest.approx(float(np.sum(rates * overlap)), rel=1e-12, abs=1e-9)
