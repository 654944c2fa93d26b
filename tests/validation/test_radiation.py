"""The radiation and workload models against closed forms and counts: the reboot renewal
process, a training job's goodput under Poisson interruptions, upset counts against λT, the
Llama 3 interruption count, the share of upsets inside the South Atlantic Anomaly, storms that
hit every satellite at once, and the lives dose and latch-ups end.

Each case runs several independent seeds through the API (the shipped scenarios of
``configs/validation`` and variants of them built here); every tolerance is ``K_SIGMA``
standard errors of the estimator.
"""

from __future__ import annotations

import copy
import math
import statistics
from typing import Any

import numpy as np
import pytest
import yaml
from scipy import stats
from support import CONFIGS, orbsim_json

from sim.api import ReplicateResult, run_replicate
from sim.config.loader import to_scenario, validate_document
from sim.radiation.saa import upset_share
from sim.radiation.where import saa_tracks
from sim.replicate import build
from sim.rng import Streams

VALIDATION = CONFIGS / "validation"
# Tolerance in standard errors of the estimator (dimensionless).
K_SIGMA = 4.0
# Independent seeds per case (runs).
SEEDS = 12
DAYS_PER_YEAR = 365.25
HOURS_PER_DAY = 24.0


def document(name: str) -> dict[str, Any]:
    return yaml.safe_load((VALIDATION / name).read_text(encoding="utf-8"))


def runs(doc: dict[str, Any], seeds: int = SEEDS, root_seed: int = 5) -> list[ReplicateResult]:
    scenario = to_scenario(validate_document(doc))
    return [run_replicate(scenario, replicate, root_seed) for replicate in range(seeds)]


def check_mean(values: list[float], expected: float, what: str) -> None:
    mean = statistics.fmean(values)
    error = statistics.stdev(values) / math.sqrt(len(values))
    assert error > 0, what
    assert abs(mean - expected) <= K_SIGMA * error, (what, mean, expected, error)


def check_poisson(count: float, expected: float, what: str) -> None:
    """A Poisson count against its mean: K_SIGMA·√mean."""
    assert abs(count - expected) <= K_SIGMA * math.sqrt(expected), (what, count, expected)


def only_part(doc: dict[str, Any]) -> dict[str, Any]:
    (group,) = doc["fleet"]
    (part,) = group["design"]["parts"]
    return part


# -- the shipped validation scenarios ------------------------------------------------------

def test_reboots_against_the_renewal_closed_form() -> None:
    """uptime = 1/(1 + λτ), downtime.radiation_reboot = λτ/(1 + λτ), and the reboot count
    is the renewal count N·T/(1/λ + τ)."""
    doc = document("radiation_reboots.yaml")
    effects = only_part(doc)["radiation"]
    rate_per_day = effects["functional_interrupts_per_year"] / DAYS_PER_YEAR
    reboot_days = effects["reboot"]["duration_h"] / HOURS_PER_DAY
    assert effects["reboot"]["distribution"] == "fixed"
    load = rate_per_day * reboot_days
    results = runs(doc)
    check_mean([r.uptime for r in results], 1.0 / (1.0 + load), "uptime")
    check_mean([r.downtime_by_cause["radiation_reboot"] for r in results], load / (1.0 + load),
               "downtime.radiation_reboot")
    horizon_days = doc["horizon_years"] * DAYS_PER_YEAR
    satellites = doc["fleet"][0]["count"]
    renewals = satellites * horizon_days / (1.0 / rate_per_day + reboot_days)
    check_mean([float(r.events["radiation_reboots"]) for r in results], renewals, "reboots")
    for r in results:
        assert r.goodput == r.uptime  # independent work: nothing lost beyond downtime
        assert r.uptime + sum(r.downtime_by_cause.values()) == pytest.approx(1.0, abs=1e-12)


def test_reboots_through_the_command_line() -> None:
    """One run as a user makes it: goodput and the reboot cause are in the JSON."""
    result = orbsim_json("run", str(VALIDATION / "radiation_reboots.yaml"), "--seed", "3")
    assert result["goodput"] == result["uptime"]
    assert 0.85 < result["uptime"] < 0.91
    assert result["downtime_by_cause"]["radiation_reboot"] == pytest.approx(
        1.0 - result["uptime"], abs=1e-12)
    assert result["radiation"]["functional_interrupts"] >= result["events"]["radiation_reboots"]


def goodput_closed_form(rate_per_h: float, checkpoint_h: float, restart_h: float) -> float:
    """C / (e^{rR} (e^{rC} − 1) / r): the expected time to finish one checkpoint interval."""
    return checkpoint_h / (math.exp(rate_per_h * restart_h)
                           * math.expm1(rate_per_h * checkpoint_h) / rate_per_h)


def test_goodput_against_the_renewal_reward_closed_form() -> None:
    doc = document("radiation_goodput.yaml")
    workload = doc["fleet"][0]["workload"]
    assert workload["satellites_per_job"] == 1 and workload["checkpoint_write_min"] == 0
    rate_per_h = only_part(doc)["radiation"]["uncorrectable_per_year"] / (
        DAYS_PER_YEAR * HOURS_PER_DAY)
    expected = goodput_closed_form(rate_per_h, workload["checkpoint_interval_h"],
                                   workload["restart_min"] / 60.0)
    results = runs(doc)
    check_mean([r.goodput for r in results], expected, "goodput")
    for r in results:
        assert r.uptime == 1.0
        assert r.goodput + r.goodput_lost["job_restart"] == pytest.approx(1.0, abs=1e-12)
    horizon_h = doc["horizon_years"] * DAYS_PER_YEAR * HOURS_PER_DAY
    jobs = doc["fleet"][0]["count"]
    check_poisson(sum(r.jobs["interruptions"] for r in results),
                  SEEDS * jobs * rate_per_h * horizon_h, "interruptions")


def test_goodput_pays_for_checkpoint_writes() -> None:
    """With writes of W per interval C and no interruptions, goodput = C/(C + W) exactly
    (up to the last, unfinished interval)."""
    doc = document("radiation_goodput.yaml")
    doc["fleet"][0]["workload"]["checkpoint_write_min"] = 6.0
    del only_part(doc)["radiation"]["uncorrectable_per_year"]
    only_part(doc)["radiation"]["corrected_upsets_per_year"] = 1.0
    (result,) = runs(doc, seeds=1)
    # The unfinished last interval writes no checkpoint: at most W of the horizon differs.
    bound = 0.1 / (doc["horizon_years"] * DAYS_PER_YEAR * HOURS_PER_DAY)
    assert result.goodput == pytest.approx(2.0 / 2.1, abs=bound)
    assert result.goodput_lost["checkpoint_write"] == pytest.approx(1.0 - 2.0 / 2.1,
                                                                   abs=bound)


# -- counts ---------------------------------------------------------------------------------

def counting_scenario(rates: dict[str, float], count: int = 200, years: float = 5.0,
                      extra: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = document("radiation_reboots.yaml")
    doc["horizon_years"] = years
    doc["fleet"][0]["count"] = 1
    part = only_part(doc)
    part["count"] = count
    part["radiation"] = dict(rates)
    doc.update(extra or {})
    return doc


def test_upset_counts_are_poisson_with_mean_rate_times_time() -> None:
    """Corrected upsets, silent corruptions and uncorrectable errors over N devices for T:
    each a Poisson count of mean λNT."""
    rates = {"corrected_upsets_per_year": 300.0, "sdc_per_year": 8.8,
             "uncorrectable_per_year": 3.4}
    doc = counting_scenario(rates)
    results = runs(doc, seeds=4)
    device_years = 200 * 5.0 * len(results)
    for name, key in (("corrected_upsets", "corrected_upsets_per_year"), ("sdc", "sdc_per_year"),
                      ("uncorrectable", "uncorrectable_per_year")):
        check_poisson(sum(r.radiation[name] for r in results), rates[key] * device_years, name)


def test_per_rad_rates_at_150_rad_per_year_give_the_tpu_counts() -> None:
    """At 150 rad(Si)/yr, a chip meets SDC at 1 per 17 rad and HBM uncorrectable errors at 1
    per 44 rad: 44.1 and 17.0 per chip over 5 years (docs/sources.md §6.2)."""
    doc = counting_scenario({"sdc_per_rad": 1 / 17, "uncorrectable_per_rad": 1 / 44},
                            extra={"radiation": {"dose_rad_per_year": 150}})
    results = runs(doc, seeds=4)
    chips = 200 * len(results)
    check_poisson(sum(r.radiation["sdc"] for r in results), chips * 750 / 17, "sdc")
    check_poisson(sum(r.radiation["uncorrectable"] for r in results), chips * 750 / 44,
                  "uncorrectable")
    assert results[0].radiation["dose_rad_per_satellite"] == pytest.approx(750.0)


def test_llama3_terrestrial_baseline() -> None:
    """16,384 accelerators for 54 days at 0.173 interruptions per accelerator-year: 419
    interruptions expected (Llama 3 report: 419 unexpected), one every ~3.1 hours."""
    doc = counting_scenario({"uncorrectable_per_year": 0.173}, count=16_384)
    del doc["horizon_years"]
    doc["horizon_days"] = 54
    doc["fleet"][0]["workload"] = {"kind": "training", "satellites_per_job": 1,
                                   "checkpoint_interval_h": 1}
    results = runs(doc, seeds=8)
    expected = 16_384 * 0.173 * 54 / DAYS_PER_YEAR
    assert expected == pytest.approx(419.0, abs=0.5)
    check_poisson(sum(r.jobs["interruptions"] for r in results), expected * len(results),
                  "interruptions")
    # Each run's mean gap is T/N with N Poisson: relative error about 1/√N per run.
    mean_gap_h = statistics.fmean(r.jobs["mean_hours_between_interruptions"] for r in results)
    assert mean_gap_h == pytest.approx(54 * 24 / expected,
                                       rel=K_SIGMA / math.sqrt(expected * len(results)))


# -- where and when -------------------------------------------------------------------------

SAA_ORBIT = {"kind": "formation", "altitude_km": 650, "inclination_deg": "sso", "ltan_h": 18}


def test_share_of_upsets_inside_the_saa_is_the_orbits_computed_share() -> None:
    """With a rate ratio r inside ÷ outside, the share of arrivals met over the SAA is
    r·f/(r·f + 1 − f), f the time share from the orbit's ground track (binomial error)."""
    doc = counting_scenario({"functional_interrupts_per_year": 400.0,
                             "reboot": {"distribution": "fixed", "duration_s": 1}},
                            count=20, years=1.0,
                            extra={"radiation": {"saa": {"rate_ratio": 10.0}}})
    doc["fleet"][0]["orbit"] = SAA_ORBIT
    scenario = to_scenario(validate_document(doc))
    tracks = saa_tracks(scenario.saa, scenario.fleet[0].orbit, scenario.start_utc,
                        scenario.horizon_s)
    expected = upset_share(tracks.time_share, 10.0)
    results = [run_replicate(scenario, replicate, 8) for replicate in range(4)]
    arrivals = sum(r.radiation["functional_interrupts"] for r in results)
    observed = statistics.fmean(r.radiation["saa_upset_share"] for r in results)
    error = math.sqrt(expected * (1 - expected) / arrivals)
    assert 0.02 < tracks.time_share < 0.1
    assert abs(observed - expected) <= K_SIGMA * error, (observed, expected, error)


SAA_SHELL = {"kind": "walker", "altitude_km": 550, "inclination_deg": 53.0, "raan_deg": 0,
             "planes": 4, "per_plane": 5, "phasing": 1}


# A region around the south pole, which a polar shell's tables cannot follow (the formula
# decides every candidate there, for every member).
POLAR_CAP = {"centre_lat_deg": -80.0, "centre_lon_deg": 0.0, "half_lat_deg": 15.0,
             "half_lon_deg": 180.0}


@pytest.mark.parametrize(("ratio", "inclination_deg", "region", "banded"), [
    (10.0, 53.0, None, True), (10.0, 90.0, POLAR_CAP, False), (1.0, 53.0, None, False)])
def test_a_shells_upsets_follow_its_members_own_time_in_the_saa(
        ratio: float, inclination_deg: float, region: dict[str, float] | None,
        banded: bool) -> None:
    """A shell's arrivals, drawn as the lower rate everywhere plus the excess thinned on the
    members' tracks (from tables; inside the SAA for the members within its reach only, plane
    by plane, when the ratio is above 1; outside it for every member otherwise): their count
    is Poisson of mean λ·N·T·(r·f̄ + 1 − f̄)·outside, and the share met over the SAA is
    r·f̄/(r·f̄ + 1 − f̄), f̄ the members' own time share, measured here on the exact track at
    random points (its sampling error added to the binomial one)."""
    rate_per_year, units_per_satellite = 400.0, 5
    doc = counting_scenario({"functional_interrupts_per_year": rate_per_year,
                             "reboot": {"distribution": "fixed", "duration_s": 1}},
                            count=units_per_satellite, years=1.0,
                            extra={"radiation": {"saa": {"rate_ratio": ratio}}})
    if region is not None:
        doc["radiation"]["saa"]["region"] = region
    doc["fleet"][0]["orbit"] = {**SAA_SHELL, "inclination_deg": inclination_deg}
    doc["fleet"][0]["count"] = 20
    scenario = to_scenario(validate_document(doc))
    tracks = saa_tracks(scenario.saa, scenario.fleet[0].orbit, scenario.start_utc,
                        scenario.horizon_s)
    assert tracks.windows is None
    assert (tracks.table is not None) == (region is None)
    assert (tracks.bands is not None) == (region is None)
    drawn_in_bands = tracks.bands is not None and tracks.inside_factor > tracks.outside_factor
    assert drawn_in_bands == banded
    probes = 400_000
    rng = np.random.default_rng(11)
    inside = tracks.inside(rng.integers(0, 20, probes), rng.uniform(0.0, scenario.horizon_s,
                                                                     probes))
    share = float(np.mean(inside))
    share_error = math.sqrt(share * (1 - share) / probes)
    weight = ratio * share + 1 - share
    expected_share = ratio * share / weight
    results = [run_replicate(scenario, replicate, 8) for replicate in range(2)]
    arrivals = sum(r.radiation["functional_interrupts"] for r in results)
    units = 20 * units_per_satellite
    check_poisson(arrivals, rate_per_year * units * len(results) * weight
                  * tracks.outside_factor, "arrivals")
    observed = statistics.fmean(r.radiation["saa_upset_share"] for r in results)
    # The expected share moves by r/weight² per unit of time share.
    error = math.hypot(math.sqrt(expected_share * (1 - expected_share) / arrivals),
                       ratio / weight**2 * share_error)
    assert abs(observed - expected_share) <= K_SIGMA * error, (observed, expected_share, error)


def test_a_storm_hits_every_satellite_in_the_same_window() -> None:
    """One storm level, frequent and ten thousand times harder (about 14 reboots per
    satellite per storm): every satellite's reboots crowd into the shared storm windows."""
    doc = document("radiation_reboots.yaml")
    doc["horizon_years"] = 2
    doc["fleet"][0]["count"] = 10
    only_part(doc)["radiation"] = {"functional_interrupts_per_year": 0.5,
                                   "reboot": {"distribution": "fixed", "duration_s": 1}}
    doc["radiation"] = {"storms": {"S4": {"per_cycle": 30, "duration_h": 24,
                                          "upset_factor": 10_000}}}
    scenario = to_scenario(validate_document(doc))
    wiring = build(scenario, Streams(4, 0), keep_log=True)
    wiring.run(scenario.horizon_s)
    storms = wiring.radiation.exposure.storms
    assert storms
    assert wiring.recorder.log is not None
    reboots = [(t, s) for t, s, kind, _ in wiring.recorder.log if kind == "radiation_reboots"]
    for storm in storms:
        hit = {s for t, s in reboots if storm.start_s <= t < storm.end_s}
        assert hit == set(range(10)), (storm, hit)
    # Outside the windows only the quiet rate remains: about 0.5 × 10 × 2 = 10 reboots.
    quiet = [t for t, _ in reboots
             if not any(s.start_s <= t < s.end_s for s in storms)]
    stormy_years = sum(s.end_s - s.start_s for s in storms) / (DAYS_PER_YEAR * 86_400.0)
    check_poisson(len(quiet), 0.5 * 10 * (2 - stormy_years), "quiet")


# -- lives radiation ends -------------------------------------------------------------------

def test_dose_tolerance_failures_follow_the_lognormal_of_the_dose_reached() -> None:
    """Units fail when the dose (a constant 2 krad/yr) reaches a log-normal tolerance
    (median 10 krad, σ 0.5): the failed share at T is Φ(ln(D(T)/median)/σ)."""
    doc = counting_scenario({"dose_tolerance": {"median_krad": 10, "sigma": 0.5}}, count=400,
                            years=5.0, extra={"radiation": {"dose_rad_per_year": 2000}})
    only_part(doc)["failure"] = {"distribution": "exponential", "mean_years": 1e6}
    only_part(doc)["required"] = 1
    results = runs(doc, seeds=4)
    failed = sum(r.failures_by_part.get("compute", 0) for r in results)
    units = 400 * len(results)
    share = float(stats.norm.cdf(math.log(10.0 / 10.0) / 0.5))
    error = math.sqrt(share * (1 - share) / units)
    assert abs(failed / units - share) <= K_SIGMA * error, (failed / units, share)


def test_damaging_latchups_end_lives_at_rate_times_probability() -> None:
    """Latch-ups at λ with a damage probability p: the surviving share is e^{−λpT}, and the
    power cycles of the others are counted."""
    doc = counting_scenario({"latchups_per_year": 0.4, "latchup_damage_probability": 0.25,
                             "power_cycle": {"distribution": "fixed", "duration_min": 2}},
                            count=500, years=4.0)
    only_part(doc)["failure"] = {"distribution": "exponential", "mean_years": 1e9}
    only_part(doc)["required"] = 1
    results = runs(doc, seeds=4)
    units = 500 * len(results)
    survived = 1.0 - sum(r.failures_by_part.get("compute", 0) for r in results) / units
    expected = math.exp(-0.4 * 0.25 * 4.0)
    assert abs(survived - expected) <= K_SIGMA * math.sqrt(expected * (1 - expected) / units)
    assert all(r.radiation["latchups"] > 0 for r in results)
    assert "radiation_latchup" in results[0].downtime_by_cause


def test_shares_are_never_negative_and_add_up() -> None:
    """goodput + Σ downtime + Σ goodput_lost = 1 on a scenario with every effect, failures,
    repairs and a multi-satellite job; no share is negative; goodput ≤ uptime."""
    doc = document("radiation_goodput.yaml")
    doc["fleet"][0]["workload"].update(satellites_per_job=6, checkpoint_write_min=3)
    part = only_part(doc)
    part.update(count=4, required=2, failure={"distribution": "exponential", "mean_years": 3},
                repair={"distribution": "fixed", "duration_days": 20})
    part["radiation"] = {"uncorrectable_per_year": 20, "sdc_per_year": 30,
                         "sdc_detected_share": 0.5, "functional_interrupts_per_year": 5,
                         "reboot": {"distribution": "fixed", "duration_h": 1},
                         "latchups_per_year": 2, "latchup_damage_probability": 0.1,
                         "power_cycle": {"distribution": "fixed", "duration_min": 10},
                         "dose_tolerance": {"median_krad": 1, "sigma": 1}}
    doc["radiation"] = {"dose_rad_per_year": 150,
                        "solar_cycle": {"upset_amplitude": 0.3},
                        "storms": {"S2": {"per_cycle": 25, "duration_h": 24, "upset_factor": 5,
                                          "dose_rad": 1}}}
    for result in runs(doc, seeds=3):
        shares = [*result.downtime_by_cause.values(), *result.goodput_lost.values()]
        assert min(shares) >= 0.0
        assert result.goodput + sum(shares) == pytest.approx(1.0, abs=1e-12)
        assert 0.0 < result.goodput < result.uptime
        assert {"radiation_reboot", "radiation_latchup",
                "repair"} <= set(result.downtime_by_cause)
        assert result.jobs["count"] == 4  # 20 satellites in jobs of 6: 6, 6, 6 and 2


def test_radiation_streams_leave_the_hardware_draws_alone() -> None:
    """Adding radiation to a part does not move any other part's failure times (common
    random numbers across designs)."""
    base = document("radiation_goodput.yaml")
    part = only_part(base)
    part.update(failure={"distribution": "exponential", "mean_years": 2})
    del base["fleet"][0]["workload"]
    plain = copy.deepcopy(base)
    del only_part(plain)["radiation"]
    with_rad = copy.deepcopy(base)
    only_part(with_rad)["radiation"] = {"corrected_upsets_per_year": 5}
    a, b = runs(plain, seeds=2), runs(with_rad, seeds=2)
    for x, y in zip(a, b, strict=True):
        assert x.uptime == y.uptime
        assert np.isclose(x.downtime_by_cause["hardware_failure"],
                          y.downtime_by_cause["hardware_failure"], rtol=0, atol=0)
