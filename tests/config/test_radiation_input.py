"""Bad radiation and workload input: one clear problem naming the field, exit status 2."""

from __future__ import annotations

import pytest
from support import CONFIGS, cli_problems, orbsim

from sim.config.errors import ScenarioError
from sim.config.loader import load_scenario

REBOOTS = CONFIGS / "validation" / "radiation_reboots.yaml"
EFFECTS = "fleet.0.design.parts.0.radiation"

CASES = [
    pytest.param(f"{EFFECTS}.functional_interrupts_per_year=-1",
                 f"{EFFECTS}.functional_interrupts_per_year", "must be ≥ 0, got -1",
                 id="negative-rate"),
    pytest.param(f"{EFFECTS}.sdc_detected_share=1.5", f"{EFFECTS}.sdc_detected_share",
                 "must be ≤ 1, got 1.5", id="share-above-one"),
    pytest.param(f"{EFFECTS}.latchup_damage_probability=-0.1",
                 f"{EFFECTS}.latchup_damage_probability", "must be ≥ 0", id="share-below-zero"),
    pytest.param(f"{EFFECTS}.dose_tolerance={{median_krad: 0, sigma: 1}}",
                 f"{EFFECTS}.dose_tolerance.median_krad", "must be > 0, got 0",
                 id="zero-dose-tolerance"),
    pytest.param("fleet.0.workload={kind: training, satellites_per_job: 2, "
                 "checkpoint_interval_h: 0}", "fleet.0.workload.checkpoint_interval_h",
                 "must be > 0, got 0", id="zero-checkpoint-interval"),
    pytest.param("fleet.0.workload={kind: training, satellites_per_job: 101, "
                 "checkpoint_interval_h: 1}", "fleet.0.workload.satellites_per_job",
                 "must be ≤ the group's count (100), got 101", id="job-larger-than-group"),
    pytest.param("fleet.0.workload={kind: training, satellites_per_job: 2}",
                 "fleet.0.workload.checkpoint_interval_h", "required key is missing",
                 id="training-without-checkpoints"),
    pytest.param(f"{EFFECTS}.sdc_per_rad=1", EFFECTS, "needs a dose rate", id="per-rad-no-dose"),
    pytest.param(f"{EFFECTS}.functional_interrupts_per_rad=1",
                 f"{EFFECTS}.functional_interrupts_per_rad", "not both", id="two-units"),
    pytest.param(f"{EFFECTS}.latchups_per_year=1", f"{EFFECTS}.power_cycle",
                 "required key is missing", id="latchup-without-power-cycle"),
    pytest.param(f"{EFFECTS}.dose_tolerance={{median_krad: 30, sigma: 1}}",
                 "fleet.0.design.parts.0.failure", "competes with a failure distribution",
                 id="wear-without-failure-law"),
    pytest.param("radiation={solar_cycle: {upset_amplitude: 1.2}}",
                 "radiation.solar_cycle.upset_amplitude", "must be < 1", id="cycle-amplitude"),
    pytest.param("radiation={storms: {S6: {per_cycle: 1, duration_h: 1, upset_factor: 2}}}",
                 "radiation.storms.S6", "must be one of 'S1'", id="unknown-storm-level"),
    pytest.param("radiation={storms: {S1: {per_cycle: 1, duration_h: 1, upset_factor: 0.5}}}",
                 "radiation.storms.S1.upset_factor", "must be ≥ 1", id="storm-weakens"),
    pytest.param("radiation={saa: {rate_ratio: 0.5}}", "radiation.saa.rate_ratio", "must be ≥ 1",
                 id="saa-ratio"),
    pytest.param("radiation={shielding_mm_al: 10}", "radiation.shielding_mm_al",
                 "without an orbit", id="shielding-without-orbit"),
    pytest.param("radiation={shielding_mm_al: 10, dose_rad_per_year: 100}",
                 "radiation.shielding_mm_al", "not both", id="two-dose-sources"),
]


@pytest.mark.parametrize(("override", "path", "fragment"), CASES)
def test_bad_radiation_input(override: str, path: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(REBOOTS, [override])
    problems = caught.value.problems
    assert [p.path for p in problems] == [path], problems
    assert fragment in problems[0].message, problems[0].message


def test_orbit_outside_the_dose_table_through_the_command_line() -> None:
    """An orbit the dose table does not cover: one line naming the field and the way out."""
    result = orbsim("validate", str(REBOOTS), "--set",
                    "fleet.0.orbit={kind: formation, altitude_km: 1200, inclination_deg: 53, "
                    "raan_deg: 0}", "--set", "radiation={shielding_mm_al: 10}")
    ((path, message),) = cli_problems(result)
    assert path == "fleet.0.orbit"
    assert "at 1200 km it is outside the dose table" in message
    assert "(400–800 km)" in message and "radiation.dose_rad_per_year" in message


def test_shielding_outside_the_table_names_its_range() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(CONFIGS / "reference-shell.yaml", ["radiation.shielding_mm_al=30"])
    (problem,) = caught.value.problems
    assert problem.path == "radiation.shielding_mm_al"
    assert "must be in [1, 20] mm (the dose table's range), got 30" in problem.message


def test_a_zero_dose_rate_is_a_dose_rate() -> None:
    """``dose_rad_per_year: 0`` says where dose comes from: per-rad rates are then 0."""
    scenario = load_scenario(REBOOTS, ["radiation={dose_rad_per_year: 0}",
                                       f"{EFFECTS}.sdc_per_rad=1"])
    (part,) = scenario.fleet[0].design.parts
    assert part.radiation is not None and part.radiation.sdc_per_s == 0.0


def test_shielding_set_on_the_command_line_replaces_a_given_dose_rate() -> None:
    """The reference cluster gives 150 rad/yr; 5 mm at its 650 km, 98° orbit reads the table
    between the 55° (320 rad/yr) and 100° (294 rad/yr) columns."""
    scenario = load_scenario(CONFIGS / "reference-cluster.yaml",
                             ["radiation.shielding_mm_al=5"])
    assert 294.0 < scenario.fleet[0].dose_rad_per_s * 365.25 * 86_400 < 297.0
