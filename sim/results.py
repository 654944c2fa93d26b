"""A campaign's results directory as files: their names, the causes lost compute is charged
to, and the writer that makes every file appear whole or not at all.

Shared by the store that writes a campaign (``sim.campaign.store``) and the report that reads
it (``sim.report``), which never imports the model: the cause list is kept here, and a test
keeps it equal to the causes the model charges.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

MANIFEST = "manifest.json"
PARTS = "parts"
REPLICATES = "replicates.parquet"
TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
FIGURES = "figures"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
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
CAUSES = {**HARDWARE_CAUSES, **SERVICING_CAUSES, **POWER_CAUSES}


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
