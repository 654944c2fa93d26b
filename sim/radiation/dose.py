"""Total ionizing dose rate behind aluminium shielding in low Earth orbit, rad(Si) per year.

The table is one published SPENVIS run: a 550 km circular orbit over 5 years (2023–2027),
AP-8 MIN protons and AE-8 MAX electrons, trapped particles only (no solar protons, no cosmic
rays), SHIELDOSE-2 dose in silicon at the centre of an aluminium sphere (Pfandzelter &
Bermbach, "Edge Computing in Low-Earth Orbit — What Could Possibly Go Wrong?", LEO-NET '23).
Other altitudes scale it by a coarse rule of thumb (see ``ALTITUDE_FACTOR``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import pairwise

# Aluminium shielding thickness of each table row, mm (Pfandzelter & Bermbach 2023).
THICKNESS_MM = (1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
# Dose over the 5-year mission, rad(Si), by row of ``THICKNESS_MM``, at 55° and 100°
# inclination, as published (26.2 krad … 412 rad; Pfandzelter & Bermbach 2023).
MISSION_DOSE_RAD = {
    55.0: (26_200.0, 9_500.0, 4_600.0, 1_600.0, 765.0, 552.0),
    100.0: (33_300.0, 11_600.0, 5_200.0, 1_470.0, 569.0, 412.0),
}
# Length of the mission the table covers, years (2023–2027; Pfandzelter & Bermbach 2023).
MISSION_YEARS = 5.0
# Altitude of the table's orbit, km (Pfandzelter & Bermbach 2023).
TABLE_ALTITUDE_KM = 550.0
# (A) Dose relative to 550 km, by altitude in km: a rule of thumb for 10 mm Al of about
# 50 rad/yr at 400 km, 150 rad/yr at 550–650 km and 1–2 krad/yr (1,500 taken) at 800 km.
# Uncertain (the 800 km figure alone spans a factor of 2), and applied to every thickness,
# though behind thin shields electrons dominate and their altitude dependence may differ.
ALTITUDE_FACTOR = ((400.0, 1.0 / 3.0), (550.0, 1.0), (650.0, 1.0), (800.0, 10.0))
# (A) Inclinations covered, degrees. No run covers 40–55° or 100–180°: the 55° column is held
# down to 40° and the 100° column up to 180°. The two columns differ by at most 34% across
# their 45° of inclination, a measure of the error this may hide.
INCLINATION_RANGE_DEG = (40.0, 180.0)


def _check(name: str, value: float, low: float, high: float, unit: str) -> None:
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name}: must be in [{low:g}, {high:g}] {unit}, got {value:.6g}")


def _log_log(x: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """Piecewise-linear interpolation of log y against log x; exact at the knots."""
    if x in xs:
        return ys[xs.index(x)]
    i = min(bisect_right(xs, x) - 1, len(xs) - 2)
    weight = math.log(x / xs[i]) / math.log(xs[i + 1] / xs[i])
    return ys[i] * (ys[i + 1] / ys[i]) ** weight


def altitude_factor(altitude_km: float) -> float:
    """Dose at ``altitude_km`` relative to 550 km: log(dose) linear in altitude (A)."""
    low, high = ALTITUDE_FACTOR[0][0], ALTITUDE_FACTOR[-1][0]
    _check("altitude_km", altitude_km, low, high, "km")
    for (a0, f0), (a1, f1) in pairwise(ALTITUDE_FACTOR):
        if a0 <= altitude_km <= a1:
            weight = (altitude_km - a0) / (a1 - a0)
            return f0 * (f1 / f0) ** weight
    raise AssertionError("unreachable: altitude checked against the table's range")


def dose_rate_rad_per_year(
    altitude_km: float, inclination_deg: float, shielding_mm_al: float
) -> float:
    """Trapped-particle dose rate in silicon behind ``shielding_mm_al`` mm Al, rad/yr.

    Log-log in thickness between table rows; linear in inclination between the 55° and 100°
    columns (their ends held beyond, see ``INCLINATION_RANGE_DEG``); times ``altitude_factor``.
    """
    _check("shielding_mm_al", shielding_mm_al, THICKNESS_MM[0], THICKNESS_MM[-1], "mm Al")
    _check("inclination_deg", inclination_deg, *INCLINATION_RANGE_DEG, "degrees")
    factor = altitude_factor(altitude_km)
    low, high = (
        _log_log(shielding_mm_al, THICKNESS_MM, MISSION_DOSE_RAD[i]) / MISSION_YEARS
        for i in (55.0, 100.0)
    )
    weight = min(max((inclination_deg - 55.0) / (100.0 - 55.0), 0.0), 1.0)
    return ((1.0 - weight) * low + weight * high) * factor
