"""On-disk cache of eclipse schedules: one ``.npz`` per distinct orbit, span and start.

The key is a SHA-256 of the orbit's canonical definition, the start, the span and
``SCHEDULE_VERSION`` (bump it whenever the search or the file layout changes, so stale files are
never read). Writes are atomic (temporary file in the same directory, then ``os.replace``), so
concurrent writers and killed runs leave either the old file or the new one. A file that cannot
be read, fails its zip CRC, or describes another key is treated as missing and rewritten.
Nothing is unpickled (``allow_pickle=False``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from sim.orbits.schedule import ARRAY_FIELDS, EclipseSchedule

SCHEDULE_VERSION = "eclipse-schedule/1"
CACHE_DIR_ENV = "ORBSIM_CACHE_DIR"
DEFAULT_CACHE_DIR = ".orbsim-cache"


def resolve_cache_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """``directory`` if given, else ``$ORBSIM_CACHE_DIR``, else ``.orbsim-cache`` in the cwd."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)


def schedule_key(orbit_key: str, start_utc: datetime, span_s: float) -> str:
    """Canonical description of one schedule request (hashed into the file name)."""
    return json.dumps(
        {
            "version": SCHEDULE_VERSION,
            "orbit": orbit_key,
            "start_utc": start_utc.isoformat(),
            "span_s": repr(float(span_s)),
        },
        sort_keys=True,
    )


@dataclass(frozen=True)
class ScheduleCache:
    """A directory of cached schedules."""

    directory: Path

    @classmethod
    def at(cls, directory: str | os.PathLike[str] | None = None) -> ScheduleCache:
        return cls(resolve_cache_dir(directory))

    def path_for(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.directory / f"eclipses-{digest}.npz"

    def load(self, key: str) -> EclipseSchedule | None:
        """The cached schedule for ``key``, or None if absent, unreadable or not for ``key``."""
        path = self.path_for(key)
        try:
            with path.open("rb") as stream, np.load(stream, allow_pickle=False) as data:
                if str(data["key"]) != key:
                    return None
                arrays = {name: np.array(data[name], dtype=np.float64) for name in ARRAY_FIELDS}
                start = datetime.fromisoformat(str(data["start_utc"]))
                span_s = float(data["span_s"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None
        try:
            return EclipseSchedule(start_utc=start, span_s=span_s, **arrays)
        except ValueError:
            return None

    def store(self, key: str, schedule: EclipseSchedule) -> Path:
        """Write ``schedule`` under ``key`` atomically; returns the file's path."""
        path = self.path_for(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=path.stem + ".", suffix=".tmp", dir=self.directory
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(
                    stream,
                    key=np.array(key),
                    start_utc=np.array(schedule.start_utc.isoformat()),
                    span_s=np.array(schedule.span_s),
                    **{name: getattr(schedule, name) for name in ARRAY_FIELDS},
                )
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path
