"""What a valid scenario may not mean: told on stderr, never an error (exit status stays 0)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sim.model.design import Part
from sim.scenario import Scenario

# Age of a TLE at the scenario's start beyond which it is flagged, days. SGP4's prediction
# error grows with the time from the element set's epoch, by of order a kilometre a day in
# LEO (Vallado, Crawford, Hujsak & Kelso 2006, "Revisiting Spacetrack Report #3", AIAA
# 2006-6753); element sets are refreshed daily for that reason, and one a month old places the
# satellite along its orbit no better than a guess: its eclipse times are still those of its
# plane, but not of the satellite.
STALE_TLE_DAYS = 30.0


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One line per warning, each naming its path into the file."""
    warnings = []
    for index, group in enumerate(scenario.fleet):
        warnings.extend(_unfound(group.design.parts, f"fleet.{index}.design.parts",
                                 scenario.servicing is not None))
        orbit = getattr(group.orbit, "orbit", None)
        epoch = getattr(orbit, "epoch_utc", None)
        if epoch is None or not hasattr(orbit, "line1"):
            continue
        stale = stale_tle(epoch, scenario.start_utc, scenario.horizon_s, "scenario start")
        if stale is not None:
            warnings.append(f"fleet.{index}.orbit: {stale}")
    return warnings


def stale_tle(epoch_utc: datetime, start_utc: datetime, span_s: float, start_name: str
              ) -> str | None:
    """What to say of a TLE whose epoch lies more than ``STALE_TLE_DAYS`` before a span
    starting at ``start_utc`` (called ``start_name``), or None."""
    age_days = (start_utc - epoch_utc).total_seconds() / 86_400.0
    if age_days <= STALE_TLE_DAYS:
        return None
    return (f"TLE epoch {epoch_utc:%Y-%m-%d} is {age_days:,.0f} days before the {start_name} "
            f"(SGP4 errors grow by about a kilometre a day from the epoch); propagating it "
            f"{(span_s / 86_400.0 + age_days) / 365.25:.1f} years ahead is your choice")


def _unfound(parts: Sequence[Part], prefix: str, serviced: bool) -> list[str]:
    """Parts whose latent failures nothing can find: no inspection, no standby unit to call
    on one, and no servicing to inspect them."""
    found = []
    for i, part in enumerate(parts):
        latent = part.latent or any(mode.latent for mode in part.modes)
        finds = part.inspection is not None or part.standby is not None or (
            part.latent and serviced)
        if latent and not finds:
            found.append(f"{prefix}.{i}: its latent failures are never found (no inspection, "
                         f"no standby unit, no servicing); they stay charged to "
                         f"latent_failure")
        found.extend(_unfound(part.parts, f"{prefix}.{i}.parts", serviced))
    return found
