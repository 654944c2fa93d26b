"""``orbsim compare``: two campaigns of one seed, paired replication by replication.

Small smoke campaigns (a few replications of four satellites, three months): a baseline, the
same again, one whose accelerators fail five times as often, and ones that must be refused.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats as sps
from support import CONFIGS, SMOKE, cli_problems, orbsim, orbsim_here, stopped_copy

from sim.api import CompareError, compare_campaigns, run_campaign
from sim.cli import out

SEED = 3
N = 8
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Accelerators fail five times as often (mean 0.2 years instead of 1): a real difference.
FRAGILE = ("name=smoke-fragile", "fleet.0.design.parts.2.failure.mean_years=0.2")
# Training jobs interrupted 4 times a day (goodput ≈ 0.775, uptime 1), for one year; and the
# same checkpointing twice as often (goodput ≈ 0.85).
TRAINING = CONFIGS / "validation" / "radiation_goodput.yaml"
ONE_YEAR = ("horizon_years=1",)
OFTENER = ("name=radiation-goodput-hourly", "fleet.0.workload.checkpoint_interval_h=1")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("compare")
    plans = {
        "base": ((), N, SEED),
        "again": ((), N, SEED),
        "fragile": (FRAGILE, N, SEED),
        "short": ((), 3, SEED),
        "one": ((), 1, SEED),
        "seed4": ((), 2, SEED + 1),
        "days60": (("horizon_days=60",), 2, SEED),
        "years": (("horizon_years=0.25",), 2, SEED),
        "days": (("horizon_days=91.3125",), 2, SEED),  # 0.25 Julian years in days
    }
    for name, (overrides, n, seed) in plans.items():
        run_campaign(SMOKE, overrides=list(overrides), n=n, workers=1, out=root / name,
                     seed=seed)
    return {name: root / name for name in plans}


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("training")
    for name, overrides in (("base", ONE_YEAR), ("hourly", ONE_YEAR + OFTENER)):
        run_campaign(TRAINING, overrides=list(overrides), n=3, workers=1, out=root / name,
                     seed=SEED)
    return {"base": root / "base", "hourly": root / "hourly"}


def column(directory: Path, name: str) -> np.ndarray:
    return pq.read_table(directory / "replicates.parquet").column(name).to_numpy().astype(float)


def test_difference_is_mean_b_minus_mean_a_by_hand(runs: dict[str, Path]) -> None:
    result = compare_campaigns(runs["base"], runs["fragile"])
    assert (result.paired, result.unpaired, result.seed) == (N, 0, SEED)
    assert result.a.scenario == "smoke" and result.b.scenario == "smoke-fragile"
    for name in ("uptime", "availability", "downtime.repair", "events.failures"):
        a, b = column(runs["base"], name), column(runs["fragile"], name)
        m = result.metrics[name]
        assert (m.a_mean, m.b_mean, m.n) == (pytest.approx(a.mean()), pytest.approx(b.mean()), N)
        assert m.difference == pytest.approx(b.mean() - a.mean(), rel=1e-9, abs=1e-15)
    # Accelerators failing more often cost uptime, and common random numbers show it clearly.
    uptime = result.metrics["uptime"]
    assert uptime.difference < 0 and uptime.significant
    # A part whose failures did not change draws the same numbers: no difference at all.
    wheel = result.metrics["failures.reaction_wheel"]
    assert (wheel.difference, wheel.ci95, wheel.significant) == (0.0, (0.0, 0.0), False)


def test_interval_is_student_t_on_the_paired_differences(runs: dict[str, Path]) -> None:
    m = compare_campaigns(runs["base"], runs["fragile"]).metrics["uptime"]
    d = column(runs["fragile"], "uptime") - column(runs["base"], "uptime")
    half = sps.t.ppf(0.975, N - 1) * d.std(ddof=1) / math.sqrt(N)
    assert m.ci95 == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-9)


def test_identical_campaigns_differ_by_zero_with_a_zero_width_interval(
        runs: dict[str, Path]) -> None:
    result = compare_campaigns(runs["base"], runs["again"])
    assert result.metrics
    for m in result.metrics.values():
        assert (m.difference, m.ci95, m.significant) == (0.0, (0.0, 0.0), False), m.name


def test_headline_metrics_first_and_identifiers_left_out(runs: dict[str, Path]) -> None:
    names = list(compare_campaigns(runs["base"], runs["fragile"]).metrics)
    assert names[:3] == ["uptime", "goodput", "availability"]
    downtime = [n for n in names if n.startswith("downtime.")]
    assert names[3:3 + len(downtime)] == sorted(downtime)
    assert not {"replicate", "sim_events", "horizon_years"} & set(names)


def test_goodput_and_what_training_jobs_lose_are_compared_as_shares(
        training: dict[str, Path]) -> None:
    result = compare_campaigns(training["base"], training["hourly"])
    names = list(result.metrics)
    assert names[:3] == ["uptime", "goodput", "availability"]
    assert names[3:5] == ["goodput_lost.checkpoint_write", "goodput_lost.job_restart"]
    goodput = result.metrics["goodput"]
    assert goodput.difference > 0.05 and goodput.significant
    assert result.metrics["uptime"].difference == 0.0
    drawn = [m.name for m in result.figure_metrics()]
    assert {"goodput", "goodput_lost.job_restart"} <= set(drawn)
    assert result.negligible() == ["goodput_lost.checkpoint_write"]


def test_only_common_replications_are_paired(runs: dict[str, Path]) -> None:
    result = compare_campaigns(runs["base"], runs["short"])
    assert (result.paired, result.unpaired_a, result.unpaired_b) == (3, N - 3, 0)
    assert result.metrics["uptime"].a_mean == pytest.approx(column(runs["base"], "uptime")[:3]
                                                            .mean())
    ran = orbsim_here("compare", str(runs["base"]), str(runs["short"]))
    assert ran.returncode == 0, ran.stderr
    assert f"paired 3 replications by index, left {N - 3} unpaired" in ran.stdout


def test_one_pair_has_no_interval_and_says_so(runs: dict[str, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide enough for no cell to wrap, whatever COLUMNS the tests run with.
    monkeypatch.setattr(out, "width", 160)
    m = compare_campaigns(runs["base"], runs["one"]).metrics["uptime"]
    assert m.n == 1 and not m.defined and m.significant is None
    ran = orbsim_here("compare", str(runs["base"]), str(runs["one"]))
    assert ran.returncode == 0, ran.stderr
    assert "undefined (n < 2)" in ran.stdout and "no interval is defined" in ran.stdout
    payload = json.loads(orbsim_here("compare", str(runs["base"]), str(runs["one"]),
                                     "--json").stdout)
    assert payload["metrics"]["uptime"]["ci95"] == [None, None]


def test_horizon_in_years_or_days_is_the_same_horizon(runs: dict[str, Path]) -> None:
    assert compare_campaigns(runs["years"], runs["days"]).paired == 2


def test_refuses_different_seeds_in_one_line_naming_the_seed(runs: dict[str, Path]) -> None:
    result = orbsim("compare", str(runs["base"]), str(runs["seed4"]))
    [(path, message)] = cli_problems(result)
    assert path == str(runs["seed4"])
    assert re.search(rf"root seed {SEED + 1} differs .* {SEED};", message), message


def test_refuses_different_horizons(runs: dict[str, Path]) -> None:
    ran = orbsim_here("compare", str(runs["base"]), str(runs["days60"]))
    assert ran.returncode == 2 and ran.stdout == ""
    assert re.fullmatch(r"error: .*days60: horizon of 60 days differs from .*base's 91 days\n",
                        ran.stderr), ran.stderr


def test_refuses_a_directory_that_is_not_results(runs: dict[str, Path],
                                                  tmp_path: Path) -> None:
    for other in (tmp_path, tmp_path / "missing"):
        ran = orbsim_here("compare", str(runs["base"]), str(other))
        assert ran.returncode == 2 and ran.stdout == "", ran.stderr
        assert len(ran.stderr.splitlines()) == 1 and ran.stderr.startswith(f"error: {other}")


def test_refuses_campaigns_without_a_common_replication(runs: dict[str, Path],
                                                         tmp_path: Path) -> None:
    """A copy of a one-replication campaign whose replication is renumbered 100."""
    moved = tmp_path / "moved"
    shutil.copytree(runs["one"], moved)
    table = pq.read_table(moved / "replicates.parquet")
    table = table.set_column(0, "replicate", pa.array([100], pa.int64()))
    pq.write_table(table, moved / "replicates.parquet")
    with pytest.raises(CompareError, match="no replication index in common"):
        compare_campaigns(runs["base"], moved)
    ran = orbsim_here("compare", str(runs["base"]), str(moved))
    assert ran.returncode == 2 and len(ran.stderr.splitlines()) == 1, ran.stderr


def test_json_shape(runs: dict[str, Path]) -> None:
    ran = orbsim_here("compare", str(runs["base"]), str(runs["fragile"]), "--json")
    assert ran.returncode == 0, ran.stderr
    payload = json.loads(ran.stdout)
    assert payload["a"] == {"dir": str(runs["base"]), "scenario": "smoke", "replications": N,
                            "partial": False}
    assert payload["b"] == {"dir": str(runs["fragile"]), "scenario": "smoke-fragile",
                            "replications": N, "partial": False}
    assert (payload["paired"], payload["seed"]) == (N, SEED)
    uptime = payload["metrics"]["uptime"]
    assert {"a_mean", "b_mean", "difference", "ci95", "n"} <= set(uptime)
    assert len(uptime["ci95"]) == 2 and uptime["n"] == N
    assert uptime["ci95"][0] <= uptime["difference"] <= uptime["ci95"][1]


def test_table_and_figure(runs: dict[str, Path], tmp_path: Path) -> None:
    figure = tmp_path / "figures" / "fragile-vs-base.png"
    ran = orbsim_here("compare", str(runs["base"]), str(runs["fragile"]), "--figure", str(figure))
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    uptime = next(line for line in lines if line.startswith("│ uptime "))
    assert uptime.rstrip(" │").endswith("*")
    assert f"wrote {figure}" in ran.stdout
    data = figure.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("name", ["fragile-vs-base", "figures.bmp", "a-folder.png",
                                  "a-file/figure.png"])
def test_a_figure_name_that_cannot_be_written_is_refused_first(
        runs: dict[str, Path], tmp_path: Path, name: str) -> None:
    (tmp_path / "a-folder.png").mkdir()
    (tmp_path / "a-file").write_text("")
    figure = tmp_path / name
    ran = orbsim_here("compare", str(runs["base"]), str(runs["fragile"]), "--figure", str(figure))
    assert ran.returncode == 2 and ran.stdout == ""
    assert ran.stderr.startswith(f"error: --figure: {figure}: ")
    assert len(ran.stderr.strip().splitlines()) == 1


def test_a_figure_is_written_in_the_format_of_its_suffix(runs: dict[str, Path],
                                                         tmp_path: Path) -> None:
    figure = tmp_path / "new" / "folder" / "fragile-vs-base.svg"
    ran = orbsim_here("compare", str(runs["base"]), str(runs["fragile"]), "--figure", str(figure))
    assert ran.returncode == 0, ran.stderr
    assert f"wrote {figure}" in ran.stdout
    assert "<svg" in figure.read_text()[:1000]


def test_a_stopped_campaign_is_compared_as_far_as_it_went_and_said_to_be(
        runs: dict[str, Path], tmp_path: Path) -> None:
    stopped = tmp_path / "stopped"
    held = stopped_copy(runs["fragile"], stopped)
    assert 0 < held < N
    ran = orbsim_here("compare", str(runs["base"]), str(stopped), "--json")
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.strip().splitlines() == [
        f"warning: {stopped}: PARTIAL: {held} of {N} planned replications; the campaign "
        f"stopped before it finished (orbsim campaign ... --out {stopped} --resume finishes it)"]
    payload = json.loads(ran.stdout)
    assert (payload["a"]["partial"], payload["b"]["partial"]) == (False, True)
    assert payload["paired"] == held


def test_a_set_of_parts_one_campaign_never_went_down_by_counts_as_zero(
        runs: dict[str, Path], tmp_path: Path) -> None:
    """``outage.<parts>`` is tallied only where satellites went down by those parts."""
    extra = tmp_path / "extra"
    shutil.copytree(runs["base"], extra)
    table = pq.read_table(extra / "replicates.parquet")
    name = "outage.bus + node/never"
    lost = np.arange(1.0, table.num_rows + 1.0)
    pq.write_table(table.append_column(name, pa.array(lost)), extra / "replicates.parquet")
    comparison = compare_campaigns(runs["base"], extra)
    assert name not in comparison.only_in_b
    metric = comparison.metrics[name]
    assert (metric.a_mean, metric.b_mean) == (0.0, float(lost.mean()))
    assert metric.difference == pytest.approx(lost.mean(), rel=1e-12)


def test_columns_are_named_by_what_tells_the_campaigns_apart(runs: dict[str, Path],
                                                             tmp_path: Path) -> None:
    assert compare_campaigns(runs["base"], runs["fragile"]).labels() == ("smoke",
                                                                         "smoke-fragile")
    assert compare_campaigns(runs["base"], runs["again"]).labels() == ("base", "again")
    elsewhere = tmp_path / "elsewhere" / runs["base"].name
    shutil.copytree(runs["base"], elsewhere)
    assert compare_campaigns(runs["base"], elsewhere).labels() == (
        f"{runs['base'].parent.name}/base", "elsewhere/base")
    assert compare_campaigns(runs["base"], runs["base"]).labels() == ("smoke", "smoke")


def test_notes_wrap_to_the_console_width(runs: dict[str, Path], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """B with every metric but the headline ones renamed: the long list of metrics only in B
    wraps at 80 columns."""
    renamed = tmp_path / "renamed"
    shutil.copytree(runs["base"], renamed)
    table = pq.read_table(renamed / "replicates.parquet")
    kept = {"replicate", "horizon_years", "sim_events", "uptime", "goodput", "availability"}
    names = [name if name in kept else f"renamed_{name}" for name in table.column_names]
    pq.write_table(table.rename_columns(names), renamed / "replicates.parquet")
    monkeypatch.setattr(out, "width", 80)
    ran = orbsim_here("compare", str(runs["base"]), str(renamed))
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    start = next(k for k, line in enumerate(lines) if line.startswith("only in B"))
    note = "".join(lines[start:])
    moved = [name for name in names if name.startswith("renamed_")]
    assert len(", ".join(moved)) > 160
    assert all(name in note for name in moved)


def test_rounding_noise_is_shown_as_zero(runs: dict[str, Path], tmp_path: Path) -> None:
    """A share of 3e-13 (below the report's floor for shares) in every replication is shown
    as 0, as the report would show it."""
    noisy = tmp_path / "noisy"
    shutil.copytree(runs["base"], noisy)
    table = pq.read_table(noisy / "replicates.parquet")
    name = "downtime_part.bus"
    index = table.column_names.index(name)
    table = table.set_column(index, name, pa.array([3e-13] * table.num_rows, pa.float64()))
    pq.write_table(table, noisy / "replicates.parquet")
    assert compare_campaigns(noisy, noisy).metrics[name].a_mean == pytest.approx(3e-13)
    ran = orbsim_here("compare", str(noisy), str(noisy))
    assert ran.returncode == 0, ran.stderr
    row = next(line for line in ran.stdout.splitlines() if line.startswith(f"│ {name} "))
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[1:3] == ["0", "0"], row
