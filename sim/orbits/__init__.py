"""Orbits and eclipse schedules: orbit definitions, SGP4 propagation, the Sun (JPL DE421, then
ERFA epv00 beyond it) and its distance, eclipse search, on-disk caching, per-plane sharing, beta
angle and output rows.

Pure numpy/scipy/sgp4/skyfield/pyerfa: nothing here imports simpy or ``sim.model``.
"""

from sim.orbits.beta import beta_angle_rad, beta_star_rad, eclipse_duration_s, eclipse_fraction
from sim.orbits.cache import ScheduleCache, resolve_cache_dir
from sim.orbits.eclipse import eclipse_schedule, eclipse_schedules
from sim.orbits.elements import (
    Formation,
    MeanElements,
    Orbit,
    OrbitalPlane,
    TwoLineElements,
    WalkerShell,
    circular_orbit,
    raan_from_ltan_rad,
    sun_synchronous_inclination_rad,
)
from sim.orbits.export import eclipse_rows, schedule_document, summary, write_csv
from sim.orbits.phasing import (
    PlaneSchedules,
    plane_member_schedules,
    shift_schedule,
    walker_schedules,
)
from sim.orbits.schedule import EclipseSchedule
from sim.orbits.sun import SunDistance, sun_distance

__all__ = [
    "EclipseSchedule",
    "Formation",
    "MeanElements",
    "Orbit",
    "OrbitalPlane",
    "PlaneSchedules",
    "ScheduleCache",
    "SunDistance",
    "TwoLineElements",
    "WalkerShell",
    "beta_angle_rad",
    "beta_star_rad",
    "circular_orbit",
    "eclipse_duration_s",
    "eclipse_fraction",
    "eclipse_rows",
    "eclipse_schedule",
    "eclipse_schedules",
    "plane_member_schedules",
    "raan_from_ltan_rad",
    "resolve_cache_dir",
    "schedule_document",
    "shift_schedule",
    "summary",
    "sun_distance",
    "sun_synchronous_inclination_rad",
    "walker_schedules",
    "write_csv",
]
