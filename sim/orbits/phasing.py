"""Schedules of satellites that share an orbit plane, from one schedule per plane.

Members of a plane have the same SGP4 elements but the mean anomaly. A member ``Δu`` ahead of
the plane's reference passes every point of the orbit ``Δu / u̇`` earlier (u̇: SGP4's secular
rate of the argument of latitude), but a plain time shift would show it the node and the Sun of
another time: over a half-period shift the node regresses ~0.15° at 550 km, which moves
boundaries by 2 s typically and by over a minute near season edges. Instead, each eclipse's
centre and squared half-widths, smooth functions of the revolution (the squared half-width
crosses zero linearly at a season edge), are interpolated between the reference's consecutive
revolutions at the member's fractional revolution k − Δu/2π.

Notes
-----
Measured against each member's own computed schedule, for members at Δu = π/2, π and −π/3 in
planes at 550 km/53°, 420 km/51.64° and the dawn–dusk SSO at 650 km, from 2027-01-01
(``tests/orbits/test_schedule_cache.py`` asserts the 1-year figures and, marked slow, the
20-year ones at 550 km):

- interpolated (:func:`shift_schedule`), 1 year: boundary error median ≤ 2.4 ms, p99 ≤ 0.043 s,
  max 1.9 s, no eclipse missing or extra;
- interpolated, 20 years: median ≤ 2.4 ms, p99 ≤ 0.042 s, max 9.0 s; at most 2 of ~104,000
  eclipses per member (8–22 s long, at season edges) unmatched; total shadow within 1e-6;
- plain time shift (:func:`time_shift_schedule`), for comparison: median up to 2.3 s, p99 up
  to 13 s, max 76 s over 1 year (88 s and up to 75 unmatched eclipses over 20 years).

The largest interpolated errors are on short eclipses at season edges, where boundaries are
ill-conditioned. The SSO, whose node follows the Sun, stays within 0.4 s.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import overload

import numpy as np

from sim.orbits.cache import drop_file_pages
from sim.orbits.eclipse import clip_to_span, eclipse_schedules
from sim.orbits.elements import OrbitalPlane, WalkerShell
from sim.orbits.ephemeris import builtin_timescale
from sim.orbits.propagation import secular_rates
from sim.orbits.schedule import ARRAY_FIELDS, EclipseSchedule
from sim.orbits.search import RawEclipses
from sim.orbits.timebase import UtcClock, require_utc

# Two eclipses are on consecutive revolutions when their centres are closer than this many
# periods (the anti-Sun passage period differs from the nodal period by < 0.3 %).
ADJACENT_PERIODS = 1.5
# Peak depth floor when converting a grazing eclipse's depth into a squared umbra half-width.
MIN_DEPTH = 1e-6
# Reference schedules extend this many periods beyond each end of a member's span, so that
# every revolution an interpolation uses is whole.
PAD_PERIODS = 2.5


def latitude_rates_rad_s(planes: Sequence[OrbitalPlane], start_utc: datetime) -> list[float]:
    """SGP4's secular rate of the argument of latitude of each plane's orbit, rad/s."""
    clock = UtcClock.from_start(builtin_timescale(), start_utc)
    return [secular_rates(p.reference.satrec(), clock).latitude_rate_rad_s for p in planes]


@dataclass(frozen=True)
class _EclipseSeries:
    """Reference eclipses as smooth functions of the revolution: centres and squared
    half-widths (s²) of penumbra and umbra. A squared umbra half-width is negative for a grazing
    eclipse (from its peak depth), and both cross zero linearly at a season edge."""

    mid_pen_s: np.ndarray
    mid_umb_s: np.ndarray
    half_pen_sq_s2: np.ndarray
    half_umb_sq_s2: np.ndarray
    beta_deg: np.ndarray

    @classmethod
    def of(cls, schedule: EclipseSchedule) -> _EclipseSeries:
        half_pen = 0.5 * schedule.duration_s
        depth = np.clip(schedule.peak_depth, MIN_DEPTH, 1.0)
        grazing_sq = half_pen**2 * (1.0 - 1.0 / depth)
        half_umb_sq = np.where(
            schedule.has_umbra,
            (0.5 * (schedule.umbra_end - schedule.umbra_start)) ** 2,
            grazing_sq,
        )
        mid_umb = np.where(
            schedule.has_umbra, 0.5 * (schedule.umbra_start + schedule.umbra_end), schedule.mid_s
        )
        return cls(schedule.mid_s, mid_umb, half_pen**2, half_umb_sq, schedule.beta_deg)

    def fields(self) -> tuple[np.ndarray, ...]:
        return (
            self.mid_pen_s,
            self.mid_umb_s,
            self.half_pen_sq_s2,
            self.half_umb_sq_s2,
            self.beta_deg,
        )


def _member_passages(p: _EclipseSeries, fraction: float, period_s: float) -> list[np.ndarray]:
    """Values at revolution index k − ``fraction`` for every reference revolution k, and at the
    one such index past the far end of every run of consecutive eclipses (a season edge, where
    the member may still be eclipsed); linear in the revolution index from the two nearest
    revolutions."""
    n = p.mid_pen_s.size
    if n == 0:
        return [np.zeros(0) for _ in p.fields()]
    adjacent = np.diff(p.mid_pen_s) < ADJACENT_PERIODS * period_s
    has_prev = np.concatenate([[False], adjacent])
    has_next = np.concatenate([adjacent, [False]])
    # Moving towards the member: earlier revolutions when it is ahead (fraction > 0).
    toward = -1 if fraction > 0 else 1
    step = abs(fraction)
    has_toward = has_prev if toward < 0 else has_next
    has_away = has_next if toward < 0 else has_prev
    far_edge = has_toward & ~has_away
    index = np.arange(n)
    values = []
    for v in p.fields():
        v_toward = v[np.clip(index + toward, 0, n - 1)]
        v_away = v[np.clip(index - toward, 0, n - 1)]
        slope = np.where(has_toward, v_toward - v, np.where(has_away, v - v_away, np.nan))
        beyond = v[far_edge] + (1.0 - step) * (v[far_edge] - v_toward[far_edge])
        values.append(np.concatenate([v + step * slope, beyond]))
    isolated = ~has_toward & ~has_away
    values[0][:n][isolated] = p.mid_pen_s[isolated] + toward * step * period_s
    values[1][:n][isolated] = p.mid_umb_s[isolated] + toward * step * period_s
    for k in (2, 3, 4):
        values[k][:n][isolated] = p.fields()[k][isolated]
    return values


def time_shift_schedule(
    reference: EclipseSchedule,
    phase_rad: float,
    latitude_rate_rad_s: float,
    offset_s: float,
    span_s: float,
) -> EclipseSchedule:
    """The plain alternative to :func:`shift_schedule`: every eclipse moved by −Δu/u̇.

    Kept to quantify what the interpolation buys (module Notes); use :func:`shift_schedule`.
    """
    shift_s = offset_s + phase_rad / latitude_rate_rad_s
    raw = RawEclipses(
        penumbra_start_s=reference.penumbra_start - shift_s,
        umbra_start_s=reference.umbra_start - shift_s,
        umbra_end_s=reference.umbra_end - shift_s,
        penumbra_end_s=reference.penumbra_end - shift_s,
        beta_rad=np.radians(reference.beta_deg),
        peak_depth=reference.peak_depth,
    )
    return clip_to_span(raw, reference.start_utc + timedelta(seconds=offset_s), span_s)


def shift_schedule(
    reference: EclipseSchedule,
    phase_rad: float,
    latitude_rate_rad_s: float,
    offset_s: float,
    span_s: float,
) -> EclipseSchedule:
    """Schedule of a satellite ``phase_rad`` (in (−π, π]) ahead of ``reference`` in its plane.

    Each eclipse's centre and squared half-widths are interpolated between the reference's
    consecutive revolutions at index k − Δu/2π (extrapolated one revolution past a season
    edge), so the node and Sun motion during the shift is followed. ``offset_s`` is the
    member's start in the reference's time; the result covers [0, span_s] seconds since
    ``reference.start_utc + offset_s``.
    """
    if not -math.pi < phase_rad <= math.pi:
        raise ValueError(f"phase_rad: must be in (−π, π], got {phase_rad}")
    period_s = 2.0 * math.pi / latitude_rate_rad_s
    mid_pen, mid_umb, pen_sq, umb_sq, beta = _member_passages(
        _EclipseSeries.of(reference), phase_rad / (2.0 * math.pi), period_s
    )
    real = pen_sq > 0
    half_pen = np.sqrt(np.where(real, pen_sq, 0.0))
    umbral = real & (umb_sq > 0)
    half_umb = np.where(umbral, np.sqrt(np.where(umbral, umb_sq, 0.0)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.where(umbral, 1.0, np.clip(pen_sq / (pen_sq - umb_sq), 0.0, 1.0))
    order = np.argsort(mid_pen[real], kind="stable")
    raw = RawEclipses(
        penumbra_start_s=(mid_pen - half_pen)[real][order] - offset_s,
        umbra_start_s=(mid_umb - half_umb)[real][order] - offset_s,
        umbra_end_s=(mid_umb + half_umb)[real][order] - offset_s,
        penumbra_end_s=(mid_pen + half_pen)[real][order] - offset_s,
        beta_rad=np.radians(beta[real][order]),
        peak_depth=depth[real][order],
    )
    return clip_to_span(raw, reference.start_utc + timedelta(seconds=offset_s), span_s)


@dataclass(frozen=True)
class PlaneSchedules(Sequence[EclipseSchedule]):
    """The members' schedules of one plane, derived on access from the plane's one schedule.

    Indexing or iterating shifts the padded reference (about 8 ms and 5 MB per member for
    20 years of LEO), so a large shell never holds every member's arrays at once.
    """

    reference: EclipseSchedule
    phases_rad: tuple[float, ...]
    latitude_rate_rad_s: float
    offset_s: float
    span_s: float

    def __len__(self) -> int:
        return len(self.phases_rad)

    @property
    def mean_phase_rad(self) -> float:
        """The members' mean phase ahead of the reference, rad."""
        return float(np.mean(self.phases_rad))

    def lag_s(self, index: int) -> float:
        """How much earlier member ``index`` passes every point of the orbit than a satellite
        at the members' mean phase (``mean_member``), s."""
        return (self.phases_rad[index] - self.mean_phase_rad) / self.latitude_rate_rad_s

    def mean_member(self) -> EclipseSchedule:
        """The schedule of a satellite at the members' mean phase over the span: every
        member's, time-shifted by its ``lag_s``, stands for its own. Taking the mean phase
        makes the lags of a plane add up to zero, so that what the shift moves past the span's
        ends cancels over the plane."""
        found = shift_schedule(self.reference, self.mean_phase_rad, self.latitude_rate_rad_s,
                               self.offset_s, self.span_s)
        drop_file_pages(tuple(getattr(self.reference, name) for name in ARRAY_FIELDS))
        return found

    @overload
    def __getitem__(self, index: int) -> EclipseSchedule: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[EclipseSchedule, ...]: ...

    def __getitem__(self, index: int | slice) -> EclipseSchedule | tuple[EclipseSchedule, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(len(self))[index])
        return shift_schedule(
            self.reference,
            self.phases_rad[index],
            self.latitude_rate_rad_s,
            self.offset_s,
            self.span_s,
        )


def plane_member_schedules(
    planes: Sequence[OrbitalPlane],
    start_utc: datetime,
    span_s: float,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[PlaneSchedules]:
    """For each plane, its members' schedules, from one computed schedule per plane
    (``progress(done, total)`` in planes searched, as ``eclipse_schedules``).

    The plane references are computed (or read from the cache) over the span padded by
    ``PAD_PERIODS`` of the longest period at each end.
    """
    start_utc = require_utc(start_utc, "start_utc")
    rates = latitude_rates_rad_s(planes, start_utc)
    pad_s = float(math.ceil(PAD_PERIODS * 2.0 * math.pi / min(rates)))
    references = eclipse_schedules(
        [plane.reference for plane in planes],
        start_utc - timedelta(seconds=pad_s),
        span_s + 2.0 * pad_s,
        workers=workers,
        cache_dir=cache_dir,
        use_cache=use_cache,
        progress=progress,
    )
    return [
        PlaneSchedules(reference, plane.phases_rad, rate, pad_s, float(span_s))
        for plane, rate, reference in zip(planes, rates, references, strict=True)
    ]


def walker_schedules(
    shell: WalkerShell,
    start_utc: datetime,
    span_s: float,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[PlaneSchedules]:
    """Per plane, the members' schedules of a Walker shell (one search per plane)."""
    return plane_member_schedules(
        shell.plane_groups(),
        start_utc,
        span_s,
        workers=workers,
        cache_dir=cache_dir,
        use_cache=use_cache,
        progress=progress,
    )
