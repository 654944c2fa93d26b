"""Campaign statistics: per metric the mean, its standard error, a 95 % interval, quantiles.

Replications are independent draws, so the standard error of a mean is s/√n and its 95 %
interval uses Student's t with n − 1 degrees of freedom. The probability of meeting the SLA
is the share of replications whose uptime is at or above the SLA fraction, with a Wilson
score interval (good at shares near 0 or 1).

Pure functions of arrays (NumPy and SciPy only), shared by the campaign that writes
``summary.json`` and the report that summarises an unfinished campaign's committed parts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
QUANTILES = {"p5": 0.05, "p50": 0.50, "p95": 0.95}

# Metrics that are shares (of nominal compute, of time): their means lie in [0, 1].
SHARE_NAMES = ("uptime", "goodput", "availability", "probability_meeting_sla")
SHARE_PREFIXES = ("downtime.", "downtime_part.", "goodput_lost.", "outage.")
# Metrics that count things, or cannot be negative for another reason (a dose, an energy, a
# duration, a cost): their means are at least 0.
COUNT_NAMES = ("satellites_down_at_end",)
COUNT_PREFIXES = ("events.", "failures.", "repairs.", "radiation.", "jobs.", "power.",
                  "cost.", "servicing.", "spares.")
# Of those, the ones that can be negative: the battery may end the horizon holding less
# energy than it started with.
SIGNED_NAMES = ("power.stored_change_kwh",)


def is_share(name: str) -> bool:
    """Whether metric ``name`` is a share, in [0, 1]."""
    return name in SHARE_NAMES or name.startswith(SHARE_PREFIXES)


def is_count(name: str) -> bool:
    """Whether metric ``name`` cannot be negative and is not a share."""
    return ((name in COUNT_NAMES or name.startswith(COUNT_PREFIXES))
            and name not in SIGNED_NAMES)


def bounds(name: str) -> tuple[float, float]:
    """The range metric ``name``'s mean lies in, whatever the replications."""
    if is_share(name):
        return 0.0, 1.0
    if is_count(name):
        return 0.0, math.inf
    return -math.inf, math.inf


def describe(values: np.ndarray, low: float = -math.inf, high: float = math.inf
             ) -> dict[str, float]:
    """Mean, standard error, 95 % interval and quantiles of one metric whose mean lies in
    [``low``, ``high``]: Student's t interval is cut to that range (for a mean near 0 it
    would reach below 0, which a count or a share cannot), which keeps its coverage."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    standard_error = float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    half_width = (float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * standard_error
                  if n > 1 else math.nan)
    described = {"mean": mean, "standard_error": standard_error,
                 "ci95_low": max(mean - half_width, low),
                 "ci95_high": min(mean + half_width, high)}
    for name, q in QUANTILES.items():
        described[name] = float(np.quantile(values, q)) if n else math.nan
    return described


def ci95_width(values: np.ndarray) -> float:
    """Width of the 95 % interval of the mean (infinite below two replications)."""
    d = describe(values)
    return d["ci95_high"] - d["ci95_low"] if len(values) > 1 else math.inf


def wilson(successes: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    if n == 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def summarise(columns: dict[str, np.ndarray], sla_fraction: float) -> dict[str, Any]:
    """``summary.json``: the count, every metric described, and the SLA probability."""
    uptime = np.asarray(columns["uptime"], dtype=float)
    n = len(uptime)
    met = int(np.count_nonzero(uptime >= sla_fraction))
    low, high = wilson(met, n)
    return {
        "replications": n,
        "sla_fraction": sla_fraction,
        "probability_meeting_sla": {"mean": met / n if n else math.nan,
                                    "ci95_low": low, "ci95_high": high},
        "metrics": {name: describe(values, *bounds(name))
                    for name, values in sorted(columns.items()) if name != "replicate"},
    }
