"""Keep a process's large numpy arrays on the heap (every replication sets it, once per
process: ``orbsim run``, the Python API and campaign workers alike).

glibc serves blocks above its mmap threshold (128 KiB, raised as big blocks are freed) straight
from the kernel, and every such block costs page faults when it is allocated again. A
replication makes many arrays of one value per eclipse (a few hundred KiB each). Where the
threshold cannot rise (Dask's workers set ``MALLOC_TRIM_THRESHOLD_``, which fixes it at
128 KiB), a replication takes 40 % longer. ``keep_arrays_on_heap`` fixes it high instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

# mallopt parameters (glibc malloc.h) and the values set: blocks up to 32 MiB come from the
# heap (glibc's own ceiling for the raised threshold on 64-bit), and free memory at its top
# is returned to the system past 64 MiB.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024


@functools.cache
def keep_arrays_on_heap() -> bool:
    """Set this process's malloc thresholds, once; False where malloc is not glibc's."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
