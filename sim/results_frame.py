"""A campaign's results directory as pandas DataFrames: what ``sim.api.read_results`` gives.

For analysis in a notebook or a script: one row per replication (``replicates``), one row per
replication and month (``timeseries``), and the two JSON files as dictionaries. The folder is
checked and read by the report's reader (``sim.report.read_campaign``: one line saying why a
folder is not a campaign; one stopped before it finished is read as far as it went, and
says so), and its Arrow tables converted, which gives the same frames as
``pandas.read_parquet`` of each file. pandas is imported on first use, so that
``import sim.api`` stays quick for the command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.report import partial_note, read_campaign
from sim.results import REPLICATES_CSV, TIMESERIES_CSV, atomic_open

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Results:
    """One finished campaign's results, read: ``replicates`` (one row per replication: uptime,
    goodput, availability, ``downtime.<cause>``, ``goodput_lost.<cause>``, ...),
    ``timeseries`` (one row per replication and month), ``summary`` (``summary.json``; an
    undefined statistic is NaN) and ``manifest``."""

    directory: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    replicates: pd.DataFrame
    timeseries: pd.DataFrame
    # For a campaign read before it finished, one line saying so (``report.partial_note``).
    partial: str | None = None

    @property
    def scenario(self) -> str:
        return str(self.manifest.get("scenario", "?"))

    @property
    def sla_fraction(self) -> float:
        return float(self.summary["sla_fraction"])

    @property
    def horizon_years(self) -> float:
        return float(self.replicates["horizon_years"].iloc[0])

    def monthly(self, name: str) -> pd.DataFrame:
        """One monthly series of ``timeseries`` as a table: a row per replication, a column per
        month (a month a replication did not reach is NaN)."""
        return self.timeseries.pivot(index="replicate", columns="month", values=name)


def read_results(directory: str | os.PathLike[str]) -> Results:
    """Read a finished campaign's results directory as DataFrames, or raise
    ``sim.report.ReportError`` (one line) when it is not one."""
    campaign = read_campaign(directory)
    return Results(
        directory=campaign.directory,
        manifest=campaign.manifest,
        summary=campaign.summary,
        replicates=campaign.replicates.to_pandas(),
        timeseries=campaign.timeseries.to_pandas(),
        partial=partial_note(campaign),
    )


@dataclass(frozen=True)
class Exported:
    """What ``export_csv`` wrote, and the note on a campaign read before it finished."""

    replicates: Path
    timeseries: Path
    partial: str | None


def export_csv(directory: str | os.PathLike[str],
               out: str | os.PathLike[str] | None = None) -> Exported:
    """Write a finished campaign's ``replicates`` and ``timeseries`` as ``replicates.csv`` and
    ``timeseries.csv`` (comma-separated, a header row, floats at full precision) into ``out``
    (default: the results directory), for spreadsheets; each file appears whole or not at
    all. A campaign stopped before it finished is written as far as it went, and says so
    (``Exported.partial``)."""
    results = read_results(directory)
    folder = Path(out) if out is not None else results.directory
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in ((REPLICATES_CSV, results.replicates),
                        (TIMESERIES_CSV, results.timeseries)):
        path = folder / name
        with atomic_open(path) as stream:
            frame.to_csv(stream, index=False)
        written.append(path)
    return Exported(written[0], written[1], results.partial)
