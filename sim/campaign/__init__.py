"""Monte Carlo campaigns: seeds, executors (local processes, Dask), results store, statistics."""

from sim.campaign.executors import ExecutorError, default_workers
from sim.campaign.runner import CampaignOutcome, ScenarioInput, read_scenario, run_campaign
from sim.campaign.store import ResultsStore, StoreError, json_ready

__all__ = [
    "CampaignOutcome",
    "ExecutorError",
    "ResultsStore",
    "ScenarioInput",
    "StoreError",
    "default_workers",
    "json_ready",
    "read_scenario",
    "run_campaign",
]
