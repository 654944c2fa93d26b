"""Run a Monte Carlo campaign: plan, execute, store chunk by chunk, summarise.

``run_campaign`` runs replications 0..n-1 (those not already stored when resuming), or with
``until_ci`` keeps adding rounds until the 95 % interval of the mean uptime is narrower than
that (``n`` then caps the count). Memory stays bounded: rows go to disk as each chunk ends,
and only the uptimes are kept for the stopping rule.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from sim.campaign.executors import Job, executor_for
from sim.campaign.stats import ci95_width, summarise
from sim.campaign.store import ResultsStore, document_hash
from sim.config.loader import apply_overrides, read_document, to_scenario, validate_document
from sim.eclipses import fleet_geometry

# With --until-ci: at least this many replications before the interval is trusted, then rounds
# of this many per worker.
MIN_REPLICATIONS_FOR_CI = 10
ROUND_PER_WORKER = 8
# Without a cap, --until-ci stops here.
MAX_REPLICATIONS = 100_000


@dataclass(frozen=True)
class CampaignOutcome:
    """Where the results are and what they say."""

    directory: Path
    summary: dict[str, Any]
    wall_s: float
    ran: int


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


def run_campaign(
    config: str | Path,
    *,
    overrides: Sequence[str] = (),
    n: int | None = None,
    until_ci: float | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    out: str | Path,
    resume: bool = False,
    seed: int = 0,
    cache_dir: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CampaignOutcome:
    """Run (or resume) a campaign into ``out``; ``progress(done, total)`` after each chunk."""
    started = time.perf_counter()
    document = apply_overrides(read_document(config), overrides)
    scenario = to_scenario(validate_document(document))
    if scenario.has_orbits:
        fleet_geometry(scenario, cache_dir=cache_dir)
    store = ResultsStore(out)
    store.open({
        "scenario": scenario.name,
        "scenario_file": str(config),
        "overrides": list(overrides),
        "scenario_document": document,
        "scenario_hash": document_hash(document),
        "root_seed": seed,
        "created_utc": datetime.now(UTC).isoformat(),
    }, resume)
    done = store.done()
    uptimes = _stored_uptimes(store)
    executor = executor_for(workers, scheduler)
    cap = n if n is not None else (MAX_REPLICATIONS if until_ci is not None else 100)
    ran = 0
    while True:
        if until_ci is None:
            target = cap
        elif len(done) >= MIN_REPLICATIONS_FOR_CI and ci95_width(np.array(uptimes)) < until_ci:
            break
        else:
            target = min(cap, max(MIN_REPLICATIONS_FOR_CI, len(done) + ROUND_PER_WORKER * workers))
        pending = [i for i in range(target) if i not in done]
        if not pending:
            break
        jobs = [Job(document, seed, first, stop, cache_dir)
                for first, stop in chunks(pending, chunk_size(len(pending), workers))]
        for first, stop, rows, series in executor.run(jobs):
            store.write_chunk(first, stop, rows, series)
            done.update(range(first, stop))
            uptimes.extend(row["uptime"] for row in rows)
            ran += stop - first
            if progress is not None:
                progress(len(done), target)
        if until_ci is None or target >= cap:
            break
    replicates, _ = store.consolidate()
    columns = {name: replicates.column(name).to_numpy() for name in replicates.column_names}
    summary = summarise(columns, scenario.sla_fraction)
    summary["campaign_wall_s"] = time.perf_counter() - started
    store.write_summary(summary)
    return CampaignOutcome(Path(out), summary, time.perf_counter() - started, ran)


def _stored_uptimes(store: ResultsStore) -> list[float]:
    """Uptimes of the replications already stored (for the stopping rule when resuming)."""
    values: list[float] = []
    if store.parts.exists():
        for path in sorted(store.parts.glob("rep-*.parquet")):
            values.extend(pq.read_table(path, columns=["uptime"]).column(0).to_pylist())
    return values
