"""A campaign's results directory as files: their names, the causes lost compute is charged
to, the writer that makes every file appear whole or not at all, and the reader of the parts
a campaign commits chunk by chunk.

Shared by the store that writes a campaign (``sim.campaign.store``) and the report that reads
it (``sim.report``), which never imports the model: the cause list is kept here, and a test
keeps it equal to the causes the model charges. The report reads the committed parts of a
campaign that was stopped before it merged them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
PARTS = "parts"
REPLICATES = "replicates.parquet"
TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
# Minimal cut sets and importance measures of each design (``orbsim cutsets --json``).
CUT_SETS = "cutsets.json"
FIGURES = "figures"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
# A committed part: parts/rep-A-B.parquet (scalar rows) or parts/ts-A-B.parquet (monthly rows)
# of replications A..B-1; its Parquet metadata holds the SHA-256 of its content.
PART_NAME = re.compile(r"^(rep|ts)-(\d{7})-(\d{7})\.parquet$")
DIGEST_KEY = b"orbsim.sha256"

# Written by orbsim export --format csv (into the results directory, or --out).
REPLICATES_CSV = "replicates.csv"
TIMESERIES_CSV = "timeseries.csv"

# Every cause lost compute is charged to (``downtime.<cause>`` columns), with what it means.
HARDWARE_CAUSES = {
    "hardware_failure": "a part has failed and no repair is coming",
    "repair": "a part is being repaired (a servicer at work, or a timed repair)",
}
SERVICING_CAUSES = {
    "deferred": "a part has failed and the maintenance policy has not sent a servicer yet",
    "waiting_for_spare": "a part has failed and its spare is on backorder or on its way",
    "waiting_for_servicer": "the spare is ready and the part waits for a free servicer",
    "servicer_travel": "a servicer is on its way to the satellite",
    "waiting_for_replacement": "the satellite is being replaced by a new one (launch, or a "
                               "spare satellite raised and phased)",
}
RELIABILITY_CAUSES = {
    "degraded": "a failure mode has left a unit working at part of its capacity",
    "latent_failure": "a unit has failed unseen; an inspection or a demand will find it",
    "inspection": "a unit is down for its periodic inspection",
}
POWER_CAUSES = {
    "eclipse_shortfall": "the design (new battery, new array) cannot carry compute through an "
                         "eclipse, or its eclipse rule sheds it",
    "sunlit_shortfall": "the design's new array cannot carry compute while it recharges the "
                        "battery",
    "battery_degraded": "the actual battery (faded, or with strings lost) adds to that",
    "battery_failed": "the battery has fewer than its required strings, and adds to that",
    "array_degraded": "the aged array adds to that",
    "brownout": "the bus lost power: the satellite is down until it recovers after power "
                "returns",
}
CAUSES = {**HARDWARE_CAUSES, **SERVICING_CAUSES, **RELIABILITY_CAUSES, **POWER_CAUSES}
# A month is an eclipse season when the fleet loses at least this share of its nominal compute
# to power in it (``power_loss_fraction`` of the monthly series): 0.1 %.
SEASON_POWER_LOSS = 1e-3


def _umask() -> int:
    """The process's umask (read by setting it, so once, at import, before any thread)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


@contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A binary stream whose content becomes ``path`` when the block ends without error: it
    is written to a temporary name, synced and renamed into place, so a reader (a resumed
    campaign, a report, a replication reading a cached schedule) never sees a partial file,
    whatever kills the writer. The file gets an ordinary new file's permissions."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        os.fchmod(handle, 0o666 & ~_UMASK)
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path) as stream:
        stream.write(data)


def table_digest(table: pa.Table) -> str:
    """SHA-256 of a table's column names, types and values (not of its encoding)."""
    digest = hashlib.sha256()
    for name in table.column_names:
        column = table.column(name)
        digest.update(json.dumps([name, str(column.type), column.to_pylist()]).encode())
    return digest.hexdigest()


def read_part(path: Path, kind: str, first: int, stop: int) -> pa.Table | None:
    """The part's table if it reads whole, matches its digest and holds exactly replications
    [first, stop) (one row each in a ``rep`` part); else None."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None
    stored = (table.schema.metadata or {}).get(DIGEST_KEY)
    table = table.replace_schema_metadata(None)
    if stored is None or stored.decode(errors="replace") != table_digest(table):
        return None
    if "replicate" not in table.column_names:
        return None
    ids = table.column("replicate").to_pylist()
    if (sorted(ids) if kind == "rep" else sorted(set(ids))) != list(range(first, stop)):
        return None
    return table


def committed_chunks(directory: Path) -> list[tuple[int, int, Path, Path]]:
    """(first, stop, rep part, ts part) of every chunk with both parts in ``parts/``, by name
    only (``read_part`` checks them), in replication order."""
    folder = directory / PARTS
    if not folder.is_dir():
        return []
    found: dict[tuple[int, int], dict[str, Path]] = {}
    for path in folder.iterdir():
        match = PART_NAME.match(path.name)
        if match:
            key = (int(match.group(2)), int(match.group(3)))
            found.setdefault(key, {})[match.group(1)] = path
    return [(first, stop, paths["rep"], paths["ts"])
            for (first, stop), paths in sorted(found.items()) if set(paths) == {"rep", "ts"}]


def read_committed(directory: Path) -> tuple[pa.Table, pa.Table]:
    """The replicates and timeseries tables of every whole chunk in ``parts/``, as the merged
    files would hold them: chunks that do not read back whole, match their digest and hold
    exactly their replications (or overlap one read before) are left out, as the store's
    resume would recompute them."""
    rows: list[pa.Table] = []
    series: list[pa.Table] = []
    taken: set[int] = set()
    for first, stop, rep, ts in committed_chunks(directory):
        ids = set(range(first, stop))
        if ids & taken:
            continue
        scalars, monthly = read_part(rep, "rep", first, stop), read_part(ts, "ts", first, stop)
        if scalars is None or monthly is None:
            continue
        taken |= ids
        rows.append(scalars)
        series.append(monthly)
    return _merged(rows), _merged(series)


def _merged(tables: list[pa.Table]) -> pa.Table:
    if not tables:
        return pa.table({})
    schema = union_schema([table.schema for table in tables])
    return pa.concat_tables([conform(table, schema) for table in tables])


def column_order(column: str) -> tuple[int, str]:
    """The keys first (``replicate``, then ``month``), then the metrics by name."""
    return {"replicate": 0, "month": 1}.get(column, 2), column


def union_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """Every column of any part, in the stored order; integer only where always integer."""
    columns = sorted({name for schema in schemas for name in schema.names}, key=column_order)
    fields = []
    for column in columns:
        types = {schema.field(column).type for schema in schemas if column in schema.names}
        integer = column in ("replicate", "month") or (
            len(types) == 1 and pa.types.is_integer(next(iter(types))))
        fields.append(pa.field(column, pa.int64() if integer else pa.float64()))
    return pa.schema(fields)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema``'s columns and types, absent metrics as 0."""
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field.name, pa.array([0] * table.num_rows,
                                                             field.type))
    return table.select(schema.names).cast(schema)
