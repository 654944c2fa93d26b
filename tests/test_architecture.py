"""The layering of the design, enforced: each layer imports only what it may, and the
package's parts import one another in one direction (no circles).

Imports are read from the source (every ``import``, at module level or inside a function), so
a lazy import counts like any other.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

# What sits above the model (it reads files, knows orbits, runs or shows campaigns).
ABOVE_THE_MODEL = ("sim.config", "sim.scenario", "sim.orbits", "sim.eclipses", "sim.checks",
                   "sim.slots",
                   "sim.eclipse_query", "sim.replicate", "sim.campaign", "sim.cli", "sim.api",
                   "sim.report", "sim.compare", "sim.plots", "sim.results", "sim.results_frame")
FORBIDDEN = {
    # The SimPy layer: no orbits, scenario files, campaigns, command line, API or plots; no
    # file formats or plotting libraries.
    "model": (*ABOVE_THE_MODEL, "skyfield", "sgp4", "matplotlib", "pydantic", "yaml",
              "pyarrow", "pandas"),
    # Geometry: no SimPy and no model, nothing that runs or shows campaigns.
    "orbits": ("simpy", "sim.model", "sim.scenario", "sim.eclipses", "sim.checks",
               "sim.replicate", "sim.campaign", "sim.cli", "sim.api", "sim.report",
               "sim.plots", "matplotlib"),
    # Scenario files: no SimPy run, campaign or report.
    "config": ("simpy", "sim.replicate", "sim.campaign", "sim.cli", "sim.api", "sim.report",
               "sim.plots", "matplotlib"),
    # Campaigns: no command line, API, report or plots.
    "campaign": ("sim.cli", "sim.api", "sim.report", "sim.plots", "matplotlib"),
}
# Modules at the top of the package, with what each may not import.
MODULE_FORBIDDEN = {
    # A scenario's geometry knows nothing of the model.
    "eclipses.py": ("sim.model", "simpy", "sim.replicate", "sim.campaign"),
    # One replication: no files, campaigns or presentation.
    "replicate.py": ("sim.config", "sim.campaign", "sim.cli", "sim.api", "sim.report",
                     "sim.plots", "pyarrow", "matplotlib"),
    # Results and reports read results files only: nothing that runs a simulation.
    "results.py": ("sim.",),
    # Statistics of arrays, shared by campaigns and reports: nothing of the package.
    "statistics.py": ("sim.",),
    # A stored scenario document in words, for the report: nothing of the package.
    "document_tables.py": ("sim.",),
    # The command's tables fitted to the terminal: nothing of the package.
    "console_tables.py": ("sim.",),
    # Command-line mistakes in one line: nothing of the package.
    "usage_errors.py": ("sim.",),
    "report.py": ("sim.model", "sim.replicate", "sim.campaign", "sim.orbits", "sim.config",
                  "sim.scenario", "sim.eclipses", "sim.checks", "sim.api", "sim.cli", "simpy"),
    # The results as DataFrames, and their CSV export: read through the report's reader.
    "results_frame.py": ("sim.model", "sim.replicate", "sim.campaign", "sim.orbits",
                         "sim.config", "sim.scenario", "sim.eclipses", "sim.checks", "sim.api",
                         "sim.cli", "sim.plots", "simpy"),
    # Comparing two campaigns reads their results files, like the report.
    "compare.py": ("sim.model", "sim.replicate", "sim.campaign", "sim.orbits", "sim.config",
                   "sim.scenario", "sim.eclipses", "sim.checks", "sim.api", "sim.cli", "simpy"),
    "plots.py": ("sim.model", "sim.replicate", "sim.campaign", "sim.orbits", "sim.config",
                 "sim.scenario", "sim.eclipses", "sim.checks", "sim.api", "sim.cli",
                 "sim.report", "sim.compare", "simpy"),
    # The command line is a thin layer over the API.
    "cli.py": tuple(f"sim.{name}" for name in (
        "model", "orbits", "config", "campaign", "replicate", "eclipses", "checks", "report",
        "plots", "scenario", "results", "results_frame", "eclipse_query", "compare")),
}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (relative imports resolved)."""
    package = ".".join(path.relative_to(SIM.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            # ``from sim import plots`` imports the module sim.plots.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _offences(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path.relative_to(SIM)} imports {name}"
            for name in sorted(imported_modules(path))
            if any(name == bad or name.startswith(bad if bad.endswith(".") else bad + ".")
                   for bad in forbidden)]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    folder = SIM / layer
    assert folder.is_dir(), f"sim/{layer} is missing"
    assert [o for path in sorted(folder.rglob("*.py"))
            for o in _offences(path, FORBIDDEN[layer])] == []


@pytest.mark.parametrize("module", sorted(MODULE_FORBIDDEN))
def test_module_imports(module: str) -> None:
    assert _offences(SIM / module, MODULE_FORBIDDEN[module]) == []


def _part_of(module: str) -> str | None:
    """The part of the package a module belongs to: its folder or top-level module."""
    pieces = module.split(".")
    if pieces[0] != "sim" or len(pieces) < 2:
        return None
    return pieces[1]


def test_no_circle_of_imports_across_the_package() -> None:
    parts = {path.relative_to(SIM).parts[0].removesuffix(".py")
             for path in SIM.rglob("*.py") if path.name != "__init__.py" or path.parent != SIM}
    edges: dict[str, set[str]] = {part: set() for part in parts}
    for path in SIM.rglob("*.py"):
        here = path.relative_to(SIM).parts[0].removesuffix(".py")
        for name in imported_modules(path):
            there = _part_of(name)
            if there in parts and there not in (here, "__init__"):
                edges[here].add(there)
    # Depth-first search for a cycle.
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for child in sorted(edges[node]):
            if state.get(child) == 1:
                return [*trail[trail.index(child):], child]
            if child not in state and (found := visit(child)) is not None:
                return found
        trail.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            assert cycle is None, " → ".join(cycle)


def test_the_model_does_no_file_io() -> None:
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


def test_notebooks_import_only_the_api() -> None:
    import json

    for path in sorted((SIM.parent / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        names = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        ours = {n for n in names if n == "sim" or n.startswith("sim.")}
        assert ours <= {"sim.api"}, (path.name, ours)


def test_the_forbidden_lists_name_real_modules() -> None:
    """A rule about a module that does not exist would pass for ever."""
    known = {".".join(p.relative_to(SIM.parent).with_suffix("").parts).removesuffix(".__init__")
             for p in SIM.rglob("*.py")}
    for name in itertools.chain(ABOVE_THE_MODEL, *MODULE_FORBIDDEN.values()):
        if name.startswith("sim.") and not name.endswith("."):
            assert name in known, name
