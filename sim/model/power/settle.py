"""The orbits decided one by one, for many satellites at once: their outcomes, their losses
charged to causes, their energy ledger, and each satellite's account closed with them.

Few orbits per satellite go this way (those that may fall short, and those a state change
falls inside), so deciding them satellite by satellite would cost mostly numpy's per-call
overhead; here every step runs once over all satellites sharing a set of orbits and a design.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.power.energy import ROUNDING, Decided, Orbits, Outcome, PowerDesign, decide
from sim.model.power.losses import LEDGER, Pieces, ledger_rows, piece_losses, state_of_charge
from sim.model.power.profiles import (
    ACTUAL,
    DESIGN_ECLIPSE,
    DESIGN_SUNLIT,
    FIRST_LEDGER_ROW,
    WITH_BATTERY,
)

if TYPE_CHECKING:
    from sim.model.power.account import PowerAccount

# Receives [start, end) segments with the capacity lost over each (nominal compute units: the
# accounts' weights times fractions of nominal), and whether they are ordered and disjoint.
Sink = Callable[[np.ndarray, np.ndarray, np.ndarray, bool], None]


@dataclass(frozen=True, slots=True)
class Pending:
    """One satellite's orbits to decide one by one (``index``, with the state at each start),
    cut where its state changes (``cut``), and what its other orbits summed to (profile rows
    with the battery covering, and failed; their lowest state of charge). ``decided`` holds
    outcomes already decided (the walk's)."""

    account: PowerAccount
    weight: float
    index: np.ndarray
    hardware: np.ndarray
    strings: np.ndarray
    usable_j: np.ndarray
    cut: Pieces
    covered: np.ndarray
    failed: np.ndarray
    min_state_of_charge: float
    decided: Decided | None = None


def settle(design: PowerDesign, orbits: Orbits, pending: Sequence[Pending], sink: Sink) -> None:
    """Decide, charge and book the orbits of every pending satellite (all on ``orbits`` with
    ``design``), hand their lost capacity to ``sink`` and close their accounts."""
    if not pending:
        return
    counts = np.array([len(p.index) for p in pending])
    satellite = np.repeat(np.arange(len(pending)), counts)
    index = np.concatenate([p.index for p in pending])
    hardware = np.concatenate([p.hardware for p in pending])
    usable_j = np.concatenate([p.usable_j for p in pending])
    gone = np.concatenate([p.strings for p in pending]) <= 0.0
    actual, with_battery, as_designed = _outcomes(design, orbits, pending, index, hardware,
                                                  usable_j)
    cut = _joined(pending, counts)
    level = design.eclipse_compute_level
    designed = piece_losses(orbits, index, cut, as_designed, level)
    battery = piece_losses(orbits, index, cut, with_battery, level)
    happened = piece_losses(orbits, index, cut, actual, level, segments=True)
    assert happened.segments is not None
    satellites = len(pending)
    owner = satellite[cut.which]

    def per_satellite(values: np.ndarray, of: np.ndarray = owner) -> np.ndarray:
        return np.bincount(of, weights=values, minlength=satellites)

    extra = battery.by_orbit(cut, len(index)) - designed.by_orbit(cut, len(index))
    eclipse = per_satellite(designed.eclipse)
    sunlit = per_satellite(designed.sunlit)
    degraded = per_satellite(np.where(gone, 0.0, extra), satellite)
    lost_battery = per_satellite(np.where(gone, extra, 0.0), satellite)
    aged = per_satellite(happened.eclipse + happened.sunlit) - per_satellite(
        battery.eclipse + battery.sunlit)
    ledger = np.stack([per_satellite(row, satellite) for row in ledger_rows(
        design, orbits, index, hardware, actual)])
    lowest = _lowest_state_of_charge(actual.drawn_j, usable_j, satellite, satellites,
                                     design.battery.max_depth_of_discharge)
    weights = np.array([p.weight for p in pending])
    starts, ends, rates = happened.segments
    sink(starts, ends, rates * np.tile(weights[owner], 3), False)
    for k, item in enumerate(pending):
        covered, failed = item.covered, item.failed
        by_cause = {
            "eclipse_shortfall": eclipse[k] + covered[DESIGN_ECLIPSE] + failed[DESIGN_ECLIPSE],
            "sunlit_shortfall": sunlit[k] + covered[DESIGN_SUNLIT] + failed[DESIGN_SUNLIT],
            "battery_degraded": degraded[k],
            "battery_failed": lost_battery[k] + failed[WITH_BATTERY] - failed[DESIGN_ECLIPSE]
            - failed[DESIGN_SUNLIT],
            # Where the battery covers the eclipse, the actual battery loses what the
            # design's does (``profiles``): the rest of what happens is the aged array's.
            "array_degraded": aged[k] + covered[ACTUAL] - covered[WITH_BATTERY]
            + failed[ACTUAL] - failed[WITH_BATTERY],
        }
        kept = covered + failed
        item.account.close(
            _without_residue(by_cause),
            dict(zip(LEDGER, (ledger[:, k] + kept[FIRST_LEDGER_ROW:]).tolist(), strict=True)),
            min(item.min_state_of_charge, float(lowest[k])))


def _outcomes(design: PowerDesign, orbits: Orbits, pending: Sequence[Pending],
              index: np.ndarray, hardware: np.ndarray, usable_j: np.ndarray
              ) -> tuple[Outcome, Outcome, Outcome]:
    """As it happens, with the actual battery and a new array, as designed."""
    if all(p.decided is not None for p in pending):
        decided = [p.decided for p in pending if p.decided is not None]
        return tuple(Outcome(*(np.concatenate([getattr(getattr(d, which), name)
                                               for d in decided])
                               for name in Outcome.__slots__))
                     for which in ("actual", "with_battery", "as_designed"))  # type: ignore[return-value]
    battery = design.battery
    full_j = battery.capacity_j * battery.max_depth_of_discharge
    eclipse_array_w, sun_array_w = orbits.array_w(design)
    bol_w = design.array_bol_w
    return (decide(design, orbits, index, hardware, usable_j, eclipse_array_w[index],
                   sun_array_w[index]),
            decide(design, orbits, index, hardware, usable_j, bol_w, bol_w),
            decide(design, orbits, index, hardware, full_j, bol_w, bol_w))


def _joined(pending: Sequence[Pending], counts: np.ndarray) -> Pieces:
    """Every satellite's pieces, their orbits numbered across all satellites."""
    offsets = np.cumsum(counts) - counts
    return Pieces(
        starts_s=np.concatenate([p.cut.starts_s for p in pending]),
        ends_s=np.concatenate([p.cut.ends_s for p in pending]),
        which=np.concatenate([p.cut.which + offset for p, offset in
                              zip(pending, offsets.tolist(), strict=True)]),
        hardware=np.concatenate([p.cut.hardware for p in pending]))


def _lowest_state_of_charge(drawn_j: np.ndarray, usable_j: np.ndarray, satellite: np.ndarray,
                            satellites: int, max_depth_of_discharge: float) -> np.ndarray:
    """Each satellite's lowest state of charge over its orbits that drew (1 if none did)."""
    lowest = np.ones(satellites)
    cycled = drawn_j > 0.0
    np.minimum.at(lowest, satellite[cycled], state_of_charge(
        drawn_j[cycled], usable_j[cycled], max_depth_of_discharge))
    return lowest


def _without_residue(by_cause: dict[str, float]) -> dict[str, float]:
    """Differences of nearly equal sums leave rounding residue (±1e-9 of the total)."""
    scale = ROUNDING * max(sum(abs(v) for v in by_cause.values()), 1.0)
    return {cause: 0.0 if abs(value) < scale else float(value)
            for cause, value in by_cause.items()}
