"""``orbsim campaign`` as a user runs it: the results folder, summary.json against NumPy and
SciPy, --until-ci, --resume, damaged parts, and one line with exit status 2 for bad input."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats as sps
from support import SMOKE, orbsim, orbsim_here

from sim import __version__
from sim.api import load_scenario, run_replicate
from sim.campaign import run_campaign
from sim.campaign.rows import SCALARS, replicate_row
from sim.campaign.runner import checkpoints
from sim.campaign.store import document_hash
from sim.config.loader import apply_overrides, read_document
from sim.statistics import bounds

SEED = 5
N = 12


def campaign(out: Path, *args: str) -> dict[str, Any]:
    """Run ``orbsim campaign SMOKE --out OUT ARGS --json``; the summary it prints."""
    result = orbsim("campaign", str(SMOKE), "--out", str(out), *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def same_rows(got: pa.Table, want: pa.Table) -> bool:
    """Equal rows, where a metric column only one table has (a kind of outage met only in
    later replications: the store fills it with 0) holds nothing but zeros."""
    common = [name for name in want.column_names if name in got.column_names]
    extra = [t.column(name) for t in (got, want) for name in t.column_names
             if name not in common]
    return (got.select(common).to_pylist() == want.select(common).to_pylist()
            and all(value == 0 for column in extra for value in column.to_pylist()))


def tables(directory: Path) -> tuple[pa.Table, pa.Table]:
    return (pq.read_table(directory / "replicates.parquet"),
            pq.read_table(directory / "timeseries.parquet"))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def width(values: np.ndarray) -> float:
    """Width of the 95 % t-interval of the mean, from NumPy and SciPy."""
    n = len(values)
    return 2 * sps.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A finished 12-replication campaign (seed 5) and what --json printed."""
    out = tmp_path_factory.mktemp("finished") / "out"
    printed = campaign(out, "-n", str(N), "--seed", str(SEED), "--workers", "1")
    return out, printed


# --- the results folder ------------------------------------------------------------------------

def test_manifest_holds_the_scenario_its_hash_the_seed_and_the_version(
        finished: tuple[Path, dict[str, Any]]) -> None:
    out, _ = finished
    manifest = strict_json((out / "manifest.json").read_text())
    assert manifest["scenario"] == "smoke" and manifest["root_seed"] == SEED
    assert manifest["package_version"] == __version__
    assert manifest["scenario_document"]["name"] == "smoke"
    assert manifest["plan"] == {"n": N, "until_ci": None}
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["scenario_hash"])
    assert manifest["scenario_hash"] == document_hash(read_document(SMOKE))
    # Anyone can check the hash from the stored document alone.
    canonical = json.dumps(manifest["scenario_document"], sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == manifest["scenario_hash"]
    other = apply_overrides(read_document(SMOKE), ["horizon_days=60"])
    assert document_hash(other) != manifest["scenario_hash"]


def test_replicates_hold_one_row_per_replication_with_every_scalar_metric(
        finished: tuple[Path, dict[str, Any]]) -> None:
    out, _ = finished
    replicates, _ = tables(out)
    assert replicates.column_names[0] == "replicate"
    assert replicates.column("replicate").to_pylist() == list(range(N))
    first = replicate_row(run_replicate(load_scenario(SMOKE), 0, SEED))
    assert set(SCALARS) <= set(first) <= set(replicates.column_names)
    assert {c.split(".")[0] for c in replicates.column_names} >= {
        "downtime", "downtime_part", "failures", "events"}
    assert all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in replicates.schema.types)
    assert replicates.slice(0, 1).to_pylist()[0] == {
        c: first.get(c, 0) for c in replicates.column_names}


def test_timeseries_is_long_format_per_replication_and_month(
        finished: tuple[Path, dict[str, Any]]) -> None:
    out, _ = finished
    _, series = tables(out)
    months = len(run_replicate(load_scenario(SMOKE), 0, SEED).monthly_capacity_fraction)
    assert months >= 3
    assert series.column_names[:2] == ["replicate", "month"]
    assert {"capacity_fraction", "events.failures"} <= set(series.column_names)
    pairs = list(zip(series.column("replicate").to_pylist(), series.column("month").to_pylist(),
                     strict=True))
    assert pairs == [(i, m) for i in range(N) for m in range(months)]
    capacity = series.column("capacity_fraction").to_numpy()
    assert ((capacity >= 0) & (capacity <= 1)).all()


def test_summary_is_numpy_and_scipy_on_replicates(finished: tuple[Path, dict[str, Any]]) -> None:
    out, printed = finished
    summary = strict_json((out / "summary.json").read_text())
    assert printed == summary
    replicates, _ = tables(out)
    n = replicates.num_rows
    assert summary["replications"] == n == N
    assert set(summary["metrics"]) == set(replicates.column_names) - {"replicate"}
    for name, d in summary["metrics"].items():
        values = replicates.column(name).to_numpy().astype(float)
        mean = values.mean()
        se = values.std(ddof=1) / math.sqrt(n)
        half = sps.t.ppf(0.975, n - 1) * se
        assert d["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-15), name
        assert d["standard_error"] == pytest.approx(se, rel=1e-9, abs=1e-15), name
        # Student's t interval, cut to the range the metric's mean lies in.
        floor, ceiling = bounds(name)
        assert d["ci95_low"] == pytest.approx(max(mean - half, floor), rel=1e-9, abs=1e-12), name
        assert d["ci95_high"] == pytest.approx(min(mean + half, ceiling), rel=1e-9,
                                               abs=1e-12), name
        if se > 0:
            low, high = sps.t.interval(0.95, n - 1, loc=mean, scale=sps.sem(values))
            assert (d["ci95_low"], d["ci95_high"]) == pytest.approx(
                (max(low, floor), min(high, ceiling)), rel=1e-9)
        quantiles = np.quantile(values, [0.05, 0.5, 0.95])
        assert [d["p5"], d["p50"], d["p95"]] == pytest.approx(quantiles, rel=1e-12), name
    assert summary["sla_fraction"] == load_scenario(SMOKE).sla_fraction == 0.9
    uptime = replicates.column("uptime").to_numpy()
    met = int((uptime >= summary["sla_fraction"]).sum())
    sla = summary["probability_meeting_sla"]
    assert sla["mean"] == pytest.approx(met / n)
    interval = sps.binomtest(met, n).proportion_ci(0.95, method="wilson")
    assert (sla["ci95_low"], sla["ci95_high"]) == pytest.approx(tuple(interval), abs=1e-12)


# --- --until-ci ----------------------------------------------------------------------------------

CI_CAP = 60


@pytest.fixture(scope="module")
def uptimes_to_cap(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """Replications 0..59 (seed 5): replication i is the same in any campaign, so this says
    where --until-ci must stop."""
    out = tmp_path_factory.mktemp("cap") / "out"
    run_campaign(SMOKE, n=CI_CAP, seed=SEED, out=out)
    return tables(out)[0]


def expected_stop(uptime: np.ndarray, goal: float, cap: int) -> int:
    return next((c for c in checkpoints(cap) if c < cap and width(uptime[:c]) < goal), cap)


def test_until_ci_stops_at_the_first_checkpoint_narrow_enough(
        tmp_path: Path, uptimes_to_cap: pa.Table) -> None:
    uptime = uptimes_to_cap.column("uptime").to_numpy()
    marks = [c for c in checkpoints(CI_CAP) if c < CI_CAP]
    widths = [width(uptime[:c]) for c in marks]
    goal = float(widths[0]) * (1 - 1e-9)  # not reached at the first checkpoint
    stop = expected_stop(uptime, goal, CI_CAP)
    assert marks[0] < stop < CI_CAP, "pick another seed: this one stops at an end"
    summaries = {workers: campaign(tmp_path / f"w{workers}", "-n", str(CI_CAP), "--until-ci",
                                   repr(goal), "--seed", str(SEED), "--workers", workers)
                 for workers in ("1", "2")}
    for workers, summary in summaries.items():
        assert summary["replications"] == stop, workers
        d = summary["metrics"]["uptime"]
        assert d["ci95_high"] - d["ci95_low"] < goal
        assert d["ci95_high"] - d["ci95_low"] == pytest.approx(width(uptime[:stop]), rel=1e-9)
        # Every earlier checkpoint was still too wide.
        assert all(w >= goal for c, w in zip(marks, widths, strict=True) if c < stop)
        replicates, _ = tables(tmp_path / f"w{workers}")
        assert same_rows(replicates, uptimes_to_cap.slice(0, stop))
    assert summaries["1"] == summaries["2"]


@pytest.mark.parametrize(("goal", "cap", "stop"), [(1e-9, 15, 15), (1.0, 40, 10)])
def test_until_ci_stops_at_the_cap_or_the_first_checkpoint(
        tmp_path: Path, uptimes_to_cap: pa.Table, goal: float, cap: int, stop: int) -> None:
    summary = campaign(tmp_path / "out", "-n", str(cap), "--until-ci", str(goal),
                       "--seed", str(SEED), "--workers", "1")
    assert summary["replications"] == stop
    d = summary["metrics"]["uptime"]
    assert (d["ci95_high"] - d["ci95_low"] < goal) == (stop < cap)
    assert same_rows(tables(tmp_path / "out")[0], uptimes_to_cap.slice(0, stop))


# --- --resume -------------------------------------------------------------------------------

def test_resuming_a_finished_campaign_with_a_larger_n_adds_only_the_new_replications(
        tmp_path: Path, finished: tuple[Path, dict[str, Any]],
        uptimes_to_cap: pa.Table) -> None:
    out = tmp_path / "out"
    shutil.copytree(finished[0], out)
    before = {p.name: p.read_bytes() for p in (out / "parts").iterdir()}
    summary = campaign(out, "-n", "20", "--seed", str(SEED), "--workers", "1", "--resume")
    assert summary["replications"] == 20
    after = {p.name: p.read_bytes() for p in (out / "parts").iterdir()}
    assert {name: after[name] for name in before} == before
    added = sorted(i for name in set(after) - set(before) if name.startswith("rep-")
                   for i in range(*map(int, Path(name).stem.split("-")[1:])))
    assert added == list(range(N, 20))
    manifest = json.loads((out / "manifest.json").read_text())
    assert [run["ran"] for run in manifest["runs"]] == [N, 20 - N]
    assert manifest["plan"]["n"] == 20
    replicates, series = tables(out)
    assert same_rows(replicates, uptimes_to_cap.slice(0, 20))
    assert series.slice(0, tables(finished[0])[1].num_rows).to_pylist() == (
        tables(finished[0])[1].to_pylist())


def test_damaged_parts_are_recomputed_never_read(
        tmp_path: Path, finished: tuple[Path, dict[str, Any]]) -> None:
    clean = finished[0]
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    reps = sorted((out / "parts").glob("rep-*.parquet"))
    series = sorted((out / "parts").glob("ts-*.parquet"))
    assert len(reps) >= 3
    reps[0].write_bytes(reps[0].read_bytes()[:-40])  # truncated
    data = bytearray(series[-1].read_bytes())
    data[len(data) // 2: len(data) // 2 + 16] = bytes(16)  # garbled
    series[-1].write_bytes(bytes(data))
    summary = campaign(out, "--seed", str(SEED), "--workers", "1", "--resume")
    assert summary == strict_json((clean / "summary.json").read_text())
    for got, want in zip(tables(out), tables(clean), strict=True):
        assert got.to_pylist() == want.to_pylist() and got.schema == want.schema
    manifest = json.loads((out / "manifest.json").read_text())
    redone = sum(int(p.stem.split("-")[2]) - int(p.stem.split("-")[1])
                 for p in (reps[0], series[-1]))
    assert manifest["runs"][-1]["ran"] == redone


# --- bad input: one line, exit status 2 --------------------------------------------------------

def assert_one_error_line(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(pattern, lines[0]), lines[0]
    assert result.stdout == ""


# The first two as a user runs them, the others in this process (the same output, quicker).
BAD_OPTIONS = [
    ("orbsim", ["-n", "0"], r"error: -n: must be ≥ 1, got 0"),
    ("orbsim", ["--resume"], r"error: .*empty: nothing to resume \(no manifest\.json\)"),
    ("in process", ["-n", "-3"], r"error: -n: must be ≥ 1, got -3"),
    ("in process", ["--until-ci", "0"], r"error: --until-ci: must be > 0, got 0"),
    ("in process", ["--until-ci", "-0.1"], r"error: --until-ci: must be > 0, got -0\.1"),
    ("in process", ["--workers", "0"], r"error: --workers: must be ≥ 1, got 0"),
    ("in process", ["--scheduler", "tcp://127.0.0.1"],
     r"error: --scheduler tcp://127\.0\.0\.1: expected tcp://HOST:PORT or 'local'"),
]


@pytest.mark.parametrize(("how", "args", "pattern"), BAD_OPTIONS)
def test_bad_options_are_one_line_and_status_2(
        tmp_path: Path, how: str, args: list[str], pattern: str) -> None:
    (tmp_path / "empty").mkdir()
    run = orbsim if how == "orbsim" else orbsim_here
    result = run("campaign", str(SMOKE), "--out", str(tmp_path / "empty"), *args)
    assert_one_error_line(result, pattern)
    assert list((tmp_path / "empty").iterdir()) == []


def test_an_unwritable_out_is_one_line_and_status_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = orbsim("campaign", str(SMOKE), "-n", "3", "--out", str(tmp_path / "file" / "out"))
    assert_one_error_line(result, r"error: .*file/out: cannot write here \(.*file is not a "
                                  r"directory\)")


def test_an_unreachable_scheduler_is_one_line_within_seconds(tmp_path: Path) -> None:
    started = time.monotonic()
    result = orbsim("campaign", str(SMOKE), "-n", "3", "--scheduler", "tcp://127.0.0.1:1",
                    "--out", str(tmp_path / "out"))
    assert time.monotonic() - started < 10
    assert_one_error_line(result, r"error: --scheduler tcp://127\.0\.0\.1:1: cannot connect "
                                  r"\(.+\)")
    assert not (tmp_path / "out").exists()  # nothing to --resume from a campaign never started


@pytest.mark.parametrize(("args", "pattern"), [
    (["--set", "horizon_days=60", "--resume"],
     r"error: .* holds a campaign of another scenario \('smoke' with no --set; this one is "
     r"'smoke' with --set horizon_days=60: horizon_days: 91 → 60\); use another --out, e\.g\. "
     r"--out .*/out-[0-9a-f]{8}$"),
    (["--set", "horizon_days=60"],
     r"error: .* holds a campaign of another scenario \('smoke' with no --set; this one is "
     r"'smoke' with --set horizon_days=60: horizon_days: 91 → 60\); use another --out, e\.g\. "
     r"--out .*/out-[0-9a-f]{8}$"),
    (["--seed", "6", "--resume"],
     r"error: .* holds a campaign with root seed 5; use --seed 5 or another --out"),
    (["--seed", "5"],
     r"error: .* already holds this campaign; add --resume to continue it, or use another "
     r"--out"),
])
def test_an_out_holding_another_campaign_is_refused(
        tmp_path: Path, finished: tuple[Path, dict[str, Any]], args: list[str],
        pattern: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(finished[0], out)
    before = snapshot(out)
    result = orbsim_here("campaign", str(SMOKE), "-n", "3", "--out", str(out), *args)
    assert_one_error_line(result, pattern)
    assert snapshot(out) == before


def test_ctrl_c_before_any_replication_is_stored_says_none_was(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Interrupted before its folder holds anything (while eclipse schedules are searched, say),
    a campaign does not claim to keep replications there, and offers to start it again."""
    import sim.api

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.api, "run_campaign", interrupted)
    out = tmp_path / "never"
    result = orbsim_here("campaign", str(SMOKE), "-n", "3", "--out", str(out))
    assert result.returncode == 130, result.stderr
    *_, said, command = result.stderr.splitlines()
    assert said == "interrupted: no replication was stored yet; start it again with:"
    assert str(out) in command and "--resume" not in command


def test_resuming_with_fewer_than_held_says_all_are_summarised(tmp_path: Path) -> None:
    out = tmp_path / "six"
    assert orbsim_here("campaign", str(SMOKE), "-n", "6", "--out", str(out)).returncode == 0
    again = orbsim_here("campaign", str(SMOKE), "-n", "4", "--out", str(out), "--resume",
                        "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["replications"] == 6
    assert again.stderr == f"note: {out} holds 6 replications, more than -n 4: all 6 are " \
                           "summarised\n"
