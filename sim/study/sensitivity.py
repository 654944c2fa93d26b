"""Sobol sensitivity indices of the metrics to a scenario's ``uncertain`` inputs (SALib:
Saltelli's sampling, first-order and total indices with bootstrap confidence intervals).

Every sample point runs the same replication seeds, so a metric that does not depend on an
input gets exactly the same values whether that input moves or not, and its total index is
0, not noise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.errors import ScenarioError
from sim.config.study_spec import RangeSpec
from sim.study.evaluate import (
    evaluate_all,
    extreme_problems,
    settings_key,
    study_pool,
    whole_bounds,
)
from sim.study.outputs import folder_problem

# Metrics reported unless others are named (those a scenario has).
DEFAULT_METRICS = ("uptime", "goodput", "availability", "cost.usd_per_delivered_pflops_hour")


@dataclass(frozen=True)
class Indices:
    """One input's indices for one metric."""

    S1: float
    S1_conf: float
    ST: float
    ST_conf: float


@dataclass(frozen=True)
class SensitivityResult:
    """Indices by metric and input path, and how they were estimated."""

    indices: dict[str, dict[str, Indices]]
    base_samples: int
    points: int
    replications: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {"indices": {metric: {path: vars(found) for path, found in by_path.items()}
                            for metric, by_path in self.indices.items()},
                "base_samples": self.base_samples, "points": self.points,
                "replications": self.replications, "seed": self.seed}


def sample_points(uncertain: dict[str, RangeSpec], base_samples: int,
                  seed: int) -> list[dict[str, float | int]]:
    """Saltelli's N·(D + 2) points over the inputs (first-order and total indices), each
    mapped to its input's range (``mapped``)."""
    from SALib.sample import sobol

    problem = _problem(uncertain)
    unit = sobol.sample(problem, base_samples, calc_second_order=False, seed=seed)
    return [{path: mapped(spec, float(u)) for (path, spec), u in zip(uncertain.items(), row,
                                                                      strict=True)}
            for row in unit]


def mapped(spec: RangeSpec, u: float) -> float | int:
    """``u`` in [0, 1] mapped to the range, uniformly or uniformly in the logarithm (``log``).
    A whole-number range gives a Python int (the scenario refuses 5.0 for a count): the
    whole number nearest the value on the range widened by ½ each side, so that each whole
    number from ⌈low⌉ to ⌊high⌋ gets the same share (of the logarithm, with ``log``)."""
    if spec.int:
        least, greatest = whole_bounds(spec)
        low, high = least - 0.5, greatest + 0.5
    else:
        low, high = spec.low, spec.high
    if spec.log:
        value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        value = low + u * (high - low)
    if spec.int:
        return min(max(math.floor(value + 0.5), least), greatest)
    return min(max(value, spec.low), spec.high)


def _problem(uncertain: dict[str, RangeSpec]) -> dict[str, Any]:
    """SALib's problem on the unit cube (ranges are applied when points are mapped)."""
    return {"num_vars": len(uncertain), "names": list(uncertain),
            "bounds": [[0.0, 1.0]] * len(uncertain)}


def analyse(uncertain: dict[str, RangeSpec], outputs: Sequence[dict[str, float]],
            metrics: Sequence[str], seed: int) -> dict[str, dict[str, Indices]]:
    """Indices of each metric the outputs hold; a metric that does not vary at all gets 0
    for every index (nothing to apportion)."""
    from SALib.analyze import sobol

    problem = _problem(uncertain)
    found: dict[str, dict[str, Indices]] = {}
    for metric in metrics:
        if not all(metric in output for output in outputs):
            continue
        y = np.array([output[metric] for output in outputs])
        if np.ptp(y) == 0.0:
            found[metric] = {path: Indices(0.0, 0.0, 0.0, 0.0) for path in uncertain}
            continue
        result = sobol.analyze(problem, y, calc_second_order=False, seed=seed,
                               print_to_console=False)
        found[metric] = {path: Indices(*(float(result[key][i])
                                         for key in ("S1", "S1_conf", "ST", "ST_conf")))
                         for i, path in enumerate(uncertain)}
    return found


def run_sensitivity(document: dict[str, Any], uncertain: dict[str, RangeSpec],
                    base_samples: int, replications: int, seed: int, workers: int,
                    metrics: Sequence[str] = (),
                    progress: Callable[[int, int], None] | None = None,
                    scheduler: str | None = None, out: Path | None = None) -> SensitivityResult:
    """Sample, evaluate every point on the same seeds (on ``workers`` local processes, or on
    the Dask cluster at ``scheduler``), and analyse ``metrics`` (the default ones the
    scenario reports when none are named).

    With ``out``, each variant's metrics are appended to ``out/variants.jsonl`` as they come,
    so that a killed study, run again with the same settings, evaluates only the rest; a
    study of other settings there is refused (``StudyError``), as is an ``out`` that cannot
    be a folder, and values the scenario refuses together."""
    from sim.study.tune import StudyError

    if out is not None and (problem := folder_problem(out)) is not None:
        raise StudyError(problem)
    points = sample_points(uncertain, base_samples, seed)
    stored: list[dict[str, float]] = []
    record = None
    if out is not None:
        stored = _stored_variants(out, document, base_samples, replications, seed)[:len(points)]
        handle = (out / VARIANTS).open("a", encoding="utf-8")

        def record(found: dict[str, float]) -> None:
            handle.write(json.dumps(found) + "\n")
            handle.flush()

    def advance(done: int, total: int) -> None:
        if progress is not None:
            progress(len(stored) + done, len(points))

    try:
        with study_pool(workers, scheduler) as pool:
            try:
                fresh = evaluate_all(document, points[len(stored):], replications, seed, pool,
                                     advance, record)
            except ScenarioError as exc:
                raise StudyError(exc.one_line()) from None
    finally:
        if out is not None:
            handle.close()
    outputs = stored + fresh
    chosen = list(metrics) or [m for m in DEFAULT_METRICS if m in outputs[0]]
    return SensitivityResult(analyse(uncertain, outputs, chosen, seed), base_samples,
                             len(points), replications, seed)


# The file of a stored study's variants (one JSON object of metrics per line, in sample
# order) and of its settings.
VARIANTS = "variants.jsonl"
SETTINGS = "settings.json"


def _stored_variants(out: Path, document: dict[str, Any], base_samples: int,
                     replications: int, seed: int) -> list[dict[str, float]]:
    """The variants a stored study of the same settings finished (none for a new one)."""
    from sim.study.tune import StudyError

    key = settings_key(document, base_samples, replications, seed)
    out.mkdir(parents=True, exist_ok=True)
    settings = out / SETTINGS
    if settings.exists():
        if json.loads(settings.read_text(encoding="utf-8")).get("settings") != key:
            raise StudyError(f"{out}: holds a sensitivity study of another scenario, N, "
                             "replication count or seed; give another --out, or remove it")
    else:
        settings.write_text(json.dumps({"settings": key}), encoding="utf-8")
    variants = out / VARIANTS
    if not variants.exists():
        return []
    lines = variants.read_text(encoding="utf-8").splitlines()
    found = []
    for line in lines:
        try:
            found.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut short by a kill: that variant runs again
    variants.write_text("".join(json.dumps(f) + "\n" for f in found), encoding="utf-8")
    return found


def study_inputs(document: dict[str, Any]) -> dict[str, RangeSpec]:
    """The ``uncertain`` section of a validated document (ScenarioError when it has none, or
    when the scenario refuses a range's bound)."""
    from sim.config.errors import Problem, ScenarioError
    from sim.config.loader import validate_document

    spec = validate_document(document)
    if not spec.uncertain:
        raise ScenarioError([Problem("uncertain", "required key is missing (a sensitivity "
                                     "study needs inputs to vary, e.g. uncertain: "
                                     "{sla_window_h: {low: 1, high: 24}})")])
    uncertain = dict(spec.uncertain)
    problems = extreme_problems(document, "uncertain", uncertain)
    if problems:
        raise ScenarioError(problems)
    return uncertain


def draw_indices(result: SensitivityResult) -> Any:
    """A matplotlib figure: per metric, each input's first-order and total index with its
    95 % interval."""
    import matplotlib.pyplot as plt

    metrics = list(result.indices)
    paths = list(next(iter(result.indices.values()))) if metrics else []
    figure, axes = plt.subplots(len(metrics), 1, figsize=(8, 1.2 + 0.55 * len(paths) * max(
        len(metrics), 1)), squeeze=False, sharex=True, layout="constrained")
    positions = np.arange(len(paths))
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        found = result.indices[metric]
        for offset, key, colour in ((-0.2, "S1", "#4c72b0"), (0.2, "ST", "#dd8452")):
            values = [getattr(found[p], key) for p in paths]
            errors = [getattr(found[p], f"{key}_conf") for p in paths]
            ax.barh(positions + offset, values, height=0.38, xerr=errors, color=colour,
                    label="first order (S1)" if key == "S1" else "total (ST)", capsize=3)
        ax.set_yticks(positions, paths, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(min(0.0, ax.get_xlim()[0]), max(1.05, ax.get_xlim()[1]))
        ax.axvline(0.0, color="black", linewidth=0.6)
        still = all(f.ST == 0.0 and f.ST_conf == 0.0 for f in found.values())
        ax.set_title(f"{metric}{' (does not vary across the variants)' if still else ''}",
                     fontsize=10, loc="left")
    axes[0, 0].legend(loc="lower right", fontsize=8)
    axes[-1, 0].set_xlabel(f"Sobol index (95 % interval; N = {result.base_samples}, "
                           f"{result.points} variants × {result.replications} replications)")
    return figure
