"""The results as pandas DataFrames (``sim.api.read_results``) and as CSV (``orbsim export``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support import SMOKE, not_a_campaign, orbsim, stopped_copy

from sim import api


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("frames") / "smoke"
    api.run_campaign(SMOKE, overrides=["horizon_days=200"], n=5, workers=1, out=out, seed=3)
    return out


def test_read_results_gives_the_files_as_dataframes(campaign: Path) -> None:
    results = api.read_results(campaign)
    assert isinstance(results, api.Results)
    assert results.directory == campaign
    pd.testing.assert_frame_equal(results.replicates,
                                  pd.read_parquet(campaign / "replicates.parquet"))
    pd.testing.assert_frame_equal(results.timeseries,
                                  pd.read_parquet(campaign / "timeseries.parquet"))
    assert sorted(results.replicates["replicate"]) == list(range(5))
    assert results.manifest == json.loads((campaign / "manifest.json").read_text())
    assert results.summary["replications"] == 5
    assert results.summary["metrics"]["uptime"]["mean"] == pytest.approx(
        results.replicates["uptime"].mean())
    assert results.scenario == "smoke" and results.sla_fraction == 0.9
    assert results.horizon_years == pytest.approx(200 / 365.25)


def test_monthly_is_a_replication_by_month_table(campaign: Path) -> None:
    results = api.read_results(campaign)
    monthly = results.monthly("capacity_fraction")
    assert monthly.shape == (5, results.timeseries["month"].nunique())
    row = results.timeseries.iloc[3]
    assert monthly.loc[row["replicate"], row["month"]] == row["capacity_fraction"]


def test_read_results_refuses_what_is_not_a_campaign(tmp_path: Path) -> None:
    with pytest.raises(api.ReportError, match="not a campaign results directory"):
        api.read_results(tmp_path)


def test_the_report_keeps_its_own_arrow_reader(campaign: Path) -> None:
    tables = api.read_campaign(campaign)
    assert isinstance(tables, api.CampaignResults)
    assert tables.replicates.num_rows == 5


def test_export_writes_csv_that_reads_back_as_the_tables(campaign: Path,
                                                         tmp_path: Path) -> None:
    target = tmp_path / "sheets"
    result = orbsim("export", str(campaign), "--format", "csv", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert "replicates.csv" in result.stdout and "timeseries.csv" in result.stdout
    assert sorted(p.name for p in target.iterdir()) == ["replicates.csv", "timeseries.csv"]
    results = api.read_results(campaign)
    for name, frame in (("replicates", results.replicates),
                        ("timeseries", results.timeseries)):
        pd.testing.assert_frame_equal(pd.read_csv(target / f"{name}.csv"), frame,
                                      check_dtype=False)
    header = (target / "replicates.csv").read_text().splitlines()[0]
    assert "uptime" in header.split(",")


def test_export_of_a_stopped_campaign_writes_what_it_holds_and_says_so(
        campaign: Path, tmp_path: Path) -> None:
    stopped = tmp_path / "stopped"
    held = stopped_copy(campaign, stopped)
    assert 0 < held < 5
    result = orbsim("export", str(stopped), "--out", str(tmp_path / "sheets"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"warning: {stopped}: PARTIAL: {held} of 5 planned replications; the campaign stopped "
        f"before it finished (orbsim campaign ... --out {stopped} --resume finishes it)"]
    assert len(pd.read_csv(tmp_path / "sheets" / "replicates.csv")) == held
    assert api.read_results(campaign).partial is None


def test_export_defaults_to_the_results_directory(campaign: Path) -> None:
    result = orbsim("export", str(campaign))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (campaign / "replicates.csv").is_file() and (campaign / "timeseries.csv").is_file()


@pytest.mark.parametrize("make", ["empty", "missing", "file", "unfinished"])
def test_export_refuses_what_is_not_a_campaign(tmp_path: Path, make: str) -> None:
    target = not_a_campaign(tmp_path / "target", make)
    result = orbsim("export", str(target), "--format", "csv")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(target) in lines[0]
    assert not (target / "replicates.csv").exists()


def test_export_refuses_an_unwritable_destination(campaign: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = orbsim("export", str(campaign), "--out", str(blocker / "sub"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot write" in result.stderr
