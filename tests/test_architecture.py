"""The layering of DESIGN.md, enforced: each layer imports only what it may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

FORBIDDEN = {
    "model": ("skyfield", "matplotlib", "sim.config", "sim.cli", "sim.api", "pydantic", "yaml"),
    "orbits": ("simpy", "sim.model", "sim.cli", "sim.api", "matplotlib"),
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    folder = SIM / layer
    if not folder.exists():
        pytest.skip(f"sim/{layer} does not exist yet")
    offences = [
        f"{path.relative_to(SIM)} imports {name}"
        for path in sorted(folder.rglob("*.py"))
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


def test_no_file_io_in_the_model() -> None:
    for path in (SIM / "model").rglob("*.py"):
        source = path.read_text()
        assert "open(" not in source and "Path(" not in source, path


def test_package_init_holds_only_the_docstring_and_version() -> None:
    tree = ast.parse((SIM / "__init__.py").read_text())
    assert [type(node).__name__ for node in tree.body] == ["Expr", "Assign"]


def test_api_all_names_exist() -> None:
    import sim.api

    assert sorted(sim.api.__all__) == sorted(set(sim.api.__all__))
    for name in sim.api.__all__:
        assert hasattr(sim.api, name), name
