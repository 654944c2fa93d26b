"""orbsim report: figures, Markdown and HTML from a campaign's results directory."""

from __future__ import annotations

import ast
import base64
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support import CONFIGS, SMOKE, not_a_campaign, orbsim

from sim import report
from sim.campaign import run_campaign

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURES = ("uptime", "capacity", "downtime_by_cause", "downtime_by_part", "events", "importance")
SIM = Path(__file__).resolve().parent.parent / "sim"


@pytest.fixture(scope="module")
def smoke_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("smoke") / "campaign"
    run_campaign(SMOKE, overrides=["horizon_days=200"], n=12, workers=1, out=out, seed=5)
    return out


@pytest.fixture(scope="module")
def smoke_report(smoke_campaign: Path) -> report.Report:
    return report.write_report(smoke_campaign)


@pytest.fixture(scope="module")
def power_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster") / "campaign"
    run_campaign(CONFIGS / "reference-cluster.yaml", overrides=["horizon_years=2"], n=4,
                 workers=1, out=out)
    return out


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 1000, path
    assert data.startswith(PNG_SIGNATURE), path


def summary_of(directory: Path) -> dict:
    return json.loads((directory / "summary.json").read_text())


def test_every_figure_is_a_png(smoke_campaign: Path, smoke_report: report.Report) -> None:
    assert sorted(p.name for p in smoke_report.figures) == sorted(f"{f}.png" for f in FIGURES)
    for name in FIGURES:
        assert_png(smoke_campaign / "figures" / f"{name}.png")
    assert not (smoke_campaign / "figures" / "power.png").exists()


def test_markdown_links_every_figure_and_holds_the_numbers(
    smoke_campaign: Path, smoke_report: report.Report
) -> None:
    text = smoke_report.markdown.read_text()
    assert smoke_report.markdown == smoke_campaign / "report.md"
    for name in FIGURES:
        assert f"(figures/{name}.png)" in text
    summary = summary_of(smoke_campaign)
    for metric in ("uptime", "availability", "downtime.repair", "downtime.hardware_failure"):
        # As shown: rounding noise as 0, share intervals clipped at 0.
        entry = report.tidy(metric, summary["metrics"][metric])
        # The statistics table's row (the glossary above it names the headline metrics too).
        row = [line for line in text.splitlines() if line.startswith(f"| {metric} |")][-1]
        shown = report.row_numbers([entry[key] for key in report.STAT_KEYS])
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells == [metric, shown[0], report.error_text(entry["standard_error"]),
                         f"{shown[1]} – {shown[2]}", *shown[3:]], row
    assert report.format_number(summary["probability_meeting_sla"]["mean"]) in text


def test_markdown_states_the_manifest_facts(smoke_campaign: Path,
                                            smoke_report: report.Report) -> None:
    text = smoke_report.markdown.read_text()
    manifest = json.loads((smoke_campaign / "manifest.json").read_text())
    assert "| scenario | smoke |" in text
    assert "| root seed | 5 |" in text
    assert "| replications | 12 |" in text
    assert f"| orbsim version | {manifest['package_version']} |" in text
    assert "horizon_days=200" in text


def test_html_is_self_contained(smoke_campaign: Path, smoke_report: report.Report) -> None:
    page = smoke_report.html.read_text()
    embedded = re.findall(r'<figure id="(\w+)"><img [^>]*src="data:image/png;base64,([^"]+)"',
                          page)
    assert [name for name, _ in embedded] == list(FIGURES)
    for name, data in embedded:
        assert base64.b64decode(data) == (smoke_campaign / "figures" / f"{name}.png").read_bytes()
    assert "src=\"http" not in page and "<script" not in page
    uptime = summary_of(smoke_campaign)["metrics"]["uptime"]
    assert report.format_number(uptime["mean"]) in page
    assert report.format_number(uptime["ci95_low"]) in page


def test_power_campaign_gets_the_power_figure(power_campaign: Path) -> None:
    written = report.write_report(power_campaign)
    assert_png(power_campaign / "figures" / "power.png")
    assert power_campaign / "figures" / "power.png" in written.figures
    assert "(figures/power.png)" in written.markdown.read_text()
    assert '<figure id="power">' in written.html.read_text()
    assert "power.battery_cycles_per_satellite_year" in written.markdown.read_text()


def test_cli_report_writes_and_exits_0(smoke_campaign: Path) -> None:
    result = orbsim("report", str(smoke_campaign))
    assert result.returncode == 0, result.stderr
    assert "report.html" in result.stdout
    assert_png(smoke_campaign / "figures" / "uptime.png")


@pytest.mark.parametrize("make", ["empty", "missing", "file", "unfinished"])
def test_cli_report_rejects_what_is_not_a_campaign(tmp_path: Path, make: str) -> None:
    target = not_a_campaign(tmp_path / "target", make)
    result = orbsim("report", str(target))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(target) in lines[0]


def test_the_results_name_every_cause_the_model_charges() -> None:
    from sim.model import repair
    from sim.model.power import CAUSES
    from sim.results import HARDWARE_CAUSES, POWER_CAUSES, SERVICING_CAUSES

    assert tuple(POWER_CAUSES) == CAUSES
    charged = {value for name, value in vars(repair).items() if name.startswith("CAUSE_")}
    assert set(HARDWARE_CAUSES) | set(SERVICING_CAUSES) == charged
    from sim.model import modes
    from sim.results import RELIABILITY_CAUSES

    charged = {value for name, value in vars(modes).items() if name.startswith("CAUSE_")}
    assert set(RELIABILITY_CAUSES) == charged


@pytest.mark.parametrize("module", ["plots.py", "report.py"])
def test_reporting_reads_results_only(module: str) -> None:
    tree = ast.parse((SIM / module).read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    forbidden = ("sim.model", "sim.replicate", "sim.campaign", "simpy", "sim.orbits")
    assert not [n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)]


def test_serviced_campaign_reports_stock_cost_and_servicing(tmp_path: Path) -> None:
    out = tmp_path / "serviced"
    run_campaign(CONFIGS / "validation" / "spares_reorder_point.yaml",
                 overrides=["horizon_years=10", "launch.usd_per_kg=1000",
                            "fleet.0.design.parts.0.cost_usd=500",
                            "fleet.0.design.parts.0.mass_kg=2"],
                 n=3, workers=1, out=out, seed=4)
    written = report.write_report(out)
    assert "servicing" in {path.stem for path in written.figures}
    markdown = written.markdown.read_text()
    for heading in ("### Cost (US dollars)", "### Servicing", "### Spares"):
        assert heading in markdown
    assert "spares.fill_rate" in markdown and "cost.usd_per_delivered_pflops_hour" in markdown
    # The glossary defines the maintenance metrics the campaign has.
    assert "| spares.fill_rate | demands for a spare met from depot stock at once" in markdown
    assert "| servicing.utilisation | busy time" in markdown
    series = pq.read_table(out / "timeseries.parquet")
    stock = series.column("stock.depot/unit").to_numpy()
    # Monthly mean stock of an (s,Q) = (3,5) depot that starts with 8 never leaves [0, 8].
    assert stock.min() >= 0 and stock.max() <= 8


def test_a_campaign_without_servicing_defines_no_servicing_metric(
        smoke_report: report.Report) -> None:
    markdown = smoke_report.markdown.read_text()
    assert "| uptime |" in markdown
    assert "servicing.utilisation" not in markdown and "spares.fill_rate" not in markdown
