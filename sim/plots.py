"""Figures of a campaign's results: arrays and summary entries in, a matplotlib Figure out.

Every function draws on its own ``Figure`` with an Agg canvas (no pyplot, no display, no
global state), so figures can be made in worker threads, saved as PNG, or shown in a notebook.
Inputs are what the results files hold: per-replication arrays from ``replicates.parquet``,
(replications × months) arrays from ``timeseries.parquet``, and the per-metric dictionaries of
``summary.json`` (``mean``, ``standard_error``, ``ci95_low``, ``ci95_high``, ``p5``, ...).
This module never imports the model: it reads results, it does not make them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.results import SEASON_POWER_LOSS

Described = Mapping[str, float]

MONTHS_PER_YEAR = 12
WIDE_IN = (8.0, 4.5)
BAR_HEIGHT_IN = 0.45
# Characters on a line of a bar's label naming a set of parts (longer sets go on more lines,
# so that the panels keep their width).
OUTAGE_LABEL_CHARS = 36
BAND_COLOUR = "tab:blue"
SLA_COLOUR = "tab:red"
MEAN_COLOUR = "black"
SEASON_COLOUR = "tab:orange"
PERCENT_PER_FRACTION = 100.0
# Bars of compute training jobs lose beyond downtime (``goodput_lost.*``): hatched, named so.
JOBS_HATCH = "///"
JOBS_NAME = "training jobs: "
JOBS_LABEL = "lost by training jobs, beyond downtime"
# Values within this fraction of their magnitude (or 1e-12 absolute) of one another "span
# nothing": a histogram of them would be one bar, so the value is printed instead.
CONSTANT_SPAN = 1e-12


def new_figure(size_in: tuple[float, float] = WIDE_IN) -> Figure:
    """An empty figure on an Agg canvas, laid out to keep labels inside."""
    figure = Figure(figsize=size_in, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Figure, dpi: float = 130) -> bytes:
    """The figure as PNG bytes (for files, HTML embedding, or ``IPython.display.Image``)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _titled(title: str, scenario: str | None) -> str:
    return f"{scenario}: {title}" if scenario else title


def _percent_text(fraction: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(fraction) else f"{100 * fraction:.{digits}f} %"


def _bins(values: np.ndarray, most: int = 40) -> np.ndarray:
    """Histogram bin edges: Freedman–Diaconis within [10, most] bins; one narrow bin around a
    constant."""
    low, high = float(np.min(values)), float(np.max(values))
    if high - low <= 1e-12 * max(1.0, abs(low)):
        half = max(abs(low) * 1e-3, 1e-6)
        return np.array([low - half, high + half])
    count = len(np.histogram_bin_edges(values, bins="fd")) - 1
    return np.linspace(low, high, min(most, max(10, count)) + 1)


def uptime_distribution(
    uptime: np.ndarray,
    described: Described,
    sla_fraction: float,
    sla_probability: Described,
    scenario: str | None = None,
) -> Figure:
    """Histogram of per-replication uptime with the mean, its 95 % interval and the SLA line.

    ``described`` is ``summary["metrics"]["uptime"]``; ``sla_probability`` is
    ``summary["probability_meeting_sla"]`` (share of replications with uptime ≥ SLA).
    """
    uptime_percent = PERCENT_PER_FRACTION * np.asarray(uptime, dtype=float)
    figure = new_figure()
    ax = figure.add_subplot()
    ax.hist(uptime_percent, bins=_bins(uptime_percent), color=BAND_COLOUR, alpha=0.55,
            edgecolor="white", label=f"replications (n = {len(uptime_percent)})")
    low, high = described["ci95_low"], described["ci95_high"]
    if not (math.isnan(low) or math.isnan(high)):
        ax.axvspan(PERCENT_PER_FRACTION * low, PERCENT_PER_FRACTION * high, color=MEAN_COLOUR,
                   alpha=0.15,
                   label=f"95 % interval of the mean: {_percent_text(low)} – "
                         f"{_percent_text(high)}")
    ax.axvline(PERCENT_PER_FRACTION * described["mean"], color=MEAN_COLOUR, linewidth=2,
               label=f"mean uptime {_percent_text(described['mean'])}")
    ax.axvline(PERCENT_PER_FRACTION * sla_fraction, color=SLA_COLOUR, linestyle="--", linewidth=1.5,
               label=f"SLA {_percent_text(sla_fraction, 0)}: met by "
                     f"{_percent_text(sla_probability['mean'], 1)} of replications "
                     f"(95 % CI {_percent_text(sla_probability['ci95_low'], 1)} – "
                     f"{_percent_text(sla_probability['ci95_high'], 1)})")
    _keep_data_in_view(ax, uptime_percent, PERCENT_PER_FRACTION * sla_fraction)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("uptime: delivered ÷ nominal compute over the horizon (%)")
    ax.set_ylabel("replications")
    ax.set_title(_titled("distribution of uptime across replications", scenario))
    # Below the axes, never over the bars.
    figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center",
                  fontsize="small", frameon=False)
    return figure


def _keep_data_in_view(ax: Axes, values: np.ndarray, sla: float) -> None:
    """When the SLA line is far from every replication, keep the axis on the data and mark
    the SLA at the axis's edge (a triangle on the x axis and an arrow pointing out) instead
    of squeezing the histogram into a sliver."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = max(high - low, 1.0) * 0.15
    if low - 4 * pad <= sla <= high + 4 * pad:
        return
    ax.set_xlim(low - pad, high + pad)
    right = sla > high
    edge = 1.0 if right else 0.0
    ax.plot([edge], [0.0], marker=">" if right else "<", markersize=11, color=SLA_COLOUR,
            transform=ax.transAxes, clip_on=False, zorder=5)
    # Above the tallest bar: room made by raising the axis's top.
    ax.set_ylim(top=ax.get_ylim()[1] * 1.25)
    ax.annotate(f"SLA {sla:g} %", xy=(edge, 0.92), xycoords="axes fraction",
                xytext=(0.78 if right else 0.22, 0.92), textcoords="axes fraction",
                ha="center", va="center", color=SLA_COLOUR, fontsize="small",
                arrowprops={"arrowstyle": "->", "color": SLA_COLOUR, "linewidth": 1.5})


def month_midpoints_years(months: int, horizon_years: float) -> np.ndarray:
    """Middle of each monthly window in years; the last window ends at the horizon."""
    starts = np.arange(months) / MONTHS_PER_YEAR
    ends = np.minimum(starts + 1 / MONTHS_PER_YEAR, horizon_years)
    return (starts + ends) / 2


def capacity_fan(
    capacity_fraction: np.ndarray,
    horizon_years: float,
    sla_fraction: float,
    scenario: str | None = None,
    seasons: np.ndarray | None = None,
) -> Figure:
    """Fan chart of monthly fleet capacity: P5–P95 and P25–P75 bands and the median.

    ``capacity_fraction`` is (replications × months): each month's mean capacity as a fraction
    of nominal compute. ``seasons`` (one bool a month) marks the eclipse seasons, shaded.
    """
    capacity = PERCENT_PER_FRACTION * np.asarray(capacity_fraction, dtype=float)
    years = month_midpoints_years(capacity.shape[1], horizon_years)
    p5, p25, p50, p75, p95 = np.nanquantile(capacity, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    figure = new_figure()
    ax = figure.add_subplot()
    ax.fill_between(years, p5, p95, color=BAND_COLOUR, alpha=0.2, linewidth=0,
                    label="P5–P95 of replications")
    ax.fill_between(years, p25, p75, color=BAND_COLOUR, alpha=0.4, linewidth=0,
                    label="P25–P75")
    ax.plot(years, p50, color=BAND_COLOUR, linewidth=2, marker="o" if len(years) < 4 else None,
            label="median")
    ax.axhline(PERCENT_PER_FRACTION * sla_fraction, color=SLA_COLOUR, linestyle="--", linewidth=1.2,
               label=f"SLA {_percent_text(sla_fraction, 0)}")
    if seasons is not None:
        shade_seasons(ax, seasons, horizon_years)
    ax.set_xlim(0, horizon_years)
    ax.set_ylim(min(float(np.nanmin(p5)), PERCENT_PER_FRACTION * sla_fraction) - 3, 101)
    ax.set_xlabel("time since start (years)")
    ax.set_ylabel("monthly mean capacity (% of nominal)")
    ax.set_title(_titled(f"fleet capacity by month across {capacity.shape[0]} replications",
                         scenario))
    ax.legend(loc="lower left", fontsize="small", framealpha=0.9)
    ax.grid(alpha=0.3)
    return figure


def shade_seasons(ax: Axes, seasons: np.ndarray, horizon_years: float) -> None:
    """Shade each run of months marked in ``seasons`` (eclipse seasons), labelled once."""
    marked = np.append(np.asarray(seasons, dtype=bool), False)
    label = f"eclipse season (≥ {SEASON_POWER_LOSS:.1%} of compute lost to power)"
    month = 0
    while month < len(seasons):
        if marked[month]:
            end = month
            while marked[end + 1]:
                end += 1
            ax.axvspan(month / MONTHS_PER_YEAR, min((end + 1) / MONTHS_PER_YEAR, horizon_years),
                       color=SEASON_COLOUR, alpha=0.15, linewidth=0, label=label)
            label = "_nolegend_"
            month = end
        month += 1


def replication_timeline(
    monthly_capacity_fraction: list[float] | np.ndarray,
    monthly_events: Mapping[str, list[int] | np.ndarray],
    horizon_years: float,
    sla_fraction: float,
    monthly_power_loss_fraction: list[float] | np.ndarray | None = None,
    scenario: str | None = None,
    season_power_loss: float = SEASON_POWER_LOSS,
) -> Figure:
    """One replication over time: the fleet's monthly capacity with the SLA (eclipse seasons
    shaded: months losing at least ``season_power_loss`` of nominal compute to power), and
    the failures and repairs of each month below it.

    Inputs are ``ReplicateResult.to_dict()``'s ``monthly_capacity_fraction``,
    ``monthly_events`` and ``monthly_power_loss_fraction`` (empty without power).
    """
    capacity = PERCENT_PER_FRACTION * np.asarray(monthly_capacity_fraction, dtype=float)
    months = len(capacity)
    edges = np.minimum(np.arange(months + 1) / MONTHS_PER_YEAR, horizon_years)
    figure = new_figure((WIDE_IN[0], 6.5))
    capacity_ax, events_ax = figure.subplots(2, 1, sharex=True,
                                             gridspec_kw={"height_ratios": [3, 2]})
    capacity_ax.stairs(capacity, edges, baseline=None, color=BAND_COLOUR, linewidth=2,
                       label="fleet capacity (monthly mean)")
    capacity_ax.axhline(PERCENT_PER_FRACTION * sla_fraction, color=SLA_COLOUR, linestyle="--",
                        linewidth=1.2, label=f"SLA {_percent_text(sla_fraction, 0)}")
    power = np.asarray(monthly_power_loss_fraction if monthly_power_loss_fraction is not None
                       else [], dtype=float)
    if len(power) == months and months:
        shade_seasons(capacity_ax, power >= season_power_loss, horizon_years)
    capacity_ax.set_xlim(0, horizon_years)
    capacity_ax.set_ylim(min(float(capacity.min()), PERCENT_PER_FRACTION * sla_fraction) - 3,
                         101)
    capacity_ax.set_ylabel("capacity (% of nominal)")
    capacity_ax.set_title(_titled("one replication: capacity, failures and repairs", scenario))
    capacity_ax.legend(loc="lower left", fontsize="small", framealpha=0.9)
    capacity_ax.grid(alpha=0.3)
    width = np.diff(edges)
    colours = {"failures": "tab:red", "repairs": "tab:green"}
    for sign, kind in ((1, "failures"), (-1, "repairs")):
        counts = np.asarray(monthly_events.get(kind, np.zeros(months)), dtype=float)
        events_ax.bar(edges[:-1], sign * counts, width=width, align="edge",
                      color=colours[kind], alpha=0.7,
                      label=f"{kind}: {int(counts.sum()):,} in all")
    events_ax.axhline(0, color=MEAN_COLOUR, linewidth=0.8)
    events_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    events_ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):g}"))
    events_ax.set_xlabel("time since start (years)")
    events_ax.set_ylabel("part events per month\n(failures up, repairs down)")
    events_ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    events_ax.grid(alpha=0.3)
    return figure


def _lost_share_bars(ax: Axes, described: Mapping[str, Described], xlabel: str,
                     hatched: Collection[str] = ()) -> None:
    """Horizontal bars of mean lost share in %, largest on top, with 95 % error bars, on a
    linear axis from 0 (so 83 % looks 5,000 times 0.017 %), each labelled with its value:
    a bar too small to see still gives it. Bars named in ``hatched`` are drawn hatched."""
    names = sorted(described, key=lambda name: described[name]["mean"])
    means = PERCENT_PER_FRACTION * np.array([max(0.0, described[name]["mean"])
                                             for name in names])
    low = PERCENT_PER_FRACTION * np.array([max(0.0, described[name]["ci95_low"]) for name in names])
    high = PERCENT_PER_FRACTION * np.array([described[name]["ci95_high"] for name in names])
    errors = np.nan_to_num(np.vstack([means - np.minimum(low, means),
                                      np.maximum(high, means) - means]))
    positions = np.arange(len(names))
    upper = means + errors[1]
    right = float(np.max(upper)) if len(names) else 0.0
    bars = ax.barh(positions, means, xerr=errors, color=BAND_COLOUR, alpha=0.75,
                   error_kw={"ecolor": MEAN_COLOUR, "capsize": 3, "linewidth": 1})
    for bar, name in zip(bars, names, strict=True):
        if name in hatched:
            _hatch(bar)
    ax.set_yticks(positions, names)
    for y, mean, end in zip(positions, means, upper, strict=True):
        ax.text(end + 0.01 * right, y, " " + _share_text(mean), va="center", fontsize="small")
    # Room on the right for the labels.
    ax.set_xlim(0, max(right * 1.3, 1e-9))
    # Few ticks, shortest form: tiny shares (0.00005 %) must not run into one another.
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.3g}"))
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)


def _hatch(patch: Patch) -> Patch:
    """Draw a bar (or legend key) as compute lost by training jobs: hatched, unfilled."""
    patch.set_facecolor("white")
    patch.set_edgecolor(BAND_COLOUR)
    patch.set_hatch(JOBS_HATCH)
    return patch


def _share_text(percent: float) -> str:
    """A lost share in % readable at any size (0.0012 % as well as 28.9 %)."""
    if percent == 0:
        return "0 %"
    return f"{percent:.3g} %" if abs(percent) >= 0.001 else f"{percent:.1e} %"


def lost_share(
    described: Mapping[str, Described],
    title: str,
    scenario: str | None = None,
    jobs_lost: Mapping[str, Described] | None = None,
) -> Figure:
    """Mean share of nominal capacity-time lost to each cause (or part), with 95 % intervals.

    ``described`` maps a cause to its ``summary.json`` entry, e.g. ``downtime.repair`` as
    ``"repair"``. ``jobs_lost`` maps the causes of what training jobs lose beyond downtime
    (``goodput_lost.job_restart`` as ``"job_restart"``) to theirs: drawn hatched, named
    "training jobs: <cause>", with a legend telling them from downtime.
    """
    jobs = {f"{JOBS_NAME}{name}": entry for name, entry in (jobs_lost or {}).items()}
    shown = {**described, **jobs}
    figure = new_figure((WIDE_IN[0], 1.6 + BAR_HEIGHT_IN * max(1, len(shown))))
    ax = figure.add_subplot()
    _lost_share_bars(ax, shown,
                     "mean lost compute (% of nominal capacity × horizon) and 95 % interval",
                     hatched=jobs)
    if jobs:
        keys = [Patch(color=BAND_COLOUR, alpha=0.75, label="downtime")] if described else []
        keys.append(_hatch(Patch(label=JOBS_LABEL)))
        ax.legend(handles=keys, loc="lower right", fontsize="small", framealpha=0.9)
    ax.set_title(_titled(title, scenario))
    return figure


def importance_summary(
    importance: Mapping[str, float],
    years: float | None,
    outages: Mapping[str, Described],
    scenario: str | None = None,
    shown: int = 10,
) -> Figure:
    """Two panels: each part's Fussell-Vesely importance from the design's structure (largest
    on top), and the mean share of nominal compute lost while satellites were down by the
    combination of parts that held them down, with 95 % intervals (the ``shown`` largest of
    each)."""
    top = {_wrapped_parts(parts): described for parts, described in
           sorted(outages.items(), key=lambda item: item[1]["mean"])[-shown:]}
    lines = max((label.count("\n") + 1 for label in top), default=1)
    rows = max(1, min(shown, max(len(importance), len(outages))))
    figure = new_figure((WIDE_IN[0] * 1.5, 1.6 + BAR_HEIGHT_IN * rows * max(1.0, 0.45 * lines)))
    left, right = figure.subplots(1, 2)
    ranked = sorted(importance, key=lambda part: importance[part])[-shown:]
    positions = np.arange(len(ranked))
    values = [importance[part] for part in ranked]
    left.barh(positions, values, color=BAND_COLOUR, alpha=0.75)
    left.set_yticks(positions, ranked)
    left.set_xlim(0, 1.15)
    for y, value in zip(positions, values, strict=True):
        left.text(value + 0.01, y, f" {value:.2g}", va="center", fontsize="small")
    when = f" at {years:g} years" if years is not None else ""
    left.set_xlabel(f"Fussell-Vesely importance{when} (structure, no repair)")
    left.grid(axis="x", alpha=0.3)
    if not ranked:
        left.text(0.5, 0.5, "no cut-set analysis", ha="center", va="center",
                  transform=left.transAxes)
    if top:
        _lost_share_bars(right, top, "lost while down (% of nominal), 95 % interval")
    else:
        right.text(0.5, 0.5, "no satellite was ever entirely down", ha="center",
                   va="center", transform=right.transAxes)
        right.set_axis_off()
    figure.suptitle(_titled("most important parts", scenario))
    return figure


def _wrapped_parts(parts: str, width: int = OUTAGE_LABEL_CHARS) -> str:
    """A set of parts ("a + b + c") on as many lines as it takes to keep each within
    ``width`` characters with its trailing " +", broken between parts (a part longer than
    that has a line of its own)."""
    lines: list[str] = []
    for part in parts.split(" + "):
        if lines and len(lines[-1]) + len(" + ") + len(part) + len(" +") <= width:
            lines[-1] += " + " + part
        else:
            lines.append(part)
    return " +\n".join(lines)


def cumulative_events(
    monthly_counts: Mapping[str, np.ndarray],
    horizon_years: float,
    scenario: str | None = None,
) -> Figure:
    """Cumulative event counts over time: the mean across replications and its P5–P95 band.

    ``monthly_counts`` maps a label (``"failures"``, ``"repairs"``) to a (replications ×
    months) array of fleet-wide counts in each month.
    """
    figure = new_figure()
    ax = figure.add_subplot()
    colours = iter(("tab:red", "tab:green", "tab:purple", "tab:orange"))
    for label, counts in monthly_counts.items():
        counts = np.asarray(counts, dtype=float)
        running = np.hstack([np.zeros((counts.shape[0], 1)), np.nancumsum(counts, axis=1)])
        ends = np.minimum(np.arange(counts.shape[1] + 1) / MONTHS_PER_YEAR, horizon_years)
        p5, p95 = np.quantile(running, [0.05, 0.95], axis=0)
        colour = next(colours, None)
        ax.fill_between(ends, p5, p95, color=colour, alpha=0.2, linewidth=0,
                        label=f"{label}: P5–P95")
        ax.plot(ends, running.mean(axis=0), color=colour, linewidth=2,
                label=f"{label}: mean ({running[:, -1].mean():,.1f} by the end)")
    ax.set_xlim(0, horizon_years)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("time since start (years)")
    ax.set_ylabel("part events since start (whole fleet, count)")
    replications = next(iter(monthly_counts.values())).shape[0] if monthly_counts else 0
    kinds = " and ".join(monthly_counts) or "events"
    ax.set_title(_titled(f"cumulative {kinds}, {replications} replications", scenario))
    ax.legend(loc="upper left", fontsize="small", framealpha=0.9)
    ax.grid(alpha=0.3)
    return figure


def spans_nothing(values: np.ndarray) -> bool:
    """All values equal to within ``CONSTANT_SPAN`` of their magnitude (or absolutely)."""
    low, high = float(np.min(values)), float(np.max(values))
    return high - low <= CONSTANT_SPAN * max(1.0, abs(low), abs(high))


def _histogram(ax: Axes, values: np.ndarray, xlabel: str, title: str, unit: str = "") -> None:
    """A histogram of ``values`` across replications, or, when they span nothing, the one
    value they all take, printed (a one-bar histogram would show nothing more)."""
    values = np.asarray(values, dtype=float)
    if spans_nothing(values):
        value = float(values[0])
        ax.text(0.5, 0.5, f"every replication (n = {len(values)}):\n{value:,.4g}{unit}",
                ha="center", va="center", fontsize="large", transform=ax.transAxes)
        ax.text(0.5, 0.2, xlabel, ha="center", va="center", fontsize="small",
                transform=ax.transAxes, wrap=True)
        ax.set_axis_off()
        ax.set_title(title, fontsize="medium")
        return
    ax.hist(values, bins=_bins(values, most=25), color=BAND_COLOUR, alpha=0.6,
            edgecolor="white", label=f"replications (n = {len(values)})")
    mean = float(values.mean())
    ax.axvline(mean, color=MEAN_COLOUR, linewidth=1.5, label=f"mean {mean:,.4g}{unit}")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.ticklabel_format(axis="x", style="plain", useOffset=False)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("replications")
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small", loc="upper left")
    ax.set_ylim(top=ax.get_ylim()[1] * 1.25)


def power_summary(
    lost_by_power_cause: Mapping[str, Described],
    energy_mwh_per_satellite_year: Mapping[str, float],
    battery_cycles_per_satellite_year: np.ndarray,
    min_state_of_charge: np.ndarray,
    scenario: str | None = None,
) -> Figure:
    """Eclipse and power: compute lost to each power cause, where the array's energy went,
    and the distributions of battery cycling and of the lowest state of charge.

    ``energy_mwh_per_satellite_year`` maps a use (compute, bus, conversion loss, ...) to its
    mean energy per satellite-year; ``min_state_of_charge`` is each replication's lowest state
    of charge of any battery (a fraction of its capacity).
    """
    figure = new_figure((11.0, 7.5))
    (causes_ax, energy_ax), (cycles_ax, charge_ax) = figure.subplots(2, 2)
    if lost_by_power_cause:
        _lost_share_bars(causes_ax, lost_by_power_cause,
                         "mean lost compute (% of nominal) and 95 % interval")
    else:
        causes_ax.text(0.5, 0.5, "no compute lost to power", ha="center", va="center",
                       transform=causes_ax.transAxes)
        causes_ax.set_axis_off()
    causes_ax.set_title("compute lost by power cause", fontsize="medium")

    uses = list(energy_mwh_per_satellite_year)
    values = [energy_mwh_per_satellite_year[use] for use in uses]
    energy_ax.barh(np.arange(len(uses)), values, color="tab:orange", alpha=0.75)
    energy_ax.set_yticks(np.arange(len(uses)), uses)
    energy_ax.invert_yaxis()
    for y, value in enumerate(values):
        energy_ax.text(value, y, f" {value:,.1f}" if value else " 0", va="center",
                       fontsize="small")
    energy_ax.set_xlim(0, max(values, default=1.0) * 1.2 or 1.0)
    energy_ax.set_xlabel("mean energy per satellite-year (MWh)")
    energy_ax.set_title("energy budget", fontsize="medium")
    energy_ax.grid(axis="x", alpha=0.3)

    _histogram(cycles_ax, battery_cycles_per_satellite_year,
               "battery cycles per satellite-year (one per discharge)",
               "battery cycling")
    _histogram(charge_ax, PERCENT_PER_FRACTION * np.asarray(min_state_of_charge, dtype=float),
               "lowest state of charge of any battery (% of its capacity)",
               "lowest state of charge in each replication", unit=" %")
    figure.suptitle(_titled("eclipses and power", scenario))
    return figure


# (mean paired difference B − A, 95 % interval low, high) of one metric, as a fraction.
Difference = tuple[float, float, float]
NOT_SIGNIFICANT_COLOUR = "tab:gray"


def paired_differences(
    differences: Mapping[str, Difference],
    labels: tuple[str, str],
    pairs: int,
    notes: Sequence[str] = (),
) -> Figure:
    """Mean paired difference B − A of each metric in percentage points, with its 95 %
    interval, on a linear axis through zero; top to bottom in the given order.

    Every metric is a share of nominal compute (uptime, goodput, availability,
    ``downtime.<cause>``, ``goodput_lost.<cause>``).
    A bar whose interval excludes zero is coloured, the others grey; an undefined interval
    (one pair) draws no error bar.
    """
    names = list(differences)
    values = PERCENT_PER_FRACTION * np.array([differences[n] for n in names], dtype=float)
    values = values.reshape(len(names), 3)
    means, low, high = values[:, 0], values[:, 1], values[:, 2]
    defined = ~(np.isnan(low) | np.isnan(high))
    significant = defined & ((low > 0) | (high < 0))
    errors = np.nan_to_num(np.vstack([means - np.minimum(low, means),
                                      np.maximum(high, means) - means]))
    figure = new_figure((WIDE_IN[0], 1.8 + BAR_HEIGHT_IN * max(1, len(names))))
    ax = figure.add_subplot()
    positions = np.arange(len(names))
    ax.barh(positions, means, xerr=errors, alpha=0.75,
            color=[BAND_COLOUR if s else NOT_SIGNIFICANT_COLOUR for s in significant],
            error_kw={"ecolor": MEAN_COLOUR, "capsize": 3, "linewidth": 1})
    ax.axvline(0, color=MEAN_COLOUR, linewidth=1)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ends = np.concatenate([means - errors[0], means + errors[1], [0.0]])
    # All differences zero: a 1-percentage-point axis rather than an empty one.
    span = float(ends.max() - ends.min()) or 1.0
    for y, mean, hi, lo, ok in zip(positions, means, high, low, defined, strict=True):
        text = (f"{_signed(mean)} pp [{_signed(lo)}, {_signed(hi)}]" if ok
                else f"{_signed(mean)} pp (no interval)")
        # Labels go right of the bar (or of zero for a bar to the left), never over the
        # metric names on the left.
        edge = max(hi if ok else mean, 0.0)
        ax.text(edge + 0.02 * span, y, text, va="center", ha="left", fontsize="small")
    ax.set_xlim(float(ends.min()) - 0.05 * span, float(ends.max()) + 0.6 * span)
    a, b = labels
    ax.set_xlabel("mean paired difference B − A (percentage points) and its 95 % interval\n"
                  "coloured: the interval excludes 0; grey: it does not")
    ax.set_title("\n".join([f"B − A, paired over {pairs} replication{'s' * (pairs != 1)}",
                            f"A = {a}, B = {b}", *notes]), fontsize="medium")
    ax.grid(axis="x", alpha=0.3)
    return figure


def _signed(value: float) -> str:
    """A difference with its sign, 3 significant digits; 0 without one."""
    return "0" if value == 0 else f"{value:+.3g}"


def servicing_summary(
    monthly_stock: Mapping[str, np.ndarray],
    horizon_years: float,
    costs_usd: Mapping[str, float],
    scenario: str | None = None,
) -> Figure:
    """Spares and cost: each depot item's stock month by month (median and P5–P95 across
    replications), and the mean cost by category in millions of US dollars.

    ``monthly_stock`` maps ``<depot>/<item>`` to a (replications × months) array of monthly
    mean stock; ``costs_usd`` maps a cost category to its mean over replications.
    """
    figure = new_figure((WIDE_IN[0], 7.5))
    stock_ax, cost_ax = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    colours = iter(plt_cycle())
    for label, stock in monthly_stock.items():
        stock = np.asarray(stock, dtype=float)
        years = month_midpoints_years(stock.shape[1], horizon_years)
        p5, p50, p95 = np.nanquantile(stock, [0.05, 0.5, 0.95], axis=0)
        colour = next(colours)
        stock_ax.fill_between(years, p5, p95, color=colour, alpha=0.2, linewidth=0)
        stock_ax.plot(years, p50, color=colour, linewidth=1.8, label=f"{label} (median, P5–P95)")
    stock_ax.set_xlim(0, horizon_years)
    stock_ax.set_ylim(bottom=0)
    stock_ax.set_xlabel("time since start (years)")
    stock_ax.set_ylabel("units in stock (monthly mean)")
    stock_ax.set_title(_titled("spares in stock", scenario))
    if monthly_stock:
        stock_ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    else:
        stock_ax.text(0.5, 0.5, "no depot holds a limited stock", transform=stock_ax.transAxes,
                      ha="center", va="center")
    stock_ax.grid(alpha=0.3)
    names = [name for name in costs_usd if costs_usd[name] > 0]
    millions = np.array([costs_usd[name] / 1e6 for name in names])
    positions = np.arange(len(names))
    cost_ax.barh(positions, millions, color=BAND_COLOUR, alpha=0.75)
    cost_ax.set_yticks(positions, names)
    right = float(millions.max()) if len(names) else 1.0
    for y, value in zip(positions, millions, strict=True):
        cost_ax.text(value + 0.01 * right, y, f"${value:,.1f}M", va="center", fontsize="small")
    cost_ax.set_xlim(0, right * 1.25)
    cost_ax.set_xlabel("mean cost over the horizon (millions of US dollars)")
    cost_ax.set_title(f"cost by category: ${sum(millions):,.1f}M in total")
    cost_ax.grid(axis="x", alpha=0.3)
    return figure


def plt_cycle() -> list[str]:
    """The colours the stock lines take in turn."""
    return ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
            "tab:pink", "tab:olive", "tab:cyan", "tab:gray"]
