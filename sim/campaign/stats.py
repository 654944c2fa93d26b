"""Campaign statistics, kept in ``sim.statistics`` so that the report may use them too."""

from sim.statistics import CONFIDENCE, QUANTILES, ci95_width, describe, summarise, wilson

__all__ = ["CONFIDENCE", "QUANTILES", "ci95_width", "describe", "summarise", "wilson"]
