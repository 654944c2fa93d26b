"""Radiation outages on a unit, against hand timelines: a reboot, an arrival while down, a
failure during a reboot, and a renewal during one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import simpy

from sim.model.calendar import Calendar
from sim.model.design import Design, Part
from sim.model.distributions import Fixed
from sim.model.recorder import Recorder
from sim.model.repair import NoRepair
from sim.model.satellite import Satellite
from sim.model.upsets import CAUSE_LATCHUP, CAUSE_REBOOT, Outages, RadiationEffects
from sim.scenario import FleetGroup, Scenario
from sim.units import DAY_S, MONTH_S

HORIZON_S = 10 * DAY_S


def satellite(env: simpy.Environment) -> tuple[Satellite, Recorder]:
    gpu = Part(name="gpu", path="gpu", role="compute", count=2, required=1,
               failure=Fixed(1e12), repair=NoRepair())
    recorder = Recorder([2.0], HORIZON_S, 0.5, DAY_S, MONTH_S, keep_log=True)
    return Satellite(0, "sats", Design(2.0, (gpu,)), recorder), recorder


def test_reboots_take_the_unit_down_and_ignore_arrivals_while_down() -> None:
    """Unit 0 reboots at day 1 for 2 days (an arrival at day 2 is not met), power-cycles at
    day 5 for 1 day: half the compute lost for 3 days of 10."""
    env = simpy.Environment()
    sat, recorder = satellite(env)
    unit = sat.root.groups[0].units[0]
    Outages(env, Calendar(env, HORIZON_S), sat, unit, [DAY_S, 2 * DAY_S, 5 * DAY_S],
            [2 * DAY_S, 9 * DAY_S, DAY_S], [CAUSE_REBOOT, CAUSE_REBOOT, CAUSE_LATCHUP])
    env.run(until=HORIZON_S)
    totals = recorder.finish()
    lost = {key: value / (2.0 * HORIZON_S) for key, value in totals.lost_pflop_s.items()}
    assert lost == pytest.approx({(CAUSE_REBOOT, "gpu"): 0.1, (CAUSE_LATCHUP, "gpu"): 0.05})
    assert totals.counts[("radiation_reboots", "gpu")] == 1
    assert totals.counts[("radiation_latchups", "gpu")] == 1
    assert unit.failed_cause is None


def test_a_failure_during_a_reboot_is_not_undone_when_the_reboot_ends() -> None:
    env = simpy.Environment()
    sat, recorder = satellite(env)
    unit = sat.root.groups[0].units[0]
    Outages(env, Calendar(env, HORIZON_S), sat, unit, [DAY_S], [2 * DAY_S], [CAUSE_REBOOT])
    failure = env.timeout(2 * DAY_S)
    failure.callbacks.append(lambda _: sat.fail(env.now, unit, "hardware_failure"))
    env.run(until=HORIZON_S)
    assert unit.failed_cause == "hardware_failure"
    totals = recorder.finish()
    lost = {key: value / (2.0 * HORIZON_S) for key, value in totals.lost_pflop_s.items()}
    # Half the compute: 1 day rebooting, then 8 days failed.
    assert lost == pytest.approx({(CAUSE_REBOOT, "gpu"): 0.05, ("hardware_failure", "gpu"): 0.4})


def test_effects_check_their_values() -> None:
    with pytest.raises(ValueError, match="reboot"):
        RadiationEffects(sefi_per_s=1e-6)
    with pytest.raises(ValueError, match="latchup_damage_probability"):
        RadiationEffects(latchup_damage_probability=2.0)
    effects = RadiationEffects(uncorrectable_per_s=2.0, sdc_per_s=10.0, sdc_detected_share=0.1,
                               latchup_per_s=4.0, latchup_damage_probability=0.25,
                               power_cycle=Fixed(1.0))
    assert effects.job_interrupts_per_s == pytest.approx(3.0)
    assert effects.transient_latchups_per_s + effects.damaging_latchups_per_s == 4.0
    assert effects.wears_out


def test_scenario_types_accept_a_workload() -> None:
    """A fleet group's workload is optional and independent by default."""
    group = FleetGroup("sats", 1, Design(1.0, ()))
    assert group.workload is None and group.dose_rad_per_s == 0.0
    assert Scenario("s", "", datetime(2027, 1, 1, tzinfo=UTC), DAY_S, 0.5, (group,)).saa is None
