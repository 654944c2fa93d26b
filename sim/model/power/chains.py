"""Orbits that are not clean, run stretch by stretch, for many satellites at once.

A *chain* starts at an orbit that is not clean (``sim.model.power.profiles``) with the state a
clean orbit leaves (every battery full, the satellite up) and runs stretch by stretch
(``sim.model.power.rules``) until, at the start of an orbit past the ones it was started for,
every battery is full again and the satellite is up: from there the orbits are clean again.
Three batteries run side by side in every chain: the actual one with the aged array, the
actual one with a new array, and the design's new one with a new array (the counterfactuals
that charge lost compute to causes); the actual one alone can empty and brown the satellite
out, which takes it down until it recovers, ``brownout_recovery_s`` after power returns.

Every chain of a batch (satellites sharing one set of orbits and one design) advances one
stretch per step, as arrays. A chain that reaches the start of the next chain of its
satellite without having recovered takes that chain's orbits over, and the other chain's
results are dropped; what it had already handed to the sink is handed again, negated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.model.power.orbits import Orbits
from sim.model.power.profiles import bus_deficit_w
from sim.model.power.rules import EXACTLY, PowerDesign, eclipse_compute, sunlit_compute

# Receives [start, end) segments with the capacity lost over each (the satellites' nominal
# compute times fractions of it), in any order.
Sink = Callable[[np.ndarray, np.ndarray, np.ndarray], None]

# Segments are handed to the sink in batches of about this many.
FLUSH_SEGMENTS = 200_000

# Per-chain totals, in the order of the rows of ``ChainResults.values``.
TOTALS = ("design_eclipse", "design_sunlit", "battery_degraded", "battery_failed", "actual",
          "brownout", "array_j", "bus_j", "compute_j", "conversion_loss_j", "stored_lost_j",
          "unmet_bus_j", "cycles", "recharge_shortfall_orbits")
_ROW = {name: k for k, name in enumerate(TOTALS)}


@dataclass(frozen=True, slots=True)
class SatelliteStates:
    """One satellite as its chains read it: its state changes (``hardware[k]`` from
    ``times_s[k]``) and its windows (usable energy ``usable_j[w]`` and share of strings
    ``strings[w]`` from ``window_s[w]``), with its nominal compute ``weight``; it runs
    ``lag_s`` ahead of the orbits (its own times are the orbits' less the lag)."""

    times_s: np.ndarray
    hardware: np.ndarray
    window_s: np.ndarray
    usable_j: np.ndarray
    strings: np.ndarray
    weight: float
    lag_s: float = 0.0


@dataclass
class ChainResults:
    """What the chains of a batch did, per satellite: totals (rows ``TOTALS``), the stored
    energy at the horizon, the lowest state of charge, the orbits each covered, and the
    periods the satellite was down (each begun by a brownout)."""

    values: np.ndarray
    stored_at_end_j: np.ndarray
    lowest_state_of_charge: np.ndarray
    covered: list[tuple[np.ndarray, np.ndarray]]
    down: list[list[tuple[float, float]]]
    down_at_end: np.ndarray

    def total(self, name: str) -> np.ndarray:
        return self.values[_ROW[name]]


@dataclass
class _Runs:
    """Chains to run: chain ``c`` of satellite ``sat[c]`` must cover orbits
    [first[c], last[c]]; ``next_run[c]`` is the next chain of its satellite (-1 if none)."""

    sat: np.ndarray
    first: np.ndarray
    last: np.ndarray
    next_run: np.ndarray


@dataclass
class _Geometry:
    """The batch's orbits and design, as arrays by orbit."""

    start: np.ndarray
    eclipse_end: np.ndarray
    end: np.ndarray
    duration: np.ndarray
    recharge: np.ndarray
    deficit_aged: np.ndarray
    deficit_new: np.ndarray
    surplus_aged: np.ndarray
    surplus_new: np.ndarray

    @classmethod
    def of(cls, design: PowerDesign, orbits: Orbits) -> _Geometry:
        array = orbits.array(design)
        every = slice(None)
        return cls(start=orbits.start_s, eclipse_end=orbits.eclipse_end_s, end=orbits.end_s,
                   duration=orbits.duration_s, recharge=orbits.recharge_s,
                   deficit_aged=bus_deficit_w(design, orbits, array.eclipse_w, every),
                   deficit_new=bus_deficit_w(design, orbits, array.eclipse_bol_w, every),
                   surplus_aged=array.sunlit_w - design.bus_load_w,
                   surplus_new=array.sunlit_bol_w - design.bus_load_w)


@dataclass
class _Flat:
    """Every satellite's state changes and windows, one after the other (``*_first[s]`` and
    ``*_stop[s]`` bound satellite ``s``'s)."""

    times: np.ndarray
    hardware: np.ndarray
    change_first: np.ndarray
    change_stop: np.ndarray
    window_s: np.ndarray
    usable: np.ndarray
    strings: np.ndarray
    window_first: np.ndarray
    window_stop: np.ndarray
    weight: np.ndarray
    lag_s: np.ndarray

    @classmethod
    def of(cls, satellites: list[SatelliteStates]) -> _Flat:
        def bounds(lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
            stop = np.cumsum(lengths)
            return stop - np.array(lengths), stop

        change_first, change_stop = bounds([len(s.times_s) for s in satellites])
        window_first, window_stop = bounds([len(s.window_s) for s in satellites])
        return cls(
            times=np.concatenate([s.times_s for s in satellites]),
            hardware=np.concatenate([s.hardware for s in satellites]).astype(float),
            change_first=change_first, change_stop=change_stop,
            window_s=np.concatenate([s.window_s for s in satellites]),
            usable=np.concatenate([s.usable_j for s in satellites]).astype(float),
            strings=np.concatenate([s.strings for s in satellites]).astype(float),
            window_first=window_first, window_stop=window_stop,
            weight=np.array([s.weight for s in satellites], dtype=float),
            lag_s=np.array([s.lag_s for s in satellites], dtype=float))


@dataclass
class _Flows:
    """The three batteries over one stretch, rows (actual with the aged array, actual with a
    new array, the design's with a new array) by chain: compute delivered (fraction-
    seconds), how long compute ran in eclipse, the battery's output, the array's charging
    input, the stored energy after, and when the battery emptied (inf if not)."""

    delivered: np.ndarray
    cut_s: np.ndarray
    output_j: np.ndarray
    charge_in_j: np.ndarray
    stored_j: np.ndarray
    empty_s: np.ndarray

    @classmethod
    def empty(cls, count: int, duration: np.ndarray) -> _Flows:
        zeros = np.zeros((3, count))
        return cls(zeros, np.tile(duration, (3, 1)), zeros.copy(), zeros.copy(),
                   zeros.copy(), np.full((3, count), np.inf))


@dataclass
class _Log:
    """What a run of chains records besides totals."""

    down: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    absorbed: list[tuple[int, int, int, int]] = field(default_factory=list)


class _Chains:
    """The state of every chain of a batch, advanced one stretch per step."""

    def __init__(self, design: PowerDesign, geometry: _Geometry, flat: _Flat, runs: _Runs,
                 sink: Sink, replay_steps: np.ndarray | None = None,
                 replay_absorbed: list[tuple[int, int, int, int]] | None = None):
        self.design = design
        self.g = geometry
        self.flat = flat
        self.runs = runs
        self.sink = sink
        self.sign = -1.0 if replay_steps is not None else 1.0
        self.replay_steps = replay_steps
        self._replayed: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for chain, step, last, following in replay_absorbed or []:
            self._replayed.setdefault((chain, step), []).append((last, following))
        battery = design.battery
        self.eta_c, self.eta_d = battery.charge_efficiency, battery.discharge_efficiency
        self.dod = battery.max_depth_of_discharge
        self.new_usable = battery.new_usable_j
        self.bus_w, self.load_w = design.bus_load_w, design.compute_load_w
        self.level = design.eclipse_compute_level
        count = len(runs.sat)
        n = len(geometry.start)
        self.n_orbits = n
        self.sat = runs.sat
        self.last = runs.last.copy()
        self.next_run = runs.next_run.copy()
        self.orbit = runs.first.copy()
        self.t = geometry.start[self.orbit].astype(float)
        self.eclipse = np.ones(count, dtype=bool)
        self.down_until = np.full(count, -np.inf)
        self.unpowered = np.zeros(count, dtype=bool)
        self.down_since = np.full(count, np.nan)
        # Chains come satellite by satellite: satellite s's are [by_sat[s], by_sat[s + 1]).
        self.by_sat = np.searchsorted(self.sat, np.arange(len(flat.weight) + 1))
        self.change = self._per_satellite(flat.times, flat.change_first, flat.change_stop,
                                          self.t)
        previous = np.maximum(self.orbit - 1, 0)
        self.window = self._per_satellite(flat.window_s, flat.window_first, flat.window_stop,
                                          geometry.start[previous]) - 1
        self.usable = np.zeros(count)
        self.strings = np.zeros(count)
        # The state a clean orbit leaves: every battery full at the previous orbit's energy.
        self._enter_window(np.arange(count), geometry.start[previous])
        before = self.usable.copy()
        self.stored = before.copy()
        self.stored_wb = before.copy()
        self.stored_design = np.full(count, self.new_usable)
        self.drawn = np.zeros(count)
        self.values = np.zeros((len(TOTALS), count))
        self.lowest = np.ones(count)
        self.active = np.ones(count, dtype=bool)
        self.killed = np.zeros(count, dtype=bool)
        self.steps = np.zeros(count, dtype=np.int64)
        self.stop = np.full(count, n)
        self.stored_at_end = np.full(count, np.nan)
        self.down_at_end = np.zeros(count, dtype=bool)
        self.log = _Log()
        self._segments: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._segment_count = 0
        self._skip_to: np.ndarray | None = None
        # Energy lost to a fall in usable energy between the orbit before and the first is
        # the orbit before's to count (``fast``), not the chain's.
        self._enter_orbit(np.arange(count), count_lost=False)

    # -- lookups ---------------------------------------------------------------------------

    def _prepare_jumps(self) -> None:
        """Orbits a satellite down and recovering at their start may stay down through: its
        bus loses power in each eclipse (when a battery starting full cannot carry the bus
        through it), power returns as the eclipse ends, the recovery outlasts the sunlight,
        and the design's battery, carrying the bus alone, is full again by the next orbit.
        ``_skip_to[i]`` is the first orbit from ``i`` where the orbit alone rules that out."""
        g = self.g
        battery = self.design.battery
        n = self.n_orbits
        drawn = np.maximum(g.deficit_new, 0.0) * g.duration / battery.discharge_efficiency
        with np.errstate(divide="ignore", invalid="ignore"):
            recharge_w = np.where(drawn > 0.0, drawn / (battery.charge_efficiency * g.recharge),
                                  0.0)
        following = np.append(g.start[1:], np.inf)
        through = ((g.duration > 0.0) & (g.deficit_aged > 0.0) & (g.surplus_aged >= 0.0)
                   & (recharge_w <= g.surplus_new)
                   & (g.eclipse_end + self.design.brownout_recovery_s >= following))
        through[-1] = False
        stops = np.where(through, n, np.arange(n))
        self._skip_to = np.minimum.accumulate(stops[::-1])[::-1]
        # For a battery holding U at the start of orbit i, down and recovering: it cannot
        # carry the bus through the eclipse iff U < short_below[i] (as ``eclipse_compute``
        # decides it), it is recharged full after iff U <= recharged_up_to[i], and the
        # satellite is still down when it empties iff U <= down_up_to[i] (down from the orbit
        # before). A trailing entry stands for orbits past the end.
        eta_d = battery.discharge_efficiency
        deficit = g.deficit_aged
        positive = deficit > 0.0
        recovered_s = (np.concatenate([[-np.inf], g.eclipse_end[:-1]])
                       + self.design.brownout_recovery_s)
        with np.errstate(invalid="ignore"):
            self._short_below = np.append(np.where(
                positive, deficit * g.duration * (1.0 - EXACTLY) / eta_d, 0.0), np.inf)
            self._recharged_up_to = np.append(battery.charge_efficiency * g.recharge
                                              * g.surplus_aged, np.inf)
            self._down_up_to = np.append(np.where(
                positive, (recovered_s - g.start) * deficit / eta_d, -np.inf), np.inf)
        self._per_deficit = np.concatenate([[0.0], np.cumsum(np.where(positive, 1.0 / np.where(
            positive, deficit, 1.0), 0.0))])
        self._dark_s = np.concatenate([[0.0], np.cumsum(g.duration)])
        self._sunlit_s = np.concatenate([[0.0], np.cumsum(g.end - g.eclipse_end)])
        self._window_orbit = np.searchsorted(g.start, self.flat.window_s, side="left")

    def _per_satellite(self, times: np.ndarray, first: np.ndarray, stop: np.ndarray,
                       t: np.ndarray) -> np.ndarray:
        """For each chain, the index (into flat ``times``, satellite ``s``'s being
        [first[s], stop[s])) of its satellite's first time after the chain's ``t``."""
        found = np.empty(len(t), dtype=np.int64)
        bounds = self.by_sat
        for s in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            chosen = slice(bounds[s], bounds[s + 1])
            lo, hi = first[s], stop[s]
            found[chosen] = lo + np.searchsorted(times[lo:hi], t[chosen], side="right")
        return found

    def _enter_window(self, chains: np.ndarray, at_s: np.ndarray) -> None:
        """Move ``chains`` to the window holding ``at_s`` and read its battery."""
        flat = self.flat
        stop = flat.window_stop[self.sat[chains]]
        window = self.window[chains]
        while True:
            ahead = (window + 1 < stop) & (flat.window_s[np.minimum(window + 1,
                                                                    len(flat.window_s) - 1)]
                                           <= at_s)
            if not ahead.any():
                break
            window = window + ahead
        self.window[chains] = window
        self.usable[chains] = flat.usable[window]
        self.strings[chains] = flat.strings[window]

    def _enter_orbit(self, chains: np.ndarray, count_lost: bool = True) -> None:
        """``chains`` start their current orbit: read the battery there (the energy above a
        smaller usable energy is lost) and skip an empty eclipse."""
        orbit = self.orbit[chains]
        self._enter_window(chains, self.g.start[orbit])
        usable = self.usable[chains]
        lost = np.maximum(self.stored[chains] - usable, 0.0)
        if count_lost:
            self.values[_ROW["stored_lost_j"], chains] += lost
        self.stored[chains] -= lost
        self.stored_wb[chains] = np.minimum(self.stored_wb[chains], usable)
        self.drawn[chains] = 0.0
        self.eclipse[chains] = self.g.duration[orbit] > 0.0

    # -- one step --------------------------------------------------------------------------

    def run(self) -> None:
        while True:
            live = np.flatnonzero(self.active)
            if self.replay_steps is not None:
                live = live[self.steps[live] < self.replay_steps[live]]
            if len(live) == 0:
                break
            self._step(live)
        self._flush()

    def _step(self, a: np.ndarray) -> None:
        g, flat = self.g, self.flat
        self.steps[a] += 1
        jumped = self._jump(a)
        if jumped.any():
            a = a[~jumped]
            if not len(a):
                return
        orbit = self.orbit[a]
        t = self.t[a]
        eclipse = self.eclipse[a]
        phase_end = np.where(eclipse, g.eclipse_end[orbit], g.end[orbit])
        change = self.change[a]
        has_change = change < flat.change_stop[self.sat[a]]
        next_change = np.where(has_change, flat.times[np.minimum(change, len(flat.times) - 1)],
                               np.inf)
        unpowered = self.unpowered[a]
        recovering = ~unpowered & (t < self.down_until[a])
        down = unpowered | recovering
        end = np.minimum(np.minimum(phase_end, next_change),
                         np.where(recovering, self.down_until[a], np.inf))
        held = flat.hardware[change - 1]
        hardware = np.where(down, 0.0, held)
        duration = end - t
        flows = self._flows(a, orbit, t, duration, hardware, eclipse)
        # Where the actual battery empties, the stretch ends there.
        brown = ~unpowered & np.isfinite(flows.empty_s[0])
        if brown.any():
            duration = np.where(brown, flows.empty_s[0], duration)
            end = t + duration
            flows = self._flows(a, orbit, t, duration, hardware, eclipse)
        self._book(a, t, duration, hardware, held, eclipse, unpowered, down, flows)
        self.t[a] = end
        if brown.any():
            self._brown_out(a[brown], end[brown])
        self._advance_changes(a)
        ended = end >= phase_end
        self._end_eclipses(a[ended & eclipse])
        self._end_orbits(a[ended & ~eclipse])
        self._close_down_periods(a)

    def _jump(self, a: np.ndarray) -> np.ndarray:
        """Take chains down and recovering, every battery full, through the orbits in which
        the bus keeps losing power (``_prepare_jumps``), at once; which of ``a`` did."""
        g = self.g
        orbit = self.orbit[a]
        t = self.t[a]
        eligible = (self.eclipse[a] & (t == g.start[orbit]) & ~self.unpowered[a]
                    & (t < self.down_until[a]) & (self.stored[a] >= self.usable[a])
                    & (self.stored_wb[a] >= self.usable[a])
                    & (self.stored_design[a] >= self.new_usable))
        if not eligible.any():
            return eligible
        if self._skip_to is None:
            self._prepare_jumps()
        assert self._skip_to is not None
        eligible[eligible] &= self._skip_to[orbit[eligible]] > orbit[eligible]
        if not eligible.any():
            return eligible
        chains = a[eligible]
        jumped = self._jump_chains(chains, orbit[eligible],
                                   np.minimum(self._skip_to[orbit[eligible]], self.n_orbits - 1))
        eligible[np.flatnonzero(eligible)[~jumped]] = False
        return eligible

    def _jump_chains(self, chains: np.ndarray, first: np.ndarray, most: np.ndarray
                     ) -> np.ndarray:
        """Jump each chain from orbit ``first`` through the orbits before ``most`` in which
        its battery, full at each start, cannot carry the bus, is recharged full after, and
        the satellite is still down when the bus loses power; which chains jumped.

        The battery's usable energy is fixed within a window (``fade``), so the orbits are
        taken window by window: the conditions as range minima over each window's orbits,
        the energies as prefix sums."""
        g, flat = self.g, self.flat
        battery = self.design.battery
        eta_d, eta_c = battery.discharge_efficiency, battery.charge_efficiency
        # Each chain's windows, from its current one to the one holding its last orbit.
        last_window = self._per_satellite_of(chains, flat.window_s, flat.window_first,
                                             flat.window_stop, g.start[most - 1]) - 1
        counts = last_window - self.window[chains] + 1
        offsets = np.cumsum(counts) - counts
        owner = np.repeat(np.arange(len(chains)), counts)
        window = self.window[chains][owner] + np.arange(int(counts.sum())) - offsets[owner]
        after = np.minimum(window + 1, len(self._window_orbit) - 1)
        next_window_orbit = np.where(window + 1 < flat.window_stop[self.sat[chains]][owner],
                                     self._window_orbit[after], self.n_orbits)
        a = np.maximum(self._window_orbit[window], first[owner])
        b = np.minimum(next_window_orbit, most[owner])
        usable = flat.usable[window]
        opening = np.zeros(len(window), dtype=bool)
        opening[offsets] = True
        # The first orbit of a chain is down until the chain's own recovery ends.
        a_rest = np.where(opening, a + 1, a)
        short = self._range_min(self._short_below, a, b)
        recharged = self._range_min(self._recharged_up_to, a, b)
        down = self._range_min(self._down_up_to, a_rest, np.maximum(b, a_rest))
        first_deficit = g.deficit_aged[first]
        with np.errstate(divide="ignore", invalid="ignore"):
            first_down = (self.down_until[chains] - g.start[first]) * first_deficit / eta_d
        down = np.where(opening, np.minimum(down, first_down[owner]), down)
        before = np.where(opening, self.usable[chains][owner], np.append(0.0, usable[:-1]))
        held = ((usable < short) & (usable <= recharged) & (usable <= down)
                & (usable <= before) & (b > a))
        # The first window each chain fails in, and the orbit it fails at.
        failing = np.where(held, counts[owner], window - self.window[chains][owner])
        broken = np.minimum.reduceat(failing, offsets)
        stop_orbit = most.copy()
        for k in np.flatnonzero(broken < counts).tolist():
            segment = offsets[k] + broken[k]
            stop_orbit[k] = self._first_failure(segment, a, b, usable, before, opening,
                                                first_down[k])
        keep = window - self.window[chains][owner] <= np.minimum(broken, counts - 1)[owner]
        b = np.where(keep, np.minimum(b, stop_orbit[owner]), a)
        went = stop_orbit > first
        span = np.maximum(b - a, 0)
        orbits_in = span.astype(float)
        dark = self._dark_s[b] - self._dark_s[a]
        sunlit = self._sunlit_s[b] - self._sunlit_s[a]
        powered = usable * eta_d * (self._per_deficit[b] - self._per_deficit[a])
        count = len(chains)

        def per_chain(values: np.ndarray) -> np.ndarray:
            return np.bincount(owner, weights=values, minlength=count)

        bus = self.bus_w
        values = self.values
        values[_ROW["unmet_bus_j"], chains] += bus * per_chain(dark - powered)
        values[_ROW["bus_j"], chains] += bus * per_chain(powered + sunlit)
        values[_ROW["array_j"], chains] += per_chain(bus * (powered + sunlit)
                                                     + usable * (1.0 / eta_c - eta_d)
                                                     * orbits_in)
        values[_ROW["conversion_loss_j"], chains] += per_chain(usable * (1.0 / eta_c - eta_d)
                                                               * orbits_in)
        values[_ROW["stored_lost_j"], chains] += per_chain(np.where(
            span > 0, np.maximum(before - usable, 0.0), 0.0))
        drew = per_chain(np.where(usable > 0.0, orbits_in, 0.0))
        values[_ROW["cycles"], chains] += drew
        self.lowest[chains[drew > 0]] = np.minimum(self.lowest[chains[drew > 0]],
                                                   1.0 - battery.max_depth_of_discharge)
        # The energy each battery holds at the end: its last window's.
        last_held = np.where(span > 0, np.arange(len(window)), -1)
        last_segment = np.maximum.reduceat(last_held, offsets)
        chains, first, last = chains[went], first[went], stop_orbit[went]
        end_usable = usable[last_segment[went]]
        weight = flat.weight[self.sat[chains]]
        for c, a_orbit, b_orbit, w in zip(chains.tolist(), first.tolist(), last.tolist(),
                                          weight.tolist(), strict=True):
            self._down_pieces(c, float(g.start[a_orbit]), float(g.start[b_orbit]), w)
            # Chains started at the orbits jumped are taken over.
            while self.next_run[c] >= 0 and self.runs.first[self.next_run[c]] < b_orbit:
                self._take_over(c)
        self.stored[chains] = self.stored_wb[chains] = end_usable
        self.usable[chains] = end_usable
        self.down_until[chains] = g.eclipse_end[last - 1] + self.design.brownout_recovery_s
        self.t[chains] = g.start[last]
        self._advance_changes(chains)
        self.orbit[chains] = last - 1
        self._next_orbit(chains)
        return went

    def _range_min(self, values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The least of ``values[a:b]`` for each pair (inf for an empty range; ``values``
        has a trailing entry for index ``len - 1``)."""
        found = np.full(len(a), np.inf)
        filled = np.flatnonzero(b > a)
        if len(filled):
            pairs = np.stack([a[filled], b[filled]], axis=1).ravel()
            found[filled] = np.minimum.reduceat(values, pairs)[::2]
        return found

    def _first_failure(self, segment: int, a: np.ndarray, b: np.ndarray, usable: np.ndarray,
                       before: np.ndarray, opening: np.ndarray, first_down: float) -> int:
        """The first orbit of window segment ``segment`` where the battery no longer
        browns out and recovers as a jump needs."""
        lo, hi = int(a[segment]), int(b[segment])
        held_u = usable[segment]
        if hi <= lo or held_u > before[segment]:
            return lo
        orbits = np.arange(lo, hi)
        down = self._down_up_to[orbits].copy()
        if opening[segment]:
            down[0] = first_down
        ok = ((held_u < self._short_below[orbits]) & (held_u <= self._recharged_up_to[orbits])
              & (held_u <= down))
        return lo + int(np.argmin(ok)) if not ok.all() else hi

    def _per_satellite_of(self, chains: np.ndarray, times: np.ndarray, first: np.ndarray,
                          stop: np.ndarray, t: np.ndarray) -> np.ndarray:
        """As ``_per_satellite``, for entries of any ``chains`` (sorted by satellite)."""
        found = np.empty(len(t), dtype=np.int64)
        sat = self.sat[chains]
        bounds = np.searchsorted(sat, np.arange(len(first) + 1))
        for s in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            chosen = slice(bounds[s], bounds[s + 1])
            lo, hi = first[s], stop[s]
            found[chosen] = lo + np.searchsorted(times[lo:hi], t[chosen], side="right")
        return found

    def _down_pieces(self, chain: int, start_s: float, end_s: float, weight: float) -> None:
        """Book a chain's satellite down over [start_s, end_s), piece by hardware state."""
        flat = self.flat
        s = self.sat[chain]
        lo, hi = flat.change_first[s], flat.change_stop[s]
        times = flat.times[lo:hi]
        first = int(np.searchsorted(times, start_s, side="right")) - 1
        last = int(np.searchsorted(times, end_s, side="left"))
        edges = np.concatenate([[start_s], times[first + 1:last], [end_s]])
        held = flat.hardware[lo + first:lo + last]
        self.values[_ROW["brownout"], chain] += float(np.sum(held * np.diff(edges)))
        self._emit(edges[:-1], edges[1:], held * weight, flat.lag_s[s])

    def _flows(self, a: np.ndarray, orbit: np.ndarray, t: np.ndarray, duration: np.ndarray,
               hardware: np.ndarray, eclipse: np.ndarray) -> _Flows:
        """The three batteries over the stretch (rows: actual with the aged array, actual
        with a new array, the design's with a new array), each phase in one pass."""
        g = self.g
        count = len(a)
        flows = _Flows.empty(count, duration)
        stored = np.stack([self.stored[a], self.stored_wb[a], self.stored_design[a]])
        k = np.flatnonzero(eclipse)
        if len(k):
            o = orbit[k]
            load_w = self.load_w * hardware[k] * self.level
            dark = eclipse_compute(
                stored[:, k].ravel(), np.tile(duration[k], 3),
                np.tile(g.eclipse_end[o] - t[k], 3),
                np.concatenate([g.deficit_aged[o], g.deficit_new[o], g.deficit_new[o]]),
                np.tile(load_w, 3), self.eta_d)
            on_s = dark.on_s.reshape(3, -1)
            output = dark.output_j.reshape(3, -1)
            flows.delivered[:, k] = hardware[k] * self.level * on_s
            flows.cut_s[:, k] = on_s
            flows.output_j[:, k] = output
            flows.stored_j[:, k] = np.maximum(stored[:, k] - output / self.eta_d, 0.0)
            flows.empty_s[:, k] = dark.empty_s.reshape(3, -1)
        k = np.flatnonzero(~eclipse)
        if len(k):
            o = orbit[k]
            usable = self.usable[a[k]]
            sun = sunlit_compute(
                stored[:, k].ravel(),
                np.concatenate([usable, usable, np.full(len(k), self.new_usable)]),
                np.tile(duration[k], 3), np.tile(g.eclipse_end[o] + g.recharge[o] - t[k], 3),
                np.concatenate([g.surplus_aged[o], g.surplus_new[o], g.surplus_new[o]]),
                np.tile(self.load_w * hardware[k], 3), self.eta_c, self.eta_d)
            flows.delivered[:, k] = sun.compute_w.reshape(3, -1) / self.load_w * duration[k]
            flows.output_j[:, k] = sun.output_j.reshape(3, -1)
            flows.charge_in_j[:, k] = sun.charge_in_j.reshape(3, -1)
            flows.stored_j[:, k] = sun.stored_j.reshape(3, -1)
            flows.empty_s[:, k] = sun.empty_s.reshape(3, -1)
        return flows

    def _book(self, a: np.ndarray, t: np.ndarray, duration: np.ndarray, hardware: np.ndarray,
              held: np.ndarray, eclipse: np.ndarray, unpowered: np.ndarray, down: np.ndarray,
              flows: _Flows) -> None:
        """Book the stretch: the batteries' stored energy, lost compute by counterfactual,
        the actual battery's ledger, and the lost capacity over time for the sink."""
        values = self.values
        weight = self.flat.weight[self.sat[a]]
        lost = hardware * duration - flows.delivered
        design_lost = lost[2]
        values[_ROW["design_eclipse"], a] += np.where(eclipse, design_lost, 0.0)
        values[_ROW["design_sunlit"], a] += np.where(eclipse, 0.0, design_lost)
        failed = self.strings[a] <= 0.0
        extra = lost[1] - design_lost
        values[_ROW["battery_failed"], a] += np.where(failed, extra, 0.0)
        values[_ROW["battery_degraded"], a] += np.where(failed, 0.0, extra)
        self.stored_wb[a] = flows.stored_j[1]
        self.stored_design[a] = flows.stored_j[2]
        powered = ~unpowered
        p = a[powered]
        span = duration[powered]
        output = flows.output_j[0, powered]
        charge_in = flows.charge_in_j[0, powered]
        before = self.stored[p]
        after = flows.stored_j[0, powered]
        drawn = output / self.eta_d
        compute_j = flows.delivered[0, powered] * self.load_w
        bus_j = self.bus_w * span
        values[_ROW["actual"], p] += lost[0, powered]
        values[_ROW["array_j"], p] += bus_j + compute_j + charge_in - output
        values[_ROW["bus_j"], p] += bus_j
        values[_ROW["compute_j"], p] += compute_j
        values[_ROW["conversion_loss_j"], p] += (charge_in - np.maximum(after - before, 0.0)
                                                 + drawn - output)
        self.stored[p] = after
        self.drawn[p] += drawn
        self._lowest(p, output > 0.0)
        values[_ROW["unmet_bus_j"], a[unpowered]] += self.bus_w * duration[unpowered]
        values[_ROW["brownout"], a[down]] += held[down] * duration[down]
        # Lost capacity over time: compute at the rule's level in eclipse until cut, none
        # after; what the array left in sunlight; nothing while down.
        h = hardware * weight
        lag = self.flat.lag_s[self.sat[a]]
        cut = t + flows.cut_s[0]
        end = t + duration
        in_eclipse = eclipse & powered
        self._emit(t[in_eclipse], cut[in_eclipse], h[in_eclipse] * (1.0 - self.level),
                   lag[in_eclipse])
        self._emit(cut[in_eclipse], end[in_eclipse], h[in_eclipse], lag[in_eclipse])
        in_sun = ~eclipse & powered
        self._emit(t[in_sun], end[in_sun], (lost[0, in_sun] / np.maximum(duration[in_sun],
                                                                          1e-300))
                   * weight[in_sun], lag[in_sun])
        self._emit(t[down], end[down], held[down] * weight[down], lag[down])

    # -- transitions -----------------------------------------------------------------------

    def _brown_out(self, chains: np.ndarray, at_s: np.ndarray) -> None:
        self.unpowered[chains] = True
        self.down_until[chains] = np.inf
        starting = np.isnan(self.down_since[chains])
        self.down_since[chains[starting]] = at_s[starting]

    def _advance_changes(self, a: np.ndarray) -> None:
        flat = self.flat
        stop = flat.change_stop[self.sat[a]]
        change = self.change[a]
        t = self.t[a]
        while True:
            passed = (change < stop) & (flat.times[np.minimum(change, len(flat.times) - 1)]
                                        <= t)
            if not passed.any():
                break
            change = change + passed
        self.change[a] = change

    def _end_eclipses(self, chains: np.ndarray) -> None:
        """Sunlight begins: power returns to a browned-out satellite if the array carries
        the bus, and its recovery starts."""
        if not len(chains):
            return
        self.eclipse[chains] = False
        orbit = self.orbit[chains]
        back = self.unpowered[chains] & (self.g.surplus_aged[orbit] >= 0.0)
        returning = chains[back]
        self.unpowered[returning] = False
        self.down_until[returning] = self.t[returning] + self.design.brownout_recovery_s

    def _end_orbits(self, chains: np.ndarray) -> None:
        if not len(chains):
            return
        values = self.values
        orbit = self.orbit[chains]
        values[_ROW["cycles"], chains] += self.drawn[chains] > 0.0
        within = orbit < self.n_orbits - 1
        short = within & (self.stored[chains] < self.usable[chains])
        values[_ROW["recharge_shortfall_orbits"], chains] += short
        self._next_orbit(chains)

    def _next_orbit(self, chains: np.ndarray) -> None:
        """``chains`` move on to their next orbit: to the horizon, or into it (where a chain
        recovered past its orbits ends, and one that did not may take the next over)."""
        orbit = self.orbit[chains] + 1
        self.orbit[chains] = orbit
        at_horizon = orbit >= self.n_orbits
        self._finish(chains[at_horizon])
        going = chains[~at_horizon]
        if not len(going):
            return
        # A sunlit stretch with the array short of the bus, powered back only in a later
        # orbit, is continued there.
        self._enter_orbit(going)
        usable = self.usable[going]
        reset = ((self.stored[going] >= usable) & (self.stored_wb[going] >= usable)
                 & (self.stored_design[going] >= self.new_usable) & ~self.unpowered[going]
                 & (self.down_until[going] <= self.t[going]))
        beyond = self.orbit[going] > self.last[going]
        done = going[beyond & reset]
        self.active[done] = False
        self.stop[done] = self.orbit[done]
        self._close_down_periods(done)
        nxt = self.next_run[going]
        takes = going[beyond & ~reset & (nxt >= 0)]
        takes = takes[self.orbit[takes] == self.runs.first[np.maximum(self.next_run[takes], 0)]]
        # Later chains first: a chain taken over may itself have just taken one over.
        for chain in sorted(takes.tolist(), key=lambda c: -int(self.orbit[c])):
            self._take_over(chain)

    def _take_over(self, chain: int) -> None:
        """``chain`` reached the start of the next chain of its satellite without having
        recovered: it takes that chain's orbits over, and that chain is dropped. (A replay
        takes over as the original run did, from its log.)"""
        if self.replay_steps is not None:
            last, following = self._replayed[chain, int(self.steps[chain])].pop(0)
        else:
            victim = int(self.next_run[chain])
            self.killed[victim] = True
            self.active[victim] = False
            last, following = int(self.last[victim]), int(self.next_run[victim])
            self.log.absorbed.append((chain, int(self.steps[chain]), last, following))
        self.last[chain] = last
        self.next_run[chain] = following

    def _finish(self, chains: np.ndarray) -> None:
        """``chains`` reached the horizon."""
        if not len(chains):
            return
        horizon = self.g.end[-1]
        self.active[chains] = False
        self.stop[chains] = self.n_orbits
        self.stored_at_end[chains] = self.stored[chains]
        self.down_at_end[chains] = self.unpowered[chains] | (self.down_until[chains] > horizon)
        open_ = chains[~np.isnan(self.down_since[chains])]
        if len(open_):
            self.log.down.append((open_, self.down_since[open_],
                                  np.minimum(self.down_until[open_], horizon)))
            self.down_since[open_] = np.nan

    def _close_down_periods(self, a: np.ndarray) -> None:
        over = a[~np.isnan(self.down_since[a]) & ~self.unpowered[a]
                 & (self.t[a] >= self.down_until[a])]
        if len(over):
            self.log.down.append((over, self.down_since[over], self.down_until[over].copy()))
            self.down_since[over] = np.nan

    def _lowest(self, chains: np.ndarray, drew: np.ndarray) -> None:
        chosen = chains[drew]
        usable = self.usable[chosen]
        with np.errstate(divide="ignore", invalid="ignore"):
            state = np.where(usable > 0.0,
                             1.0 - (usable - self.stored[chosen]) * self.dod / usable, 1.0)
        self.lowest[chosen] = np.minimum(self.lowest[chosen], state)

    def _emit(self, starts: np.ndarray, ends: np.ndarray, rates: np.ndarray,
              lag_s: np.ndarray | float) -> None:
        """Hand over lost capacity ``rates`` over [starts, ends) of the orbits' time, in each
        satellite's own time (``lag_s`` earlier)."""
        keep = (rates != 0.0) & (ends > starts)
        if not keep.any():
            return
        if np.ndim(lag_s):
            lag_s = lag_s[keep]
        self._segments.append((starts[keep] - lag_s, ends[keep] - lag_s,
                               self.sign * rates[keep]))
        self._segment_count += int(np.count_nonzero(keep))
        if self._segment_count >= FLUSH_SEGMENTS:
            self._flush()

    def _flush(self) -> None:
        if self._segments:
            starts, ends, rates = (np.concatenate(parts) for parts in zip(*self._segments,
                                                                            strict=True))
            self._segments = []
            self._segment_count = 0
            self.sink(starts, ends, rates)


def run_chains(design: PowerDesign, orbits: Orbits, satellites: list[SatelliteStates],
               starts: list[tuple[np.ndarray, np.ndarray]], sink: Sink) -> ChainResults:
    """Run every satellite's orbits that are not clean, from chains started at each of its
    runs (``starts[s]``: first and last orbits, sorted; the last orbit always among them),
    handing the lost capacity over time to ``sink``. Runs are best short: orbits that each
    end with the battery full again then run side by side; a chain that does not recover
    takes the next one over."""
    sats, firsts, lasts = [], [], []
    for s, (first, last) in enumerate(starts):
        sats.append(np.full(len(first), s))
        firsts.append(first)
        lasts.append(last)
    sat = np.concatenate(sats).astype(np.int64)
    first = np.concatenate(firsts).astype(np.int64)
    last = np.concatenate(lasts).astype(np.int64)
    following = np.arange(1, len(sat) + 1)
    following[np.append(sat[1:] != sat[:-1], True)] = -1
    runs = _Runs(sat, first, last, following)
    geometry = _Geometry.of(design, orbits)
    flat = _Flat.of(satellites)
    chains = _Chains(design, geometry, flat, runs, sink)
    chains.run()
    if chains.killed.any():
        # Hand back, negated, what the dropped chains handed over.
        replay = _Chains(design, geometry, flat, runs, sink,
                         replay_steps=np.where(chains.killed, chains.steps, 0),
                         replay_absorbed=chains.log.absorbed)
        replay.run()
    return _results(chains, len(satellites))


def _results(chains: _Chains, count: int) -> ChainResults:
    kept = ~chains.killed
    sat = chains.sat
    values = np.stack([np.bincount(sat[kept], weights=row[kept], minlength=count)
                       for row in chains.values])
    lowest = np.ones(count)
    np.minimum.at(lowest, sat[kept], chains.lowest[kept])
    stored_at_end = np.full(count, np.nan)
    reached = kept & np.isfinite(chains.stored_at_end)
    stored_at_end[sat[reached]] = chains.stored_at_end[reached]
    down_at_end = np.zeros(count, dtype=bool)
    down_at_end[sat[reached]] = chains.down_at_end[reached]
    # Chains come satellite by satellite, each satellite's in order, disjoint once the
    # chains taken over are dropped.
    alive = np.flatnonzero(kept)
    bounds = np.searchsorted(sat[alive], np.arange(count + 1))
    firsts, stops = chains.runs.first[alive], chains.stop[alive]
    covered = [(firsts[bounds[s]:bounds[s + 1]], stops[bounds[s]:bounds[s + 1]])
               for s in range(count)]
    down: list[list[tuple[float, float]]] = [[] for _ in range(count)]
    for which, since, until in chains.log.down:
        for c, a, b in zip(which.tolist(), since.tolist(), until.tolist(), strict=True):
            if kept[c]:
                down[sat[c]].append((a, b))
    for items in down:
        items.sort()
    return ChainResults(values=values, stored_at_end_j=stored_at_end,
                        lowest_state_of_charge=lowest, covered=covered, down=down,
                        down_at_end=down_at_end)
