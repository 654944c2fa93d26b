"""A campaign's report: figures in ``DIR/figures/``, ``DIR/report.md`` and ``DIR/report.html``.

Reads the results directory only (``manifest.json``, ``summary.json``, ``replicates.parquet``,
``timeseries.parquet``; see ``sim.campaign.store``) with json and pyarrow, so a report can be
made anywhere the files are, long after the campaign ran. The HTML is self-contained (figures
embedded as base64 PNG); the Markdown links the PNGs relatively.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.results import (
    FIGURES,
    MANIFEST,
    POWER_CAUSES,
    REPLICATES,
    REPORT_HTML,
    REPORT_MD,
    SUMMARY,
    TIMESERIES,
    atomic_write_bytes,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_DPI = 130
KWH_PER_MWH = 1000.0

# Where the array's energy goes, as stored power.<use>_kwh columns.
ENERGY_USES = {"compute": "power.compute_kwh", "bus": "power.bus_kwh",
               "conversion loss": "power.conversion_loss_kwh",
               "bus load not met": "power.unmet_bus_kwh"}

CAPTIONS = {
    "uptime": "Distribution of uptime (delivered ÷ nominal compute over the horizon) across "
              "replications, with the mean, its 95 % interval and the SLA fraction.",
    "capacity": "Fleet capacity month by month across replications: median, P25–P75 and "
                "P5–P95 bands, against the SLA fraction.",
    "downtime_by_cause": "Mean share of nominal compute lost to each cause, with the 95 % "
                         "interval of the mean.",
    "downtime_by_part": "Mean share of nominal compute lost to each part (\"power\": lost to "
                        "the power system), with the 95 % interval of the mean.",
    "events": "Cumulative failures and repairs across the fleet: mean across replications "
              "and the P5–P95 band.",
    "servicing": "Spares and cost: each depot item's stock month by month (median and P5–P95 "
                 "across replications), and the mean cost by category.",
    "power": "Eclipses and power: compute lost by power cause, the array's energy by use, "
             "battery cycles per satellite-year, and each replication's lowest state of charge.",
}
METRIC_GROUPS = (
    ("Cost (US dollars)", "cost."),
    ("Servicing", "servicing."),
    ("Spares", "spares."),
    ("Lost compute by cause (share of nominal)", "downtime."),
    ("Lost compute by part (share of nominal)", "downtime_part."),
    ("Events (whole fleet, over the horizon)", "events."),
    ("Failures by part", "failures."),
    ("Repairs by part", "repairs."),
    ("Power", "power."),
)
HEADLINE = ("uptime", "availability")
RUN = ("satellites", "satellite_years", "horizon_years", "satellites_down_at_end", "sim_events")
STAT_COLUMNS = ("metric", "mean", "± s.e.", "95 % interval of the mean", "P5", "P50", "P95")


class ReportError(Exception):
    """A directory that is not a finished campaign's results (one line, for the user)."""


@dataclass(frozen=True)
class CampaignResults:
    """The files of one campaign's results directory, read."""

    directory: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    replicates: pa.Table
    timeseries: pa.Table

    @property
    def scenario(self) -> str:
        return str(self.manifest.get("scenario", "?"))

    @property
    def replications(self) -> int:
        return int(self.summary["replications"])

    @property
    def sla_fraction(self) -> float:
        return float(self.summary["sla_fraction"])

    @property
    def horizon_years(self) -> float:
        return float(self.replicates.column("horizon_years")[0].as_py())

    @property
    def has_power(self) -> bool:
        return any(name.startswith("power.") for name in self.replicates.column_names)

    def column(self, name: str) -> np.ndarray:
        """One metric across replications (from ``replicates.parquet``)."""
        return self.replicates.column(name).to_numpy().astype(float)

    def monthly(self, name: str) -> np.ndarray:
        """One monthly series as a (replications × months) array; missing months are NaN, and
        a series never stored (an event kind that never occurred) is 0."""
        series = self.timeseries
        if name not in series.column_names:
            return self.monthly("capacity_fraction") * 0.0
        replicate = series.column("replicate").to_numpy()
        month = series.column("month").to_numpy()
        ids, rows = np.unique(replicate, return_inverse=True)
        matrix = np.full((len(ids), int(month.max()) + 1), np.nan)
        matrix[rows, month] = series.column(name).to_numpy().astype(float)
        return matrix

    def described(self, prefix: str) -> dict[str, dict[str, float]]:
        """``summary.json`` entries of the metrics named ``prefix<name>``, keyed by name."""
        return {name.removeprefix(prefix): entry
                for name, entry in self.summary["metrics"].items() if name.startswith(prefix)}


@dataclass(frozen=True)
class Report:
    """What ``write_report`` wrote."""

    markdown: Path
    html: Path
    figures: tuple[Path, ...]


def read_campaign(directory: str | os.PathLike[str]) -> CampaignResults:
    """Read a finished campaign's results directory as Arrow tables (what the report and the
    comparison compute with), or raise ``ReportError`` saying why not."""
    folder = Path(directory)
    if not folder.exists():
        raise ReportError(f"{folder}: no such directory")
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a directory; give a campaign's results directory")
    if not (folder / MANIFEST).is_file():
        raise ReportError(f"{folder} is not a campaign results directory (no {MANIFEST})")
    for name in (SUMMARY, REPLICATES, TIMESERIES):
        if not (folder / name).is_file():
            raise ReportError(f"{folder}: campaign not finished (no {name}); finish it with "
                              f"orbsim campaign ... --out {folder} --resume")
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        summary = _nulls_as_nan(json.loads((folder / SUMMARY).read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{folder}: unreadable manifest or summary ({exc})") from None
    try:
        replicates = pq.read_table(folder / REPLICATES)
        timeseries = pq.read_table(folder / TIMESERIES)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ReportError(f"{folder}: unreadable Parquet file ({exc})") from None
    if replicates.num_rows == 0 or "uptime" not in replicates.column_names:
        raise ReportError(f"{folder}: no finished replication to report on")
    if not isinstance(summary, dict) or "metrics" not in summary:
        raise ReportError(f"{folder}/{SUMMARY}: not a campaign summary")
    return CampaignResults(folder, manifest, summary, replicates, timeseries)


def _nulls_as_nan(value: Any) -> Any:
    """``summary.json`` writes an undefined statistic (one replication's standard error) as
    null; the report computes with NaN."""
    if isinstance(value, dict):
        return {key: _nulls_as_nan(item) for key, item in value.items()}
    return math.nan if value is None else value


def draw_figures(results: CampaignResults) -> dict[str, Figure]:
    """Every figure the results support, by file stem; ``power`` only when power was modelled.

    ``sim.plots`` (matplotlib) is imported here, not at module level, so that ``import
    sim.api`` stays quick for every other command.
    """
    from sim import plots

    name, horizon, sla = results.scenario, results.horizon_years, results.sla_fraction
    figures = {
        "uptime": plots.uptime_distribution(
            results.column("uptime"), results.summary["metrics"]["uptime"], sla,
            results.summary["probability_meeting_sla"], scenario=name),
        "capacity": plots.capacity_fan(results.monthly("capacity_fraction"), horizon, sla,
                                       scenario=name),
        "downtime_by_cause": plots.lost_share(results.described("downtime."),
                                              "lost compute by cause", scenario=name),
        "downtime_by_part": plots.lost_share(results.described("downtime_part."),
                                             "lost compute by part", scenario=name),
        "events": plots.cumulative_events(
            {kind: results.monthly(f"events.{kind}") for kind in ("failures", "repairs")},
            horizon, scenario=name),
    }
    if any(name.startswith("servicing.") for name in results.replicates.column_names):
        stock = {name.removeprefix("stock."): results.monthly(name)
                 for name in results.timeseries.column_names if name.startswith("stock.")}
        costs = {name.removesuffix("_usd"): entry["mean"]
                 for name, entry in results.described("cost.").items()
                 if name.endswith("_usd") and name != "total_usd"}
        figures["servicing"] = plots.servicing_summary(stock, horizon, costs, scenario=name)
    if results.has_power:
        causes = {cause: entry for cause, entry in results.described("downtime.").items()
                  if cause in POWER_CAUSES}
        satellite_years = results.column("satellite_years")
        energy = {use: float(np.mean(results.column(column) / satellite_years)) / KWH_PER_MWH
                  for use, column in ENERGY_USES.items()
                  if column in results.replicates.column_names}
        figures["power"] = plots.power_summary(
            causes, energy, results.column("power.battery_cycles_per_satellite_year"),
            results.column("power.min_state_of_charge"), scenario=name)
    return figures


def render_figures(results: CampaignResults, dpi: float = FIGURE_DPI) -> dict[str, bytes]:
    """Every figure as PNG bytes, by file stem."""
    from sim import plots

    return {stem: plots.to_png(figure, dpi) for stem, figure in draw_figures(results).items()}


def write_report(directory: str | os.PathLike[str]) -> Report:
    """Write ``figures/*.png``, ``report.md`` and ``report.html`` into a campaign's directory."""
    results = read_campaign(directory)
    folder = results.directory / FIGURES
    folder.mkdir(exist_ok=True)
    pngs: dict[str, bytes] = {}
    for stem, png in render_figures(results).items():
        pngs[stem] = png
        atomic_write_bytes(folder / f"{stem}.png", png)
    blocks = report_blocks(results, list(pngs))
    markdown = results.directory / REPORT_MD
    page = results.directory / REPORT_HTML
    atomic_write_bytes(markdown, to_markdown(blocks).encode())
    atomic_write_bytes(page, to_html(blocks, pngs, title=f"orbsim report: {results.scenario}")
                  .encode())
    return Report(markdown, page, tuple(folder / f"{stem}.png" for stem in pngs))


def format_number(value: float) -> str:
    """A statistic as the report prints it: 5 decimals for shares, grouping for large
    counts, scientific notation below 0.001."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 1e4:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:,.4g}"
    if size < 1e-3:
        return f"{value:.3e}"
    return f"{value:.5f}"


def _percent(fraction: float) -> str:
    return "–" if math.isnan(fraction) else f"{100 * fraction:.2f} %"


# A report is a list of blocks, rendered once as Markdown and once as HTML:
# ("h1" | "h2" | "h3" | "p", text), ("table", header, rows), ("figure", stem, caption).
Block = tuple[Any, ...]


def report_blocks(results: CampaignResults, figures: Sequence[str]) -> list[Block]:
    """The report's content: headline, campaign facts, figures, statistics tables."""
    summary, metrics = results.summary, results.summary["metrics"]
    uptime, sla = metrics["uptime"], summary["probability_meeting_sla"]
    blocks: list[Block] = [
        ("h1", f"Campaign report: {results.scenario}"),
        ("p", f"Over {results.replications} replications of {results.horizon_years:g} years, "
              f"the fleet delivered a mean {_percent(uptime['mean'])} of its nominal compute "
              f"(95 % interval {_percent(uptime['ci95_low'])} – {_percent(uptime['ci95_high'])})"
              f"; {_percent(sla['mean'])} of replications met the SLA of "
              f"{_percent(results.sla_fraction)} (95 % interval {_percent(sla['ci95_low'])} – "
              f"{_percent(sla['ci95_high'])})."),
        ("h2", "Campaign"),
        ("table", ("fact", "value"), manifest_rows(results)),
        ("h2", "Figures"),
    ]
    for stem in figures:
        blocks.append(("figure", stem, CAPTIONS.get(stem, stem)))
    blocks.append(("h2", "Summary statistics"))
    blocks.append(("p", "Means with their standard error and 95 % interval (Student's t), and "
                        "quantiles across replications, from summary.json."))
    headline = [_stat_row(name, metrics[name]) for name in HEADLINE if name in metrics]
    headline.append((f"P(uptime ≥ SLA {results.sla_fraction:g})", format_number(sla["mean"]),
                     "", f"{format_number(sla['ci95_low'])} – {format_number(sla['ci95_high'])}"
                     " (Wilson)", "", "", ""))
    blocks += [("h3", "Headline"), ("table", STAT_COLUMNS, headline)]
    shown = set(HEADLINE)
    for title, prefix in METRIC_GROUPS:
        names = sorted(name for name in metrics if name.startswith(prefix))
        shown.update(names)
        if names:
            blocks += [("h3", title),
                       ("table", STAT_COLUMNS, [_stat_row(n, metrics[n]) for n in names])]
    rest = [name for name in RUN if name in metrics]
    rest += sorted(name for name in metrics if name not in shown and name not in RUN)
    blocks += [("h3", "Run"), ("table", STAT_COLUMNS, [_stat_row(n, metrics[n]) for n in rest])]
    return blocks


def manifest_rows(results: CampaignResults) -> list[tuple[str, str]]:
    """The campaign's facts: what ran, from which file, with which seed and version."""
    manifest, document = results.manifest, results.manifest.get("scenario_document") or {}
    overrides = manifest.get("overrides") or []
    rows = [
        ("scenario", results.scenario),
        ("description", " ".join(str(document.get("description", "")).split()) or "–"),
        ("scenario file", str(manifest.get("scenario_file", "–"))),
        ("overrides", ", ".join(overrides) if overrides else "none"),
        ("scenario hash (SHA-256)", str(manifest.get("scenario_hash", "–"))[:16] + "…"),
        ("root seed", str(manifest.get("root_seed", "–"))),
        ("replications", str(results.replications)),
        ("satellites", format_number(results.column("satellites")[0])),
        ("horizon (years)", f"{results.horizon_years:g}"),
        ("SLA fraction", f"{results.sla_fraction:g}"),
        ("orbsim version", str(manifest.get("package_version", "–"))),
        ("created (UTC)", str(manifest.get("created_utc", "–"))),
    ]
    wall_s = results.summary.get("campaign_wall_s")
    if wall_s is not None:
        rows.append(("campaign wall time (s, last run)", f"{wall_s:,.1f}"))
    return rows


def _stat_row(name: str, entry: Mapping[str, float]) -> tuple[str, ...]:
    return (name, format_number(entry["mean"]), format_number(entry["standard_error"]),
            f"{format_number(entry['ci95_low'])} – {format_number(entry['ci95_high'])}",
            format_number(entry["p5"]), format_number(entry["p50"]), format_number(entry["p95"]))


def to_markdown(blocks: Iterable[Block]) -> str:
    """The report as Markdown, figures linked as ``figures/<stem>.png``."""
    lines: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + block[1], ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "table":
            header, rows = block[1], block[2]
            lines.append("| " + " | ".join(map(_md_cell, header)) + " |")
            lines.append("|" + "|".join("---" if i == 0 else "---:"
                                        for i in range(len(header))) + "|")
            lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in rows]
            lines.append("")
        elif kind == "figure":
            stem, caption = block[1], block[2]
            lines += [f"![{stem}]({FIGURES}/{stem}.png)", "", f"*{caption}*", ""]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|")


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #555; }
"""


def to_html(blocks: Iterable[Block], pngs: Mapping[str, bytes], title: str) -> str:
    """The report as one self-contained HTML page, figures embedded as base64 PNG."""
    body: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3", "p"):
            body.append(f"<{kind}>{html.escape(block[1])}</{kind}>")
        elif kind == "table":
            header, rows = block[1], block[2]
            cells = "".join(f"<th>{html.escape(str(c))}</th>" for c in header)
            lines = [f"<table><thead><tr>{cells}</tr></thead><tbody>"]
            for row in rows:
                cells = "".join(f"<td>{html.escape(str(c))}</td>" for c in row)
                lines.append(f"<tr>{cells}</tr>")
            lines.append("</tbody></table>")
            body.append("\n".join(lines))
        elif kind == "figure":
            stem, caption = block[1], block[2]
            data = base64.b64encode(pngs[stem]).decode("ascii")
            body.append(f'<figure id="{stem}"><img alt="{html.escape(caption)}" '
                        f'src="data:image/png;base64,{data}">'
                        f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
