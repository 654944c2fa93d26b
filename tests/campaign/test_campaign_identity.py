"""Replication i is the same whatever runs it: one process, two worker processes, Dask, a
shorter campaign, or a campaign killed with SIGKILL and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import ROOT, SMOKE, orbsim

from sim.api import load_scenario, run_replicate
from sim.campaign import run_campaign
from sim.campaign.rows import replicate_row, timeseries_rows

SEED = 7
N = 24
EXECUTORS = {
    "one process": ("--workers", "1"),
    "two processes": ("--workers", "2"),
    "dask": ("--workers", "2", "--scheduler", "local"),
}


def results(directory: Path) -> tuple[pa.Table, pa.Table, dict[str, Any], dict[str, Any]]:
    """replicates, timeseries, summary and manifest of a results folder."""
    return (pq.read_table(directory / "replicates.parquet"),
            pq.read_table(directory / "timeseries.parquet"),
            json.loads((directory / "summary.json").read_text()),
            json.loads((directory / "manifest.json").read_text()))


def assert_identical(got: pa.Table, want: pa.Table) -> None:
    assert got.schema == want.schema
    assert got.to_pylist() == want.to_pylist()


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same campaign (24 replications, seed 7) on every executor."""
    base = tmp_path_factory.mktemp("executors")
    folders = {}
    for name, options in EXECUTORS.items():
        out = base / name.replace(" ", "-")
        result = orbsim("campaign", str(SMOKE), "-n", str(N), "--seed", str(SEED),
                        "--out", str(out), "--json", *options)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["replications"] == N
        folders[name] = out
    return folders


def test_every_executor_stores_the_same_values(campaigns: dict[str, Path]) -> None:
    replicates, series, summary, manifest = results(campaigns["one process"])
    assert replicates.column("replicate").to_pylist() == list(range(N))
    assert series.num_rows > N
    for name in ("two processes", "dask"):
        other_replicates, other_series, other_summary, other_manifest = results(campaigns[name])
        assert_identical(other_replicates, replicates)
        assert_identical(other_series, series)
        assert other_summary == summary
        # Only when the campaign was created, and how its runs went, may differ.
        for varying in ("created_utc", "runs"):
            assert varying in other_manifest
            other_manifest.pop(varying), manifest.pop(varying, None)
        assert other_manifest == manifest
    # The executors cut the work differently; the values do not depend on it.
    layouts = {name: sorted(p.name for p in (folder / "parts").iterdir())
               for name, folder in campaigns.items()}
    assert layouts["one process"] != layouts["two processes"]


def test_replication_i_is_the_replication_with_the_streams_of_seed_and_i(
        campaigns: dict[str, Path], tmp_path: Path) -> None:
    replicates, series, _, _ = results(campaigns["dask"])
    scenario = load_scenario(SMOKE)
    for i in (0, 13, N - 1):
        alone = run_replicate(scenario, i, SEED)
        assert replicates.slice(i, 1).to_pylist()[0] == {
            name: replicate_row(alone).get(name, 0) for name in replicates.column_names}
        mine = [row for row in series.to_pylist() if row["replicate"] == i]
        assert mine == [{name: row.get(name, 0) for name in series.column_names}
                        for row in timeseries_rows(alone)]
    # A shorter campaign holds the first replications of the longer one, value for value.
    short = run_campaign(SMOKE, n=10, out=tmp_path / "short", seed=SEED)
    short_replicates, short_series, _, _ = results(short.directory)
    assert short_replicates.to_pylist() == replicates.slice(0, 10).to_pylist()
    assert short_series.to_pylist() == [row for row in series.to_pylist()
                                        if row["replicate"] < 10]
    # Another root seed gives other replications.
    other = run_campaign(SMOKE, n=10, out=tmp_path / "other", seed=SEED + 1)
    assert (results(other.directory)[0].column("uptime").to_pylist()
            != short_replicates.column("uptime").to_pylist())


# --- SIGKILL and --resume -------------------------------------------------------------------

HEAVY = ("--set", "horizon_days=3650", "--set", "fleet.0.count=20")
KILL_N, KILL_SEED = 24, 3


def stored_ids(parts: Path) -> list[int]:
    return [i for p in parts.glob("rep-*.parquet")
            for i in range(*map(int, p.stem.split("-")[1:]))]


def test_a_campaign_killed_with_sigkill_resumes_losing_and_duplicating_nothing(
        tmp_path: Path) -> None:
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "sim", "campaign", str(SMOKE), "-n", str(KILL_N),
               "--seed", str(KILL_SEED), "--workers", "2", "--out", str(out), "--json", *HEAVY]
    log = (tmp_path / "stderr.txt").open("w")
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 90
    try:
        while not list((out / "parts").glob("rep-*.parquet")):
            assert process.poll() is None, (
                f"the campaign ended before any part was seen: {(tmp_path / 'stderr.txt')}")
            assert time.monotonic() < deadline, "no part written within 90 s"
            time.sleep(0.005)
    finally:
        # The campaign and its worker processes: the whole process group.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()
    assert process.returncode == -signal.SIGKILL
    before = stored_ids(out / "parts")
    assert 0 < len(before) < KILL_N, "killed too late to test anything"
    assert not (out / "summary.json").exists() and not (out / "replicates.parquet").exists()

    # Resumed in one process, without -n: the stored plan says 24.
    resumed = orbsim("campaign", str(SMOKE), "--seed", str(KILL_SEED), "--workers", "1",
                     "--out", str(out), "--resume", "--json", *HEAVY)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["replications"] == KILL_N

    reference = run_campaign(SMOKE, overrides=[HEAVY[1], HEAVY[3]], n=KILL_N, seed=KILL_SEED,
                             out=tmp_path / "uninterrupted")
    got, got_series, got_summary, manifest = results(out)
    want, want_series, want_summary, _ = results(reference.directory)
    ids = got.column("replicate").to_pylist()
    assert ids == list(range(KILL_N)) and len(set(ids)) == got.num_rows
    assert_identical(got, want)
    assert_identical(got_series, want_series)
    assert got_summary == want_summary
    assert sorted(stored_ids(out / "parts")) == list(range(KILL_N))
    assert not [p for p in (out / "parts").iterdir() if p.name.startswith(".")]
    # The resumed run ran what the killed one had not stored, and nothing more.
    assert [run["ran"] for run in manifest["runs"]] == [KILL_N - len(before)]


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux's /proc)."""
    listed = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in listed.read_text().split()] if listed.exists() else []


def running(pid: int) -> bool:
    """Whether ``pid`` runs still (an exited process no one has reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGKILL])
def test_a_campaign_killed_takes_its_worker_processes_with_it(tmp_path: Path,
                                                              sent: signal.Signals) -> None:
    """SIGTERM stops it as Ctrl-C does (exit 130, how to resume); after either signal its
    worker processes end rather than idle on holding their memory."""
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "sim", "campaign", str(SMOKE), "-n", str(KILL_N),
               "--seed", str(KILL_SEED), "--workers", "2", "--out", str(out), *HEAVY]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    try:
        while not list((out / "parts").glob("rep-*.parquet")):
            assert process.poll() is None, "the campaign ended before any part was seen"
            assert time.monotonic() < deadline, "no part written within 90 s"
            time.sleep(0.005)
        workers = children(process.pid)
        process.send_signal(sent)
        stderr = process.communicate(timeout=120)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert len(workers) >= 2
    if sent == signal.SIGTERM:
        assert process.returncode == 130, stderr
        assert "interrupted: replications finished so far are kept in" in stderr
        assert "--resume" in stderr and "Traceback" not in stderr
    else:
        assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the campaign by 30 s"
        time.sleep(0.05)


def test_local_workers_leave_the_callers_environment_as_it_was(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Worker processes start with one thread per numerical library; the caller's own
    settings (here, none for two of them and 4 for the third) are untouched."""
    from sim.campaign.executors import THREAD_POOL_VARIABLES

    for name in THREAD_POOL_VARIABLES[:2]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(THREAD_POOL_VARIABLES[2], "4")
    before = {name: os.environ.get(name) for name in THREAD_POOL_VARIABLES}
    run_campaign(SMOKE, n=4, workers=2, out=tmp_path / "out", seed=1)
    assert {name: os.environ.get(name) for name in THREAD_POOL_VARIABLES} == before


def test_workers_receive_the_validated_scenario_and_prepare_it_once(tmp_path: Path) -> None:
    """A job carries the scenario the caller validated (not the file), and a worker derives
    the campaign's geometry once for all its jobs."""
    from sim.campaign.executors import Campaign, Job, LocalExecutor

    scenario = load_scenario(ROOT / "configs" / "reference-cluster.yaml",
                             ["horizon_days=60", "fleet.0.count=3",
                              "fleet.0.workload.satellites_per_job=3"])
    campaign = Campaign("test", scenario, 1, None)
    with LocalExecutor(campaign, workers=1) as executor:
        chunks = list(executor.run([Job(campaign, 0, 2), Job(campaign, 2, 3)]))
        prepared = executor._here
        assert prepared is not None and prepared.orbits is not None
        orbits = prepared.orbits
        chunks += list(executor.run([Job(campaign, 3, 4)]))
        assert executor._here is prepared and prepared.orbits is orbits
    assert [(first, stop) for first, stop, _, _ in chunks] == [(0, 2), (2, 3), (3, 4)]
