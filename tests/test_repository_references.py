"""The repository stands alone: what it ships cites only files inside it.

Sources are cited in ``docs/sources.md``, never by a path outside the checkout (a sibling
folder, a machine's absolute path, an environment's reference-data variable), which a reader
of a fresh clone could not follow. Markdown links to files must land inside the repository,
on a file that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import ROOT

SCANNED_FILES = ("README.md", "Makefile", "pyproject.toml")
SCANNED_FOLDERS = ("configs", "docs", "notebooks", "sim", "benchmarks")
TEXT_SUFFIXES = {".md", ".py", ".yaml", ".yml", ".toml", ".ipynb", ".txt", ".csv", ".json"}
# A path that climbs out of where it is written, an absolute path on a machine, or a pointer to
# data kept outside the repository.
OUTSIDE = re.compile(
    r"(?<![\w.])\.\./"                               # ../something
    r"|(?<![\w.])/(?:work|home|root|Users|mnt)/"     # /work/..., /home/...
    r"|REFERENCE_DATA"
    r"|(?<![\w./-])shared/"                          # the workplace's shared/ folder
)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def scanned() -> list[Path]:
    paths = [ROOT / name for name in SCANNED_FILES]
    for folder in SCANNED_FOLDERS:
        paths += sorted(p for p in (ROOT / folder).rglob("*")
                        if p.is_file() and p.suffix in TEXT_SUFFIXES
                        and "__pycache__" not in p.parts)
    return paths


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_scan_covers_the_shipped_folders() -> None:
    names = {relative(p).split("/")[0] for p in scanned()}
    assert set(SCANNED_FOLDERS) | set(SCANNED_FILES) <= names
    assert ROOT / "docs" / "sources.md" in scanned()


@pytest.mark.parametrize("path", scanned(), ids=relative)
def test_no_reference_outside_the_repository(path: Path) -> None:
    found = [f"{relative(path)}:{number}: {line.strip()[:120]}"
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if OUTSIDE.search(line)]
    assert found == []


@pytest.mark.parametrize("path", [p for p in scanned() if p.suffix == ".md"], ids=relative)
def test_markdown_links_land_on_files_in_the_repository(path: Path) -> None:
    broken = []
    for target in MARKDOWN_LINK.findall(path.read_text()):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor
        file = (path.parent / target.split("#")[0]).resolve()
        if not file.is_relative_to(ROOT) or not file.exists():
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("line", [
    "see ../shared/reference/cluster.md", "data: /work/main/shared/x.csv",
    "$REFERENCE_DATA/tle.txt", "source: shared/papers/suncatcher.pdf", "/home/me/notes.md",
])
def test_the_pattern_catches_outside_references(line: str) -> None:
    assert OUTSIDE.search(line)


@pytest.mark.parametrize("line", [
    "docs/sources.md §5", "shared by every checkout", "https://example.org/home/page",
    "results/reference-cluster/replicates.parquet", "~/.cache/orbsim/",
])
def test_the_pattern_passes_inside_references(line: str) -> None:
    assert not OUTSIDE.search(line)
