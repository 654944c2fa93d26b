"""Eclipse schedules as output rows and a summary, ready for JSON and CSV.

Times become ISO 8601 UTC strings with a 'Z' and millisecond precision, converted through
Skyfield's leap-second table (so a time inside a leap second prints as :60). Umbra fields are
None (JSON null, empty CSV cell) for grazing, penumbra-only eclipses.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

import numpy as np

from sim.orbits.ephemeris import builtin_timescale
from sim.orbits.schedule import EclipseSchedule
from sim.orbits.timebase import UtcClock
from sim.units import DAY_S

COLUMNS = (
    "penumbra_start",
    "penumbra_end",
    "umbra_start",
    "umbra_end",
    "duration_s",
    "umbra_s",
    "beta_deg",
)
ISO_PLACES = 3


def iso_utc(schedule: EclipseSchedule, t_s: np.ndarray) -> list[str | None]:
    """ISO 8601 UTC strings ('Z') of ``t_s`` seconds since the schedule's start; None for NaN."""
    t_s = np.asarray(t_s, dtype=float)
    out: list[str | None] = [None] * t_s.size
    finite = np.flatnonzero(np.isfinite(t_s))
    if finite.size:
        timescale = builtin_timescale()
        clock = UtcClock.from_start(timescale, schedule.start_utc)
        strings = clock.skyfield_time(timescale, t_s[finite]).utc_iso(places=ISO_PLACES)
        for i, text in zip(finite, strings, strict=True):
            out[i] = text
    return out


def eclipse_rows(schedule: EclipseSchedule) -> list[dict[str, Any]]:
    """One dict per eclipse with the keys of ``COLUMNS``."""
    times = {
        name: iso_utc(schedule, getattr(schedule, name))
        for name in ("penumbra_start", "penumbra_end", "umbra_start", "umbra_end")
    }
    duration = schedule.duration_s
    umbra = schedule.umbra_duration_s
    return [
        {
            **{name: times[name][i] for name in times},
            "duration_s": round(float(duration[i]), ISO_PLACES),
            "umbra_s": round(float(umbra[i]), ISO_PLACES),
            "beta_deg": round(float(schedule.beta_deg[i]), 4),
        }
        for i in range(len(schedule))
    ]


def summary(schedule: EclipseSchedule) -> dict[str, Any]:
    """Counts, totals, fractions, longest eclipse and eclipse seasons of a schedule."""
    runs = schedule.eclipse_day_runs()
    seasons = schedule.eclipse_seasons()
    edges = iso_utc(schedule, np.array([x for season in seasons for x in season]))
    end = iso_utc(schedule, np.array([0.0, schedule.span_s]))
    return {
        "start": end[0],
        "end": end[1],
        "span_days": schedule.span_s / DAY_S,
        "count": len(schedule),
        "grazing_count": int((~schedule.has_umbra).sum()),
        "total_shadow_s": schedule.total_shadow_s(),
        "total_umbra_s": schedule.total_shadow_s(umbra=True),
        "shadow_fraction": schedule.shadow_fraction(),
        "umbra_fraction": schedule.shadow_fraction(umbra=True),
        "longest_eclipse_s": schedule.longest_eclipse_s(),
        "longest_umbra_s": schedule.longest_eclipse_s(umbra=True),
        "eclipse_days": schedule.eclipse_days(),
        "eclipse_seasons": [
            {"start": edges[2 * k], "end": edges[2 * k + 1], "days": stop - first}
            for k, (first, stop) in enumerate(runs)
        ],
    }


def schedule_document(schedule: EclipseSchedule) -> dict[str, Any]:
    """``{"eclipses": [...], "summary": {...}}``, serialisable with ``json.dumps``."""
    return {"eclipses": eclipse_rows(schedule), "summary": summary(schedule)}


def write_csv(schedule: EclipseSchedule, stream: TextIO) -> None:
    """The eclipse rows as CSV with a header of ``COLUMNS``; empty cells for missing umbra."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in eclipse_rows(schedule):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
