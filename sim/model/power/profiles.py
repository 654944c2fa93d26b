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

    def totals_over(self, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Every row summed over the orbits of the spans [starts[k], stops[k])."""
        prefix = self.prefix
        return np.sum(prefix[stops - self.first] - prefix[starts - self.first], axis=0)

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
    duration = orbits.duration_s[index]
    sunlit = orbits.end_s[index] - orbits.eclipse_end_s[index]
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

    def forget(self) -> None:
        """Drop the kept profiles (they and these orbits refer to each other: the orbits let
        go of them are then freed at once, not by the cycle collector)."""
        self._kept.clear()
        self._row.clear()

    def row(self, profile: Profile) -> int:
        """The row of a kept profile in ``tables``."""
        return self._row[id(profile)]

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The kept profiles' fade prefix sums and eclipse needs (with a trailing 0), one
        profile a row (``row``; rows past the kept profiles are unused), so that the windows
        of many runs are read in one gather."""
        return self._fade_rows, self._need_rows


class LinearProfile:
    """Every orbit of a ``LinearProfiles`` set at one hardware capacity: what a ``Profile``
    gives, from the set's tables (no arrays of its own but its unclean orbits)."""

    __slots__ = ("base", "hardware", "level", "unclean")
    first = 0

    def __init__(self, base: LinearProfiles, hardware: float):
        self.base = base
        self.hardware = hardware
        self.level = 0.0
        self.unclean = np.flatnonzero(base.hardware_limit < hardware)

    @property
    def need_j(self) -> np.ndarray:
        return self.base.need_j

    @property
    def sun_rate(self) -> None:
        """None: a clean orbit of this set loses nothing in sunlight."""
        return None

    @property
    def stop(self) -> int:
        return len(self.base.need_j)

    def totals_over(self, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Every row summed over the orbits of the spans [starts[k], stops[k])."""
        base = self.base
        found = np.zeros(ROWS)
        found[base.CONSTANT_ROWS] = np.sum(base.constant[stops] - base.constant[starts], axis=0)
        eclipse_s = float(np.sum(base.eclipse_s[stops] - base.eclipse_s[starts]))
        sunlit_j = float(np.sum(base.sunlit_compute_j[stops] - base.sunlit_compute_j[starts]))
        found[ECLIPSE_LOSS] = self.hardware * eclipse_s
        found[COMPUTE_ROW] = self.hardware * sunlit_j
        found[ARRAY_ROW] += self.hardware * sunlit_j
        return found

    def needs(self, start: int, stop: int) -> np.ndarray:
        """What the eclipses of orbits [start, stop) ask of the battery."""
        return self.base.need_j[start:stop]


ARRAY_ROW = FIRST_LEDGER_ROW + LEDGER_ROWS.index("array_j")
COMPUTE_ROW = FIRST_LEDGER_ROW + LEDGER_ROWS.index("compute_j")


class LinearProfiles(ProfileSet):
    """The profiles of a design that sheds compute in eclipse, over orbits many satellites
    share, at every hardware capacity from one set of tables.

    With compute shed in eclipse, what an eclipse asks of the battery, its fade and the
    recharge after it do not depend on the hardware capacity h; an orbit whose sunlight also
    carries the whole compute load (as designed and as it happens: h at most the orbit's
    ``hardware_limit``) loses h × its eclipse and nothing else, and its ledger is affine in
    h. Such orbits are summed from prefix sums; the rest are not clean at h and run as chains.
    Memory is a few arrays by orbit, whatever the number of capacities the satellites pass
    through (``ProfileSet`` keeps one profile of nine prefix sums per capacity).
    """

    CONSTANT_ROWS = np.array([FADE, *(FIRST_LEDGER_ROW + LEDGER_ROWS.index(name)
                                      for name in ("array_j", "bus_j", "conversion_loss_j",
                                                   "cycles"))])

    def __init__(self, design: PowerDesign, orbits: Orbits):
        super().__init__(design, orbits, whole=True)
        battery = design.battery
        array = orbits.array(design)
        every = slice(None)
        duration, sunlit, recharge = orbits.duration_s, orbits.sunlit_s, orbits.recharge_s
        need_j = np.maximum(bus_deficit_w(design, orbits, array.eclipse_w, every), 0.0) * duration
        drawn_j = need_j / battery.discharge_efficiency
        with np.errstate(divide="ignore", invalid="ignore"):
            charge_w = np.where(drawn_j > 0.0, drawn_j / (battery.charge_efficiency * recharge),
                                0.0)
        design_need_j = np.maximum(bus_deficit_w(design, orbits, array.eclipse_bol_w, every),
                                   0.0) * duration
        with np.errstate(divide="ignore", invalid="ignore"):
            design_charge_w = np.where(design_need_j > 0.0, design_need_j / (
                battery.discharge_efficiency * battery.charge_efficiency * recharge), 0.0)
        spare_w = np.minimum(array.sunlit_w - design.bus_load_w - charge_w,
                             array.sunlit_bol_w - design.bus_load_w - design_charge_w)
        load_w = design.compute_load_w
        if load_w > 0.0:
            self.hardware_limit = spare_w / load_w
        else:
            self.hardware_limit = np.where(spare_w >= 0.0, np.inf, -np.inf)
        # With a trailing 0 for ``tables``; ``need_j`` is a view of it.
        needs = np.append(need_j, 0.0)
        self.need_j = needs[:-1]
        charge_in_j = charge_w * sunlit
        bus_j = design.bus_load_w * (duration + sunlit)
        constant = np.empty((len(self.CONSTANT_ROWS), len(duration)))
        constant[0] = cycle_fade(battery, drawn_j)
        constant[1] = bus_j - need_j + charge_in_j
        constant[2] = bus_j
        constant[3] = drawn_j - need_j + charge_in_j * (1.0 - battery.charge_efficiency)
        constant[4] = drawn_j > 0.0
        self.constant = _prefix(constant)
        self.eclipse_s = orbits.eclipse_before_s()
        self.sunlit_compute_j = _prefix(load_w * sunlit)
        self._profiles: dict[float, LinearProfile] = {}
        self._tables = (self.constant[:, 0][None, :], needs[None, :])

    def get(self, hardware: float, start: int, stop: int) -> LinearProfile:  # type: ignore[override]
        """The profile at this hardware capacity (covering every orbit)."""
        found = self._profiles.get(hardware)
        if found is None:
            found = self._profiles[hardware] = LinearProfile(self, hardware)
        return found

    @property
    def kept(self) -> list[LinearProfile]:  # type: ignore[override]
        return list(self._profiles.values())

    def forget(self) -> None:
        super().forget()
        self._profiles.clear()

    def row(self, profile: Profile | LinearProfile) -> int:
        """Every capacity reads the same row of ``tables``."""
        return 0

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        return self._tables


def _prefix(rows: np.ndarray) -> np.ndarray:
    """Running sums along the last axis, with a leading 0 (of each row, for 2-D rows)."""
    shape = (*rows.shape[:-1], rows.shape[-1] + 1)
    found = np.zeros(shape)
    np.cumsum(rows, axis=-1, out=found[..., 1:])
    return found.T if rows.ndim > 1 else found


def profile_set(design: PowerDesign, orbits: Orbits, keep: bool) -> ProfileSet:
    """The profiles of ``design`` on ``orbits``: kept on them when ``keep`` (shared orbits),
    as ``LinearProfiles`` where the orbits ask for them and the design sheds compute in
    eclipse."""
    if not keep:
        return ProfileSet(design, orbits, whole=False)
    found = orbits.profiles.get(design)
    if found is None:
        if orbits.linear_profiles and design.eclipse_compute_level == 0.0:
            found = LinearProfiles(design, orbits)
        else:
            found = ProfileSet(design, orbits, whole=True)
        orbits.profiles[design] = found
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

