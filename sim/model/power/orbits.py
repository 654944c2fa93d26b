"""A satellite's eclipse cycles as the power model reads them: one *orbit* per eclipse.

Orbit ``j`` runs from eclipse ``j``'s start (penumbra entry) through its end (penumbra exit)
and the sunlight after it, to the next eclipse's start. Orbit 0 is a virtual one with an empty
eclipse at time 0, covering the sunlight before the first eclipse.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.power.rules import PowerDesign

# Where ``Orbits.eclipse_before_s`` keeps its array among the orbits' profiles.
_ECLIPSE_BEFORE = "eclipse_before_s"


@dataclass(frozen=True, slots=True)
class ArrayOutput:
    """The array's output per orbit, W: in eclipse (at its start) and in the sunlight after
    (at its middle), as aged and as new (``bol``); the Sun's distance applies to both."""

    eclipse_w: np.ndarray
    sunlit_w: np.ndarray
    eclipse_bol_w: np.ndarray
    sunlit_bol_w: np.ndarray


@dataclass(frozen=True)
class Orbits:
    """A satellite's eclipses as orbits (arrays by orbit, seconds since the start).

    ``recharge_s`` is the sunlit time an eclipse's draw is recharged over: the sunlight after
    it, except for the last orbit, cut short by the horizon, whose recharge is spread as over
    the orbit before (or over its own sunlight, if longer). ``irradiance_eclipse`` and
    ``irradiance_sunlit`` are (1 AU / r)² at each eclipse's start and at the middle of the
    sunlight after it. ``profiles`` keeps what satellites sharing these orbits reuse
    (``sim.model.power.profiles``).
    """

    start_s: np.ndarray
    eclipse_end_s: np.ndarray
    penumbra_s: np.ndarray
    end_s: np.ndarray
    recharge_s: np.ndarray
    irradiance_eclipse: np.ndarray
    irradiance_sunlit: np.ndarray
    duration_s: np.ndarray = field(init=False, repr=False, compare=False)
    _arrays: dict[PowerDesign, ArrayOutput] = field(default_factory=dict, repr=False,
                                                    compare=False)
    profiles: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)
    # Whether the power model keeps hardware-independent tables on these orbits where it can
    # (``sim.model.power.profiles.LinearProfiles``): for orbits many satellites share.
    linear_profiles: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "duration_s", self.eclipse_end_s - self.start_s)

    def __len__(self) -> int:
        return len(self.start_s)

    @property
    def sunlit_s(self) -> np.ndarray:
        """Each orbit's sunlight after its eclipse, s (computed when asked: it is read only
        where profiles are built)."""
        return self.end_s - self.eclipse_end_s

    def eclipse_before_s(self) -> np.ndarray:
        """The eclipse time of the orbits before each orbit, s, with the total at the end
        (kept: the power tables and the eclipse curve read the same array)."""
        found = self.profiles.get(_ECLIPSE_BEFORE)
        if found is None:
            found = self.profiles[_ECLIPSE_BEFORE] = np.concatenate(
                [[0.0], np.cumsum(self.duration_s)])
        return found

    def forget(self) -> None:
        """Drop what the power model keeps on these orbits. Its profile sets refer back to the
        orbits; cutting the references frees both as soon as the orbits are let go, rather
        than when the cycle collector runs (it is paused while a replication runs)."""
        for kept in self.profiles.values():
            forget = getattr(kept, "forget", None)
            if forget is not None:
                forget()
        self.profiles.clear()
        self._arrays.clear()

    def array(self, design: PowerDesign) -> ArrayOutput:
        """The array's output per orbit (kept: satellites sharing these orbits, and later
        replications, reuse it)."""
        found = self._arrays.get(design)
        if found is None:
            middle_s = 0.5 * (self.eclipse_end_s + self.end_s)
            eclipse_bol = design.array_bol_w * self.irradiance_eclipse
            sunlit_bol = design.array_bol_w * self.irradiance_sunlit
            found = ArrayOutput(eclipse_bol * design.degradation(self.start_s),
                                sunlit_bol * design.degradation(middle_s),
                                eclipse_bol, sunlit_bol)
            self._arrays[design] = found
        return found

    @classmethod
    def from_eclipses(
        cls,
        penumbra_start_s: np.ndarray,
        umbra_start_s: np.ndarray,
        umbra_end_s: np.ndarray,
        penumbra_end_s: np.ndarray,
        horizon_s: float,
        irradiance: Callable[[np.ndarray], np.ndarray] | None = None,
        linear_profiles: bool = False,
    ) -> Orbits:
        """Orbits from eclipse boundaries (umbra NaN for a grazing eclipse), clipped to the
        horizon; ``irradiance`` gives (1 AU / r)² at any times (1 if not given)."""
        keep = (penumbra_end_s > 0.0) & (penumbra_start_s < horizon_s)
        ps = np.clip(penumbra_start_s[keep], 0.0, horizon_s)
        pe = np.clip(penumbra_end_s[keep], 0.0, horizon_s)
        us = np.clip(umbra_start_s[keep], ps, pe)
        ue = np.clip(umbra_end_s[keep], ps, pe)
        grazing = np.isnan(us) | np.isnan(ue)
        penumbra = np.where(grazing, pe - ps, (us - ps) + (pe - ue))
        # Each orbit ends where the next begins: one array holds both.
        bounds = np.concatenate([[0.0], ps, [horizon_s]])
        start, end = bounds[:-1], bounds[1:]
        eclipse_end = np.concatenate([[0.0], pe])
        recharge = end - eclipse_end
        if len(recharge) > 1:
            recharge[-1] = max(recharge[-1], recharge[-2])
        middle = 0.5 * (eclipse_end + end)
        if irradiance is None:
            at_start = at_middle = np.ones(len(start))
        else:
            at_start, at_middle = irradiance(start), irradiance(middle)
        return cls(start_s=start, eclipse_end_s=eclipse_end,
                   penumbra_s=np.concatenate([[0.0], penumbra]), end_s=end,
                   recharge_s=recharge, irradiance_eclipse=at_start,
                   irradiance_sunlit=at_middle, linear_profiles=linear_profiles)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` by sorting: numpy's hashing one is slower on
    the short arrays the power model makes by the thousand)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]

