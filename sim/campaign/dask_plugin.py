"""A campaign's state on Dask workers: a worker plugin registered for the campaign, which
prepares the campaign on a worker at its first job there and is dropped when the campaign
unregisters it (so nothing a campaign prepares outlives it on long-lived workers)."""

from __future__ import annotations

from typing import Any

from dask.distributed import WorkerPlugin, get_worker

from sim.campaign.executors import Campaign, ChunkResult, Job, Prepared


def plugin_name(campaign: Campaign) -> str:
    """The name the campaign's plugin is registered under."""
    return f"orbsim-campaign-{campaign.key}"


class CampaignPlugin(WorkerPlugin):
    """One campaign's prepared state on one worker."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.prepared: Prepared | None = None

    def setup(self, worker: Any) -> None:
        self.prepared = None

    def teardown(self, worker: Any) -> None:
        self.prepared = None

    def simulate(self, job: Job) -> ChunkResult:
        if self.prepared is None:
            self.prepared = Prepared(self.campaign)
        return self.prepared.simulate(job)


def simulate_on_dask(job: Job) -> ChunkResult:
    """Run ``job`` on this worker, through its campaign's plugin."""
    plugin = get_worker().plugins[plugin_name(job.campaign)]
    assert isinstance(plugin, CampaignPlugin)
    return plugin.simulate(job)
