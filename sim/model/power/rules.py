"""The power rules: what a satellite's array and battery let its bus and compute do.

Everything here is a closed form over a *stretch*: a span of one eclipse or of one sunlit
period through which the satellite's state (its hardware capacity, its battery's usable
energy) holds. A stretch starts from the energy stored in the battery and ends with the
energy left; stretches compose, so the rules give the same result however an eclipse or a
sunlit period is cut into stretches.

- **Eclipse** (``eclipse_compute``): the array gives half its output while the Sun is partly
  hidden (penumbra) and nothing in umbra, spread evenly over the eclipse; the battery carries
  the rest of the bus load and of the compute load. Compute runs at the eclipse rule's level
  (``ECLIPSE_RULES``) while the battery holds more than the bus needs to the end of the
  eclipse, and stops at the moment it does not. A battery that cannot carry even the bus
  empties, and the bus loses power (a brownout).
- **Sunlight** (``sunlit_compute``): the array serves the bus first, then recharges the
  battery (what it lacks spread evenly over the rest of the sunlit period, or all the surplus
  if that is less), then compute, up to the compute load. An array that cannot carry the bus
  leaves the battery to make up the difference.

Stored energy is counted above the depth-of-discharge floor: it lies in [0, usable energy],
usable energy being ``usable_energy_j`` (the one formula for it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.units import DAY_S, HOUR_S, YEAR_S

# Compute's share of its load in eclipse, by rule; ``shed_to_fraction`` names its own.
RIDE_THROUGH = "ride_through"
SHED = "shed"
SHED_TO_FRACTION = "shed_to_fraction"
ECLIPSE_RULES = {RIDE_THROUGH: 1.0, SHED: 0.0}

# Share of the array's output available while the Sun's disk is partly hidden (penumbra):
# the visible fraction falls from 1 to 0 across it, about linearly in time.
PENUMBRA_OUTPUT_FRACTION = 0.5

# Relative margin within which a battery holding exactly what the bus needs to the end of an
# eclipse (as the compute cut leaves it) counts as carrying it: rounding alone must not brown
# a satellite out at the very end of an eclipse.
EXACTLY = 1e-9

# Battery fade is applied at least this often (and at every change of the satellite's state).
POWER_STEP_S = 30.0 * DAY_S

# Time from the return of power to a browned-out satellite until it computes again: a reset
# and a safe-mode recovery. (A) modelling assumption: ground-commanded recoveries from safe
# mode take from hours to days; 24 h is a value in that range, to be varied in studies.
DEFAULT_BROWNOUT_RECOVERY_S = 24.0 * HOUR_S


def eclipse_compute_level(rule: str, fraction: float | None = None) -> float:
    """Compute's share of its load in eclipse under ``rule`` (``fraction`` for
    ``shed_to_fraction``)."""
    if rule == SHED_TO_FRACTION:
        if fraction is None:
            raise ValueError("shed_to_fraction needs a fraction")
        return fraction
    return ECLIPSE_RULES[rule]


@dataclass(frozen=True, slots=True)
class BatteryDesign:
    """A satellite's battery, in SI units; ``part`` names the part whose units are its
    strings (capacity scales with the working strings; below ``required`` it has none)."""

    capacity_j: float
    max_depth_of_discharge: float
    charge_efficiency: float
    discharge_efficiency: float
    fade_per_cycle: float
    fade_reference_dod: float
    fade_exponent: float
    calendar_fade_per_s: float
    part: str | None = None

    @property
    def new_usable_j(self) -> float:
        """Usable energy of the new battery with every string working."""
        return usable_energy_j(self, 1.0, 0.0)


@dataclass(frozen=True, slots=True)
class PowerDesign:
    """A satellite's array, loads, eclipse rule and battery, in SI units.

    ``array_bol_w`` is the new array's output at 1 AU from the Sun; the output follows the
    Sun's distance (an irradiance factor supplied with the orbits) and falls by
    ``array_degradation_per_year``, compounded. ``compute_load_w`` is drawn at nominal
    compute; ``eclipse_compute_level`` is the eclipse rule's share of it.
    """

    array_bol_w: float
    array_degradation_per_year: float
    bus_load_w: float
    compute_load_w: float
    eclipse_compute_level: float
    battery: BatteryDesign
    brownout_recovery_s: float = DEFAULT_BROWNOUT_RECOVERY_S

    def degradation(self, t_s: np.ndarray) -> np.ndarray:
        """Share of its new output the array gives at ``t_s`` (seconds since the start)."""
        yearly = np.log1p(-self.array_degradation_per_year) / YEAR_S
        return np.exp(yearly * np.asarray(t_s, dtype=float))


def usable_energy_j(battery: BatteryDesign, strings: np.ndarray | float,
                    fade: np.ndarray | float) -> np.ndarray | float:
    """Energy a battery can give within its depth of discharge: nameplate capacity × share of
    strings working × (1 − fade) × depth-of-discharge limit (never below zero)."""
    return (battery.capacity_j * battery.max_depth_of_discharge * strings
            * np.maximum(0.0, 1.0 - np.asarray(fade, dtype=float)))


def cycle_fade(battery: BatteryDesign, drawn_j: np.ndarray | float) -> np.ndarray:
    """Capacity share one discharge of ``drawn_j`` costs: ``fade_per_cycle × (DoD/DoD_ref)^k``,
    the depth of discharge relative to the nameplate capacity."""
    drawn = np.asarray(drawn_j, dtype=float)
    dod = drawn / battery.capacity_j
    return np.where(drawn > 0.0, battery.fade_per_cycle
                    * (np.maximum(dod, 0.0) / battery.fade_reference_dod)
                    ** battery.fade_exponent, 0.0)


@dataclass(frozen=True, slots=True)
class EclipseStretch:
    """What a stretch of eclipse did, from its start: how long compute ran (``on_s``), when
    the battery emptied and the bus lost power (``empty_s``; inf if it did not), and the
    energy the battery gave the loads (``output_j``; it lost ``output_j / η_discharge``)."""

    on_s: np.ndarray
    empty_s: np.ndarray
    output_j: np.ndarray


def eclipse_compute(stored_j: np.ndarray, duration_s: np.ndarray, to_end_s: np.ndarray,
                    bus_deficit_w: np.ndarray, compute_w: np.ndarray,
                    discharge_efficiency: float) -> EclipseStretch:
    """Decide how long compute runs over ``duration_s`` of an eclipse with ``to_end_s`` left
    of it (from the stretch's start), from ``stored_j`` in the battery.

    ``bus_deficit_w`` is what the bus needs beyond the array's penumbra output (spread over
    the eclipse; negative when the array gives more), ``compute_w`` the compute load at the
    eclipse rule's level. Compute runs while the battery's remaining output exceeds the bus's
    need to the end of the eclipse: ``E·η − on·τ = off·(to_end − τ)`` sets the cut ``τ``,
    with ``on``/``off`` the battery's output rates with and without compute.
    """
    available_j = stored_j * discharge_efficiency
    on_w = np.maximum(bus_deficit_w + compute_w, 0.0)
    off_w = np.maximum(bus_deficit_w, 0.0)
    extra_w = on_w - off_w
    reserve_j = off_w * to_end_s
    with np.errstate(divide="ignore", invalid="ignore"):
        cut_s = np.where(extra_w > 0.0, (available_j - reserve_j) / extra_w, np.inf)
        empty_at_s = np.where(off_w > 0.0, available_j / off_w, np.inf)
    short = available_j < reserve_j * (1.0 - EXACTLY)
    on_s = np.clip(np.where(short, 0.0, cut_s), 0.0, duration_s)
    # Only a battery short of the bus's need empties, and only after compute stopped.
    empty_s = np.where(short & (empty_at_s < duration_s * (1.0 - EXACTLY)), empty_at_s, np.inf)
    ran_s = np.minimum(duration_s, empty_s)
    output_j = np.where(np.isfinite(empty_s), available_j,
                        np.minimum(on_w * on_s + off_w * (ran_s - on_s), available_j))
    return EclipseStretch(on_s, empty_s, output_j)


@dataclass(frozen=True, slots=True)
class SunlitStretch:
    """What a stretch of sunlight did: the power left to compute (``compute_w``), the array
    energy put into charging (``charge_in_j``; the battery gains ``charge_in_j × η_charge``
    and reaches ``stored_j``), the energy the battery gave the bus (``output_j``, when the
    array cannot carry it) and when it emptied (``empty_s``, inf if it did not)."""

    compute_w: np.ndarray
    charge_in_j: np.ndarray
    stored_j: np.ndarray
    output_j: np.ndarray
    empty_s: np.ndarray


def sunlit_compute(stored_j: np.ndarray, usable_j: np.ndarray, duration_s: np.ndarray,
                   to_end_s: np.ndarray, surplus_w: np.ndarray, compute_max_w: np.ndarray,
                   charge_efficiency: float, discharge_efficiency: float) -> SunlitStretch:
    """Decide the recharge and the compute over ``duration_s`` of a sunlit period with
    ``to_end_s`` left of it (the recharge is spread over that), from ``stored_j``.

    ``surplus_w`` is the array's output beyond the bus load; ``compute_max_w`` the compute
    load the hardware could draw. A stretch that reaches the end of the sunlight with the
    recharge not limited by the surplus leaves the battery exactly full.
    """
    deficit_j = np.maximum(usable_j - stored_j, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        wanted_w = np.where(to_end_s > 0.0, deficit_j / (charge_efficiency * to_end_s),
                            np.where(deficit_j > 0.0, np.inf, 0.0))
    positive = surplus_w >= 0.0
    charge_w = np.where(positive, np.minimum(wanted_w, np.maximum(surplus_w, 0.0)), 0.0)
    full = positive & (duration_s >= to_end_s) & (charge_w == wanted_w)
    charged = np.where(full, usable_j,
                       np.minimum(stored_j + charge_w * duration_s * charge_efficiency,
                                  usable_j))
    compute_w = np.where(positive, np.minimum(compute_max_w, surplus_w - charge_w), 0.0)
    # The battery makes up an array that cannot carry the bus, until it empties.
    need_w = np.where(positive, 0.0, -surplus_w)
    available_j = stored_j * discharge_efficiency
    with np.errstate(divide="ignore", invalid="ignore"):
        empty_at_s = np.where(need_w > 0.0, available_j / need_w, np.inf)
    empty_s = np.where(empty_at_s < duration_s * (1.0 - EXACTLY), empty_at_s, np.inf)
    output_j = np.where(np.isfinite(empty_s), available_j,
                        np.minimum(need_w * duration_s, available_j))
    stored = np.where(positive, charged,
                      np.maximum(stored_j - output_j / discharge_efficiency, 0.0))
    charge_in_j = np.where(positive, (stored - stored_j) / charge_efficiency, 0.0)
    return SunlitStretch(compute_w, charge_in_j, stored, output_j, empty_s)
