"""Every orbit of one satellite decided at the horizon from the states it went through.

The satellite's state is fixed between its changes (*intervals*), and its battery's usable
energy changes only at *fade points* (every state change and every power step), so orbits
fall into *windows* of one state and one usable energy. Orbits started in states of one
hardware capacity and battery regime (covering, or failed) form a *run*, which follows one
profile (``sim.model.power.profiles``) and is summed by lookups. Fade is first taken from
what the eclipses ask; that is the most the battery can have faded, so the orbits whose need
exceeds even the energy left then are the only ones that may fall short. Those alone are
decided one by one, their fade and the battery's usable energy iterated to the fixed point the
orbit-by-orbit walk reaches.

Orbits to be decided one by one (*special*: those, and the orbits a state change falls
inside, whose losses follow the change) are returned with their states (``settle`` decides
them, for many satellites at once); the rest are returned as sums of profile rows and
registered with the fleet's load.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from sim.model.power.energy import Orbits, PowerDesign, decide, fade_increment
from sim.model.power.load import FleetLoad
from sim.model.power.losses import state_of_charge
from sim.model.power.profiles import FADE, ROWS, Profile, ProfileSet, build_profile, profile_set

# The fade fixed point: at most this many passes, stopping once no orbit's fade moves more.
FADE_ITERATIONS = 50
FADE_TOLERANCE = 1e-15


@dataclass(frozen=True, slots=True)
class Aggregated:
    """One satellite's orbits: the special ones, to be decided one by one (``index``, with
    the state at each start), and the sums of profile rows over the rest (battery covering;
    battery failed), with their lowest state of charge."""

    index: np.ndarray
    hardware: np.ndarray
    strings: np.ndarray
    usable_j: np.ndarray
    covered: np.ndarray
    failed: np.ndarray
    min_state_of_charge: float


@dataclass(frozen=True, slots=True)
class _Windows:
    """Runs of orbits with one state and one usable energy: window ``r`` holds orbits
    [start[r], stop[r]) with the state ``hardware[r]``, ``strings[r]`` and ``fade`` at its
    start."""

    start: np.ndarray
    stop: np.ndarray
    hardware: np.ndarray
    strings: np.ndarray
    fade: np.ndarray

    def of(self, orbit: np.ndarray) -> np.ndarray:
        """The window of each of ``orbit``."""
        return np.searchsorted(self.start, orbit, side="right") - 1


@dataclass(frozen=True, slots=True)
class _Run:
    """Orbits [start, stop), all decided in one profile's state."""

    profile: Profile
    start: int
    stop: int


def aggregate(design: PowerDesign, orbits: Orbits, times_s: np.ndarray,
              hardware_states: np.ndarray, battery_states: np.ndarray, horizon_s: float,
              step_s: float, reuse: bool, load: FleetLoad, weight: float) -> Aggregated:
    """Decide and sum every orbit of a satellite whose state was ``hardware_states[k]`` and
    ``battery_states[k]`` from ``times_s[k]`` on."""
    battery = design.battery
    full_j = battery.capacity_j * battery.max_depth_of_discharge
    efficiency = battery.discharge_efficiency
    runs, kept = _runs(design, orbits, times_s, hardware_states, battery_states, reuse)
    windows = _windows(orbits, times_s, hardware_states, battery_states, horizon_s, step_s,
                       battery.calendar_fade_per_s, runs, kept)
    need_j = np.concatenate([run.profile.need_at(run.start, run.stop) for run in runs])
    usable_j = full_j * windows.strings * np.maximum(0.0, 1.0 - windows.fade)
    filled = windows.stop > windows.start
    most_j = np.zeros(len(filled))
    most_j[filled] = np.maximum.reduceat(need_j, windows.start[filled])
    dirty = filled & (windows.strings > 0.0) & (most_j > usable_j * efficiency)
    orbit, window = _expand(windows, np.flatnonzero(dirty))
    may_fall_short = need_j[orbit] > (usable_j * efficiency)[window]
    short = orbit[may_fall_short]
    fade = windows.fade - _fade_saved(design, orbits, windows, short, window[may_fall_short],
                                      need_j[short] / efficiency, full_j)
    usable_j = full_j * windows.strings * np.maximum(0.0, 1.0 - fade)
    most_kept_j = np.where(windows.strings > 0.0, most_j, 0.0)
    if len(orbit):
        kept_need = np.where(may_fall_short, 0.0, need_j[orbit])
        most_kept_j[dirty] = np.maximum.reduceat(kept_need, np.searchsorted(
            window, np.flatnonzero(dirty)))
    special = np.union1d(short, _straddling(orbits, times_s))
    covered, failed = _kept_totals(orbits, runs, special, load, weight)
    cycled = most_kept_j > 0.0
    state = state_of_charge(most_kept_j[cycled] / efficiency, usable_j[cycled],
                            battery.max_depth_of_discharge)
    window = windows.of(special)
    return Aggregated(special, windows.hardware[window], windows.strings[window],
                      usable_j[window], covered, failed, float(np.min(state, initial=1.0)))


def _runs(design: PowerDesign, orbits: Orbits, times_s: np.ndarray,
          hardware_states: np.ndarray, battery_states: np.ndarray, reuse: bool
          ) -> tuple[list[_Run], ProfileSet | None]:
    """The orbits split where the state starting them changes profile (hardware capacity, or
    battery failed or not), each run with its profile; and the set they were kept in, when
    the orbits are reused."""
    n = len(orbits)
    bounds = np.append(np.searchsorted(orbits.start_s, times_s, side="left"), n)
    holding = np.flatnonzero(bounds[:-1] < bounds[1:])
    hardware = hardware_states[holding]
    covered = battery_states[holding] > 0.0
    opens = np.ones(len(holding), dtype=bool)
    opens[1:] = (hardware[1:] != hardware[:-1]) | (covered[1:] != covered[:-1])
    starts = bounds[holding[opens]].tolist()
    stops = [*starts[1:], n]
    states = zip(hardware[opens].tolist(), covered[opens].tolist(), starts, stops, strict=True)
    if not reuse:
        return [_Run(build_profile(design, orbits, h, c, a, b), a, b)
                for h, c, a, b in states], None
    kept = profile_set(design, orbits)
    return [_Run(kept.get(h, c), a, b) for h, c, a, b in states], kept


def _windows(orbits: Orbits, times_s: np.ndarray, hardware_states: np.ndarray,
             battery_states: np.ndarray, horizon_s: float, step_s: float,
             calendar_fade_per_s: float, runs: list[_Run], kept: ProfileSet | None
             ) -> _Windows:
    """The windows between fade points, with the fade the eclipses ask for at each start."""
    points = np.union1d(times_s[1:], _steps(step_s, horizon_s))
    opens_s = np.concatenate([[0.0], points])
    start = np.searchsorted(orbits.start_s, opens_s, side="left")
    interval = np.searchsorted(times_s, opens_s, side="right") - 1
    run_starts = np.array([run.start for run in runs])
    run_of_window = np.searchsorted(run_starts, start, side="right") - 1
    if kept is not None:
        # Every profile spans all orbits: one gather from the stacked prefix sums.
        table = kept.fade_prefix
        row = np.array([kept.rows[run.profile.hardware, run.profile.covered] for run in runs])
        run_stops = np.append(run_starts[1:], len(orbits))
        within = table[row, run_stops] - table[row, run_starts]
        base = np.cumsum(within) - within
        asked = (base[run_of_window] + table[row[run_of_window], start]
                 - table[row[run_of_window], run_starts[run_of_window]])
    else:
        asked = _asked_by_run(runs, start, run_of_window)
    return _Windows(start=start, stop=np.append(start[1:], len(orbits)),
                    hardware=hardware_states[interval], strings=battery_states[interval],
                    fade=calendar_fade_per_s * opens_s + asked)


@functools.lru_cache(maxsize=8)
def _steps(step_s: float, horizon_s: float) -> np.ndarray:
    """The power steps' fade points before the horizon (shared: do not modify)."""
    return np.arange(step_s, horizon_s, step_s)


def _asked_by_run(runs: list[_Run], start: np.ndarray, run_of_window: np.ndarray
                  ) -> np.ndarray:
    """Fade asked by the orbits before each window's start, run by run (profiles over runs
    alone)."""
    first_window = np.searchsorted(run_of_window, np.arange(len(runs) + 1), side="left")
    asked = np.empty(len(start))
    base = 0.0
    for r, run in enumerate(runs):
        prefix = run.profile.prefix
        first = run.profile.first
        at_start = prefix[run.start - first, FADE]
        windows = slice(first_window[r], first_window[r + 1])
        asked[windows] = base + (prefix[start[windows] - first, FADE] - at_start)
        base += prefix[run.stop - first, FADE] - at_start
    return asked


def _expand(windows: _Windows, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every orbit of windows ``chosen`` (in order), and the window of each."""
    lengths = windows.stop[chosen] - windows.start[chosen]
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    offsets = np.cumsum(lengths) - lengths
    orbit = np.arange(total) + np.repeat(windows.start[chosen] - offsets, lengths)
    return orbit, np.repeat(chosen, lengths)


def _fade_saved(design: PowerDesign, orbits: Orbits, windows: _Windows, short: np.ndarray,
                short_window: np.ndarray, asked_j: np.ndarray, full_j: float) -> np.ndarray:
    """How much less each window's battery has faded than the asked draws say, once the
    orbits ``short`` (sorted; in windows ``short_window``; asking ``asked_j``) draw what the
    battery actually gives: the fade ↔ draw fixed point over those orbits alone."""
    if len(short) == 0:
        return np.zeros(len(windows.start))
    battery = design.battery
    eclipse_array_w, sun_array_w = orbits.array_w(design)
    eclipse_array_w = eclipse_array_w[short]
    sun_array_w = sun_array_w[short]
    hardware = windows.hardware[short_window]
    strings = windows.strings[short_window]
    asked_fade = fade_increment(battery, asked_j)
    before = np.searchsorted(short, windows.start[short_window], side="left")
    fade = windows.fade[short_window]
    for _ in range(FADE_ITERATIONS):
        usable_j = full_j * strings * np.maximum(0.0, 1.0 - fade)
        drawn_j = decide(design, orbits, short, hardware, usable_j, eclipse_array_w,
                         sun_array_w).drawn_j
        saved = np.concatenate([[0.0], np.cumsum(asked_fade - fade_increment(battery,
                                                                             drawn_j))])
        updated = windows.fade[short_window] - saved[before]
        if np.max(np.abs(updated - fade), initial=0.0) <= FADE_TOLERANCE:
            return saved[np.searchsorted(short, windows.start, side="left")]
        fade = updated
    raise RuntimeError("battery fade did not converge")


def _straddling(orbits: Orbits, times_s: np.ndarray) -> np.ndarray:
    """Orbits a state change falls strictly inside (their losses follow the change)."""
    changes = times_s[1:]
    orbit = np.searchsorted(orbits.start_s, changes, side="right") - 1
    inside = (orbit >= 0) & (changes > orbits.start_s[orbit]) & (changes < orbits.end_s[orbit])
    return np.unique(orbit[inside])


def _kept_totals(orbits: Orbits, runs: list[_Run], special: np.ndarray, load: FleetLoad,
                 weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Profile rows summed over the orbits that are not special (battery covering; battery
    failed), each run registered with ``load``."""
    sums = {True: np.zeros(ROWS), False: np.zeros(ROWS)}
    cuts = np.searchsorted(special, [run.start for run in runs] + [runs[-1].stop]).tolist()
    for r, run in enumerate(runs):
        found = run.profile
        skipped = special[cuts[r]:cuts[r + 1]]
        total = found.totals(run.start, run.stop)
        if len(skipped):
            total = total - found.rows(skipped).sum(axis=0)
        sums[found.covered] += total
        load.add(orbits, found, weight, run.start, run.stop, skipped)
    return sums[True], sums[False]
