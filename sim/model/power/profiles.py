"""Orbits decided in one fixed state, with running sums that answer any run of them at once.

Between a satellite's state changes its hardware capacity is fixed, and wherever its battery
covers the eclipse (or has failed outright) an orbit's outcome depends on that capacity alone,
not on how faded the battery is. A *profile* holds those outcomes for one hardware capacity,
one regime (battery covering, or battery failed) and a run of orbits, with prefix sums of
everything the account adds up: the losses under each counterfactual, the fade each orbit
costs, and the energy ledger. Satellites sharing their orbits share their profiles, across
replications too, so a satellite's totals over a state interval are two lookups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.power.energy import Orbits, PowerDesign, decide, fade_increment
from sim.model.power.losses import LEDGER, ledger_rows, orbit_losses

# The rows of a profile's prefix sums: losses in fraction-seconds under the design's new
# battery and array (eclipse, sunlight), with the actual battery and a new array, and as they
# happen; the fade each orbit's draw costs; then the energy ledger.
DESIGN_ECLIPSE, DESIGN_SUNLIT, WITH_BATTERY, ACTUAL, FADE = range(5)
FIRST_LEDGER_ROW = 5
ROWS = FIRST_LEDGER_ROW + len(LEDGER)


@dataclass(frozen=True, slots=True)
class Profile:
    """Orbits ``first`` to ``first + len(need_j)``, decided with hardware capacity ``hardware``
    and a battery that covers every eclipse (``covered``) or has failed (usable energy 0).

    ``level`` is the design's compute level in eclipse; ``need_j`` what each eclipse asks of
    the battery (before discharge losses); ``cut_s`` when compute is cut and ``sun_rate`` the
    capacity lost in the sunlight after, as fractions of nominal; ``prefix[i, row]`` sums
    ``row`` over the first ``i`` of these orbits."""

    first: int
    hardware: float
    level: float
    covered: bool
    need_j: np.ndarray
    cut_s: np.ndarray
    sun_rate: np.ndarray
    prefix: np.ndarray

    @property
    def stop(self) -> int:
        return self.first + len(self.need_j)

    def totals(self, start: int, stop: int) -> np.ndarray:
        """Every row summed over orbits [start, stop)."""
        return self.prefix[stop - self.first] - self.prefix[start - self.first]

    def rows(self, index: np.ndarray) -> np.ndarray:
        """Every row of orbits ``index``, one line each."""
        at = index - self.first
        return self.prefix[at + 1] - self.prefix[at]

    def need_at(self, start: int, stop: int) -> np.ndarray:
        return self.need_j[start - self.first:stop - self.first]


class ProfileSet:
    """The profiles of one design over one set of orbits, kept for every satellite and
    replication, with their fade prefix sums stacked (``fade_prefix[row, i]``, the row of each
    profile in ``rows``) so that many runs of orbits are read in one gather."""

    def __init__(self, design: PowerDesign, orbits: Orbits):
        self.design = design
        self.orbits = orbits
        self.rows: dict[tuple[float, bool], int] = {}
        self.profiles: list[Profile] = []
        self._fade_prefix: np.ndarray | None = None

    def get(self, hardware: float, covered: bool) -> Profile:
        """The profile of every orbit with this hardware capacity and regime."""
        row = self.rows.get((hardware, covered))
        if row is None:
            row = self.rows[hardware, covered] = len(self.profiles)
            self.profiles.append(build_profile(self.design, self.orbits, hardware, covered, 0,
                                               len(self.orbits)))
            self._fade_prefix = None
        return self.profiles[row]

    @property
    def fade_prefix(self) -> np.ndarray:
        if self._fade_prefix is None:
            self._fade_prefix = np.stack([found.prefix[:, FADE] for found in self.profiles])
        return self._fade_prefix


def profile_set(design: PowerDesign, orbits: Orbits) -> ProfileSet:
    """The profiles of ``design`` kept on ``orbits``."""
    found = orbits.profiles.get(design)
    if found is None:
        found = orbits.profiles[design] = ProfileSet(design, orbits)
    return found


def build_profile(design: PowerDesign, orbits: Orbits, hardware: float, covered: bool,
                  start: int, stop: int) -> Profile:
    """Decide orbits [start, stop) with a battery that covers every eclipse or gives nothing."""
    index = slice(start, stop)
    battery = design.battery
    full_j = battery.capacity_j * battery.max_depth_of_discharge
    usable_j = np.inf if covered else 0.0
    eclipse_array_w, sun_array_w = orbits.array_w(design)
    bol_w = design.array_bol_w
    level = design.eclipse_compute_level
    actual = decide(design, orbits, index, hardware, usable_j, eclipse_array_w[index],
                    sun_array_w[index])
    designed = decide(design, orbits, index, hardware, full_j, bol_w, bol_w)
    design_eclipse, design_sunlit = orbit_losses(orbits, index, designed, hardware, level)
    if covered:
        # A battery that covers the eclipse with the aged array covers it with a new one, as
        # the design's does: the counterfactual with the actual battery is the design's.
        with_battery = design_eclipse + design_sunlit
    else:
        failed = decide(design, orbits, index, hardware, usable_j, bol_w, bol_w)
        with_battery = sum(orbit_losses(orbits, index, failed, hardware, level))
    actual_eclipse, actual_sunlit = orbit_losses(orbits, index, actual, hardware, level)
    rows = np.empty((ROWS, stop - start))
    rows[DESIGN_ECLIPSE] = design_eclipse
    rows[DESIGN_SUNLIT] = design_sunlit
    rows[WITH_BATTERY] = with_battery
    rows[ACTUAL] = actual_eclipse + actual_sunlit
    rows[FADE] = fade_increment(battery, actual.drawn_j)
    rows[FIRST_LEDGER_ROW:] = ledger_rows(design, orbits, index, hardware, actual)
    prefix = np.zeros((stop - start + 1, ROWS))
    np.cumsum(rows.T, axis=0, out=prefix[1:])
    return Profile(
        first=start, hardware=hardware, level=level, covered=covered, need_j=actual.need_j,
        cut_s=actual.cut_s, sun_rate=np.maximum(hardware - actual.sun_compute, 0.0), prefix=prefix)
