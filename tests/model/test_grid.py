"""Window grids: integrals of piecewise-constant rates against a brute-force fine sum."""

from __future__ import annotations

import numpy as np
import pytest

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
