"""The ``orbsim`` command line: thin wrappers over ``sim.api`` with tables and one-line errors.

Exit status: 0 on success, 2 for bad input (one line per problem on stderr), 1 for a bug.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import shlex
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from sim import __version__, api
from sim.console_tables import fit
from sim.env_settings import env_number
from sim.usage_errors import USAGE_ERROR, usage_problem

EXIT_BAD_INPUT = 2
# The shell's status for a command stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
# Seconds between two progress lines when stderr is not a terminal (a log file, a pipe);
# $ORBSIM_PROGRESS_S changes it. A step shorter than PROGRESS_QUIET_S leaves no line.
PROGRESS_LINE_S = 10.0
PROGRESS_QUIET_S = 1.0
# A tuning study's file unless --study names another.
DEFAULT_STUDY_FILE = "study.db"
# Resolution of orbsim sensitivity's --figure.
SENSITIVITY_FIGURE_DPI = 150


def _paragraphs(text: str | None) -> str | None:
    """A docstring as help: its paragraphs each on one line, for the console to wrap (the
    help keeps a docstring's line breaks, which fold again on a narrower console)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines())
                       for paragraph in paragraphs)


class _NoFlagValues:
    """Help that shows no value (typer's ``<bool>``) after a flag, ``--help`` included, and
    a docstring's paragraphs unbroken."""

    params: list[Any]
    help: str | None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.help = _paragraphs(self.help)
        for param in self.params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Command(_NoFlagValues, TyperCommand):
    """A command without ``<bool>`` in its help."""


class _Group(_NoFlagValues, TyperGroup):
    """The top-level command without ``<bool>`` in its help (``--version``, ``--help``), whose
    command-line mistakes (an unknown option, a value of the wrong type or range) are one
    ``error: OPTION: message`` line with status 2, as bad input is everywhere else."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except USAGE_ERROR as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()
                sys.exit(exc.exit_code)
            err.print(f"error: {usage_problem(exc, self._named(args, kwargs))}",
                      markup=False, emoji=False, soft_wrap=True)
            sys.exit(EXIT_BAD_INPUT)
        except typer.Abort:
            err.print("aborted", markup=False, emoji=False)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)

    def _named(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """``orbsim COMMAND`` for the first command named on the command line, or ``orbsim``."""
        given = args[0] if args else kwargs.get("args")
        words = sys.argv[1:] if given is None else list(given)
        command = next((word for word in words if word in self.commands), None)
        return "orbsim" if command is None else f"orbsim {command}"


app = typer.Typer(
    cls=_Group,
    name="orbsim",
    help="Delivered compute of orbital data centers: eclipses, failures, repairs, campaigns.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# The eclipse command's table of its first eclipses: each one's times as they come, then its
# umbra's length and the beta angle (the csv and json give these and the whole duration).
ECLIPSE_TABLE_COLUMNS = ("penumbra_start", "umbra_start", "umbra_end", "penumbra_end",
                         "umbra_s", "beta_deg")
# Sets of parts shown, largest first, for the compute lost while satellites were down.
OUTAGE_ROWS = 8
# Tables keep their full width when piped to a file (rich would otherwise assume 80 columns),
# unless COLUMNS says how wide to be.
PIPED_WIDTH = 160
out = Console(highlight=False,
              width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPED_WIDTH)
err = Console(stderr=True, highlight=False)


def _show(table: Table) -> None:
    """Print a table whole, folding cells the console is too narrow for."""
    out.print(fit(table, out.width))

T = TypeVar("T")

ConfigArg = Annotated[Path, typer.Argument(metavar="CONFIG",
                                            help="Scenario file (YAML, or TOML by its suffix).")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="PATH=VALUE",
                 help="Override a value: dotted PATH=VALUE, e.g. fleet.0.count=12."),
]
SeedOpt = Annotated[int, typer.Option(min=0, metavar="N", help="Root seed of the random streams.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks for bad input.")]
WorkersOpt = Annotated[int | None, typer.Option(
    metavar="N", help="Worker processes (default: one per CPU, as many as the memory free "
                      "holds).")]
SchedulerOpt = Annotated[str | None, typer.Option(metavar="ADDRESS", help=(
    "Dask scheduler address (tcp://HOST:PORT), or 'local' for a LocalCluster."))]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object only.")]


def _progress_line_s() -> float:
    """Seconds between progress lines off a terminal: $ORBSIM_PROGRESS_S, else
    PROGRESS_LINE_S."""
    # inf leaves no periodic line.
    seconds = env_number(os.environ, "ORBSIM_PROGRESS_S", "seconds", infinite=True)
    return PROGRESS_LINE_S if seconds is None else seconds


@contextlib.contextmanager
def _working(message: str) -> Iterator[None]:
    """One long step without steps to count: a spinner on a terminal, else ``message`` on a
    line once the step has taken ``PROGRESS_QUIET_S`` (at most ``$ORBSIM_PROGRESS_S``), so
    that a log shows what is running."""
    if err.is_terminal:
        with err.status(message):
            yield
        return
    timer = threading.Timer(min(PROGRESS_QUIET_S, _progress_line_s()), err.print, (message,),
                            {"markup": False, "emoji": False, "soft_wrap": True})
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


class Progress:
    """Progress of one long step on stderr (stdout stays for results): a bar on a terminal,
    else a line every ``$ORBSIM_PROGRESS_S`` (10 s), e.g. ``eclipse schedules: 12/72 orbits,
    40 s``, and a last one at the end if any was printed. Once a line is out, one follows
    every interval even while the step reports nothing new (a gigawatt fleet settles at the
    horizon for minutes), so that a log shows the work alive."""

    def __init__(self, label: str, show: Callable[[float, float], str] = lambda d, t: (
            f"{d:,.0f}/{t:,.0f}"), done: Callable[[float, float], str] | None = None):
        self.label = label
        self.show = show
        # What the last line says once the step has ended (``show`` if not given).
        self.done = done or show
        self.started = time.perf_counter()
        self.interval_s = _progress_line_s()
        self.printed_at: float | None = None
        self.last: tuple[float, float] | None = None
        self.bar: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def __enter__(self) -> Progress:
        if err.is_terminal:
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(TextColumn(self.label), BarColumn(), TextColumn("{task.fields[shown]}"),
                           TimeElapsedColumn(), console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=None, shown="")
        elif 0.0 < self.interval_s < math.inf:
            threading.Thread(target=self._heartbeat, daemon=True).start()
        return self

    def _heartbeat(self) -> None:
        """Off a terminal, the last state again each interval without news."""
        while not self._stop.wait(self.interval_s / 4.0):
            with self._lock:
                now = time.perf_counter()
                if (self.printed_at is not None and not self._stop.is_set()
                        and now - self.printed_at >= self.interval_s):
                    self._line(now)

    def __call__(self, done: float, total: float) -> None:
        self.last = (done, total)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total, shown=self.show(done, total))
            return
        with self._lock:
            now = time.perf_counter()
            due = (now - self.started >= min(PROGRESS_QUIET_S, self.interval_s)
                   if self.printed_at is None else now - self.printed_at >= self.interval_s)
            if due:
                self._line(now)

    def _line(self, now: float, show: Callable[[float, float], str] | None = None) -> None:
        assert self.last is not None
        self.printed_at = now
        shown = (show or self.show)(*self.last)
        err.print(f"{self.label}: {shown}, {now - self.started:.0f} s",
                  markup=False, emoji=False, soft_wrap=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        if self.bar is not None:
            self.bar.stop()
            return
        with self._lock:
            if kind is None and self.printed_at is not None:
                self._line(time.perf_counter(), self.done)


def _simulated_time(done_s: float, horizon_s: float) -> str:
    """Simulated time of a replication, in days up to two years, else in years."""
    if horizon_s <= 2 * api.YEAR_S:
        return f"{done_s / api.DAY_S:,.1f}/{horizon_s / api.DAY_S:,.0f} days simulated"
    return f"{done_s / api.YEAR_S:,.2f}/{horizon_s / api.YEAR_S:g} years simulated"


def _simulated(done_s: float, horizon_s: float) -> str:
    """``_simulated_time``, and once the horizon is reached, that what is left is settling
    (power, training jobs and their upsets: minutes for a gigawatt fleet)."""
    shown = _simulated_time(done_s, horizon_s)
    return f"{shown}; settling at the horizon" if done_s >= horizon_s else shown


def _guard(debug: bool, action: Callable[[], T]) -> T:
    """Run ``action``; bad input becomes one line per problem on stderr and exit status 2."""
    try:
        return action()
    except api.ScenarioError as exc:
        if debug:
            traceback.print_exc()
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _bad_input(problem: str) -> NoReturn:
    """Stop with one line on stderr and the status of bad input."""
    err.print(f"error: {problem}", markup=False, emoji=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _figure_path(path: Path, option: str) -> Path:
    """A figure file an option names, checked before any work (``api.figure_target``)."""
    try:
        return api.figure_target(path)
    except api.FigurePathError as exc:
        _bad_input(f"{option}: {exc}")


def _searched(done: float, total: float) -> str:
    return f"{done:,.0f}/{total:,.0f} orbits searched (cached after the first time)"


def _geometry(scenario: api.Scenario, debug: bool) -> api.FleetGeometry | None:
    """Eclipse schedules of the scenario's orbits (cached on disk), with progress, and the
    power designs checked against them."""
    if not scenario.has_orbits:
        return None
    with Progress("eclipse schedules", _searched) as progress:
        return _guard(debug, lambda: api.checked_geometry(
            scenario, workers=api.default_workers(), progress=progress))


def _workers(scenario: api.Scenario, workers: int | None, scheduler: str | None,
             replications: int | None = None) -> int:
    """Workers for a campaign or study: ``--workers``, else one a core; on this machine
    (local processes or a local Dask cluster), no more by default than the memory free holds,
    with a line on stderr where memory decided or ``--workers`` asks for more than it holds."""
    if scheduler is not None and scheduler != "local":
        return workers or api.default_workers()
    plan = api.worker_plan(scenario, workers, replications)
    if plan.note is not None:
        err.print(plan.note, markup=False, emoji=False, soft_wrap=True)
    return plan.workers


def _workers_problem(workers: int | None) -> list[str]:
    return [f"--workers: must be ≥ 1, got {workers}"] if workers is not None and workers < 1 else []


def _refuse(*problems: list[str]) -> None:
    """Print each problem of the command line as one line and exit 2, if there are any."""
    found = [problem for group in problems for problem in group]
    for problem in found:
        err.print(f"error: {problem}", markup=False, emoji=False, soft_wrap=True)
    if found:
        raise typer.Exit(EXIT_BAD_INPUT)


def _load(config: Path, overrides: list[str] | None, debug: bool) -> api.Scenario:
    """The scenario, with a warning on stderr for each thing it may not mean."""
    scenario = _guard(debug, lambda: api.load_scenario(config, overrides or ()))
    _warn(scenario)
    return scenario


def _warn(scenario: api.Scenario) -> None:
    for warning in api.scenario_warnings(scenario):
        _warning(warning)


def _warning(text: str) -> None:
    """One line on stderr of what may not mean what it seems; the exit status stays 0."""
    err.print(f"warning: {text}", markup=False, emoji=False, soft_wrap=True)


@app.command(cls=_Command)
def validate(config: ConfigArg, overrides: SetOpt = None, debug: DebugOpt = False) -> None:
    """Check a scenario file; print a one-line summary, or every problem and exit 2.

    Each power design is checked against an upper bound on the longest eclipse its
    satellites see (seconds, no eclipse search); orbsim run and orbsim campaign check it
    against the eclipse schedules themselves.
    """
    scenario = _load(config, overrides, debug)
    _guard(debug, lambda: api.check_power_bound(scenario))
    out.print(
        f"ok: {scenario.name}: {scenario.n_satellites} satellites in {len(scenario.fleet)} "
        f"group(s), {scenario.horizon_s / api.YEAR_S:g} years from "
        f"{scenario.start_utc.isoformat()}, SLA {scenario.sla_fraction:g} of nominal compute",
        markup=False, soft_wrap=True,
    )


@app.command(cls=_Command)
def run(
    config: ConfigArg,
    seed: SeedOpt = 0,
    overrides: SetOpt = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option(
        help="Also write a PNG of the replication's capacity, failures and repairs by month "
             "(eclipse seasons shaded).")] = None,
    debug: DebugOpt = False,
) -> None:
    """Simulate one replication of a scenario and print its metrics."""
    if plot is not None:
        _figure_path(plot, "--plot")
    scenario = _load(config, overrides, debug)
    # A replication larger than the memory free is warned of before hours are spent on it.
    tight = api.worker_plan(scenario, 1).note
    if tight is not None:
        err.print(tight, markup=False, emoji=False, soft_wrap=True)
    geometry = _geometry(scenario, debug)
    with Progress("replication", _simulated, _simulated_time) as progress:
        result = api.run_replicate(scenario, replicate=0, root_seed=seed, orbits=geometry,
                                   progress=progress)
    payload = result.to_dict()
    if plot is not None:
        try:
            api.write_replication_figure(payload, scenario.sla_fraction, plot)
        except api.FigurePathError as exc:
            _bad_input(f"--plot: {exc}")
        err.print(f"wrote {plot}", markup=False, emoji=False, soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _print_run(payload)


def _print_run(result: dict[str, Any]) -> None:
    summary = Table(title=f"{result['scenario']}: one replication (seed {result['seed']})")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_row("uptime (delivered ÷ nominal compute)", api.share_text(result["uptime"]))
    summary.add_row("goodput (useful ÷ nominal compute)", api.share_text(result["goodput"]))
    summary.add_row("availability (time at or above SLA)", api.share_text(result["availability"]))
    summary.add_row("satellites", f"{result['satellites']:,}")
    summary.add_row("satellites down at end", f"{result['satellites_down_at_end']:,}")
    summary.add_row("horizon (years)", f"{result['horizon_years']:.4g}")
    summary.add_row("satellite-years", f"{result['satellite_years']:,.1f}")
    summary.add_row("simulation events", f"{result['sim_events']:,}")
    summary.add_row("wall time (s)", f"{result['wall_s']:.3f}")
    _show(summary)

    lost = Table(title="Lost compute (fraction of nominal capacity-time)")
    lost.add_column("cause")
    lost.add_column("share", justify="right")
    for cause, share in result["downtime_by_cause"].items():
        lost.add_row(cause, api.share_text(share))
    if result["goodput_lost"]:
        lost.add_section()
        for cause, share in result["goodput_lost"].items():
            lost.add_row(f"lost by training jobs beyond downtime: {cause}",
                             api.share_text(share))
    lost.add_section()
    for part, share in result["downtime_by_part"].items():
        lost.add_row(f"part: {part}", api.share_text(share))
    if result["outage_by_parts"]:
        lost.add_section()
        ranked = sorted(result["outage_by_parts"].items(), key=lambda item: -item[1])
        for parts, share in ranked[:OUTAGE_ROWS]:
            lost.add_row(f"satellite down, charged to: {parts}", api.share_text(share))
        rest = ranked[OUTAGE_ROWS:]
        if rest:
            lost.add_row(f"satellite down, charged to: {len(rest)} other sets of parts "
                         "(--json lists all)",
                         api.share_text(math.fsum(share for _, share in rest)))
    _show(lost)

    events = Table(title="Events")
    events.add_column("event")
    events.add_column("count", justify="right")
    for kind, count in result["events"].items():
        events.add_row(kind, f"{count:,}")
    for part, count in result["failures_by_part"].items():
        events.add_row(f"failures: {part}", f"{count:,}")
    _show(events)
    sections = (("power", "Power (fleet totals; lowest state of charge of any battery)"),
                ("servicing", "Servicing (counts over the horizon; utilisation of the fleet)"),
                ("spares", "Spares (demands on the depots' part stocks)"),
                ("cost", "Cost (US dollars)"),
                ("radiation", "Radiation (whole fleet over the horizon, upsets as they arrived: "
                              "one meeting a unit already down causes no reboot, so Events may "
                              "count fewer; dose per satellite)"),
                ("jobs", "Training jobs (over the horizon)"))
    for key, title in sections:
        if result.get(key):
            table = Table(title=title)
            table.add_column("quantity")
            table.add_column("value", justify="right")
            for name, value in result[key].items():
                table.add_row(name, _quantity(value))
            _show(table)


def _quantity(value: float) -> str:
    """A count or dollar figure in full with thousands separators; anything else to 4
    significant digits."""
    if isinstance(value, int) or (math.isfinite(value) and value.is_integer()):
        return f"{value:,.0f}"
    return f"{value:,.4g}"


@app.command(cls=_Command)
def campaign(
    config: ConfigArg,
    n: Annotated[int | None, typer.Option("-n", metavar="N", help=(
        "Replications (the cap with --until-ci; default 100, or the stored plan with "
        "--resume)."))] = None,
    until_ci: Annotated[float | None, typer.Option(metavar="W", help=(
        "Stop once the 95 % interval of mean uptime is narrower than W."))] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=(
        "Results directory (default: results/<scenario name>, with --set "
        "results/<name>-<hash of the overridden scenario>).")),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help=(
        "Continue the campaign stored in --out."))] = False,
    seed: Annotated[int | None, typer.Option(min=0, metavar="N", help=(
        "Root seed of the random streams (default 0; with --resume, the stored "
        "campaign's)."))] = None,
    overrides: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json only.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Run a Monte Carlo campaign; results, written as it goes, survive a kill (--resume)."""
    _refuse([f"-n: must be ≥ 1, got {n}"] if n is not None and n < 1 else [],
            [f"--until-ci: must be > 0, got {until_ci:g}"]
            if until_ci is not None and not until_ci > 0 else [],
            _workers_problem(workers))
    loaded = _guard(debug, lambda: api.read_scenario(config, overrides or ()))
    _warn(loaded.scenario)
    directory = out if out is not None else api.default_directory(loaded)
    # With --until-ci, -n caps what may run; a resumed campaign's count is its stored plan's.
    worker_count = _workers(loaded.scenario, workers, scheduler,
                            n if n is not None and not resume else None)
    started = time.perf_counter()

    def replications(done: float, total: float) -> str:
        rate = done / max(time.perf_counter() - started, 1e-9)
        return f"{done:,.0f}/{total:,.0f} ({rate:.1f}/s)"

    failure = None
    try:
        with (Progress("eclipse schedules", _searched) as searched,
              Progress("replications", replications) as advance):
            outcome = _guard(debug, lambda: api.run_campaign(
                loaded, n=n, until_ci=until_ci,
                workers=worker_count, scheduler=scheduler, out=directory, resume=resume,
                seed=seed, progress=advance, geometry_progress=searched))
    except (api.StoreError, api.ExecutorError) as exc:
        failure = str(exc)
    except KeyboardInterrupt:
        command = _resume_command(config, n, until_ci, workers, scheduler, directory, seed,
                                  overrides or [], as_json)
        if api.holds_replications(directory):
            said = f"replications finished so far are kept in {directory}; resume it"
        elif api.holds_campaign(directory):
            said = "no replication was stored yet; resume it"
        else:
            said = "no replication was stored yet; start it again"
        err.print(f"interrupted: {said} with:\n  {command}", markup=False, emoji=False,
                  soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if failure is not None:
        err.print(f"error: {failure}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if outcome.stopped_at_cap and until_ci is not None and outcome.ci_width is not None:
        err.print(f"stopped at the -n cap of {outcome.summary['replications']:,} replications: "
                  f"the 95 % interval of mean uptime is {outcome.ci_width:.4g} wide, wider "
                  f"than {until_ci:g}", markup=False, emoji=False, soft_wrap=True)
    held = outcome.summary["replications"]
    if n is not None and until_ci is None and held > n:
        err.print(f"note: {directory} holds {held:,} replications, more than -n {n:,}: all "
                  f"{held:,} are summarised", markup=False, emoji=False, soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(api.json_ready(outcome.summary), allow_nan=False) + "\n")
        return
    _print_campaign(outcome)


def _resume_command(config: Path, n: int | None, until_ci: float | None, workers: int | None,
                    scheduler: str | None, directory: Path, seed: int | None, overrides: list[str],
                    as_json: bool) -> str:
    """The command that continues an interrupted campaign: the one given, with its folder
    made explicit and --resume once the folder holds the campaign."""
    words = ["orbsim", "campaign", str(config)]
    for flag, value in (("-n", n), ("--until-ci", until_ci), ("--workers", workers),
                        ("--scheduler", scheduler)):
        if value is not None:
            words += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    words += ["--out", str(directory)]
    if api.holds_campaign(directory):
        words.append("--resume")
    if seed:
        words += ["--seed", str(seed)]
    for override in overrides:
        words += ["--set", override]
    if as_json:
        words.append("--json")
    return shlex.join(words)


def _print_campaign(outcome: Any) -> None:
    summary = outcome.summary
    metrics = summary["metrics"]
    table = Table(title=f"{summary['replications']} replications in {outcome.directory} "
                        f"({outcome.ran} run now, {outcome.wall_s:.1f} s)")
    for column in ("metric", "mean", "± s.e.", "95 % interval", "P5", "P50", "P95"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    shown = [name for name in ("uptime", "goodput", "availability") if name in metrics]
    for prefix in ("downtime.", "goodput_lost."):
        shown += sorted(name for name in metrics if name.startswith(prefix))
    for name in shown:
        # As the report prints them: one precision a row, the standard error to 2 digits.
        d = api.tidy(name, metrics[name])
        mean, low, high, p5, p50, p95 = api.row_numbers([d[key] for key in api.STAT_KEYS])
        table.add_row(name, mean, api.error_text(d["standard_error"]), f"{low} – {high}", p5,
                      p50, p95)
    sla = summary["probability_meeting_sla"]
    table.add_section()
    table.add_row(f"P(uptime ≥ SLA {summary['sla_fraction']:g})", f"{sla['mean']:.4f}", "",
                  f"{sla['ci95_low']:.4f} – {sla['ci95_high']:.4f}", "", "", "")
    _show(table)


@app.command(cls=_Command)
def report(
    directory: Annotated[Path, typer.Argument(
        metavar="DIR", help="Results directory of a finished campaign (orbsim campaign --out).")],
) -> None:
    """Write a campaign's figures (DIR/figures/*.png) and its report (DIR/report.md, .html)."""
    try:
        written = api.write_report(directory)
    except api.ReportError as exc:
        err.print(f"error: {exc}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:
        _bad_input(f"{directory}: cannot write the report there ({exc.strerror or exc})")
    if written.partial is not None:
        _warning(written.partial)
    out.print(f"wrote {written.markdown}, {written.html} and {len(written.figures)} figures in "
              f"{directory / 'figures'}", markup=False, soft_wrap=True)


@app.command(cls=_Command)
def compare(
    dir_a: Annotated[Path, typer.Argument(metavar="DIR_A", help="Results directory of the "
                                                               "baseline campaign (A).")],
    dir_b: Annotated[Path, typer.Argument(metavar="DIR_B", help="Results directory of the "
                                                               "campaign compared with it (B).")],
    as_json: JsonOpt = False,
    figure: Annotated[Path | None, typer.Option(
        help="Also write a figure of the differences (.png, .pdf or .svg; none by default).")
    ] = None,
) -> None:
    """Compare two campaigns of one seed and horizon, replication by replication (B − A)."""
    if figure is not None:
        _figure_path(figure, "--figure")
    try:
        comparison = api.compare_campaigns(dir_a, dir_b)
        written = api.write_comparison_figure(comparison, figure) if figure else None
    except api.CompareError as exc:
        err.print(f"error: {exc}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for side in (comparison.a, comparison.b):
        if side.partial is not None:
            _warning(side.partial)
    if as_json:
        sys.stdout.write(json.dumps(comparison.to_dict(), allow_nan=False) + "\n")
        return
    _print_comparison(comparison)
    if written is not None:
        out.print(f"wrote {written}", markup=False, soft_wrap=True)


def _number(value: float, signed: bool = False) -> str:
    """A mean or difference: 6 significant digits, grouping for large counts, – if undefined."""
    if value is None or math.isnan(value):
        return "–"
    sign = "+" if signed else ""
    if value == 0:
        return "0"
    if abs(value) >= 1e4:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.6g}"


def _print_comparison(comparison: api.Comparison) -> None:
    label_a, label_b = comparison.labels()
    table = Table(title=f"{label_b} (B) − {label_a} (A): {comparison.paired} paired "
                        f"replications, seed {comparison.seed}")
    for column in ("metric", f"A: {label_a}", f"B: {label_b}", "B − A", "95 % interval", ""):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, m in comparison.metrics.items():
        # As the report shows it: a value within rounding of 0 is 0.
        floor = api.noise_floor(name, max(abs(m.a_mean), abs(m.b_mean)))
        a, b, difference, low, high = (0.0 if abs(v) < floor else v for v in (
            m.a_mean, m.b_mean, m.difference, *m.ci95))
        interval = (f"{_number(low, True)} – {_number(high, True)}" if m.defined
                    else "undefined (n < 2)")
        table.add_row(name, _number(a), _number(b), _number(difference, True), interval,
                      "*" if m.significant else "")
    _show(table)
    def held(side: api.CampaignSide, unit: str) -> str:
        return f"{side.replications}{unit}{', PARTIAL' if side.partial is not None else ''}"

    notes = [f"A: {comparison.a.directory} ({held(comparison.a, ' replications')}); "
             f"B: {comparison.b.directory} ({held(comparison.b, '')})",
             f"paired {comparison.paired} replications by index, left {comparison.unpaired} "
             f"unpaired ({comparison.unpaired_a} only in A, {comparison.unpaired_b} only in B)",
             "* the 95 % interval of the mean paired difference (Student's t) excludes 0"]
    if comparison.paired < 2:
        notes.append("one pair: the difference has no spread, so no interval is defined")
    for side, names in (("A", comparison.only_in_a), ("B", comparison.only_in_b)):
        if names:
            notes.append(f"only in {side}, not compared: {', '.join(names)}")
    for note in notes:
        # Wrapped at the console's width, so that a long list of metrics stays readable.
        out.print(note, markup=False)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command(cls=_Command)
def eclipse(
    config: Annotated[Path | None, typer.Argument(
        metavar="CONFIG",
        help="Scenario file: the orbit of its first fleet group with one (see --group).")] = None,
    group: Annotated[str | None, typer.Option(help="Fleet group to take the orbit from.")] = None,
    satellite: Annotated[int, typer.Option(min=0, help="Member of a Walker shell.")] = 0,
    altitude_km: Annotated[float | None, typer.Option(help="Circular orbit altitude.")] = None,
    inclination_deg: Annotated[str | None, typer.Option(
        help="Inclination in degrees, or 'sso' for sun-synchronous.")] = None,
    raan_deg: Annotated[float | None, typer.Option(help="Right ascension of the node.")] = None,
    ltan_h: Annotated[float | None, typer.Option(help="Local time of the ascending node.")] = None,
    tle: Annotated[tuple[str, str] | None, typer.Option(
        help="Two-line element set: --tle LINE1 LINE2.")] = None,
    start: Annotated[str | None, typer.Option(
        help="Start, ISO 8601 UTC (default: the scenario's start, else 2027-01-01).")] = None,
    days: Annotated[float | None, typer.Option(
        help="Span in days (default: the scenario's horizon, else 365).")] = None,
    step_s: Annotated[float | None, typer.Option(
        help="Also check the schedule against Skyfield's is_sunlit sampled every STEP_S.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table),
    debug: DebugOpt = False,
) -> None:
    """Eclipse schedule of one orbit: umbra and penumbra times, beta angle, seasons."""
    query = _guard(debug, lambda: api.eclipse_query(
        config, group=group, satellite=satellite, altitude_km=altitude_km,
        inclination_deg=inclination_deg, raan_deg=raan_deg, ltan_h=ltan_h, tle=tle,
        start=start, days=days, step_s=step_s))
    for warning in query.warnings:
        _warning(warning)
    with _working("computing the eclipse schedule (cached after the first time)"):
        schedule, document = _guard(debug, lambda: api.run_eclipse_query(query))
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps(document) + "\n")
    elif output is OutputFormat.csv:
        api.write_eclipse_csv(schedule, sys.stdout)
    else:
        _print_eclipses(document)


def _print_eclipses(document: dict[str, Any]) -> None:
    summary = document["summary"]
    table = Table(title=f"Eclipses {summary['start']} to {summary['end']}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("eclipses (grazing)", f"{summary['count']:,} ({summary['grazing_count']:,})")
    table.add_row("shadow fraction (umbra)",
                  f"{summary['shadow_fraction']:.5f} ({summary['umbra_fraction']:.5f})")
    table.add_row("total shadow (h)", f"{summary['total_shadow_s'] / api.HOUR_S:,.2f}")
    table.add_row("longest eclipse (min)", f"{summary['longest_eclipse_s'] / 60:.2f}")
    table.add_row("longest umbra (min)", f"{summary['longest_umbra_s'] / 60:.2f}")
    table.add_row("days with eclipses", f"{summary['eclipse_days']:,}")
    for season in summary["eclipse_seasons"]:
        table.add_row("season", f"{season['start'][:10]} to {season['end'][:10]} "
                                f"({season['days']} d)")
    check = summary.get("skyfield_check")
    if check:
        verdict = "agrees" if check["agrees"] else "DISAGREES"
        table.add_row(f"is_sunlit every {check['step_s']:g} s",
                      f"{verdict}: {check['samples']:,} samples, "
                      f"{check['shadowed_outside_penumbra'] + check['sunlit_inside_umbra']} off")
    _show(table)
    rows = Table(title="First eclipses, in time order (--format csv|json for all)")
    for column in ECLIPSE_TABLE_COLUMNS:
        rows.add_column(column, justify="right" if column.endswith(("_s", "_deg")) else "left")
    for row in document["eclipses"][:10]:
        rows.add_row(*(_cell(row[c]) for c in ECLIPSE_TABLE_COLUMNS))
    _show(rows)


def _cell(value: Any) -> str:
    """One table cell: – for a missing value (a grazing eclipse has no umbra)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


class ExportFormat(StrEnum):
    csv = "csv"


@app.command(cls=_Command)
def export(
    directory: Annotated[Path, typer.Argument(
        metavar="DIR", help="Results directory of a finished campaign (orbsim campaign --out).")],
    output: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = (
        ExportFormat.csv),
    to: Annotated[Path | None, typer.Option(
        "--out", help="Folder to write into (default: DIR).")] = None,
) -> None:
    """Write a campaign's tables for spreadsheets: replicates.csv (one row per replication) and
    timeseries.csv (one row per replication and month)."""
    del output  # csv is the only format so far (typer refuses any other)
    try:
        written = api.export_csv(directory, to)
    except api.ReportError as exc:
        err.print(f"error: {exc}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:
        err.print(f"error: {to or directory}: cannot write there ({exc.strerror})", markup=False,
                  emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if written.partial is not None:
        _warning(written.partial)
    out.print(f"wrote {written.replicates} and {written.timeseries}", markup=False,
              soft_wrap=True)


def _three_places(value: float) -> str:
    """An index to three decimals, a small negative estimate shown as 0.000, not -0.000."""
    return f"{round(value, 3) + 0.0:.3f}"


def _refuse_unknown_metrics(scenario: api.Scenario, seed: int, named: dict[str, str]) -> None:
    """Exit 2 naming each metric the scenario does not report (``named``: label → metric)."""
    known = api.metric_names(scenario, seed)
    _refuse([f"{label}: not a metric this scenario reports ({api.closest(name, known)})"
             for label, name in named.items() if name not in known])


def _study_stopped(exc: BaseException, kept: str, where: Path) -> NoReturn:
    """A study that cannot go on (exit 2) or was interrupted (exit 130, saying how to
    resume from what ``where`` keeps)."""
    if isinstance(exc, KeyboardInterrupt):
        err.print(f"interrupted: the {kept} finished so far are kept in {where}; run the same "
                  "command again to resume", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    err.print(f"error: {exc}", markup=False, emoji=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command(cls=_Command)
def sensitivity(
    config: ConfigArg,
    n: Annotated[int, typer.Option("-n", metavar="N", help=(
        "Base samples, a power of 2: N·(D + 2) variants of the scenario for D inputs."))],
    replications: Annotated[int, typer.Option(metavar="R", help=(
        "Replications of each variant, on the same seeds for every variant."))] = 8,
    metric: Annotated[list[str] | None, typer.Option(metavar="NAME", help=(
        "A metric to analyse (repeatable; default uptime, goodput, availability and cost "
        "per delivered PFLOPS-hour where reported)."))] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    seed: SeedOpt = 0,
    overrides: SetOpt = None,
    as_json: JsonOpt = False,
    figure: Annotated[Path | None, typer.Option(metavar="FILE", help=(
        "Also write a figure of S1 and ST per metric (.png, .pdf, .svg)."))] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", metavar="DIR", help=(
        "Where the study keeps its variants as they finish (a killed study resumes from "
        "them) and writes indices.json (default: results/<scenario name>-sensitivity)."))
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Sobol sensitivity of the metrics to the scenario's uncertain inputs (SALib)."""
    _refuse([f"-n: must be a power of 2 (≥ 2) for Sobol sampling, got {n}"]
            if n < 2 or n & (n - 1) else [],
            [f"--replications: must be ≥ 1, got {replications}"] if replications < 1 else [],
            _workers_problem(workers))
    loaded = _guard(debug, lambda: api.read_scenario(config, overrides or ()))
    uncertain = _guard(debug, lambda: api.study_inputs(loaded.document))
    directory = out_dir if out_dir is not None else Path("results") / (
        f"{loaded.scenario.name}-sensitivity")
    _refuse([f"--out: {problem}"] if (problem := api.folder_problem(directory)) else [])
    if figure is not None:
        _figure_path(figure, "--figure")
    names = list(metric or [])
    if names:
        _refuse_unknown_metrics(loaded.scenario, seed, {f"--metric {name}": name
                                                        for name in names})
    worker_count = _workers(loaded.scenario, workers, scheduler)
    try:
        with Progress("variants", lambda done, total: f"{done:,.0f}/{total:,.0f}") as advance:
            result = api.run_sensitivity(loaded.document, uncertain, n, replications, seed,
                                         worker_count, names, advance, scheduler, directory)
    except (api.ExecutorError, api.StudyError, KeyboardInterrupt) as exc:
        _study_stopped(exc, "variants", directory)
    (directory / "indices.json").write_text(
        json.dumps(api.json_ready(result.to_dict()), allow_nan=False), encoding="utf-8")
    if figure is not None:
        try:
            api.write_figure(api.draw_indices(result), figure, SENSITIVITY_FIGURE_DPI)
        except api.FigurePathError as exc:
            _bad_input(f"--figure: {exc} (the indices are in {directory / 'indices.json'})")
        err.print(f"wrote {figure}", markup=False, emoji=False, soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(api.json_ready(result.to_dict()), allow_nan=False) + "\n")
        return
    table = Table(title=f"Sobol indices: N = {n}, {result.points} variants × {replications} "
                        f"replications, seed {seed}")
    for column in ("metric", "input", "S1", "± 95 %", "ST", "± 95 %"):
        table.add_column(column, justify="left" if column in ("metric", "input") else "right")
    for metric_name, by_path in result.indices.items():
        for path, found in by_path.items():
            table.add_row(metric_name, path, *(_three_places(value) for value in (
                found.S1, found.S1_conf, found.ST, found.ST_conf)))
        table.add_section()
    _show(table)


@app.command(cls=_Command)
def tune(
    config: ConfigArg,
    trials: Annotated[int, typer.Option(metavar="N", help=(
        "Trials in the study, all told (a resumed study runs only the rest)."))],
    n: Annotated[int, typer.Option("-n", metavar="REPS", help=(
        "Replications of each trial, on the same seeds for every trial."))],
    study: Annotated[Path | None, typer.Option(metavar="PATH", help=(
        "The study's SQLite file (default: results/<scenario name>-tune/study.db); an "
        "existing one is resumed."))] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    seed: SeedOpt = 0,
    overrides: SetOpt = None,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Tune the scenario's search values to its objective (Optuna; resumable)."""
    _refuse([f"--trials: must be ≥ 1, got {trials}"] if trials < 1 else [],
            [f"-n: must be ≥ 2 (the comparison needs a spread), got {n}"] if n < 2 else [],
            _workers_problem(workers))
    loaded = _guard(debug, lambda: api.read_scenario(config, overrides or ()))
    search, objective = _guard(debug, lambda: api.study_goal(loaded.document))
    path = study if study is not None else Path("results") / f"{loaded.scenario.name}-tune" / (
        DEFAULT_STUDY_FILE)
    _refuse([f"--study: {problem}"] if (problem := api.study_file_problem(path)) else [])
    _refuse_unknown_metrics(loaded.scenario, seed, {f"objective: {name!r}": name
                                                    for name in objective.metrics()})
    worker_count = _workers(loaded.scenario, workers, scheduler)
    try:
        with Progress("trials", lambda done, total: f"{done:,.0f}/{total:,.0f}") as advance:
            outcome = api.run_tune(loaded.document, search, objective, trials, n, seed,
                                   worker_count, path, _study_folder(path), advance, scheduler)
    except (api.ExecutorError, api.StudyError, KeyboardInterrupt) as exc:
        _study_stopped(exc, "trials", path)
    if outcome.refused:
        err.print(f"note: {outcome.refused} trial(s) gave no result: "
                  f"{outcome.refused_example}", markup=False, emoji=False, soft_wrap=True)
    if not outcome.feasible:
        err.print(f"no trial met the constraints ({'; '.join(objective.constraints)}); the "
                  f"closest is trial {outcome.chosen[0].number} (short by "
                  f"{outcome.chosen[0].violation:.4g})", markup=False, emoji=False,
                  soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(api.json_ready(outcome.to_dict()), allow_nan=False) + "\n")
        return
    _print_tune(outcome, objective)


def _study_folder(study: Path) -> Path:
    """Where a study's report and figures go: beside ``study.db``; for a study file of
    another name, a folder of that name beside it (two studies in one folder would
    overwrite each other's reports)."""
    return study.parent if study.name == DEFAULT_STUDY_FILE else study.parent / study.stem


def _print_tune(outcome: api.TuneOutcome, objective: Any) -> None:
    goals = [g.metric for g in objective.goals()]
    for point, comparison in zip(outcome.chosen, outcome.comparisons, strict=True):
        table = Table(title=f"trial {point.number} of {outcome.trials}"
                            f"{'' if point.feasible else ' (meets no constraint set)'}: "
                            + ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                                        for k, v in point.params.items()))
        for column in ("metric", "as given", "tuned", "tuned − given", "95 % interval"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        constrained = [c.split()[0] for c in objective.constraints]
        shown = [m for m in dict.fromkeys([*goals, *constrained, "uptime", "goodput",
                                           "availability"]) if m in comparison]
        for name in shown:
            c = comparison[name]
            low, high = c["ci95"]
            table.add_row(name, f"{c['baseline']:.6g}", f"{c['tuned']:.6g}",
                          f"{c['difference']:+.4g}", f"{low:+.4g} – {high:+.4g}"
                          + (" *" if c["significant"] else ""))
        _show(table)
    out.print(f"study: {outcome.study_path} ({outcome.trials} trials); report: "
              f"{outcome.report}; figures: " + (", ".join(p.name for p in outcome.figures)
                                                or "none"), markup=False, soft_wrap=True)


@app.command(cls=_Command)
def cutsets(
    config: ConfigArg,
    overrides: SetOpt = None,
    at_years: Annotated[list[float] | None, typer.Option(
        "--at-years", metavar="YEARS",
        help="Time of the importance measures (repeat for several; default: the horizon).")
    ] = None,
    max_order: Annotated[int | None, typer.Option(
        metavar="N", help="List only cut sets of at most N failures.")] = None,
    top: Annotated[int, typer.Option(metavar="N", help="Kinds of cut set to print.")] = 12,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Minimal cut sets of each design, and how important each part is.

    From the part tree alone: the smallest sets of unit failures that bring a satellite
    down, gathered into kinds (the same parts in another node are one kind), ranked by the
    expected number of their sets failed at the first time; then each part's Birnbaum,
    Fussell-Vesely and risk achievement worth from its failure laws without repair. Standby
    units count as hot ones, without switch failures.
    """
    times = at_years or []
    _refuse([f"--at-years: must be > 0 and finite, got {t:g}" for t in times
             if not (math.isfinite(t) and t > 0)],
            [f"--max-order: must be ≥ 1, got {max_order}"]
            if max_order is not None and max_order < 1 else [],
            [f"--top: must be ≥ 1, got {top}"] if top < 1 else [])
    scenario = _load(config, overrides, debug)
    horizon_years = scenario.horizon_s / api.YEAR_S
    for years in times:
        if years > horizon_years * (1 + 1e-9):
            _warning(f"--at-years {years:g} is beyond the scenario's horizon "
                     f"({horizon_years:g} years)")
    shadow = None
    if api.ages_in_eclipse(scenario):
        geometry = _geometry(scenario, debug)
        assert geometry is not None
        shadow = api.shadow_fractions(scenario, geometry)
    try:
        analysis = api.cut_set_analysis(scenario, times, max_order, shadow)
    except (api.CutSetError, ValueError) as exc:
        _refuse([str(exc)])
        raise
    if as_json:
        sys.stdout.write(json.dumps(analysis) + "\n")
        return
    for group in analysis["groups"]:
        _print_cut_sets(group, top)


def _print_cut_sets(group: dict[str, Any], top: int) -> None:
    first = group["at"][0]["years"]
    count = len(group["kinds"])
    limit = (f" of at most {group['max_order']} failures" if group["max_order"] is not None
             else "")
    kinds = Table(title=f"{group['group']}: {group['cut_sets']:,} minimal cut set"
                        f"{'s' * (group['cut_sets'] != 1)}{limit} of "
                        f"{group['basic_events']} unit failures, in {count} kind"
                        f"{'s' * (count != 1)}")
    for name in ("failures that bring a satellite down", "order", "sets",
                 f"expected failed at {first:.3g} y"):
        kinds.add_column(name, justify="left" if name.startswith("failures") else "right")
    for kind in group["kinds"][:top]:
        parts = " + ".join(f"{units} × {part}" if units > 1 else part
                           for part, units in kind["parts"].items())
        kinds.add_row(parts, str(kind["order"]), f"{kind['sets']:,}",
                      f"{kind['expected_failed']:.3g}")
    _show(kinds)
    if len(group["kinds"]) > top:
        out.print(f"({len(group['kinds']) - top} more kinds; --top N or --json for all)",
                  markup=False)
    for at in group["at"]:
        table = Table(title=f"{group['group']}: importance at {at['years']:.3g} years "
                            f"(P(satellite down) = {at['failure_probability']:.4g}, no repair)")
        for name in ("part", "units", "P(unit failed)", "Birnbaum", "Fussell-Vesely",
                     "F-V of the part", "RAW"):
            table.add_column(name, justify="left" if name == "part" else "right")
        for item in at["importance"]:
            table.add_row(item["part"], str(item["units"]), f"{item['probability']:.4f}",
                          f"{item['birnbaum']:.4f}", f"{item['fussell_vesely']:.4f}",
                          f"{item['fussell_vesely_part']:.4f}",
                          f"{item['risk_achievement_worth']:.3f}")
        _show(table)


@app.command(cls=_Command)
def schema() -> None:
    """Print the scenario file's JSON Schema (for editors: see the README)."""
    out.print_json(json.dumps(api.scenario_json_schema()), indent=2)


def _version(value: bool) -> None:
    if value:
        out.print(f"orbsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version.")
    ] = False,
) -> None:
    """orbsim: what fraction of nominal compute an orbital data center delivers."""
    try:
        api.kept_orbits_bytes()
        api.available_bytes()
        api.check_cache_dir()
        _progress_line_s()
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM (``kill``, ``timeout``, a batch scheduler's end of job) stops a command as
    Ctrl-C does: a campaign or study keeps what it finished and says how to resume."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``orbsim`` script."""
    signal.signal(signal.SIGTERM, _terminated)
    app()
