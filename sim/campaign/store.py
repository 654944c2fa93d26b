"""A campaign's results directory: written atomically chunk by chunk, resumable, checked.

Layout::

    manifest.json          scenario (resolved document), its hash, root seed, package version
    parts/ts-A-B.parquet   monthly series of replications A..B-1 (written first)
    parts/rep-A-B.parquet  scalar metrics of replications A..B-1 (written last: the commit)
    replicates.parquet     every finished replication, one row each, sorted by ``replicate``
    timeseries.parquet     every monthly row, long format
    summary.json           statistics of every metric

Every file is written to a temporary name and renamed into place, so a killed campaign leaves
whole files only. A replication counts as done when its ``rep`` part is readable; anything else
(an orphan ``ts`` part, an unreadable part) is removed and recomputed, never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__

MANIFEST = "manifest.json"
PARTS = "parts"
REPLICATES = "replicates.parquet"
TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
_PART = re.compile(r"^(rep|ts)-(\d{7})-(\d{7})\.parquet$")


class StoreError(Exception):
    """A results directory that cannot be used as asked (one line, for the user)."""


def document_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the scenario document in canonical JSON."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet table atomically."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def table_of(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Rows (dicts) as a table whose columns are the union of their keys; a missing metric
    is 0 (a cause that never occurred in that replication)."""
    columns = sorted({key for row in rows for key in row}, key=lambda c: (c != "replicate", c))
    return pa.table({c: [row.get(c, 0) for row in rows] for c in columns})


class ResultsStore:
    """One campaign's folder."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    @property
    def parts(self) -> Path:
        return self.directory / PARTS

    def open(self, manifest: dict[str, Any], resume: bool) -> None:
        """Create the folder, or check it holds this very campaign (when resuming)."""
        path = self.directory / MANIFEST
        if path.exists():
            try:
                existing = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                raise StoreError(f"{path}: unreadable manifest; use another --out") from None
            if existing.get("scenario_hash") != manifest["scenario_hash"]:
                raise StoreError(f"{self.directory} holds a campaign of another scenario "
                                 f"({existing.get('scenario', '?')!r}); use another --out")
            if existing.get("root_seed") != manifest["root_seed"]:
                raise StoreError(f"{self.directory} holds a campaign with root seed "
                                 f"{existing.get('root_seed')}; use --seed "
                                 f"{existing.get('root_seed')} or another --out")
            if not resume:
                raise StoreError(f"{self.directory} already holds this campaign; add --resume "
                                 "to continue it, or use another --out")
            return
        if resume:
            raise StoreError(f"{self.directory}: nothing to resume (no {MANIFEST})")
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.directory}: cannot write here ({exc.strerror})") from None
        probe = self.directory / ".write-test"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StoreError(f"{self.directory}: cannot write here ({exc.strerror})") from None
        manifest = dict(manifest, package_version=__version__)
        atomic_write_bytes(path, json.dumps(manifest, indent=2, default=str).encode())

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.directory / MANIFEST).read_text())

    def _part_files(self) -> Iterator[tuple[str, int, int, Path]]:
        if not self.parts.exists():
            return
        for path in sorted(self.parts.iterdir()):
            match = _PART.match(path.name)
            if match:
                yield match.group(1), int(match.group(2)), int(match.group(3)), path
            elif path.name.startswith("."):
                path.unlink(missing_ok=True)

    def done(self) -> set[int]:
        """Replications with a readable ``rep`` part; removes anything else."""
        finished: set[int] = set()
        series: dict[tuple[int, int], Path] = {}
        for kind, first, stop, path in self._part_files():
            if kind == "ts":
                series[first, stop] = path
                continue
            try:
                replicates = pq.read_table(path, columns=["replicate"]).column(0).to_pylist()
            except (OSError, pa.ArrowInvalid):
                path.unlink(missing_ok=True)
                continue
            if sorted(replicates) != list(range(first, stop)):
                path.unlink(missing_ok=True)
                continue
            finished.update(replicates)
        for (first, stop), path in series.items():
            if not set(range(first, stop)) <= finished:
                path.unlink(missing_ok=True)
        return finished

    def write_chunk(self, first: int, stop: int, rows: Sequence[dict[str, Any]],
                    series: Sequence[dict[str, Any]]) -> None:
        """Commit replications [first, stop): their series first, then their rows."""
        name = f"{first:07d}-{stop:07d}.parquet"
        atomic_write_table(self.parts / f"ts-{name}", table_of(series))
        atomic_write_table(self.parts / f"rep-{name}", table_of(rows))

    def consolidate(self) -> tuple[pa.Table, pa.Table]:
        """Every finished replication, sorted, written as the two whole-campaign tables."""
        reps = [pq.read_table(p) for kind, _, _, p in self._part_files() if kind == "rep"]
        series = [pq.read_table(p) for kind, _, _, p in self._part_files() if kind == "ts"]
        replicates = _concat(reps).sort_by("replicate")
        timeseries = _concat(series).sort_by([("replicate", "ascending"),
                                              ("month", "ascending")])
        atomic_write_table(self.directory / REPLICATES, replicates)
        atomic_write_table(self.directory / TIMESERIES, timeseries)
        return replicates, timeseries

    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write_bytes(self.directory / SUMMARY,
                           json.dumps(summary, indent=2, default=float).encode())


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Tables with possibly different metric columns, missing ones filled with 0."""
    if not tables:
        return pa.table({"replicate": pa.array([], pa.int64())})
    columns = sorted({c for t in tables for c in t.column_names},
                     key=lambda c: (c != "replicate", c))
    filled = []
    for table in tables:
        for column in columns:
            if column not in table.column_names:
                table = table.append_column(column, pa.array([0.0] * table.num_rows))
        filled.append(table.select(columns).cast(
            pa.schema([(c, _type(tables, c)) for c in columns])))
    return pa.concat_tables(filled)


def _type(tables: list[pa.Table], column: str) -> pa.DataType:
    types = {t.schema.field(column).type for t in tables if column in t.column_names}
    if len(types) == 1 and pa.types.is_integer(next(iter(types))):
        return pa.int64()
    return pa.float64() if column not in ("replicate", "month") else pa.int64()
