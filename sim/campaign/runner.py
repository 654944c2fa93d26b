"""Run a Monte Carlo campaign: plan, execute, store chunk by chunk, summarise.

``run_campaign`` runs replications 0..n-1 (those not already stored when resuming), or with
``until_ci`` runs up to each checkpoint in turn (10, 20, 30, 40, 50, 62, ...: a quarter more
each time, at least 10 more) until the 95 % interval of the mean uptime over the replications
up to that checkpoint is narrower than ``until_ci`` (``n`` then caps the count). Checkpoints do
not depend on the worker count, so neither does which replications a campaign holds. Memory
stays bounded: rows go to disk as each chunk ends, and only the uptimes are kept for the
stopping rule.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.campaign.executors import Campaign, Job, executor_for
from sim.campaign.store import ResultsStore, document_hash
from sim.checks import checked_geometry
from sim.config.loader import apply_overrides, read_document, to_scenario, validate_document
from sim.eclipses import fleet_geometry
from sim.results import CUT_SETS, atomic_write_bytes
from sim.scenario import Scenario
from sim.statistics import ci95_width, summarise
from sim.structure.analysis import ages_in_eclipse, cut_set_analysis, shadow_fractions

# With --until-ci: the first checkpoint (fewest replications the interval is trusted with), and
# the least step between checkpoints.
MIN_REPLICATIONS_FOR_CI = 10
# Without -n: the replication count, and the cap of --until-ci.
DEFAULT_REPLICATIONS = 100
MAX_REPLICATIONS = 100_000


@dataclass(frozen=True)
class ScenarioInput:
    """A scenario file read, overridden and validated: the document a campaign stores in its
    manifest, and the scenario it runs."""

    file: str
    overrides: tuple[str, ...]
    document: dict[str, Any]
    scenario: Scenario


def read_scenario(config: str | Path, overrides: Sequence[str] = ()) -> ScenarioInput:
    """Read ``config``, apply ``overrides`` and validate (ScenarioError for bad input)."""
    document = apply_overrides(read_document(config), overrides)
    return ScenarioInput(str(config), tuple(overrides), document,
                         to_scenario(validate_document(document)))


def default_directory(loaded: ScenarioInput) -> Path:
    """``results/<scenario name>``, or with overrides ``results/<name>-<8 hex digits of the
    overridden document's hash>`` (the manifest's ``scenario_hash`` starts with them), so that
    a variant never lands in the folder of the plain scenario."""
    name = loaded.scenario.name
    if loaded.overrides:
        name = f"{name}-{document_hash(loaded.document)[:8]}"
    return Path("results") / name


@dataclass(frozen=True)
class CampaignOutcome:
    """Where the results are and what they say; with ``until_ci``, the 95 % interval's width
    of mean uptime reached and whether the replication cap stopped the campaign before it
    was narrow enough."""

    directory: Path
    summary: dict[str, Any]
    wall_s: float
    ran: int
    ci_width: float | None = None
    stopped_at_cap: bool = False


def chunks(ids: Sequence[int], size: int) -> list[tuple[int, int]]:
    """Contiguous runs of ``ids`` cut into [first, stop) ranges of at most ``size``."""
    ranges: list[tuple[int, int]] = []
    for i in sorted(ids):
        if ranges and ranges[-1][1] == i and i - ranges[-1][0] < size:
            ranges[-1] = (ranges[-1][0], i + 1)
        else:
            ranges.append((i, i + 1))
    return ranges


def chunk_size(count: int, workers: int) -> int:
    """Small enough to keep every worker busy and progress fine-grained, at most 16."""
    return max(1, min(16, math.ceil(count / (4 * max(1, workers)))))


def checkpoints(cap: int) -> Iterator[int]:
    """Replication counts at which ``until_ci`` checks the interval, ending with ``cap``."""
    count = MIN_REPLICATIONS_FOR_CI
    while count < cap:
        yield count
        count += max(MIN_REPLICATIONS_FOR_CI, count // 4)
    yield cap


def run_campaign(
    config: str | Path | ScenarioInput,
    *,
    overrides: Sequence[str] = (),
    n: int | None = None,
    until_ci: float | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    out: str | Path,
    resume: bool = False,
    seed: int | None = None,
    cache_dir: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    geometry_progress: Callable[[int, int], None] | None = None,
) -> CampaignOutcome:
    """Run (or resume) a campaign into ``out``; ``progress(done, total)`` after each chunk,
    ``geometry_progress(done, total)`` as eclipse schedules are searched (a new orbit).

    ``config`` is a scenario file (read with ``overrides``) or one already read
    (``read_scenario``). Resuming without ``n`` or ``until_ci`` continues the plan stored in
    the manifest, and without ``seed`` its root seed (a new campaign's is 0 by default).
    """
    started = time.perf_counter()
    started_utc = datetime.now(UTC).isoformat()
    loaded = config if isinstance(config, ScenarioInput) else read_scenario(config, overrides)
    document, scenario = loaded.document, loaded.scenario
    store = ResultsStore(out)
    if seed is None:
        seed = store.stored_seed() if resume else None
        seed = 0 if seed is None else seed
    manifest: dict[str, Any] = {
        "scenario": scenario.name,
        "scenario_file": loaded.file,
        "overrides": list(loaded.overrides),
        "scenario_document": document,
        "scenario_hash": document_hash(document),
        "root_seed": seed,
        "created_utc": started_utc,
    }
    existing = store.check(manifest, resume)
    if n is None and until_ci is None and existing is not None:
        plan = existing.get("plan") or {}
        n, until_ci = plan.get("n"), plan.get("until_ci")
    manifest["plan"] = {"n": n, "until_ci": until_ci}
    # Validated once, here: the eclipse schedules are computed into the cache the workers read,
    # and every power design is checked against them.
    checked_geometry(scenario, cache_dir=cache_dir, workers=workers if scheduler is None else 1,
                     progress=geometry_progress)
    campaign = Campaign(f"{manifest['scenario_hash'][:16]}-{seed}", scenario, seed, cache_dir)
    cap = n if n is not None else (MAX_REPLICATIONS if until_ci is not None
                                   else DEFAULT_REPLICATIONS)
    ran = 0
    width = None
    stopped_at_cap = False
    with executor_for(campaign, workers, scheduler) as executor, store.held():
        store.open(manifest, resume)
        _write_cut_sets(scenario, Path(out), cache_dir)
        done = store.done()
        uptimes: dict[int, float] = store.column("uptime")
        for target in (checkpoints(cap) if until_ci is not None else [cap]):
            pending = [i for i in range(target) if i not in done]
            jobs = [Job(campaign, first, stop)
                    for first, stop in chunks(pending, chunk_size(len(pending), workers))]
            for first, stop, rows, series in executor.run(jobs):
                store.write_chunk(first, stop, rows, series)
                done.update(range(first, stop))
                uptimes.update((row["replicate"], row["uptime"]) for row in rows)
                ran += stop - first
                if progress is not None:
                    progress(len(done), target)
            if until_ci is not None:
                width = ci95_width(np.array([uptimes[i] for i in range(target)]))
                if width < until_ci:
                    break
                stopped_at_cap = target == cap
        replicates = store.consolidate()
        columns = {name: replicates.column(name).to_numpy() for name in replicates.column_names}
        summary = summarise(columns, scenario.sla_fraction)
        store.write_summary(summary)
        wall_s = time.perf_counter() - started
        store.record_run({"started_utc": started_utc, "wall_s": wall_s, "ran": ran,
                          "workers": workers, "scheduler": scheduler})
    return CampaignOutcome(Path(out), summary, wall_s, ran, width, stopped_at_cap)


def _write_cut_sets(scenario: Scenario, folder: Path, cache_dir: str | None) -> None:
    """The designs' cut sets and part importance at the horizon, for the report (left out,
    with its reason, when a design has too many to list)."""
    shadow = None
    if ages_in_eclipse(scenario):
        shadow = shadow_fractions(scenario, fleet_geometry(scenario, cache_dir=cache_dir))
    try:
        analysis = cut_set_analysis(scenario, shadow=shadow)
    except ValueError as exc:
        analysis = {"scenario": scenario.name, "error": str(exc), "groups": []}
    atomic_write_bytes(folder / CUT_SETS, json.dumps(analysis).encode())
