"""Radiation outages taken as brief outages (the default: a satellite's outages taken as one
stream when it next changes or is read, each handed over at its start, its end when the
satellite next changes) give the same replication as with the start and the end of each an
event (the reference): on a serviced shell with power and training jobs, on servicing with
outages long enough that failures, swaps, the threshold policy and replacements meet them,
and on satellites that an outage takes down whole."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from support import robot, scenario_file, with_long_reboots

from sim.api import fleet_geometry, load_scenario
from sim.model import satellite as satellite_module
from sim.model.parts import Unit, plain
from sim.model.satellite import Satellite
from sim.replicate import GeometryOrbits, Wiring, build
from sim.rng import Streams
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
# Relative tolerance on sums the two paths add in another order (dimensionless).
SUM_ORDER_REL = 1e-9


class Taken:
    """How many outages a run took as brief ones, and how many of those something else met
    before they ended (then put into the part tree)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.brief = 0
        self.met = 0
        brief_outage, settle = Satellite.brief_outage, Satellite.settle

        def counted_brief(sat: Satellite, now_s: float, *args: Any) -> bool:
            taken = brief_outage(sat, now_s, *args)
            self.brief += taken
            return taken

        def counted_settle(sat: Satellite, now_s: float) -> None:
            # The outages that began before now are taken first, as ``settle`` takes them.
            sat.take_outages_to(now_s)
            dip = sat._dip
            self.met += dip is not None and now_s < dip.end_s
            settle(sat, now_s)

        monkeypatch.setattr(satellite_module.Satellite, "brief_outage", counted_brief)
        monkeypatch.setattr(satellite_module.Satellite, "settle", counted_settle)


def both(scenario: Scenario, seed: int, orbits: Any = None) -> tuple[Wiring, Wiring]:
    """The replication run with brief outages, and with every outage's end an event."""
    runs = []
    for ends in ("deferred", "events"):
        wiring = build(scenario, Streams(seed, 0), orbits, keep_log=True, outage_ends=ends)
        wiring.totals = wiring.run(scenario.horizon_s)  # type: ignore[attr-defined]
        runs.append(wiring)
    return runs[0], runs[1]


def assert_same(brief: Wiring, events: Wiring) -> None:
    """Every total, count and job outcome equal, up to the order of sums."""
    a, b = brief.totals, events.totals  # type: ignore[attr-defined]
    scale = a.nominal_pflops * a.horizon_s
    assert a.delivered_pflop_s == pytest.approx(b.delivered_pflop_s, rel=SUM_ORDER_REL)
    assert a.time_at_sla_s == b.time_at_sla_s
    assert set(a.lost_pflop_s) == set(b.lost_pflop_s)
    for key, value in b.lost_pflop_s.items():
        assert a.lost_pflop_s[key] == pytest.approx(value, rel=SUM_ORDER_REL,
                                                    abs=SUM_ORDER_REL * scale), key
    assert a.counts == b.counts
    assert {k: v.tolist() for k, v in a.monthly_events.items()} == {
        k: v.tolist() for k, v in b.monthly_events.items()}
    np.testing.assert_allclose(a.monthly_capacity_fraction, b.monthly_capacity_fraction,
                               rtol=0, atol=SUM_ORDER_REL)
    np.testing.assert_allclose(a.monthly_power_loss_fraction, b.monthly_power_loss_fraction,
                               rtol=0, atol=SUM_ORDER_REL)
    assert a.satellites_down_at_end == b.satellites_down_at_end
    assert set(a.outage_pflop_s) == set(b.outage_pflop_s)
    for key, value in b.outage_pflop_s.items():
        assert a.outage_pflop_s[key] == pytest.approx(value, rel=SUM_ORDER_REL), key
    assert sorted(brief.recorder.log) == sorted(events.recorder.log)  # type: ignore[arg-type]
    for mine, theirs in zip(brief.job_outcomes, events.job_outcomes, strict=True):
        for field in fields(theirs):
            assert getattr(mine, field.name) == pytest.approx(
                getattr(theirs, field.name), rel=SUM_ORDER_REL), field.name
    if events.maintenance is not None:
        assert brief.maintenance.ledger.counts == events.maintenance.ledger.counts
    for mine, theirs in zip(brief.satellites, events.satellites, strict=True):
        assert units_down(mine.root) == units_down(theirs.root)


def units_down(unit: Unit) -> list[str | None]:
    """Every unit's cause of being down, depth first."""
    found = [unit.failed_cause]
    for group in unit.groups:
        for child in group.units:
            found.extend(units_down(child))
    return found


def test_a_serviced_shell_with_power_and_training_jobs(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    """The reference serviced shell cut to 60 satellites for 3 years, hosts rebooting ten
    times as often as in the reference: thousands of outages, most on satellites with every
    unit working, some met by a failure or a servicer."""
    scenario = load_scenario(ROOT / "configs" / "reference-shell-serviced.yaml", [
        "fleet.0.orbit.planes=6", "fleet.0.orbit.per_plane=10", "fleet.0.count=60",
        "horizon_years=3", "servicing.servicers.0.count=4",
        "fleet.0.design.parts.1.parts.1.radiation.functional_interrupts_per_rad=0.0472",
        "fleet.0.design.parts.1.parts.0.failure.mean_years=3"])
    taken = Taken(monkeypatch)
    brief, events = both(scenario, 3, GeometryOrbits(fleet_geometry(scenario), "shifted"))
    assert taken.brief > 1000
    assert taken.met > 0
    assert_same(brief, events)


def long_reboots(tmp_path: Path, policy: dict[str, Any], visit_h: float = 6.0) -> Path:
    """The servicing case (``support.scenario_file``: 20 satellites of 4 gpus, 1 needed) with
    one servicer in visits of ``visit_h`` and the gpus rebooting 12 times a year for 10 days:
    outages overlap failures, swaps and each other."""
    visit = {"distribution": "fixed", "duration_h": visit_h}
    return with_long_reboots(scenario_file(tmp_path, {"servicers": [robot(visit=visit)],
                                                      "policy": policy}))


@pytest.mark.parametrize(("policy", "visit_h"), [
    ({"kind": "corrective"}, 6),
    ({"kind": "corrective", "preventive": [{"part": "gpu", "age_years": 1}]}, 6),
    ({"kind": "threshold", "capacity_below": 0.6}, 6),
    ({"kind": "threshold", "capacity_below": 0.01, "replace": "cheaper"}, 6),
    ({"kind": "opportunistic"}, 6),
    # Visits of two weeks: jobs queue, and the servicer picks the satellite losing most.
    ({"kind": "corrective", "queue_order": "most_lost"}, 336),
], ids=["corrective", "preventive", "threshold", "replacement", "opportunistic", "most-lost"])
def test_servicing_meets_long_outages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      policy: dict[str, Any], visit_h: float) -> None:
    # A satellite costs less than its four gpus' swaps: replacement is sometimes cheaper.
    scenario = load_scenario(long_reboots(tmp_path, policy, visit_h),
                             ["fleet.0.design.cost_usd=1e5"])
    taken = Taken(monkeypatch)
    brief, events = both(scenario, 6)
    assert taken.brief > 1000
    # Ten-day outages: failures and swaps meet many of them.
    assert taken.met > 50
    assert_same(brief, events)


def test_satellites_down_whole_while_an_outage_lasts(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Satellites of one computer (repaired in place in 5 days) that an outage takes down
    whole: their outages and recoveries are counted as outages come and go."""
    document = {
        "name": "whole", "horizon_years": 5, "sla_fraction": 0.5,
        "radiation": {"dose_rad_per_year": 0},
        "fleet": [{"name": "fleet", "count": 30, "design": {
            "nominal_compute_pflops": 1.0,
            "parts": [{"name": "computer", "role": "compute", "count": 1,
                       "failure": {"distribution": "exponential", "mean_years": 2},
                       "repair": {"distribution": "fixed", "duration_days": 5},
                       "radiation": {"functional_interrupts_per_year": 10,
                                     "reboot": {"distribution": "fixed",
                                                "duration_days": 5}}}]}}],
    }
    path = tmp_path / "whole.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    scenario = load_scenario(path)
    taken = Taken(monkeypatch)
    brief, events = both(scenario, 2)
    assert taken.brief > 1000 and taken.met > 10
    assert brief.totals.counts[("satellite_outages", "")] > 1000  # type: ignore[attr-defined]
    assert_same(brief, events)


def test_outages_go_into_the_tree_where_units_are_not_plain(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """A design with standby units is not plain: every outage is an ``interrupt``."""
    document = yaml.safe_load(long_reboots(tmp_path, {"kind": "corrective"}).read_text())
    del document["servicing"]
    gpu = document["fleet"][0]["design"]["parts"][0]
    gpu["standby"] = {"units": 1, "kind": "cold"}
    gpu["repair"] = {"distribution": "fixed", "duration_days": 5}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    scenario = load_scenario(tmp_path / "case.yaml")
    wiring = build(scenario, Streams(1, 0))
    assert not plain(wiring.satellites[0].root)
    taken = Taken(monkeypatch)
    totals = wiring.run(scenario.horizon_s)
    assert taken.brief == 0
    assert totals.counts[("radiation_reboots", "gpu")] > 1000
