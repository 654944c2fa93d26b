"""SI conventions: every duration inside the package is in seconds.

Config keys carry their unit in the name and are converted once, in ``sim.config``.
"""

MINUTE_S = 60.0
HOUR_S = 3600.0
DAY_S = 86_400.0
# Julian year (IAU): 365.25 days of 86,400 SI seconds.
YEAR_S = 365.25 * DAY_S
# One twelfth of a Julian year: the bin width of monthly time series.
MONTH_S = YEAR_S / 12.0

# One kilowatt-hour in joules.
KWH_J = 3.6e6

# Suffixes a scenario file may put on a duration key, and the seconds in one of each.
TIME_UNIT_S: dict[str, float] = {
    "s": 1.0,
    "min": MINUTE_S,
    "h": HOUR_S,
    "days": DAY_S,
    "years": YEAR_S,
}
