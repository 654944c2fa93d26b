"""The campaign's results store and runner in process: chunks, damaged parts, manifests,
resuming, and the statistics of summary.json against NumPy and SciPy."""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats as sps
from support import SMOKE

from sim.campaign import StoreError, run_campaign
from sim.campaign.runner import MIN_REPLICATIONS_FOR_CI, checkpoints, chunk_size, chunks
from sim.campaign.stats import bounds, ci95_width, describe, summarise, wilson
from sim.campaign.store import (
    DIGEST_KEY,
    MANIFEST,
    ResultsStore,
    json_ready,
    read_part,
    write_part,
)

FAST = ("horizon_days=61",)


def manifest(scenario_hash: str = "h1", seed: int = 0) -> dict[str, Any]:
    return {"scenario": "t", "scenario_hash": scenario_hash, "root_seed": seed,
            "plan": {"n": None, "until_ci": None}}


def rows(first: int, stop: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Synthetic rows: replication i has uptime i/10 and two months; odd ones have a metric
    the even ones lack."""
    reps, series = [], []
    for i in range(first, stop):
        row: dict[str, Any] = {"replicate": i, "uptime": i / 10, "events.failures": i}
        if i % 2:
            row["failures.wheel"] = 1
        reps.append(row)
        series += [{"replicate": i, "month": m, "capacity_fraction": 1 - m / 10}
                   for m in range(2)]
    return reps, series


def filled_store(directory: Path, ranges: list[tuple[int, int]]) -> ResultsStore:
    store = ResultsStore(directory)
    store.open(manifest(), resume=False)
    for first, stop in ranges:
        store.write_chunk(first, stop, *rows(first, stop))
    return store


def part(store: ResultsStore, kind: str, first: int, stop: int) -> Path:
    return store.parts / f"{kind}-{first:07d}-{stop:07d}.parquet"


def tables(directory: Path) -> tuple[pa.Table, pa.Table]:
    return (pq.read_table(directory / "replicates.parquet"),
            pq.read_table(directory / "timeseries.parquet"))


# --- planning -------------------------------------------------------------------------------

def test_chunks_cover_every_id_once_in_contiguous_ranges_of_at_most_size() -> None:
    ids = [i for i in range(40) if i not in (3, 4, 17)]
    ranges = chunks(ids[::-1], 5)
    covered = [i for first, stop in ranges for i in range(first, stop)]
    assert covered == ids
    assert all(0 < stop - first <= 5 for first, stop in ranges)
    assert (3, 5) not in ranges and chunks([], 4) == []
    assert chunk_size(1, 8) == 1 and chunk_size(10_000, 2) == 16 and chunk_size(40, 2) == 5


def test_checkpoints_start_at_the_minimum_grow_by_a_quarter_and_end_at_the_cap() -> None:
    marks = list(checkpoints(200))
    assert marks[0] == MIN_REPLICATIONS_FOR_CI and marks[-1] == 200
    steps = np.diff(marks[:-1])
    assert all(steps >= MIN_REPLICATIONS_FOR_CI)
    assert all(b - a >= a // 4 for a, b in itertools.pairwise(marks[:-1]))
    assert marks == sorted(set(marks))
    assert list(checkpoints(4)) == [4] and list(checkpoints(10)) == [10]


# --- chunks, parts and consolidation ---------------------------------------------------------

def test_chunks_are_done_once_both_parts_are_whole_and_consolidate_sorted(tmp_path: Path) -> None:
    store = filled_store(tmp_path, [(3, 5), (0, 3)])
    assert store.done() == set(range(5))
    assert store.column("uptime") == {i: i / 10 for i in range(5)}
    replicates = store.consolidate()
    series = pq.read_table(tmp_path / "timeseries.parquet")
    assert replicates.column("replicate").to_pylist() == list(range(5))
    assert replicates.column_names[0] == "replicate"
    # A metric missing from a replication is 0, and integer metrics stay integers.
    assert replicates.column("failures.wheel").to_pylist() == [0, 1, 0, 1, 0]
    assert replicates.schema.field("failures.wheel").type == pa.int64()
    assert replicates.schema.field("uptime").type == pa.float64()
    assert series.column("replicate").to_pylist() == [i for i in range(5) for _ in range(2)]
    assert series.column("month").to_pylist() == [0, 1] * 5
    assert replicates.schema.metadata is None
    assert (replicates, series) == tables(tmp_path)


def test_parts_carry_the_digest_of_their_content(tmp_path: Path) -> None:
    store = filled_store(tmp_path, [(0, 4)])
    path = part(store, "rep", 0, 4)
    assert DIGEST_KEY in pq.read_table(path).schema.metadata
    assert read_part(path, "rep", 0, 4) is not None
    assert read_part(path, "rep", 0, 5) is None  # not the chunk its name says


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(len(data) // 3, len(data) // 3 + 64):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _altered_value(path: Path) -> None:
    """A readable Parquet file whose value changed but whose digest did not: what plain
    Parquet reading would take at face value."""
    table = pq.read_table(path)
    column = table.column_names.index("replicate") + 1
    values = table.column(column).to_pylist()
    values[0] = values[0] + 1
    changed = table.set_column(column, table.column_names[column],
                               pa.array(values, table.schema.field(column).type))
    pq.write_table(changed, path)


def _duplicate_row(path: Path) -> None:
    table = pq.read_table(path)
    doubled = pa.concat_tables([table, table.slice(0, 1)])
    write_part(path, doubled.replace_schema_metadata(None))


def _remove(path: Path) -> None:
    path.unlink()


DAMAGES = {"truncated": _truncate, "empty": _empty, "bytes flipped": _flip_middle,
           "value altered": _altered_value, "duplicate row": _duplicate_row,
           "missing": _remove}


@pytest.mark.parametrize(("kind", "damage"), [
    (kind, damage) for kind in ("rep", "ts") for damage in sorted(DAMAGES)
    if (kind, damage) != ("ts", "duplicate row")])  # a ts part has a row per month
def test_a_damaged_part_undoes_its_chunk_only(tmp_path: Path, kind: str, damage: str) -> None:
    store = filled_store(tmp_path, [(0, 3), (3, 6), (6, 8)])
    DAMAGES[damage](part(store, kind, 3, 6))
    assert store.done() == {0, 1, 2, 6, 7}
    assert not part(store, "rep", 3, 6).exists() and not part(store, "ts", 3, 6).exists()
    assert part(store, "rep", 0, 3).exists() and part(store, "ts", 6, 8).exists()


def test_leftovers_of_a_killed_write_and_overlapping_chunks_are_removed(tmp_path: Path) -> None:
    store = filled_store(tmp_path, [(0, 4), (2, 6), (6, 8)])
    leftover = store.parts / ".rep-0000008-0000010.parquet.x1y2"
    leftover.write_bytes(b"PAR1")
    orphan = part(store, "ts", 8, 10)
    shutil.copy(part(store, "ts", 6, 8), orphan)
    assert store.done() == set(range(4)) | {6, 7}
    assert not leftover.exists() and not orphan.exists()
    assert not part(store, "rep", 2, 6).exists()


def test_consolidating_refuses_a_part_damaged_after_the_check(tmp_path: Path) -> None:
    store = filled_store(tmp_path, [(0, 3)])
    assert store.done() == {0, 1, 2}
    _truncate(part(store, "ts", 0, 3))
    with pytest.raises(StoreError, match=r"replications 0\.\.2 changed"):
        store.consolidate()


def test_written_files_have_ordinary_permissions_and_no_temporary_names(tmp_path: Path) -> None:
    filled_store(tmp_path, [(0, 2)]).consolidate()
    mask = os.umask(0)
    os.umask(mask)
    for path in tmp_path.rglob("*"):
        assert not path.name.startswith("."), path
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path


# --- opening a results folder ----------------------------------------------------------------

def test_a_new_folder_gets_a_manifest_with_the_package_version(tmp_path: Path) -> None:
    from sim import __version__

    opened = ResultsStore(tmp_path / "new").open(manifest(), resume=False)
    stored = json.loads((tmp_path / "new" / MANIFEST).read_text())
    assert opened == stored and stored["package_version"] == __version__
    assert stored["scenario_hash"] == "h1" and stored["root_seed"] == 0


@pytest.mark.parametrize(("case", "message"), [
    ("other scenario", r"holds a campaign of another scenario \('t' with no --set; this one is "
                       r"'t' with no --set\); use another --out, e.g. --out .*/out-h2$"),
    ("other seed", r"holds a campaign with root seed 0; use --seed 0 or another --out"),
    ("other version", r"holds a campaign run by orbsim 0\.0\.1, not .*; its replications "
                      r"would not mix with these: use another --out"),
    ("no --resume", r"already holds this campaign; add --resume"),
    ("nothing to resume", r"nothing to resume \(no manifest\.json\)"),
    ("parts without manifest", r"holds campaign parts but no manifest\.json"),
    ("unreadable manifest", r"unreadable manifest; use another --out"),
    ("out is a file", r"out: cannot write here \(.*out is not a directory\)"),
    ("out under a file", r"out: cannot write here \(.*file is not a directory\)"),
])
def test_a_folder_that_cannot_hold_the_campaign_is_refused(
        tmp_path: Path, case: str, message: str) -> None:
    directory = tmp_path / "out"
    ask, resume = manifest(), False
    if case in ("other scenario", "other seed", "other version", "no --resume",
                "parts without manifest", "unreadable manifest"):
        filled_store(directory, [(0, 2)])
    if case == "other scenario":
        ask, resume = manifest(scenario_hash="h2"), True
    elif case == "other seed":
        ask, resume = manifest(seed=5), True
    elif case == "other version":
        stored = json.loads((directory / MANIFEST).read_text())
        (directory / MANIFEST).write_text(json.dumps(dict(stored, package_version="0.0.1")))
        resume = True
    elif case == "nothing to resume":
        directory.mkdir()
        resume = True
    elif case == "parts without manifest":
        (directory / MANIFEST).unlink()
    elif case == "unreadable manifest":
        (directory / MANIFEST).write_text("{not json")
        resume = True
    elif case == "out is a file":
        directory.write_text("x")
    elif case == "out under a file":
        (tmp_path / "file").write_text("x")
        directory = tmp_path / "file" / "out"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(StoreError, match=message):
        ResultsStore(directory).check(ask, resume)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # check writes nothing
    with pytest.raises(StoreError, match=message):
        ResultsStore(directory).open(ask, resume)


def test_resuming_records_a_new_plan(tmp_path: Path) -> None:
    filled_store(tmp_path, [(0, 2)])
    ask = dict(manifest(), plan={"n": 30, "until_ci": None})
    assert ResultsStore(tmp_path).open(ask, resume=True)["plan"] == {"n": 30, "until_ci": None}
    assert ResultsStore(tmp_path).manifest()["plan"]["n"] == 30


def test_resuming_a_folder_made_read_only_is_refused_before_anything_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions do not bind root, so the folder's refusal to take a file is simulated where
    the store writes: its manifest and parts stay as they were."""
    filled_store(tmp_path, [(0, 2)])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    write_bytes = Path.write_bytes

    def refused(path: Path, data: bytes) -> int:
        if tmp_path in path.parents:
            raise PermissionError(13, "Permission denied", str(path))
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", refused)
    ask = dict(manifest(), plan={"n": 30, "until_ci": None})
    with pytest.raises(StoreError, match=r"cannot write here \(Permission denied\)"):
        ResultsStore(tmp_path).open(ask, resume=True)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_folder_another_campaign_is_writing_into_is_refused(tmp_path: Path) -> None:
    """Two campaigns resuming one folder at once would count replications twice: the second
    is refused while the first holds it, and goes once it has ended."""
    out = tmp_path / "out"
    run_campaign(SMOKE, n=2, out=out, seed=1)
    with ResultsStore(out).held(), pytest.raises(
            StoreError, match=r"out: another campaign is writing into it now; wait for it to "
                              r"end, or use another --out"):
        run_campaign(SMOKE, n=4, out=out, resume=True)
    assert len(pq.read_table(out / "replicates.parquet")) == 2
    assert run_campaign(SMOKE, n=4, out=out, resume=True).summary["replications"] == 4


def test_resuming_without_a_seed_takes_the_stored_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_campaign(SMOKE, n=2, out=out, seed=7)
    resumed = run_campaign(SMOKE, n=3, out=out, resume=True)
    assert json.loads((out / "manifest.json").read_text())["root_seed"] == 7
    whole = run_campaign(SMOKE, n=3, out=tmp_path / "whole", seed=7)
    assert resumed.summary["metrics"]["uptime"] == whole.summary["metrics"]["uptime"]
    with pytest.raises(StoreError, match="holds a campaign with root seed 7; use --seed 7"):
        run_campaign(SMOKE, n=4, out=out, resume=True, seed=0)


def test_a_number_written_another_way_is_the_same_scenario(tmp_path: Path) -> None:
    """``--set horizon_years=1`` and ``=1.0`` hash differently but say the same: resuming one
    with the other continues it; another value is still refused."""
    out = tmp_path / "out"
    run_campaign(SMOKE, overrides=["horizon_years=1"], n=2, out=out, seed=1)
    resumed = run_campaign(SMOKE, overrides=["horizon_years=1.0"], n=3, out=out, seed=1,
                           resume=True)
    assert resumed.summary["replications"] == 3 and resumed.ran == 1
    with pytest.raises(StoreError, match=r"horizon_years: 1 → 1\.5"):
        run_campaign(SMOKE, overrides=["horizon_years=1.5"], n=3, out=out, seed=1, resume=True)


def test_a_folder_holds_replications_once_one_is_committed(tmp_path: Path) -> None:
    """What an interrupted campaign says it kept: a manifest alone holds the campaign (it
    resumes) but no replication."""
    from sim.campaign import holds_campaign, holds_replications

    store = ResultsStore(tmp_path / "out")
    store.open(manifest(), resume=False)
    assert holds_campaign(store.directory) and not holds_replications(store.directory)
    filled_store(tmp_path / "filled", [(0, 2)])
    assert holds_replications(tmp_path / "filled")
    assert not holds_replications(tmp_path / "nowhere")


# --- statistics --------------------------------------------------------------------------------

def test_describe_is_the_mean_its_standard_error_a_t_interval_and_quantiles() -> None:
    values = np.random.default_rng(1).gamma(2.0, 3.0, size=37)
    d = describe(values)
    n, mean = len(values), values.mean()
    se = values.std(ddof=1) / math.sqrt(n)
    low, high = sps.t.interval(0.95, n - 1, loc=mean, scale=se)
    assert d["mean"] == pytest.approx(mean, rel=1e-13)
    assert d["standard_error"] == pytest.approx(sps.sem(values), rel=1e-12)
    assert (d["ci95_low"], d["ci95_high"]) == pytest.approx((low, high), rel=1e-12)
    assert [d["p5"], d["p50"], d["p95"]] == pytest.approx(np.percentile(values, [5, 50, 95]))
    assert ci95_width(values) == pytest.approx(high - low, rel=1e-12)


def test_an_interval_is_cut_to_the_range_of_its_metric() -> None:
    """A count's or a share's t interval stops at 0 (and a share's at 1); the mean, its
    standard error and a signed metric's interval are left as they are."""
    rare = np.zeros(40)
    rare[[3, 17]] = 1.0
    plain = describe(rare)
    assert plain["ci95_low"] < 0.0
    for name in ("events.failures", "downtime.repair", "cost.total_usd",
                 "servicing.units_down_at_end", "spares.backorders_at_end"):
        d = describe(rare, *bounds(name))
        assert d["ci95_low"] == 0.0, name
        assert d["ci95_high"] == plain["ci95_high"]
        assert d["mean"] == plain["mean"] and d["standard_error"] == plain["standard_error"]
    near_one = describe(1.0 - rare, *bounds("uptime"))
    assert near_one["ci95_high"] == 1.0 and near_one["ci95_low"] == describe(1.0 - rare)[
        "ci95_low"]
    assert describe(rare, *bounds("power.stored_change_kwh")) == plain
    summary = summarise({"uptime": 1.0 - rare, "events.failures": rare}, sla_fraction=0.5)
    assert summary["metrics"]["events.failures"]["ci95_low"] == 0.0
    assert summary["metrics"]["uptime"]["ci95_high"] == 1.0


def test_one_replication_has_no_interval_and_summary_json_stays_strict(tmp_path: Path) -> None:
    d = describe(np.array([0.5]))
    assert d["mean"] == 0.5 and d["p50"] == 0.5
    assert math.isnan(d["standard_error"]) and math.isnan(d["ci95_low"])
    assert ci95_width(np.array([0.5])) == math.inf
    summary = summarise({"uptime": np.array([0.95]), "replicate": np.array([0])}, 0.9)
    assert json_ready(summary)["metrics"]["uptime"]["standard_error"] is None
    store = filled_store(tmp_path, [(0, 1)])
    store.write_summary(summary)

    def refuse(constant: str) -> None:
        raise AssertionError(f"summary.json holds {constant}")

    text = (tmp_path / "summary.json").read_text()
    assert json.loads(text, parse_constant=refuse)["replications"] == 1


@pytest.mark.parametrize(("met", "n"), [(0, 10), (7, 10), (10, 10), (181, 200)])
def test_sla_probability_interval_is_wilsons(met: int, n: int) -> None:
    low, high = sps.binomtest(met, n).proportion_ci(0.95, method="wilson")
    assert wilson(met, n) == pytest.approx((low, high), rel=1e-9, abs=1e-12)
    uptime = np.array([0.95] * met + [0.5] * (n - met))
    sla = summarise({"uptime": uptime}, 0.95)["probability_meeting_sla"]
    assert sla["mean"] == met / n
    assert (sla["ci95_low"], sla["ci95_high"]) == pytest.approx((low, high), abs=1e-12)


# --- whole campaigns in process: damaged parts and larger -n ---------------------------------

@pytest.fixture(scope="module")
def clean_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted 25-replication campaign, the reference for resumed ones."""
    out = tmp_path_factory.mktemp("clean") / "out"
    outcome = run_campaign(SMOKE, overrides=FAST, n=25, out=out, seed=11)
    assert outcome.ran == 25
    return out


def assert_same_results(directory: Path, reference: Path) -> None:
    for got, want in zip(tables(directory), tables(reference), strict=True):
        assert got.equals(want) and got.to_pylist() == want.to_pylist()
    replicates = tables(directory)[0].column("replicate").to_pylist()
    assert replicates == sorted(set(replicates))
    assert (json.loads((directory / "summary.json").read_text())
            == json.loads((reference / "summary.json").read_text()))


def test_damaged_parts_are_recomputed_on_resume(tmp_path: Path, clean_campaign: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(clean_campaign, out)
    store = ResultsStore(out)
    reps = sorted(store.parts.glob("rep-*.parquet"))
    series = sorted(store.parts.glob("ts-*.parquet"))
    _truncate(reps[1])
    _altered_value(series[3])
    damaged = [range(*map(int, p.stem.split("-")[1:])) for p in (reps[1], series[3])]
    (out / "replicates.parquet").write_bytes(b"garbage")  # rewritten, never read
    outcome = run_campaign(SMOKE, overrides=FAST, n=25, out=out, seed=11, resume=True)
    assert outcome.ran == sum(len(r) for r in damaged)
    assert_same_results(out, clean_campaign)


def test_resuming_with_a_larger_n_runs_only_the_new_replications(
        tmp_path: Path, clean_campaign: Path) -> None:
    out = tmp_path / "out"
    assert run_campaign(SMOKE, overrides=FAST, n=10, out=out, seed=11).ran == 10
    first = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
             for p in (out / "parts").iterdir()}
    outcome = run_campaign(SMOKE, overrides=FAST, n=25, out=out, seed=11, resume=True)
    assert outcome.ran == 15 and outcome.summary["replications"] == 25
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
             for p in (out / "parts").iterdir()}
    assert {k: after[k] for k in first} == first  # the first ten untouched
    new = [range(*map(int, Path(k).stem.split("-")[1:])) for k in after
           if k not in first and k.startswith("rep-")]
    assert sorted(i for r in new for i in r) == list(range(10, 25))
    assert_same_results(out, clean_campaign)
    # Again with the same -n: nothing to run.
    assert run_campaign(SMOKE, overrides=FAST, n=25, out=out, seed=11, resume=True).ran == 0
    runs = ResultsStore(out).manifest()["runs"]
    assert [r["ran"] for r in runs] == [10, 15, 0]


def test_resuming_without_n_continues_the_stored_plan(tmp_path: Path, clean_campaign: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(clean_campaign, out)
    for kind in ("rep", "ts"):
        sorted((out / "parts").glob(f"{kind}-*.parquet"))[-1].unlink()  # killed before it
    outcome = run_campaign(SMOKE, overrides=FAST, out=out, seed=11, resume=True)
    assert 0 < outcome.ran < 25 and outcome.summary["replications"] == 25
    assert_same_results(out, clean_campaign)
