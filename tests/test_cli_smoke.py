"""The two commands every user starts with work on the smoke scenario; run and campaign show
goodput beside uptime."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import CONFIGS, SMOKE, orbsim, orbsim_json
from typer.testing import CliRunner

from sim.cli import OUTAGE_ROWS, PIPED_WIDTH, app, out

# One training job per satellite, interrupted 4 times a day: goodput ≈ 0.775, uptime 1.
TRAINING = CONFIGS / "validation" / "radiation_goodput.yaml"
ONE_YEAR = ("--set", "horizon_years=1")


def test_validate_accepts_smoke() -> None:
    result = orbsim("validate", str(SMOKE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: smoke")


def test_run_json_has_the_contract_keys() -> None:
    payload = orbsim_json("run", str(SMOKE), "--seed", "3")
    for key in ("uptime", "availability", "downtime_by_cause", "events", "satellite_years",
                "sim_events", "wall_s"):
        assert key in payload
    assert 0.0 <= payload["uptime"] <= 1.0
    assert payload["uptime"] + sum(payload["downtime_by_cause"].values()) == \
        __import__("pytest").approx(1.0, abs=1e-9)


def rows(text: str) -> list[str]:
    """The first cell of each row of the tables in ``text``."""
    return [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]


def test_run_shows_goodput_after_uptime_and_what_training_jobs_lose() -> None:
    result = CliRunner().invoke(app, ["run", str(TRAINING), *ONE_YEAR])
    assert result.exit_code == 0, result.stderr
    names = rows(result.stdout)
    uptime = names.index("uptime (delivered ÷ nominal compute)")
    assert names[uptime + 1] == "goodput (useful ÷ nominal compute)"
    assert "lost by training jobs beyond downtime: job_restart" in names
    assert {"uncorrectable", "interruptions_per_job_year"} <= set(names)
    assert "Training jobs (over the horizon)" in result.stdout


def test_run_json_goodput_adds_up_with_downtime_and_what_jobs_lose() -> None:
    payload = orbsim_json("run", str(TRAINING), *ONE_YEAR)
    assert payload["goodput"] < payload["uptime"]
    total = (payload["goodput"] + sum(payload["downtime_by_cause"].values())
             + sum(payload["goodput_lost"].values()))
    assert total == pytest.approx(1.0, abs=1e-9)
    assert payload["jobs"]["count"] == 20 and payload["radiation"]["uncorrectable"] > 0


def test_campaign_table_shows_goodput_after_uptime_and_jobs_lost_after_downtime(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide enough for no name to wrap, whatever COLUMNS the tests run with.
    monkeypatch.setattr(out, "width", PIPED_WIDTH)
    result = CliRunner().invoke(app, ["campaign", str(TRAINING), *ONE_YEAR, "-n", "2",
                                      "--workers", "1", "--out", str(tmp_path / "training")])
    assert result.exit_code == 0, result.stderr
    names = rows(result.stdout)
    assert names[:5] == ["uptime", "goodput", "availability", "goodput_lost.checkpoint_write",
                         "goodput_lost.job_restart"]


def test_run_lists_what_satellite_outages_were_charged_to_largest_first() -> None:
    """The reliability cluster's satellites go down for many sets of parts: the largest
    ``OUTAGE_ROWS`` are listed in order, the rest summed in one row, and all of them add up to
    what the JSON gives."""
    config = CONFIGS / "reference-cluster-reliability.yaml"
    result = CliRunner().invoke(app, ["run", str(config)])
    assert result.exit_code == 0, result.stderr
    prefix = "satellite down, charged to: "
    shown = [line for line in result.stdout.splitlines() if prefix in line]
    shares = [float(line.split("│")[2]) for line in shown]
    listed = shares[:OUTAGE_ROWS]
    assert len(shown) == OUTAGE_ROWS + 1 and "other sets of parts" in shown[-1]
    assert listed == sorted(listed, reverse=True)
    payload = orbsim_json("run", str(config))
    outages = payload["outage_by_parts"]
    assert len(outages) > OUTAGE_ROWS + 1
    # Each row is printed to 6 decimals: off by at most half of 1e-6.
    assert sum(shares) == pytest.approx(sum(outages.values()), abs=len(shares) * 0.5e-6)


def test_piped_output_is_as_wide_as_columns_says() -> None:
    """Piped, tables are 160 columns wide unless COLUMNS gives the width; every cell whole."""
    command = [sys.executable, "-m", "sim", "cutsets", str(CONFIGS / "reference-shell.yaml")]
    widths = {}
    for columns in ("80", None):
        env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
        if columns is not None:
            env["COLUMNS"] = columns
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        widths[columns] = max(len(line) for line in result.stdout.splitlines())
        # Narrow, a cell folds onto more lines rather than losing its end to an ellipsis.
        assert "…" not in result.stdout
    assert widths["80"] <= 80 < widths[None]


def test_a_report_that_cannot_be_written_is_one_line(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A campaign folder made read-only (simulated: permissions do not bind root)."""
    from sim import api

    def refused(directory: Path) -> None:
        raise PermissionError(13, "Permission denied", str(directory / "figures"))

    monkeypatch.setattr(api, "write_report", refused)
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {tmp_path}: cannot write the report there (Permission "
                             "denied)\n")
