"""Two campaigns compared replication by replication: is policy B better than policy A?

Replication *i* of root seed *r* draws from the same named random streams in any scenario
(``sim.rng``), so two campaigns of one seed and horizon are paired: replication *i* of A and
of B share their random numbers (common random numbers). The difference of a metric is then
judged from the paired differences B − A, whose spread is far smaller than that of either
campaign: the 95 % interval of their mean uses Student's t with n − 1 degrees of freedom.

Reads results directories only (``sim.report.read_campaign``), like the report: nothing here
runs a simulation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from scipy import stats

from sim.figure_files import FigurePathError, write_figure
from sim.report import FIGURE_DPI, CampaignResults, ReportError, partial_note, read_campaign
from sim.units import DAY_S, YEAR_S

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CONFIDENCE = 0.95
# Columns of replicates.parquet that identify or time a replication rather than measure the
# fleet (``horizon_years`` is the same on both sides once the horizons are checked equal).
NOT_METRICS = frozenset({"replicate", "seed", "wall_s", "sim_events", "horizon_years"})
# Table order: the headline metrics, then these prefixes in turn, then the rest by name.
HEADLINE = ("uptime", "goodput", "availability", "cost.usd_per_delivered_pflops_hour",
            "cost.total_usd")
# Shares of nominal compute the figure shows (the cost headline has its own line).
SHARE_HEADLINE = ("uptime", "goodput", "availability")
# Compute lost, by cause, as shares of nominal compute: to downtime, and by training jobs
# beyond it.
LOST_PREFIXES = ("downtime.", "goodput_lost.")
# A cause whose mean and interval all lie within this share of nominal compute (1e-4
# percentage points) cannot be seen on the figure's axis: it is listed as negligible instead.
NEGLIGIBLE_SHARE = 1e-6
LEADING_PREFIXES = (*LOST_PREFIXES, "cost.")
# Tallies written only when non-zero (``sim.campaign.rows`` stores the causes, parts and events
# a replication saw, and what training jobs lose only where jobs run; the store fills the rest
# with 0), so a column absent from one campaign means 0 in each of its replications.
ZERO_WHEN_ABSENT = ("downtime.", "downtime_part.", "goodput_lost.", "events.", "failures.",
                    "repairs.", "outage.")
# Relative tolerance for equal horizons given in different units (years vs days).
HORIZON_RTOL = 1e-9
# A paired difference at most this fraction of the larger value is floating-point round-off
# (the model sums the same shares in another order in another scenario), not an effect, and
# counts as 0: float64 resolves 2.2e-16, and a metric sums at most ~1e4 terms.
ROUNDOFF_RTOL = 1e-12


class CompareError(Exception):
    """Two directories that cannot be compared (one line, for the user)."""


@dataclass(frozen=True)
class CampaignSide:
    """One compared campaign: where it is, which scenario, how many replications it holds."""

    directory: Path
    scenario: str
    replications: int
    # For a campaign read before it finished, one line saying so (``report.partial_note``).
    partial: str | None = None


@dataclass(frozen=True)
class MetricDifference:
    """One metric over the paired replications: means, mean difference B − A, its interval.

    ``ci95`` is (NaN, NaN) with fewer than two pairs: one difference has no spread to judge.
    """

    name: str
    a_mean: float
    b_mean: float
    difference: float
    ci95: tuple[float, float]
    n: int

    @property
    def defined(self) -> bool:
        """Whether the interval exists (at least two pairs)."""
        return not any(math.isnan(bound) for bound in self.ci95)

    @property
    def significant(self) -> bool | None:
        """Whether the 95 % interval excludes zero; None when it is undefined."""
        if not self.defined:
            return None
        return self.ci95[0] > 0 or self.ci95[1] < 0


@dataclass(frozen=True)
class Comparison:
    """Campaign B against campaign A, paired by replication index."""

    a: CampaignSide
    b: CampaignSide
    seed: int
    paired: int
    unpaired_a: int
    unpaired_b: int
    metrics: dict[str, MetricDifference]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]

    @property
    def unpaired(self) -> int:
        return self.unpaired_a + self.unpaired_b

    def labels(self) -> tuple[str, str]:
        """Short names of A and B: the scenarios, or the directories (with their parents)
        when those are alike; the one scenario's name for a campaign against itself."""
        for a, b in ((self.a.scenario, self.b.scenario),
                     (self.a.directory.name, self.b.directory.name),
                     (_last_two(self.a.directory), _last_two(self.b.directory))):
            if a != b:
                return a, b
        return self.a.scenario, self.b.scenario

    def figure_metrics(self) -> list[MetricDifference]:
        """What the figure shows: the headline metrics and lost compute by cause, to downtime
        and by training jobs (all shares of nominal compute, so one axis fits them)."""
        return [m for name, m in self.metrics.items()
                if name in SHARE_HEADLINE or (name.startswith(LOST_PREFIXES)
                                              and not _negligible(m))]

    def negligible(self) -> list[str]:
        """Causes left out of the figure: differences too small to see."""
        return [name for name, m in self.metrics.items()
                if name.startswith(LOST_PREFIXES) and _negligible(m)]

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON-ready form (an undefined interval is ``[null, null]``)."""
        def side(s: CampaignSide) -> dict[str, Any]:
            return {"dir": str(s.directory), "scenario": s.scenario,
                    "replications": s.replications, "partial": s.partial is not None}

        return {
            "a": side(self.a), "b": side(self.b), "paired": self.paired,
            "unpaired": {"a": self.unpaired_a, "b": self.unpaired_b}, "seed": self.seed,
            "metrics": {name: {"a_mean": _finite(m.a_mean), "b_mean": _finite(m.b_mean),
                               "difference": _finite(m.difference),
                               "ci95": [_finite(m.ci95[0]), _finite(m.ci95[1])], "n": m.n,
                               "significant": m.significant}
                        for name, m in self.metrics.items()},
            "only_in": {"a": list(self.only_in_a), "b": list(self.only_in_b)},
        }


def _last_two(directory: Path) -> str:
    """A folder's name with its parent's, e.g. ``policies/smoke``."""
    return "/".join(directory.parts[-2:])


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def paired_difference(a: np.ndarray, b: np.ndarray, name: str = "") -> MetricDifference:
    """Means and the mean paired difference B − A with its Student-t 95 % interval; pairs
    where either value is not finite are left out (``n`` counts the rest), and round-off
    differences (``ROUNDOFF_RTOL``) count as 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = len(a)
    if n == 0:
        return MetricDifference(name, math.nan, math.nan, math.nan, (math.nan, math.nan), 0)
    differences = b - a
    roundoff = np.abs(differences) <= ROUNDOFF_RTOL * np.maximum(np.abs(a), np.abs(b))
    differences[roundoff] = 0.0
    mean = float(differences.mean())
    if n < 2:
        interval = (math.nan, math.nan)
    else:
        standard_error = float(differences.std(ddof=1)) / math.sqrt(n)
        half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * standard_error
        interval = (mean - half, mean + half)
    return MetricDifference(name, float(a.mean()), float(b.mean()), mean, interval, n)


def metric_order(name: str) -> tuple[int, str]:
    """Headline metrics first, then ``downtime.*``, ``goodput_lost.*``, ``cost.*``, then the
    rest by name."""
    if name in HEADLINE:
        return HEADLINE.index(name), ""
    for rank, prefix in enumerate(LEADING_PREFIXES):
        if name.startswith(prefix):
            return len(HEADLINE) + rank, name
    return len(HEADLINE) + len(LEADING_PREFIXES), name


def horizon_s(results: CampaignResults) -> float:
    """The scenario's horizon in seconds, from the manifest's resolved scenario document
    (``horizon_years`` or ``horizon_days``), else from the replications' ``horizon_years``."""
    document = results.manifest.get("scenario_document") or {}
    if document.get("horizon_years") is not None:
        return float(document["horizon_years"]) * YEAR_S
    if document.get("horizon_days") is not None:
        return float(document["horizon_days"]) * DAY_S
    return results.horizon_years * YEAR_S


def _read(directory: str | os.PathLike[str]) -> CampaignResults:
    try:
        return read_campaign(directory)
    except ReportError as exc:
        raise CompareError(str(exc)) from None


def _root_seed(results: CampaignResults) -> int:
    seed = results.manifest.get("root_seed")
    if not isinstance(seed, int):
        raise CompareError(f"{results.directory}: manifest.json has no root seed")
    return seed


def _metric_columns(results: CampaignResults) -> set[str]:
    """Numeric columns of ``replicates.parquet`` that measure the fleet."""
    return {field.name for field in results.replicates.schema
            if field.name not in NOT_METRICS
            and (pa.types.is_integer(field.type) or pa.types.is_floating(field.type))}


def check_comparable(a: CampaignResults, b: CampaignResults) -> int:
    """The common root seed, or ``CompareError`` naming what differs (seed, horizon)."""
    seed_a, seed_b = _root_seed(a), _root_seed(b)
    if seed_a != seed_b:
        raise CompareError(f"{b.directory}: root seed {seed_b} differs from {a.directory}'s "
                           f"{seed_a}; replications pair only under the same seed")
    horizon_a, horizon_b = horizon_s(a), horizon_s(b)
    if not math.isclose(horizon_a, horizon_b, rel_tol=HORIZON_RTOL):
        raise CompareError(f"{b.directory}: horizon of {horizon_b / DAY_S:g} days differs from "
                           f"{a.directory}'s {horizon_a / DAY_S:g} days")
    return seed_a


def compare_campaigns(dir_a: str | os.PathLike[str],
                      dir_b: str | os.PathLike[str]) -> Comparison:
    """Compare campaign B against campaign A replication by replication.

    Raises ``CompareError`` when a directory is not a finished campaign's results, the root
    seeds or horizons differ, or no replication index is in both. Different scenarios (names,
    fleets, policies) are the point and are allowed. Means are over the paired replications.
    """
    a, b = _read(dir_a), _read(dir_b)
    seed = check_comparable(a, b)
    ids_a = a.replicates.column("replicate").to_numpy()
    ids_b = b.replicates.column("replicate").to_numpy()
    common, rows_a, rows_b = np.intersect1d(ids_a, ids_b, assume_unique=True,
                                            return_indices=True)
    if len(common) == 0:
        raise CompareError(f"{b.directory}: no replication index in common with {a.directory}")
    columns_a, columns_b = _metric_columns(a), _metric_columns(b)
    compared = {name for name in columns_a | columns_b
                if name in columns_a & columns_b or name.startswith(ZERO_WHEN_ABSENT)}
    metrics = {name: paired_difference(_values(a, name, rows_a), _values(b, name, rows_b), name)
               for name in sorted(compared, key=metric_order)}
    return Comparison(
        a=CampaignSide(a.directory, a.scenario, len(ids_a), partial_note(a)),
        b=CampaignSide(b.directory, b.scenario, len(ids_b), partial_note(b)),
        seed=seed, paired=len(common),
        unpaired_a=len(ids_a) - len(common), unpaired_b=len(ids_b) - len(common),
        metrics=metrics,
        only_in_a=tuple(sorted(columns_a - compared - columns_b, key=metric_order)),
        only_in_b=tuple(sorted(columns_b - compared - columns_a, key=metric_order)))


def _values(results: CampaignResults, name: str, rows: np.ndarray) -> np.ndarray:
    """A metric at the given rows; 0 for a tally the campaign never stored."""
    if name in results.replicates.column_names:
        return results.column(name)[rows]
    return np.zeros(len(rows))


def _negligible(metric: MetricDifference) -> bool:
    values = [metric.difference, *metric.ci95]
    return all(math.isnan(v) or abs(v) < NEGLIGIBLE_SHARE for v in values)


def draw_comparison(comparison: Comparison) -> Figure:
    """The paired differences of the headline metrics and causes as a figure (``sim.plots``,
    imported here so that ``import sim.api`` stays quick)."""
    from sim import plots

    shown: Mapping[str, tuple[float, float, float]] = {
        m.name: (m.difference, *m.ci95) for m in comparison.figure_metrics()}
    notes = []
    cost = comparison.metrics.get("cost.usd_per_delivered_pflops_hour")
    if cost is not None and cost.a_mean > 0:
        low, high = cost.ci95
        interval = ("" if math.isnan(low) else
                    f", 95 % interval {100 * low / cost.a_mean:+.1f} – "
                    f"{100 * high / cost.a_mean:+.1f} %")
        # (Dollar signs escaped: matplotlib reads $…$ as mathematics.)
        notes.append(f"cost per delivered PFLOPS-hour: A \\${cost.a_mean:,.2f} → B "
                     f"\\${cost.b_mean:,.2f}\n({100 * cost.difference / cost.a_mean:+.1f} %"
                     f"{interval})")
    negligible = comparison.negligible()
    if negligible:
        names = [name.removeprefix("downtime.") for name in negligible]
        # Three names to a line, so that a long list wraps instead of running off the figure.
        lines = [", ".join(names[i:i + 3]) for i in range(0, len(names), 3)]
        notes.append(f"{len(negligible)} cause(s) with differences below 1e-4 pp not drawn:\n"
                     + ",\n".join(lines))
    return plots.paired_differences(shown, comparison.labels(), comparison.paired, notes)


def write_comparison_figure(comparison: Comparison, path: str | os.PathLike[str],
                            dpi: float = FIGURE_DPI) -> Path:
    """Write the comparison figure to ``path`` (format from its suffix: .png, .pdf, .svg)."""
    try:
        return write_figure(draw_comparison(comparison), path, dpi)
    except FigurePathError as exc:
        raise CompareError(str(exc)) from None
