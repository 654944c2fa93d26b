"""The servicing model against closed forms: the machine-repair queue, M/M/1 and Erlang-C
waits, the (s,Q) fill rate, and replacement by a zero-lead launch against a zero-time visit.

Each case runs several independent seeds through the API (the scenarios are the shipped files
in ``configs/validation``, and one run of each goes through the CLI); every tolerance is
``K_SIGMA`` standard errors of the mean over the seeds.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable

import pytest
import yaml
from servicing_closed_forms import (
    erlang_c,
    machine_repair,
    machine_repair_transient_average,
    mm1_mean_wait,
    mmc_mean_wait,
    sq_fill_rate_poisson,
)
from support import CONFIGS, orbsim_json

from sim.api import YEAR_S, ReplicateResult, load_scenario, run_replicate
from sim.model.distributions import Fixed
from sim.model.repair import NoRepair
from sim.model.servicing.plan import LaunchService, Policy, ServicingPlan
from sim.replicate import build
from sim.rng import Streams

VALIDATION = CONFIGS / "validation"
# Tolerance in standard errors of the mean over seeds (dimensionless).
K_SIGMA = 4.0
# Independent seeds per case (runs).
SEEDS = 16
DAYS_PER_YEAR = 365.25


def seeds_of(path: str, overrides: tuple[str, ...] = (), seeds: int = SEEDS,
             ) -> list[ReplicateResult]:
    scenario = load_scenario(VALIDATION / path, overrides)
    return [run_replicate(scenario, replicate, root_seed=11) for replicate in range(seeds)]


def mean_and_error(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def check(values: list[float], expected: float, what: str) -> None:
    mean, error = mean_and_error(values)
    assert abs(mean - expected) <= K_SIGMA * error, (what, mean, expected, error)


def document(path: str) -> dict:
    return yaml.safe_load((VALIDATION / path).read_text(encoding="utf-8"))


def test_machine_repair_uptime_and_shares() -> None:
    doc = document("servicing_machine_repair.yaml")
    (group,) = doc["fleet"]
    (servicer,) = doc["servicing"]["servicers"]
    n, c = group["count"], servicer["count"]
    lam = 1.0 / group["design"]["parts"][0]["failure"]["mean_years"]
    mu = DAYS_PER_YEAR / servicer["visit"]["mean_days"]
    exact = machine_repair_transient_average(n, c, lam, mu, doc["horizon_years"])
    runs = seeds_of("servicing_machine_repair.yaml")
    check([r.uptime for r in runs], exact.mean_up_fraction, "uptime")
    check([r.downtime_by_cause.get("waiting_for_servicer", 0.0) for r in runs],
          exact.waiting_fraction, "waiting_for_servicer")
    check([r.downtime_by_cause["repair"] for r in runs], exact.repair_fraction, "repair")
    # A rate times a time is a count: failures arrive at λ per working satellite-year.
    expected_jobs = [lam * n * doc["horizon_years"] * r.uptime for r in runs]
    jobs = [r.servicing["jobs"] for r in runs]
    assert abs(sum(jobs) - sum(expected_jobs)) <= K_SIGMA * math.sqrt(sum(expected_jobs))
    # No travel and no failed visits: servicer busy time is exactly the time in repair.
    for r in runs:
        repair_years = r.downtime_by_cause["repair"] * n * doc["horizon_years"]
        assert r.servicing["busy_servicer_years"] == pytest.approx(repair_years, rel=1e-9)
        available_years = c * doc["horizon_years"]
        assert r.servicing["utilisation"] == pytest.approx(repair_years / available_years,
                                                           rel=1e-9)


def test_machine_repair_through_the_cli() -> None:
    result = orbsim_json("run", str(VALIDATION / "servicing_machine_repair.yaml"), "--seed", "3")
    assert set(result["downtime_by_cause"]) == {"repair", "waiting_for_servicer"}
    servicing = result["servicing"]
    assert servicing["failed_visits"] == 0 and servicing["collateral_failures"] == 0
    # Every job is visited once, but those still queued or in repair at the horizon.
    assert 0 <= servicing["jobs"] - servicing["visits"] <= 40
    assert 0.9 < result["uptime"] < 1.0


def mean_wait_years(result: ReplicateResult, satellites: int, horizon_years: float) -> float:
    """Mean wait for a servicer per job (each satellite is one unit of nominal 1)."""
    waiting = result.downtime_by_cause.get("waiting_for_servicer", 0.0) * satellites
    return waiting * horizon_years / result.servicing["jobs"]


@pytest.mark.parametrize(("servicers", "arrivals_per_year", "visits_per_year"),
                         [(1, 5.0, 10.0), (3, 20.0, 8.0)])
def test_waits_match_mm1_and_erlang_c(servicers: int, arrivals_per_year: float,
                                      visits_per_year: float) -> None:
    """Many satellites failing rarely are a Poisson source: the wait for one of c servicers is
    the M/M/c wait (Erlang C; M/M/1 for c = 1), up to the finite-source correction, which is
    computed exactly and is far below the tolerance."""
    satellites, horizon_years = 2000, 100.0
    mean_life_years = satellites / arrivals_per_year
    overrides = (f"fleet.0.count={satellites}",
                 f"fleet.0.design.parts.0.failure.mean_years={mean_life_years}",
                 f"servicing.servicers.0.count={servicers}",
                 f"servicing.servicers.0.visit.mean_days={DAYS_PER_YEAR / visits_per_year}")
    runs = seeds_of("servicing_machine_repair.yaml", overrides, seeds=12)
    waits = [mean_wait_years(r, satellites, horizon_years) for r in runs]
    infinite = (mm1_mean_wait(arrivals_per_year, visits_per_year) if servicers == 1
                else mmc_mean_wait(servicers, arrivals_per_year, visits_per_year))
    finite = machine_repair(satellites, servicers, 1.0 / mean_life_years, visits_per_year)
    lq = finite.waiting_fraction * satellites
    # Little's law: jobs arrive at λ per working satellite.
    throughput = finite.mean_up_fraction * satellites / mean_life_years
    finite_wait = lq / throughput
    _, error = mean_and_error(waits)
    assert abs(finite_wait - infinite) < error, "finite-source correction must be negligible"
    check(waits, infinite, f"M/M/{servicers} wait")
    assert 0 < erlang_c(servicers, arrivals_per_year, visits_per_year) <= 1


def test_spares_fill_rate_of_s_q() -> None:
    doc = document("spares_reorder_point.yaml")
    (group,) = doc["fleet"]
    (item,) = doc["servicing"]["depots"][0]["items"]
    demand_per_year = group["count"] / group["design"]["parts"][0]["failure"]["mean_years"]
    lead_years = doc["launch"]["lead"]["duration_days"] / DAYS_PER_YEAR
    expected = sq_fill_rate_poisson(item["reorder_point"], item["order_quantity"],
                                    demand_per_year, lead_years)
    # The figure the scenario file and the README state.
    assert expected == pytest.approx(0.6007, abs=5e-5)
    runs = seeds_of("spares_reorder_point.yaml")
    check([r.spares["fill_rate"] for r in runs], expected, "fill rate")
    for r in runs:
        assert r.downtime_by_cause.get("waiting_for_servicer", 0.0) == 0.0
        assert 0.0 <= r.spares["fill_rate"] <= 1.0


def zero_time(scenario_path: str, mutate: Callable) -> list[tuple[float, int, str, str]]:
    scenario = mutate(load_scenario(VALIDATION / scenario_path))
    wiring = build(scenario, Streams(5, 0), keep_log=True)
    totals = wiring.run(scenario.horizon_s)
    assert totals.delivered_pflop_s == pytest.approx(totals.nominal_pflops * scenario.horizon_s,
                                                     rel=1e-12)
    assert wiring.recorder.log is not None
    return [entry for entry in wiring.recorder.log if entry[2] == "failures"]


def test_replace_by_zero_lead_launch_equals_zero_time_visit() -> None:
    """The same failures happen, at the same times, whether each failed satellite is fixed by
    a visit that takes no time or replaced by a launch that takes none: a unit's k-th
    lifetime does not depend on how it was renewed."""

    def zero_visit(scenario):  # type: ignore[no-untyped-def]
        servicing = scenario.servicing
        servicer = dataclasses.replace(servicing.servicers[0], count=None, visit=Fixed(0.0))
        return dataclasses.replace(scenario, servicing=dataclasses.replace(
            servicing, servicers=(servicer,)))

    def zero_lead_launch(scenario):  # type: ignore[no-untyped-def]
        group = scenario.fleet[0]
        part = dataclasses.replace(group.design.parts[0], repair=NoRepair())
        design = dataclasses.replace(group.design, parts=(part,))
        fleet = (dataclasses.replace(group, design=design),)
        servicing = ServicingPlan((), (), Policy(replace="dead"), LaunchService(lead=Fixed(0.0)))
        return dataclasses.replace(scenario, fleet=fleet, servicing=servicing)

    visits = zero_time("servicing_machine_repair.yaml", zero_visit)
    launches = zero_time("servicing_machine_repair.yaml", zero_lead_launch)
    assert len(visits) > 500
    assert visits == launches


def test_a_units_lifetimes_do_not_depend_on_the_policy() -> None:
    """Common random numbers: each satellite's successive up-times are the same draws with 1
    or 3 servicers (only the repair times in between differ)."""

    def up_times(servicers: int) -> dict[int, list[float]]:
        scenario = load_scenario(VALIDATION / "servicing_machine_repair.yaml",
                                 (f"servicing.servicers.0.count={servicers}",))
        wiring = build(scenario, Streams(9, 0), keep_log=True)
        wiring.run(scenario.horizon_s)
        assert wiring.recorder.log is not None
        found: dict[int, list[float]] = {}
        installed: dict[int, float] = {}
        for time_s, satellite, kind, _ in wiring.recorder.log:
            if kind == "failures":
                found.setdefault(satellite, []).append(time_s - installed.get(satellite, 0.0))
            elif kind == "repairs":
                installed[satellite] = time_s
        return found

    one, three = up_times(1), up_times(3)
    compared = 0
    for satellite, lives in one.items():
        common = min(len(lives), len(three[satellite]))
        assert lives[:common] == pytest.approx(three[satellite][:common], rel=1e-9, abs=1e-3)
        compared += common
    assert compared > 500


def test_servicing_scenarios_start_with_stock_and_conserve_it() -> None:
    """Spares are neither made nor lost: on hand = initial + received − issued."""
    scenario = load_scenario(VALIDATION / "spares_reorder_point.yaml")
    wiring = build(scenario, Streams(2, 0))
    wiring.run(scenario.horizon_s)
    assert wiring.maintenance is not None
    for stock in wiring.maintenance.part_stocks():
        issued = stock.demands - len(stock.backorders)
        assert stock.level == stock.rule.initial + stock.received - issued
        assert stock.level >= 0
        assert min(level for _, level in stock.history) >= 0


def test_horizon_is_long_enough_for_the_transient_to_vanish() -> None:
    """The shipped machine-repair numbers are the stationary ones to within 1e-3."""
    doc = document("servicing_machine_repair.yaml")
    stationary = machine_repair(40, 2, 0.25, DAYS_PER_YEAR / 45.0)
    average = machine_repair_transient_average(40, 2, 0.25, DAYS_PER_YEAR / 45.0,
                                               doc["horizon_years"])
    assert stationary.mean_up_fraction == pytest.approx(0.95729, abs=5e-6)
    assert average.mean_up_fraction == pytest.approx(stationary.mean_up_fraction, abs=1e-3)
    assert YEAR_S == DAYS_PER_YEAR * 86_400.0
