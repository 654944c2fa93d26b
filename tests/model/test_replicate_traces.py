"""Whole replications with fixed durations: every integral checked against a hand timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from sim.model.design import Design, Part
from sim.model.distributions import Fixed
from sim.model.repair import NoRepair, RepairRule, TimedRepair
from sim.model.satellite import Satellite
from sim.replicate import build, run_replicate
from sim.rng import Streams
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, MONTH_S


def part(name: str, role: str, count: int, required: int, life_days: float,
         repair: RepairRule) -> Part:
    return Part(name=name, path=name, role=role, count=count, required=required,  # type: ignore[arg-type]
                failure=Fixed(life_days * DAY_S), repair=repair)


def scenario(*parts: Part, horizon_days: float, satellites: int = 1,
             sla_fraction: float = 0.5) -> Scenario:
    design = Design(nominal_compute_pflops=2.0, parts=parts)
    return Scenario(name="trace", description="", start_utc=datetime(2027, 1, 1, tzinfo=UTC),
                    horizon_s=horizon_days * DAY_S, sla_fraction=sla_fraction,
                    fleet=(FleetGroup("sats", satellites, design),))


def test_bus_loss_and_compute_repairs_follow_the_hand_timeline() -> None:
    """Timeline (days), horizon 10:

    ====== ============================ ========== ==================================
    span   state                        capacity   lost, charged to
    ====== ============================ ========== ==================================
    0–3    all up                       1
    3–4    both gpus in repair (k=1)    0          gpu repair
    4–5    all up                       1
    5–7    bus failed for good          0          bus hardware_failure
    7–8    bus failed, gpus in repair   0          half bus, half gpu repair
    8–10   bus failed                   0          bus hardware_failure
    ====== ============================ ========== ==================================
    """
    s = scenario(part("bus", "bus", 1, 1, 5.0, NoRepair()),
                 part("gpu", "compute", 2, 1, 3.0, TimedRepair(Fixed(DAY_S))),
                 horizon_days=10.0)
    result = run_replicate(s)
    assert result.uptime == pytest.approx(0.4, abs=1e-12)
    assert result.availability == pytest.approx(0.4, abs=1e-12)
    assert result.downtime_by_cause == pytest.approx({"hardware_failure": 0.45, "repair": 0.15})
    assert result.downtime_by_part == pytest.approx({"bus": 0.45, "gpu": 0.15})
    assert result.failures_by_part == {"bus": 1, "gpu": 4}
    assert result.repairs_by_part == {"gpu": 4}
    assert result.events["satellite_outages"] == 2
    assert result.events["satellite_recoveries"] == 1
    assert result.satellites_down_at_end == 1
    # SimPy events: the bus failures' process's start and end and the one failure; per gpu,
    # its process's start and end and two failures and two repairs.
    assert result.sim_events == 3 + 2 * 6


def test_event_log_holds_the_exact_times() -> None:
    s = scenario(part("gpu", "compute", 1, 1, 3.0, TimedRepair(Fixed(DAY_S))), horizon_days=10.0)
    wiring = build(s, Streams(0, 0), keep_log=True)
    wiring.run(s.horizon_s)
    recorder = wiring.recorder
    assert recorder.log == [
        (3 * DAY_S, 0, "failures", "gpu"), (3 * DAY_S, 0, "satellite_outages", ""),
        (4 * DAY_S, 0, "repairs", "gpu"), (4 * DAY_S, 0, "satellite_recoveries", ""),
        (7 * DAY_S, 0, "failures", "gpu"), (7 * DAY_S, 0, "satellite_outages", ""),
        (8 * DAY_S, 0, "repairs", "gpu"), (8 * DAY_S, 0, "satellite_recoveries", ""),
    ]


class Scripted:
    """A test double: hands out preset durations in order, then a very long one."""

    def __init__(self, *durations_days: float):
        self._durations_s = [d * DAY_S for d in durations_days]
        self.mean_s = 1.0

    def sample(self, rng: object) -> float:
        return self._durations_s.pop(0) if self._durations_s else 1e12

    def sample_many(self, rng: object, n: int) -> np.ndarray:
        return np.array([self.sample(rng) for _ in range(n)])

    def survival(self, t_s: float) -> float:
        raise NotImplementedError


def test_partial_compute_loss_and_sla_threshold() -> None:
    """Four gpus (1 of 4 needed); two fail for good, on days 2 and 6; horizon 8 days.

    Capacity is 1 for 2 days, 3/4 for 4 days, 1/2 for 2 days: uptime (2 + 3 + 1)/8 = 0.75.
    With the SLA at 0.7 of nominal it is met for the first 6 days.
    """
    gpus = Part(name="gpu", path="gpu", role="compute", count=4, required=1,
                failure=Scripted(2.0, 1e6, 6.0, 1e6), repair=NoRepair())  # type: ignore[arg-type]
    result = run_replicate(scenario(gpus, horizon_days=8.0, sla_fraction=0.7))
    assert result.uptime == pytest.approx(0.75, abs=1e-12)
    assert result.availability == pytest.approx(0.75, abs=1e-12)
    assert result.downtime_by_part == pytest.approx({"gpu": 0.25})
    assert result.satellites_down_at_end == 0


def test_monthly_series_integrates_to_uptime() -> None:
    s = scenario(part("gpu", "compute", 1, 1, 40.0, TimedRepair(Fixed(10 * DAY_S))),
                 horizon_days=100.0, satellites=3)
    result = run_replicate(s)
    monthly = result.monthly_capacity_fraction
    widths = [min(MONTH_S, s.horizon_s - i * MONTH_S) for i in range(len(monthly))]
    assert len(monthly) == 4
    integral = sum(f * w for f, w in zip(monthly, widths, strict=True))
    assert integral / s.horizon_s == pytest.approx(result.uptime, rel=1e-12)
    # Down on days 40–50 and 90–100: month 1 (30.4–60.9 d) is down 10 of its 30.4 days.
    assert monthly[1] == pytest.approx(1.0 - 10 * DAY_S / MONTH_S)


def test_uptime_and_lost_shares_add_to_one_on_a_random_fleet(smoke_path) -> None:  # type: ignore[no-untyped-def]
    from sim.config import load_scenario

    result = run_replicate(load_scenario(smoke_path, ["horizon_days=730"]), root_seed=11)
    assert result.events["failures"] > 20
    assert result.uptime + sum(result.downtime_by_cause.values()) == pytest.approx(1.0, abs=1e-9)
    assert sum(result.downtime_by_part.values()) == pytest.approx(
        sum(result.downtime_by_cause.values()), abs=1e-12)


def test_monthly_event_counts_add_up_to_the_totals(smoke_path) -> None:  # type: ignore[no-untyped-def]
    from sim.config import load_scenario

    result = run_replicate(load_scenario(smoke_path, ["horizon_days=400"]), root_seed=2)
    assert len(result.monthly_events["failures"]) == len(result.monthly_capacity_fraction)
    for kind, counts in result.monthly_events.items():
        assert sum(counts) == result.events[kind]


def test_a_failed_unit_changing_phase_moves_its_loss_to_the_new_cause() -> None:
    """The servicing seam: 2 days waiting, then 1 day in repair, within a 10-day horizon."""
    s = scenario(part("gpu", "compute", 1, 1, 1e6, NoRepair()), horizon_days=10.0)
    wiring = build(s, Streams(0, 0))
    recorder = wiring.recorder
    satellite = Satellite(0, "sats", s.fleet[0].design, recorder)
    unit = satellite.root.groups[0].units[0]
    satellite.fail(1 * DAY_S, unit, "waiting_servicer")
    satellite.set_cause(3 * DAY_S, unit, "repair")
    satellite.restore(4 * DAY_S, unit)
    totals = recorder.finish()
    nominal_s = 2.0 * s.horizon_s
    shares = {cause: value / nominal_s for (cause, _), value in totals.lost_pflop_s.items()}
    assert shares == pytest.approx({"waiting_servicer": 0.2, "repair": 0.1})
    assert totals.delivered_pflop_s / nominal_s == pytest.approx(0.7)


def test_a_replication_leaves_its_satellites_to_reference_counting(smoke_path) -> None:  # type: ignore[no-untyped-def]
    """Part trees hold no reference cycles once a replication is over: they are freed at
    once, not left for the cycle collector to trace."""
    from support import left_for_the_collector

    from sim.config import load_scenario
    from sim.model.parts import Group, Unit

    s = load_scenario(smoke_path)
    assert left_for_the_collector(lambda: run_replicate(s, replicate=1, root_seed=3),
                                  (Unit, Group, Satellite)) == []
