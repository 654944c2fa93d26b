"""pyproject.toml: metadata that installs without setuptools warnings and claims only what is
built.

setuptools 77 reads ``license`` as an SPDX expression (PEP 639) and warns on the old
``license = {text = ...}`` table and on ``License ::`` classifiers; the description must not
promise what the model does not have yet.
"""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from support import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
SPDX_EXPRESSION = re.compile(r"[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*")
SETUPTOOLS_WITH_PEP_639 = 77


def test_license_is_an_spdx_expression_with_its_file() -> None:
    license_ = PROJECT["license"]
    assert isinstance(license_, str), "use license = \"SPDX\", not the deprecated table"
    assert SPDX_EXPRESSION.fullmatch(license_), license_
    assert PROJECT["license-files"], "name the license text"
    for pattern in PROJECT["license-files"]:
        assert list(ROOT.glob(pattern)), pattern
    assert not [c for c in PROJECT.get("classifiers", []) if c.startswith("License ::")]


def test_the_build_backend_understands_that_license() -> None:
    setuptools = next(Requirement(r) for r in PYPROJECT["build-system"]["requires"]
                      if Requirement(r).name == "setuptools")
    floors = [int(s.version.split(".")[0]) for s in setuptools.specifier
              if s.operator in (">=", "==", "~=")]
    assert floors and max(floors) >= SETUPTOOLS_WITH_PEP_639


def test_every_dependency_has_bounds() -> None:
    extras = PROJECT.get("optional-dependencies", {})
    requirements = [Requirement(r) for r in PROJECT["dependencies"]]
    requirements += [Requirement(r) for group in extras.values() for r in group]
    for requirement in requirements:
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {">=", ">"} and operators & {"<", "<="}, str(requirement)
