"""Monte Carlo campaigns: seeds, executors (local processes, Dask), results store, statistics."""

from sim.campaign.executors import ExecutorError
from sim.campaign.runner import CampaignOutcome, run_campaign
from sim.campaign.store import ResultsStore, StoreError

__all__ = ["CampaignOutcome", "ExecutorError", "ResultsStore", "StoreError", "run_campaign"]
