"""The public surface of orbsim: what notebooks, scripts and the command line import.

- Scenarios: ``load_scenario`` (a file, with ``--set``-style overrides), ``read_scenario``
  (the same, keeping the document a campaign stores), ``ScenarioError`` for bad input,
  ``scenario_warnings`` for what a valid scenario may not mean (a stale TLE).
- Geometry: ``fleet_geometry`` (every satellite's eclipse schedule, cached on disk),
  ``check_power`` and ``checked_geometry`` (power designs against the longest eclipse),
  ``check_power_bound`` (against an upper bound on it, without schedules: ``validate``),
  ``eclipse_query``/``run_eclipse_query`` (one orbit's eclipses, as ``orbsim eclipse``).
- One replication: ``run_replicate`` → ``ReplicateResult``.
- Campaigns: ``run_campaign`` → ``CampaignOutcome`` (a results directory), with
  ``StoreError``/``ExecutorError`` for a folder or an executor that cannot be used;
  ``default_directory`` (where a campaign goes without --out), ``holds_campaign``;
  ``worker_plan`` (local workers the memory free holds: ``replication_bytes`` each, of
  ``available_bytes``).
- Results and reports: ``read_results`` → ``Results`` (pandas DataFrames ``replicates`` and
  ``timeseries``, for analysis), ``read_campaign`` → ``CampaignResults`` (the Arrow tables and
  arrays the report draws from; a stopped campaign is read from its committed chunks),
  ``export_csv`` (the tables as CSV, as ``orbsim export``), ``tidy`` (a statistic as
  reports print it: rounding noise as 0, shares in [0, 1]; ``noise_floor``, below which a
  value is that noise), ``write_report`` → ``Report``;
  ``compare_campaigns`` → ``Comparison`` (two campaigns of one seed, paired by replication;
  ``CompareError`` when they cannot be), ``write_comparison_figure``; ``plots``
  (``sim.plots``, imported on first use: matplotlib is slow to load) draws any figure from
  the results; ``write_replication_figure`` draws one replication's timeline
  (``orbsim run --plot``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.campaign import (
    CampaignOutcome,
    ExecutorError,
    ScenarioInput,
    StoreError,
    default_directory,
    default_workers,
    holds_campaign,
    holds_replications,
    json_ready,
    read_scenario,
    run_campaign,
)
from sim.campaign.memory import (
    MEMORY_ENV,
    WorkerPlan,
    available_bytes,
    replication_bytes,
    worker_plan,
)
from sim.checks import check_power, check_power_bound, checked_geometry
from sim.compare import (
    CampaignSide,
    CompareError,
    Comparison,
    MetricDifference,
    compare_campaigns,
    write_comparison_figure,
)
from sim.config import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    read_document,
    scenario_json_schema,
    scenario_warnings,
)
from sim.eclipse_query import EclipseQuery, eclipse_query, run_eclipse_query
from sim.eclipses import FleetGeometry, fleet_geometry
from sim.figure_files import FigurePathError, figure_target, write_figure
from sim.model.design import Design, Part
from sim.model.power.shared import KEPT_ORBITS_ENV, kept_orbits_bytes
from sim.replicate import GeometryOrbits, ReplicateResult, run_replicate
from sim.report import (
    FIGURE_DPI,
    STAT_KEYS,
    CampaignResults,
    Report,
    ReportError,
    error_text,
    noise_floor,
    read_campaign,
    row_numbers,
    share_text,
    tidy,
    write_report,
)
from sim.results import CAUSES
from sim.results_frame import Exported, Results, export_csv, read_results
from sim.scenario import FleetGroup, Scenario
from sim.structure.analysis import ages_in_eclipse, cut_set_analysis, shadow_fractions
from sim.structure.cutsets import CutSetError
from sim.study.evaluate import closest, metric_names
from sim.study.outputs import folder_problem, study_file_problem
from sim.study.sensitivity import (
    SensitivityResult,
    draw_indices,
    run_sensitivity,
    study_inputs,
)
from sim.study.tune import StudyError, TuneOutcome, run_tune, study_goal
from sim.units import DAY_S, HOUR_S, YEAR_S

if TYPE_CHECKING:
    from sim import plots

__all__ = [
    "CAUSES",
    "DAY_S",
    "HOUR_S",
    "KEPT_ORBITS_ENV",
    "MEMORY_ENV",
    "STAT_KEYS",
    "YEAR_S",
    "CampaignOutcome",
    "CampaignResults",
    "CampaignSide",
    "CompareError",
    "Comparison",
    "CutSetError",
    "Design",
    "EclipseQuery",
    "ExecutorError",
    "Exported",
    "FigurePathError",
    "FleetGeometry",
    "FleetGroup",
    "GeometryOrbits",
    "MetricDifference",
    "Part",
    "ReplicateResult",
    "Report",
    "ReportError",
    "Results",
    "Scenario",
    "ScenarioError",
    "ScenarioInput",
    "SensitivityResult",
    "StoreError",
    "StudyError",
    "TuneOutcome",
    "WorkerPlan",
    "ages_in_eclipse",
    "apply_overrides",
    "available_bytes",
    "check_cache_dir",
    "check_power",
    "check_power_bound",
    "checked_geometry",
    "closest",
    "compare_campaigns",
    "cut_set_analysis",
    "default_directory",
    "default_workers",
    "draw_indices",
    "eclipse_query",
    "error_text",
    "export_csv",
    "figure_target",
    "fleet_geometry",
    "folder_problem",
    "holds_campaign",
    "holds_replications",
    "json_ready",
    "kept_orbits_bytes",
    "load_scenario",
    "metric_names",
    "noise_floor",
    "plots",
    "read_campaign",
    "read_document",
    "read_results",
    "read_scenario",
    "replication_bytes",
    "row_numbers",
    "run_campaign",
    "run_eclipse_query",
    "run_replicate",
    "run_sensitivity",
    "run_tune",
    "scenario_json_schema",
    "scenario_warnings",
    "shadow_fractions",
    "share_text",
    "study_file_problem",
    "study_goal",
    "study_inputs",
    "tidy",
    "worker_plan",
    "write_comparison_figure",
    "write_eclipse_csv",
    "write_figure",
    "write_replication_figure",
    "write_report",
]


def check_cache_dir() -> None:
    """ValueError when ``$ORBSIM_CACHE_DIR`` names a file or a path below one."""
    from sim.orbits.cache import check_cache_dir as check

    check()


def write_eclipse_csv(schedule: Any, stream: Any) -> None:
    """Write an eclipse schedule (``run_eclipse_query``) as CSV rows to ``stream``."""
    from sim.orbits import write_csv

    write_csv(schedule, stream)


def write_replication_figure(result: dict[str, Any], sla_fraction: float, path: Any) -> None:
    """Write one replication's timeline (``plots.replication_timeline``) to ``path`` (format
    from its suffix: .png, .pdf or .svg; ``FigurePathError`` if it cannot be written), from
    ``ReplicateResult.to_dict()``."""
    from sim import plots

    figure = plots.replication_timeline(
        result["monthly_capacity_fraction"], result["monthly_events"], result["horizon_years"],
        sla_fraction, result.get("monthly_power_loss_fraction"), scenario=result["scenario"])
    write_figure(figure, path, FIGURE_DPI)


def __getattr__(name: str) -> Any:
    if name == "plots":
        from sim import plots

        return plots
    raise AttributeError(f"module 'sim.api' has no attribute {name!r}")
