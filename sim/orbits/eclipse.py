"""Eclipse schedules of orbits: computed once per distinct orbit, cached on disk.

``eclipse_schedule`` answers for one orbit; ``eclipse_schedules`` for many at once, computing
the uncached ones in worker processes that share one Sun track. The search itself is in
:mod:`sim.orbits.search` (predict each shadow passage, correct with SGP4 and the Sun track).

Model limits (inherited by every schedule): SGP4 mean elements with no drag unless B* is given,
no manoeuvres or station-keeping, TEME frame; spherical Earth of Skyfield's radius with a
conical umbra and penumbra from the Sun's true radius; no atmosphere, no oblateness; geometric
Sun from JPL DE421, and from ERFA epv00 beyond it (after 2053-10-09; where both exist, the
boundaries they give differ by at most 1.6 ms, ``tests/orbits/test_sun_sources.py``). Eclipses
straddling the span edges are clipped to the span.

Notes
-----
Accuracy against a Skyfield reference (``tests/orbits/make_reference.py``), 2027: every
boundary within 0.15 ms on four orbits (see :mod:`sim.orbits.search`). Cost on the 2-core
development machine (``benchmarks/bench_eclipse.py``, 72 planes at 550 km, 20 years): 20 s
wall (39 s CPU) with 2 workers the first time, 0.12 s to map the 72 cached files; ~27 ms per
LEO orbit-year in one process.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from sim.orbits.cache import ScheduleCache, schedule_key
from sim.orbits.elements import Orbit
from sim.orbits.ephemeris import Ephemeris, open_ephemeris
from sim.orbits.propagation import secular_rates
from sim.orbits.schedule import EclipseSchedule
from sim.orbits.search import RawEclipses, find_eclipses
from sim.orbits.sun import SunTrack, sun_track
from sim.orbits.timebase import UtcClock, require_utc
from sim.units import DAY_S

# Work is split into this many batches per worker process, so that uneven orbits balance out
# while the shared Sun track is sent to each process only a few times.
BATCHES_PER_WORKER = 4


def clip_to_span(raw: RawEclipses, start_utc: datetime, span_s: float) -> EclipseSchedule:
    """Schedule of the eclipses overlapping [0, span_s], clipped to it."""
    keep = (raw.penumbra_end_s > 0.0) & (raw.penumbra_start_s < span_s)
    umbra_start = np.maximum(raw.umbra_start_s[keep], 0.0)
    umbra_end = np.minimum(raw.umbra_end_s[keep], span_s)
    no_umbra = ~(umbra_end > umbra_start)
    return EclipseSchedule(
        start_utc=start_utc,
        span_s=float(span_s),
        penumbra_start=np.maximum(raw.penumbra_start_s[keep], 0.0),
        umbra_start=np.where(no_umbra, np.nan, umbra_start),
        umbra_end=np.where(no_umbra, np.nan, umbra_end),
        penumbra_end=np.minimum(raw.penumbra_end_s[keep], span_s),
        beta_deg=np.degrees(raw.beta_rad[keep]),
        peak_depth=raw.peak_depth[keep],
    )


def _check_request(start_utc: datetime, span_s: float) -> datetime:
    start_utc = require_utc(start_utc, "start_utc")
    if not math.isfinite(span_s) or span_s <= 0:
        raise ValueError(f"span_s: must be a positive number of seconds, got {span_s}")
    return start_utc


def sun_pad_s(orbits: Sequence[Orbit], clock: UtcClock) -> float:
    """Sun-track margin beyond each end of the span: a day plus two of the longest periods."""
    period_s = max(secular_rates(o.satrec(), clock).period_s for o in orbits)
    return DAY_S + 2.0 * period_s


@dataclass(frozen=True)
class _Batch:
    """Orbits one worker computes, with the clock and Sun track they share."""

    orbits: tuple[Orbit, ...]
    keys: tuple[str, ...]
    clock: UtcClock
    sun: SunTrack
    span_s: float
    cache_dir: str | None
    in_worker: bool = False


def _compute(batch: _Batch, each: Callable[[], None] | None = None
             ) -> list[EclipseSchedule | None]:
    """Each orbit's schedule, stored in the cache if there is one, calling ``each()`` after
    each orbit. A worker process returns None for a stored schedule: the caller maps the file
    rather than receive a pipe copy."""
    results: list[EclipseSchedule | None] = []
    for orbit, key in zip(batch.orbits, batch.keys, strict=True):
        raw, _ = find_eclipses(orbit.satrec(), batch.clock, batch.sun, batch.span_s)
        schedule = clip_to_span(raw, batch.clock.start_utc, batch.span_s)
        if batch.cache_dir is not None:
            ScheduleCache.at(batch.cache_dir).store(key, schedule)
        results.append(None if batch.in_worker and batch.cache_dir is not None else schedule)
        if each is not None:
            each()
    return results


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the caller, which shuts them down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_batches(batches: Sequence[_Batch], processes: int,
                 progress: Callable[[int, int], None] | None) -> list[list[EclipseSchedule | None]]:
    """Each batch's results, in order; ``progress(done, total)`` in orbits as they finish."""
    total = sum(len(batch.orbits) for batch in batches)
    done = 0

    def advance(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    if processes <= 1:
        return [_compute(batch, advance) for batch in batches]
    context = multiprocessing.get_context("spawn")
    results: list[list[EclipseSchedule | None]] = [[] for _ in batches]
    with ProcessPoolExecutor(processes, mp_context=context,
                             initializer=_ignore_interrupts) as pool:
        futures = {pool.submit(_compute, batch): i for i, batch in enumerate(batches)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            advance(len(batches[index].orbits))
    return results


def _prepare(
    orbits: Sequence[Orbit], start_utc: datetime, span_s: float, ephemeris: Ephemeris
) -> tuple[UtcClock, SunTrack]:
    clock = UtcClock.from_start(ephemeris.timescale, start_utc)
    pad_s = sun_pad_s(orbits, clock)
    ephemeris.require_covered(
        start_utc - timedelta(seconds=pad_s),
        start_utc + timedelta(seconds=span_s + pad_s),
        "start_utc/span_s",
    )
    return clock, sun_track(ephemeris, clock, span_s, pad_s=pad_s)


def eclipse_schedules(
    orbits: Sequence[Orbit],
    start_utc: datetime,
    span_s: float,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[EclipseSchedule]:
    """Schedules of ``orbits`` over [start_utc, start_utc + span_s], in the same order.

    Identical orbits are computed once. With ``workers`` > 1 the uncached ones run in that many
    spawned processes, which write their results to the cache for this process to map; as
    always with multiprocessing, a script doing so must call it under
    ``if __name__ == "__main__":``. None or 1: in this process. ``progress(done, total)``
    counts the orbits searched (not called when all are cached).
    """
    start_utc = _check_request(start_utc, span_s)
    cache = ScheduleCache.at(cache_dir) if use_cache else None
    keys = [schedule_key(o.key(), start_utc, span_s) for o in orbits]
    found: dict[str, EclipseSchedule] = {}
    if cache is not None:
        for key in dict.fromkeys(keys):
            schedule = cache.load(key)
            if schedule is not None:
                found[key] = schedule
    missing = {key: orbit for key, orbit in zip(keys, orbits, strict=True) if key not in found}
    if missing:
        with open_ephemeris() as ephemeris:
            clock, sun = _prepare(list(missing.values()), start_utc, span_s, ephemeris)
        processes = max(1, min(len(missing), workers or 1))
        count = min(len(missing), processes * BATCHES_PER_WORKER if processes > 1 else 1)
        orbit_list, key_list = list(missing.values()), list(missing)
        cache_path = None if cache is None else str(cache.directory)
        batches = [
            _Batch(
                tuple(orbit_list[i::count]),
                tuple(key_list[i::count]),
                clock,
                sun,
                float(span_s),
                cache_path,
                in_worker=processes > 1,
            )
            for i in range(count)
        ]
        results = _run_batches(batches, processes, progress)
        for batch, schedules in zip(batches, results, strict=True):
            for key, orbit, schedule in zip(batch.keys, batch.orbits, schedules, strict=True):
                if schedule is None and cache is not None:
                    schedule = cache.load(key)
                if schedule is None:
                    (schedule,) = _compute(
                        replace(batch, orbits=(orbit,), keys=(key,), cache_dir=None)
                    )
                found[key] = schedule
    return [found[key] for key in keys]


def eclipse_schedule(
    orbit: Orbit,
    start_utc: datetime,
    span_s: float,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> EclipseSchedule:
    """Eclipse schedule of ``orbit`` over [start_utc, start_utc + span_s] (seconds since start).

    Read from the on-disk cache when present (``cache_dir``, ``$ORBSIM_CACHE_DIR`` or the
    user's cache directory), else computed and stored.
    """
    return eclipse_schedules(
        [orbit], start_utc, span_s, workers=1, cache_dir=cache_dir, use_cache=use_cache
    )[0]
