"""One eclipse query (``orbsim eclipse``): which orbit, over what span, checked how.

The orbit comes from a scenario file (a fleet group's orbit), from the command line's circular
orbit options, or from a two-line element set; each is validated like a scenario's orbit, and
every problem names the option or the path it came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config import Problem, ScenarioError, load_scenario
from sim.config.errors import problems_from_validation
from sim.config.orbit_spec import FormationSpec, to_orbit
from sim.config.schema import UNION_TAGS, known_keys
from sim.config.warnings import stale_tle
from sim.dates import DE421_DATES, MAX_SPAN_YEARS
from sim.eclipses import ephemeris_overrun
from sim.orbits.elements import MIN_PERIGEE_ALTITUDE_M
from sim.orbits.propagation import first_failure
from sim.units import DAY_S, YEAR_S

DEFAULT_START = datetime(2027, 1, 1, tzinfo=UTC)
DEFAULT_DAYS = 365.0
# One query may span at most this long, days: as long as a scenario's horizon (a schedule is a
# few MB a year).
MAX_DAYS = MAX_SPAN_YEARS * YEAR_S / DAY_S
# Skyfield samples at most this many times (about 2·10^5 a second here: ten minutes).
MAX_SKYFIELD_SAMPLES = 10**8


@dataclass(frozen=True)
class EclipseQuery:
    """An orbit (``sim.orbits`` elements), a span and an optional Skyfield cross-check."""

    orbit: Any
    start_utc: datetime
    span_s: float
    step_s: float | None
    # What the query may not mean (a stale TLE), one line each, naming where the orbit came
    # from; never an error.
    warnings: tuple[str, ...] = ()


def eclipse_query(
    config: Path | None,
    *,
    group: str | None = None,
    satellite: int = 0,
    altitude_km: float | None = None,
    inclination_deg: str | None = None,
    raan_deg: float | None = None,
    ltan_h: float | None = None,
    tle: tuple[str, str] | None = None,
    start: str | None = None,
    days: float | None = None,
    step_s: float | None = None,
) -> EclipseQuery:
    """The query the options describe, or ScenarioError with one problem per fault."""
    circular = any(v is not None for v in (altitude_km, inclination_deg, raan_deg, ltan_h))
    sources = [name for name, given in (("CONFIG", config is not None),
                                        ("--altitude-km …", circular),
                                        ("--tle", tle is not None)) if given]
    if len(sources) != 1:
        found = " and ".join(sources) if sources else "none"
        raise ScenarioError([Problem("orbit", "give exactly one of CONFIG, --altitude-km with "
                                              f"--inclination-deg and --raan-deg or --ltan-h, "
                                              f"or --tle LINE1 LINE2 (got {found})")])
    start_utc, horizon_s = _span(start, days, step_s)
    if config is not None:
        scenario = load_scenario(config)
        orbit, source = _scenario_orbit(scenario, group, satellite)
        if start is None:
            start_utc = scenario.start_utc
        if days is None:
            horizon_s = scenario.horizon_s
    else:
        orbit = _command_line_orbit(altitude_km, inclination_deg, raan_deg, ltan_h, tle,
                                    start_utc)
        source = "--tle"
    overrun = ephemeris_overrun(start_utc, horizon_s, [orbit])
    if overrun is not None:
        side, message = overrun
        raise ScenarioError([Problem("--start" if side == "start" else "--days", message)])
    end_utc = start_utc + timedelta(seconds=horizon_s)
    if step_s is not None and (start_utc not in DE421_DATES or end_utc not in DE421_DATES):
        raise ScenarioError([Problem("--step-s", f"the Skyfield cross-check reads DE421 "
                                                 f"({DE421_DATES}); the span runs "
                                                 f"{start_utc:%Y-%m-%d} to {end_utc:%Y-%m-%d}")])
    if step_s is not None and horizon_s / step_s > MAX_SKYFIELD_SAMPLES:
        raise ScenarioError([Problem("--step-s", f"{step_s:g} s over {horizon_s / DAY_S:g} days "
                                                 f"is {horizon_s / step_s:.3g} samples; at most "
                                                 f"{MAX_SKYFIELD_SAMPLES:.0e}")])
    warnings = ()
    if hasattr(orbit, "line1"):
        failure = first_failure(orbit.satrec(), start_utc, horizon_s, MIN_PERIGEE_ALTITUDE_M)
        if failure is not None:
            raise ScenarioError([Problem(source, f"{failure}: the span must end before then, "
                                                 "or give a newer TLE")])
        stale = stale_tle(orbit.epoch_utc, start_utc, horizon_s, "start of the span")
        warnings = () if stale is None else (f"{source}: {stale}",)
    return EclipseQuery(orbit, start_utc, horizon_s, step_s, warnings)


def _span(start: str | None, days: float | None,
          step_s: float | None) -> tuple[datetime, float]:
    """Start and length of the span; every problem with --start, --days and --step-s at once."""
    problems = []
    start_utc = DEFAULT_START
    if start is not None:
        try:
            start_utc = datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            problems.append(Problem("--start", f"must be an ISO 8601 date-time, got {start!r}"))
        else:
            if start_utc.tzinfo is None:
                start_utc = start_utc.replace(tzinfo=UTC)
    span_days = DEFAULT_DAYS if days is None else days
    if not 0.0 < span_days <= MAX_DAYS:
        problems.append(Problem("--days", f"must be > 0 and ≤ {MAX_DAYS:g}, got {span_days:g}"))
    if step_s is not None and not 0.0 < step_s < math.inf:
        problems.append(Problem("--step-s", f"must be > 0 and finite, got {step_s:g}"))
    if problems:
        raise ScenarioError(problems)
    return start_utc, span_days * DAY_S


def _scenario_orbit(scenario: Any, group: str | None, satellite: int) -> tuple[Any, str]:
    """The orbit of the chosen fleet group's member, and its path in the file."""
    from sim.orbits import WalkerShell

    groups = [(index, g) for index, g in enumerate(scenario.fleet)
              if g.orbit is not None and group in (None, g.name)]
    if not groups:
        where = f"no fleet group named {group!r} has an orbit" if group else (
            "no fleet group has an orbit")
        raise ScenarioError([Problem("--group" if group else "fleet", where)])
    index, chosen = groups[0]
    if satellite >= chosen.count:
        raise ScenarioError([Problem("--satellite", f"must be < the group's count "
                                                    f"({chosen.count}), got {satellite}")])
    if isinstance(chosen.orbit, WalkerShell):
        return chosen.orbit.satellites()[satellite], f"fleet.{index}.orbit"
    return chosen.orbit.orbit, f"fleet.{index}.orbit"


def _command_line_orbit(altitude_km: float | None, inclination_deg: str | None,
                        raan_deg: float | None, ltan_h: float | None,
                        tle: tuple[str, str] | None, start_utc: datetime) -> Any:
    if tle is not None:
        document: dict[str, Any] = {"kind": "tle", "line1": tle[0], "line2": tle[1]}
        from sim.config.orbit_spec import TleSpec
        model: Any = TleSpec
    else:
        missing = [option for option, value in (("--altitude-km", altitude_km),
                                                ("--inclination-deg", inclination_deg))
                   if value is None]
        if missing:
            raise ScenarioError([Problem(option, "required for a circular orbit, with "
                                                 "--raan-deg or --ltan-h") for option in missing])
        inclination: Any = inclination_deg
        if inclination_deg is not None and inclination_deg != "sso":
            try:
                inclination = float(inclination_deg)
            except ValueError:
                inclination = None
            if inclination is None or not 0.0 <= inclination <= 180.0:
                raise ScenarioError([Problem("--inclination-deg", "must be 'sso' or a number "
                                             f"from 0 to 180, got {inclination_deg!r}")])
        document = {"kind": "formation", "altitude_km": altitude_km,
                    "inclination_deg": inclination}
        document.update({k: v for k, v in (("raan_deg", raan_deg), ("ltan_h", ltan_h))
                         if v is not None})
        model = FormationSpec
    where = "--tle" if tle is not None else "orbit"
    try:
        spec = model.model_validate(document)
    except ValidationError as exc:
        problems = problems_from_validation(exc, document, UNION_TAGS, known_keys())
        raise ScenarioError([Problem(_option(p.path) or where, _options_in(p.message))
                             for p in problems]) from None
    try:
        return to_orbit(spec, 1, start_utc).orbit
    except ValueError as exc:
        key, sep, reason = str(exc).partition(": ")
        if sep and _option(key):
            raise ScenarioError([Problem(_option(key), _options_in(reason))]) from None
        raise ScenarioError([Problem(where, _options_in(str(exc)))]) from None


OPTION_OF_KEY = {"altitude_km": "--altitude-km", "inclination_deg": "--inclination-deg",
                 "raan_deg": "--raan-deg", "ltan_h": "--ltan-h", "line1": "--tle",
                 "line2": "--tle", "start_utc": "--start"}


def _option(path: str) -> str:
    """The command-line option a schema path came from (``altitude_km`` → ``--altitude-km``)."""
    return OPTION_OF_KEY.get(path.split(".")[0].split("[")[0], "")


def _options_in(message: str) -> str:
    """A schema message reworded with the command line's option names."""
    for key, option in OPTION_OF_KEY.items():
        message = message.replace(key, option)
    return message


def run_eclipse_query(query: EclipseQuery) -> tuple[Any, dict[str, Any]]:
    """The schedule and its ``{"eclipses": [...], "summary": {...}}`` document; with a step,
    the summary also holds the Skyfield ``is_sunlit`` cross-check."""
    from sim.orbits import eclipse_schedule, schedule_document
    from sim.orbits.verify import sunlit_check

    try:
        schedule = eclipse_schedule(query.orbit, query.start_utc, query.span_s)
    except ValueError as exc:
        raise ScenarioError([Problem("orbit", str(exc))]) from None
    document = schedule_document(schedule)
    if query.step_s is not None:
        document["summary"]["skyfield_check"] = sunlit_check(query.orbit, schedule,
                                                             query.step_s)
    return schedule, document
