"""Eclipse schedules against Skyfield's own geometry (reference data from make_reference.py).

Requirement: every umbra/penumbra boundary within 2 s of the Skyfield reference, the same
eclipses (none missed, none spurious, grazing ones included), and agreement with Skyfield's
``is_sunlit`` at every 10 s sample of the year. Measured: ≤ 0.15 ms; the tighter guard below
(5 ms) catches regressions long before the requirement would.
"""

from __future__ import annotations

import numpy as np
import pytest
from eclipse_cases import SPAN_S, START_UTC, ReferenceCase, reference_cases

from sim.orbits.eclipse import eclipse_schedule
from sim.orbits.schedule import EclipseSchedule

REQUIRED_TOL_S = 2.0
REGRESSION_TOL_S = 5e-3
BOUNDARIES = ("penumbra_start", "umbra_start", "umbra_end", "penumbra_end")
CASES = reference_cases()


def load_reference(case: ReferenceCase) -> dict[str, np.ndarray]:
    with np.load(case.path, allow_pickle=False) as data:
        reference = {name: data[name] for name in data.files}
    assert str(reference["orbit_key"]) == case.orbit.key(), "reference data is for another orbit"
    return reference


def sunlit_samples(reference: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sample times and Skyfield's is_sunlit, decoded from the run-length encoding."""
    n = int(reference["sample_count"])
    edges = np.concatenate([[0], reference["sunlit_flips"], [n]])
    runs = np.diff(edges)
    values = (np.arange(runs.size) % 2 == 0) == bool(reference["sunlit_first"])
    return np.arange(n) * float(reference["sample_step_s"]), np.repeat(values, runs)


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def pair(request) -> tuple[ReferenceCase, EclipseSchedule, dict]:
    case = request.param
    schedule = eclipse_schedule(case.orbit, START_UTC, SPAN_S, use_cache=False)
    return case, schedule, load_reference(case)


def test_same_eclipses(pair) -> None:
    _, schedule, reference = pair
    assert len(schedule) == reference["penumbra_start"].size
    assert np.array_equal(schedule.has_umbra, np.isfinite(reference["umbra_start"]))


def test_boundaries_match(pair) -> None:
    _, schedule, reference = pair
    errors = {
        name: np.nanmax(np.abs(getattr(schedule, name) - reference[name])) for name in BOUNDARIES
    }
    worst = max(errors.values())
    assert worst < REQUIRED_TOL_S, errors
    assert worst < REGRESSION_TOL_S, errors


def test_grazing_eclipses_are_found(pair) -> None:
    case, schedule, reference = pair
    grazing = ~np.isfinite(reference["umbra_start"])
    assert grazing.any()
    shortest = np.argmin(reference["penumbra_end"] - reference["penumbra_start"])
    assert abs(schedule.penumbra_start[shortest] - reference["penumbra_start"][shortest]) < 1e-2
    if case.name == "iss_tle":
        assert schedule.duration_s.min() < 5.0


def test_agrees_with_skyfield_is_sunlit(pair) -> None:
    _, schedule, reference = pair
    t_s, sunlit = sunlit_samples(reference)
    shadowed_outside_penumbra = ~sunlit & ~schedule.in_shadow(t_s)
    sunlit_inside_umbra = sunlit & schedule.in_shadow(t_s, umbra=True)
    assert not shadowed_outside_penumbra.any(), t_s[shadowed_outside_penumbra][:5]
    assert not sunlit_inside_umbra.any(), t_s[sunlit_inside_umbra][:5]
