"""Clean orbits in one hardware state, with running sums that answer any run of them at once.

An orbit is *clean* when it starts with a full battery, the battery carries its eclipse
without cutting compute, and the sunlight after it recharges the battery fully. Then its
outcome depends on the hardware capacity alone (not on how much the battery has faded), and
it ends as it started, full. A *profile* holds, for one hardware capacity, every orbit's
outcome as if clean, with prefix sums of what the account adds up: lost compute (in eclipse;
in sunlight as designed and as it happens), the fade each eclipse asks for, and the energy
ledger. Satellites sharing their orbits share their profiles, across replications too, so a
satellite's totals over a run of clean orbits are two lookups.

A clean orbit as designed (new battery, new array) and with the actual battery (new array)
is clean too, and loses the same compute in eclipse as it happens: only the sunlit losses
differ between the three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.power.orbits import Orbits
from sim.model.power.rules import PENUMBRA_OUTPUT_FRACTION, PowerDesign, cycle_fade

# The rows of a profile's prefix sums: lost fraction-seconds in eclipse, in sunlight as
# designed and as it happens; the fade each eclipse asks for; the energy ledger of the orbit
# as it happens (J; then the count of discharges).
ECLIPSE_LOSS, DESIGN_SUNLIT_LOSS, SUNLIT_LOSS, FADE = range(4)
LEDGER_ROWS = ("array_j", "bus_j", "compute_j", "conversion_loss_j", "cycles")
FIRST_LEDGER_ROW = 4
ROWS = FIRST_LEDGER_ROW + len(LEDGER_ROWS)


def bus_deficit_w(design: PowerDesign, orbits: Orbits, eclipse_array_w: np.ndarray,
                  index: slice | np.ndarray) -> np.ndarray:
    """What the bus needs beyond the array's penumbra output, spread over each eclipse, W."""
    duration = orbits.duration_s[index]
    with np.errstate(divide="ignore", invalid="ignore"):
        penumbra_w = np.where(duration > 0.0, PENUMBRA_OUTPUT_FRACTION * eclipse_array_w
                              * orbits.penumbra_s[index] / duration, 0.0)
    return design.bus_load_w - penumbra_w


@dataclass(frozen=True, slots=True)
class Profile:
    """Orbits [first, first + len(need_j)) decided as clean with hardware capacity
    ``hardware`` (every orbit, on orbits shared and kept; one run of them otherwise).

    ``need_j`` is what each eclipse asks the battery to give (before discharge losses);
    ``sun_rate`` the capacity lost in the sunlight after, as a fraction of nominal; ``level``
    the eclipse rule's compute level; ``prefix[i, row]`` sums ``row`` over the first ``i``
    of these orbits; ``unclean`` lists the orbits (numbered as in the orbits) whose sunlight
    does not recharge the battery fully (or cannot carry the bus)."""

    first: int
    hardware: float
    level: float
    need_j: np.ndarray
    sun_rate: np.ndarray
    unclean: np.ndarray
    prefix: np.ndarray

    @property
    def stop(self) -> int:
        return self.first + len(self.need_j)

    def totals(self, start: int, stop: int) -> np.ndarray:
        """Every row summed over orbits [start, stop)."""
        return self.prefix[stop - self.first] - self.prefix[start - self.first]

    def needs(self, start: int, stop: int) -> np.ndarray:
        """What the eclipses of orbits [start, stop) ask of the battery."""
        return self.need_j[start - self.first:stop - self.first]


def build_profile(design: PowerDesign, orbits: Orbits, hardware: float, start: int = 0,
                  stop: int | None = None) -> Profile:
    """Decide orbits [start, stop) (every orbit by default) as clean with hardware capacity
    ``hardware``."""
    stop = len(orbits) if stop is None else stop
    battery = design.battery
    array = orbits.array(design)
    index = slice(start, stop)
    level = design.eclipse_compute_level
    compute_w = design.compute_load_w * hardware
    duration, sunlit = orbits.duration_s[index], orbits.sunlit_s[index]
    recharge = orbits.recharge_s[index]
    need_j = np.maximum(bus_deficit_w(design, orbits, array.eclipse_w[index], index)
                        + compute_w * level, 0.0) * duration
    drawn_j = need_j / battery.discharge_efficiency
    with np.errstate(divide="ignore", invalid="ignore"):
        charge_w = np.where(drawn_j > 0.0, drawn_j / (battery.charge_efficiency * recharge),
                            0.0)
    surplus_w = array.sunlit_w[index] - design.bus_load_w
    clean = (surplus_w >= 0.0) & (charge_w <= surplus_w)
    sun_compute_w = np.clip(surplus_w - charge_w, 0.0, compute_w)
    design_need_j = np.maximum(bus_deficit_w(design, orbits, array.eclipse_bol_w[index], index)
                               + compute_w * level, 0.0) * duration
    with np.errstate(divide="ignore", invalid="ignore"):
        design_charge_w = np.where(design_need_j > 0.0, design_need_j / (
            battery.discharge_efficiency * battery.charge_efficiency * recharge), 0.0)
    design_compute_w = np.clip(array.sunlit_bol_w[index] - design.bus_load_w
                               - design_charge_w, 0.0, compute_w)
    load_w = max(design.compute_load_w, 1e-300)
    sun_rate = hardware - sun_compute_w / load_w
    eclipse_compute_j = compute_w * level * duration
    charge_in_j = charge_w * sunlit
    rows = np.empty((ROWS, stop - start))
    rows[ECLIPSE_LOSS] = hardware * (1.0 - level) * duration
    rows[DESIGN_SUNLIT_LOSS] = (hardware - design_compute_w / load_w) * sunlit
    rows[SUNLIT_LOSS] = sun_rate * sunlit
    rows[FADE] = cycle_fade(battery, drawn_j)
    bus_j = design.bus_load_w * (duration + sunlit)
    compute_j = eclipse_compute_j + sun_compute_w * sunlit
    rows[FIRST_LEDGER_ROW:] = (
        bus_j + compute_j - need_j + charge_in_j,
        bus_j,
        compute_j,
        drawn_j - need_j + charge_in_j * (1.0 - battery.charge_efficiency),
        drawn_j > 0.0,
    )
    prefix = np.zeros((stop - start + 1, ROWS))
    np.cumsum(rows.T, axis=0, out=prefix[1:])
    return Profile(first=start, hardware=hardware, level=level, need_j=need_j,
                   sun_rate=sun_rate, unclean=start + np.flatnonzero(~clean), prefix=prefix)


class ProfileSet:
    """The profiles of one design over one set of orbits. On orbits that satellites share,
    one profile per hardware capacity covers every orbit and is kept for every satellite and
    replication; on a satellite's own orbits, each run of orbits gets a profile of its own."""

    def __init__(self, design: PowerDesign, orbits: Orbits, whole: bool):
        self.design = design
        self.orbits = orbits
        self.whole = whole
        self._kept: dict[float, Profile] = {}
        self._row: dict[int, int] = {}
        self._unsure: np.ndarray | None = None
        # Rows of the kept profiles' fade prefix sums and eclipse needs, grown by doubling.
        self._fade_rows = np.zeros((0, len(orbits) + 1))
        self._need_rows = np.zeros((0, len(orbits) + 1))

    def get(self, hardware: float, start: int, stop: int) -> Profile:
        """A profile with this hardware capacity covering orbits [start, stop)."""
        if not self.whole:
            return build_profile(self.design, self.orbits, hardware, start, stop)
        found = self._kept.get(hardware)
        if found is None:
            found = self._kept[hardware] = build_profile(self.design, self.orbits, hardware)
            self._add_row(found)
        return found

    def _add_row(self, profile: Profile) -> None:
        row = self._row[id(profile)] = len(self._row)
        if row == len(self._fade_rows):
            capacity = max(8, 2 * row)
            for name in ("_fade_rows", "_need_rows"):
                grown = np.zeros((capacity, len(self.orbits) + 1))
                grown[:row] = getattr(self, name)[:row]
                setattr(self, name, grown)
        self._fade_rows[row] = profile.prefix[:, FADE]
        self._need_rows[row, :-1] = profile.need_j

    def unsure_brownouts(self) -> np.ndarray:
        """The orbits in which a satellite with no battery is not sure to stay down: its bus
        needs no battery in the eclipse (the array's penumbra output carries it), or its
        brownout's recovery would end before the next orbit starts (kept)."""
        if self._unsure is None:
            orbits, design = self.orbits, self.design
            array = orbits.array(design)
            every = slice(None)
            following = np.append(orbits.start_s[1:], np.inf)
            sure = ((bus_deficit_w(design, orbits, array.eclipse_w, every) > 0.0)
                    & (orbits.duration_s > 0.0)
                    & (orbits.eclipse_end_s + design.brownout_recovery_s >= following))
            self._unsure = np.flatnonzero(~sure)
        return self._unsure

    @property
    def kept(self) -> list[Profile]:
        """The profiles kept so far (on shared orbits)."""
        return list(self._kept.values())

    def row(self, profile: Profile) -> int:
        """The row of a kept profile in ``tables``."""
        return self._row[id(profile)]

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The kept profiles' fade prefix sums and eclipse needs (with a trailing 0), one
        profile a row (``row``; rows past the kept profiles are unused), so that the windows
        of many runs are read in one gather."""
        return self._fade_rows, self._need_rows


def profile_set(design: PowerDesign, orbits: Orbits, keep: bool) -> ProfileSet:
    """The profiles of ``design`` on ``orbits``: kept on them when ``keep`` (shared orbits)."""
    if not keep:
        return ProfileSet(design, orbits, whole=False)
    found = orbits.profiles.get(design)
    if found is None:
        found = orbits.profiles[design] = ProfileSet(design, orbits, whole=True)
    return found


@dataclass(frozen=True, slots=True)
class Run:
    """Orbits [start, stop), all started with one hardware capacity: one profile's."""

    profile: Profile
    start: int
    stop: int


def runs(profiles: ProfileSet, start_s: np.ndarray, times_s: np.ndarray,
         hardware_states: np.ndarray) -> list[Run]:
    """The orbits (starting at ``start_s``) split where the hardware capacity at their starts
    changes, for a satellite whose capacity was ``hardware_states[k]`` from ``times_s[k]``."""
    n = len(start_s)
    bounds = np.append(np.searchsorted(start_s, times_s, side="left"), n)
    holding = np.flatnonzero(bounds[:-1] < bounds[1:])
    hardware = hardware_states[holding]
    opens = np.ones(len(holding), dtype=bool)
    opens[1:] = hardware[1:] != hardware[:-1]
    starts = bounds[holding[opens]].tolist()
    stops = [*starts[1:], n]
    return [Run(profiles.get(h, a, b), a, b)
            for h, a, b in zip(hardware[opens].tolist(), starts, stops, strict=True)]

