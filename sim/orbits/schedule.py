"""The eclipse schedule of one orbit, and the questions the power model asks of it.

Times are float64 seconds since ``start_utc``. Eclipses straddling 0 or ``span_s`` are clipped
to the span; an umbra wholly outside the span after clipping becomes NaN, like the umbra of a
grazing (penumbra-only) eclipse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from sim.units import DAY_S

ARRAY_FIELDS = (
    "penumbra_start",
    "umbra_start",
    "umbra_end",
    "penumbra_end",
    "beta_deg",
    "peak_depth",
)


@dataclass(frozen=True)
class EclipseSchedule:
    """Eclipses of one orbit over [0, ``span_s``] seconds since ``start_utc``.

    ``penumbra_start``/``penumbra_end`` bound the whole eclipse (any part of the Sun hidden);
    ``umbra_start``/``umbra_end`` the total phase (NaN for a grazing, penumbra-only eclipse).
    ``beta_deg`` is the Sun's elevation above the osculating orbit plane at the shadow passage
    (mid-eclipse to within a minute, when β moves < 0.005°). ``peak_depth`` is
    the fraction of the Sun's diameter behind the Earth's limb at the deepest point (1.0 when
    there is an umbra). Arrays are read-only (a caller's writeable array is copied; a
    read-only one, such as a memory map of a cache file, is kept) and sorted by
    ``penumbra_start``.
    """

    start_utc: datetime
    span_s: float
    penumbra_start: np.ndarray = field(repr=False)
    umbra_start: np.ndarray = field(repr=False)
    umbra_end: np.ndarray = field(repr=False)
    penumbra_end: np.ndarray = field(repr=False)
    beta_deg: np.ndarray = field(repr=False)
    peak_depth: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        n = None
        for name in ARRAY_FIELDS:
            value = getattr(self, name)
            array = np.asarray(value, dtype=np.float64)
            if array is value and array.flags.writeable:
                array = array.copy()
            if array.ndim != 1 or (n is not None and array.size != n):
                raise ValueError(f"{name}: must be a 1-D array of the same length as the others")
            n = array.size
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    def __len__(self) -> int:
        return int(self.penumbra_start.size)

    @property
    def count(self) -> int:
        return len(self)

    @property
    def has_umbra(self) -> np.ndarray:
        return np.isfinite(self.umbra_start)

    @property
    def duration_s(self) -> np.ndarray:
        """Penumbra-to-penumbra duration of each eclipse, s."""
        return self.penumbra_end - self.penumbra_start

    @property
    def umbra_duration_s(self) -> np.ndarray:
        """Umbra duration of each eclipse, s (0 for grazing eclipses)."""
        return np.nan_to_num(self.umbra_end - self.umbra_start, nan=0.0)

    @property
    def mid_s(self) -> np.ndarray:
        return 0.5 * (self.penumbra_start + self.penumbra_end)

    def total_shadow_s(self, umbra: bool = False) -> float:
        """Time in any shadow (penumbra or umbra), or in the umbra only, s."""
        return float(np.sum(self.umbra_duration_s if umbra else self.duration_s))

    def shadow_fraction(self, umbra: bool = False) -> float:
        """:meth:`total_shadow_s` as a fraction of the span."""
        return self.total_shadow_s(umbra) / self.span_s

    def longest_eclipse_s(self, umbra: bool = False) -> float:
        """Longest eclipse (penumbra to penumbra, or umbra only), s; 0 if none."""
        durations = self.umbra_duration_s if umbra else self.duration_s
        return float(durations.max(initial=0.0))

    def eclipse_day_mask(self) -> np.ndarray:
        """For each day since start (``DAY_S`` bins), whether any eclipse touches it."""
        days = int(np.ceil(self.span_s / DAY_S))
        mask = np.zeros(days, dtype=bool)
        first = (self.penumbra_start // DAY_S).astype(np.int64)
        last = np.minimum((self.penumbra_end // DAY_S).astype(np.int64), days - 1)
        mask[first] = True
        mask[last] = True
        return mask

    def eclipse_days(self) -> int:
        """Number of days (since start) with at least one eclipse."""
        return int(self.eclipse_day_mask().sum())

    def eclipse_day_runs(self) -> list[tuple[int, int]]:
        """Runs of consecutive days with eclipses as (first day, last day + 1) day indices."""
        edges = np.diff(np.concatenate([[0], self.eclipse_day_mask().astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]

    def eclipse_seasons(self) -> list[tuple[float, float]]:
        """Runs of consecutive days with eclipses, as (first eclipse start, last eclipse end), s."""
        seasons = []
        for first_day, stop_day in self.eclipse_day_runs():
            inside = (self.penumbra_end > first_day * DAY_S) & (
                self.penumbra_start < stop_day * DAY_S
            )
            seasons.append(
                (float(self.penumbra_start[inside].min()), float(self.penumbra_end[inside].max()))
            )
        return seasons

    def in_shadow(self, t_s: np.ndarray, umbra: bool = False) -> np.ndarray:
        """Whether each time is inside an eclipse (penumbra or umbra, or umbra only)."""
        t_s = np.asarray(t_s, dtype=float)
        starts = self.umbra_start if umbra else self.penumbra_start
        ends = self.umbra_end if umbra else self.penumbra_end
        i = np.searchsorted(self.penumbra_start, t_s, side="right") - 1
        j = np.maximum(i, 0)
        return (i >= 0) & (t_s >= starts[j]) & (t_s <= ends[j])

    def sunlit_fraction(self, t_s: np.ndarray) -> np.ndarray:
        """Fraction of the solar disc's area visible at each time, in [0, 1].

        The covered depth (fraction of the Sun's diameter behind the limb) is modelled as a
        parabola in time, symmetric about mid-eclipse, through depth 0 at the penumbra boundary
        and 1 at the umbra boundary (or ``peak_depth`` at mid-eclipse when there is no umbra):
        the shadow margin θ − ρ_E is close to a parabola in time near its minimum, and close to
        linear across the short ramps of deep eclipses, which the parabola also follows. The
        limb is straight at the Sun's scale, so the hidden area is a circular segment.

        Notes
        -----
        Uniform disc (no limb darkening, which makes the true power curve steeper at the
        edges). Against the exact disc-overlap geometry (``tests/orbits/
        test_eclipse_geometry.py``: 550 km/53°, dawn–dusk SSO 650 km and the ISS-like TLE over
        2027, umbral and grazing eclipses): max error 0.0021 in visible fraction, mean 0.0007,
        about the resolution of the reference integration.
        Ramps of an eclipse clipped at the span edges use the clipped times.
        """
        t_s = np.asarray(t_s, dtype=float)
        i = np.searchsorted(self.penumbra_start, t_s, side="right") - 1
        j = np.maximum(i, 0)
        ps, pe = self.penumbra_start[j], self.penumbra_end[j]
        us, ue = self.umbra_start[j], self.umbra_end[j]
        inside = (i >= 0) & (t_s >= ps) & (t_s <= pe)
        mid = 0.5 * (ps + pe)
        with np.errstate(invalid="ignore", divide="ignore"):
            from_mid_sq = (t_s - mid) ** 2
            outer_sq = (mid - ps) ** 2
            inner_sq = np.where(t_s < mid, mid - us, ue - mid) ** 2
            umbral = (outer_sq - from_mid_sq) / (outer_sq - inner_sq)
            grazing = self.peak_depth[j] * (1.0 - from_mid_sq / outer_sq)
        depth = np.where(np.isfinite(us), umbral, grazing)
        depth = np.clip(np.where(inside, np.nan_to_num(depth, nan=1.0), 0.0), 0.0, 1.0)
        return 1.0 - hidden_disc_fraction(depth)


def hidden_disc_fraction(depth: np.ndarray) -> np.ndarray:
    """Area fraction of a disc cut off by a straight edge ``depth`` diameters deep."""
    c = 1.0 - 2.0 * np.clip(depth, 0.0, 1.0)
    return (np.arccos(c) - c * np.sqrt(1.0 - c * c)) / np.pi
