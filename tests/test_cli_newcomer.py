"""What a newcomer meets on the command line: progress on long work, a validate that answers in
seconds, Ctrl-C that says how to resume, the --until-ci cap said aloud, one spelling of paths,
close typo hints, clean help and tables, stale TLEs, and campaign folders of variants."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
import yaml
from support import CONFIGS, ROOT, SMOKE, orbsim, orbsim_here

from sim.config.errors import closest_key
from sim.config.loader import load_scenario
from sim.config.schema import known_keys
from sim.orbits.elements import tle_checksum

# A generous bound: validate of a 72-plane, 20-year shell takes a few seconds with a cold cache.
VALIDATE_LIMIT_S = 30.0


def run_in(cwd: Path, *args: str, env: dict[str, str] | None = None,
           ) -> subprocess.CompletedProcess[str]:
    """``python -m sim ARGS`` in ``cwd`` (default results folders land there)."""
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})})


def with_checksum(line: str) -> str:
    """The first 68 columns of ``line`` and their checksum."""
    line = line[:68].ljust(68)
    return line + str(tle_checksum(line))


def with_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"ORBSIM_CACHE_DIR": str(tmp_path / "cache"), **extra}


# --- 1. progress ----------------------------------------------------------------------------

def test_a_large_run_reports_simulated_time_on_stderr_and_keeps_json_clean(
        tmp_path: Path) -> None:
    result = run_in(ROOT, "run", str(SMOKE), "--set", "fleet.0.count=20000", "--json",
                    env={"ORBSIM_PROGRESS_S": "0"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["satellites"] == 20000
    lines = result.stderr.splitlines()
    assert lines and all(re.fullmatch(
        r"replication: [\d.,]+/91 days simulated(; settling at the horizon)?, \d+ s", line)
        for line in lines), result.stderr
    assert re.fullmatch(r"replication: 91.0/91 days simulated, \d+ s", lines[-1])


def test_eclipse_schedules_searched_with_a_cold_cache_report_progress(tmp_path: Path) -> None:
    result = run_in(ROOT, "run", str(CONFIGS / "reference-cluster.yaml"), "--set",
                    "horizon_days=20", "--json",
                    env=with_env(tmp_path, ORBSIM_PROGRESS_S="0"))
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)
    assert re.search(r"^eclipse schedules: 1/1 orbits searched \(cached after the first time\), "
                     r"\d+ s$", result.stderr, re.MULTILINE), result.stderr


def test_a_campaign_reports_replications_off_a_terminal(tmp_path: Path) -> None:
    result = run_in(ROOT, "campaign", str(SMOKE), "-n", "20", "--workers", "1", "--out",
                    str(tmp_path / "out"), "--json", env={"ORBSIM_PROGRESS_S": "0"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replications"] == 20
    assert re.search(r"^replications: 20/20 \([\d.]+/s\), \d+ s$", result.stderr, re.MULTILINE)


def test_short_work_leaves_no_progress_line() -> None:
    result = orbsim("run", str(SMOKE), "--json")
    assert result.returncode == 0 and result.stderr == ""


# --- 2. validate in seconds -------------------------------------------------------------------

@pytest.mark.parametrize("overrides", [[], ["--set", "fleet.0.orbit.altitude_km=560"]],
                         ids=["reference-shell", "shell-at-560-km"])
def test_validate_of_a_new_shell_answers_in_seconds_with_a_cold_cache(
        tmp_path: Path, overrides: list[str]) -> None:
    started = time.monotonic()
    result = run_in(ROOT, "validate", str(CONFIGS / "reference-shell.yaml"), *overrides,
                    env=with_env(tmp_path))
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: reference-shell: 1584 satellites")
    assert elapsed < VALIDATE_LIMIT_S
    # No eclipse search: nothing was cached.
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_validate_bounds_the_longest_eclipse_from_above(tmp_path: Path) -> None:
    """The reference shell's longest eclipse is 35.8 min searched; a battery sized for 34 min
    fails validate, naming the bound."""
    result = orbsim("validate", str(CONFIGS / "reference-shell.yaml"),
                    "--set", "fleet.0.design.power.battery.capacity_kwh=4.5")
    assert result.returncode == 2
    bound = float(re.search(r"longest eclipse \(≤ ([\d.]+) min: a bound; run and campaign "
                            r"check the eclipses searched\)", result.stderr).group(1))
    assert 35.8 <= bound <= 36.5


# --- 3. Ctrl-C on a campaign --------------------------------------------------------------------

def test_ctrl_c_on_a_campaign_prints_the_command_that_resumes_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim", "campaign", str(SMOKE), "-n", "600", "--workers",
               "1", "--out", str(out), "--seed", "3", "--set", "fleet.0.count=3"]
    # Ctrl-C reaches the campaign even when the suite runs as a background job (which
    # starts with SIGINT ignored, and passes that on).
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, env={**os.environ, "ORBSIM_PROGRESS_S": "0"},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
                          ) as process:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("replications: "), first
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read()
        code = process.wait(timeout=120)
        assert code == 130, (code, rest)
    lines = [line.strip() for line in rest.splitlines() if line.strip()]
    assert lines[-2] == (f"interrupted: replications finished so far are kept in {out}; "
                         "resume it with:"), rest
    resume = shlex.split(lines[-1])
    assert resume == ["orbsim", "campaign", str(SMOKE), "-n", "600", "--workers", "1", "--out",
                      str(out), "--resume", "--seed", "3", "--set", "fleet.0.count=3"]
    done_before = len(list((out / "parts").glob("rep-*.parquet")))
    assert done_before > 0
    again = subprocess.run([sys.executable, "-m", "sim", *resume[1:], "--json"], cwd=ROOT,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["replications"] == 600
    ids = pq.read_table(out / "replicates.parquet").column("replicate").to_pylist()
    assert ids == list(range(600))


# --- 4. the -n cap of --until-ci ----------------------------------------------------------------

def test_until_ci_stopped_by_the_cap_says_so(tmp_path: Path) -> None:
    result = orbsim("campaign", str(SMOKE), "-n", "10", "--until-ci", "1e-9", "--workers", "1",
                    "--out", str(tmp_path / "out"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replications"] == 10
    assert re.search(r"^stopped at the -n cap of 10 replications: the 95 % interval of mean "
                     r"uptime is [\d.e-]+ wide, wider than 1e-09$", result.stderr, re.MULTILINE)


def test_until_ci_reached_says_nothing_of_a_cap(tmp_path: Path) -> None:
    result = orbsim("campaign", str(SMOKE), "-n", "20", "--until-ci", "1", "--workers", "1",
                    "--out", str(tmp_path / "out"), "--json")
    assert result.returncode == 0 and "cap" not in result.stderr


# --- 5. one spelling of paths; numbers with an exponent -------------------------------------------

def test_errors_spell_paths_as_set_takes_them() -> None:
    result = orbsim("validate", str(SMOKE), "--set", "fleet.0.design.parts.1.required=9")
    assert result.returncode == 2
    assert result.stderr.startswith("error: fleet.0.design.parts.1.required: must be ≤ count")


@pytest.mark.parametrize("text", ["1e-9", "2E3", "1.5e9", "3e+2"])
def test_set_reads_an_exponent_as_a_number(text: str) -> None:
    scenario = load_scenario(SMOKE, [f"fleet.0.design.parts.1.failure.mean_years={text}"])
    part = scenario.fleet[0].design.parts[1]
    assert part.failure.mean_s == pytest.approx(float(text) * 365.25 * 86400, rel=1e-6)


def test_a_scenario_file_reads_an_exponent_as_a_number(tmp_path: Path) -> None:
    document = yaml.safe_load(SMOKE.read_text())
    text = yaml.safe_dump(document).replace("mean_years: 0.5", "mean_years: 5e-1")
    assert "5e-1" in text
    (tmp_path / "s.yaml").write_text(text)
    result = orbsim("validate", str(tmp_path / "s.yaml"))
    assert result.returncode == 0, result.stderr


# --- 6. typo hints ----------------------------------------------------------------------------

@pytest.mark.parametrize(("typo", "meant"), [
    ("mean_hours", "mean_h"), ("mean_minutes", "mean_min"), ("median_day", "median_days"),
    ("scale_yeras", "scale_years"), ("duration_hrs", "duration_h"), ("bus_load_w", "bus_load_kw"),
    ("capcity_kwh", "capacity_kwh"), ("requried", "required"), ("inclination", "inclination_deg"),
])
def test_typo_hints_pick_the_closest_key(typo: str, meant: str) -> None:
    assert closest_key(typo, known_keys()) == meant


def test_a_typo_hint_through_the_command_line() -> None:
    result = orbsim("validate", str(SMOKE), "--set",
                    "fleet.0.design.parts.1.repair={distribution: fixed, duration_hours: 3}")
    assert result.stderr.strip() == ("error: fleet.0.design.parts.1.repair.duration_hours: "
                                     "unknown key (did you mean 'duration_h'?)")


# --- 7. help and tables -----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["run", "campaign", "validate", "eclipse", "compare",
                                     "report", "export", ""])
def test_help_shows_no_value_after_a_flag(command: str) -> None:
    result = orbsim(*[c for c in (command,) if c], "--help")
    assert result.returncode == 0
    assert "<bool>" not in result.stdout
    assert "--help" in result.stdout


def test_help_paragraphs_fold_only_at_the_console_edge() -> None:
    """A docstring's own line breaks would fold again, mid-line, on a narrower console."""
    from sim.cli import app

    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert len(commands) == len(app.registered_commands)
    for name, command in commands.items():
        for paragraph in (command.help or "").split("\n\n"):
            assert "\n" not in paragraph, name
    assert "satellite down, gathered into kinds" in commands["cutsets"].help


def test_the_eclipse_table_shows_no_none() -> None:
    """The dawn–dusk season opens with grazing eclipses, which have no umbra."""
    result = orbsim("eclipse", "--altitude-km", "650", "--inclination-deg", "sso", "--ltan-h",
                    "18", "--start", "2027-05-01T00:00:00Z", "--days", "60")
    assert result.returncode == 0, result.stderr
    assert "None" not in result.stdout and "nan" not in result.stdout
    assert "–" in result.stdout


# --- 8. stale TLEs ----------------------------------------------------------------------------

def test_a_stale_tle_gets_a_warning_naming_its_epoch(tmp_path: Path) -> None:
    line1 = with_checksum("1 25544U 98067A   24061.00000000  .00000000  00000-0  00000-0 0  999")
    line2 = with_checksum("2 25544  51.6400 222.0000 0005000  90.0000 270.0000 15.50000000    1")
    document = yaml.safe_load(SMOKE.read_text())
    document["fleet"][0]["orbit"] = {"kind": "tle", "line1": line1, "line2": line2}
    path = tmp_path / "stale.yaml"
    path.write_text(yaml.safe_dump(document))
    result = orbsim("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"warning: fleet\.0\.orbit: TLE epoch 2024-03-01 is 1,036 days before "
                        r"the scenario start \(SGP4 errors grow by about a kilometre a day from "
                        r"the epoch\); propagating it [\d.]+ years ahead is your choice\n",
                        result.stderr), result.stderr
    assert result.stdout.startswith("ok: ")


@pytest.mark.parametrize("source", ["--tle", "CONFIG"])
def test_the_eclipse_of_a_stale_tle_gets_the_same_warning(tmp_path: Path, source: str) -> None:
    line1 = with_checksum("1 25544U 98067A   24061.00000000  .00000000  00000-0  00000-0 0  999")
    line2 = with_checksum("2 25544  51.6400 222.0000 0005000  90.0000 270.0000 15.50000000    1")
    if source == "--tle":
        orbit = ["--tle", line1, line2]
    else:
        document = yaml.safe_load(SMOKE.read_text())
        document["fleet"][0]["orbit"] = {"kind": "tle", "line1": line1, "line2": line2}
        path = tmp_path / "stale.yaml"
        path.write_text(yaml.safe_dump(document))
        orbit = [str(path)]
    result = orbsim_here("eclipse", *orbit, "--start", "2024-05-01T00:00:00Z", "--days", "2",
                         "--format", "json")
    assert result.returncode == 0, result.stderr
    where = "--tle" if source == "--tle" else "fleet.0.orbit"
    assert result.stderr == (f"warning: {where}: TLE epoch 2024-03-01 is 61 days before the "
                             f"start of the span (SGP4 errors grow by about a kilometre a day "
                             f"from the epoch); propagating it 0.2 years ahead is your choice\n")
    assert json.loads(result.stdout)["summary"]["count"] > 0
    fresh = orbsim_here("eclipse", *orbit, "--start", "2024-03-02T00:00:00Z", "--days", "2",
                        "--format", "json")
    assert fresh.returncode == 0 and fresh.stderr == ""


# The ISS in December 2026, with its drag term and no reboost: its perigee falls below 150 km
# in October 2034, and SGP4 first fails (error 6) on 2036-08-31, its drag model running on
# until then over an orbit that no longer exists.
DECAYING_TLE = (
    "1 25544U 98067A   26340.50000000  .00016717  00000-0  10270-3 0  9007",
    "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815308 30006",
)
DECAYING_ORBIT = (f"fleet.0.orbit={{kind: tle, line1: '{DECAYING_TLE[0]}', "
                  f"line2: '{DECAYING_TLE[1]}'}}")


def test_a_tle_that_re_enters_within_the_horizon_is_refused_naming_the_date() -> None:
    expected = ("error: fleet.0.orbit: the orbit's perigee falls below 150 km on 2034-10-31 "
                "(it re-enters): the horizon must end before then, or give a newer TLE\n")
    for command in ("validate", "run"):
        result = orbsim(command, str(SMOKE), "--set", DECAYING_ORBIT, "--set",
                        "horizon_years=20")
        assert result.returncode == 2 and result.stderr == expected, result.stderr
    shorter = orbsim("validate", str(SMOKE), "--set", DECAYING_ORBIT, "--set", "horizon_years=5")
    assert shorter.returncode == 0, shorter.stderr


def test_a_horizon_ending_just_before_sgp4_fails_is_refused_too() -> None:
    """SGP4 fails on 2036-08-31 within a day's samples that all succeed: the perigee, long
    below 150 km, refuses the orbit first (it had crashed run with a traceback)."""
    result = orbsim("run", str(SMOKE), "--set", DECAYING_ORBIT, "--set",
                    "start_utc=2036-08-01T00:00:00Z", "--set", "horizon_days=31")
    assert result.returncode == 2
    assert result.stderr == ("error: fleet.0.orbit: the orbit's perigee is below 150 km at the "
                             "start, 2036-08-01 (it re-enters): the horizon must end before "
                             "then, or give a newer TLE\n")


def test_the_eclipse_of_a_decayed_tle_names_the_date_it_fails() -> None:
    result = orbsim_here("eclipse", "--tle", *DECAYING_TLE, "--start", "2040-01-01T00:00:00Z")
    assert result.returncode == 2
    assert result.stderr == ("error: --tle: SGP4 fails from 2040-01-01 on (error 6: the "
                             "satellite has decayed): the span must end before then, or give a "
                             "newer TLE\n")


# --- 9. campaign folders of variants ------------------------------------------------------------

def test_a_variant_gets_its_own_default_folder(tmp_path: Path) -> None:
    plain = run_in(tmp_path, "campaign", str(SMOKE), "-n", "2", "--workers", "1", "--json")
    variant = run_in(tmp_path, "campaign", str(SMOKE), "-n", "2", "--workers", "1", "--set",
                     "fleet.0.count=3", "--json")
    assert plain.returncode == 0 and variant.returncode == 0, variant.stderr
    folders = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert folders[0] == "smoke" and re.fullmatch(r"smoke-[0-9a-f]{8}", folders[1])
    manifest = json.loads((tmp_path / "results" / folders[1] / "manifest.json").read_text())
    assert manifest["scenario_hash"].startswith(folders[1].removeprefix("smoke-"))


def test_a_variant_into_the_plain_folder_is_told_what_differs(tmp_path: Path) -> None:
    assert run_in(tmp_path, "campaign", str(SMOKE), "-n", "2", "--workers", "1").returncode == 0
    result = run_in(tmp_path, "campaign", str(SMOKE), "-n", "2", "--workers", "1", "--out",
                    "results/smoke", "--resume", "--set", "fleet.0.count=3")
    assert result.returncode == 2
    assert re.fullmatch(r"error: results/smoke holds a campaign of another scenario \('smoke' "
                        r"with no --set; this one is 'smoke' with --set fleet\.0\.count=3: "
                        r"fleet\.0\.count: 4 → 3\); use another --out, e\.g\. --out "
                        r"results/smoke-[0-9a-f]{8}\n", result.stderr), result.stderr


def test_the_campaign_table_prints_each_row_as_the_report_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim import api
    from sim.cli import out

    monkeypatch.setattr(out, "width", 200)
    ran = orbsim_here("campaign", str(SMOKE), "-n", "3", "--workers", "1", "--out",
                      str(tmp_path / "c"))
    assert ran.returncode == 0, ran.stderr
    summary = json.loads((tmp_path / "c" / "summary.json").read_text())
    for name in ("uptime", "downtime.repair"):
        entry = api.tidy(name, summary["metrics"][name])
        mean, low, high, p5, p50, p95 = api.row_numbers([entry[k] for k in api.STAT_KEYS])
        row = next(line for line in ran.stdout.splitlines() if line.startswith(f"│ {name} "))
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells == [name, mean, api.error_text(entry["standard_error"]),
                         f"{low} – {high}", p5, p50, p95], row


def test_the_campaign_table_prints_shares_without_residue() -> None:
    """A share's interval printed in the terminal never goes below 0 (no -0.00000): the
    command line shows statistics as the report does (``api.tidy``)."""
    from sim import api

    def shown(value: float) -> float:
        return api.tidy("downtime.repair", {"ci95_low": value})["ci95_low"]

    assert shown(-3.0e-15) == 0.0
    assert shown(-2.0e-6) == 0.0
    assert shown(0.25) == 0.25
    assert shown(1.0 + 1e-9) == 1.0
    assert f"{shown(-1e-13):.5f}" == "0.00000"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ORBSIM_CACHE_DIR", "afile", "ORBSIM_CACHE_DIR: {tmp}/afile is a file, not a folder"),
    ("ORBSIM_CACHE_DIR", "afile/sub", "ORBSIM_CACHE_DIR: {tmp}/afile/sub is below a file "
                                      "({tmp}/afile), not a folder"),
    ("ORBSIM_PROGRESS_S", "abc", "ORBSIM_PROGRESS_S: must be a number of seconds ≥ 0, got 'abc'"),
    ("ORBSIM_PROGRESS_S", "-1", "ORBSIM_PROGRESS_S: must be a number of seconds ≥ 0, got '-1'"),
])
def test_a_bad_environment_setting_is_one_line_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
        message: str) -> None:
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv(name, f"{tmp_path}/{value}" if name == "ORBSIM_CACHE_DIR" else value)
    result = orbsim_here("validate", str(SMOKE))
    assert result.returncode == 2
    assert result.stderr == f"error: {message.format(tmp=tmp_path)}\n"


def test_a_log_hears_from_a_long_step_that_reports_nothing_new(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Off a terminal, once a step has printed a line, another follows every interval while
    it reports nothing new (settling a gigawatt fleet at the horizon takes minutes)."""
    from sim.cli import Progress

    monkeypatch.setenv("ORBSIM_PROGRESS_S", "0.2")
    with Progress("replication", lambda done, total: f"{done:g}/{total:g}") as advance:
        time.sleep(1.05)  # past the quiet first second
        advance(1, 2)
        time.sleep(1.0)  # no news
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 3, lines  # the first, at least one while silent, the last
    assert all(re.fullmatch(r"replication: 1/2, \d+ s", line) for line in lines), lines
