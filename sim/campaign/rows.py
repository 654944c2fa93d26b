"""A replication's result as flat records: one row of scalar metrics, and monthly rows.

Column names are dotted (``downtime.repair``, ``power.battery_cycles``) so that later model
layers add metrics without any change here. Nothing that varies between identical runs (wall
time) is stored, so a campaign's stored values are the same on any executor.
"""

from __future__ import annotations

from typing import Any

from sim.replicate import ReplicateResult

SCALARS = ("uptime", "goodput", "availability", "satellites", "satellites_down_at_end",
           "satellite_years", "horizon_years", "sim_events")
NESTED = {
    "events": "events",
    "downtime_by_cause": "downtime",
    "downtime_by_part": "downtime_part",
    "outage_by_parts": "outage",
    "failures_by_part": "failures",
    "repairs_by_part": "repairs",
    "power": "power",
    "servicing": "servicing",
    "spares": "spares",
    "cost": "cost",
    "goodput_lost": "goodput_lost",
    "radiation": "radiation",
    "jobs": "jobs",
}


def replicate_row(result: ReplicateResult) -> dict[str, Any]:
    """Every scalar metric of one replication, keyed by a dotted column name."""
    row: dict[str, Any] = {"replicate": result.replicate}
    for name in SCALARS:
        row[name] = getattr(result, name)
    for field, prefix in NESTED.items():
        for key, value in getattr(result, field).items():
            row[f"{prefix}.{key}"] = value
    return row


def timeseries_rows(result: ReplicateResult) -> list[dict[str, Any]]:
    """Monthly rows in long format: replicate, month, capacity_fraction, with power the share
    of nominal compute lost to power (``power_loss_fraction``), the count of each kind of
    event in that month (``events.failures``, ``events.repairs``, ...) and each depot item's
    mean stock (``stock.<depot>/<item>``)."""
    rows = []
    for month, value in enumerate(result.monthly_capacity_fraction):
        row: dict[str, Any] = {"replicate": result.replicate, "month": month,
                               "capacity_fraction": value}
        if result.monthly_power_loss_fraction:
            row["power_loss_fraction"] = result.monthly_power_loss_fraction[month]
        for kind, counts in result.monthly_events.items():
            row[f"events.{kind}"] = counts[month]
        for item, levels in result.monthly_stock.items():
            row[f"stock.{item}"] = levels[month]
        rows.append(row)
    return rows
