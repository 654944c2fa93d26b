"""On-disk cache of eclipse schedules: one ``.npz`` per distinct orbit, span and start.

The key is a SHA-256 of the orbit's canonical definition, the start, the span and
``SCHEDULE_VERSION`` (bump it whenever the search or the file layout changes, so stale files are
never read). Writes are atomic (temporary file in the same directory, then ``os.replace``), so
concurrent writers and killed runs leave either the old file or the new one.

Reading memory-maps the arrays inside the (uncompressed) ``.npz`` instead of copying them, so a
20-year LEO schedule (5 MB) opens in about a millisecond. The zip CRC is not what guards the
data: each array's 64-bit XOR fold is stored beside it and checked on load (~10 ms per GB from
the page cache). A file that cannot be parsed, holds another key, or fails a checksum is treated
as missing and rewritten. Nothing is unpickled.

Files are only ever replaced, never modified in place, so a schedule mapped from an old file
stays valid after a rewrite or a deletion. Editing or truncating a cache file in place while a
process has it mapped would change (or invalidate) that process's arrays: don't.
"""

from __future__ import annotations

import hashlib
import io
import json
import mmap
import os
import struct
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import platformdirs
from numpy.lib import format as npy_format

from sim.orbits.schedule import ARRAY_FIELDS, EclipseSchedule
from sim.results import atomic_open

SCHEDULE_VERSION = "eclipse-schedule/2"
CACHE_DIR_ENV = "ORBSIM_CACHE_DIR"
# The per-user cache folder (~/.cache/orbsim on Linux, ~/Library/Caches/orbsim on macOS,
# %LOCALAPPDATA%\orbsim\Cache on Windows): schedules are shared by every checkout and
# working directory, and stay out of the project's tree.
CACHE_APP_NAME = "orbsim"
ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")
ZIP_LOCAL_SIGNATURE = b"PK\x03\x04"


def default_cache_dir() -> Path:
    """The user's cache directory for orbsim (``platformdirs``; honours ``$XDG_CACHE_HOME``)."""
    return Path(platformdirs.user_cache_dir(CACHE_APP_NAME, appauthor=False))


def resolve_cache_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """``directory`` if given, else ``$ORBSIM_CACHE_DIR`` (if set and not empty), else the
    user's cache directory (``default_cache_dir``)."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get(CACHE_DIR_ENV) or default_cache_dir())


def check_cache_dir() -> None:
    """ValueError naming ``$ORBSIM_CACHE_DIR`` when it is set to a file, or below one (the
    cache could not be written there)."""
    raw = os.environ.get(CACHE_DIR_ENV)
    if not raw:
        return
    path = Path(raw)
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                what = "a file" if folder == path else f"below a file ({folder})"
                raise ValueError(f"{CACHE_DIR_ENV}: {raw} is {what}, not a folder")
            return


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


def xor_fold(array: np.ndarray) -> np.uint64:
    """XOR of an array's bytes as 64-bit words: a cheap check that catches any flipped bit."""
    return np.bitwise_xor.reduce(np.ascontiguousarray(array).view(np.uint64), initial=0)


def _map_member(path: Path, raw: BinaryIO, info: zipfile.ZipInfo) -> np.ndarray:
    """Memory-map one stored ``.npy`` member of a zip, after checking its headers and size."""
    if info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{info.filename}: compressed member")
    raw.seek(info.header_offset)
    signature, name_length, extra_length = ZIP_LOCAL_HEADER.unpack(raw.read(ZIP_LOCAL_HEADER.size))
    if signature != ZIP_LOCAL_SIGNATURE:
        raise ValueError(f"{info.filename}: bad local header")
    start = info.header_offset + ZIP_LOCAL_HEADER.size + name_length + extra_length
    raw.seek(start)
    version = npy_format.read_magic(raw)
    read_header = (
        npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
    )
    shape, fortran_order, dtype = read_header(raw)
    if dtype != np.float64 or fortran_order or len(shape) != 1:
        raise ValueError(f"{info.filename}: expected a 1-D float64 array")
    offset = raw.tell()
    if offset - start + shape[0] * dtype.itemsize != info.file_size:
        raise ValueError(f"{info.filename}: size does not match its header")
    if shape[0] == 0:
        return np.empty(0)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)


def drop_file_pages(arrays: tuple[np.ndarray, ...]) -> int:
    """Give back the pages of the read-only cache files ``arrays`` are mapped from, and say
    how many maps were given back (arrays in memory, and maps that may hold writes, are left
    alone). The data stays valid: the pages stay in the kernel's page cache, and reading them
    again maps them back. A schedule read once, to check it or to build what is kept from
    it, then no longer counts in the process's memory."""
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if advice is None:
        return 0
    given = 0
    for array in arrays:
        base = array
        while base is not None and not isinstance(base, np.memmap):
            base = base.base if isinstance(base, np.ndarray) else None
        mapping = getattr(base, "_mmap", None)
        if mapping is not None and getattr(base, "mode", None) == "r":
            mapping.madvise(advice)
            given += 1
    return given


def _read_small(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    return np.load(io.BytesIO(archive.read(name + ".npy")), allow_pickle=False)


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
        """The cached schedule for ``key``, or None if absent, unreadable, corrupt or not for
        ``key``. Arrays are read-only memory maps of the file."""
        path = self.path_for(key)
        try:
            with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
                if str(_read_small(archive, "key")) != key:
                    return None
                checksums = _read_small(archive, "checksums")
                arrays = {
                    name: _map_member(path, raw, archive.getinfo(name + ".npy"))
                    for name in ARRAY_FIELDS
                }
                start = datetime.fromisoformat(str(_read_small(archive, "start_utc")))
                span_s = float(_read_small(archive, "span_s"))
            folds = [xor_fold(arrays[name]) for name in ARRAY_FIELDS]
            # The check read every page: give them back until the schedule is used.
            drop_file_pages(tuple(arrays.values()))
            if checksums.shape != (len(ARRAY_FIELDS),) or not np.array_equal(checksums, folds):
                return None
            return EclipseSchedule(start_utc=start, span_s=span_s, **arrays)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, struct.error):
            return None

    def store(self, key: str, schedule: EclipseSchedule) -> Path:
        """Write ``schedule`` under ``key`` atomically; returns the file's path."""
        path = self.path_for(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        arrays = {name: np.ascontiguousarray(getattr(schedule, name)) for name in ARRAY_FIELDS}
        with atomic_open(path) as stream:
            np.savez(
                stream,
                key=np.array(key),
                start_utc=np.array(schedule.start_utc.isoformat()),
                span_s=np.array(schedule.span_s),
                checksums=np.array([xor_fold(a) for a in arrays.values()], dtype=np.uint64),
                **arrays,
            )
        return path
