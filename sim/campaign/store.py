"""A campaign's results directory: written atomically chunk by chunk, resumable, checked.

Layout::

    manifest.json          scenario (resolved document), its hash, root seed, package version,
                           the plan (-n, --until-ci) and each run's start and wall time
    parts/ts-A-B.parquet   monthly series of replications A..B-1 (written first)
    parts/rep-A-B.parquet  scalar metrics of replications A..B-1 (written last: the commit)
    replicates.parquet     every finished replication, one row each, sorted by ``replicate``
    timeseries.parquet     every monthly row, long format
    summary.json           statistics of every metric
    .campaign.lock         held (flock) by the campaign writing into the folder, if any

Every file is written to a temporary name and renamed into place, so a killed campaign leaves
whole files only. Each part carries the SHA-256 of its content in its Parquet metadata. A chunk
of replications counts as done when both its parts read back whole, match their digest and hold
exactly its replications; anything else (an orphan part, a truncated or altered one, a chunk
overlapping another) is removed and recomputed, never read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.results import (
    DIGEST_KEY,
    MANIFEST,
    PART_NAME,
    PARTS,
    REPLICATES,
    SUMMARY,
    TIMESERIES,
    atomic_open,
    atomic_write_bytes,
    column_order,
    conform,
    read_part,
    table_digest,
    union_schema,
)

# Held by the campaign writing into a folder (an advisory lock, taken where fcntl exists).
LOCK = ".campaign.lock"


class StoreError(Exception):
    """A results directory that cannot be used as asked (one line, for the user)."""


def document_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the scenario document in canonical JSON."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet table atomically."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def write_part(path: Path, table: pa.Table) -> None:
    """Write a part atomically, with the digest of its content in its metadata."""
    table = table.replace_schema_metadata({DIGEST_KEY: table_digest(table).encode()})
    atomic_write_table(path, table)


def table_of(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Rows (dicts) as a table whose columns are the union of their keys; a missing metric
    is 0 (a cause that never occurred in that replication)."""
    columns = sorted({key for row in rows for key in row}, key=column_order)
    return pa.table({c: [row.get(c, 0) for row in rows] for c in columns})


# Differences between two scenarios listed in a refusal to mix their campaigns.
MAX_DIFFERENCES_SHOWN = 5


def document_differences(old: Any, new: Any, path: str = "") -> list[str]:
    """``path: old → new`` for each value that differs between two scenario documents."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in [*old, *(k for k in new if k not in old)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                found.append(f"{where}: removed")
            elif key not in old:
                found.append(f"{where}: added {json.dumps(new[key], default=str)}")
            else:
                found += document_differences(old[key], new[key], where)
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True))
                for d in document_differences(a, b, f"{path}.{i}" if path else str(i))]
    if json.dumps(old, default=str) == json.dumps(new, default=str) or _same_number(old, new):
        return []
    return [f"{path or 'the scenario'}: {json.dumps(old, default=str)} → "
            f"{json.dumps(new, default=str)}"]


def _same_number(old: Any, new: Any) -> bool:
    """Whether two values are one number written two ways (``30`` and ``30.0``)."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    return numbers and old == new


def holds_campaign(directory: str | os.PathLike[str]) -> bool:
    """Whether ``directory`` holds a campaign's manifest (one that --resume continues)."""
    return (Path(directory) / MANIFEST).is_file()


def holds_replications(directory: str | os.PathLike[str]) -> bool:
    """Whether ``directory`` holds a campaign with at least one replication committed."""
    return holds_campaign(directory) and any(
        kind == "rep" for kind, *_ in ResultsStore(directory)._part_files())


class ResultsStore:
    """One campaign's folder."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    @property
    def parts(self) -> Path:
        return self.directory / PARTS

    def check(self, manifest: dict[str, Any], resume: bool) -> dict[str, Any] | None:
        """Refuse a folder that cannot hold this campaign, writing nothing; the stored
        manifest when resuming, None when the campaign is new."""
        path = self.directory / MANIFEST
        if path.exists():
            try:
                existing = json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                raise StoreError(f"{path}: unreadable manifest; use another --out") from None
            if not isinstance(existing, dict):
                raise StoreError(f"{path}: unreadable manifest; use another --out")
            if (existing.get("scenario_hash") != manifest["scenario_hash"]
                    and not self._same_scenario(existing, manifest)):
                raise StoreError(self._other_scenario(existing, manifest))
            if existing.get("root_seed") != manifest["root_seed"]:
                raise StoreError(f"{self.directory} holds a campaign with root seed "
                                 f"{existing.get('root_seed')}; use --seed "
                                 f"{existing.get('root_seed')} or another --out")
            version = existing.get("package_version")
            if resume and version != __version__:
                raise StoreError(f"{self.directory} holds a campaign run by orbsim {version}, "
                                 f"not {__version__}; its replications would not mix with "
                                 "these: use another --out")
            if not resume:
                raise StoreError(f"{self.directory} already holds this campaign; add --resume "
                                 "to continue it, or use another --out")
            return existing
        if resume:
            raise StoreError(f"{self.directory}: nothing to resume (no {MANIFEST})")
        if any(True for _ in self._part_files()):
            raise StoreError(f"{self.directory} holds campaign parts but no {MANIFEST}; "
                             "use another --out")
        ancestor = self.directory
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise StoreError(f"{self.directory}: cannot write here ({ancestor} is not a "
                             "directory)")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise StoreError(f"{self.directory}: cannot write here (permission denied)")
        return None

    @staticmethod
    def _same_scenario(existing: dict[str, Any], manifest: dict[str, Any]) -> bool:
        """Whether two documents of other hashes say the same (a number written ``30`` in one
        and ``30.0`` in the other)."""
        old, new = existing.get("scenario_document"), manifest.get("scenario_document")
        return old is not None and new is not None and not document_differences(old, new)

    def _other_scenario(self, existing: dict[str, Any], manifest: dict[str, Any]) -> str:
        """Why this folder cannot take the campaign: what differs from the stored one, and an
        --out that would (the default folder of a scenario with overrides)."""
        def given(entry: dict[str, Any]) -> str:
            overrides = entry.get("overrides") or []
            return ("with " + " ".join(f"--set {o}" for o in overrides) if overrides
                    else "with no --set")

        name = existing.get("scenario", "?")
        if existing.get("scenario_document") is None or manifest.get("scenario_document") is None:
            differences = []
        else:
            differences = document_differences(existing["scenario_document"],
                                               manifest["scenario_document"])
        shown = "; ".join(differences[:MAX_DIFFERENCES_SHOWN])
        if len(differences) > MAX_DIFFERENCES_SHOWN:
            shown += f"; and {len(differences) - MAX_DIFFERENCES_SHOWN} more"
        suggestion = self.directory.with_name(
            f"{self.directory.name}-{manifest['scenario_hash'][:8]}")
        return (f"{self.directory} holds a campaign of another scenario ({name!r} "
                f"{given(existing)}; this one is {manifest.get('scenario', '?')!r} "
                f"{given(manifest)}"
                f"{': ' + shown if shown else ''}); use another --out, e.g. --out {suggestion}")

    def open(self, manifest: dict[str, Any], resume: bool) -> dict[str, Any]:
        """Create the folder, or check it holds this very campaign (when resuming); the
        manifest in effect. A resumed campaign keeps its manifest but records the new
        ``plan`` (replication count, interval width) if one is given."""
        path = self.directory / MANIFEST
        existing = self.check(manifest, resume)
        self._writable()
        if existing is not None:
            plan = manifest.get("plan")
            if plan is not None and existing.get("plan") != plan:
                existing = dict(existing, plan=plan)
                atomic_write_bytes(path, json.dumps(existing, indent=2, default=str).encode())
            return existing
        manifest = dict(manifest, package_version=__version__)
        atomic_write_bytes(path, json.dumps(manifest, indent=2, default=str).encode())
        return manifest

    def _writable(self) -> None:
        """Refuse, before anything runs, a folder (or its parts folder) the campaign could not
        write its results into: a new one that cannot be made, a resumed one made read-only."""
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
            for folder in (self.directory, self.parts):
                probe = folder / ".write-test"
                probe.write_bytes(b"")
                probe.unlink()
        except OSError as exc:
            raise StoreError(f"{self.directory}: cannot write here "
                             f"({exc.strerror or exc})") from None

    @contextmanager
    def held(self) -> Iterator[None]:
        """The folder, made if new, held by this campaign while it writes: another campaign
        writing into it at the same time (a second ``--resume``, say) would count
        replications twice, so it is refused."""
        try:
            import fcntl
        except ImportError:
            yield
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = (self.directory / LOCK).open("a")
        except OSError as exc:
            raise StoreError(f"{self.directory}: cannot write here "
                             f"({exc.strerror or exc})") from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise StoreError(f"{self.directory}: another campaign is writing into it now; "
                                 "wait for it to end, or use another --out") from None
            yield

    def stored_seed(self) -> int | None:
        """The root seed of the campaign the folder holds (None: none, or unreadable; ``check``
        then says why)."""
        try:
            seed = json.loads((self.directory / MANIFEST).read_text()).get("root_seed")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            return None
        return seed if isinstance(seed, int) else None

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.directory / MANIFEST).read_text())

    def _part_files(self, clean: bool = False) -> Iterator[tuple[str, int, int, Path]]:
        """(kind, first, stop, path) of each part file; ``clean`` removes leftover temporary
        files of a killed write."""
        if not self.parts.is_dir():
            return
        for path in sorted(self.parts.iterdir()):
            match = PART_NAME.match(path.name)
            if match:
                yield match.group(1), int(match.group(2)), int(match.group(3)), path
            elif clean and path.name.startswith("."):
                path.unlink(missing_ok=True)

    def _chunks(self, clean: bool = False) -> dict[tuple[int, int], dict[str, Path]]:
        """Part files by chunk [first, stop) and kind."""
        found: dict[tuple[int, int], dict[str, Path]] = {}
        for kind, first, stop, path in self._part_files(clean):
            found.setdefault((first, stop), {})[kind] = path
        return found

    def done(self) -> set[int]:
        """Replications of the chunks whose two parts are whole and hold exactly that chunk;
        removes every other part (to be recomputed)."""
        finished: set[int] = set()
        for (first, stop), paths in sorted(self._chunks(clean=True).items()):
            ids = set(range(first, stop))
            whole = (first < stop and not ids & finished and set(paths) == {"rep", "ts"}
                     and all(read_part(path, kind, first, stop) is not None
                              for kind, path in paths.items()))
            if whole:
                finished |= ids
            else:
                for path in paths.values():
                    path.unlink(missing_ok=True)
        return finished

    def column(self, name: str) -> dict[int, Any]:
        """One metric of every stored replication, by replication id."""
        values: dict[int, Any] = {}
        for kind, _, _, path in self._part_files():
            if kind == "rep":
                table = pq.read_table(path, columns=["replicate", name])
                values.update(zip(*(c.to_pylist() for c in table.columns), strict=True))
        return values

    def write_chunk(self, first: int, stop: int, rows: Sequence[dict[str, Any]],
                    series: Sequence[dict[str, Any]]) -> None:
        """Commit replications [first, stop): their series first, then their rows."""
        name = f"{first:07d}-{stop:07d}.parquet"
        write_part(self.parts / f"ts-{name}", table_of(series))
        write_part(self.parts / f"rep-{name}", table_of(rows))

    def consolidate(self) -> pa.Table:
        """Write the two whole-campaign tables from the parts, one chunk in memory at a time
        (chunks are disjoint id ranges, each sorted, so chunk order is replicate order), and
        return the replicates table (one small row per replication) for the statistics."""
        chunks = sorted(self._chunks().items())
        for kind, name in (("ts", TIMESERIES), ("rep", REPLICATES)):
            paths = [(first, stop, parts.get(kind)) for (first, stop), parts in chunks]
            self._stream(kind, paths, self.directory / name)
        return pq.read_table(self.directory / REPLICATES)

    def _changed(self, first: int, stop: int) -> StoreError:
        return StoreError(f"{self.parts}: parts of replications {first}..{stop - 1} changed "
                          "while the campaign ran; run again with --resume")

    def _stream(self, kind: str, paths: list[tuple[int, int, Path | None]],
                target: Path) -> None:
        """Concatenate the parts of one kind into ``target``, atomically, missing metric
        columns filled with 0."""
        schemas = []
        for first, stop, path in paths:
            try:
                if path is None:
                    raise OSError("missing")
                schemas.append(pq.read_schema(path))
            except (OSError, pa.ArrowException):
                raise self._changed(first, stop) from None
        schema = union_schema(schemas)
        with atomic_open(target) as stream, pq.ParquetWriter(stream, schema) as writer:
            for first, stop, path in paths:
                assert path is not None
                table = read_part(path, kind, first, stop)
                if table is None:
                    raise self._changed(first, stop)
                writer.write_table(conform(table, schema))

    def record_run(self, run: dict[str, Any]) -> None:
        """Append one run (when, how long, how many replications) to the manifest's ``runs``:
        with ``created_utc``, the only stored values that vary between identical runs."""
        manifest = self.manifest()
        manifest["runs"] = [*manifest.get("runs", []), run]
        atomic_write_bytes(self.directory / MANIFEST,
                           json.dumps(manifest, indent=2, default=str).encode())

    def write_summary(self, summary: dict[str, Any]) -> None:
        """``summary.json`` in strict JSON (an undefined statistic is null)."""
        atomic_write_bytes(self.directory / SUMMARY,
                           json.dumps(json_ready(summary), indent=2, allow_nan=False).encode())


def json_ready(value: Any) -> Any:
    """``value`` with NaN and infinities as None and NumPy scalars as Python numbers."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
