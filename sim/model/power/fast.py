"""The fast path: every orbit of many satellites decided at the horizon from the states they
went through, giving what the orbit-by-orbit walk gives.

For one satellite: the orbits are split into *runs* by the hardware capacity at their starts,
each following one profile (``profiles``), and into *windows* between fade points
(``fade``), which fix the battery's usable energy. An orbit is clean, and summed from its
profile, unless its battery falls short of its eclipse, the sunlight after it cannot recharge
the battery, a state change falls inside it, the usable energy rises at its start (strings
back in service), or it is the last (its recharge runs past the horizon). Those run as
chains (``chains``), for every satellite of a batch at once, and the clean orbits are the
rest. Their losses over time are summed over satellites (``load``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from sim.model.power.causes import charge_causes
from sim.model.power.chains import ChainResults, SatelliteStates, run_chains
from sim.model.power.fade import Windows, power_steps, windows
from sim.model.power.orbits import Orbits, sorted_unique
from sim.model.power.profiles import (
    DESIGN_SUNLIT_LOSS,
    ECLIPSE_LOSS,
    FIRST_LEDGER_ROW,
    LEDGER_ROWS,
    ROWS,
    SUNLIT_LOSS,
    Profile,
    ProfileSet,
    Run,
    bus_deficit_w,
    runs,
)
from sim.model.power.rules import PowerDesign


@dataclass(frozen=True, slots=True)
class Settled:
    """One satellite's power over its horizon: lost fraction-seconds by cause, the energy
    ledger (J; and counts), its lowest state of charge, the periods it was down after a
    brownout ([start, end) pairs: each begins when the bus loses power with the satellite up;
    losses of power while it recovers extend it), and whether it was down at the horizon."""

    by_cause: dict[str, float]
    ledger: dict[str, float]
    lowest_state_of_charge: float
    down: list[tuple[float, float]]
    down_at_end: bool


@dataclass
class Pending:
    """One satellite's orbits, prepared: its runs, windows and the orbits to run as chains;
    ``close`` receives what was settled."""

    runs: list[Run]
    windows: Windows
    states: SatelliteStates
    chain_starts: tuple[np.ndarray, np.ndarray]
    close: Callable[[Settled], None]


def prepare(design: PowerDesign, orbits: Orbits, profiles: ProfileSet, times_s: np.ndarray,
            hardware_states: np.ndarray, battery_states: np.ndarray, horizon_s: float,
            step_s: float, weight: float, close: Callable[[Settled], None],
            lag_s: float = 0.0) -> Pending:
    """A satellite whose state was ``hardware_states[k]``, ``battery_states[k]`` from
    ``times_s[k]`` on (in the orbits' time), ready to settle; it runs ``lag_s`` ahead of the
    orbits, which the losses it hands over are moved back by."""
    efficiency = design.battery.discharge_efficiency
    split = runs(profiles, orbits.start_s, times_s, hardware_states)
    found = windows(design.battery, profiles, split, orbits.start_s, times_s,
                    hardware_states, battery_states, power_steps(step_s, horizon_s))
    short, dead = _short_orbits(profiles, split, found, efficiency)
    unclean = _unclean_in_runs(split)
    rises = found.first[1:-1][np.diff(found.usable_j) > 0.0]
    candidates = sorted_unique(np.concatenate([
        short, *unclean, _straddling(orbits, times_s), rises[rises < len(orbits)],
        [len(orbits) - 1]])).astype(np.int64)
    states = SatelliteStates(times_s=times_s, hardware=hardware_states,
                             window_s=found.start_s, usable_j=found.usable_j,
                             strings=found.strings, weight=weight, lag_s=lag_s)
    return Pending(split, found, states, _chain_starts(design, orbits, found, candidates, dead),
                   close)


def _unclean_in_runs(split: list[Run]) -> list[np.ndarray]:
    """The unclean orbits of each run's profile within the run, in pieces (one search per
    profile, not two per run: a satellite passes through a few capacities many times)."""
    found = []
    for profile, starts, stops in _by_profile((run.profile, run.start, run.stop)
                                              for run in split):
        unclean = profile.unclean
        if len(unclean) == 0:
            continue
        firsts = np.searchsorted(unclean, starts).tolist()
        ends = np.searchsorted(unclean, stops).tolist()
        found.extend(unclean[a:b] for a, b in zip(firsts, ends, strict=True) if b > a)
    return found


def _by_profile(spans: Iterable[tuple[Profile, int, int]]
                ) -> list[tuple[Profile, list[int], list[int]]]:
    """The (profile, start, stop) spans of one satellite gathered by profile, in the order
    profiles first come: (profile, starts, stops)."""
    found: dict[int, tuple[Profile, list[int], list[int]]] = {}
    for profile, start, stop in spans:
        entry = found.get(id(profile))
        if entry is None:
            entry = found[id(profile)] = (profile, [], [])
        entry[1].append(start)
        entry[2].append(stop)
    return list(found.values())


def _chain_starts(design: PowerDesign, orbits: Orbits, found: Windows, candidates: np.ndarray,
                  dead: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The orbits to run as chains, as runs to start chains at, (first, last) inclusive: each
    candidate orbit on its own and each stretch of orbits with no battery (``dead``: first
    and stop) whole, except that a run whose last orbit's bus is sure to lose power (the
    battery, even full, cannot carry it) and whose recovery outlasts the sunlight joins the
    run that follows it at once."""
    dead_first, dead_stop = dead
    inside = np.searchsorted(dead_first, candidates, side="right") - 1
    alone = np.ones(len(candidates), dtype=bool)
    if len(dead_first):
        alone = (inside < 0) | (candidates >= dead_stop[np.maximum(inside, 0)])
    first = np.concatenate([candidates[alone], dead_first])
    last = np.concatenate([candidates[alone], dead_stop - 1])
    order = np.argsort(first, kind="stable")
    first, last = first[order], last[order]
    if len(first) == 0:
        return first, last
    array = orbits.array(design)
    usable = found.usable_j[found.of(last)]
    bus_need_j = np.maximum(bus_deficit_w(design, orbits, array.eclipse_w[last], last),
                            0.0) * orbits.duration_s[last]
    sure = usable * design.battery.discharge_efficiency < bus_need_j
    following = np.append(orbits.start_s[1:], np.inf)[last]
    sure &= orbits.eclipse_end_s[last] + design.brownout_recovery_s >= following
    joins = sure[:-1] & (first[1:] == last[:-1] + 1)
    opens = np.concatenate([[True], ~joins])
    return first[opens], last[np.append(np.flatnonzero(opens)[1:] - 1, len(first) - 1)]


def _short_orbits(profiles: ProfileSet, split: list[Run], found: Windows, efficiency: float
                  ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Orbits whose eclipse asks more than the battery can give: one by one, and, where the
    battery gives nothing at all, as (first, stop) ranges from the first orbit to the last
    whose bus needs the battery (the orbits around them, grazing eclipses at a season's
    edges, go one by one)."""
    can_give = found.usable_j * efficiency
    short = found.most_need_j > can_give
    dead = np.flatnonzero(short & (found.usable_j <= 0.0))
    dead_first, dead_stop = found.first[dead], found.first[dead + 1]
    edges = np.zeros(0, dtype=np.int64)
    if len(dead):
        # Windows with no battery that follow one another make one range, cut at every orbit
        # a satellite without battery is not sure to stay down through.
        joined = np.concatenate([[False], dead_first[1:] == dead_stop[:-1]])
        dead_first, dead_stop = dead_first[~joined], dead_stop[np.append(~joined[1:], True)]
        unsure = profiles.unsure_brownouts()
        holder = np.searchsorted(dead_first, unsure, side="right") - 1
        inside = holder >= 0
        inside[inside] = unsure[inside] < dead_stop[holder[inside]]
        edges = unsure[inside]
        # Each part runs from a range's start, or the orbit after a cut, to the next cut (an
        # edge orbit, which goes one by one) or the range's end.
        starts = np.sort(np.concatenate([dead_first, edges + 1]))
        owner = np.searchsorted(dead_first, starts, side="right") - 1
        stops = np.minimum(np.append(starts[1:] - 1, np.iinfo(np.int64).max), dead_stop[owner])
        whole = stops > starts
        dead_first, dead_stop = starts[whole], stops[whole]
    some = np.flatnonzero(short & (found.usable_j > 0.0))
    first = np.concatenate([found.first[some], edges])
    stop = np.concatenate([found.first[some + 1], edges + 1])
    lengths = np.maximum(stop - first, 0)
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64), (dead_first, dead_stop)
    orbit, _ = _orbits_in(first, lengths)
    window = found.of(orbit)
    need = _needs(split, found.run[window], orbit)
    return orbit[need > can_give[window]], (dead_first, dead_stop)


def _orbits_in(first: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every orbit of the ranges [first, first + lengths), range after range, and where each
    range begins among them."""
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) + np.repeat(first - offsets, lengths), offsets


def _needs(runs: list[Run], run: np.ndarray, orbit: np.ndarray) -> np.ndarray:
    """What each ``orbit``'s eclipse asks of the battery, on the profile of run ``run``."""
    # Runs whose profiles read one table (a linear set's, whatever the capacity) are read
    # together: a satellite passes through a few tables in many runs.
    tables: dict[tuple[int, int], tuple[np.ndarray, int, list[int]]] = {}
    for r in sorted_unique(run).tolist():
        profile = runs[r].profile
        table = profile.need_j
        entry = tables.get((id(table), profile.first))
        if entry is None:
            entry = tables[(id(table), profile.first)] = (table, profile.first, [])
        entry[2].append(r)
    if len(tables) == 1:
        table, first, _ = next(iter(tables.values()))
        return table[orbit - first]
    need = np.empty(len(orbit))
    for table, first, chosen_runs in tables.values():
        chosen = np.isin(run, chosen_runs)
        need[chosen] = table[orbit[chosen] - first]
    return need


def _straddling(orbits: Orbits, times_s: np.ndarray) -> np.ndarray:
    """Orbits a state change falls strictly inside."""
    changes = times_s[1:]
    orbit = np.searchsorted(orbits.start_s, changes, side="right") - 1
    inside = (orbit >= 0) & (changes > orbits.start_s[orbit]) & (changes < orbits.end_s[orbit])
    return sorted_unique(orbit[inside])


def settle(design: PowerDesign, orbits: Orbits, pending: list[Pending],
           sink: Callable[[np.ndarray, np.ndarray, np.ndarray], None],
           add_clean: Callable[[Profile, float, float, list[int], list[int]], None]
           ) -> None:
    """Run the chains of every pending satellite (all on ``orbits`` with ``design``), sum
    their clean orbits, and close each; the clean orbits' losses over time go to
    ``add_clean(profile, weight, lag_s, starts, stops)``, the chains' to ``sink``."""
    if not pending:
        return
    chains = run_chains(design, orbits, [p.states for p in pending],
                        [p.chain_starts for p in pending], sink)
    for k, item in enumerate(pending):
        item.close(_settled(design, orbits, item, chains, k, add_clean))


def _clean_spans(runs: list[Run], covered: tuple[np.ndarray, np.ndarray], n: int
                 ) -> list[tuple[int, int, int]]:
    """The spans of the ``n`` orbits no chain covered, as (run, start, stop), split where
    runs start (in time the satellite's chains and runs take, not its orbits)."""
    first, stop = covered
    starts = np.array([run.start for run in runs])
    cuts = sorted_unique(np.concatenate([[0], first, stop, starts, [n]]))
    opens, closes = cuts[:-1], cuts[1:]
    clean = _clean_at(covered, opens)
    which = np.searchsorted(starts, opens[clean], side="right") - 1
    return list(zip(which.tolist(), opens[clean].tolist(), closes[clean].tolist(), strict=True))


def _clean_at(covered: tuple[np.ndarray, np.ndarray], orbit: np.ndarray) -> np.ndarray:
    """Whether each ``orbit`` is clean: no chain covered it (chains' (first, stop) sorted and
    disjoint)."""
    first, stop = covered
    holder = np.searchsorted(first, orbit, side="right") - 1
    inside = holder >= 0
    inside[inside] = orbit[inside] < stop[holder[inside]]
    return ~inside


def _settled(design: PowerDesign, orbits: Orbits, item: Pending, chains: ChainResults,
             k: int, add_clean: Callable[[Profile, float, float, list[int], list[int]], None]
             ) -> Settled:
    covered = chains.covered[k]
    spans = _clean_spans(item.runs, covered, len(orbits))
    clean = np.zeros(ROWS)
    # The spans of each profile at once: a satellite follows a few profiles in many runs.
    for profile, starts, stops in _by_profile((item.runs[r].profile, a, b)
                                              for r, a, b in spans):
        clean += profile.totals_over(np.array(starts), np.array(stops))
        add_clean(profile, item.states.weight, item.states.lag_s, starts, stops)
    found = item.windows
    stored_lost = _lost_at_clean_starts(found, covered)
    lowest = min(_lowest_clean(design, item, covered),
                 float(chains.lowest_state_of_charge[k]))
    value = chains.total
    design_eclipse = clean[ECLIPSE_LOSS] + value("design_eclipse")[k]
    design_sunlit = clean[DESIGN_SUNLIT_LOSS] + value("design_sunlit")[k]
    degraded, failed = value("battery_degraded")[k], value("battery_failed")[k]
    by_cause = charge_causes(
        design_eclipse, design_sunlit, degraded, failed,
        with_battery=design_eclipse + design_sunlit + degraded + failed,
        happened=clean[ECLIPSE_LOSS] + clean[SUNLIT_LOSS] + value("actual")[k],
        brownout=value("brownout")[k])
    ledger = {name: float(clean[FIRST_LEDGER_ROW + i] + value(name)[k])
              for i, name in enumerate(LEDGER_ROWS)}
    ledger["stored_lost_j"] = float(stored_lost + value("stored_lost_j")[k])
    ledger["unmet_bus_j"] = float(value("unmet_bus_j")[k])
    ledger["recharge_shortfall_orbits"] = float(value("recharge_shortfall_orbits")[k])
    ledger["stored_change_j"] = float(chains.stored_at_end_j[k] - found.usable_j[0])
    return Settled(by_cause, ledger, lowest, chains.down[k], bool(chains.down_at_end[k]))


def _lost_at_clean_starts(found: Windows, covered: tuple[np.ndarray, np.ndarray]) -> float:
    """Stored energy lost where an orbit follows a clean one (which ended full) across a fall
    in usable energy (a fade point, lost strings); chains count what follows their own."""
    first = found.first[:-1]
    filled = found.first[1:] > first
    w = np.flatnonzero(filled & (first >= 1))
    if len(w) == 0:
        return 0.0
    orbit = first[w]
    both = _clean_at(covered, orbit - 1)
    before = found.usable_j[found.of(orbit - 1)]
    return float(np.sum(np.where(both, np.maximum(before - found.usable_j[w], 0.0), 0.0)))


def _lowest_clean(design: PowerDesign, item: Pending, covered: tuple[np.ndarray, np.ndarray]
                  ) -> float:
    """Lowest state of charge over the clean orbits: after the deepest draw of each window."""
    found = item.windows
    battery = design.battery
    most = found.most_need_j.copy()
    # A window holding orbits that ran as chains keeps its deepest draw unless one of those
    # drew as deep: then its clean orbits' deepest is taken.
    first, stop = covered
    if len(first):
        orbit, _ = _orbits_in(first, stop - first)
        window = found.of(orbit)
        need = _needs(item.runs, found.run[window], orbit)
        # (A window whose deepest draw is none keeps it: its clean orbits draw none.)
        redo = sorted_unique(window[(need >= most[window]) & (most[window] > 0.0)])
        if len(redo):
            most[redo] = _deepest_clean(item, covered, redo)
    usable = found.usable_j
    drew = (most > 0.0) & (usable > 0.0)
    if not drew.any():
        return 1.0
    drawn = most[drew] / battery.discharge_efficiency
    return float(np.min(1.0 - drawn * battery.max_depth_of_discharge / usable[drew]))


def _deepest_clean(item: Pending, covered: tuple[np.ndarray, np.ndarray],
                   redo: np.ndarray) -> np.ndarray:
    """The deepest draw of the clean orbits of each window in ``redo`` (0 if none draws)."""
    found = item.windows
    first = found.first[redo]
    lengths = found.first[redo + 1] - first
    orbit, offsets = _orbits_in(first, lengths)
    need = _needs(item.runs, np.repeat(found.run[redo], lengths), orbit)
    # Draws are never negative: an orbit a chain covered counts as drawing none.
    need[~_clean_at(covered, orbit)] = 0.0
    deepest = np.zeros(len(redo))
    some = lengths > 0
    if some.any():
        deepest[some] = np.maximum.reduceat(need, offsets[some])
    return deepest
