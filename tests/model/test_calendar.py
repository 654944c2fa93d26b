"""The calendar of timed callbacks: every entry runs once, in time order, at its time, however
entries are added (ahead, in the bucket being run, earlier than the armed time, from inside a
callback), and none at or after the horizon."""

from __future__ import annotations

import numpy as np
import simpy

from sim.model.calendar import Calendar

HORIZON_S = 100.0


def test_entries_run_in_time_order_at_their_times_and_none_past_the_horizon() -> None:
    env = simpy.Environment()
    calendar = Calendar(env, HORIZON_S, bucket_s=7.0)
    rng = np.random.default_rng(5)
    times = rng.uniform(0.0, 1.2 * HORIZON_S, 500)
    ran: list[tuple[float, float]] = []
    for time_s in times:
        calendar.at(float(time_s), lambda t: ran.append((env.now, t)), float(time_s))
    env.run(until=HORIZON_S)
    due = np.sort(times[times < HORIZON_S])
    assert [t for _, t in ran] == due.tolist()
    assert all(abs(now - t) <= 1e-12 * HORIZON_S for now, t in ran)


def test_entries_added_while_running_earlier_than_armed_and_in_the_current_bucket() -> None:
    """A callback that adds entries (one now, one later in its bucket, one far ahead), and
    entries added from outside earlier than the one armed, all run in time order."""
    env = simpy.Environment()
    calendar = Calendar(env, HORIZON_S, bucket_s=10.0)
    ran: list[str] = []

    def spawn(name: str) -> None:
        ran.append(name)
        if name == "a":
            calendar.at(env.now, ran.append, "a-now")
            calendar.at(env.now + 1.0, ran.append, "a+1")
            calendar.at(env.now + 55.0, ran.append, "a+55")

    calendar.at(50.0, spawn, "late")
    calendar.at(31.0, spawn, "a")
    early = env.timeout(5.0)
    early.callbacks.append(lambda _: calendar.at(20.0, ran.append, "added at 5 for 20"))
    env.run(until=HORIZON_S)
    assert ran == ["added at 5 for 20", "a", "a-now", "a+1", "late", "a+55"]


def test_ties_run_in_the_order_added_and_an_empty_calendar_arms_nothing() -> None:
    env = simpy.Environment()
    calendar = Calendar(env, HORIZON_S)
    ran: list[int] = []
    for k in range(5):
        calendar.at(3.0, ran.append, k)
    env.run(until=HORIZON_S)
    assert ran == [0, 1, 2, 3, 4]
    idle = simpy.Environment()
    Calendar(idle, HORIZON_S).at(HORIZON_S, ran.append, 9)
    assert idle.peek() == float("inf")


def test_a_long_horizon_holds_only_the_buckets_in_use() -> None:
    """Buckets exist only where entries wait: a horizon of a billion buckets costs nothing."""
    env = simpy.Environment()
    calendar = Calendar(env, 1e15, bucket_s=1e6)
    ran: list[float] = []
    for time_s in (5e14, 3e6, 7e13):
        calendar.at(time_s, ran.append, time_s)
    env.run(until=1e15)
    assert ran == [3e6, 7e13, 5e14]
