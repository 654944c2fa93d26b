"""A stored scenario document in words: its fleet's designs and its servicing as tables.

Reads the plain document a campaign keeps in ``manifest.json`` (``scenario_document``), not
the validated scenario: a report is made from the results files alone, so nothing here imports
the package. Keys follow the scenario file (README "Scenario files"): durations carry their
unit in the key (``mean_years``, ``median_days``), a part may hold parts of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

# Unit suffixes of duration keys, as words.
UNITS = {"_s": "s", "_min": "min", "_h": "h", "_days": "days", "_years": "years"}
DISTRIBUTION_NAMES = {"exponential": "exponential", "weibull": "Weibull",
                      "lognormal": "log-normal", "fixed": "fixed", "mixture": "mixture"}

Row = tuple[str, ...]
DESIGN_COLUMNS = ("part", "role", "count", "required", "failure", "repair", "reliability")
SERVICER_COLUMNS = ("servicer", "group", "count", "visit (time at a satellite)",
                    "success probability", "its own failures")
DEPOT_COLUMNS = ("depot", "item", "initial stock", "reordering", "delivery to where it is used")


def number(value: Any) -> str:
    """A document's number as written for a reader: 4 significant digits, grouped."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.4g}" if abs(value) < 1e15 else f"{value:.3e}"


def _duration(law: Mapping[str, Any], name: str) -> str:
    """The value of ``<name>_<unit>`` with its unit, e.g. ``mean_years: 18.18`` → "18.18 years"."""
    for suffix, unit in UNITS.items():
        key = name + suffix
        if key in law:
            return f"{number(law[key])} {unit}"
    return "?"


def law_text(law: Any) -> str:
    """A distribution in words with its units: "exponential, mean 18.18 years", "Weibull shape
    0.4521, scale 2,607 years", "log-normal, median 5 days, σ 0.5", "fixed, 10 days"."""
    if not isinstance(law, Mapping):
        return str(law)
    kind = str(law.get("distribution", "?"))
    if kind == "exponential":
        return f"exponential, mean {_duration(law, 'mean')}"
    if kind == "weibull":
        return f"Weibull shape {number(law.get('shape'))}, scale {_duration(law, 'scale')}"
    if kind == "lognormal":
        return f"log-normal, median {_duration(law, 'median')}, σ {number(law.get('sigma'))}"
    if kind == "fixed":
        return f"fixed, {_duration(law, 'duration')}"
    if kind == "mixture":
        parts = [f"{number(c.get('weight'))} × ({law_text(c)})"
                 for c in law.get("components", [])]
        return "mixture: " + " + ".join(parts)
    return DISTRIBUTION_NAMES.get(kind, kind)


def repair_text(repair: Any) -> str:
    """``none`` (absent), ``servicer``, or a repair-time law in words."""
    if repair is None or repair == "none":
        return "none"
    if repair == "servicer":
        return "servicer"
    return f"repair time {law_text(repair)}"


def _percent(value: Any) -> str:
    return f"{number(100 * value)} %" if isinstance(value, int | float) else str(value)


def reliability_text(part: Mapping[str, Any]) -> str:
    """What a part says beyond one failure law, in words ("—" for nothing): standby, common
    cause, latent failures and inspections, shared feeds, phases and failure modes."""
    said = []
    standby = part.get("standby")
    if isinstance(standby, Mapping):
        text = f"{number(standby.get('units', '?'))} {standby.get('kind', '?')} standby"
        if standby.get("dormant_factor") is not None:
            text += f" (ageing at {number(standby['dormant_factor'])} of active)"
        if standby.get("switch_failure_probability"):
            text += f", switch fails {_percent(standby['switch_failure_probability'])}"
        said.append(text)
    common = part.get("common_cause")
    if isinstance(common, Mapping):
        said.append(f"common cause β {number(common.get('beta', '?'))}")
    if part.get("latent"):
        said.append("failures latent")
    inspection = part.get("inspection")
    if isinstance(inspection, Mapping):
        text = f"inspected every {number(inspection.get('interval_days', '?'))} days"
        if inspection.get("duration_h"):
            text += f" ({number(inspection['duration_h'])} h down)"
        said.append(text)
    if part.get("feeds"):
        said.append("shared, feeds " + ", ".join(map(str, part["feeds"])))
    for key, words in (("phase_factors", "ages ×"), ("demand_failures", "fails on demand")):
        given = part.get(key)
        if isinstance(given, Mapping):
            values = (number(v) if key == "phase_factors" else _percent(v)
                      for v in given.values())
            said.append(f"{words} " + ", ".join(f"{value} at {phase}" for phase, value
                                                 in zip(given, values, strict=True)))
    for mode in part.get("modes") or []:
        if not isinstance(mode, Mapping):
            continue
        effect = mode.get("effect", "fail")
        text = f"mode {mode.get('name', '?')}: {law_text(mode.get('failure'))}"
        if effect == "degrade":
            text += f", degrades to {number(mode.get('capacity', '?'))}"
        elif effect == "parent":
            text += ", takes its parent down"
        if mode.get("when") == "eclipse":
            text += ", ages in eclipse"
        if mode.get("latent"):
            text += ", latent"
        said.append(text)
    return "; ".join(said) or "—"


def _parts(parts: Sequence[Mapping[str, Any]], prefix: str = "") -> Iterator[Row]:
    for part in parts:
        path = f"{prefix}{part.get('name', '?')}"
        count = part.get("count", 1)
        failure = part.get("failure")
        yield (path, str(part.get("role", "?")), number(count),
               number(part.get("required", count)),
               law_text(failure) if failure is not None else "never (its parts fail)",
               repair_text(part.get("repair")), reliability_text(part))
        yield from _parts(part.get("parts") or [], prefix=f"{path}/")


def design_rows(group: Mapping[str, Any]) -> list[Row]:
    """One row per part of a fleet group's design, nested parts as ``node/accelerator``."""
    return list(_parts((group.get("design") or {}).get("parts") or []))


def group_text(group: Mapping[str, Any]) -> str:
    """A fleet group in one sentence: count, compute, orbit and power."""
    design = group.get("design") or {}
    text = (f"{number(group.get('count', '?'))} satellites of "
            f"{number(design.get('nominal_compute_pflops', '?'))} PFLOPS nominal compute each")
    orbit = group.get("orbit")
    if isinstance(orbit, Mapping):
        where = {key: orbit[key] for key in ("altitude_km", "inclination_deg", "ltan_h",
                                             "planes", "per_plane") if key in orbit}
        text += f"; orbit: {orbit.get('kind', '?')}" + "".join(
            f", {key} {number(value)}" for key, value in where.items())
    power = design.get("power")
    if isinstance(power, Mapping):
        battery = power.get("battery") or {}
        text += (f"; power: array {number(power.get('array_bol_kw', '?'))} kW, compute load "
                 f"{number(power.get('compute_load_kw', '?'))} kW, bus load "
                 f"{number(power.get('bus_load_kw', '?'))} kW, battery "
                 f"{number(battery.get('capacity_kwh', '?'))} kWh, eclipse rule "
                 f"{power.get('eclipse_rule', 'ride_through')}")
    return text + "."


def servicer_rows(servicing: Mapping[str, Any]) -> list[Row]:
    """One row per servicer group: where, how many, how long a visit takes, and how the
    servicer itself fails (what ``servicing.servicer_losses`` counts)."""
    return [(str(s.get("name", "?")), str(s.get("group", "?")), number(s.get("count", 1)),
             law_text(s["visit"]) if "visit" in s else "?",
             number(s.get("success_probability", 1)), servicer_failures_text(s))
            for s in servicing.get("servicers") or []]


def servicer_failures_text(servicer: Mapping[str, Any]) -> str:
    """How a servicer is lost: each of its parts' failure laws, and whether it is replaced."""
    laws = [f"{_units_text(part)}: {law_text(part['failure'])}"
            for part in servicer.get("parts") or [] if isinstance(part, Mapping)
            and "failure" in part]
    if not laws:
        return "never fails"
    replaced = "replaced when lost" if servicer.get("replace_when_lost") else "not replaced"
    return f"{'; '.join(laws)} ({replaced})"


def _units_text(part: Mapping[str, Any]) -> str:
    """A servicer part's name, with its redundancy when it has more than one unit."""
    name, count = str(part.get("name", "?")), part.get("count", 1)
    if not isinstance(count, int) or count <= 1:
        return name
    required = part.get("required")
    required = count if required is None else required
    return f"{name} ({number(required)} of {number(count)} needed)"


def reordering_text(item: Mapping[str, Any]) -> str:
    """(s,Q), (R,S), or never reordered."""
    if "reorder_point" in item:
        return (f"(s,Q): order {number(item.get('order_quantity'))} when the inventory "
                f"position (stock + on order − backorders) falls to "
                f"{number(item['reorder_point'])}")
    if "review_days" in item:
        return (f"(R,S): every {number(item['review_days'])} days, order up to "
                f"{number(item.get('order_up_to'))}")
    return "never reordered"


def depot_rows(servicing: Mapping[str, Any]) -> list[Row]:
    """One row per item of every depot."""
    return [(str(depot.get("name", "?")), str(item.get("part", "?")),
             number(item.get("initial", 0)), reordering_text(item), delivery_text(depot, item))
            for depot in servicing.get("depots") or [] for item in depot.get("items") or []]


def delivery_text(depot: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """The time from the depot to where a spare is used: the item's own, else its depot's,
    else none (the spare is at hand)."""
    law = item.get("delivery") or depot.get("delivery")
    return law_text(law) if law else "at hand"


def policy_text(document: Mapping[str, Any]) -> str:
    """The maintenance policy and the launches in one sentence ('' without servicing)."""
    servicing = document.get("servicing")
    if not isinstance(servicing, Mapping):
        return ""
    policy = servicing.get("policy") or {}
    words = [f"Maintenance policy: {policy.get('kind', 'corrective')}"]
    words += [f"{key.replace('_', ' ')} {number(policy[key])}"
              for key in ("queue_order", "capacity_below", "margin_below", "interval_days", "scope",
                          "replace")
              if policy.get(key) is not None]
    text = ", ".join(words) + "."
    launch = document.get("launch")
    if isinstance(launch, Mapping) and "lead" in launch:
        text += (f" Launches: lead time {law_text(launch['lead'])}, failure probability "
                 f"{number(launch.get('failure_probability', 0))}.")
    return text
