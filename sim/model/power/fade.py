"""How much a satellite's battery has faded, and so how much energy it can give, orbit by orbit.

Fade is applied at *fade points*: every change of the satellite's state and every
``POWER_STEP_S``. Between two fade points (a *window*) the battery's usable energy is fixed;
at a fade point it takes the calendar fade to that moment and the cycle fade of every eclipse
that started before it. An eclipse's cycle fade counts the energy the eclipse asks of the
battery (the bus and the compute at the rule's level, with the state at the eclipse's start)
but at most the battery's usable energy then: fade follows the load the satellite puts on
its battery, not the battery's own shortfalls (a battery that cannot carry its eclipse is
drained to its limit either way), which lets the usable energy of every orbit be known before
the orbits are run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.power.orbits import sorted_unique
from sim.model.power.profiles import FADE, ProfileSet, Run
from sim.model.power.rules import BatteryDesign, cycle_fade, usable_energy_j


@dataclass(frozen=True, slots=True)
class Windows:
    """A satellite's windows between fade points: window ``w`` starts at ``start_s[w]`` and
    holds orbits [first[w], first[w + 1]) (``first`` has one more entry), all in one run of
    orbits (``run[w]``) and the state ``hardware[w]``, ``strings[w]``, with ``fade[w]`` and
    ``usable_j[w]`` throughout, and ``most_need_j[w]`` the most any of its eclipses asks of
    the battery."""

    start_s: np.ndarray
    first: np.ndarray
    run: np.ndarray
    hardware: np.ndarray
    strings: np.ndarray
    fade: np.ndarray
    usable_j: np.ndarray
    most_need_j: np.ndarray

    def of(self, orbit: np.ndarray | int) -> np.ndarray:
        """The window holding each of ``orbit``."""
        return np.searchsorted(self.first, orbit, side="right") - 1


def power_steps(step_s: float, horizon_s: float) -> np.ndarray:
    """The periodic fade points before the horizon."""
    return np.arange(step_s, horizon_s, step_s)


def windows(battery: BatteryDesign, profiles: ProfileSet, runs: list[Run],
            start_s: np.ndarray, times_s: np.ndarray, hardware_states: np.ndarray,
            battery_states: np.ndarray, steps_s: np.ndarray) -> Windows:
    """The windows of a satellite whose state was ``hardware_states[k]``,
    ``battery_states[k]`` from ``times_s[k]`` on, over orbits starting at ``start_s`` and
    split into ``runs``, with the fade and usable energy of each."""
    opens_s = sorted_unique(np.concatenate([times_s, steps_s]))
    first = np.searchsorted(start_s, opens_s, side="left")
    state = np.searchsorted(times_s, opens_s, side="right") - 1
    strings = battery_states[state]
    bounds = np.append(first, len(start_s))
    run_starts = np.array([r.start for r in runs])
    run = np.searchsorted(run_starts, first, side="right") - 1
    if profiles.whole:
        asked, most = _asked_from_tables(profiles, runs, run, bounds)
    else:
        asked, most = _asked_by_run(runs, run, bounds)
    fade = _fade(battery, runs, opens_s, run, bounds, strings, asked, most)
    return Windows(start_s=opens_s, first=bounds, run=run, hardware=hardware_states[state],
                   strings=strings, fade=fade,
                   usable_j=np.asarray(usable_energy_j(battery, strings, fade)),
                   most_need_j=most)


def _asked_from_tables(profiles: ProfileSet, runs: list[Run], run: np.ndarray,
                       bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fade each window's eclipses ask for and their deepest need, from the stacked
    tables of profiles that cover every orbit."""
    fade, need = profiles.tables()
    row = np.array([profiles.row(found.profile) for found in runs])[run]
    a, b = bounds[:-1], bounds[1:]
    asked = fade[row, b] - fade[row, a]
    most = np.zeros(len(a))
    filled = np.flatnonzero(b > a)
    if len(filled):
        # reduceat over (start, stop) pairs in the flattened table reduces each window's own
        # orbits (the pairs between windows are dropped).
        stride = need.shape[1]
        base = row[filled] * stride
        pairs = np.stack([base + a[filled], base + b[filled]], axis=1).ravel()
        most[filled] = np.maximum.reduceat(need.ravel(), pairs)[::2]
    return asked, most


def _asked_by_run(runs: list[Run], run: np.ndarray, bounds: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The fade each window's eclipses ask for and their deepest need, run by run (each run
    with a profile of its own)."""
    # The windows of a run follow one another: run r's are [blocks[r], blocks[r + 1]).
    blocks = np.searchsorted(run, np.arange(len(runs) + 1))
    asked = np.zeros(len(run))
    most = np.zeros(len(run))
    for r, found in enumerate(runs):
        chosen = slice(blocks[r], blocks[r + 1])
        profile = found.profile
        a = bounds[blocks[r]:blocks[r + 1]] - profile.first
        b = bounds[blocks[r] + 1:blocks[r + 1] + 1] - profile.first
        fade = profile.prefix[:, FADE]
        asked[chosen] = fade[b] - fade[a]
        filled = b > a
        if filled.any():
            need = np.append(profile.need_j, 0.0)
            pairs = np.stack([a[filled], b[filled]], axis=1).ravel()
            most[chosen][filled] = np.maximum.reduceat(need, pairs)[::2]
    return asked, most


def _fade(battery: BatteryDesign, runs: list[Run], opens_s: np.ndarray, run: np.ndarray,
          bounds: np.ndarray, strings: np.ndarray, asked: np.ndarray, most_need_j: np.ndarray
          ) -> np.ndarray:
    """Fade at each window's start: the calendar fade to it and the cycle fade of every
    eclipse before it, each draw at most the usable energy of its window."""
    efficiency = battery.discharge_efficiency
    # A window with no working battery cycles nothing, whatever its fade.
    cycles = np.where(strings > 0.0, asked, 0.0)
    fade = battery.calendar_fade_per_s * opens_s + np.concatenate([[0.0], np.cumsum(cycles)])[:-1]
    # The draws of the profile are the most the battery can fade by; where some draw exceeds
    # the usable energy even so, the windows from the first such one are taken in turn.
    usable = np.asarray(usable_energy_j(battery, strings, fade))
    capped = (strings > 0.0) & (most_need_j / efficiency > usable)
    if not capped.any():
        return fade
    first = int(np.argmax(capped))
    fade = fade.copy()
    for w in range(first, len(run)):
        if w > first:
            fade[w] = (fade[w - 1] + battery.calendar_fade_per_s * (opens_s[w] - opens_s[w - 1])
                       + cycles[w - 1])
        if strings[w] > 0.0:
            usable_w = float(usable_energy_j(battery, strings[w], fade[w]))
            if most_need_j[w] / efficiency > usable_w:
                need = runs[run[w]].profile.needs(bounds[w], bounds[w + 1])
                cycles[w] = float(np.sum(cycle_fade(
                    battery, np.minimum(need / efficiency, usable_w))))
    return fade
