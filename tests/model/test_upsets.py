"""Radiation outages on a unit, against hand timelines: a reboot, an arrival while down, a
failure during a reboot, and a renewal during one; and a satellite's outages taken as a
stream (when it next changes or is read), against the same timelines as events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import simpy

from sim.model.calendar import Calendar
from sim.model.design import Design, Part
from sim.model.distributions import Fixed
from sim.model.recorder import Recorder
from sim.model.repair import NoRepair
from sim.model.satellite import Satellite
from sim.model.upsets import (
    CAUSE_LATCHUP,
    CAUSE_REBOOT,
    Outages,
    OutageStream,
    RadiationEffects,
)
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


# Two units' outages (arrival, duration, cause), in days: unit 1's at day 1.5 begins while
# unit 0's is under way (both down then), unit 0's own at day 1.8 falls in its outage and is
# not met, unit 1's at day 7 while unit 0 has failed (day 6.5 on) is met, unit 0's at day 7.5
# is not. The arrivals at 1.5, 1.8 and 7.5 begin before an earlier outage has ended.
STREAM = (
    [(1.0, 1.0, CAUSE_REBOOT), (1.8, 1.0, CAUSE_REBOOT), (4.0, 0.25, CAUSE_LATCHUP),
     (7.5, 1.0, CAUSE_REBOOT)],
    [(1.5, 1.0, CAUSE_REBOOT), (5.0, 0.5, CAUSE_REBOOT), (7.0, 2.0, CAUSE_REBOOT)],
)
FAILED_AT_DAYS = 6.5


class CountingCalendar(Calendar):
    """A calendar that counts the entries it is given."""

    def __init__(self, env: simpy.Environment, horizon_s: float):
        super().__init__(env, horizon_s)
        self.entries = 0

    def at(self, time_s: float, callback: Any, value: Any = None) -> None:
        self.entries += 1
        super().at(time_s, callback, value)


def run_outages(as_stream: bool, read_at_days: tuple[float, ...] = ()
                ) -> tuple[Recorder, Satellite, CountingCalendar]:
    """``STREAM`` on a satellite of two gpus, unit 0 failing at ``FAILED_AT_DAYS``: as one
    ``OutageStream`` (brief outages), or as each unit's ``Outages`` (events); its capacity is
    read at ``read_at_days``."""
    env = simpy.Environment()
    sat, recorder = satellite(env)
    calendar = CountingCalendar(env, HORIZON_S)
    units = sat.root.groups[0].units
    outages = [(unit, [a * DAY_S for a, _, _ in rows], [d * DAY_S for _, d, _ in rows],
                [c for _, _, c in rows]) for unit, rows in zip(units, STREAM, strict=True)]
    if as_stream:
        sat.enable_brief_outages(env, {})
        sat.take_outages(OutageStream(env, calendar, sat, outages))
    else:
        for unit_outages in outages:
            Outages(env, calendar, sat, *unit_outages)
    failure = env.timeout(FAILED_AT_DAYS * DAY_S)
    failure.callbacks.append(lambda _: sat.fail(env.now, units[0], "hardware_failure"))
    for day in read_at_days:
        env.timeout(day * DAY_S).callbacks.append(lambda _: sat.capacity)
    env.run(until=HORIZON_S)
    sat.settle(HORIZON_S)
    return recorder, sat, calendar


def test_a_stream_gives_what_events_give() -> None:
    """Every loss, count and logged event as with each outage an event; only the outage that
    begins while another is under way waits in the calendar."""
    (stream, sat, calendar), (events, _, _) = run_outages(True), run_outages(False)
    assert stream.log is not None and events.log is not None
    assert sorted(stream.log) == sorted(events.log)
    a, b = stream.finish(), events.finish()
    assert a.counts == b.counts
    assert a.counts[("radiation_reboots", "gpu")] == 4
    assert a.lost_pflop_s == pytest.approx(b.lost_pflop_s, rel=1e-12)
    assert a.delivered_pflop_s == pytest.approx(b.delivered_pflop_s, rel=1e-12)
    # Unit 0 reboots days 1-2, power-cycles 4-4.25 and has failed from 6.5; unit 1 reboots
    # days 1.5-2.5, 5-5.5 and 7-9. Each unit is half the compute, and a satellite with both
    # down charges half its loss to each.
    lost = {key: value / (2.0 * HORIZON_S) for key, value in a.lost_pflop_s.items()}
    assert lost == pytest.approx({(CAUSE_REBOOT, "gpu"): (1.0 + 1.0 + 0.5 + 2.0) / 20,
                                  (CAUSE_LATCHUP, "gpu"): 0.25 / 20,
                                  ("hardware_failure", "gpu"): 3.5 / 20})
    assert sat._outages is not None and sat._outages.next_s == float("inf")
    assert calendar.entries == 3


def test_a_stream_is_taken_up_to_a_read() -> None:
    """Read in the middle of an outage, the satellite gives the capacity it has then, and the
    totals stay as with no read."""
    recorder, sat, _ = run_outages(True, read_at_days=(1.2, 4.1, 5.2))
    read, unread = recorder.finish(), run_outages(True)[0].finish()
    assert read.lost_pflop_s == pytest.approx(unread.lost_pflop_s, rel=1e-12)
    assert read.counts == unread.counts
    env = simpy.Environment()
    sat, _ = satellite(env)
    units = sat.root.groups[0].units
    sat.enable_brief_outages(env, {})
    sat.take_outages(OutageStream(env, Calendar(env, HORIZON_S), sat, [
        (units[0], [DAY_S], [DAY_S], [CAUSE_REBOOT])]))
    seen = []
    for day in (0.5, 1.5, 2.5):
        env.timeout(day * DAY_S).callbacks.append(lambda _: seen.append(sat.capacity))
    env.run(until=3 * DAY_S)
    assert seen == [1.0, 0.5, 1.0]


def test_a_stream_needs_brief_outages() -> None:
    env = simpy.Environment()
    sat, _ = satellite(env)
    with pytest.raises(ValueError, match="brief outages"):
        sat.take_outages(OutageStream(env, Calendar(env, HORIZON_S), sat, []))


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
