"""Where replications run: in this process, in local worker processes, or on Dask.

Each job is a contiguous range of replication ids of one campaign. The campaign's scenario is
validated once, in the calling process, and sent to the workers as it is; each worker derives
the eclipse geometry from the on-disk schedule cache (which the calling process filled) once
for the campaign, keeps it for the campaign's jobs, and returns flat rows. Replication *i*
draws only from the streams of (root seed, i), so every executor returns the same values.

Nothing a worker prepares outlives the campaign: a local pool is made for one campaign and
shut down with it; on Dask the prepared state lives in a worker plugin registered for the
campaign and unregistered at its end.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from sim.allocator import keep_arrays_on_heap
from sim.campaign.rows import replicate_row, timeseries_rows
from sim.eclipses import FleetGeometry, fleet_geometry
from sim.replicate import GeometryOrbits, run_replicate
from sim.scenario import Scenario

# Thread-pool sizes of numerical libraries, 1 in local worker processes: each worker is one
# core's worth, and the libraries' own threads would only contend with the other workers.
THREAD_POOL_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Seconds to wait for a Dask scheduler before giving up with a clear error.
CONNECT_TIMEOUT_S = 10


class ExecutorError(Exception):
    """An executor that cannot start (one line, for the user)."""


@dataclass(frozen=True)
class Campaign:
    """What every job of one campaign shares: the validated scenario, the root seed and the
    schedule cache; ``key`` names the campaign (its scenario hash and seed)."""

    key: str
    scenario: Scenario
    root_seed: int
    cache_dir: str | None


@dataclass(frozen=True)
class Job:
    """Replications [first, stop) of ``campaign``."""

    campaign: Campaign
    first: int
    stop: int


ChunkResult = tuple[int, int, list[dict[str, Any]], list[dict[str, Any]]]


class Prepared:
    """One campaign as one process runs it: the scenario with its eclipse cycles, derived
    once and reused by every job (the power model keeps what it derives from shared orbits
    on them)."""

    def __init__(self, campaign: Campaign, geometry: FleetGeometry | None = None):
        keep_arrays_on_heap()
        self.campaign = campaign
        scenario = campaign.scenario
        if geometry is None and scenario.has_orbits:
            geometry = fleet_geometry(scenario, cache_dir=campaign.cache_dir, workers=1)
        self.orbits = GeometryOrbits(geometry) if geometry is not None else None

    def simulate(self, job: Job) -> ChunkResult:
        """Run one job: its rows and monthly rows."""
        rows: list[dict[str, Any]] = []
        series: list[dict[str, Any]] = []
        for replicate in range(job.first, job.stop):
            result = run_replicate(self.campaign.scenario, replicate, self.campaign.root_seed,
                                   orbits=self.orbits)
            rows.append(replicate_row(result))
            series.extend(timeseries_rows(result))
        return job.first, job.stop, rows, series


# A local worker process's campaign: set by the pool's initializer, so it lives exactly as
# long as the pool (one campaign).
_worker_campaign: Prepared | None = None


# prctl option (linux/prctl.h): the signal a process receives when the thread that started it
# ends.
PR_SET_PDEATHSIG = 1


def _start_local_worker(campaign: Campaign, parent_pid: int) -> None:
    global _worker_campaign
    # Ctrl-C is the caller's: it stops the campaign and shuts the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent(parent_pid)
    _worker_campaign = Prepared(campaign)


def _end_with_parent(parent_pid: int) -> None:
    """On Linux, end this worker when the campaign's process dies, even by ``kill -9``,
    rather than leave it idling with its memory; elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the campaign died before the request took effect
        os._exit(1)


def _simulate_in_local_worker(job: Job) -> ChunkResult:
    assert _worker_campaign is not None
    return _worker_campaign.simulate(job)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Worker processes started within start with SIGINT blocked, until their initializer
    ignores it: a Ctrl-C while they import would print their tracebacks. One meanwhile reaches
    this process when the block lifts."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextmanager
def _single_threaded_libraries() -> Iterator[None]:
    """Worker processes started within get one thread per numerical library; the caller's
    environment is left as it was."""
    saved = {name: os.environ.get(name) for name in THREAD_POOL_VARIABLES}
    os.environ.update(dict.fromkeys(THREAD_POOL_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class LocalExecutor:
    """This process (one worker) or a pool of local worker processes, kept for the whole
    campaign (used as a context manager)."""

    def __init__(self, campaign: Campaign, workers: int):
        self.campaign = campaign
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._here: Prepared | None = None

    def __enter__(self) -> Self:
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_local_worker, initargs=(self.campaign, os.getpid()))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._here = None

    def run(self, jobs: Sequence[Job]) -> Iterator[ChunkResult]:
        if self._pool is None:
            if self._here is None:
                self._here = Prepared(self.campaign)
            for job in jobs:
                yield self._here.simulate(job)
            return
        # The pool starts its processes as jobs are submitted.
        with _single_threaded_libraries(), _interrupts_held():
            futures = [self._pool.submit(_simulate_in_local_worker, job) for job in jobs]
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

    def __init__(self, campaign: Campaign, address: str, workers: int):
        self.campaign = campaign
        self.address = address
        self.workers = workers
        self._client: Any = None
        self._cluster: Any = None
        self._registered = False
        # The scenario's eclipse schedules, computed here and held by every worker.
        self._geometry: Any = None

    def __enter__(self) -> Self:
        from dask.distributed import Client, LocalCluster

        from sim.campaign.dask_plugin import CampaignPlugin, plugin_name

        try:
            if self.address == "local":
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                probe_scheduler(self.address)
                self._client = Client(self.address, timeout=CONNECT_TIMEOUT_S)
            self._client.register_plugin(CampaignPlugin(self.campaign),
                                         name=plugin_name(self.campaign))
            self._registered = True
            self._geometry = self._ship_geometry()
        except (OSError, TimeoutError, ValueError) as exc:
            self.__exit__(None, None, None)
            raise ExecutorError(f"--scheduler {self.address}: cannot connect "
                                f"({type(exc).__name__}: {exc})") from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _ship_geometry(self) -> Any:
        """The scenario's eclipse schedules, from this machine's cache (computed into it if
        missing), sent to every worker: workers need no disk of their own, nor a copy of the
        cache (None without orbits)."""
        scenario = self.campaign.scenario
        if not scenario.has_orbits:
            return None
        geometry = fleet_geometry(scenario, cache_dir=self.campaign.cache_dir)
        return self._client.scatter(geometry, broadcast=True, hash=False)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._geometry = None
        if self._client is not None:
            if self._registered:
                from sim.campaign.dask_plugin import plugin_name

                self._client.unregister_worker_plugin(plugin_name(self.campaign))
                self._registered = False
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, jobs: Sequence[Job]) -> Iterator[ChunkResult]:
        from dask.distributed import as_completed as dask_completed

        from sim.campaign.dask_plugin import simulate_on_dask

        if self._client is None:
            raise RuntimeError("DaskExecutor.run outside its context")
        futures = self._client.map(simulate_on_dask, list(jobs), pure=False,
                                   geometry=self._geometry)
        for future in dask_completed(futures):
            yield future.result()


def executor_for(campaign: Campaign, workers: int, scheduler: str | None
                 ) -> LocalExecutor | DaskExecutor:
    """Local processes by default; Dask when a scheduler address (or "local") is given."""
    if scheduler is not None:
        return DaskExecutor(campaign, scheduler, workers)
    return LocalExecutor(campaign, workers)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))
