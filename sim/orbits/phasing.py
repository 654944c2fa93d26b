"""Schedules of satellites that share an orbit plane, from one schedule per plane.

A member ``Δu`` ahead of the plane's reference satellite (same SGP4 elements but the mean
anomaly) passes every point of the orbit ``Δu / u̇`` earlier, u̇ being SGP4's secular rate of
the argument of latitude. Its schedule is the reference's shifted by that time. The reference is
computed over the span padded by one period at each end, so every shifted eclipse that overlaps
the member's span is whole before clipping.

Notes
-----
The shift is not exact: during the shift the node regresses (Ω̇·Δt) and the Sun moves, so the
member sees the Sun from a slightly different β than the shifted reference did. Measured against
each member's own schedule: MEASURE-PHASE.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from sim.orbits.eclipse import clip_to_span, eclipse_schedules
from sim.orbits.elements import OrbitalPlane, WalkerShell
from sim.orbits.ephemeris import open_ephemeris
from sim.orbits.propagation import secular_rates
from sim.orbits.schedule import EclipseSchedule
from sim.orbits.search import RawEclipses
from sim.orbits.timebase import UtcClock, require_utc


def latitude_rates_rad_s(planes: Sequence[OrbitalPlane], start_utc: datetime) -> list[float]:
    """SGP4's secular rate of the argument of latitude of each plane's orbit, rad/s."""
    clock = UtcClock.from_start(open_ephemeris().timescale, start_utc)
    return [secular_rates(p.reference.satrec(), clock).latitude_rate_rad_s for p in planes]


def shift_schedule(
    reference: EclipseSchedule,
    phase_rad: float,
    latitude_rate_rad_s: float,
    offset_s: float,
    span_s: float,
) -> EclipseSchedule:
    """Schedule of a satellite ``phase_rad`` ahead of ``reference`` in the same plane.

    ``offset_s`` is the member's start in the reference's time (its padding); the result covers
    [0, span_s] seconds since ``reference.start_utc + offset_s``.
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


def plane_member_schedules(
    planes: Sequence[OrbitalPlane],
    start_utc: datetime,
    span_s: float,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> list[tuple[EclipseSchedule, ...]]:
    """For each plane, the schedule of each member, from one computed schedule per plane.

    The plane references are computed (or read from the cache) over the span padded by the
    longest period at each end.
    """
    start_utc = require_utc(start_utc, "start_utc")
    rates = latitude_rates_rad_s(planes, start_utc)
    pad_s = float(math.ceil(2.0 * math.pi / min(rates)))
    references = eclipse_schedules(
        [plane.reference for plane in planes],
        start_utc - timedelta(seconds=pad_s),
        span_s + 2.0 * pad_s,
        workers=workers,
        cache_dir=cache_dir,
        use_cache=use_cache,
    )
    return [
        tuple(shift_schedule(reference, phase, rate, pad_s, span_s) for phase in plane.phases_rad)
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
) -> list[tuple[EclipseSchedule, ...]]:
    """Per plane, per member schedules of a Walker shell (one search per plane)."""
    return plane_member_schedules(
        shell.plane_groups(),
        start_utc,
        span_s,
        workers=workers,
        cache_dir=cache_dir,
        use_cache=use_cache,
    )
