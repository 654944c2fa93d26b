"""Where a study writes (its folder, its SQLite file): checked before the study starts, so
that hours of work do not end on a path that cannot be written. Figures are checked by
``sim.figure_files``."""

from __future__ import annotations

import os
from pathlib import Path

# The first bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def folder_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a folder the study writes in (None when it is one, or can be
    created: its nearest existing ancestor is a folder this process may write in)."""
    if path.exists():
        if not path.is_dir():
            return f"{path} is a file, not a folder"
        return None if os.access(path, os.W_OK | os.X_OK) else f"{path}: cannot write there"
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"cannot create {path}: {ancestor} is a file, not a folder"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot create {path}: cannot write in {ancestor}"
    return None


def study_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot hold a tuning study (None for a new file, or an SQLite one)."""
    if path.is_dir():
        return f"{path} is a folder; give the study's file, e.g. {path / 'study.db'}"
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            return f"{path}: cannot be read ({exc.strerror})"
        if head and head != SQLITE_HEADER:
            return f"{path} exists and is not an SQLite study; give another path"
        return None if os.access(path, os.W_OK) else f"{path}: cannot write there"
    return folder_problem(path.parent)
