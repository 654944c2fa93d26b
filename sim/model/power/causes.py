"""Lost compute charged to causes, by counterfactuals that telescope to what happened.

For one satellite, over its whole horizon (fraction-seconds of its nominal compute):

- ``brownout``: everything the satellite's hardware could have computed while it was down
  after losing bus power;
- over the rest of the time, with three batteries run side by side (``chains``, ``profiles``):
  ``eclipse_shortfall`` and ``sunlit_shortfall`` are what the design loses with a new battery
  and a new array (in eclipse, in sunlight); ``battery_degraded`` or ``battery_failed`` what
  the actual battery loses beyond that with a new array (failed while it has fewer than its
  required strings); ``array_degraded`` what the aged array loses beyond that.

The steps need not be monotone: a weaker battery cut short in eclipse draws less, so less
recharge competes with compute in the sunlight after, and a battery's energy costs the array
``1/(η_charge η_discharge)`` times as much. A step that would come out negative is reported as
zero and what it gives back is taken off the causes before it, the latest first, so that every
cause is ≥ 0 and they still add up to what was lost.
"""

from __future__ import annotations

from collections.abc import Sequence

CAUSES = ("eclipse_shortfall", "sunlit_shortfall", "battery_degraded", "battery_failed",
          "array_degraded", "brownout")

# Relative to the satellite's whole loss, below which a cause is rounding residue of the
# counterfactual differences (sums of many orbits, taken in different orders).
ROUNDING = 1e-10


def without_negative_steps(amounts: Sequence[float]) -> list[float]:
    """``amounts`` with each negative one set to 0 and taken off those before it, latest
    first (the sum is kept unless it is negative itself)."""
    kept = [float(a) for a in amounts]
    for index, amount in enumerate(kept):
        if amount >= 0.0:
            continue
        owed = -amount
        kept[index] = 0.0
        for earlier in range(index - 1, -1, -1):
            taken = min(kept[earlier], owed)
            kept[earlier] -= taken
            owed -= taken
            if owed <= 0.0:
                break
    return kept


def charge_causes(design_eclipse: float, design_sunlit: float, battery_degraded: float,
                  battery_failed: float, with_battery: float, happened: float,
                  brownout: float) -> dict[str, float]:
    """Lost fraction-seconds by cause from the counterfactuals' totals: the design's in
    eclipse and in sunlight, the actual battery's extra (degraded, failed; together
    ``with_battery`` minus the design's), what happened while up, and the time down."""
    steps = [design_eclipse, design_sunlit, battery_degraded, battery_failed,
             happened - with_battery]
    kept = [*without_negative_steps(steps), max(float(brownout), 0.0)]
    residue = ROUNDING * sum(kept)
    return {cause: amount if amount > residue else 0.0
            for cause, amount in zip(CAUSES, kept, strict=True)}
