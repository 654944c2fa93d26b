"""Monte Carlo campaigns: seeds, executors (local processes, Dask), results store, statistics,
and how many local workers the memory free holds."""

from sim.campaign.executors import ExecutorError, default_workers
from sim.campaign.runner import (
    CampaignOutcome,
    ScenarioInput,
    default_directory,
    read_scenario,
    run_campaign,
)
from sim.campaign.store import (
    ResultsStore,
    StoreError,
    holds_campaign,
    holds_replications,
    json_ready,
)

__all__ = [
    "CampaignOutcome",
    "ExecutorError",
    "ResultsStore",
    "ScenarioInput",
    "StoreError",
    "default_directory",
    "default_workers",
    "holds_campaign",
    "holds_replications",
    "json_ready",
    "read_scenario",
    "run_campaign",
]
