"""The public surface of orbsim: what notebooks, scripts and the CLI import."""

from sim.config import ScenarioError, apply_overrides, load_scenario, read_document
from sim.eclipse_query import EclipseQuery, eclipse_query, run_eclipse_query
from sim.eclipses import FleetGeometry, fleet_geometry
from sim.replicate import ReplicateResult, run_replicate
from sim.report import CampaignResults, Report, ReportError, read_results, write_report
from sim.scenario import Design, FleetGroup, Part, Scenario
from sim.units import DAY_S, HOUR_S, YEAR_S

__all__ = [
    "DAY_S",
    "HOUR_S",
    "YEAR_S",
    "CampaignResults",
    "Design",
    "EclipseQuery",
    "FleetGeometry",
    "FleetGroup",
    "Part",
    "ReplicateResult",
    "Report",
    "ReportError",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "eclipse_query",
    "fleet_geometry",
    "load_scenario",
    "read_document",
    "read_results",
    "run_eclipse_query",
    "run_replicate",
    "write_report",
]
