"""The README's reliability example is a valid design, and runs."""

from __future__ import annotations

from pathlib import Path

import yaml
from support import ROOT, orbsim, orbsim_json


def test_the_readme_reliability_example_runs(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Reliability in depth"):]
    start = section.index("```yaml") + len("```yaml")
    block = section[start:section.index("```", start)]
    top, design = block.split("...\n")
    document = {
        "name": "readme-reliability", "horizon_years": 2, "sla_fraction": 0.5,
        **yaml.safe_load(top),
        "fleet": [{"name": "g", "count": 5,
                   "orbit": {"kind": "formation", "altitude_km": 650,
                             "inclination_deg": "sso", "ltan_h": 18},
                   "design": {"nominal_compute_pflops": 1.0, **yaml.safe_load(design)}}],
    }
    path = tmp_path / "readme.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = orbsim("validate", str(path))
    assert result.returncode == 0, result.stderr
    run = orbsim_json("run", str(path))
    assert abs(sum(run["downtime_by_cause"].values()) - (1 - run["uptime"])) < 1e-9
