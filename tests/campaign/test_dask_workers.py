"""A campaign on a Dask cluster of separate machines: the workers get the eclipse schedules
from the client through Dask, never from a cache directory they would have to share."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support import ROOT

SHELL = ROOT / "configs" / "reference-shell.yaml"
# Two planes of three for a month: every member's schedule derived from its plane's.
SMALL_SHELL = ("--set", "fleet.0.orbit.planes=2", "--set", "fleet.0.orbit.per_plane=3",
               "--set", "fleet.0.count=6", "--set", "horizon_years=0.1")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dask(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "distributed.cli." + args[0], *args[1:]],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no scheduler on port {port}")


def _campaign(out: Path, *options: str, cache: Path) -> dict[str, object]:
    env = os.environ | {"ORBSIM_CACHE_DIR": str(cache)}
    result = subprocess.run([sys.executable, "-m", "sim", "campaign", str(SHELL), "-n", "4",
                             "--seed", "3", "--out", str(out), "--json", *SMALL_SHELL,
                             *options], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_workers_with_empty_caches_of_their_own_give_the_local_results(tmp_path: Path) -> None:
    client_cache = tmp_path / "client-cache"
    local = tmp_path / "local"
    _campaign(local, "--workers", "1", cache=client_cache)
    port = _free_port()
    worker_caches = [tmp_path / f"worker-{k}-cache" for k in range(2)]
    for cache in worker_caches:
        cache.mkdir()
    processes = [_dask("dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard", env=dict(os.environ))]
    try:
        _wait_for(port)
        for k, cache in enumerate(worker_caches):
            processes.append(_dask(
                "dask_worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1", "--no-dashboard",
                "--name", f"machine-{k}", "--local-directory", str(tmp_path / f"scratch-{k}"),
                env=os.environ | {"ORBSIM_CACHE_DIR": str(cache)}))
        dask = tmp_path / "dask"
        _campaign(dask, "--scheduler", f"tcp://127.0.0.1:{port}", cache=client_cache)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    assert (pq.read_table(dask / "replicates.parquet").to_pylist()
            == pq.read_table(local / "replicates.parquet").to_pylist())
    assert (pq.read_table(dask / "timeseries.parquet").to_pylist()
            == pq.read_table(local / "timeseries.parquet").to_pylist())
    # The workers computed no schedule and read none: their caches are as they were.
    assert all(not any(cache.iterdir()) for cache in worker_caches)
