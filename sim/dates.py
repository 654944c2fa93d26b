"""The dates orbsim supports: scenario starts, spans, orbit epochs, and the Sun behind them.

The Sun is JPL DE421 where DE421 has data (1899-07-29 to 2053-10-09 TDB) and ERFA's ``epv00``
(a simplified VSOP2000 solution) elsewhere (:mod:`sim.orbits.ephemeris`). A scenario starts in
1950–2100 and runs at most 100 years, so its eclipse search reads the Sun until early 2201 at
the latest (the search reads a day and two orbital periods, ≤ 9 days, beyond the span); the Sun
is served, and orbit epochs (elements and TLEs) are accepted, from 1900-01-01 to 2201-12-31.

Light on purpose (no Skyfield), so that the scenario schema checks dates at load time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class DateRange:
    """The instants in [first, end), UTC; described by their first and last calendar days."""

    first: datetime
    end: datetime

    def __contains__(self, value: datetime) -> bool:
        return self.first <= value < self.end

    def __str__(self) -> str:
        return f"{self.first:%Y-%m-%d} to {self.end - timedelta(days=1):%Y-%m-%d}"

    def problem(self, value: datetime) -> str | None:
        """Why ``value`` (timezone-aware) is refused, or None if it lies inside."""
        if value in self:
            return None
        return f"{value.isoformat()} is outside the supported range ({self})"

    def require(self, value: datetime, name: str) -> None:
        """ValueError ``"{name}: … is outside the supported range (…)"`` unless inside."""
        problem = self.problem(value)
        if problem is not None:
            raise ValueError(f"{name}: {problem}")


# Scenario starts: 1950-01-01 through 2100-12-31 (any time of that last day).
SCENARIO_STARTS = DateRange(datetime(1950, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC))
# Longest scenario horizon or eclipse query, Julian years (365.25 days): a start in 2100 ends
# in 2200, inside the Sun's range below.
MAX_SPAN_YEARS = 100.0
# Where the Sun is served (DE421 1899-07-29 to 2053-10-09 TDB, ERFA epv00 outside it).
SUN_DATES = DateRange(datetime(1900, 1, 1, tzinfo=UTC), datetime(2202, 1, 1, tzinfo=UTC))
# Orbit epochs: anywhere the Sun is served (an LTAN needs the Sun at the epoch). A TLE's
# two-digit year always falls in 1957–2056.
ORBIT_EPOCHS = SUN_DATES
# DE421's coverage (JD 2414864.5–2471184.5 TDB, 1899-07-29 to 2053-10-09, from the file's
# segments) one day clear of its ends: what Skyfield's own ``is_sunlit`` cross-check
# (:mod:`sim.orbits.verify`) can read.
DE421_DATES = DateRange(datetime(1899, 7, 30, tzinfo=UTC), datetime(2053, 10, 8, tzinfo=UTC))
