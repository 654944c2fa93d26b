"""``orbsim eclipse``: JSON, CSV and table output, the span options, scenario orbits, the
Skyfield cross-check, and bad options (exit status 2, one line naming the option).

Spans are a few days, except the dawn-dusk year, which the schedule cache shares between runs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import CONFIGS, SMOKE, orbsim, orbsim_here

from sim.orbits.elements import tle_checksum
from sim.orbits.export import COLUMNS

REFERENCE = CONFIGS / "reference-cluster.yaml"
DAWN_DUSK = ("--altitude-km", "650", "--inclination-deg", "sso", "--ltan-h", "18")
STARLINK = ("--altitude-km", "550", "--inclination-deg", "53", "--raan-deg", "0")
JUNE = ("--start", "2027-06-10T00:00:00Z", "--days", "2")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SUMMARY_KEYS = {"start", "end", "span_days", "count", "grazing_count", "total_shadow_s",
                "total_umbra_s", "shadow_fraction", "umbra_fraction", "longest_eclipse_s",
                "longest_umbra_s", "eclipse_days", "eclipse_seasons"}

# docs/sources.md §4: dawn-dusk SSO at 650 km, longest eclipse 19.7 min in a cylindrical
# shadow. The conical shadow's boundary sits inside the penumbra, so the penumbra-to-penumbra
# eclipse is longer by about half a shadow transition at each end: a transition takes 8–9 s at
# β = 0 and 20–25 s at the season's lowest β ≈ 58–60° (§4.2), so at least 2 × 4 s; allow up to
# 2 × 40 s (the transition near the season's edges). ±0.05 min for the table's rounding.
CYLINDRICAL_LONGEST_S = 19.7 * 60
LONGEST_MIN_S = CYLINDRICAL_LONGEST_S - 3.0 + 2 * 4.0
LONGEST_MAX_S = CYLINDRICAL_LONGEST_S + 3.0 + 2 * 40.0


def eclipse(*args: str) -> subprocess.CompletedProcess[str]:
    return orbsim_here("eclipse", *args, check=True)


def eclipse_json(*args: str) -> dict[str, Any]:
    return json.loads(eclipse(*args, "--format", "json").stdout)


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def dawn_dusk_year() -> dict[str, Any]:
    return eclipse_json(*DAWN_DUSK, "--start", "2027-01-01", "--days", "365")


@pytest.fixture(scope="module")
def june() -> dict[str, Any]:
    return eclipse_json(*DAWN_DUSK, *JUNE)


def test_json_structure(june: dict[str, Any]) -> None:
    assert set(june) == {"eclipses", "summary"}
    summary = june["summary"]
    assert set(summary) >= SUMMARY_KEYS
    eclipses = june["eclipses"]
    assert summary["count"] == len(eclipses) > 20
    for row in eclipses:
        assert set(row) == set(COLUMNS)
        for key in ("penumbra_start", "penumbra_end"):
            assert ISO_UTC.match(row[key]), row
        times = [parse_utc(row[k]) for k in ("penumbra_start", "umbra_start", "umbra_end",
                                            "penumbra_end")]
        assert times == sorted(times)
        assert row["umbra_s"] == pytest.approx((times[2] - times[1]).total_seconds(), abs=2e-3)
        assert row["duration_s"] == pytest.approx((times[3] - times[0]).total_seconds(),
                                                  abs=2e-3)
        assert 55.0 < row["beta_deg"] < 65.0
    assert summary["total_shadow_s"] == pytest.approx(sum(r["duration_s"] for r in eclipses),
                                                      abs=0.01)
    assert summary["longest_eclipse_s"] == pytest.approx(max(r["duration_s"] for r in eclipses),
                                                         abs=1e-3)
    assert summary["shadow_fraction"] == pytest.approx(
        summary["total_shadow_s"] / (summary["span_days"] * 86_400))


def test_grazing_eclipses_have_null_umbra(dawn_dusk_year: dict[str, Any]) -> None:
    grazing = [r for r in dawn_dusk_year["eclipses"] if r["umbra_start"] is None]
    assert len(grazing) == dawn_dusk_year["summary"]["grazing_count"] > 0
    for row in grazing:
        assert row["umbra_end"] is None
        assert row["umbra_s"] == 0.0
        assert ISO_UTC.match(row["penumbra_start"]) and ISO_UTC.match(row["penumbra_end"])


def test_start_and_days_are_respected(june: dict[str, Any]) -> None:
    summary = june["summary"]
    assert summary["start"] == "2027-06-10T00:00:00.000Z"
    assert summary["end"] == "2027-06-12T00:00:00.000Z"
    assert summary["span_days"] == 2.0
    start, end = parse_utc(summary["start"]), parse_utc(summary["end"])
    for row in june["eclipses"]:
        assert start <= parse_utc(row["penumbra_start"]) < parse_utc(row["penumbra_end"]) <= end


def test_start_with_offset_is_read_as_that_instant() -> None:
    summary = eclipse_json(*DAWN_DUSK, "--start", "2027-06-10T05:30:00+05:30", "--days", "0.5")[
        "summary"]
    assert summary["start"] == "2027-06-10T00:00:00.000Z"
    assert summary["end"] == "2027-06-10T12:00:00.000Z"


def test_csv_matches_json(june: dict[str, Any]) -> None:
    text = eclipse(*DAWN_DUSK, *JUNE, "--format", "csv").stdout
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    rows = list(reader)
    assert len(rows) == june["summary"]["count"] == len(june["eclipses"])
    for row, expected in zip(rows, june["eclipses"], strict=True):
        for key in ("penumbra_start", "penumbra_end", "umbra_start", "umbra_end"):
            assert row[key] == (expected[key] or "")
        for key in ("duration_s", "umbra_s", "beta_deg"):
            assert float(row[key]) == expected[key]


def test_csv_leaves_grazing_umbra_empty(dawn_dusk_year: dict[str, Any]) -> None:
    """The season's first eclipses graze; the scenario's orbit is the year's (same epoch)."""
    first = dawn_dusk_year["eclipses"][0]
    assert first["umbra_start"] is None
    day = first["penumbra_start"][:10]
    text = eclipse(str(REFERENCE), "--start", day, "--days", "1", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["penumbra_start"] == first["penumbra_start"]
    grazing = [r for r in rows if not r["umbra_start"]]
    assert grazing
    assert all(r["umbra_end"] == "" and float(r["umbra_s"]) == 0.0 for r in grazing)


def test_table_shows_the_summary(june: dict[str, Any]) -> None:
    text = eclipse(*DAWN_DUSK, *JUNE).stdout
    summary = june["summary"]
    assert "longest eclipse (min)" in text
    assert f"{summary['longest_eclipse_s'] / 60:.2f}" in text
    assert f"{summary['count']:,} ({summary['grazing_count']:,})" in text
    assert f"{summary['shadow_fraction']:.5f}" in text
    assert "2027-06-10" in text and "2027-06-12" in text
    assert "season" in text


def test_table_shows_each_eclipses_umbra_and_beta(june: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The table's first eclipses carry their umbra's length and beta angle, as the csv and
    json do (read at a width that fits every column whole)."""
    from sim import cli

    monkeypatch.setattr(cli.out, "width", 200)
    result = eclipse(*DAWN_DUSK, *JUNE)
    first = june["eclipses"][0]
    line = next(line for line in result.stdout.splitlines() if first["penumbra_start"] in line)
    assert f"{first['umbra_s']:.2f}" in line and f"{first['beta_deg']:.2f}" in line
    assert line.index(first["umbra_start"]) < line.index(first["penumbra_end"])


def test_dawn_dusk_year_has_one_season_at_the_june_solstice(
        dawn_dusk_year: dict[str, Any]) -> None:
    """docs/sources.md §4: one season of ~88 days (≈ 7 May – 2 Aug) in a cylindrical shadow;
    grazing penumbral eclipses lengthen it by a few days at each end."""
    summary = dawn_dusk_year["summary"]
    [season] = summary["eclipse_seasons"]
    solstice = datetime(2027, 6, 21, tzinfo=UTC)
    assert parse_utc(season["start"]) < solstice < parse_utc(season["end"])
    assert 88 <= season["days"] <= 98
    assert summary["eclipse_days"] == season["days"]
    assert abs(parse_utc(season["start"]) - datetime(2027, 5, 7, tzinfo=UTC)) < timedelta(days=4)
    assert abs(parse_utc(season["end"]) - datetime(2027, 8, 2, tzinfo=UTC)) < timedelta(days=6)
    assert LONGEST_MIN_S <= summary["longest_eclipse_s"] <= LONGEST_MAX_S
    assert summary["longest_umbra_s"] < CYLINDRICAL_LONGEST_S
    assert 0.03 < summary["shadow_fraction"] < 0.05


def test_scenario_orbit_is_the_command_line_orbit(dawn_dusk_year: dict[str, Any]) -> None:
    from_config = eclipse_json(str(REFERENCE), "--days", "365")
    assert from_config == dawn_dusk_year


def shell_scenario(tmp_path: Path) -> Path:
    """A dawn-dusk formation, then a 2 × 3 Walker shell at 550 km, 53°."""
    cluster = yaml.safe_load(REFERENCE.read_text())
    group = cluster["fleet"][0]
    shell = {"name": "shell", "count": 6, "design": {
        "nominal_compute_pflops": 1.0,
        "parts": [{"name": "bus", "role": "bus", "count": 1,
                   "failure": {"distribution": "exponential", "mean_years": 20}}]},
        "orbit": {"kind": "walker", "altitude_km": 550, "inclination_deg": 53, "raan_deg": 0,
                  "planes": 2, "per_plane": 3, "phasing": 1}}
    document = {"name": "two-groups", "start_utc": "2027-06-10T00:00:00Z", "horizon_days": 2,
                "sla_fraction": 0.9, "fleet": [group, shell], "radiation": cluster["radiation"]}
    path = tmp_path / "two-groups.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_scenario_group_and_satellite(tmp_path: Path) -> None:
    path = str(shell_scenario(tmp_path))
    first = eclipse_json(path)
    assert first == eclipse_json(*DAWN_DUSK, *JUNE)
    member_0 = eclipse_json(path, "--group", "shell")
    assert member_0 == eclipse_json(*STARLINK, *JUNE)
    member_1 = eclipse_json(path, "--group", "shell", "--satellite", "1")
    assert member_1["summary"]["start"] == member_0["summary"]["start"]
    assert member_1["eclipses"] != member_0["eclipses"]
    assert member_1["summary"]["count"] == pytest.approx(member_0["summary"]["count"], abs=1)


def test_skyfield_cross_check_agrees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORBSIM_CACHE_DIR", str(tmp_path / "cache"))
    summary = eclipse_json(*DAWN_DUSK, *JUNE, "--step-s", "10")["summary"]
    check = summary["skyfield_check"]
    assert check["agrees"] is True
    assert check["step_s"] == 10.0
    assert abs(check["samples"] - 2 * 86_400 // 10) <= 1
    assert check["shadowed_outside_penumbra"] == 0
    assert check["sunlit_inside_umbra"] == 0
    slack = summary["count"]
    assert (summary["total_umbra_s"] / 10 - slack <= check["shadowed_samples"]
            <= summary["total_shadow_s"] / 10 + slack)
    assert any((tmp_path / "cache").iterdir())


def test_skyfield_cross_check_in_table() -> None:
    text = eclipse(*STARLINK, "--start", "2027-03-01", "--days", "1", "--step-s", "20").stdout
    assert "is_sunlit every 20 s" in text
    assert "agrees" in text and "DISAGREES" not in text


def test_tle_orbit() -> None:
    line1 = "1 25544U 98067A   27001.00000000  .00000000  00000-0  00000-0 0  999"
    line2 = "2 25544  51.6400 222.0000 0005000  90.0000 270.0000 15.50000000    1".ljust(68)
    line1, line2 = line1 + str(tle_checksum(line1)), line2 + str(tle_checksum(line2))
    summary = eclipse_json("--tle", line1, line2, "--start", "2027-01-01", "--days", "1")[
        "summary"]
    assert 14 <= summary["count"] <= 17
    assert summary["longest_eclipse_s"] < 37 * 60


# --- bad options -----------------------------------------------------------------------------

GOOD_TLE_1 = "1 25544U 98067A   27001.00000000  .00000000  00000-0  00000-0 0  9990"
GOOD_TLE_2 = "2 25544  51.6400 222.0000 0005000  90.0000 270.0000 15.50000000    19"
BAD_OPTIONS = [
    pytest.param(("--days", "3"), "orbit", "give exactly one of CONFIG", id="no-source"),
    pytest.param((*DAWN_DUSK, "--tle", "a", "b"), "orbit",
                 "(got --altitude-km … and --tle)", id="circular-and-tle"),
    pytest.param((str(SMOKE), *DAWN_DUSK), "orbit", "(got CONFIG and --altitude-km …)",
                 id="config-and-circular"),
    pytest.param((*DAWN_DUSK, "--start", "next tuesday"), "--start",
                 "must be an ISO 8601 date-time, got 'next tuesday'", id="bad-start"),
    pytest.param((*DAWN_DUSK, "--start", "2027-02-30"), "--start",
                 "must be an ISO 8601 date-time", id="impossible-start"),
    pytest.param((*DAWN_DUSK, "--days", "0"), "--days", "must be > 0", id="days-0"),
    pytest.param((*DAWN_DUSK, "--days", "-2"), "--days", "must be > 0", id="days-negative"),
    pytest.param((*DAWN_DUSK, "--days", "1", "--step-s", "0"), "--step-s",
                 "must be > 0 and finite, got 0", id="step-0"),
    pytest.param((*DAWN_DUSK, "--days", "1", "--step-s", "-10"), "--step-s", "must be > 0",
                 id="step-negative"),
    pytest.param((*DAWN_DUSK, "--days", "1", "--step-s", "inf"), "--step-s", "got inf",
                 id="step-infinite"),
    pytest.param((*DAWN_DUSK, "--days", "365", "--step-s", "0.01"), "--step-s",
                 "0.01 s over 365 days is 3.15e+09 samples; at most 1e+08", id="step-too-fine"),
    pytest.param(("--altitude-km", "650", "--inclination-deg", "200", "--raan-deg", "0"),
                 "--inclination-deg", "must be 'sso' or a number from 0 to 180, got '200'",
                 id="inclination-200"),
    pytest.param(("--altitude-km", "100", "--inclination-deg", "50", "--raan-deg", "0"),
                 "--altitude-km", "perigee at 100 km altitude; it must be ≥ 150 km",
                 id="altitude-100km"),
    pytest.param(("--altitude-km", "-7000", "--inclination-deg", "50", "--raan-deg", "0"),
                 "--altitude-km", "inside the Earth", id="altitude-inside-earth"),
    pytest.param(("--altitude-km", "650", "--raan-deg", "0"), "--inclination-deg",
                 "required for a circular orbit", id="inclination-missing"),
    pytest.param(("--inclination-deg", "50", "--raan-deg", "0"), "--altitude-km",
                 "required for a circular orbit", id="altitude-missing"),
    pytest.param(("--altitude-km", "650", "--inclination-deg", "50", "--ltan-h", "24"),
                 "--ltan-h", "must be < 24", id="ltan-24"),
    pytest.param(("--altitude-km", "7000", "--inclination-deg", "sso", "--ltan-h", "6"),
                 "--inclination-deg", "no sun-synchronous inclination at altitude 7000 km",
                 id="sso-no-solution"),
    pytest.param(("--tle", GOOD_TLE_1[:-1] + "1", "2 25544"), "--tle",
                 "tle line 1 column 69 (checksum): is 1, computed 0", id="tle-checksum"),
    pytest.param(("--tle", GOOD_TLE_1[:50], "2 25544"), "--tle",
                 "tle line 1: must be 69 columns, got 50", id="tle-columns"),
    pytest.param((*DAWN_DUSK, "--start", "2101-01-01"), "--start",
                 "2101-01-01T00:00:00+00:00 is outside the supported range (1950-01-01 to "
                 "2100-12-31)", id="start-2101"),
    pytest.param(("--tle", GOOD_TLE_1, GOOD_TLE_2, "--start", "1949-06-01"), "--start",
                 "1949-06-01T00:00:00+00:00 is outside the supported range", id="tle-start-1949"),
    pytest.param((*DAWN_DUSK, "--start", "2053-10-01", "--days", "30", "--step-s", "10"),
                 "--step-s", "the Skyfield cross-check reads DE421 (1899-07-30 to 2053-10-07); "
                 "the span runs 2053-10-01 to 2053-10-31", id="skyfield-check-past-de421"),
    pytest.param((str(REFERENCE), "--start", "2101-01-01"), "--start",
                 "2101-01-01T00:00:00+00:00 is outside the supported range",
                 id="scenario-start-2101"),
    pytest.param((str(REFERENCE), "--group", "shell"), "--group",
                 "no fleet group named 'shell' has an orbit", id="unknown-group"),
    pytest.param((str(REFERENCE), "--satellite", "81"), "--satellite",
                 "must be < the group's count (81), got 81", id="satellite-beyond-group"),
    pytest.param((str(SMOKE),), "fleet", "no fleet group has an orbit", id="scenario-no-orbit"),
]


@pytest.mark.parametrize(("args", "path", "fragment"), BAD_OPTIONS)
def test_bad_options(args: tuple[str, ...], path: str, fragment: str) -> None:
    result = orbsim_here("eclipse", *args, "--format", "json")
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {path}: "), line
    assert fragment in line, line


def test_bad_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    document = yaml.safe_load(REFERENCE.read_text())
    document["fleet"][0]["orbit"]["altitude_km"] = 120
    path.write_text(yaml.safe_dump(document))
    result = orbsim("eclipse", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: fleet.0.orbit.altitude_km: perigee at 120 km altitude; it must be ≥ 150 km"]


def test_a_long_search_says_what_runs_in_a_log(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Off a terminal there is no spinner: a search longer than the quiet second (here, with
    ORBSIM_PROGRESS_S=0, any) leaves one line on stderr; a cached one none at the default."""
    monkeypatch.setenv("ORBSIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ORBSIM_PROGRESS_S", "0")
    searched = eclipse(*STARLINK, *JUNE)
    assert searched.stderr == "computing the eclipse schedule (cached after the first time)\n"
    monkeypatch.delenv("ORBSIM_PROGRESS_S")
    assert eclipse(*STARLINK, *JUNE).stderr == ""
