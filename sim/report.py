"""A campaign's report: figures in ``DIR/figures/``, ``DIR/report.md`` and ``DIR/report.html``.

Reads the results directory only (``manifest.json``, ``summary.json``, ``replicates.parquet``,
``timeseries.parquet``; see ``sim.campaign.store``) with json and pyarrow, so a report can be
made anywhere the files are, long after the campaign ran. A campaign stopped before it merged
its parts is reported from the chunks it committed, marked partial. The HTML is self-contained
(figures embedded as base64 PNG); the Markdown links the PNGs relatively.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim import document_tables
from sim.results import (
    CUT_SETS,
    FIGURES,
    MANIFEST,
    PARTS,
    POWER_CAUSES,
    REPLICATES,
    REPORT_HTML,
    REPORT_MD,
    SEASON_POWER_LOSS,
    SUMMARY,
    TIMESERIES,
    atomic_write_bytes,
    committed_chunks,
    read_committed,
)
from sim.statistics import bounds, is_share, summarise

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_DPI = 130
# Replications a campaign runs when its plan names neither -n nor --until-ci (as the campaign).
DEFAULT_REPLICATIONS = 100
KWH_PER_MWH = 1000.0
# The scenario schema's default SLA window (``sla_window_h``, hours) when a document omits it.
DEFAULT_SLA_WINDOW_H = 1.0
# Rounding noise (see ``tidy``): a share below this (of nominal compute, of time, of
# replications) is 0 ...
SHARE_NOISE = 1e-12
# ... and any other value below this fraction of its metric's scale.
RELATIVE_NOISE = 1e-9
# What training jobs lose beyond their members' downtime (``goodput_lost.<cause>`` columns).
JOBS_LOST = "goodput_lost."
JOBS_TABLE = "Lost by training jobs beyond downtime (share of nominal)"
# Energies, whose scale is the array's energy (where all of it comes from).
ENERGY_SUFFIX = "_kwh"
ARRAY_ENERGY = "power.array_kwh"

# Where the array's energy goes, as stored power.<use>_kwh columns.
ENERGY_USES = {"compute": "power.compute_kwh", "bus": "power.bus_kwh",
               "conversion loss": "power.conversion_loss_kwh",
               "bus load not met": "power.unmet_bus_kwh"}

_BARS = ("Linear axis from 0; every bar is labelled with its value, so a bar too short to see "
         "still gives it, and the table \"{table}\" under Summary statistics lists every value "
         "with its interval.")
CAPTIONS = {
    "uptime": "Distribution of uptime (delivered ÷ nominal compute over the horizon) across "
              "replications, with the mean, its 95 % interval and the SLA fraction (marked on "
              "the axis's edge, with an arrow, when it lies far from every replication).",
    "capacity": "Fleet capacity month by month across replications (each month's mean "
                "capacity as a share of nominal compute): median, P25–P75 and P5–P95 bands, "
                "against the SLA fraction; shaded: eclipse seasons (months losing at least "
                f"{100 * SEASON_POWER_LOSS:g} % of nominal compute to power), when power is "
                "modelled.",
    "downtime_by_cause": "Mean share of nominal compute lost to each cause, with the 95 % "
                         "interval of the mean. " + _BARS.format(
                             table="Lost compute by cause (share of nominal)"),
    "downtime_by_part": "Mean share of nominal compute lost to each part (\"power\": lost to "
                        "the power system), with the 95 % interval of the mean. " + _BARS.format(
                            table="Lost compute by part (share of nominal)"),
    "importance": "The most important parts: left, the share of the probability that a "
                  "satellite is down at the horizon that needs a failure of each part "
                  "(Fussell-Vesely, from the design's structure and the parts' failure laws, "
                  "no repair: orbsim cutsets); right, the compute the simulation lost while "
                  "satellites were entirely down, by the parts the outage was charged to "
                  "together (with repair and timing: the failures the simulation met, which "
                  "hold a minimal cut set and may hold more), with the 95 % interval of the "
                  "mean.",
    "events": "Cumulative failures and repairs across the fleet: mean across replications "
              "and the P5–P95 band.",
    "servicing": "Spares and cost: each depot item's stock month by month (median and P5–P95 "
                 "across replications), and the mean cost by category.",
    "power": "Eclipses and power: compute lost by power cause, the array's energy by use, "
             "battery cycles per satellite-year, and each replication's lowest state of charge.",
}
# What the hatched bars of lost compute by cause are, when training jobs run.
JOBS_NOTE = ("Hatched bars (\"training jobs: <cause>\"): compute lost by training jobs beyond "
             "their members' downtime, to rollbacks and restarts (job_restart) and checkpoint "
             f"writes (checkpoint_write); the table \"{JOBS_TABLE}\" lists them with their "
             "intervals. Goodput is uptime less these.")
# One sentence per panel of the power figure.
POWER_PANELS = (
    "Compute lost by power cause: the mean share of nominal compute each power cause took, "
    "with its 95 % interval (the causes are defined in the table of causes of orbsim's "
    "README).",
    "Energy budget: where the array's energy went, per satellite-year: to compute, to the bus "
    "(the satellite's own housekeeping load), to conversion losses (charging and discharging "
    "the battery), and \"bus load not met\" (power.unmet_bus_kwh): energy the bus needed that "
    "neither the array nor the battery could give, so the satellite browned out.",
    "Battery cycling: each replication's battery discharges (one cycle per eclipse the "
    "battery carried) per satellite-year.",
    "Lowest state of charge: the lowest charge any battery reached in each replication, as a "
    "share of its capacity; a panel whose replications all share one value shows that value "
    "instead of a histogram.",
)
# Metrics of the compute lost while satellites were down, by the set of parts charged.
OUTAGE_PREFIX = "outage."
METRIC_GROUPS = (
    ("Cost (US dollars)", "cost."),
    ("Servicing", "servicing."),
    ("Spares", "spares."),
    ("Lost compute by cause (share of nominal)", "downtime."),
    ("Lost compute by part (share of nominal)", "downtime_part."),
    ("Lost compute while satellites were down, by the parts charged (largest first)",
     OUTAGE_PREFIX),
    (JOBS_TABLE, JOBS_LOST),
    ("Training jobs", "jobs."),
    ("Radiation", "radiation."),
    ("Events (whole fleet, over the horizon)", "events."),
    ("Failures by part", "failures."),
    ("Repairs by part", "repairs."),
    ("Power", "power."),
)
HEADLINE = ("uptime", "goodput", "availability")
RUN = ("satellites", "satellite_years", "horizon_years", "satellites_down_at_end", "sim_events")
STAT_COLUMNS = ("metric", "mean", "± s.e.", "95 % interval of the mean", "P5", "P50", "P95")


class ReportError(Exception):
    """A directory that holds no campaign results to report on (one line, for the user)."""


@dataclass(frozen=True)
class CampaignResults:
    """The files of one campaign's results directory, read."""

    directory: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    replicates: pa.Table
    timeseries: pa.Table
    # Read from the committed parts of a campaign stopped before it merged them.
    partial: bool = False

    @property
    def scenario(self) -> str:
        return str(self.manifest.get("scenario", "?"))

    @property
    def replications(self) -> int:
        return int(self.summary["replications"])

    @property
    def planned(self) -> int | None:
        """Replications the campaign's plan asked for (None: until an interval was met)."""
        plan = self.manifest.get("plan") or {}
        if plan.get("n") is not None:
            return int(plan["n"])
        return None if plan.get("until_ci") is not None else DEFAULT_REPLICATIONS

    @property
    def document(self) -> dict[str, Any]:
        """The scenario document stored in the manifest ({} if absent)."""
        document = self.manifest.get("scenario_document")
        return document if isinstance(document, dict) else {}

    @property
    def sla_fraction(self) -> float:
        return float(self.summary["sla_fraction"])

    @property
    def sla_window_h(self) -> float:
        return float(self.document.get("sla_window_h", DEFAULT_SLA_WINDOW_H))

    @property
    def horizon_years(self) -> float:
        return float(self.replicates.column("horizon_years")[0].as_py())

    @property
    def cut_sets(self) -> dict[str, Any]:
        """The designs' cut-set analysis the campaign wrote ({} if absent or unreadable)."""
        try:
            analysis = json.loads((self.directory / CUT_SETS).read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return analysis if isinstance(analysis, dict) else {}

    def part_importance(self) -> tuple[float | None, dict[str, float]]:
        """Fussell-Vesely importance of each part at the horizon, from the designs' structure
        (``group: part`` when the scenario has several groups), and its time in years."""
        groups = [g for g in self.cut_sets.get("groups", []) if isinstance(g, dict)]
        found: dict[str, float] = {}
        years = None
        for group in groups:
            (at, *_) = group.get("at") or [{}]
            years = at.get("years", years)
            for item in at.get("importance", []):
                name = item["part"] if len(groups) == 1 else f"{group['group']}: {item['part']}"
                found[name] = float(item["fussell_vesely_part"])
        return years, found

    @property
    def has_power(self) -> bool:
        return any(name.startswith("power.") for name in self.replicates.column_names)

    @property
    def has_jobs(self) -> bool:
        """Whether training jobs ran (goodput_lost columns): goodput may fall below uptime."""
        return any(name.startswith(JOBS_LOST) for name in self.replicates.column_names)

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

    @cached_property
    def metrics(self) -> dict[str, dict[str, float]]:
        """``summary.json``'s metrics as the report shows them (``tidy``)."""
        metrics = self.summary["metrics"]
        array = abs(metrics.get(ARRAY_ENERGY, {}).get("mean", math.nan))
        return {name: tidy(name, entry, array if name.endswith(ENERGY_SUFFIX) else math.nan)
                for name, entry in metrics.items()}

    @cached_property
    def sla_probability(self) -> dict[str, float]:
        """P(uptime ≥ SLA) as the report shows it (``tidy``)."""
        return tidy("probability_meeting_sla", self.summary["probability_meeting_sla"])

    def described(self, prefix: str) -> dict[str, dict[str, float]]:
        """Shown entries (``metrics``) of the metrics named ``prefix<name>``, keyed by name."""
        return {name.removeprefix(prefix): entry
                for name, entry in self.metrics.items() if name.startswith(prefix)}

    def season_months(self) -> np.ndarray | None:
        """Which months are eclipse seasons (mean compute lost to power ≥ ``SEASON_POWER_LOSS``
        of nominal); None when the results hold no monthly power loss."""
        if "power_loss_fraction" not in self.timeseries.column_names:
            return None
        return np.nanmean(self.monthly("power_loss_fraction"), axis=0) >= SEASON_POWER_LOSS


@dataclass(frozen=True)
class Report:
    """What ``write_report`` wrote."""

    markdown: Path
    html: Path
    figures: tuple[Path, ...]
    # ``partial_note`` of a campaign stopped before it finished, else None.
    partial: str | None = None


def read_campaign(directory: str | os.PathLike[str]) -> CampaignResults:
    """Read a campaign's results directory, or raise ``ReportError`` saying why not.

    A finished campaign is read from its merged files. One stopped before the end (its
    merged files missing, or older than parts committed since) is read from the chunks it
    committed, checked against their digests, and summarised here: ``partial`` is set.
    """
    folder = Path(directory)
    if not folder.exists():
        raise ReportError(f"{folder}: no such directory")
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a directory; give a campaign's results directory")
    if not (folder / MANIFEST).is_file():
        raise ReportError(f"{folder} is not a campaign results directory (no {MANIFEST})")
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        merged = all((folder / name).is_file() for name in (SUMMARY, REPLICATES, TIMESERIES))
        summary = _nulls_as_nan(json.loads((folder / SUMMARY).read_text())) if merged else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{folder}: unreadable manifest or summary ({exc})") from None
    if not isinstance(manifest, dict):
        raise ReportError(f"{folder}/{MANIFEST}: not a campaign manifest")
    committed = sum(stop - first for first, stop, _, _ in committed_chunks(folder))
    finished = isinstance(summary, dict) and committed <= int(summary.get("replications", 0))
    if not finished and committed:
        return _read_partial(folder, manifest)
    if summary is None:
        raise ReportError(f"{folder}: campaign not finished and no replication committed (no "
                          f"{SUMMARY}, nothing in {PARTS}/); finish it with orbsim campaign ... "
                          f"--out {folder} --resume")
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


def _read_partial(folder: Path, manifest: dict[str, Any]) -> CampaignResults:
    """An unfinished campaign from its committed parts, summarised as the campaign would."""
    replicates, timeseries = read_committed(folder)
    if replicates.num_rows == 0 or "uptime" not in replicates.column_names:
        raise ReportError(f"{folder}: campaign not finished and no committed part reads back "
                          f"whole; finish it with orbsim campaign ... --out {folder} --resume")
    document = manifest.get("scenario_document")
    if not isinstance(document, dict) or "sla_fraction" not in document:
        raise ReportError(f"{folder}/{MANIFEST}: no scenario document with its sla_fraction")
    columns = {name: replicates.column(name).to_numpy() for name in replicates.column_names}
    summary = _nulls_as_nan(summarise(columns, float(document["sla_fraction"])))
    return CampaignResults(folder, manifest, summary, replicates, timeseries, partial=True)


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
            results.column("uptime"), results.metrics["uptime"], sla,
            results.sla_probability, scenario=name),
        "capacity": plots.capacity_fan(results.monthly("capacity_fraction"), horizon, sla,
                                       scenario=name, seasons=results.season_months()),
        "downtime_by_cause": plots.lost_share(results.described("downtime."),
                                              "lost compute by cause", scenario=name,
                                              jobs_lost=results.described(JOBS_LOST)),
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
    years, importance = results.part_importance()
    outages = results.described("outage.")
    if importance or outages:
        figures["importance"] = plots.importance_summary(importance, years, outages,
                                                         scenario=name)
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
    return Report(markdown, page, tuple(folder / f"{stem}.png" for stem in pngs),
                  partial_note(results))


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


def share_text(value: float) -> str:
    """One replication's share as ``orbsim run`` prints it: 6 decimals; one below 10⁻⁴, which
    they would show to one or two digits, to 2 significant digits; one below ``SHARE_NOISE``
    (rounding noise), 0."""
    size = abs(value)
    if size < SHARE_NOISE:
        return "0"
    if size < 1e-4:
        return f"{value:.1e}"
    return f"{value:.6f}"


def tidy(name: str, entry: Mapping[str, float], scale: float = math.nan) -> dict[str, float]:
    """A summary entry as the report shows it: rounding noise as 0, no impossible interval.

    The rule: a statistic whose magnitude is below the noise floor of its metric is 0. The
    floor is ``SHARE_NOISE`` (10⁻¹²) for a share (uptime, goodput, availability,
    ``downtime.*``, ``downtime_part.*``, ``goodput_lost.*``, P(uptime ≥ SLA)); for any other
    metric it is ``RELATIVE_NOISE`` (10⁻⁹) × its scale: ``scale`` when given (the array's
    mean energy, for an energy in kWh: all energy comes from the array), else the largest
    magnitude among the entry's own statistics. Then a share's statistics are clipped to
    [0, 1] and those of a count, a dose, an energy, a duration or a cost at 0 (all but the
    battery's stored-energy change): Student's t interval of a mean near 0 reaches below it,
    which none of them can.
    """
    low, high = bounds(name)
    values = [abs(v) for v in entry.values() if isinstance(v, int | float) and math.isfinite(v)]
    floor = noise_floor(name, scale if math.isfinite(scale) else max(values, default=0.0))
    shown: dict[str, float] = {}
    for key, value in entry.items():
        if isinstance(value, int | float) and math.isfinite(value):
            value = 0.0 if abs(value) < floor else float(value)
            value = min(max(value, low), high)
        shown[key] = value
    return shown


def noise_floor(name: str, scale: float) -> float:
    """Magnitude below which a statistic of metric ``name`` is rounding noise, shown as 0:
    ``SHARE_NOISE`` for a share, else ``RELATIVE_NOISE`` × ``scale`` (the metric's size)."""
    return SHARE_NOISE if is_share(name) else RELATIVE_NOISE * scale


def _percent(fraction: float) -> str:
    return "–" if math.isnan(fraction) else f"{100 * fraction:.2f} %"


# A report is a list of blocks, rendered once as Markdown and once as HTML:
# ("h1" | "h2" | "h3" | "p", text), ("table", header, rows[, TEXT]), ("figure", stem, caption).
# A table of numbers aligns its columns after the first to the right; one marked TEXT (words in
# every column) aligns them all to the left.
Block = tuple[Any, ...]
TEXT = "text"


def report_blocks(results: CampaignResults, figures: Sequence[str]) -> list[Block]:
    """The report's content: headline, what the numbers mean, campaign facts, the scenario's
    design, figures with their notes, statistics tables."""
    metrics, sla = results.metrics, results.sla_probability
    blocks: list[Block] = [("h1", f"Campaign report: {results.scenario}"
                                  + (" (PARTIAL)" if results.partial else ""))]
    if results.partial:
        blocks.append(("p", partial_text(results)))
    blocks += [
        ("p", summary_text(results)),
        ("h2", "What the numbers mean"),
        ("table", ("term", "meaning"), meaning_rows(results), TEXT),
        ("h2", "Campaign"),
        ("table", ("fact", "value"), manifest_rows(results), TEXT),
        *design_blocks(results.document),
        ("h2", "Figures"),
    ]
    notes = figure_notes(results)
    for stem in figures:
        blocks.append(("figure", stem, CAPTIONS.get(stem, stem)))
        blocks += [("p", note) for note in notes.get(stem, ())]
    blocks.append(("h2", "Summary statistics"))
    blocks.append(("p", "Means with their standard error and 95 % interval (Student's t), and "
                        "quantiles across replications, from summary.json"
                        + (" (here computed from the committed parts)" if results.partial
                           else "") + "; zero-to-rounding values are shown as 0 and "
                        "intervals of shares, counts, energies, hours and costs are "
                        "clipped at 0."))
    headline = [_stat_row(name, metrics[name]) for name in HEADLINE if name in metrics]
    headline.append((f"P(uptime ≥ SLA {results.sla_fraction:g})", format_number(sla["mean"]),
                     "", f"{format_number(sla['ci95_low'])} – {format_number(sla['ci95_high'])}"
                     " (Wilson)", "", "", ""))
    blocks += [("h3", "Headline"), ("table", STAT_COLUMNS, headline)]
    shown = set(HEADLINE)
    for title, prefix in METRIC_GROUPS:
        names = sorted(name for name in metrics if name.startswith(prefix))
        if prefix == OUTAGE_PREFIX:
            # Many sets of parts: the largest first, as in the figure.
            names.sort(key=lambda name: -metrics[name]["mean"])
        shown.update(names)
        if names:
            blocks += [("h3", title),
                       ("table", STAT_COLUMNS, [_stat_row(n, metrics[n]) for n in names])]
    rest = [name for name in RUN if name in metrics]
    rest += sorted(name for name in metrics if name not in shown and name not in RUN)
    blocks += [("h3", "Run"), ("table", STAT_COLUMNS, [_stat_row(n, metrics[n]) for n in rest])]
    return blocks


def summary_text(results: CampaignResults) -> str:
    """The report's opening sentence: mean uptime and goodput, and how often the SLA was met."""
    uptime, sla = results.metrics["uptime"], results.sla_probability
    return (f"Over {results.replications} replications of {horizon_text(results)}, "
            f"the fleet delivered a mean {_percent(uptime['mean'])} of its nominal compute "
            f"(uptime; 95 % interval {_percent(uptime['ci95_low'])} – "
            f"{_percent(uptime['ci95_high'])}){_goodput_clause(results)}; "
            f"{_percent(sla['mean'])} of replications met the SLA of "
            f"{_percent(results.sla_fraction)} over the whole horizon (P(uptime ≥ SLA); 95 % "
            "interval "
            f"{_percent(sla['ci95_low'])} – {_percent(sla['ci95_high'])}).")


def _goodput_clause(results: CampaignResults) -> str:
    """Goodput beside uptime: what training jobs made useful of it, or that all of it was."""
    goodput = results.metrics.get("goodput")
    if goodput is None:
        return ""
    if not results.has_jobs:
        return ", all of it useful (goodput equals uptime)"
    lost = math.fsum(entry["mean"] for entry in results.described(JOBS_LOST).values())
    return (f", and a mean {_percent(goodput['mean'])} of it as useful work (goodput; 95 % "
            f"interval {_percent(goodput['ci95_low'])} – {_percent(goodput['ci95_high'])}): "
            f"training jobs lost a further {_percent(lost)} of nominal compute beyond downtime "
            "to rollbacks, restarts and checkpoint writes (goodput_lost)")


def horizon_text(results: CampaignResults) -> str:
    """The horizon as the scenario gives it: in days where it says horizon_days."""
    days = results.document.get("horizon_days")
    if days is not None:
        return f"{float(days):g} days ({results.horizon_years:.3g} years)"
    return f"{results.horizon_years:g} years"


def _replications_of(results: CampaignResults) -> str:
    """How many replications an unfinished campaign holds, of how many planned."""
    planned = results.planned
    return (f"{results.replications} of {planned} planned replications" if planned is not None
            else f"{results.replications} replications (the plan: until the 95 % interval of "
                 "mean uptime is narrow enough)")


def partial_note(results: CampaignResults) -> str | None:
    """One line on a campaign read before it finished (None when it finished), for the
    commands that read it as it is (report, export, compare)."""
    if not results.partial:
        return None
    return (f"{results.directory}: PARTIAL: {_replications_of(results)}; the campaign stopped "
            f"before it finished (orbsim campaign ... --out {results.directory} --resume "
            f"finishes it)")


def partial_text(results: CampaignResults) -> str:
    """The mark of a report on an unfinished campaign: how many of how many replications."""
    of = _replications_of(results)
    return (f"PARTIAL: {of}. The campaign stopped before it finished; this report reads the "
            f"replications it committed ({PARTS}/, each part checked against its digest). "
            f"Finish it with orbsim campaign ... --out {results.directory} --resume.")


# The servicing, spares and cost metrics defined, shown when a campaign has them.
MAINTENANCE_MEANINGS = (
    ("servicing.jobs / trips / visits", "units given a swap job; trips a servicer made (one "
                                        "trip can swap several units); swaps attempted"),
    ("servicing.failed_visits / collateral_failures", "visits that did not swap the unit (it "
                                                      "waits for another); working units a "
                                                      "visit broke"),
    ("servicing.utilisation", "busy time (travelling or at work) ÷ working time of a finite "
                              "servicer fleet"),
    ("servicing.replacements / launches", "satellites deorbited and replaced; launches of "
                                          "spares, satellites and servicers (lost ones too)"),
    ("servicing.busy_servicer_years / refuels / delta_v_m_s", "servicer-years spent "
                                                             "travelling or at work; refuels; "
                                                             "Δv spent in all, m/s"),
    ("servicing.servicer_losses / oru_swaps / preventive_swaps / inspection_tours",
     "servicers lost to their own failures (replaced when replace_when_lost); swaps of a unit "
     "that holds parts (they come new with it); swaps of units that had not failed; "
     "inspection tours of a periodic policy"),
    ("servicing.units_down_at_end / launches_failed", "serviced units still failed at the "
                                                      "horizon; launches lost"),
    ("spares.fill_rate", "demands for a spare met from depot stock at once ÷ demands"),
    ("spares.demands / filled_at_once / backorders_at_end", "spares asked of the depots; those "
                                                            "met from stock at once; those "
                                                            "still owed at the horizon"),
    ("cost.<category>_usd", "US dollars over the horizon: satellites, spares, servicers (and "
                            "their yearly cost), visits, refuels and launches; cost.total_usd "
                            "sums them"),
    ("cost.usd_per_delivered_pflops_hour", "cost.total_usd ÷ the compute delivered over the "
                                           "horizon, in PFLOPS-hours"),
)


# The power metrics defined, shown when a campaign has a power system.
POWER_MEANINGS = (
    ("power.<use>_kwh", "energy over the horizon, summed over the fleet, kWh: the array's "
                        "output (array) = compute + bus + conversion_loss (charging and "
                        "discharging) + stored_change (stored energy at the horizon less at "
                        "the start) + stored_lost (stored energy lost as the battery's usable "
                        "energy fell); unmet_bus: bus energy not supplied while the bus had "
                        "no power. The power figure shows them per satellite-year, in MWh"),
    ("power.battery_cycles / battery_cycles_per_satellite_year", "orbits whose eclipse drew on "
                                                                  "a battery: in all, and per "
                                                                  "satellite-year"),
    ("power.min_state_of_charge", "the lowest state of charge a battery reached, as a share "
                                  "of its capacity (1: full; at the depth-of-discharge limit, "
                                  "1 − max_depth_of_discharge)"),
    ("power.recharge_shortfall_orbits / bus_unpowered_hours", "orbits whose sunlight could "
                                                              "not recharge the battery "
                                                              "fully; hours buses had no "
                                                              "power"),
)
# What training jobs lose beyond downtime, shown after downtime when a campaign has jobs.
JOBS_LOST_MEANINGS = (
    ("goodput_lost.job_restart", "share of nominal compute training jobs lose to interruptions "
                                 "beyond their members' downtime: work since the last "
                                 "checkpoint rolled back, and the restart"),
    ("goodput_lost.checkpoint_write", "share of nominal compute spent writing checkpoints; "
                                      "goodput + Σ downtime + Σ goodput_lost = 1"),
)
# How often training jobs are interrupted, shown when a campaign has jobs.
JOBS_MEANINGS = (
    ("jobs.count / interruptions", "synchronous training jobs in the fleet; times one was "
                                   "interrupted (a member went down, or an upset killed its "
                                   "step) over the horizon"),
    ("jobs.interruptions_per_job_year / mean_hours_between_interruptions",
     "interruptions per job per year; job-hours between two interruptions"),
)
# The radiation metrics defined, shown when a campaign models radiation.
RADIATION_MEANINGS = (
    ("radiation.corrected_upsets / sdc / uncorrectable", "single-event upsets over the "
                                                         "horizon, whole fleet: corrected by "
                                                         "error correction; silent data "
                                                         "corruptions; uncorrectable memory "
                                                         "errors (the device stays up, a "
                                                         "training job on it is interrupted)"),
    ("radiation.functional_interrupts / latchups", "functional interrupts and latch-ups a "
                                                   "power cycle clears, as they arrived (one "
                                                   "arriving while its unit is already down "
                                                   "causes no outage); the outages are "
                                                   "events.radiation_reboots / "
                                                   "radiation_latchups, their cost "
                                                   "downtime.radiation_reboot / "
                                                   "radiation_latchup; a latch-up that "
                                                   "destroys its unit is a failure of its "
                                                   "part"),
    ("radiation.storms / storms_<level>", "solar particle storms over the horizon, in all and "
                                          "by NOAA S-scale level"),
    ("radiation.dose_rad_per_satellite / _year", "total ionizing dose behind the shielding, "
                                                 "rad(Si) per satellite over the horizon and "
                                                 "per year"),
    ("radiation.saa_upset_share", "share of the upsets drawn along the ground track that "
                                  "struck inside the South Atlantic Anomaly"),
)


def meaning_rows(results: CampaignResults) -> list[tuple[str, str]]:
    """Every headline metric and statistic defined, with this scenario's SLA (and the
    maintenance, training-job and radiation metrics, when the campaign has them)."""
    columns = results.replicates.column_names
    optional = [row for row in (*MAINTENANCE_MEANINGS, *POWER_MEANINGS, *JOBS_MEANINGS,
                                *RADIATION_MEANINGS)
                if any(name.startswith(row[0].split(".")[0] + ".") for name in columns)]
    return _core_meanings(results) + optional


def _core_meanings(results: CampaignResults) -> list[tuple[str, str]]:
    sla, window = _percent(results.sla_fraction), results.sla_window_h
    goodput = [("goodput", "useful ÷ nominal compute over the horizon: uptime less what "
                           "synchronous training jobs lose beyond their members' downtime "
                           "(goodput_lost); equal to uptime for independent work")]
    return [
        ("uptime", f"delivered ÷ nominal compute over the horizon of {horizon_text(results)}:"
                   " the fleet's mean capacity as a share of its nominal compute"),
        *(goodput if "goodput" in results.replicates.column_names else []),
        ("availability", f"share of the horizon in SLA windows of {window:g} h (sla_window_h) "
                         f"whose mean capacity is at least the SLA fraction, {sla} of nominal "
                         "compute (sla_fraction)"),
        ("P(uptime ≥ SLA)", f"share of replications whose uptime is at least {sla}, with its "
                            "95 % Wilson interval"),
        ("downtime.<cause>", "share of nominal compute over the horizon lost to a cause; "
                             "uptime + Σ downtime = 1"),
        ("downtime_part.<part>", "the same losses charged to the part that caused them "
                                 "(\"power\": the power system; \"<part>:<mode>\" a failure "
                                 "mode, \"<part>:common_cause\", \"<part>:switch_over\" a "
                                 "standby unit failing to take over, \"<part>:<phase>_start\" "
                                 "a failure on demand as a phase starts)"),
        ("outage.<parts>", "share of nominal compute lost while satellites were entirely down, "
                           "by the parts the outage was charged to together (each failed part "
                           "holding a unit down on the way to the satellite; power aside)"),
        *(JOBS_LOST_MEANINGS if results.has_jobs else ()),
        ("95 % interval of the mean", "where the mean of very many replications would lie, "
                                      "95 % of the time (Student's t; Wilson for P(uptime ≥ "
                                      "SLA)); clipped to [0, 1] for shares, at 0 for counts, "
                                      "energies, hours and costs"),
        ("P5, P50, P95", "the spread across replications: 5 %, 50 %, 95 % of them lie at or "
                         "below"),
        ("0", f"zero to rounding: a share below {SHARE_NOISE:g}, or another value below "
              f"{RELATIVE_NOISE:g} of its metric's scale (energies: the array's energy)"),
    ]


def design_blocks(document: Mapping[str, Any]) -> list[Block]:
    """The scenario's design from its stored document: each fleet group's parts, and the
    servicing (servicers, depots, policy) when there is one."""
    groups = [g for g in document.get("fleet") or [] if isinstance(g, Mapping)]
    if not groups:
        return []
    blocks: list[Block] = [("h2", "Scenario design"),
                           ("p", "From the scenario document stored in manifest.json. A part "
                                 "has count units of which required must work; failure and "
                                 "repair laws with their units.")]
    for group in groups:
        blocks += [("h3", f"Fleet group {group.get('name', '?')}"),
                   ("p", document_tables.group_text(group)),
                   ("table", document_tables.DESIGN_COLUMNS, document_tables.design_rows(group),
                    TEXT)]
    servicing = document.get("servicing")
    if isinstance(servicing, Mapping):
        blocks += [("h3", "Servicing"), ("p", document_tables.policy_text(document))]
        servicers = document_tables.servicer_rows(servicing)
        if servicers:
            blocks.append(("table", document_tables.SERVICER_COLUMNS, servicers, TEXT))
        depots = document_tables.depot_rows(servicing)
        if depots:
            blocks.append(("table", document_tables.DEPOT_COLUMNS, depots, TEXT))
    return blocks


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
DAYS_PER_MONTH = 365.25 / 12


def figure_notes(results: CampaignResults) -> dict[str, list[str]]:
    """Paragraphs that explain a figure from the data, by figure stem."""
    notes = {"capacity": [season_text(results)]}
    if results.has_jobs:
        notes["downtime_by_cause"] = [JOBS_NOTE]
    if results.has_power:
        notes["power"] = [" ".join(POWER_PANELS)]
    return notes


def season_text(results: CampaignResults) -> str:
    """What the capacity fan's dips are: eclipse seasons (which months of the year) or not."""
    seasons = results.season_months()
    if seasons is None or not results.has_power:
        return ("Power is not modelled in this scenario: the fan's dips are failures and "
                "repairs.")
    lost = np.nanmean(results.monthly("power_loss_fraction"), axis=0)
    floor = _percent(SEASON_POWER_LOSS)
    if not seasons.any():
        return (f"No month lost {floor} or more of nominal compute to power: the fan's dips "
                "are failures and repairs, not eclipses.")
    if seasons.all():
        return (f"Every month lost at least {floor} of nominal compute to power (a mean "
                f"{_percent(float(lost.mean()))}): eclipses cost compute all year round, with "
                "no season; the dips below that are failures and repairs.")
    start = _start(results.document)
    calendar = sorted({(start + timedelta(days=(k + 0.5) * DAYS_PER_MONTH)).month - 1
                       for k in np.flatnonzero(seasons)})
    each = " of each year" if results.horizon_years >= 2 else ""
    return (f"The dips are eclipse seasons: in {_month_ranges(calendar)}{each} (shaded) the "
            f"fleet lost a mean {_percent(float(lost[seasons].mean()))} of its nominal "
            f"compute to power each month, against {_percent(float(lost[~seasons].mean()))} "
            "in the other months; the rest of the fan's dips are failures and repairs.")


def _start(document: Mapping[str, Any]) -> datetime:
    """The scenario's start (the schema's default, 2027-01-01, when the document omits it)."""
    try:
        return datetime.fromisoformat(str(document["start_utc"]))
    except (KeyError, ValueError):
        return datetime(2027, 1, 1)


def _month_ranges(months: Sequence[int]) -> str:
    """Calendar months (0 = January) as ranges in words: "May–August", "November–February"."""
    chosen = set(months)
    runs: list[list[int]] = []
    for month in range(12):
        if month in chosen:
            if runs and runs[-1][-1] == month - 1:
                runs[-1].append(month)
            else:
                runs.append([month])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 11:
        runs[0] = runs.pop() + runs[0]
    words = [MONTH_NAMES[run[0]] if len(run) == 1 else f"{MONTH_NAMES[run[0]]}–"
             f"{MONTH_NAMES[run[-1]]}" for run in runs]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


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
        ("replications", str(results.replications) if not results.partial else
         f"{results.replications} of {results.planned or '?'} planned (partial)"),
        ("satellites", format_number(results.column("satellites")[0])),
        ("horizon", horizon_text(results)),
        ("SLA fraction", f"{results.sla_fraction:g}"),
        ("SLA window (h)", f"{results.sla_window_h:g}"),
        ("orbsim version", str(manifest.get("package_version", "–"))),
        ("created (UTC)", str(manifest.get("created_utc", "–"))),
    ]
    wall_s = results.summary.get("campaign_wall_s")
    if wall_s is not None:
        rows.append(("campaign wall time (s, last run)", f"{wall_s:,.1f}"))
    return rows


# A metric's statistics in a row of the report's tables, the standard error aside.
STAT_KEYS = ("mean", "ci95_low", "ci95_high", "p5", "p50", "p95")


def _stat_row(name: str, entry: Mapping[str, float]) -> tuple[str, ...]:
    mean, low, high, p5, p50, p95 = row_numbers([entry[key] for key in STAT_KEYS])
    return (name, mean, error_text(entry["standard_error"]), f"{low} – {high}", p5, p50, p95)


def _undefined(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def row_numbers(values: Sequence[float]) -> list[str]:
    """Statistics of one metric on the same scale (its mean first, then its interval and
    percentiles), each to the decimals of the mean: 4 significant digits above 1 (up to
    10⁴), 5 decimals up to 1 (a share's); the largest value's where the mean is 0. A row
    then does not mix 0.50000 with 1.419. Zero, undefined, tiny (< 10⁻³) and large (≥ 10⁴)
    scales as ``format_number``."""
    sizes = [abs(v) for v in values if not _undefined(v) and v != 0]
    scale = abs(values[0]) if sizes and not _undefined(values[0]) and values[0] != 0 else (
        max(sizes, default=0.0))
    if scale == 0.0 or scale >= 1e4 or scale < 1e-3:
        return [format_number(v) for v in values]
    decimals = 3 - math.floor(math.log10(scale)) if scale > 1 else 5
    return [format_number(v) if _undefined(v) or v == 0
            else f"{round(v, decimals) + 0.0:,.{decimals}f}" for v in values]


def error_text(value: float) -> str:
    """A standard error to two significant digits (``0.50``, ``0.0012``, ``3.1e-06``), as
    much as its own uncertainty warrants; 0 and undefined as ``format_number``."""
    if _undefined(value) or value == 0 or abs(value) >= 1e4:
        return format_number(value)
    if abs(value) < 1e-3:
        return f"{value:.1e}"
    decimals = max(0, 1 - math.floor(math.log10(abs(value))))
    return f"{value:,.{decimals}f}"


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
            text = len(block) > 3 and block[3] == TEXT
            lines.append("|" + "|".join("---" if i == 0 or text else "---:"
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
th:first-child, td:first-child, table.text th, table.text td { text-align: left; }
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
            table_class = ' class="text"' if len(block) > 3 and block[3] == TEXT else ""
            lines = [f"<table{table_class}><thead><tr>{cells}</tr></thead><tbody>"]
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
