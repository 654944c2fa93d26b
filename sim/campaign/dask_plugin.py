"""A campaign's state on Dask workers: a worker plugin registered for the campaign, which
prepares the campaign on a worker at its first job there and is dropped when the campaign
unregisters it (so nothing a campaign prepares outlives it on long-lived workers). The
eclipse schedules come with the jobs, sent once to every worker by the client: workers
never read or fill a cache of their own."""

from __future__ import annotations

from typing import Any

from dask.distributed import WorkerPlugin, get_worker

from sim.campaign.executors import Campaign, ChunkResult, Job, Prepared
from sim.eclipses import FleetGeometry


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

    def simulate(self, job: Job, geometry: FleetGeometry | None) -> ChunkResult:
        if self.prepared is None:
            self.prepared = Prepared(self.campaign, geometry)
        return self.prepared.simulate(job)


def simulate_on_dask(job: Job, geometry: FleetGeometry | None = None) -> ChunkResult:
    """Run ``job`` on this worker, through its campaign's plugin, with the scenario's eclipse
    schedules as the client sent them (a scenario without orbits has none)."""
    plugin = get_worker().plugins[plugin_name(job.campaign)]
    assert isinstance(plugin, CampaignPlugin)
    return plugin.simulate(job, geometry)
