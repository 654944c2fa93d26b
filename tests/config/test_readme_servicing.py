"""The README's servicing example is a valid scenario section, as printed."""

from __future__ import annotations

import re

import yaml
from support import CONFIGS, ROOT

from sim.api import load_scenario


def test_the_readme_servicing_example_validates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(launch:.*?)```", readme, flags=re.S)
    assert len(blocks) == 1
    example = yaml.safe_load(blocks[0])
    document = yaml.safe_load((CONFIGS / "reference-cluster-serviced.yaml").read_text())
    document.update(example)
    path = tmp_path / "readme-example.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.servicing is not None
    assert [item.review for item in scenario.servicing.depots[0].items] == [
        "continuous", "periodic", "none"]
