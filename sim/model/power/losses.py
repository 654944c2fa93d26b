"""Lost compute and the energy ledger of decided orbits.

An orbit loses ``(1 - level)`` of its hardware capacity in eclipse before the cut, all of it
after the cut, and what the array cannot carry in sunlight (``hardware - sun_compute``).
``orbit_losses`` gives these per orbit for a hardware capacity that holds through each orbit;
``piece_losses`` follows the capacity as it changes inside orbits, piece by piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.power.energy import Orbits, Outcome, PowerDesign

# The energy ledger's rows, per orbit (energies in J; the last two are counts).
LEDGER = ("array_j", "bus_j", "compute_j", "conversion_loss_j", "stored_change_j", "unmet_bus_j",
          "cycles", "recharge_shortfall_orbits")
# Share of a draw left unrecharged before an orbit counts as a recharge shortfall.
RECHARGE_SLACK = 1e-12


def orbit_losses(orbits: Orbits, index: slice | np.ndarray, outcome: Outcome,
                 hardware: np.ndarray | float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lost fraction-seconds of each orbit, (in eclipse, in sunlight), for a hardware capacity
    that holds through each orbit."""
    duration = orbits.duration_s[index]
    eclipse = hardware * (1.0 - level) * outcome.cut_s + hardware * (duration - outcome.cut_s)
    sunlit = np.maximum(hardware - outcome.sun_compute, 0.0) * orbits.sunlit_s[index]
    return eclipse, sunlit


def ledger_rows(design: PowerDesign, orbits: Orbits, index: slice | np.ndarray,
                hardware: np.ndarray | float, outcome: Outcome) -> np.ndarray:
    """The energy ledger of each orbit (rows as ``LEDGER``): the array feeds the loads, the
    recharge and the conversion losses; the battery gives its draw and takes its recharge."""
    battery = design.battery
    bus_w = design.bus_load_w
    duration = orbits.duration_s[index]
    sunlit = orbits.sunlit_s[index]
    sun_array_w = orbits.array_w(design)[1][index]
    drawn = outcome.drawn_j
    eclipse_compute = (design.compute_load_w * hardware * design.eclipse_compute_level
                       * outcome.cut_s)
    eclipse_loads = bus_w * duration - outcome.unmet_bus_j + eclipse_compute
    battery_out = drawn * battery.discharge_efficiency
    recharge_room = np.maximum(sun_array_w - bus_w, 0.0) * sunlit
    within = np.isfinite(orbits.recharge_s[index])
    recharge_in = np.where(within, np.minimum(drawn / battery.charge_efficiency, recharge_room),
                           0.0)
    recharged = recharge_in * battery.charge_efficiency
    sun_compute = np.minimum(outcome.sun_compute, hardware) * design.compute_load_w * sunlit
    return np.stack([
        eclipse_loads - battery_out + bus_w * sunlit + sun_compute + recharge_in,
        bus_w * (duration + sunlit) - outcome.unmet_bus_j,
        eclipse_compute + sun_compute,
        drawn - battery_out + recharge_in - recharged,
        recharged - drawn,
        outcome.unmet_bus_j,
        drawn > 0.0,
        within & (recharged < drawn * (1.0 - RECHARGE_SLACK)),
    ]).astype(float)


def state_of_charge(drawn_j: np.ndarray, usable_j: np.ndarray,
                    max_depth_of_discharge: float) -> np.ndarray:
    """State of charge after each draw from a battery of ``usable_j`` within its depth of
    discharge (0 for a battery with nothing usable)."""
    capacity = usable_j / max_depth_of_discharge
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(capacity > 0.0, 1.0 - drawn_j / capacity, 0.0)


@dataclass(frozen=True, slots=True)
class Pieces:
    """Orbits cut where the hardware state changes: piece ``p`` of the orbit at position
    ``which[p]`` runs over [starts_s[p], ends_s[p]) with hardware capacity ``hardware[p]``."""

    starts_s: np.ndarray
    ends_s: np.ndarray
    which: np.ndarray
    hardware: np.ndarray

    def overlap(self, start_s: np.ndarray, end_s: np.ndarray) -> np.ndarray:
        """How long each piece overlaps [start_s, end_s) (one interval per piece)."""
        return np.maximum(np.minimum(self.ends_s, end_s) - np.maximum(self.starts_s, start_s),
                          0.0)


def pieces(orbits: Orbits, index: np.ndarray, times: np.ndarray,
           hardware_states: np.ndarray) -> Pieces:
    """Orbits ``index`` (sorted) cut at the state changes inside them (``hardware_states[k]``
    holds from ``times[k]``)."""
    starts, ends, which = _split(orbits.start_s[index], orbits.end_s[index], times[1:])
    hardware = hardware_states[np.searchsorted(times, starts, side="right") - 1]
    return Pieces(starts, ends, which, hardware)


@dataclass(frozen=True, slots=True)
class PieceLosses:
    """Lost fraction-seconds of each piece in eclipse and in sunlight, and the segments of
    lost capacity rate they come from (in eclipse before the cut, after it, in sunlight)."""

    eclipse: np.ndarray
    sunlit: np.ndarray
    segments: tuple[np.ndarray, np.ndarray, np.ndarray] | None

    def by_orbit(self, cut: Pieces, count: int) -> np.ndarray:
        """Lost fraction-seconds of each of the ``count`` orbits cut into ``cut``."""
        return np.bincount(cut.which, weights=self.eclipse + self.sunlit, minlength=count)


def piece_losses(orbits: Orbits, index: np.ndarray, cut: Pieces, outcome: Outcome,
                 level: float, segments: bool = False) -> PieceLosses:
    """What each piece of orbits ``index`` loses with their ``outcome``: the hardware capacity
    of the moment, times ``1 - level`` in eclipse before the cut, all of it after, and what the
    array cannot carry in sunlight; with ``segments``, also when."""
    which = cut.which
    eclipse_start_s = orbits.start_s[index][which]
    cut_at_s = eclipse_start_s + outcome.cut_s[which]
    eclipse_end_s = orbits.eclipse_end_s[index][which]
    end_s = orbits.end_s[index][which]
    hardware = cut.hardware
    rates = (hardware * (1.0 - level), hardware,
             np.maximum(hardware - outcome.sun_compute[which], 0.0))
    bounds = (eclipse_start_s, cut_at_s, eclipse_end_s, end_s)
    lost = [rate * cut.overlap(a, b) for rate, a, b in zip(rates, bounds, bounds[1:],
                                                           strict=False)]
    if not segments:
        return PieceLosses(eclipse=lost[0] + lost[1], sunlit=lost[2], segments=None)
    starts = np.concatenate([np.maximum(cut.starts_s, a) for a in bounds[:3]])
    ends = np.maximum(np.concatenate([np.minimum(cut.ends_s, b) for b in bounds[1:]]), starts)
    return PieceLosses(eclipse=lost[0] + lost[1], sunlit=lost[2],
                       segments=(starts, ends, np.concatenate(rates)))


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
