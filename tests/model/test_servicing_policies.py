"""Each maintenance policy does what it says, on small scenarios built for the purpose: the
threshold waits for its level, periodic tours act only at tour times, opportunistic trips fix
several units, preventive swaps renew units by age, replacement by cost, servicer losses,
failed visits and collateral damage, refuelling, and periodic-review reordering."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import robot, scenario_file, with_long_reboots

from sim.api import DAY_S, YEAR_S, load_scenario
from sim.model.upsets import CAUSE_REBOOT
from sim.replicate import build, run_replicate
from sim.rng import Streams

# Standard errors allowed in the binomial checks (dimensionless).
K_SIGMA = 4.0


def run_log(path: Path, seed: int = 1, overrides: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    scenario = load_scenario(path, overrides)
    wiring = build(scenario, Streams(seed, 0), keep_log=True)
    wiring.run(scenario.horizon_s)
    return scenario, wiring


def test_threshold_waits_until_capacity_falls_below_its_level(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, {"servicers": [robot()],
                                    "policy": {"kind": "threshold", "capacity_below": 0.6}})
    result = run_replicate(load_scenario(path), 0, 3)
    assert result.downtime_by_cause["deferred"] > 0
    # Jobs come in bundles of the failed units of one satellite: at least 2 (0.5 < 0.6).
    assert result.servicing["jobs"] >= 2 * result.servicing["trips"]
    corrective = run_replicate(load_scenario(path, ("servicing.policy.kind=corrective",
                                                    "servicing.policy.capacity_below=null")), 0, 3)
    assert "deferred" not in corrective.downtime_by_cause
    assert corrective.uptime > result.uptime


def test_margin_threshold_dispatches_before_redundancy_is_gone(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, {"servicers": [robot()],
                                    "policy": {"kind": "threshold", "margin_below": 2}})
    result = run_replicate(load_scenario(path), 0, 3)
    # Margin 3 of a 1-of-4 part: a job only after the second failure on a satellite.
    assert result.servicing["jobs"] >= 2 * result.servicing["trips"]
    assert result.downtime_by_cause["deferred"] > 0


def test_periodic_tours_act_only_at_tour_times(tmp_path: Path) -> None:
    interval_days = 100
    path = scenario_file(tmp_path, {"servicers": [robot(count="unlimited")],
                                    "policy": {"kind": "periodic",
                                               "interval_days": interval_days}})
    scenario, wiring = run_log(path)
    repairs = [t for t, _, kind, _ in wiring.recorder.log if kind == "repairs"]
    assert len(repairs) > 20
    visit_s = 6 * 3600.0
    for time_s in repairs:
        # An unlimited fleet with no travel swaps one unit per visit, one after another.
        since_tour = time_s % (interval_days * DAY_S)
        assert since_tour == pytest.approx(visit_s * round(since_tour / visit_s), abs=1e-3)
        assert since_tour <= 4 * visit_s + 1e-3
    assert wiring.maintenance.ledger.counts["inspection_tours"] == math.floor(
        scenario.horizon_s / (interval_days * DAY_S))


def test_opportunistic_trips_fix_every_failed_unit_of_the_satellite(tmp_path: Path) -> None:
    servicing = {"servicers": [robot(visit={"distribution": "fixed", "duration_days": 60})],
                 "policy": {"kind": "opportunistic"}}
    one_by_one = run_replicate(load_scenario(scenario_file(tmp_path, {
        **servicing, "policy": {"kind": "corrective"}})), 0, 4)
    bundled = run_replicate(load_scenario(scenario_file(tmp_path, servicing)), 0, 4)
    # (A trip may be under way at the horizon.)
    assert 0 <= one_by_one.servicing["trips"] - one_by_one.servicing["visits"] <= 1
    assert bundled.servicing["trips"] < bundled.servicing["visits"]


def test_preventive_swaps_renew_units_by_age(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, {"servicers": [robot(count="unlimited")],
                                    "policy": {"kind": "corrective",
                                               "preventive": [{"part": "gpu", "age_years": 1}]}})
    path_text = path.read_text().replace("distribution: exponential\n        mean_years: 5",
                                         "distribution: weibull\n        scale_years: 3\n"
                                         "        shape: 4")
    path.write_text(path_text)
    with_swaps = run_replicate(load_scenario(path), 0, 5)
    without = run_replicate(load_scenario(path, ("servicing.policy.preventive=[]",)), 0, 5)
    assert with_swaps.servicing["preventive_swaps"] > 0
    # Wear-out parts swapped at a third of their characteristic life rarely fail.
    assert with_swaps.events["failures"] < 0.2 * without.events["failures"]


def test_replace_cheaper_replaces_a_satellite_whose_repair_costs_more(tmp_path: Path) -> None:
    servicing = {"servicers": [robot(visit_cost_usd=1.0e9)],
                 "policy": {"kind": "threshold", "capacity_below": 0.01, "replace": "cheaper"}}
    result = run_replicate(load_scenario(scenario_file(tmp_path, servicing)), 0, 6)
    assert result.servicing["replacements"] > 0
    assert result.servicing["visits"] == 0
    assert result.downtime_by_cause["waiting_for_replacement"] > 0
    # Each replacement is a satellite bought (some may still be on their way at the end).
    bought = result.cost["satellites_usd"] / 1.0e6 - 20
    assert result.servicing["replacements"] <= bought <= result.servicing["replacements"] + 20


def test_a_lost_servicer_is_replaced_when_the_plan_says_so(tmp_path: Path) -> None:
    fragile = robot(parts=[{"name": "arm", "role": "bus", "count": 1,
                            "failure": {"distribution": "exponential", "mean_years": 1}}])
    kept = run_replicate(load_scenario(scenario_file(tmp_path, {
        "servicers": [{**fragile, "replace_when_lost": True}]})), 0, 7)
    lost = run_replicate(load_scenario(scenario_file(tmp_path, {"servicers": [fragile]})), 0, 7)
    assert lost.servicing["servicer_losses"] == 1
    assert kept.servicing["servicer_losses"] > 1
    assert kept.uptime > lost.uptime
    # Without a servicer, failed units wait for one until the horizon.
    assert lost.downtime_by_cause["waiting_for_servicer"] > kept.downtime_by_cause.get(
        "waiting_for_servicer", 0.0)
    assert 0 < kept.servicing["utilisation"] <= 1


def test_failed_visits_and_collateral_damage_happen_at_their_rates(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, {"servicers": [robot(
        count="unlimited", success_probability=0.5, collateral_damage_probability=0.2)]})
    result = run_replicate(load_scenario(path), 0, 8)
    visits = result.servicing["visits"]
    assert visits > 200
    for count, p in ((result.servicing["failed_visits"], 0.5),
                     (result.servicing["collateral_failures"], 0.2)):
        assert abs(count - p * visits) <= K_SIGMA * math.sqrt(visits * p * (1 - p))


def test_a_delta_v_budget_forces_refuelling(tmp_path: Path) -> None:
    shell = {"kind": "walker", "altitude_km": 550, "inclination_deg": 53, "planes": 6,
             "per_plane": 4, "phasing": 1, "raan_deg": 0}
    servicer = robot(plane_change="delta_v", delta_v_budget_m_s=15000, refuel_days=10,
                     refuel_cost_usd=1.0e5)
    path = scenario_file(tmp_path, {"servicers": [servicer], "policy": {
        "kind": "corrective", "queue_order": "nearest"}})
    document = yaml.safe_load(path.read_text())
    document["fleet"][0]["count"] = 24
    document["fleet"][0]["orbit"] = shell
    path.write_text(yaml.safe_dump(document))
    result = run_replicate(load_scenario(path), 0, 9)
    assert result.servicing["refuels"] > 0
    assert result.servicing["delta_v_m_s"] > 15000
    assert result.downtime_by_cause["servicer_travel"] > 0
    assert result.cost["refuels_usd"] == pytest.approx(1.0e5 * result.servicing["refuels"])


def test_periodic_review_orders_only_at_review_times(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, {
        "servicers": [robot(count="unlimited")],
        "depots": [{"name": "depot", "group": "fleet",
                    "items": [{"part": "gpu", "initial": 4, "review_days": 90,
                               "order_up_to": 6}]}]})
    scenario, wiring = run_log(path, seed=2)
    stock = wiring.maintenance.part_stocks()[0]
    arrivals = [t for t, level in stock.history[1:]]
    assert stock.demands > 20
    assert wiring.maintenance.ledger.counts["launches"] > 0
    for time_s, (before, after) in zip(arrivals, zip(stock.history, stock.history[1:],
                                                     strict=False), strict=False):
        if after[1] > before[1]:
            # Orders leave at review times and arrive a fixed 30 days later.
            since = (time_s - 30 * DAY_S) % (90 * DAY_S)
            assert min(since, 90 * DAY_S - since) < 1e-3
    assert 0 < (stock.filled_at_once / stock.demands) < 1
    assert scenario.horizon_s == 10 * YEAR_S


def test_timed_repairs_behave_the_same_inside_the_servicing_model() -> None:
    """A timed repair is the same law whether the servicing model runs the unit's life or
    the plain renewal process does: over independent seeds, the two uptimes agree."""
    from support import CONFIGS

    path = CONFIGS / "validation" / "availability_exponential_repair.yaml"
    plain = load_scenario(path, ["fleet.0.count=50"])
    inside = load_scenario(path, ["fleet.0.count=50", "servicing={servicers: []}"])
    assert inside.servicing is not None and plain.servicing is None
    seeds = range(12)
    a = [run_replicate(plain, seed, 21).uptime for seed in seeds]
    b = [run_replicate(inside, seed, 21).uptime for seed in seeds]
    differences = [x - y for x, y in zip(a, b, strict=True)]
    mean = sum(differences) / len(differences)
    spread = math.sqrt(sum((d - mean) ** 2 for d in differences) / (len(differences) - 1))
    assert abs(mean) <= K_SIGMA * spread / math.sqrt(len(differences))
    assert a != b  # the two draw their repair times from different streams


@pytest.mark.parametrize(("scope", "plane_change"), [("satellite", "drift"),
                                                     ("plane", "drift"),
                                                     ("satellite", "delta_v")])
def test_the_nearest_job_is_found_without_trying_every_plane(monkeypatch: pytest.MonkeyPatch,
                                                             scope: str,
                                                             plane_change: str) -> None:
    """Planes that cannot beat the best trip found are skipped: every pick equals the
    earliest-ready job among those of least trip time over the whole queue, and within the
    plane over the plane's jobs (though only the nearest along it are timed)."""
    from sim.model.servicing import engine, travel

    picks = []
    chosen_by_bound = engine._nearest

    def checked(servicer: Any, queue: Any, planes: Any) -> Any:
        found = chosen_by_bound(servicer, queue, planes)
        everyone = min(queue, key=lambda job: travel.trip(
            servicer.slot, job.life.state.slot, servicer.at == job.life.state.satellite.index,
            servicer.plan.mobility).duration_s)
        assert found is everyone
        picks.append(len(queue))
        return found

    chosen = engine.Maintenance._pick
    plane_picks = []

    def checked_pick(self: Any, servicer: Any, queue: Any) -> Any:
        own_plane = queue.in_plane(servicer.slot.plane)
        found = chosen(self, servicer, queue)
        if scope == "plane" and own_plane:
            everyone = min(own_plane, key=lambda job: travel.trip(
                servicer.slot, job.life.state.slot,
                servicer.at == job.life.state.satellite.index,
                servicer.plan.mobility).duration_s)
            assert found is everyone
            timed = queue.around(servicer.slot.plane, servicer.slot.arg_latitude_rad)
            plane_picks.append((len(own_plane), len(timed)))
        return found

    monkeypatch.setattr(engine, "_nearest", checked)
    monkeypatch.setattr(engine.Maintenance, "_pick", checked_pick)
    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "configs" / "reference-shell-serviced.yaml", [
        # Within a plane, more satellites than the nearest along it.
        *(("fleet.0.orbit.planes=8", "fleet.0.orbit.per_plane=12", "fleet.0.count=96")
          if scope == "plane" else
          ("fleet.0.orbit.planes=12", "fleet.0.orbit.per_plane=5", "fleet.0.count=60")),
        "horizon_years=4", "servicing.servicers.0.count=2",
        f"servicing.policy.scope={scope}", f"servicing.servicers.0.plane_change={plane_change}",
        "fleet.0.design.parts.1.parts.0.failure.mean_years=3",
        "servicing.depots.0.items.0.initial=100000"])
    from sim.api import fleet_geometry

    run_replicate(scenario, root_seed=3, orbits=fleet_geometry(scenario))
    # Picks among jobs in several planes; with scope "plane", among a plane's.
    assert len(picks) >= 5 and max(picks) > 10
    if scope == "plane":
        # Picks within a plane time only the jobs nearest along it, often fewer than the
        # plane holds.
        assert len(plane_picks) > 30 and max(held for held, _ in plane_picks) > 5
        assert any(timed < held for held, timed in plane_picks)


def test_swapping_a_node_renews_the_parts_inside_it(tmp_path: Path) -> None:
    """A node (an orbital replacement unit) swapped by a servicer comes with new
    accelerators: those that had failed work again, their jobs are called off, and those
    still working start a fresh life."""
    document = yaml.safe_load(scenario_file(tmp_path, {
        "servicers": [robot()], "policy": {"kind": "corrective"}}).read_text())
    document["fleet"][0]["design"]["parts"] = [
        {"name": "node", "role": "compute", "count": 1, "repair": "servicer",
         "failure": {"distribution": "fixed", "duration_years": 3.0},
         "parts": [{"name": "gpu", "role": "compute", "count": 2, "required": 1,
                    "failure": {"distribution": "fixed", "duration_years": 2.0}}]},
        {"name": "bus", "role": "bus", "count": 1,
         "failure": {"distribution": "exponential", "mean_years": 1.0e6}},
    ]
    document["horizon_years"] = 6
    path = tmp_path / "oru.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = run_replicate(load_scenario(path), 0, 1)
    # GPUs (never repaired) all fail at 2 years: the satellite is down until the node fails
    # at 3 years and is swapped d later; the new node's GPUs work from then for 2 years. Up
    # 2 + 2 of 6 years whatever d (< 1 year) is; without new GPUs it would be 2 of 6.
    assert result.servicing["oru_swaps"] == result.servicing["visits"] == 20
    assert result.failures_by_part["node/gpu"] == 20 * 2 * 2
    assert result.uptime == pytest.approx(4.0 / 6.0, abs=1e-12)


def latent_document(tmp_path: Path, policy: dict[str, Any]) -> Path:
    """400 satellites of one unit failing latent (exponential, mean 2 years), swapped by an
    unlimited fleet of servicers in one second once someone knows."""
    document = {
        "name": "latent-tours", "horizon_years": 20, "sla_fraction": 0.5,
        "fleet": [{"name": "fleet", "count": 400, "design": {
            "nominal_compute_pflops": 1.0,
            "parts": [{"name": "computer", "role": "bus", "count": 1,
                       "failure": {"distribution": "exponential", "mean_years": 2},
                       "latent": True, "repair": "servicer"}]}}],
        "servicing": {"servicers": [{"name": "robot", "group": "fleet", "count": "unlimited",
                                     "visit": {"distribution": "fixed", "duration_s": 1}}],
                      "policy": policy},
    }
    path = tmp_path / "latent.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_inspection_tours_find_latent_failures(tmp_path: Path) -> None:
    """Tours every τ = 90 days find each latent failure, swapped at once: the up fraction of
    an interval is (1 − e^{−λτ}) / (λτ) (the 15 days left at the horizon counted exactly),
    within K_SIGMA standard errors of the fleet mean."""
    path = latent_document(tmp_path, {"kind": "periodic", "interval_days": 90})
    result = run_replicate(load_scenario(path), 0, 1)
    mean, interval, horizon = 2 * 365.25, 90.0, 20 * 365.25
    rate = 1.0 / mean
    whole = math.floor(horizon / interval)
    rest = horizon - whole * interval

    def down(tau: float) -> tuple[float, float]:
        first = tau - (1 - math.exp(-rate * tau)) / rate
        # E[(τ − X)⁺²] for X ~ Exp(λ), in closed form.
        second = (tau**2 - 2 * tau / rate + 2 / rate**2
                  - 2 * math.exp(-rate * tau) / rate**2)
        return first, second - first**2

    (d, var), (d_rest, var_rest) = down(interval), down(rest)
    expected = 1 - (whole * d + d_rest) / horizon
    error = math.sqrt((whole * var + var_rest) / horizon**2 / 400)
    assert abs(result.uptime - expected) < K_SIGMA * error, (result.uptime, expected, error)
    assert result.downtime_by_cause.keys() <= {"latent_failure", "waiting_for_servicer",
                                                "repair", "deferred", "servicer_travel"}
    assert result.events["latent_failures_found"] == result.events["failures"] - (
        result.events.get("satellite_outages", 0) - result.events.get("satellite_recoveries", 0))
    assert result.servicing["inspection_tours"] == whole


def test_latent_failures_wait_without_tours_until_a_servicer_comes(tmp_path: Path) -> None:
    """Under a corrective policy nothing finds a latent failure: every one stays."""
    path = latent_document(tmp_path, {"kind": "corrective"})
    result = run_replicate(load_scenario(path), 0, 1)
    assert result.servicing["visits"] == 0
    assert "latent_failures_found" not in result.events
    assert result.downtime_by_cause.keys() == {"latent_failure"}


def test_failure_modes_of_swapped_parts_compete_and_carry_their_names(tmp_path: Path) -> None:
    """A GPU with its own exponential law (mean 5 years) and a second mode (mean 10 years)
    fails at the sum of the rates: over N GPU-lives the share ended by the second mode is
    1/3 (binomial), and its failures and losses carry the mode's name."""
    document = yaml.safe_load(scenario_file(tmp_path, {
        "servicers": [robot(count="unlimited")], "policy": {"kind": "corrective"}}).read_text())
    gpu = document["fleet"][0]["design"]["parts"][0]
    gpu["modes"] = [{"name": "hbm", "failure": {"distribution": "exponential",
                                                "mean_years": 10}}]
    document["fleet"][0]["count"] = 200
    path = tmp_path / "modes.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = run_replicate(load_scenario(path), 0, 1)
    own, hbm = result.failures_by_part["gpu"], result.failures_by_part["gpu:hbm"]
    total = own + hbm
    # About 4 × 200 × 10 years × 0.3 a year = 2,400 lives ended, each by the second mode
    # with probability (1/10) / (1/5 + 1/10) = 1/3.
    assert total > 2000
    assert abs(hbm - total / 3) < K_SIGMA * math.sqrt(total * (1 / 3) * (2 / 3))
    assert result.downtime_by_part["gpu:hbm"] > 0


def test_servicer_repair_refuses_what_it_cannot_model(tmp_path: Path) -> None:
    from sim.config.errors import ScenarioError

    document = yaml.safe_load(scenario_file(tmp_path, {
        "servicers": [robot()], "policy": {"kind": "corrective"}}).read_text())
    gpu = document["fleet"][0]["design"]["parts"][0]
    gpu["standby"] = {"units": 1, "kind": "cold"}
    path = tmp_path / "standby.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.path == "fleet.0.design.parts.0.repair"
    assert "not modelled with it yet" in problem.message


def test_a_failure_during_a_reboot_gets_a_job_and_a_swap(tmp_path: Path) -> None:
    """A serviced unit that fails while radiation holds it down for a reboot stays failed
    when the reboot ends, and is swapped like any other: under the corrective policy every
    failure makes a job at once, and the failures not yet repaired are the units down at the
    horizon for a cause other than a reboot."""
    path = with_long_reboots(scenario_file(tmp_path, {"servicers": [robot(count="unlimited")],
                                                      "policy": {"kind": "corrective"}}))
    _, wiring = run_log(path, seed=6)
    log = wiring.recorder.log
    failures = [entry for entry in log if entry[2] == "failures"]
    reboots = [entry for entry in log if entry[2] == "radiation_reboots"]
    assert len(reboots) > 100 and len(failures) > 30
    assert wiring.maintenance.ledger.counts["jobs"] == len(failures)
    repairs = [entry for entry in log if entry[2] == "repairs"]
    failed_at_end = [unit for satellite in wiring.satellites
                     for unit in satellite.root.groups[0].units
                     if unit.failed_cause not in (None, CAUSE_REBOOT)]
    assert len(failures) - len(repairs) == len(failed_at_end)
    assert wiring.maintenance.ledger.counts["units_down_at_end"] == len(failed_at_end)


def test_units_down_at_the_end_are_the_backlog(tmp_path: Path) -> None:
    """With one servicer taking 12 weeks a visit, failures outrun swaps: the units still down
    at the horizon are the failures not repaired, and the metric counts them."""
    visit = {"distribution": "fixed", "duration_h": 2016}
    path = scenario_file(tmp_path, {"servicers": [robot(visit=visit)],
                                    "policy": {"kind": "corrective"}})
    _, wiring = run_log(path, seed=2)
    log = wiring.recorder.log
    failures = sum(entry[2] == "failures" for entry in log)
    repairs = sum(entry[2] == "repairs" for entry in log)
    down = sum(unit.failed_cause is not None for satellite in wiring.satellites
               for unit in satellite.root.groups[0].units)
    assert wiring.maintenance.ledger.counts["units_down_at_end"] == down == failures - repairs
    assert down > 10


def test_a_preventive_job_leaves_a_rebooting_unit_to_its_reboot(tmp_path: Path) -> None:
    """A working unit waiting for its preventive swap is not held down by the job while it
    reboots: with parts that never fail, the only causes of lost compute are the reboots
    and the swaps themselves. (One servicer, three days a visit: busy most of the time, so
    jobs wait; a unit rebooting when its age comes is swapped all the same.)"""
    path = with_long_reboots(scenario_file(tmp_path, {
        "servicers": [robot(visit={"distribution": "fixed", "duration_days": 3})],
        "policy": {"kind": "corrective", "preventive": [{"part": "gpu", "age_years": 1}]}}))
    result = run_replicate(load_scenario(path, ("fleet.0.design.parts.0.failure.mean_years=1e9",)),
                           0, 6)
    # 80 gpus swapped about once a year (a year, then the wait) over 10 years.
    assert result.servicing["preventive_swaps"] > 600
    assert result.servicing["utilisation"] > 0.5
    assert set(result.downtime_by_cause) == {CAUSE_REBOOT, "repair"}
