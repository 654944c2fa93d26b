"""Bad input through the command line: exit status 2, one ``error: PATH: message`` line per
problem on stderr, nothing on stdout, and no traceback unless ``--debug``.

The many cases run the command in this process (``orbsim_here``); a missing file, a directory
and ``--debug`` run it as a user does, in a process of its own.

Each case names the exact paths it expects; ``FILE`` stands for the scenario file's own path.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import SMOKE, cli_problems, orbsim, orbsim_here

FILE = "<file>"
PARTS = "fleet.0.design.parts"

Change = Callable[[dict[str, Any]], Any]


def smoke() -> dict[str, Any]:
    return yaml.safe_load(SMOKE.read_text())


def part(document: dict[str, Any], index: int) -> dict[str, Any]:
    return document["fleet"][0]["design"]["parts"][index]


def dumped(change: Change) -> bytes:
    """The smoke scenario as YAML after ``change`` edits it in place."""
    document = smoke()
    change(document)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()


def error_paths(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The PATH of every ``error: PATH: message`` line, after checking the contract."""
    return [path for path, _ in cli_problems(result)]


def check(result: subprocess.CompletedProcess[str], paths: tuple[str, ...], fragment: str,
          file: Path | None = None) -> None:
    """Exactly one line per expected path, and the expected words somewhere in them."""
    expected = [str(file) if p == FILE else p for p in paths]
    assert sorted(error_paths(result)) == sorted(expected), result.stderr
    assert fragment in result.stderr, result.stderr


def validate_file(tmp_path: Path, content: bytes, suffix: str = ".yaml"
                  ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    path = tmp_path / f"scenario{suffix}"
    path.write_bytes(content)
    return path, orbsim_here("validate", str(path))


# --- files that cannot be read as a scenario -------------------------------------------------

ALIAS_BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    + ["description: *a8", ""]
).encode()

MINIMAL_TOML = b"""\
name = "t"
horizon_days = 10
sla_fraction = 0.9
[[fleet]]
name = "g"
count = 2
[fleet.design]
nominal_compute_pflops = 1.0
[[fleet.design.parts]]
name = "bus"
role = "bus"
count = 1
failure = { distribution = "exponential", mean_years = 1 }
"""

FILE_CASES = [
    pytest.param(b"name: smoke\nfleet: [unclosed\n", ".yaml",
                 "is not valid YAML (line 3, column 1)", id="malformed-yaml"),
    pytest.param(b"name: a\n  sla_fraction: 0.9\n", ".yaml",
                 "is not valid YAML (line 2, column 15): mapping values are not allowed here",
                 id="malformed-yaml-indent"),
    pytest.param(b"fleet:\n\t- name: a\n", ".yaml", "found character '\\t'", id="yaml-tab"),
    pytest.param(SMOKE.read_bytes() + b"---\nname: other\n", ".yaml",
                 "expected a single document in the stream", id="yaml-two-documents"),
    pytest.param(SMOKE.read_bytes() + b"fleet: []\n", ".yaml",
                 "(line 30, column 1): duplicate key 'fleet'", id="yaml-duplicate-key"),
    pytest.param(SMOKE.read_bytes().replace(b"count: 4", b"count: " + b"9" * 5000), ".yaml",
                 "(line 10, column 12): cannot read", id="yaml-integer-too-long"),
    pytest.param(b"!!python/object/apply:os.system ['true']\n", ".yaml",
                 "could not determine a constructor", id="yaml-python-tag"),
    pytest.param(b'name = "x"\nfleet = [\n', ".toml", "is not valid TOML", id="malformed-toml"),
    pytest.param(b"name = 'x'\nname = 'y'\n", ".toml", "is not valid TOML",
                 id="toml-duplicate-key"),
    pytest.param(MINIMAL_TOML.replace(b"count = 2", b"count = " + b"9" * 5000), ".toml",
                 "is not valid TOML", id="toml-integer-too-long"),
    pytest.param(bytes(range(256)) * 4, ".yaml", "is a binary file", id="binary"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ".toml", "is a binary file",
                 id="binary-toml"),
    pytest.param(b"", ".yaml", "is empty", id="empty"),
    pytest.param(b"", ".toml", "is empty", id="empty-toml"),
    pytest.param(b"  \n\t\n\r\n", ".yaml", "is empty", id="whitespace-only"),
    pytest.param(b"# nothing here yet\n", ".yaml", "holds no keys", id="comments-only"),
    pytest.param(b"~\n", ".yaml", "holds no keys", id="null-document"),
    pytest.param("name: café\n".encode("latin-1"), ".yaml", "is not UTF-8 text (byte 9 is 0xe9)",
                 id="non-utf8"),
    pytest.param(SMOKE.read_text().encode("utf-16"), ".yaml", "is UTF-16 text; save it as UTF-8",
                 id="utf16"),
    pytest.param(b"- name: smoke\n- horizon_days: 91\n", ".yaml",
                 "must hold a mapping of keys at the top, got a list", id="top-level-list"),
    pytest.param(b"42\n", ".yaml", "must hold a mapping of keys at the top, got int 42",
                 id="top-level-number"),
    pytest.param(b"just some words\n", ".yaml", "got str 'just some words'",
                 id="top-level-string"),
    pytest.param(b"name: " + b"[" * 5000 + b"]" * 5000 + b"\n", ".yaml",
                 "is nested too deeply to read", id="yaml-nested-beyond-recursion"),
    pytest.param(b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", ".toml",
                 "is nested too deeply to read", id="toml-nested-beyond-recursion"),
    pytest.param(b"name: " + b"[" * 100 + b"]" * 100 + b"\n", ".yaml",
                 "is nested more than 64 levels deep", id="nested-too-deep"),
    pytest.param(SMOKE.read_bytes() + b"loop: &loop [*loop]\n", ".yaml",
                 "is nested more than 64 levels deep", id="self-referencing-alias"),
    pytest.param(ALIAS_BOMB, ".yaml", "holds more than 100,000 values", id="alias-bomb"),
]


@pytest.mark.parametrize(("content", "suffix", "fragment"), FILE_CASES)
def test_unreadable_file(tmp_path: Path, content: bytes, suffix: str, fragment: str) -> None:
    path, result = validate_file(tmp_path, content, suffix)
    check(result, (FILE,), fragment, path)


@pytest.mark.parametrize(("date", "reason"), [
    (b"2027-02-30", "day is out of range for month"),
    (b"2027-13-45", "month must be in 1..12"),
    (b"2027-02-30T00:00:00Z", "day is out of range for month"),
])
def test_a_date_that_does_not_exist_names_its_field(tmp_path: Path, date: bytes,
                                                    reason: str) -> None:
    """YAML reads an unquoted date itself; one that does not exist is refused by its field,
    not as a broken file."""
    content = SMOKE.read_bytes().replace(b"2027-01-01T00:00:00Z", date)
    path, result = validate_file(tmp_path, content, ".yaml")
    check(result, ("start_utc",), f"got '{date.decode()}' ({reason})", path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    check(orbsim("validate", str(path)), (FILE,), "no such file", path)


def test_directory(tmp_path: Path) -> None:
    check(orbsim("validate", str(tmp_path)), (FILE,), "is a directory, not a scenario file",
          tmp_path)


def test_run_reports_file_problems_too(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    check(orbsim_here("run", str(path), "--set", "fleet.0.count=2"), (FILE,), "is empty", path)


# --- documents that parse but break the schema ----------------------------------------------


def setter(*keys: str | int, value: Any) -> Change:
    """A change that sets the value at ``keys`` (creating the last key if new)."""
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return change


def deleter(*keys: str | int) -> Change:
    """A change that removes the key at ``keys``."""
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
    return change


def both(*changes: Change) -> Change:
    def change(document: dict[str, Any]) -> None:
        for one in changes:
            one(document)
    return change


P = ("fleet", 0, "design", "parts")
WHEEL_FAILURE = (*P, 1, "failure")
BUS_FAILURE = (*P, 0, "failure")
ALL_DISTRIBUTIONS = "expected exponential, weibull, lognormal, fixed, mixture"

DOCUMENT_CASES = [
    # unknown keys
    pytest.param(setter("horizn_days", value=30), ("horizn_days",),
                 "unknown key (did you mean 'horizon_days'?)", id="unknown-key-top"),
    pytest.param(setter(*P, 1, "requird", value=2), (f"{PARTS}.1.requird",),
                 "unknown key (did you mean 'required'?)", id="unknown-key-part"),
    pytest.param(setter("fleet", 0, "cuont", value=2), ("fleet.0.cuont",),
                 "unknown key (did you mean 'count'?)", id="unknown-key-fleet"),
    pytest.param(setter(*BUS_FAILURE, "shap", value=2), (f"{PARTS}.0.failure.shap",),
                 "unknown key (did you mean 'shape'?)", id="unknown-key-distribution"),
    pytest.param(setter(*P, 0, "sigma", value=1), (f"{PARTS}.0.sigma",),
                 "unknown key here (it belongs to another kind of entry)",
                 id="key-of-another-kind"),
    pytest.param(setter(*P, 1, "fixed", value={"duration_days": 3}), (f"{PARTS}.1.fixed",),
                 "unknown key", id="unknown-key-named-like-a-distribution"),
    pytest.param(setter(*P, 1, "repair", "none", value=1), (f"{PARTS}.1.repair.none",),
                 "unknown key", id="unknown-key-named-none"),
    pytest.param(setter(True, value=1), ("True",), "keys must be text, got bool True",
                 id="key-read-as-boolean"),
    pytest.param(setter(*P, 2, 7, value=1), (f"{PARTS}.2.7",), "keys must be text, got int 7",
                 id="key-read-as-number"),
    pytest.param(setter("a\nb", value=1), ("'a\\nb'",), "unknown key", id="key-with-newline"),
    pytest.param(setter(":smile:", value=1), (":smile:",), "unknown key",
                 id="key-looking-like-an-emoji-code"),
    # wrong types
    pytest.param(setter(*P, 0, "count", value="1"), (f"{PARTS}.0.count",),
                 "must be a whole number, got str '1'", id="string-for-count"),
    pytest.param(setter("sla_fraction", value="0.9"), ("sla_fraction",),
                 "must be a number, got str '0.9'", id="string-for-number"),
    pytest.param(setter("fleet", 0, "count", value=4.0), ("fleet.0.count",),
                 "must be a whole number, got float 4.0", id="float-for-count"),
    pytest.param(setter(*P, 1, "required", value=True), (f"{PARTS}.1.required",),
                 "must be a whole number, got bool True", id="bool-for-int"),
    pytest.param(setter(*BUS_FAILURE, "shape", value=False), (f"{PARTS}.0.failure.shape",),
                 "must be a number, got bool False", id="bool-for-number"),
    pytest.param(setter("fleet", 0, "design", value=[1, 2]), ("fleet.0.design",),
                 "must be a mapping, got a list", id="list-for-mapping"),
    pytest.param(setter("fleet", value={"a": 1}), ("fleet",), "must be a list, got a mapping",
                 id="mapping-for-list"),
    pytest.param(setter("name", value=42), ("name",), "must be a string, got int 42",
                 id="number-for-string"),
    pytest.param(setter("sla_fraction", value=None), ("sla_fraction",),
                 "must be a number, got null", id="null-for-number"),
    pytest.param(setter(*BUS_FAILURE, value=["weibull"]), (f"{PARTS}.0.failure",),
                 "must be a mapping with a 'distribution' key, got a list", id="list-for-failure"),
    pytest.param(setter(*P, 2, value="accelerator"), (f"{PARTS}.2",),
                 "must be a mapping, got str 'accelerator'", id="string-for-part"),
    pytest.param(setter(*P, 2, "role", value="payload"), (f"{PARTS}.2.role",),
                 "must be one of 'bus', 'compute' or 'battery', got 'payload'", id="unknown-role"),
    pytest.param(setter("name", value="my scenario"), ("name",),
                 "must contain only letters, digits", id="name-with-space"),
    pytest.param(setter("name", value="x" * 65), ("name",),
                 "must be at most 64 characters, got 65", id="name-too-long"),
    pytest.param(setter("description", value="d" * 100_000 + "\n" + "e" * 10), None, "",
                 id="long-description-is-fine"),
    pytest.param(setter("start_utc", value="soon"), ("start_utc",),
                 "must be an ISO 8601 date-time, got 'soon'", id="start-not-a-date"),
    # NaN and infinities
    pytest.param(setter("sla_fraction", value=float("nan")), ("sla_fraction",),
                 "must be a finite number, got nan", id="nan-sla"),
    pytest.param(setter("horizon_days", value=float("inf")), ("horizon_days",),
                 "must be a finite number, got inf", id="inf-horizon"),
    pytest.param(setter(*BUS_FAILURE, "shape", value=float("nan")), (f"{PARTS}.0.failure.shape",),
                 "must be a finite number, got nan", id="nan-shape"),
    pytest.param(setter(*WHEEL_FAILURE, "mean_years", value=float("-inf")),
                 (f"{PARTS}.1.failure.mean_years",), "got -inf", id="minus-inf-duration"),
    pytest.param(setter("fleet", 0, "design", "nominal_compute_pflops", value=float("nan")),
                 ("fleet.0.design.nominal_compute_pflops",), "must be a finite number",
                 id="nan-nominal-compute"),
    pytest.param(setter(*P, 0, "count", value=float("nan")), (f"{PARTS}.0.count",),
                 "must be a whole number, got float nan", id="nan-count"),
    # negative, zero and absurd counts and times
    pytest.param(setter("fleet", 0, "count", value=0), ("fleet.0.count",),
                 "must be ≥ 1, got 0", id="zero-satellites"),
    pytest.param(setter(*P, 0, "count", value=-2), (f"{PARTS}.0.count",),
                 "must be ≥ 1, got -2", id="negative-part-count"),
    pytest.param(setter(*P, 1, "required", value=0), (f"{PARTS}.1.required",),
                 "must be ≥ 1, got 0", id="zero-required"),
    pytest.param(setter(*WHEEL_FAILURE, "mean_years", value=-0.5),
                 (f"{PARTS}.1.failure.mean_years",), "must be > 0, got -0.5",
                 id="negative-mean"),
    pytest.param(setter(*P, 1, "repair", "duration_days", value=0),
                 (f"{PARTS}.1.repair.duration_days",), "must be > 0, got 0",
                 id="zero-repair-time"),
    pytest.param(setter(*BUS_FAILURE, "scale_years", value=0),
                 (f"{PARTS}.0.failure.scale_years",), "must be > 0, got 0", id="zero-scale"),
    pytest.param(setter(*P, 2, "repair", "sigma", value=-0.5), (f"{PARTS}.2.repair.sigma",),
                 "must be > 0, got -0.5", id="negative-sigma"),
    pytest.param(setter(*P, 2, "repair", "sigma", value=50), (f"{PARTS}.2.repair.sigma",),
                 "must be ≤ 10, got 50", id="sigma-overflowing-exp"),
    pytest.param(setter("fleet", 0, "design", "nominal_compute_pflops", value=0),
                 ("fleet.0.design.nominal_compute_pflops",), "must be > 0, got 0",
                 id="zero-nominal-compute"),
    pytest.param(setter("fleet", 0, "design", "nominal_compute_pflops", value=1e308),
                 ("fleet.0.design.nominal_compute_pflops",), "must be ≤ 1e+06, got 1e+308",
                 id="nominal-compute-overflowing-sums"),
    pytest.param(setter("fleet", 0, "count", value=2_000_000), ("fleet.0.count",),
                 "must be ≤ 1000000, got 2000000", id="too-many-satellites"),
    pytest.param(setter(*BUS_FAILURE, "scale_years", value=1e308),
                 (f"{PARTS}.0.failure.scale_years",), "must be ≤ 5.7e+300, got 1e+308",
                 id="duration-overflowing-seconds"),
    # k of n
    pytest.param(setter(*P, 1, "required", value=5), (f"{PARTS}.1.required",),
                 f"error: {PARTS}.1.required: must be ≤ count (3), got 5", id="k-greater-than-n"),
    pytest.param(setter(*P, 2, "required", value=9), (f"{PARTS}.2.required",),
                 "must be ≤ count (8), got 9", id="k-greater-than-n-compute"),
    # distributions
    pytest.param(setter(*BUS_FAILURE, "distribution", value="gamma"),
                 (f"{PARTS}.0.failure.distribution",),
                 f"unknown distribution 'gamma'; {ALL_DISTRIBUTIONS}", id="unknown-distribution"),
    pytest.param(setter(*BUS_FAILURE, "distribution", value="Weibull"),
                 (f"{PARTS}.0.failure.distribution",), "unknown distribution 'Weibull'",
                 id="distribution-name-is-case-sensitive"),
    pytest.param(setter(*P, 1, "repair", "distribution", value="poisson"),
                 (f"{PARTS}.1.repair.distribution",),
                 f"unknown distribution 'poisson'; {ALL_DISTRIBUTIONS}",
                 id="unknown-repair-distribution"),
    pytest.param(setter(*P, 1, "repair", value="sometimes"), (f"{PARTS}.1.repair",),
                 "unknown repair rule 'sometimes'; expected 'none', 'servicer' or a mapping",
                 id="unknown-repair-rule"),
    pytest.param(setter(*BUS_FAILURE, value="gamma"), (f"{PARTS}.0.failure",),
                 "unknown distribution 'gamma'", id="distribution-as-bare-word"),
    pytest.param(setter(*BUS_FAILURE, value={"distribution": "mixture", "components": [
        {"distribution": "mixture", "components": [], "weight": 0.5},
        {"distribution": "fixed", "duration_days": 3, "weight": 0.5}]}),
                 (f"{PARTS}.0.failure.components.0.distribution",),
                 "a mixture's components cannot be mixtures", id="mixture-of-mixtures"),
    pytest.param(setter(*BUS_FAILURE, "weight", value=1), (f"{PARTS}.0.failure.weight",),
                 "only the components of a mixture take a weight", id="stray-weight"),
    # missing fields
    pytest.param(deleter("name"), ("name",), "required key is missing", id="missing-name"),
    pytest.param(deleter("fleet"), ("fleet",), "required key is missing", id="missing-fleet"),
    pytest.param(deleter("sla_fraction"), ("sla_fraction",), "required key is missing",
                 id="missing-sla"),
    pytest.param(deleter(*BUS_FAILURE), (f"{PARTS}.0.failure",),
                 "required key is missing (a part with no sub-parts needs a failure distribution, "
                 "failure modes, or radiation effects)",
                 id="missing-failure-of-leaf-part"),
    pytest.param(deleter(*WHEEL_FAILURE, "distribution"), (f"{PARTS}.1.failure.distribution",),
                 "required key is missing (one of exponential", id="missing-distribution-key"),
    pytest.param(deleter(*BUS_FAILURE, "shape"), (f"{PARTS}.0.failure.shape",),
                 "required key is missing", id="missing-shape"),
    pytest.param(deleter(*WHEEL_FAILURE, "mean_years"), (f"{PARTS}.1.failure",),
                 "give exactly one of mean_s, mean_min, mean_h, mean_days, mean_years (got none)",
                 id="missing-duration"),
    pytest.param(setter(*WHEEL_FAILURE, "mean_days", value=100), (f"{PARTS}.1.failure",),
                 "(got mean_days, mean_years)", id="two-units-of-one-duration"),
    pytest.param(deleter(*P, 2, "role"), (f"{PARTS}.2.role",), "required key is missing",
                 id="missing-role"),
    pytest.param(deleter("fleet", 0, "design"), ("fleet.0.design",), "required key is missing",
                 id="missing-design"),
    pytest.param(setter("fleet", 0, "design", "parts", value=[]), ("fleet.0.design.parts",),
                 "must have at least 1 item(s)", id="no-parts"),
    pytest.param(setter("fleet", value=[]), ("fleet",), "must have at least 1 item(s)",
                 id="empty-fleet"),
    # horizon
    pytest.param(setter("horizon_days", value=0), ("horizon_days",), "must be > 0, got 0",
                 id="zero-horizon"),
    pytest.param(setter("horizon_days", value=-91), ("horizon_days",), "must be > 0, got -91",
                 id="negative-horizon"),
    pytest.param(both(deleter("horizon_days"), setter("horizon_years", value=100.5)),
                 ("horizon_years",), "must be ≤ 100 years, got 100.5", id="horizon-over-100-years"),
    pytest.param(setter("horizon_days", value=36526), ("horizon_days",),
                 "must be ≤ 100 years, got 36526", id="horizon-over-100-years-in-days"),
    pytest.param(setter("horizon_years", value=1), ("horizon_years",),
                 "give horizon_years or horizon_days, not both", id="both-horizons"),
    pytest.param(deleter("horizon_days"), ("horizon_years",),
                 "required key is missing (or give horizon_days)", id="no-horizon"),
    # SLA fraction
    pytest.param(setter("sla_fraction", value=0), ("sla_fraction",), "must be > 0, got 0",
                 id="zero-sla"),
    pytest.param(setter("sla_fraction", value=-0.1), ("sla_fraction",), "must be > 0, got -0.1",
                 id="negative-sla"),
    pytest.param(setter("sla_fraction", value=1.01), ("sla_fraction",), "must be ≤ 1, got 1.01",
                 id="sla-above-one"),
    # structure
    pytest.param(setter(*P, 1, "name", value="bus"), (f"{PARTS}.1.name",),
                 "duplicate name 'bus'", id="duplicate-part-names"),
    pytest.param(setter(*P, 0, "parts", value=[{"name": "cpu", "role": "compute", "count": 1,
                                                "failure": {"distribution": "fixed",
                                                            "duration_s": 1}}]),
                 (f"{PARTS}.0.parts.0.role",), "a bus part's sub-parts must be bus parts",
                 id="compute-inside-bus"),
]


@pytest.mark.parametrize(("change", "paths", "fragment"), DOCUMENT_CASES)
def test_bad_document(tmp_path: Path, change: Change, paths: tuple[str, ...] | None,
                      fragment: str) -> None:
    path, result = validate_file(tmp_path, dumped(change))
    if paths is None:
        assert result.returncode == 0, result.stderr
        return
    check(result, paths, fragment, path)


TOML_CASES = [
    pytest.param(b"count = 2", b"count = 0", ("fleet.0.count",), "must be ≥ 1, got 0",
                 id="toml-zero-count"),
    pytest.param(b"sla_fraction = 0.9", b"sla_fraction = nan", ("sla_fraction",),
                 "must be a finite number, got nan", id="toml-nan"),
    pytest.param(b"mean_years = 1 }", b"mean_years = 1, weight = 0.5 }",
                 (f"{PARTS}.0.failure.weight",), "only the components of a mixture",
                 id="toml-stray-weight"),
    pytest.param(b'role = "bus"', b'role = "bus"\nrequired = 2', (f"{PARTS}.0.required",),
                 "must be ≤ count (1), got 2", id="toml-k-greater-than-n"),
]


@pytest.mark.parametrize(("old", "new", "paths", "fragment"), TOML_CASES)
def test_bad_toml_values(tmp_path: Path, old: bytes, new: bytes, paths: tuple[str, ...],
                         fragment: str) -> None:
    assert old in MINIMAL_TOML
    path, result = validate_file(tmp_path, MINIMAL_TOML.replace(old, new), ".toml")
    check(result, paths, fragment, path)


def test_minimal_toml_is_valid(tmp_path: Path) -> None:
    _, result = validate_file(tmp_path, MINIMAL_TOML, ".toml")
    assert result.returncode == 0, result.stderr


# --- --set overrides ------------------------------------------------------------------------

SET_CASES = [
    pytest.param(["fleet.3.count=1"], ("--set fleet.3.count",),
                 "fleet has 1 item(s); no index '3'", id="set-bad-index"),
    pytest.param(["fleet.-1.count=1"], ("--set fleet.-1.count",), "no index '-1'",
                 id="set-negative-index"),
    pytest.param(["fleet.0.design.parts.x.count=1"], ("--set fleet.0.design.parts.x.count",),
                 "fleet.0.design.parts has 3 item(s); no index 'x'", id="set-word-as-index"),
    pytest.param(["fleet.0.count"], ("--set fleet.0.count",),
                 "expected PATH=VALUE, e.g. fleet.0.count=12", id="set-without-equals"),
    pytest.param(["=12"], ("--set =12",), "expected PATH=VALUE", id="set-without-path"),
    pytest.param(["name.first=x"], ("--set name.first",), "name is a value, not a mapping or list",
                 id="set-through-a-scalar"),
    pytest.param(["fleet.0.count.min=1"], ("--set fleet.0.count.min",),
                 "fleet.0.count is a value", id="set-through-a-number"),
    pytest.param(["design.parts.0.count=1"], ("--set design.parts.0.count",),
                 "the scenario has no key 'design'", id="set-through-a-missing-key"),
    pytest.param(["name=[x"], ("--set name",), "value '[x' is not valid YAML",
                 id="set-unparsable-value"),
    pytest.param(["fleet.0.design.parts.0.failure.shpe=2"], (f"{PARTS}.0.failure.shpe",),
                 "unknown key (did you mean 'shape'?)", id="set-new-key-is-unknown"),
    pytest.param(["fleet.0.count=many"], ("fleet.0.count",),
                 "must be a whole number, got str 'many'", id="set-wrong-type"),
    pytest.param(["fleet.0.design.parts.0.required=2"], (f"{PARTS}.0.required",),
                 "must be ≤ count (1), got 2", id="set-k-greater-than-n"),
    pytest.param(["horizon_days=0"], ("horizon_days",), "must be > 0, got 0",
                 id="set-zero-horizon"),
    pytest.param(["sla_fraction=.nan"], ("sla_fraction",), "must be a finite number, got nan",
                 id="set-nan"),
    pytest.param(["fleet.0.design.parts.0.failure="], (f"{PARTS}.0.failure",),
                 "required key is missing", id="set-empty-value"),
    pytest.param(["fleet.9.count=1", "oops", "name.x=1"],
                 ("--set fleet.9.count", "--set oops", "--set name.x"), "no index '9'",
                 id="set-several-bad"),
    pytest.param(["fleet.0.count=0", "sla_fraction=2"], ("fleet.0.count", "sla_fraction"),
                 "must be ≤ 1, got 2", id="set-several-bad-values"),
]


@pytest.mark.parametrize(("overrides", "paths", "fragment"), SET_CASES)
def test_bad_override(overrides: list[str], paths: tuple[str, ...], fragment: str) -> None:
    args = [arg for item in overrides for arg in ("--set", item)]
    check(orbsim_here("run", str(SMOKE), *args), paths, fragment)


# --- several problems, and --debug ----------------------------------------------------------


def test_every_independent_problem_gets_its_own_line(tmp_path: Path) -> None:
    content = dumped(both(
        setter("colour", value="blue"),
        setter("fleet", 0, "count", value=0),
        setter(*P, 2, "repair", "sigma", value="wide"),
    ))
    path, result = validate_file(tmp_path, content)
    check(result, ("colour", "fleet.0.count", f"{PARTS}.2.repair.sigma"), "", path)
    assert result.stderr.splitlines() == [
        "error: fleet.0.count: must be ≥ 1, got 0",
        f"error: {PARTS}.2.repair.sigma: must be a number, got str 'wide'",
        "error: colour: unknown key",
    ]


def test_problems_in_several_fleet_groups(tmp_path: Path) -> None:
    def second_group(document: dict[str, Any]) -> None:
        group = yaml.safe_load(yaml.safe_dump(document["fleet"][0]))
        group["name"] = "spares"
        group["design"]["parts"][1]["required"] = 4
        document["fleet"].append(group)
        part(document, 0)["failure"]["distribution"] = "gamma"
    path, result = validate_file(tmp_path, dumped(second_group))
    check(result, (f"{PARTS}.0.failure.distribution", "fleet.1.design.parts.1.required"),
          "must be ≤ count (3), got 4", path)


def test_debug_shows_the_traceback_and_keeps_status_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(dumped(setter(*P, 1, "required", value=5)))
    result = orbsim("validate", str(path), "--debug")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback (most recent call last)" in result.stderr
    assert "ScenarioError" in result.stderr
    assert f"error: {PARTS}.1.required: must be ≤ count (3), got 5" in result.stderr.splitlines()


def test_debug_on_run_with_a_bad_override() -> None:
    result = orbsim("run", str(SMOKE), "--set", "fleet.5.count=1", "--debug")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback (most recent call last)" in result.stderr
    assert "error: --set fleet.5.count: fleet has 1 item(s); no index '5'" in result.stderr
