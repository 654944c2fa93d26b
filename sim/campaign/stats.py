"""Campaign statistics, kept in ``sim.statistics`` so that the report may use them too."""

from sim.statistics import (
    CONFIDENCE,
    QUANTILES,
    bounds,
    ci95_width,
    describe,
    summarise,
    wilson,
)

__all__ = ["CONFIDENCE", "QUANTILES", "bounds", "ci95_width", "describe", "summarise", "wilson"]
