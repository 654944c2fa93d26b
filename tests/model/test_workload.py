"""Training jobs settled from their members' changes and upsets, against hand computation."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from support import CONFIGS

from sim.config.loader import to_scenario, validate_document
from sim.model.workload import JobLog, JobOutcome, TrainingWorkload
from sim.replicate import build
from sim.rng import Streams
from sim.units import HOUR_S

C_S = 2 * HOUR_S
W_S = 0.5 * HOUR_S
R_S = 1 * HOUR_S


def workload(write_s: float = 0.0) -> TrainingWorkload:
    return TrainingWorkload(2, C_S, write_s, R_S)


def test_no_interruption_loses_only_checkpoint_writes() -> None:
    job = JobLog(10, [1.0, 3.0])
    outcome = job.settle(workload(W_S), 25 * HOUR_S)
    # 10 full cycles of 2.5 h fit in 25 h: 10 writes of 0.5 h at 4 PFLOPS.
    assert outcome.checkpoint_pflop_s == pytest.approx(10 * W_S * 4.0)
    assert outcome.restart_pflop_s == outcome.rollback_pflop_s == 0.0
    assert outcome.interruptions == 0


def test_an_upset_rolls_back_to_the_last_checkpoint_and_restarts() -> None:
    job = JobLog(0, [1.0, 1.0])
    # At 5 h: 2 checkpoints done (4 h), 1 h of work lost; restart 1 h; then work to 20 h.
    job.add_upsets(np.array([1]), np.array([5 * HOUR_S]), np.array([0.5]))
    outcome = job.settle(workload(), 20 * HOUR_S)
    assert outcome.interruptions == 1
    assert outcome.rollback_pflop_s == pytest.approx(1 * HOUR_S * 2.0)
    assert outcome.restart_pflop_s == pytest.approx(R_S * 2.0)


def test_upsets_given_as_fleet_wide_members_with_the_jobs_first_are_the_jobs_own() -> None:
    """A job's upsets may come as views of a fleet group's arrays (members numbered in the
    group, ``first`` the job's first member): the outcome is that of members within the job."""
    fleet_members = np.array([6, 7, 7], dtype=np.int32)
    times = np.array([5 * HOUR_S, 9 * HOUR_S, 13 * HOUR_S])
    draws = np.array([0.5, 0.7, 0.2])
    within, fleet_wide = JobLog(6, [1.0, 1.0]), JobLog(6, [1.0, 1.0])
    within.changed(8 * HOUR_S, 7, 0.6)
    fleet_wide.changed(8 * HOUR_S, 7, 0.6)
    within.add_upsets(fleet_members - 6, times, draws)
    fleet_wide.add_upsets(fleet_members, times, draws, first=6)
    # The upset at 9 h draws 0.7 ≥ 0.6: it finds its device down and does not interrupt.
    assert fleet_wide.settle(workload(), 20 * HOUR_S) == within.settle(workload(), 20 * HOUR_S)
    assert within.settle(workload(), 20 * HOUR_S).interruptions == 3


def test_an_interruption_during_a_restart_starts_it_over() -> None:
    job = JobLog(0, [1.0, 1.0])
    job.add_upsets(np.array([0, 0]), np.array([5 * HOUR_S, 5.5 * HOUR_S]), np.array([0.1, 0.1]))
    outcome = job.settle(workload(), 20 * HOUR_S)
    assert outcome.interruptions == 2
    # Restarts: 0.5 h (cut short) + 1 h; rollback only the 1 h of work before the first.
    assert outcome.restart_pflop_s == pytest.approx(1.5 * HOUR_S * 2.0)
    assert outcome.rollback_pflop_s == pytest.approx(1 * HOUR_S * 2.0)


def test_a_member_dropping_interrupts_and_its_capacity_weights_the_loss() -> None:
    job = JobLog(4, [2.0, 2.0])
    job.changed(3 * HOUR_S, 5, 0.5)   # member 1 drops to half: an interruption
    job.changed(10 * HOUR_S, 5, 1.0)  # and recovers: not one
    outcome = job.settle(workload(), 12 * HOUR_S)
    assert outcome.interruptions == 1
    # Rollback of the 1 h since the checkpoint at 2 h, at 4 PFLOPS; restart 1 h at 3 PFLOPS.
    assert outcome.rollback_pflop_s == pytest.approx(1 * HOUR_S * 4.0)
    assert outcome.restart_pflop_s == pytest.approx(R_S * 3.0)


def test_upsets_on_a_member_that_is_down_are_not_met() -> None:
    """An upset is met with probability its member's capacity then: never while it is down,
    always when whole."""
    job = JobLog(0, [1.0, 1.0])
    job.changed(1 * HOUR_S, 0, 0.0)
    job.changed(6 * HOUR_S, 0, 1.0)
    job.add_upsets(np.array([0, 0]), np.array([3 * HOUR_S, 8 * HOUR_S]), np.array([0.0, 0.99]))
    outcome = job.settle(workload(), 12 * HOUR_S)
    # Interruptions: the drop at 1 h and the upset at 8 h; not the upset at 3 h.
    assert outcome.interruptions == 2


def test_jobs_split_the_group_and_the_last_takes_the_rest() -> None:
    assert [list(r) for r in TrainingWorkload(3, 1.0, 0.0, 0.0).jobs(7)] == [
        [0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError, match="checkpoint_interval"):
        TrainingWorkload(1, 0.0, 0.0, 0.0)


def test_job_upsets_are_drawn_when_settled_whatever_the_order() -> None:
    """A fleet group's job upsets are drawn when the first of its jobs is settled (none are
    held through the event loop), each job drops its own once settled, and every job's
    outcome is the same whichever job is settled first."""
    doc = yaml.safe_load((CONFIGS / "validation" / "radiation_goodput.yaml").read_text(
        encoding="utf-8"))
    doc["fleet"][0]["workload"]["satellites_per_job"] = 3
    doc["fleet"][0]["count"] = 10
    scenario = to_scenario(validate_document(doc))

    def outcomes(order: int) -> list[JobOutcome]:
        wiring = build(scenario, Streams(7, 0))
        jobs = wiring.jobs[::order]
        assert len(jobs) == 4
        assert all(not job._interrupts for job, _ in jobs)
        wiring.env.run(until=scenario.horizon_s)
        found = []
        for job, work in jobs:
            found.append(job.settle(work, scenario.horizon_s))
            assert job._interrupts
            job.drop_upsets()
            assert not job._interrupts
        return found[::order]

    forward = outcomes(1)
    assert sum(outcome.interruptions for outcome in forward) > 0
    assert outcomes(-1) == forward
