"""Where replications run: in this process, in local worker processes, or on Dask.

Each job is a contiguous range of replication ids of one resolved scenario. A worker prepares
the scenario and its eclipse geometry once per process (from the on-disk schedule cache the
main process filled) and returns flat rows. Replication *i* draws only from the streams of
(root seed, i), so every executor returns the same values.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from sim.campaign.allocator import keep_arrays_on_heap
from sim.campaign.rows import replicate_row, timeseries_rows
from sim.campaign.store import document_hash
from sim.config.loader import to_scenario, validate_document
from sim.eclipses import FleetGeometry, fleet_geometry
from sim.replicate import run_replicate
from sim.scenario import Scenario

# Thread-pool sizes of numerical libraries, set to 1 for local worker processes.
THREAD_POOL_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Seconds to wait for a Dask scheduler before giving up with a clear error.
CONNECT_TIMEOUT_S = 10


class ExecutorError(Exception):
    """An executor that cannot start (one line, for the user)."""


@dataclass(frozen=True)
class Job:
    """Replications [first, stop) of the scenario ``document`` with root seed ``root_seed``."""

    document: dict[str, Any]
    root_seed: int
    first: int
    stop: int
    cache_dir: str | None


ChunkResult = tuple[int, int, list[dict[str, Any]], list[dict[str, Any]]]

# Per worker process: the scenario and geometry of the document last prepared, by hash.
_PREPARED: dict[str, tuple[Scenario, FleetGeometry | None]] = {}


def _prepare(job: Job) -> tuple[Scenario, FleetGeometry | None]:
    keep_arrays_on_heap()
    key = document_hash(job.document)
    if key not in _PREPARED:
        _PREPARED.clear()
        scenario = to_scenario(validate_document(job.document))
        geometry = (fleet_geometry(scenario, cache_dir=job.cache_dir, workers=1)
                    if scenario.has_orbits else None)
        _PREPARED[key] = (scenario, geometry)
    return _PREPARED[key]


def simulate(job: Job) -> ChunkResult:
    """Run one job; its rows and monthly rows."""
    scenario, geometry = _prepare(job)
    rows: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    for replicate in range(job.first, job.stop):
        result = run_replicate(scenario, replicate, job.root_seed, orbits=geometry)
        rows.append(replicate_row(result))
        series.extend(timeseries_rows(result))
    return job.first, job.stop, rows, series


class LocalExecutor:
    """This process (one worker) or a pool of local worker processes, kept for the whole
    campaign (used as a context manager)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Self:
        if self.workers > 1:
            # Each worker is one core's worth: numerical libraries' own thread pools would
            # only contend with the other workers (the workers inherit this environment).
            for name in THREAD_POOL_VARIABLES:
                os.environ.setdefault(name, "1")
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(self, jobs: Sequence[Job]) -> Iterator[ChunkResult]:
        if self._pool is None:
            for job in jobs:
                yield simulate(job)
            return
        futures = [self._pool.submit(simulate, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def probe_scheduler(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast, with one line, when a tcp:// scheduler address is malformed or refuses a
    connection (Dask itself would retry until its timeout)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or port is None:
        raise ExecutorError(f"--scheduler {address}: expected tcp://HOST:PORT or 'local'")
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ExecutorError(f"--scheduler {address}: cannot connect ({reason})") from None


class DaskExecutor:
    """A Dask distributed cluster at ``address``, or a LocalCluster for ``"local"``; connected
    on entering the context, for the whole campaign."""

    def __init__(self, address: str, workers: int):
        self.address = address
        self.workers = workers
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Self:
        from dask.distributed import Client, LocalCluster

        try:
            if self.address == "local":
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                probe_scheduler(self.address)
                self._client = Client(self.address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            self.__exit__(None, None, None)
            raise ExecutorError(f"--scheduler {self.address}: cannot connect "
                                f"({type(exc).__name__}: {exc})") from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, jobs: Sequence[Job]) -> Iterator[ChunkResult]:
        from dask.distributed import as_completed as dask_completed

        if self._client is None:
            raise RuntimeError("DaskExecutor.run outside its context")
        futures = self._client.map(simulate, list(jobs), pure=False)
        for future in dask_completed(futures):
            yield future.result()


def executor_for(workers: int, scheduler: str | None) -> LocalExecutor | DaskExecutor:
    """Local processes by default; Dask when a scheduler address (or "local") is given."""
    if scheduler is not None:
        return DaskExecutor(scheduler, workers)
    return LocalExecutor(workers)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))
