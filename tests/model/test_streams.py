"""Random streams: the same seed gives the same output; a new part shifts no other draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml
from support import orbsim_json

from sim.config import load_scenario, read_document
from sim.replicate import build
from sim.rng import Streams

EXTRA_PART = {
    "name": "radiator", "role": "bus", "count": 2, "required": 1,
    "failure": {"distribution": "exponential", "mean_years": 0.3},
    "repair": {"distribution": "fixed", "duration_days": 4},
}


def failure_times(path: Path, overrides: list[str], seed: int) -> dict[str, list[tuple]]:
    """Every failure of a replication, by part: (time_s, satellite)."""
    scenario = load_scenario(path, overrides)
    wiring = build(scenario, Streams(seed, 0), keep_log=True)
    wiring.run(scenario.horizon_s)
    recorder = wiring.recorder
    assert recorder.log is not None
    by_part: dict[str, list[tuple]] = {}
    for t, satellite, kind, part in recorder.log:
        if kind == "failures":
            by_part.setdefault(part, []).append((t, satellite))
    return by_part


def test_same_seed_same_output_through_the_cli(smoke_path: Path) -> None:
    first = orbsim_json("run", str(smoke_path), "--seed", "5")
    again = orbsim_json("run", str(smoke_path), "--seed", "5")
    other = orbsim_json("run", str(smoke_path), "--seed", "6")
    for payload in (first, again, other):
        payload.pop("wall_s")
    assert first == again
    assert first != other


def test_adding_a_part_type_leaves_other_failure_times_unchanged(
    smoke_path: Path, tmp_path: Path
) -> None:
    document = read_document(smoke_path)
    document["fleet"][0]["design"]["parts"].insert(1, EXTRA_PART)
    extended = tmp_path / "extended.yaml"
    extended.write_text(yaml.safe_dump(document))
    horizon = ["horizon_days=365"]
    before = failure_times(smoke_path, horizon, seed=9)
    after = failure_times(extended, horizon, seed=9)
    assert set(after) == set(before) | {"radiator"}
    assert len(after["radiator"]) > 0
    # The accelerators' failures depend only on their own streams and their repairs, which the
    # radiator does not touch (units age in calendar time, whatever their satellite's state).
    for part_name in ("accelerator", "reaction_wheel"):
        assert after[part_name] == before[part_name]
        assert len(before[part_name]) > 5


def test_streams_are_keyed_by_name_not_by_order() -> None:
    a = Streams(42, 3)
    b = Streams(42, 3)
    b.get("something/else")
    assert np.array_equal(a.get("failure/x").random(5), b.get("failure/x").random(5))
    assert not np.array_equal(Streams(42, 4).get("failure/x").random(5),
                              Streams(42, 3).get("failure/x").random(5))
