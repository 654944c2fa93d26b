"""Eclipse power: what the array and the battery let a satellite's compute do, orbit by orbit.

An *orbit* here runs from one eclipse's start (penumbra entry) to the next one's; a virtual
orbit with an empty eclipse covers the sunlight before the first eclipse. Its outcome is
decided at its start from the satellite's state then (hardware capacity, working battery
strings, battery fade, array degradation):

- **In eclipse** (penumbra to penumbra) the array gives half its output during penumbra and
  nothing in umbra; the battery carries the rest of the bus load and of the compute load,
  the compute running at the eclipse rule's level (ride through: 1; shed to a fraction; shed:
  0). If the battery would pass its depth-of-discharge limit, compute is cut at the moment
  that leaves just enough for the bus to the end of the eclipse (the drain is taken as
  uniform over the eclipse).
- **In sunlight** the array serves the bus first, then the recharge of what the eclipse drew
  (spread evenly over the sunlit time), then compute. A battery the array cannot recharge in
  one sunlit period is counted (``recharge_shortfall_orbits``) and starts the next eclipse
  full regardless.
- **Ageing**: array output falls by a fixed fraction a year (compounded); battery capacity
  fades with calendar time and with every cycle, by ``fade_per_cycle × (DoD/DoD_ref)^k``
  with DoD relative to the nameplate capacity. Fade is applied to the usable energy at each
  *power step*: every change of the satellite's state and every ``POWER_STEP_S``.

Lost compute is charged to causes by counterfactuals that telescope to the actual loss:
``eclipse_shortfall``/``sunlit_shortfall`` (what the design loses with a new battery and a
new array), ``battery_degraded`` or ``battery_failed`` (what the actual battery adds), and
``array_degraded`` (what the aged array adds).

The satellite records its state at every change; at the horizon every orbit is decided and
integrated at once, in a few array passes (``PowerAccount.finish``): the fade that feeds back
on the battery's usable energy is solved as a fixed point. Losses within an orbit follow the
hardware capacity as it changes (a failure mid-eclipse stops charging that unit's compute).
The orbit-by-orbit walk (``eclipse_walk``), a SimPy process deciding each orbit as it starts
from the live state, gives the same results and is kept as the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.units import DAY_S, YEAR_S

# Fade is applied to the usable battery energy at least this often (and at every state change).
POWER_STEP_S = 30.0 * DAY_S

# Share of the array's output available while the Sun's disk is partly hidden (penumbra):
# the visible fraction falls from 1 to 0 across it, about linearly in time.
PENUMBRA_OUTPUT_FRACTION = 0.5

# Relative size below which a cause's loss is rounding residue of the counterfactual split.
ROUNDING = 1e-9
# Shortest sunlit time a recharge is spread over, s; smallest compute load divided by, W.
MIN_SUNLIT_S = 1e-9
MIN_LOAD_W = 1e-9

CAUSES = ("eclipse_shortfall", "sunlit_shortfall", "battery_degraded", "battery_failed",
          "array_degraded")


@dataclass(frozen=True, slots=True)
class BatteryDesign:
    """A satellite's battery, in SI units."""

    capacity_j: float
    max_depth_of_discharge: float
    charge_efficiency: float
    discharge_efficiency: float
    fade_per_cycle: float
    fade_reference_dod: float
    fade_exponent: float
    calendar_fade_per_s: float
    part: str | None = None


@dataclass(frozen=True, slots=True)
class PowerDesign:
    """A satellite's array, loads and eclipse rule, in SI units."""

    array_bol_w: float
    array_degradation_per_year: float
    bus_load_w: float
    compute_load_w: float
    eclipse_compute_level: float
    battery: BatteryDesign

    def array_w(self, t_s: np.ndarray) -> np.ndarray:
        """Array output at ``t_s`` (seconds since the start), degraded and compounded."""
        yearly = np.log1p(-self.array_degradation_per_year) / YEAR_S
        return self.array_bol_w * np.exp(yearly * t_s)


@dataclass(frozen=True)
class Orbits:
    """A satellite's eclipses as orbits: eclipse ``j`` starts orbit ``j``, which ends where
    orbit ``j+1`` starts. Entry 0 is a virtual orbit with an empty eclipse at time 0.

    ``recharge_s`` is the sunlit time over which an eclipse's draw is recharged: infinite for
    the last orbit, whose recharge falls after the horizon."""

    start_s: np.ndarray
    eclipse_end_s: np.ndarray
    penumbra_s: np.ndarray
    end_s: np.ndarray
    recharge_s: np.ndarray
    duration_s: np.ndarray = field(init=False, repr=False, compare=False)
    sunlit_s: np.ndarray = field(init=False, repr=False, compare=False)
    _array_w: dict[PowerDesign, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "duration_s", self.eclipse_end_s - self.start_s)
        object.__setattr__(self, "sunlit_s", self.end_s - self.eclipse_end_s)

    def array_w(self, design: PowerDesign) -> tuple[np.ndarray, np.ndarray]:
        """Array output at each eclipse's start and at the middle of the sunlight after it
        (kept: satellites sharing these orbits, and later replications, reuse it)."""
        cached = self._array_w.get(design)
        if cached is None:
            cached = (design.array_w(self.start_s),
                      design.array_w(0.5 * (self.eclipse_end_s + self.end_s)))
            self._array_w[design] = cached
        return cached

    @classmethod
    def from_eclipses(
        cls,
        penumbra_start_s: np.ndarray,
        umbra_start_s: np.ndarray,
        umbra_end_s: np.ndarray,
        penumbra_end_s: np.ndarray,
        horizon_s: float,
    ) -> Orbits:
        """Orbits from eclipse boundaries (umbra NaN for a grazing eclipse), clipped to the
        horizon."""
        keep = (penumbra_end_s > 0.0) & (penumbra_start_s < horizon_s)
        ps = np.clip(penumbra_start_s[keep], 0.0, horizon_s)
        pe = np.clip(penumbra_end_s[keep], 0.0, horizon_s)
        us = np.clip(umbra_start_s[keep], ps, pe)
        ue = np.clip(umbra_end_s[keep], ps, pe)
        grazing = np.isnan(us) | np.isnan(ue)
        penumbra = np.where(grazing, pe - ps, (us - ps) + (pe - ue))
        start = np.concatenate([[0.0], ps])
        eclipse_end = np.concatenate([[0.0], pe])
        end = np.concatenate([start[1:], [horizon_s]])
        recharge = end - eclipse_end
        recharge[-1] = np.inf
        return cls(start_s=start, eclipse_end_s=eclipse_end,
                   penumbra_s=np.concatenate([[0.0], penumbra]), end_s=end, recharge_s=recharge)

    def __len__(self) -> int:
        return len(self.start_s)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a set of orbits decided: when compute is cut in each eclipse (seconds after its
    start), what the battery gave, and the compute the array carries in the sunlight after."""

    cut_s: np.ndarray
    drawn_j: np.ndarray
    unmet_bus_j: np.ndarray
    sun_compute: np.ndarray


def decide(
    design: PowerDesign,
    orbits: Orbits,
    index: slice | int,
    hardware: np.ndarray | float,
    usable_j: np.ndarray | float,
    eclipse_array_w: np.ndarray | float,
    sun_array_w: np.ndarray | float,
) -> Outcome:
    """The outcome of orbits ``index`` for hardware capacity fractions ``hardware`` and
    usable battery energies ``usable_j`` at their starts."""
    duration = orbits.duration_s[index]
    battery = design.battery
    bus_w = design.bus_load_w
    compute_w = design.compute_load_w * hardware * design.eclipse_compute_level
    array_j = eclipse_array_w * PENUMBRA_OUTPUT_FRACTION * orbits.penumbra_s[index]
    bus_short_j = bus_w * duration - array_j
    need_j = np.maximum(bus_short_j + compute_w * duration, 0.0)
    available_j = usable_j * battery.discharge_efficiency
    enough = need_j <= available_j
    cut = np.minimum(np.maximum((available_j - bus_short_j) / np.maximum(compute_w, MIN_LOAD_W),
                                0.0), duration)
    cut_s = np.where(enough | (compute_w <= 0.0), duration, cut)
    drawn_j = np.where(enough, need_j / battery.discharge_efficiency, usable_j)
    unmet_bus_j = np.maximum(bus_short_j - available_j, 0.0)
    # An orbit with no sunlight (the virtual first one when an eclipse is under way at the
    # start) recharges nothing within it; the floor keeps the division finite.
    recharge_w = drawn_j / (battery.charge_efficiency * np.maximum(orbits.recharge_s[index],
                                                                   MIN_SUNLIT_S))
    sun_compute = np.maximum(sun_array_w - bus_w - recharge_w, 0.0) / design.compute_load_w
    return Outcome(cut_s, drawn_j, unmet_bus_j, sun_compute)


def fade_increment(battery: BatteryDesign, drawn_j: np.ndarray) -> np.ndarray:
    """Capacity fraction each cycle costs: ``fade_per_cycle × (DoD/DoD_ref)^k``."""
    dod = drawn_j / battery.capacity_j
    return np.where(drawn_j > 0.0, battery.fade_per_cycle
                    * (dod / battery.fade_reference_dod) ** battery.fade_exponent, 0.0)


@dataclass
class PowerTotals:
    """Battery and energy figures of one satellite, over its orbits."""

    cycles: int = 0
    min_state_of_charge: float = 1.0
    recharge_shortfall_orbits: int = 0
    array_j: float = 0.0
    bus_j: float = 0.0
    compute_j: float = 0.0
    conversion_loss_j: float = 0.0
    stored_change_j: float = 0.0
    unmet_bus_j: float = 0.0


@dataclass(frozen=True, slots=True)
class Decisions:
    """Per orbit: the state at its start (hardware capacity, share of battery strings,
    usable energy) and what was decided with the actual battery and array. ``slow`` marks
    the orbits where anything limited compute beyond the eclipse rule; for those alone,
    ``as_designed`` (a new battery and array) and ``with_battery`` (the actual battery and a
    new array) hold the counterfactual outcomes that charge the losses to causes."""

    hardware: np.ndarray
    battery: np.ndarray
    usable_j: np.ndarray
    actual: Outcome
    slow: np.ndarray
    as_designed: Outcome
    with_battery: Outcome


class PowerAccount:
    """One satellite's power over its orbits, from the states it goes through.

    ``hardware`` and ``battery_fraction`` read the satellite's current state;
    ``report(by_cause, starts, ends, rates)`` receives the losses at the horizon.
    """

    def __init__(self, design: PowerDesign, orbits: Orbits | Callable[[], Orbits],
                 hardware: Callable[[], float], battery_fraction: Callable[[], float],
                 report: Callable[..., None], step_s: float = POWER_STEP_S):
        self.design = design
        self._orbits_source = orbits
        self._orbits: Orbits | None = orbits if isinstance(orbits, Orbits) else None
        self.step_s = step_s
        self._hardware = hardware
        self._battery_fraction = battery_fraction
        self._report = report
        self._times = [0.0]
        self._hardware_states = [hardware()]
        self._battery_states = [battery_fraction()]
        self._walk: _Walk | None = None
        self.totals = PowerTotals()

    @property
    def orbits(self) -> Orbits:
        """The satellite's orbits, built from their source when first needed (a large shell's
        orbits are built one satellite at a time and let go after ``finish``)."""
        if self._orbits is None:
            source = self._orbits_source
            assert callable(source)
            self._orbits = source()
        return self._orbits

    def record(self, now_s: float) -> None:
        """The satellite's state changed at ``now_s``: keep it (a power step happens here)."""
        self._times.append(now_s)
        self._hardware_states.append(self._hardware())
        self._battery_states.append(self._battery_fraction())

    def start_walk(self) -> None:
        """Decide orbits one by one as the walk reaches them, instead of at the horizon."""
        self._walk = _Walk(self)
        self._walk.decide(0, 0.0)

    def walk_to(self, index: int, now_s: float) -> None:
        """The walk reached orbit ``index`` at ``now_s``."""
        assert self._walk is not None
        self._walk.decide(index, now_s)

    def finish(self, horizon_s: float) -> None:
        """Decide every orbit (unless walked), integrate the losses, book and report them."""
        times = np.array(self._times)
        hardware_states = np.array(self._hardware_states)
        if self._walk is not None:
            decisions = self._walk.result()
        else:
            decisions = _Intervals(self, times, hardware_states,
                                   np.array(self._battery_states), horizon_s).decide()
        self._book(decisions)
        orbits = self.orbits
        level = self.design.eclipse_compute_level
        slow = np.flatnonzero(decisions.slow)
        fast = np.flatnonzero(~decisions.slow)
        design_segments, battery_segments, slow_segments = (
            _losses(orbits, slow, outcome, times, hardware_states, level, horizon_s)
            for outcome in (decisions.as_designed, decisions.with_battery,
                            _subset(decisions.actual, slow)))
        fast_segments = _eclipse_losses(orbits, fast, times, hardware_states, level, horizon_s)
        battery_extra = (battery_segments.by_orbit(len(orbits))
                         - design_segments.by_orbit(len(orbits)))
        failed = decisions.battery <= 0.0
        by_cause = {
            "eclipse_shortfall": design_segments.total(eclipse=True) + fast_segments.total(),
            "sunlit_shortfall": design_segments.total(eclipse=False),
            "battery_degraded": float(np.sum(battery_extra[~failed])),
            "battery_failed": float(np.sum(battery_extra[failed])),
            "array_degraded": slow_segments.total() - battery_segments.total(),
        }
        # Differences of nearly equal sums leave rounding residue (±1e-9 of the total).
        scale = ROUNDING * max(sum(abs(v) for v in by_cause.values()), 1.0)
        by_cause = {cause: 0.0 if abs(value) < scale else value
                    for cause, value in by_cause.items()}
        merged = _merge(slow_segments, fast_segments)
        self._report(by_cause, merged.starts_s, merged.ends_s, merged.rates)
        if not isinstance(self._orbits_source, Orbits):
            self._orbits = None

    def _book(self, decisions: Decisions) -> None:
        """Cycles, state of charge and the energy ledger (with the state at each orbit's
        start)."""
        design = self.design
        battery = design.battery
        orbits = self.orbits
        actual = decisions.actual
        hardware = decisions.hardware
        totals = self.totals
        drawn = actual.drawn_j
        cycled = drawn > 0.0
        totals.cycles = int(np.count_nonzero(cycled))
        capacity = decisions.usable_j / battery.max_depth_of_discharge
        with np.errstate(divide="ignore", invalid="ignore"):
            state_of_charge = np.where(capacity > 0.0, 1.0 - drawn / capacity, 0.0)
        totals.min_state_of_charge = float(np.min(state_of_charge[cycled], initial=1.0))

        duration = orbits.duration_s
        sunlit = orbits.sunlit_s
        sun_array = orbits.array_w(design)[1]
        compute_full_w = design.compute_load_w * hardware
        eclipse_compute = compute_full_w * design.eclipse_compute_level * actual.cut_s
        eclipse_loads = design.bus_load_w * duration - actual.unmet_bus_j + eclipse_compute
        battery_out = drawn * battery.discharge_efficiency
        recharge_room = np.maximum(sun_array - design.bus_load_w, 0.0) * sunlit
        within = np.isfinite(orbits.recharge_s)
        recharge_in = np.where(within, np.minimum(drawn / battery.charge_efficiency,
                                                  recharge_room), 0.0)
        recharged = recharge_in * battery.charge_efficiency
        sun_compute = np.minimum(actual.sun_compute, hardware) * design.compute_load_w * sunlit
        totals.recharge_shortfall_orbits = int(np.count_nonzero(
            within & (recharged < drawn * (1 - 1e-12))))
        totals.array_j = float(np.sum(eclipse_loads - battery_out + design.bus_load_w * sunlit
                                      + sun_compute + recharge_in))
        totals.bus_j = float(np.sum(design.bus_load_w * (duration + sunlit)
                                    - actual.unmet_bus_j))
        totals.compute_j = float(np.sum(eclipse_compute + sun_compute))
        totals.conversion_loss_j = float(np.sum(drawn - battery_out + recharge_in - recharged))
        totals.stored_change_j = float(np.sum(recharged - drawn))
        totals.unmet_bus_j = float(np.sum(actual.unmet_bus_j))


# The fade fixed point: at most this many passes, stopping once no orbit's fade moves more.
FADE_ITERATIONS = 50
FADE_TOLERANCE = 1e-15


@dataclass(frozen=True, slots=True)
class _FadePoints:
    """When accumulated fade reaches the usable energy, for a run of orbits: the fade points
    after an origin (a state change, or the start), each orbit's last point at or before it
    (0: the origin), how many of the run's orbits each point follows, and the calendar fade at
    the origin and at every point."""

    point_of_orbit: np.ndarray
    decided_before_point: np.ndarray
    calendar: np.ndarray

    def fade(self, applied: float, increments: np.ndarray) -> np.ndarray:
        """Each orbit's fade, given the cycle fade ``applied`` at the origin and the run's
        per-orbit ``increments``."""
        cumulative = np.concatenate([[0.0], np.cumsum(increments)])
        at_points = applied + np.concatenate([[0.0], cumulative[self.decided_before_point]])
        return (at_points + self.calendar)[self.point_of_orbit]


class _Intervals:
    """Decides every orbit from the satellite's states (constant between its changes).

    The battery's usable energy changes only at fade points (every state change and every
    ``step_s``), by the fade of the orbits decided before each. Fade is first taken from the
    draws the loads ask for; where the battery covers every eclipse those are the draws, and
    one pass decides everything. From the first orbit it cannot cover, the fade ↔ draw loop
    is iterated to its fixed point, which is what the orbit-by-orbit walk reaches step by
    step.
    """

    def __init__(self, account: PowerAccount, times: np.ndarray, hardware_states: np.ndarray,
                 battery_states: np.ndarray, horizon_s: float):
        self.account = account
        self.times = times
        self.hardware_states = hardware_states
        self.battery_states = battery_states
        self.horizon_s = horizon_s
        design = account.design
        orbits = account.orbits
        self.eclipse_array_w, self.sun_array_w = orbits.array_w(design)
        battery = design.battery
        self.full_j = battery.capacity_j * battery.max_depth_of_discharge

    def decide(self) -> Decisions:
        """Every orbit: in one pass up to the first the battery cannot cover, then from the
        start of that orbit's interval on, as a fixed point."""
        hardware, strings, usable, actual, asked_j, cumulative = self._all_at_once()
        orbits = self.account.orbits
        short = np.flatnonzero(actual.drawn_j != asked_j)
        if len(short):
            interval = int(np.searchsorted(self.times, orbits.start_s[short[0]], "right")) - 1
            resume = int(np.searchsorted(orbits.start_s, self.times[interval], "left"))
            tail = self._fixed_point_from(interval, resume, float(cumulative[resume]),
                                          hardware, strings, usable, asked_j)
            actual = Outcome(*(np.concatenate([getattr(actual, name)[:resume],
                                               getattr(tail, name)])
                               for name in Outcome.__slots__))
        slow = (actual.cut_s < orbits.duration_s) | (actual.sun_compute < hardware)
        chosen = np.flatnonzero(slow)
        design = self.account.design
        bol = design.array_bol_w
        return Decisions(
            hardware=hardware, battery=strings, usable_j=usable, actual=actual, slow=slow,
            as_designed=decide(design, orbits, chosen, hardware[chosen], self.full_j, bol, bol),
            with_battery=decide(design, orbits, chosen, hardware[chosen], usable[chosen], bol,
                                bol))

    def _all_at_once(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, Outcome, np.ndarray,
                                    np.ndarray]:
        """All orbits in one pass, fade taken from the draws the loads ask for: exact up to
        the first orbit whose draw falls short of what was asked (from there, draws depend
        on fade). Also returns the asked draws and their cumulative fade."""
        account = self.account
        design = account.design
        battery = design.battery
        orbits = account.orbits
        state = np.searchsorted(self.times, orbits.start_s, side="right") - 1
        hardware = self.hardware_states[state]
        strings = self.battery_states[state]
        battery_out = design.bus_load_w + design.compute_load_w * hardware * (
            design.eclipse_compute_level)
        asked_j = np.maximum(battery_out * orbits.duration_s - self.eclipse_array_w
                             * PENUMBRA_OUTPUT_FRACTION * orbits.penumbra_s, 0.0)
        asked_j /= battery.discharge_efficiency
        increments = fade_increment(battery, asked_j)
        fade = self._fade_points(0, 0).fade(0.0, increments)
        usable = self.full_j * strings * np.maximum(0.0, 1.0 - fade)
        actual = decide(design, orbits, slice(None), hardware, usable, self.eclipse_array_w,
                        self.sun_array_w)
        return hardware, strings, usable, actual, asked_j, np.concatenate(
            [[0.0], np.cumsum(increments)])

    def _fade_points(self, interval: int, resume: int) -> _FadePoints:
        """The fade points after interval ``interval``'s start, for orbits ``resume`` on."""
        account = self.account
        starts = account.orbits.start_s[resume:]
        origin_s = float(self.times[interval])
        steps = np.arange(account.step_s, self.horizon_s, account.step_s)
        points = np.union1d(self.times[interval + 1:], steps[steps > origin_s])
        return _FadePoints(
            point_of_orbit=np.searchsorted(points, starts, side="right"),
            decided_before_point=np.searchsorted(starts, points, side="left"),
            calendar=account.design.battery.calendar_fade_per_s
            * np.concatenate([[origin_s], points]),
        )

    def _fixed_point_from(self, interval: int, resume: int, applied: float,
                          hardware: np.ndarray, strings: np.ndarray, usable: np.ndarray,
                          asked_j: np.ndarray) -> Outcome:
        """Orbits ``resume`` onward (the first of interval ``interval``), all at once: the
        fade ↔ draw loop iterated over the whole tail to its fixed point, starting from the
        draws the loads ask for (``asked_j``). ``applied`` is the cycle fade of every orbit
        before. Fills ``usable`` from there."""
        account = self.account
        design = account.design
        battery = design.battery
        orbits = account.orbits
        tail = slice(resume, len(orbits))
        points = self._fade_points(interval, resume)
        eclipse_array = self.eclipse_array_w[tail]
        sun_array = self.sun_array_w[tail]
        hardware_tail = hardware[tail]
        strings_tail = strings[tail]
        fade = points.fade(applied, fade_increment(battery, asked_j[tail]))
        for _ in range(FADE_ITERATIONS):
            usable_tail = self.full_j * strings_tail * np.maximum(0.0, 1.0 - fade)
            outcome = decide(design, orbits, tail, hardware_tail, usable_tail, eclipse_array,
                             sun_array)
            updated = points.fade(applied, fade_increment(battery, outcome.drawn_j))
            if np.max(np.abs(updated - fade), initial=0.0) <= FADE_TOLERANCE:
                usable[tail] = usable_tail
                return outcome
            fade = updated
        raise RuntimeError("battery fade did not converge")


def _subset(outcome: Outcome, index: np.ndarray) -> Outcome:
    return Outcome(*(getattr(outcome, name)[index] for name in Outcome.__slots__))


def _split(starts: np.ndarray, ends: np.ndarray, cuts: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint ordered segments split at ``cuts``: (starts, ends, segment of each piece)."""
    owner = np.searchsorted(starts, cuts, side="right") - 1
    valid = owner >= 0
    inside = cuts[valid]
    owner = owner[valid]
    keep = (inside > starts[owner]) & (inside < ends[owner])
    inside = inside[keep]
    owner = owner[keep]
    segment = np.insert(np.arange(len(starts)), owner + 1, owner)
    piece_starts = np.insert(starts, owner + 1, inside)
    piece_ends = np.insert(ends, owner, inside)
    return piece_starts, piece_ends, segment


@dataclass(frozen=True, slots=True)
class Segments:
    """Ordered segments of lost-capacity rate (fraction of nominal); ``kinds`` 0 in eclipse
    before the cut, 1 after it, 2 in sunlight; ``orbit`` the orbit each belongs to."""

    starts_s: np.ndarray
    ends_s: np.ndarray
    rates: np.ndarray
    kinds: np.ndarray
    orbit: np.ndarray

    @property
    def lost(self) -> np.ndarray:
        return self.rates * (self.ends_s - self.starts_s)

    def total(self, eclipse: bool | None = None) -> float:
        """Lost fraction-seconds: all, in eclipse only, or in sunlight only."""
        lost = self.lost
        if eclipse is None:
            return float(np.sum(lost))
        return float(np.sum(lost[(self.kinds < 2) == eclipse]))

    def by_orbit(self, count: int) -> np.ndarray:
        return np.bincount(self.orbit, weights=self.lost, minlength=count)


def _losses(orbits: Orbits, index: np.ndarray, outcome: Outcome, times: np.ndarray,
            hardware_states: np.ndarray, level: float, horizon_s: float) -> Segments:
    """Lost-capacity segments of orbits ``index`` (with their ``outcome``), split wherever the
    hardware state changes."""
    ps = orbits.start_s[index]
    cut_at = ps + outcome.cut_s
    pe = orbits.eclipse_end_s[index]
    end = orbits.end_s[index]
    starts = np.stack([ps, cut_at, pe], axis=1).ravel()
    ends = np.stack([cut_at, pe, end], axis=1).ravel()
    pieces, piece_ends, segment = _split(starts, ends, times[1:])
    kinds = segment % 3
    which = segment // 3
    hardware = hardware_states[np.searchsorted(times, pieces, side="right") - 1]
    rates = np.where(kinds == 0, hardware * (1.0 - level),
                     np.where(kinds == 1, hardware,
                              np.maximum(hardware - outcome.sun_compute[which], 0.0)))
    return Segments(pieces, piece_ends, rates, kinds, np.asarray(index)[which])


def _eclipse_losses(orbits: Orbits, index: np.ndarray, times: np.ndarray,
                    hardware_states: np.ndarray, level: float, horizon_s: float) -> Segments:
    """Orbits where only the eclipse rule costs compute: ``(1 - level)`` of the hardware
    capacity through each eclipse."""
    if level >= 1.0 or len(index) == 0:
        empty = np.zeros(0)
        return Segments(empty, empty, empty, np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    starts = orbits.start_s[index]
    ends = orbits.eclipse_end_s[index]
    pieces, piece_ends, segment = _split(starts, ends, times[1:])
    hardware = hardware_states[np.searchsorted(times, pieces, side="right") - 1]
    return Segments(pieces, piece_ends, hardware * (1.0 - level),
                    np.zeros(len(pieces), dtype=int), np.asarray(index)[segment])


def _merge(a: Segments, b: Segments) -> Segments:
    """Both sets of segments in time order (they never overlap)."""
    order = np.argsort(np.concatenate([a.starts_s, b.starts_s]), kind="stable")
    return Segments(*(np.concatenate([getattr(a, name), getattr(b, name)])[order]
                      for name in Segments.__slots__))


class _Walk:
    """Orbit-by-orbit decisions from the live state, with fade applied as fade points pass."""

    def __init__(self, account: PowerAccount):
        self.account = account
        self.fade_applied = 0.0
        self.fade_pending = 0.0
        self.calendar_point_s = 0.0
        self.last_s = 0.0
        self.rows: list[tuple[float, float, float, Outcome, Outcome, Outcome]] = []

    def decide(self, index: int, now_s: float) -> None:
        account = self.account
        design = account.design
        battery = design.battery
        step = account.step_s
        passed = [p for p in account._times[1:] if self.last_s < p <= now_s]
        passed += [p for p in np.arange((self.last_s // step + 1) * step, now_s + step, step)
                   if self.last_s < p <= now_s]
        if passed:
            self.fade_applied += self.fade_pending
            self.fade_pending = 0.0
            self.calendar_point_s = max(passed)
        self.last_s = now_s
        fade = self.fade_applied + battery.calendar_fade_per_s * self.calendar_point_s
        full_j = battery.capacity_j * battery.max_depth_of_discharge
        hardware = account._hardware()
        strings = account._battery_fraction()
        usable = full_j * strings * max(0.0, 1.0 - fade)
        orbits = account.orbits
        rows = slice(index, index + 1)
        eclipse_array = design.array_w(orbits.start_s[rows])
        sun_array = design.array_w(0.5 * (orbits.eclipse_end_s[rows] + orbits.end_s[rows]))
        bol = design.array_bol_w
        actual = decide(design, orbits, rows, hardware, usable, eclipse_array, sun_array)
        self.fade_pending += float(fade_increment(battery, actual.drawn_j)[0])
        self.rows.append((
            hardware, strings, usable,
            decide(design, orbits, rows, hardware, full_j, bol, bol),
            decide(design, orbits, rows, hardware, usable, bol, bol),
            actual,
        ))

    def result(self) -> Decisions:
        def stacked(column: int) -> Outcome:
            outcomes = [row[column] for row in self.rows]
            return Outcome(*(np.concatenate([getattr(o, name) for o in outcomes])
                             for name in ("cut_s", "drawn_j", "unmet_bus_j", "sun_compute")))

        return Decisions(
            hardware=np.array([row[0] for row in self.rows]),
            battery=np.array([row[1] for row in self.rows]),
            usable_j=np.array([row[2] for row in self.rows]),
            actual=stacked(5), slow=np.ones(len(self.rows), dtype=bool),
            as_designed=stacked(3), with_battery=stacked(4))


def eclipse_walk(
    env: simpy.Environment, account: PowerAccount
) -> Generator[simpy.Event, Any, None]:
    """The reference walk: wake at every orbit's start and decide it from the live state."""
    account.start_walk()
    for index in range(1, len(account.orbits)):
        start_s = float(account.orbits.start_s[index])
        if start_s > env.now:
            yield env.timeout(start_s - env.now)
        account.walk_to(index, env.now)
