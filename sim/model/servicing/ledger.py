"""What maintenance did and cost in one replication: counters, costs by category, and servicer
busy time. Summed into ``servicing.*``, ``spares.*`` and ``cost.*`` metrics at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

# Cost categories (``cost.<category>_usd``); their sum is ``cost.total_usd``.
COST_CATEGORIES = ("satellites", "spares", "servicers", "visits", "refuels", "launches")


@dataclass(slots=True)
class Ledger:
    """Running totals; every cost in US dollars."""

    costs_usd: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COST_CATEGORIES,
                                                                              0.0))
    counts: dict[str, int] = field(default_factory=dict)
    busy_s: float = 0.0
    available_s: float = 0.0
    delta_v_m_s: float = 0.0

    def pay(self, category: str, usd: float) -> None:
        self.costs_usd[category] += usd

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n
