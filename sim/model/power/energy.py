"""What a satellite's array and battery can do in one orbit: the designs, the orbits, and the
decision of each orbit from the state at its start (see ``sim.model.power``)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
          "array_degraded", "brownout")


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
    the last orbit, whose recharge falls after the horizon. ``profiles`` keeps what satellites
    sharing these orbits reuse (``sim.model.power.profiles``)."""

    start_s: np.ndarray
    eclipse_end_s: np.ndarray
    penumbra_s: np.ndarray
    end_s: np.ndarray
    recharge_s: np.ndarray
    duration_s: np.ndarray = field(init=False, repr=False, compare=False)
    sunlit_s: np.ndarray = field(init=False, repr=False, compare=False)
    _array_w: dict[PowerDesign, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False)
    profiles: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

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
    """What a set of orbits decided: what each eclipse asked of the battery (before discharge
    losses), when compute is cut (seconds after the eclipse's start), what the battery gave,
    the bus energy it could not give, and the compute the array carries in the sunlight after."""

    need_j: np.ndarray
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
    return Outcome(need_j, cut_s, drawn_j, unmet_bus_j, sun_compute)


def fade_increment(battery: BatteryDesign, drawn_j: np.ndarray) -> np.ndarray:
    """Capacity fraction each cycle costs: ``fade_per_cycle × (DoD/DoD_ref)^k``."""
    dod = drawn_j / battery.capacity_j
    return np.where(drawn_j > 0.0, battery.fade_per_cycle
                    * (dod / battery.fade_reference_dod) ** battery.fade_exponent, 0.0)


@dataclass(frozen=True, slots=True)
class Decided:
    """Orbits ``index`` with the state at their starts (hardware capacity, share of battery
    strings, usable energy) and their outcomes: as they happen, with the actual battery and a
    new array, and with the design's new battery and array (the counterfactuals that charge
    losses to causes)."""

    index: np.ndarray
    hardware: np.ndarray
    strings: np.ndarray
    usable_j: np.ndarray
    actual: Outcome
    with_battery: Outcome
    as_designed: Outcome
