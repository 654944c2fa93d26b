"""The two commands every user starts with work on the smoke scenario."""

from support import SMOKE, orbsim, orbsim_json


def test_validate_accepts_smoke() -> None:
    result = orbsim("validate", str(SMOKE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: smoke")


def test_run_json_has_the_contract_keys() -> None:
    payload = orbsim_json("run", str(SMOKE), "--seed", "3")
    for key in ("uptime", "availability", "downtime_by_cause", "events", "satellite_years",
                "sim_events", "wall_s"):
        assert key in payload
    assert 0.0 <= payload["uptime"] <= 1.0
    assert payload["uptime"] + sum(payload["downtime_by_cause"].values()) == \
        __import__("pytest").approx(1.0, abs=1e-9)
