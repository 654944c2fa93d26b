"""Evaluate variants of one scenario: each on the same replication seeds (common random
numbers), so that differences between variants are the inputs', not the draws'."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from sim.campaign.rows import replicate_row
from sim.config.errors import Problem, ScenarioError, format_path
from sim.config.loader import apply_overrides, to_scenario, validate_document
from sim.config.study_spec import ChoiceSpec, RangeSpec
from sim.eclipses import fleet_geometry
from sim.model.power.shared import Keeper, kept_orbits_bytes
from sim.replicate import GeometryOrbits, run_replicate
from sim.scenario import Scenario

# Row columns that identify a replication rather than measure it.
IDENTIFIERS = frozenset({"replicate", "satellites", "satellite_years", "horizon_years",
                         "sim_events"})


def variant(document: dict[str, Any], values: dict[str, Any]) -> Scenario:
    """The scenario ``document`` describes with each dotted path set to its value."""
    overrides = [f"{path}={value!r}" for path, value in values.items()]
    return to_scenario(validate_document(apply_overrides(document, overrides)))


def whole_bounds(spec: RangeSpec) -> tuple[int, int]:
    """The least and greatest whole numbers of an ``int`` range (least > greatest: none)."""
    return math.ceil(spec.low), math.floor(spec.high)


def extremes(spec: RangeSpec | ChoiceSpec) -> list[tuple[str | int, Any]]:
    """(where, value) of the values a study may set that bound all the others: a float
    range's low and high, a whole-number range's least and greatest whole numbers, every
    choice (``where``: the key or choice index in the entry)."""
    if isinstance(spec, ChoiceSpec):
        return list(enumerate(spec.choices))
    if spec.int:
        low, high = whole_bounds(spec)
        return [("low", low), ("high", high)]
    return [("low", spec.low), ("high", spec.high)]


def extreme_problems(document: dict[str, Any], section: str,
                     entries: Mapping[str, RangeSpec | ChoiceSpec]) -> list[Problem]:
    """One problem for each ``search`` or ``uncertain`` bound (or choice) the scenario
    refuses, set alone, so that a bad range is refused before a study starts rather than
    ending it in a trial; a whole-number range with no whole number is refused too."""
    problems = []
    for path, spec in entries.items():
        least, greatest = whole_bounds(spec) if isinstance(spec, RangeSpec) else (0, 0)
        if isinstance(spec, RangeSpec) and spec.int and least > greatest:
            problems.append(Problem(format_path([section, path]), f"no whole number lies "
                                    f"between low ({spec.low:g}) and high ({spec.high:g})"))
            continue
        for where, value in extremes(spec):
            key = [section, path, *(["choices", where] if isinstance(where, int) else [where])]
            try:
                variant(document, {path: value})
            except ScenarioError as exc:
                complaint = exc.one_line()
                wants_int = (isinstance(spec, RangeSpec) and not spec.int
                             and "whole number" in complaint)
                problems.append(Problem(format_path(key), f"the scenario refuses {value!r} "
                                        f"there ({complaint})" + (
                                            "; add int: true for whole numbers"
                                            if wants_int else "")))
                if wants_int:
                    break  # the high is refused for the same reason
    return problems


def refused_together(values: Mapping[str, Any], exc: ScenarioError) -> str:
    """What to say of values each allowed alone that the scenario refuses together (a
    count below its required count, say)."""
    given = ", ".join(f"{path}={value!r}" for path, value in values.items())
    return f"the scenario refuses the values {given} together ({exc.one_line()})"


# Each process's eclipse orbits by fleet geometry, kept across a study's variants: what the
# power model derives from them (profiles, keyed by power design) is then built once. The
# geometries held at once share one budget of kept orbits (``sim.model.power.shared``).
_ORBITS: dict[tuple[Any, ...], GeometryOrbits] = {}
# Geometries kept at once (a study varies a few at most).
KEPT_GEOMETRIES = 4


def shared_orbits(scenario: Scenario) -> GeometryOrbits | None:
    """The scenario's eclipse orbits, shared with earlier variants of the same geometry."""
    if not scenario.has_orbits:
        return None
    key = (scenario.start_utc, scenario.horizon_s,
           tuple((group.count, group.orbit) for group in scenario.fleet))
    found = _ORBITS.get(key)
    if found is None:
        if len(_ORBITS) >= KEPT_GEOMETRIES:
            _ORBITS.clear()
        held = next(iter(_ORBITS.values()), None)
        keeper = held.keeper if held is not None else Keeper(kept_orbits_bytes())
        found = _ORBITS[key] = GeometryOrbits(fleet_geometry(scenario), keeper=keeper)
    return found


def metric_rows(scenario: Scenario, first: int, stop: int,
                root_seed: int) -> list[dict[str, float]]:
    """The scalar metrics of replications [first, stop) of ``root_seed``, one row each."""
    orbits = shared_orbits(scenario)
    rows = []
    for replicate in range(first, stop):
        row = replicate_row(run_replicate(scenario, replicate, root_seed, orbits))
        rows.append({name: float(value) for name, value in row.items()
                     if name not in IDENTIFIERS and isinstance(value, int | float)})
    return rows


def means(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each metric's mean over ``rows`` (a tally absent from a row counts as 0)."""
    names = sorted({name for row in rows for name in row})
    found = {name: math.fsum(row.get(name, 0.0) for row in rows) / len(rows) for name in names}
    return {name: value for name, value in found.items() if math.isfinite(value)}


def mean_metrics(scenario: Scenario, replications: int, root_seed: int) -> dict[str, float]:
    """Every scalar metric's mean over replications 0 … ``replications`` − 1 of
    ``root_seed``."""
    return means(metric_rows(scenario, 0, replications, root_seed))


def settings_key(*settings: Any) -> str:
    """A digest of what a stored study must share with a resumed one."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def evaluate_all(document: dict[str, Any], points: Sequence[dict[str, Any]],
                 replications: int, root_seed: int, pool: Executor | None,
                 progress: Callable[[int, int], None] | None = None,
                 done: Callable[[dict[str, float]], None] | None = None
                 ) -> list[dict[str, float]]:
    """``mean_metrics`` of each point's variant, in order, on ``pool`` (here when None);
    ``done`` is told of each result as it comes (in order)."""
    scenarios = []
    for point in points:
        try:
            scenarios.append(variant(document, point))
        except ScenarioError as exc:
            raise ScenarioError([Problem("uncertain", refused_together(point, exc) + "; "
                                         "narrow the ranges so that every combination is a "
                                         "scenario")]) from None
    results: list[dict[str, float]] = []
    if pool is None:
        found: Iterator[dict[str, float]] = (mean_metrics(s, replications, root_seed)
                                             for s in scenarios)
    else:
        found = pool.map(mean_metrics, scenarios, [replications] * len(scenarios),
                         [root_seed] * len(scenarios))
    for metrics in found:
        results.append(metrics)
        if done is not None:
            done(metrics)
        if progress is not None:
            progress(len(results), len(scenarios))
    return results


def metric_names(scenario: Scenario, root_seed: int) -> list[str]:
    """The metrics ``scenario`` reports (from one short replication's row)."""
    return sorted(mean_metrics(scenario, 1, root_seed))


def closest(name: str, known: Sequence[str]) -> str:
    """'did you mean …?' for a misspelt metric, else what there is."""
    import difflib

    found = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if found:
        return f"did you mean '{found[0]}'?"
    return "known: " + ", ".join(m for m in known if "." not in m or m.startswith(
        ("downtime.", "cost.", "goodput_lost.")))


@contextlib.contextmanager
def study_pool(workers: int, scheduler: str | None = None) -> Iterator[Executor | None]:
    """Where a study's evaluations run: in this process (one worker), in local worker
    processes, or on a Dask cluster (``scheduler``: tcp://HOST:PORT, or "local" for a
    LocalCluster of ``workers`` processes), as a ``concurrent.futures`` executor."""
    if scheduler is None:
        if workers <= 1:
            yield None
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    from dask.distributed import Client, LocalCluster

    from sim.campaign.executors import CONNECT_TIMEOUT_S, ExecutorError, probe_scheduler

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            probe_scheduler(scheduler)
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(f"--scheduler {scheduler}: cannot connect "
                            f"({type(exc).__name__}: {exc})") from None
    try:
        executor = client.get_executor()
        executor._max_workers = max(1, sum(client.nthreads().values()))  # type: ignore[attr-defined]
        yield executor
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
